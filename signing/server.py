"""What a verifier needs from the server it runs in: keys, a clock, a replay store.

A verifier is pure: it takes the `HttpRequest` request and a `ServerContext` and
returns a `Verdict`. The context carries the server's state: the time now, a
key lookup, and (where the exchange documents one-time nonces) a replay store.
The mock server owns that state; tests build it by hand.
"""

from __future__ import annotations

import heapq
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal, Protocol

from signing.encoding import split_pairs
from signing.http import MAX_CLOCK_DIGITS, MAX_FORM_CHARS, MAX_HEADER_CHARS, MAX_PARAMS, MAX_TARGET_CHARS, HttpRequest
from signing.model import Rejection, Stages, is_text

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


ReplayOutcome = Literal["new", "seen", "full"]
"""What a replay store says of a nonce: `new` (recorded now), `seen` (live already: a replay), or `full` (the
nonce's space holds its maximum of live nonces: the request is refused, and nothing is forgotten to make room)."""


class ReplayStore(Protocol):
    def record(self, scope: str, nonce: str, now_ms: int, ttl_ms: int) -> ReplayOutcome:
        """Record `nonce` under `scope` (an API key) for `ttl_ms`, unless it is live there already or the space is full."""


REPLAY_ENTRIES_PER_SPACE = 10_000
"""The most live nonces one space (one API key) holds: a client signing 160 requests a second, every second of the
longest time to live (Peatio's 61 s), stays under it."""
REPLAY_SPACES = 100
"""The most spaces (API keys) one store holds live nonces for at once; a new key past it is refused like a full space."""
REPLAY_BYTES_PER_ENTRY = 240
"""Memory one live entry costs, measured with `tracemalloc` on CPython 3.11 for a 13-digit nonce (236 bytes: its text,
its dict slot and its heap item): a full space is about 2.4 MB, a full store at most about 240 MB."""


class _Space:
    """One key's live nonces: nonce -> expiry, and a heap of (expiry, nonce) to drop them when they expire."""

    __slots__ = ("expiry", "queue")

    def __init__(self) -> None:
        self.expiry: dict[str, int] = {}
        self.queue: list[tuple[int, str]] = []

    def expire(self, now_ms: int) -> None:
        while self.queue and self.queue[0][0] <= now_ms:
            expires, nonce = heapq.heappop(self.queue)
            if self.expiry.get(nonce) == expires:
                del self.expiry[nonce]


class MemoryReplayStore:
    """A thread-safe, bounded, in-memory replay store that fails closed.

    Each scope (an API key) has its own space of at most `entries_per_space`
    live nonces, and at most `spaces` scopes hold live nonces at once. Entries
    expire `ttl_ms` after they were recorded, measured on the clock the caller
    passes in (never a clock of its own). A live nonce is never dropped to make
    room: when its space (or the store) is full, `record` answers `full` and
    the verifier refuses the request. So requests under one key can only ever
    crowd out that key's own new requests, never make another key's nonce
    replayable, and memory stays bounded whatever the traffic
    (`REPLAY_BYTES_PER_ENTRY` a live entry). A server keeps one store per
    scheme, so no scheme's traffic touches another's.
    """

    def __init__(self, entries_per_space: int = REPLAY_ENTRIES_PER_SPACE, spaces: int = REPLAY_SPACES) -> None:
        self._lock = threading.Lock()
        self._spaces: dict[str, _Space] = {}
        self._entries_per_space = entries_per_space
        self._max_spaces = spaces

    def __len__(self) -> int:
        with self._lock:
            return sum(len(space.expiry) for space in self._spaces.values())

    def record(self, scope: str, nonce: str, now_ms: int, ttl_ms: int) -> ReplayOutcome:
        with self._lock:
            space = self._spaces.get(scope)
            if space is None:
                if len(self._spaces) >= self._max_spaces:
                    self._drop_expired_spaces(now_ms)
                if len(self._spaces) >= self._max_spaces:
                    return "full"
                space = self._spaces[scope] = _Space()
            space.expire(now_ms)
            if space.expiry.get(nonce, now_ms) > now_ms:
                return "seen"
            if len(space.expiry) >= self._entries_per_space:
                return "full"
            space.expiry[nonce] = now_ms + ttl_ms
            heapq.heappush(space.queue, (now_ms + ttl_ms, nonce))
            return "new"

    def _drop_expired_spaces(self, now_ms: int) -> None:
        for scope, space in list(self._spaces.items()):
            space.expire(now_ms)
            if not space.expiry:
                del self._spaces[scope]


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


# --- reading what arrived: untrusted text, read without raising ---------------------

def well_formed(received: HttpRequest) -> bool:
    """Is every part of `received` text a server reads: UTF-8 throughout, no lone surrogates, within the size limits?

    A server decodes the target, the headers and the body as UTF-8 before it
    parses them; bytes that are not UTF-8 (or a lone surrogate smuggled into
    the text) are a malformed request, and so is a request target longer than
    `MAX_TARGET_CHARS` or a header value longer than `MAX_HEADER_CHARS` (a web
    server answers 414 or 400 before the application sees them). Each is
    answered with the exchange's parameter error before any signature is
    computed. Bodies are not bounded here: a JSON body of 1 MB is read.
    """
    if len(received.path) + len(received.query) > MAX_TARGET_CHARS:
        return False
    if any(len(value) > MAX_HEADER_CHARS for _, value in received.headers):
        return False
    if not is_text("".join([received.method, received.path, received.query, *chain.from_iterable(received.headers)])):
        return False
    try:
        received.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def body_text(received: HttpRequest) -> str:
    """The body as text; call only on a `well_formed` request."""
    return received.body.decode("utf-8")


def sole_header(received: HttpRequest, name: str) -> str | None:
    """A header sent exactly once, else None.

    Servers disagree on a repeated header (first wins, last wins, or joined
    with commas), so an auth header sent twice is treated as not sent at all:
    the request is refused rather than read one way of several.
    """
    values = received.header_values(name)
    return values[0] if len(values) == 1 else None


def clock_value(text: str | None, canonical: bool = False) -> int | None:
    """A clock or window value: ASCII digits only, at most `MAX_CLOCK_DIGITS`, else None.

    `str.isdigit` alone accepts `²` and Arabic-Indic digits, which `int()`
    then refuses or reads; `int()` of thousands of digits raises. With
    `canonical`, a leading zero is refused too, so that each number has one
    text form.
    """
    if text is None or not 0 < len(text) <= MAX_CLOCK_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    if canonical and len(text) > 1 and text[0] == "0":
        return None
    return int(text)


def signatures_match(sent: str | None, expected: str) -> bool:
    """Constant-time comparison (`hmac.compare_digest`) of the signature sent with the one rebuilt.

    Both sides are compared as bytes, since `compare_digest` refuses non-ASCII `str`.
    """
    if sent is None:
        return False
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))



def record_nonce(context: ServerContext, scope: str, nonce: str, ttl_ms: int) -> ReplayOutcome:
    """Record `nonce` under `scope` in the context's replay store (see `ReplayOutcome`).

    A context without a replay store (a one-shot check) treats every nonce as new.
    """
    return "new" if context.replay is None else context.replay.record(scope, nonce, context.now_ms, ttl_ms)


def received_pairs(encoded: str) -> tuple[tuple[str, str], ...] | None:
    """A received query or form body as decoded pairs (`split_pairs`), or None past `MAX_PARAMS` or `MAX_FORM_CHARS`.

    Servers cap the parameters they parse (Jetty 1000 keys and 200,000 bytes,
    Tomcat 10000 keys, Rack's key space limit), so that one request cannot make
    them decode millions of pairs; a request over a cap is answered with the
    parameter error.
    """
    if len(encoded) > MAX_FORM_CHARS or encoded.count("&") >= MAX_PARAMS:
        return None
    return split_pairs(encoded)
