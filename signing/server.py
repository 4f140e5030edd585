"""What a verifier needs from the server it runs in: keys, a clock, a replay store.

A verifier is pure: it takes the `Received` request and a `ServerContext` and
returns a `Verdict`. The context carries the server's state: the time now, a
key lookup, and (where the exchange documents one-time nonces) a replay store.
The mock server owns that state; tests build it by hand.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from signing.model import Rejection, Stages

Step = Literal["request", "key", "window", "replay", "consistency", "signature"]
"""The check that decided a rejection, in the order a server usually runs them:
`request` (malformed or missing auth fields), `key` (unknown API key), `window`
(clock or validity window), `replay` (a nonce seen before), `consistency` (the
signed content disagrees with the request, e.g. MAX 2014), `signature`."""

STEPS: tuple[Step, ...] = ("request", "key", "window", "replay", "consistency", "signature")


class KeyStore(Protocol):
    def secret(self, api_key: str) -> str | None:
        """The secret of `api_key`, or None when the key is unknown."""


@dataclass(frozen=True)
class StaticKeys:
    """A fixed API key to secret mapping."""

    secrets: Mapping[str, str] = field(repr=False)

    def secret(self, api_key: str) -> str | None:
        return self.secrets.get(api_key)


class ReplayStore(Protocol):
    def first_use(self, scope: str, nonce: str, now_ms: int, ttl_ms: int) -> bool:
        """Record `nonce` under `scope` (an API key) for `ttl_ms`; False if it is already recorded and live."""


class MemoryReplayStore:
    """A thread-safe, bounded, in-memory replay store.

    Entries expire `ttl_ms` after they were recorded, measured on the clock the
    caller passes in (never a clock of its own). When `max_entries` live
    entries are held, the one closest to expiry is dropped first, so memory
    stays bounded whatever the traffic; a dropped nonce could be replayed,
    which a bound this large makes unreachable within one window in practice.
    """

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._lock = threading.Lock()
        self._expiry: dict[tuple[str, str], int] = {}
        self._queue: list[tuple[int, str, str]] = []
        self._max_entries = max_entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def first_use(self, scope: str, nonce: str, now_ms: int, ttl_ms: int) -> bool:
        key = (scope, nonce)
        with self._lock:
            self._expire(now_ms)
            if self._expiry.get(key, now_ms) > now_ms:
                return False
            while len(self._expiry) >= self._max_entries:
                _, old_scope, old_nonce = heapq.heappop(self._queue)
                self._expiry.pop((old_scope, old_nonce), None)
            self._expiry[key] = now_ms + ttl_ms
            heapq.heappush(self._queue, (now_ms + ttl_ms, scope, nonce))
            return True

    def _expire(self, now_ms: int) -> None:
        while self._queue and self._queue[0][0] <= now_ms:
            expires, scope, nonce = heapq.heappop(self._queue)
            if self._expiry.get((scope, nonce)) == expires:
                del self._expiry[(scope, nonce)]


@dataclass(frozen=True)
class ServerContext:
    """The server's state at the moment it checks one request."""

    now_ms: int
    keys: KeyStore
    replay: ReplayStore | None = None


@dataclass(frozen=True)
class Verdict:
    """What the server decided, the check that decided it, and the stages it rebuilt to get there.

    `stages` holds the server's own string to sign and expected signature
    wherever the verifier got that far; diagnosis compares them with the
    client's. A scheme whose string to sign carries the secret declares that
    stage in the registry (`secret_stages`), and nothing prints it unredacted.
    """

    rejection: Rejection | None
    step: Step | None = None
    stages: Stages | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


def accept(stages: Stages | None = None) -> Verdict:
    return Verdict(None, None, stages)


def reject(rejection: Rejection, step: Step, stages: Stages | None = None) -> Verdict:
    return Verdict(rejection, step, stages)
