"""No request makes a verifier raise: each crash class found by fuzzing gets the exchange's own answer.

The crash classes are those of issue 7 (section 3): JSON nested past the
parser's recursion, integers `int()` refuses, `²` and other non-ASCII digits,
IPv6-looking and bracket-laden text, lone surrogates, bodies that are not
UTF-8, missing and duplicated headers, and values of 1 MB.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signing.http import HttpRequest
from signing.registry import SCHEMES, verify
from signing.server import ServerContext
from sigvec.corpus import Vector
from tests.support.server import accepted_vector, signed_wire

MEGABYTE = 1 << 20
EXAMPLES_PER_SCHEME = 150


def accepted(scheme: str) -> tuple[Vector, HttpRequest, ServerContext]:
    """The scheme's first vector whose signed request is accepted, as received, with a server that knows its key."""
    vector = accepted_vector(scheme)
    wire, context = signed_wire(vector)
    return vector, wire, context


BASES = {scheme: accepted(scheme) for scheme in SCHEMES}


def every_header(value: str) -> Callable[[HttpRequest], HttpRequest]:
    return lambda received: replace(received, headers=tuple((name, value) for name, _ in received.headers))


def every_query_value(value: str) -> Callable[[HttpRequest], HttpRequest]:
    def change(received: HttpRequest) -> HttpRequest:
        pieces = [piece.partition("=")[0] + "=" + value for piece in received.query.split("&")]
        return received.with_origin(query="&".join(pieces) if received.query else f"x={value}")

    return change


CRASH_CLASSES: dict[str, Callable[[HttpRequest], HttpRequest]] = {
    "5000-digit header values": every_header("9" * 5000),
    "superscript digit header values": every_header("²"),
    "arabic-indic digit header values": every_header("١٢٣"),
    "lone surrogate header values": every_header("\ud800"),
    "5000-digit query values": every_query_value("9" * 5000),
    "superscript digit query values": every_query_value("²"),
    "IPv6-looking path": lambda r: r.with_origin(path="//[::1"),
    "IPv6-looking query": lambda r: r.with_origin(query="http://[::1]:99999/"),
    "bracket-nested query keys": lambda r: r.with_origin(query="a" + "[b]" * 5000 + "=1"),
    "lone surrogate in the query": lambda r: r.with_origin(query=r.query + "&x=\udfff"),
    "body that is not UTF-8": lambda r: replace(r, body=b"\xff\xfe\xc3"),
    "JSON body nested 100,000 deep": lambda r: replace(r, body=b"[" * 100_000 + b"]" * 100_000),
    "JSON body with a 5000-digit integer": lambda r: replace(r, body=b'{"a":' + b"1" * 5000 + b"}"),
    "no headers": lambda r: replace(r, headers=()),
    "every header twice": lambda r: replace(r, headers=r.headers + r.headers),
    "1 MB query": lambda r: r.with_origin(query="x=" + "%41" * (MEGABYTE // 3)),
    "1 MB header values": every_header("x" * MEGABYTE),
    "1 MB body": lambda r: replace(r, body=b'{"a":"' + b"x" * MEGABYTE + b'"}'),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("crash_class", sorted(CRASH_CLASSES))
def test_each_crash_class_gets_the_exchanges_own_answer(scheme: str, crash_class: str) -> None:
    _, received, context = BASES[scheme]
    verdict = verify(CRASH_CLASSES[crash_class](received), context, scheme)
    if verdict.rejection is not None:
        assert isinstance(json.loads(verdict.rejection.body), dict)


def signed_max_payload(payload: bytes) -> HttpRequest:
    """A MAX request whose payload header is `payload` (base64), correctly signed, so decoding is reached."""
    _, received, context = BASES["max-v2"]
    text = base64.b64encode(payload).decode()
    api_key = received.header("X-MAX-ACCESSKEY") or ""
    secret = context.keys.secret(api_key) or ""
    signature = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    headers = (("X-MAX-ACCESSKEY", api_key), ("X-MAX-PAYLOAD", text), ("X-MAX-SIGNATURE", signature))
    return replace(received, headers=headers)


UNDECODABLE_PAYLOADS = [
    b"[" * 5000,
    b"[" * 100 + b"]" * 100,
    b'{"nonce":' + b"1" * 4500 + b"}",
    b'{"nonce":1e999999999}',
    b'{"a":"\\ud800"}',
]


@pytest.mark.parametrize("payload", UNDECODABLE_PAYLOADS)
def test_a_signed_max_payload_that_cannot_be_decoded_is_2015_or_2007(payload: bytes) -> None:
    _, _, context = BASES["max-v2"]
    rejection = verify(signed_max_payload(payload), context, "max-v2").rejection
    assert rejection is not None and rejection.code in (2015, 2007)


def hostile_requests(scheme: str) -> st.SearchStrategy[HttpRequest]:
    """Requests built around the scheme's accepted one: real and hostile header values, queries and bodies."""
    _, base, _ = BASES[scheme]
    texts = st.one_of(st.text(max_size=40), st.sampled_from(["²", "9" * 5000, "0", "\ud800", "[", "%ff", "-1"]))
    header_names = st.sampled_from([*SCHEMES[scheme].headers, *(name for name, _ in base.headers)])
    real_values = st.sampled_from([value for _, value in base.headers] or [""])
    headers = st.lists(st.tuples(header_names, st.one_of(texts, real_values)), max_size=8)
    paths = st.one_of(st.just(base.path), texts.map(lambda text: "/" + text))
    queries = st.one_of(st.just(base.query), texts, st.builds(lambda a, b: f"{a}={b}&{base.query}", texts, texts))
    return st.builds(
        HttpRequest,
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", ""]),
        target=st.builds(lambda path, query: f"{path}?{query}" if query else path, paths, queries),
        headers=st.one_of(st.just(base.headers), headers, headers.map(lambda extra: base.headers + tuple(extra))),
        body=st.one_of(st.just(base.body), st.binary(max_size=60), texts.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    )


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_no_generated_request_makes_the_verifier_raise(scheme: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, context = BASES[scheme]
    ran = 0

    @settings(max_examples=EXAMPLES_PER_SCHEME, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile_requests(scheme))
    def never_raises(received: HttpRequest) -> None:
        nonlocal ran
        ran += 1
        verify(received, context, scheme)

    never_raises()
    with capsys.disabled():
        print(f"\n{scheme}: {ran} generated requests verified without an exception", end="")
    assert ran >= EXAMPLES_PER_SCHEME // 2
