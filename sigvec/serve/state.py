"""The mock exchange's state: its keys, its clock and its replay store.

Keys are kept per scheme: the corpus's test keys (the credentials of every
vector of the scheme) plus the keys of a key file (`sigvec.keys`, the format
`verify` and `explain` read), known to every scheme. The clock is the real
time, a fixed time, or the request's own time read where the scheme's registry
entry says its clock travels (`sigvec.wire.request_time_ms`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from signing.http import HttpRequest
from signing.registry import SCHEMES
from signing.server import StaticKeys
from sigvec.corpus import Corpus
from sigvec.wire import request_time_ms


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


def key_stores(test_keys: Mapping[str, Mapping[str, str]], shared: Mapping[str, str]) -> dict[str, StaticKeys]:
    """One key store per scheme: the scheme's test keys, then the `shared` keys (known to every scheme) over them."""
    return {scheme: StaticKeys({**test_keys.get(scheme, {}), **shared}) for scheme in SCHEMES}


@dataclass(frozen=True)
class Clock:
    """`real`, `fixed` at `fixed_ms`, or `request`: the request's own time (the real time when it carries none)."""

    mode: str
    fixed_ms: int = 0

    def now_ms(self, received: HttpRequest, scheme: str) -> int:
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
