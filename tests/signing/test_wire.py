"""Reading wire requests never raises anything but WireFormatError, whatever arrives."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing.http import HttpRequest
from sigvec.codec import wire_from_mapping, wire_to_mapping
from sigvec.gate.protocol import read_sign_reply
from sigvec.wire import WireFormatError, request_from_http

HTTP_PIECES = st.sampled_from(
    [
        b"GET ",
        b"POST ",
        b"PATCH ",
        b"/",
        b"/a?b=c",
        b"http://[::1/",
        b" HTTP/1.1",
        b"\r\n",
        b"\n",
        b"\r\n\r\n",
        b": ",
        b"X-A",
        b"Content-Length: ",
        b"9" * 40,
        b"\xff",
        b"\x00",
        b"\xed\xa0\x80",
        b"12",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(HTTP_PIECES, st.binary(max_size=8)), max_size=30).map(b"".join))
def test_raw_http_is_read_or_refused_with_a_wire_format_error(raw: bytes) -> None:
    with contextlib.suppress(WireFormatError):
        request_from_http(raw)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "method": st.sampled_from(["GET", "POST", "PATCH", ""]) | JSONISH,
            "url": st.text(max_size=30) | JSONISH,
            "headers": JSONISH,
            "body": st.text(max_size=20) | JSONISH,
        },
    )
    | JSONISH
)
def test_the_json_wire_form_is_read_or_refused_with_a_wire_format_error(data: object) -> None:
    with contextlib.suppress(WireFormatError):
        wire_from_mapping(data)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"GET / HTTP/1.1\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", "http.Content-Length"),
        (b"GET / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort", "http.body"),
        (b"PATCH / HTTP/1.1\r\n\r\n", "http.method"),
        (b"GET /\r\n\r\n", "http.request_line"),
    ],
)
def test_malformed_http_names_the_part(raw: bytes, field: str) -> None:
    with pytest.raises(WireFormatError) as refused:
        request_from_http(raw)
    assert refused.value.field == field


def test_a_lone_surrogate_in_a_header_is_refused_naming_it() -> None:
    with pytest.raises(WireFormatError) as refused:
        wire_from_mapping({"method": "GET", "url": "https://x/", "headers": {"B": "b", "A": "\ud800"}, "body": None})
    assert refused.value.field == "wire.headers[1]"


PAIRS = {"method": "GET", "url": "https://x/", "headers": [["A", "1"], ["A", "2"]], "body": None}


def test_the_wire_form_writes_headers_as_a_mapping_and_refuses_pairs_outside_the_protocol_edge() -> None:
    with pytest.raises(WireFormatError) as refused:
        wire_from_mapping(PAIRS)
    assert refused.value.field == "wire.headers"


def test_a_harness_reply_may_give_headers_as_pairs_which_keep_order_and_duplicates() -> None:
    request = wire_from_mapping(PAIRS, header_pairs_allowed=True)
    assert request.headers == (("A", "1"), ("A", "2"))
    assert read_sign_reply({"seq": 1, "wire": PAIRS}, 1).wire == PAIRS


def test_a_repeated_header_is_written_once_with_its_values_joined_in_order() -> None:
    request = HttpRequest("GET", "https://x/", (("A", "1"), ("B", "b"), ("A", "2")))
    assert wire_to_mapping(request)["headers"] == {"A": "1, 2", "B": "b"}


def test_the_wire_form_reads_back_what_it_writes() -> None:
    request = HttpRequest.from_text("POST", "https://x/p?q=1", (("A", "1"),), '{"a":1}')
    assert wire_from_mapping(wire_to_mapping(request)) == request
