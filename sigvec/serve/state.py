"""The mock exchange's state: its keys, its clock and its replay store.

Keys are kept per scheme: the corpus's test keys (the credentials of every
vector of the scheme) plus a keys file. The clock is the real time, a fixed time, or the request's own time read
where the scheme's registry entry says its clock travels.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import yaml

from signing.model import Received
from signing.registry import SCHEMES, Carrier
from signing.server import StaticKeys
from sigvec.corpus import Corpus, load_corpus

ALL_SCHEMES = "*"
UNIT_MS = {"ms": 1, "s": 1000}


class ServeError(ValueError):
    """A bad serve setting: one line naming the setting and the rule (never a secret)."""


def corpus_keys(corpus: Corpus) -> dict[str, dict[str, str]]:
    """Each scheme's test keys, from the credentials of its vectors (first secret seen per key)."""
    keys: dict[str, dict[str, str]] = {}
    for vector in corpus.vectors():
        credentials = vector.input.get("credentials") or {}
        api_key, secret = credentials.get("api_key"), credentials.get("secret")
        if isinstance(api_key, str) and isinstance(secret, str):
            keys.setdefault(vector.scheme, {}).setdefault(api_key, secret)
    return keys


@cache
def packaged_test_keys() -> dict[str, dict[str, str]]:
    """The test keys of the corpus in use (read once per process)."""
    return corpus_keys(load_corpus())


def keys_file(path: Path) -> dict[str, dict[str, str]]:
    """Keys from a JSON or YAML file `{scheme or "*": {api_key: secret}}`; `*` gives the keys to every scheme."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ServeError(f"--keys: cannot read {path} ({type(error).__name__})") from None
    except yaml.YAMLError:
        raise ServeError(f"--keys: {path} is not valid JSON or YAML") from None
    if not isinstance(data, Mapping):
        raise ServeError("--keys: must be a mapping of scheme names (or *) to {api_key: secret} mappings")
    keys: dict[str, dict[str, str]] = {}
    for scheme, pairs in data.items():
        if scheme != ALL_SCHEMES and scheme not in SCHEMES:
            raise ServeError(f"--keys: {scheme!r} is not a scheme; known: *, {', '.join(SCHEMES)}")
        if not isinstance(pairs, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs.items()):
            raise ServeError(f"--keys.{scheme}: must map API keys to secrets, both strings")
        for name in SCHEMES if scheme == ALL_SCHEMES else (scheme,):
            keys.setdefault(name, {}).update(pairs)
    return keys


def key_stores(*sources: Mapping[str, Mapping[str, str]]) -> dict[str, StaticKeys]:
    """One key store per scheme; later sources override earlier ones key by key."""
    merged: dict[str, dict[str, str]] = {name: {} for name in SCHEMES}
    for source in sources:
        for scheme, pairs in source.items():
            merged.setdefault(scheme, {}).update(pairs)
    return {scheme: StaticKeys(pairs) for scheme, pairs in merged.items()}


def carried_value(received: Received, carrier: Carrier) -> object:
    """The value `carrier` names in `received`: a header, or a parameter of the query, the form body or the JSON body."""
    if carrier.where == "header":
        return received.header(carrier.name)
    found = parameter(received.query, carrier.name)
    if found is not None or not received.body:
        return found
    body = received.body.decode("utf-8", "replace")
    found = parameter(body, carrier.name)
    if found is not None:
        return found
    try:
        decoded: Any = json.loads(body, parse_float=Decimal)
    except ValueError:
        return None
    return decoded.get(carrier.name) if isinstance(decoded, dict) else None


def parameter(encoded: str, name: str) -> str | None:
    """The first value of parameter `name` in `k=v&k=v` text, decoded (only the value of the match is decoded)."""
    for piece in encoded.split("&"):
        key, _, value = piece.partition("=")
        if unquote_plus(key) == name:
            return unquote_plus(value)
    return None


def request_time_ms(received: Received, carrier: Carrier) -> int | None:
    """The request's own clock in milliseconds, or None when it carries none that is a whole number."""
    value = carried_value(received, carrier)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    text = str(value)
    if not text.isascii() or not text.isdigit():
        return None
    return int(text) * UNIT_MS.get(carrier.unit, 1)


@dataclass(frozen=True)
class Clock:
    """`real`, `fixed` at `fixed_ms`, or `request`: the request's own time (the real time when it carries none)."""

    mode: str
    fixed_ms: int = 0

    def now_ms(self, received: Received, scheme: str) -> int:
        if self.mode == "fixed":
            return self.fixed_ms
        if self.mode == "request":
            claimed = request_time_ms(received, SCHEMES[scheme].clock)
            if claimed is not None:
                return claimed
        return time.time_ns() // 1_000_000


def clock_from_text(text: str) -> Clock:
    """`real`, `fixed:MS` (epoch milliseconds) or `request`."""
    if text in ("real", "request"):
        return Clock(text)
    mode, _, value = text.partition(":")
    if mode == "fixed" and value.isascii() and value.isdigit():
        return Clock("fixed", int(value))
    raise ServeError(f"--clock: must be real, request or fixed:MS (epoch milliseconds); got {text!r}")
