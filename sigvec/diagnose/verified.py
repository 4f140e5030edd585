""" "Your request verifies": what to say when the signature, clock and key are right and the exchange still refuses.

The causes come from one data file per scheme (`causes/<scheme>.yaml`), each
with the public source that documents it; nothing here names an exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from signing.registry import Scheme

CAUSES_DIR = Path(__file__).with_name("causes")


@dataclass(frozen=True)
class Cause:
    """One documented reason for an error code that is not a signing bug, and where it is documented."""

    cause: str
    source: str


@dataclass(frozen=True)
class ErrorCode:
    meaning: str
    causes: tuple[Cause, ...]


@cache
def documented_codes(scheme: str) -> dict[str, ErrorCode]:
    """The scheme's error codes with documented non-signing causes; none when it has no data file."""
    path = CAUSES_DIR / f"{scheme}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        str(code): ErrorCode(entry["meaning"], tuple(Cause(item["cause"], item["source"]) for item in entry["causes"]))
        for code, entry in data["codes"].items()
    }


def verified_message(scheme: Scheme, error: str | None) -> str:
    """The diagnosis of a request the reference verifier accepts, given the error the exchange answered, if any."""
    if error is None:
        return f"{scheme.exchange} accepts this request: its signature, clock and key are right"
    said = f"your request verifies: its signature, clock and key are right, so {scheme.exchange}'s {error} is not a signing bug"
    code = documented_codes(scheme.name).get(error)
    if code is None:
        return f"{said}; sigvec knows no documented cause of {error} for {scheme.name}"
    causes = "; ".join(f"{cause.cause} ({cause.source})" for cause in code.causes)
    return f"{said}. {scheme.exchange} documents these causes of {error} ({code.meaning}): {causes}"
