"""`sigvec explain`: diagnose one captured request with no vector; its parameters are read from the wire."""

from __future__ import annotations

from signing.registry import scheme_named
from signing.server import KeyStore, MemoryReplayStore, ServerContext
from sigvec.diagnose.engine import diagnose
from sigvec.diagnose.examples import Examples
from sigvec.diagnose.result import Diagnosis
from sigvec.keys import read_request, request_clock


def explain(raw: bytes, scheme_name: str, keys: KeyStore, server_time: int | None, http: bool, examples: Examples) -> Diagnosis:
    """Read `raw` (JSON wire form, or raw HTTP with `http`) and diagnose it at `server_time` (default: its own clock)."""
    scheme = scheme_named(scheme_name)
    received = read_request(raw, http)
    now = server_time if server_time is not None else request_clock(received, scheme)
    return diagnose(received, scheme.name, ServerContext(now, keys, MemoryReplayStore()), examples=examples)
