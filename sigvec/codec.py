"""The one codec between the model and mappings (JSON and YAML): requests, stages, wire requests, verdicts.

Reading: a vector's `input` is `signing.model.request_from_mapping`; its
`expected` is `signed_from_mapping`; a wire request is `sigvec.wire`. Writing:
`signed_to_mapping` and `verdict_to_mapping`. Stages that a scheme marks as
carrying the secret (`Scheme.secret_stages`) are written with the secret cut
off structurally (`secret_free`), never by searching the text for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from signing.model import STAGE_NAMES, Signed, SigningError, Stages, WireRequest
from signing.server import Verdict
from sigvec.wire import wire_from_mapping

SECRET_CUT = "<secret>"


def stages_from_mapping(data: Mapping[str, Any], where: str) -> Stages:
    values: dict[str, str] = {}
    for name in STAGE_NAMES:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise SigningError(f"{where}.{name}", "must be text")
        if value is not None:
            values[name] = value
    return Stages(**values)


def signed_from_mapping(data: Mapping[str, Any], where: str = "expected") -> Signed:
    """Expected stages and wire request, as a vector's `expected` records them."""
    return Signed(stages_from_mapping(data, where), wire_from_mapping(data.get("wire"), f"{where}.wire"))


def wire_to_mapping(wire: WireRequest) -> dict[str, Any]:
    return {"method": wire.method, "url": wire.url, "headers": dict(wire.headers), "body": wire.body}


def secret_free(stage: str, text: str, secret: str, secret_stages: tuple[str, ...]) -> str:
    """`text` of `stage`, with the secret cut off when the scheme puts it there.

    A secret-bearing stage ends with the secret (`...&secret_key=SECRET`), so
    the cut is structural: the stage's last len(secret) characters are
    replaced, and nothing else is touched.
    """
    if stage not in secret_stages:
        return text
    if text.endswith(secret):
        return text[: len(text) - len(secret)] + SECRET_CUT
    return SECRET_CUT


def stages_to_mapping(stages: Stages, secret: str = "", secret_stages: tuple[str, ...] = ()) -> dict[str, str]:
    """The filled stages, in pipeline order; secret-bearing ones cut with `secret_free`."""
    result = {}
    for item in fields(stages):
        value = getattr(stages, item.name)
        if value is not None:
            result[item.name] = secret_free(item.name, value, secret, secret_stages)
    return result


def signed_to_mapping(signed: Signed, secret: str = "", secret_stages: tuple[str, ...] = ()) -> dict[str, Any]:
    """`expected`-shaped mapping of a signed request (the wire carries no secret in any scheme)."""
    return {**stages_to_mapping(signed.stages, secret, secret_stages), "wire": wire_to_mapping(signed.wire)}


def verdict_to_mapping(verdict: Verdict) -> dict[str, Any]:
    """The verdict as `sigvec verify` prints it; the server's rebuilt stages are never printed (they may hold the secret)."""
    if verdict.rejection is None:
        return {"verdict": "accepted", "step": verdict.step}
    rejection = verdict.rejection
    return {
        "verdict": "rejected",
        "code": rejection.code,
        "reason": rejection.reason,
        "step": verdict.step,
        "http_status": rejection.http_status,
        "body": rejection.body,
    }
