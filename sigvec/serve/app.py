"""The verifying mock exchange on aiohttp's low-level server.

aiohttp's low-level server hands over the request target exactly as sent
(`raw_path`), the headers in order with duplicates as bytes (`raw_headers`)
and the body bytes (the server is built with `auto_decompress=False`, so a
compressed body stays the bytes sent); it decodes nothing the handler does not
ask for. Each
request is routed to a scheme by its first path segment (or by the port it
arrived on), the prefix is dropped, and `signing.registry.verify` decides on
what is left: the exchange's own target, headers and body.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from signing.encoding import compact_json
from signing.http import HttpRequest
from signing.registry import SCHEMES, verify
from signing.server import MemoryReplayStore, ServerContext, StaticKeys, Verdict
from sigvec.codec import verdict_to_mapping, wire_to_mapping
from sigvec.diagnose.examples import Examples
from sigvec.serve.answers import Reply, SchemeAnswers, load_answers
from sigvec.serve.diagnosis import diagnosis_text
from sigvec.serve.state import Clock

DIAGNOSIS_HEADER = "X-Sigvec-Diagnosis"
MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger("sigvec.serve")


@dataclass(frozen=True)
class Arrival:
    """One request the server received and what it answered.

    `seq` counts from 1 in the order requests were fully received (body
    included), which is the order observers see them in.

    `scheme` and `verdict` are None when the request named no scheme; `verdict`
    is also None when the body was too large or too slow to read.
    """

    seq: int
    time_ms: int
    scheme: str | None
    received: HttpRequest
    verdict: Verdict | None
    status: int
    body: str
    diagnosis: str | None

    def to_mapping(self) -> dict[str, Any]:
        """The record line (`schemas/record.json`): the request in the wire form, verdict, answer, diagnosis.
        A body that is not UTF-8 is also written exactly, in base64. Stages that carry the secret are left out."""
        received = self.received
        try:
            received.body.decode("utf-8")
            exact_body: dict[str, Any] = {}
        except UnicodeDecodeError:
            exact_body = {"request_body_base64": base64.b64encode(received.body).decode("ascii")}
        return {
            "seq": self.seq,
            "time_ms": self.time_ms,
            "scheme": self.scheme,
            "request": wire_to_mapping(received),
            **exact_body,
            "verdict": None if self.verdict is None else verdict_mapping(self.verdict, self.scheme),
            "answer": {"status": self.status, "body": self.body},
            "diagnosis": self.diagnosis,
        }


def verdict_mapping(verdict: Verdict, scheme: str | None) -> dict[str, Any]:
    """The verdict as `sigvec verify` prints it, plus the server's rebuilt stages but those that carry the secret."""
    hidden = SCHEMES[scheme].secret_stages if scheme in SCHEMES else ()
    rebuilt = verdict.stages.to_mapping() if verdict.stages else {}
    return {**verdict_to_mapping(verdict), "stages": {name: value for name, value in rebuilt.items() if name not in hidden}}


def header_safe(text: str) -> str:
    """`text` as one header line: printable ASCII, anything else shown as `?`."""
    return "".join(char if " " <= char <= "~" else "?" for char in text)


def own_answer(status: int, message: str, **extra: Any) -> Reply:
    """An answer of sigvec's own (no exchange gives one): no scheme named, body too large or too slow."""
    return Reply(status, compact_json({"sigvec": message, **extra}))


@dataclass
class ServeState:
    """Everything a request is checked against, shared by every connection."""

    keys: Mapping[str, StaticKeys]
    clock: Clock
    replay: Mapping[str, MemoryReplayStore]
    """One replay store per scheme, so that one scheme's traffic never touches another's nonces."""
    answers: Mapping[str, SchemeAnswers] = field(default_factory=load_answers)
    max_body: int = MAX_BODY_BYTES
    body_timeout: float = 10.0
    errors: int = 0
    sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    examples: Examples | None = None
    """The example vectors diagnoses cite; None: rejections are not diagnosed (see `Settings.examples`)."""
    pinned: Mapping[str, ServerContext] = field(default_factory=dict)
    """Per scheme, a fixed server state (time, keys, replay store) that replaces the clock, keys and replay
    store above for that scheme's requests: the gate's capture mode pins each vector's own."""


Observer = Callable[[Arrival], None]


def route(path: str) -> tuple[str | None, str]:
    """The scheme named by the first segment of `path`, and the path without it (`/` when nothing is left)."""
    first, slash, rest = path[1:].partition("/")
    if first in SCHEMES:
        return first, slash + rest or "/"
    return None, path


def received_from(request: web.BaseRequest, body: bytes) -> HttpRequest:
    """The request exactly as it arrived: raw target, headers in order with duplicates, body bytes."""
    headers = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in request.raw_headers)
    return HttpRequest(request.method, request.raw_path, headers, body)


class BodyTimeout(Exception):
    """The body did not arrive in time."""


async def read_body(request: web.BaseRequest, state: ServeState) -> bytes | Reply:
    """The body bytes, or the answer that cuts the request off: 413 when too large, 408 when too slow.

    The deadline is a timer that fails the body stream, which costs no task per
    request (`asyncio.wait_for` would make one).
    """
    if not request.can_read_body:
        return b""
    if request.content_length is not None and request.content_length > state.max_body:
        return own_answer(413, "request body too large", limit_bytes=state.max_body)
    deadline = asyncio.get_running_loop().call_later(state.body_timeout, request.content.set_exception, BodyTimeout())
    try:
        body = await read_at_most(request, state.max_body)
    except BodyTimeout:
        return own_answer(408, "request body not received in time", timeout_seconds=state.body_timeout)
    finally:
        deadline.cancel()
    return own_answer(413, "request body too large", limit_bytes=state.max_body) if body is None else body


async def read_at_most(request: web.BaseRequest, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` bytes (a chunked body has no length to check first)."""
    chunks, size = [], 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def decide(state: ServeState, scheme: str, received: HttpRequest) -> tuple[Verdict, Reply, str | None, int]:
    """Verify `received` as `scheme`'s server does and choose the answer: native rejection, success or not-found."""
    context = state.pinned.get(scheme) or ServerContext(
        state.clock.now_ms(received, scheme), state.keys[scheme], state.replay[scheme]
    )
    verdict = verify(received, context, scheme)
    if verdict.rejection is not None:
        answer = Reply(verdict.rejection.http_status, verdict.rejection.body)
    else:
        answer = state.answers[scheme].for_accepted(received.method, received.path)
    diagnosis = None if state.examples is None else diagnosis_text(received, scheme, context, verdict, state.examples)
    return verdict, answer, diagnosis, context.now_ms


def handler(state: ServeState, observers: list[Observer], fixed_scheme: str | None) -> Callable[[web.BaseRequest], Any]:
    """The request handler: routes, verifies, answers and tells every observer; `fixed_scheme` serves one scheme unprefixed."""

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        try:
            return await answer_request(request)
        except Exception:
            state.errors += 1
            log.exception("sigvec serve: unhandled error")
            raise

    async def answer_request(request: web.BaseRequest) -> web.StreamResponse:
        body = await read_body(request, state)
        received = received_from(request, body if isinstance(body, bytes) else b"")
        if not fixed_scheme:
            scheme, path = route(received.path)
            received = received.with_origin(path=path)
        else:
            scheme = fixed_scheme
        verdict, diagnosis = None, None
        if scheme is None:
            answer = own_answer(404, "no scheme named by the first path segment", schemes=list(SCHEMES))
            now_ms = time.time_ns() // 1_000_000
        elif isinstance(body, Reply):
            answer, now_ms = body, state.clock.now_ms(received, scheme)
        else:
            verdict, answer, diagnosis, now_ms = decide(state, scheme, received)
        arrival = Arrival(next(state.sequence), now_ms, scheme, received, verdict, answer.status, answer.body, diagnosis)
        for observer in observers:
            observer(arrival)
        headers = {DIAGNOSIS_HEADER: header_safe(diagnosis)} if diagnosis else {}
        response = web.Response(status=answer.status, body=answer.body.encode("utf-8"), headers=headers,
                                content_type="application/json")
        if isinstance(body, Reply):
            response.force_close()
        return response

    return handle

