"""`sigvec verify`: check one wire request the way the exchange's server does, and say why.

The request is the JSON wire form (`{method, url, headers, body}`, as in a
vector's `expected.wire`) or raw HTTP/1.1 bytes. Secrets never come from the
command line (`sigvec.keys`: `--secret-env VAR`, or a key file naming one
environment variable per API key). Without `--server-time`
the server clock is the request's own clock value, read from where the
scheme's registry entry says it travels (`Scheme.clock`), so only the
signature and consistency checks can fail.
"""

from __future__ import annotations

from collections.abc import Mapping

from signing.http import HttpRequest
from signing.registry import scheme_named, verify
from signing.server import MemoryReplayStore, ServerContext, Verdict
from sigvec.keys import KeySource, read_request, request_clock


class VerifierCrash(Exception):
    """The verifier raised instead of answering: a defect of the reference, reported on one line."""


def guarded_verify(received: HttpRequest, context: ServerContext, scheme: str) -> Verdict:
    """`verify`, with any exception turned into `VerifierCrash` naming its type (a verifier must never raise)."""
    try:
        return verify(received, context, scheme)
    except Exception as error:
        raise VerifierCrash(f"verifier raised {type(error).__name__} instead of answering") from None


def verify_request(
    raw: bytes, scheme_name: str, keys: KeySource, environ: Mapping[str, str], server_time: int | None, http: bool
) -> Verdict:
    """Read `raw`, and check it as `scheme_name`'s server does at `server_time` (default: the request's clock)."""
    scheme = scheme_named(scheme_name)
    received = read_request(raw, http)
    now = server_time if server_time is not None else request_clock(received, scheme)
    context = ServerContext(now, keys.secrets(environ), MemoryReplayStore())
    return guarded_verify(received, context, scheme.name)
