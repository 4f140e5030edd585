"""Reading wire requests never raises anything but WireFormatError, whatever arrives."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigvec.wire import WireFormatError, received_from_http, received_from_mapping

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
        received_from_http(raw)


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
        received_from_mapping(data)


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
        received_from_http(raw)
    assert refused.value.field == field


def test_a_lone_surrogate_in_a_header_is_refused_naming_it() -> None:
    with pytest.raises(WireFormatError) as refused:
        received_from_mapping({"method": "GET", "url": "https://x/", "headers": [["A", "\ud800"]], "body": None})
    assert refused.value.field == "wire.headers[0]"
