"""Calling a verifier as a server would, from a test: a wire request, one key pair, a clock."""

from __future__ import annotations

from signing.model import Credentials, Rejection, WireRequest, received_from_wire
from signing.registry import Verifier
from signing.server import ReplayStore, ServerContext, StaticKeys, Verdict


def context_for(credentials: Credentials, now_ms: int, replay: ReplayStore | None = None) -> ServerContext:
    """A server that knows exactly one key pair."""
    return ServerContext(now_ms, StaticKeys({credentials.api_key: credentials.secret}), replay)


def verdict_of(
    verifier: Verifier, wire: WireRequest, credentials: Credentials, now_ms: int, replay: ReplayStore | None = None
) -> Verdict:
    return verifier(received_from_wire(wire), context_for(credentials, now_ms, replay))


def rejection_of(
    verifier: Verifier, wire: WireRequest, credentials: Credentials, now_ms: int, replay: ReplayStore | None = None
) -> Rejection | None:
    return verdict_of(verifier, wire, credentials, now_ms, replay).rejection
