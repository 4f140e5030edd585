"""Calling a verifier as a server would, from a test: a wire request, one key pair, a clock."""

from __future__ import annotations

from signing.http import HttpRequest
from signing.model import Credentials, Rejection, request_from_mapping
from signing.registry import Verifier, sign, verify
from signing.server import MemoryReplayStore, ReplayStore, ServerContext, StaticKeys, Verdict
from sigvec.corpus import Vector
from tests.support.corpus import repo_vectors

OTHER_KEYS = {"someone-else": "another-secret"}


def context_for(credentials: Credentials, now_ms: int, replay: ReplayStore | None = None) -> ServerContext:
    """A server that knows exactly one key pair."""
    return ServerContext(now_ms, StaticKeys({credentials.api_key: credentials.secret}), replay)


def verdict_of(
    verifier: Verifier, wire: HttpRequest, credentials: Credentials, now_ms: int, replay: ReplayStore | None = None
) -> Verdict:
    return verifier(wire, context_for(credentials, now_ms, replay))


def rejection_of(
    verifier: Verifier, wire: HttpRequest, credentials: Credentials, now_ms: int, replay: ReplayStore | None = None
) -> Rejection | None:
    return verdict_of(verifier, wire, credentials, now_ms, replay).rejection


def signed_wire(vector: Vector) -> tuple[HttpRequest, ServerContext]:
    """The reference's request for `vector`, and a server at its clock that holds its key among others, with a replay store."""
    request = request_from_mapping(vector.input)
    keys = StaticKeys({**OTHER_KEYS, request.credentials.api_key: request.credentials.secret})
    assert vector.server_time is not None
    return sign(request).wire, ServerContext(vector.server_time, keys, MemoryReplayStore())


def accepted_vector(scheme: str) -> Vector:
    """The scheme's first vector whose signed request its verifier accepts (some schemes have only `acceptable` ones)."""
    for vector in repo_vectors():
        if vector.scheme == scheme and vector.result != "invalid":
            wire, context = signed_wire(vector)
            if verify(wire, context, scheme).accepted:
                return vector
    raise AssertionError(f"{scheme} has no vector its verifier accepts")
