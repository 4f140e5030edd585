"""Hypothesis properties of CoinEx and Bitunix signing: what must and must not change a signature."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing.http import HttpRequest
from signing.model import Request, Signed, SigningError, request_from_mapping
from signing.registry import scheme_named, sign
from signing.server import ServerContext, StaticKeys

COINEX_KEY = {"api_key": "TESTCOINEXACCESSID0001", "secret": "TESTCOINEXSECRETKEY00000000000001"}
BITUNIX_KEY = {"api_key": "yourApiKey", "secret": "yourSecretKey"}
CLOCK = 1700490703564
NONCE = "5d2a1c3e8f7b4a6c9e0d1f2a3b4c5d6e"
RESERVED = {"access_id", "tonce", "timestamp"}
UNSIGNED_HEADERS = {"content-type", "x-coinex-windowtime"}

keys = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=8).filter(lambda key: key not in RESERVED)
values = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)
latin1_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=10)
params = st.lists(st.tuples(keys, values), max_size=5, unique_by=lambda pair: pair[0])
two_or_more = st.lists(st.tuples(keys, values), min_size=2, max_size=5, unique_by=lambda pair: pair[0])
objects = st.dictionaries(keys, latin1_values, min_size=1, max_size=4)
schemes = st.sampled_from(["coinex-v2", "coinex-v2-sha256-legacy", "coinex-v1", "coinex-perpetual-v1", "bitunix"])


def pairs_of(items: list[tuple[str, str]]) -> list[list[str]]:
    return [list(pair) for pair in items]


def coinex_v2(query: list[tuple[str, str]], body: str | None = None, scheme: str = "coinex-v2") -> Request:
    data: dict[str, object] = {
        "scheme": scheme,
        "credentials": COINEX_KEY,
        "method": "POST" if body is not None else "GET",
        "path": "/v2/spot/order",
        "query": pairs_of(query),
        "timestamp": CLOCK,
    }
    if body is not None:
        data["body"] = {"json_text": body}
    return request_from_mapping(data)


def bitunix(query: list[tuple[str, str]], body: str | None = None) -> Request:
    data: dict[str, object] = {
        "scheme": "bitunix",
        "credentials": BITUNIX_KEY,
        "method": "POST" if body is not None else "GET",
        "path": "/api/v1/futures/trade/get_history_orders",
        "query": pairs_of(query),
        "timestamp": CLOCK,
        "nonce": NONCE,
    }
    if body is not None:
        data["body"] = {"json_text": body}
    return request_from_mapping(data)


def legacy(scheme: str, query: list[tuple[str, str]]) -> Request:
    """A coinex-v1 GET (access_id and tonce added) or a coinex-perpetual-v1 GET (timestamp added)."""
    added = (
        [("access_id", COINEX_KEY["api_key"]), ("tonce", str(CLOCK))] if scheme == "coinex-v1" else [("timestamp", str(CLOCK))]
    )
    return request_from_mapping(
        {
            "scheme": scheme,
            "credentials": COINEX_KEY,
            "method": "GET",
            "path": "/v1/order/pending" if scheme == "coinex-v1" else "/perpetual/v1/order/pending",
            "query": pairs_of([*query, *added]),
            "timestamp": CLOCK,
        }
    )


def any_request(scheme: str, query: list[tuple[str, str]]) -> Request:
    if scheme in ("coinex-v1", "coinex-perpetual-v1"):
        return legacy(scheme, query)
    return bitunix(query) if scheme == "bitunix" else coinex_v2(query, scheme=scheme)


def rotated(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*items[1:], items[0]]


@given(two_or_more)
def test_coinex_v2_signature_depends_on_query_order(query: list[tuple[str, str]]) -> None:
    assert sign(coinex_v2(query)).stages.signature != sign(coinex_v2(rotated(query))).stages.signature


@given(two_or_more)
def test_bitunix_signature_does_not_depend_on_query_order(query: list[tuple[str, str]]) -> None:
    first, second = sign(bitunix(query)), sign(bitunix(rotated(query)))
    assert first.wire.target != second.wire.target
    assert first.stages.signature == second.stages.signature


@given(objects)
def test_json_whitespace_in_the_body_changes_both_signatures(value: dict[str, str]) -> None:
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    spaced = json.dumps(value, ensure_ascii=False)
    for build in (coinex_v2, bitunix):
        assert sign(build([], compact)).stages.signature != sign(build([], spaced)).stages.signature


@given(schemes, params)
def test_timestamp_sent_is_the_timestamp_signed(scheme: str, query: list[tuple[str, str]]) -> None:
    signed = sign(any_request(scheme, query))
    sent = signed.wire.header("X-COINEX-TIMESTAMP") or signed.wire.header("timestamp")
    if sent is None:
        sent = re.search(r"[?&](?:tonce|timestamp)=(\d+)", signed.wire.target).group(1)  # type: ignore[union-attr]
    assert sent == str(CLOCK)
    assert str(CLOCK) in signed.stages.string_to_sign  # type: ignore[operator]


@given(schemes, params)
def test_hex_case_is_upper_for_coinex_v1_and_lower_everywhere_else(scheme: str, query: list[tuple[str, str]]) -> None:
    signature = sign(any_request(scheme, query)).stages.signature
    pattern = r"[0-9A-F]{32}" if scheme == "coinex-v1" else r"[0-9a-f]{64}"
    assert re.fullmatch(pattern, signature)


@given(schemes, params)
def test_signing_is_deterministic(scheme: str, query: list[tuple[str, str]]) -> None:
    assert sign(any_request(scheme, query)) == sign(any_request(scheme, query))


def tampered(wire: HttpRequest) -> Iterator[tuple[str, HttpRequest]]:
    """Every change to what is sent that the signature (or the key check) covers."""
    joiner = "&" if "?" in wire.target else "?"
    yield "url", replace(wire, target=f"{wire.target}{joiner}tamper=1")
    yield "body", replace(wire, body=wire.body + b" " if wire.body else b"{}")
    for index, (name, value) in enumerate(wire.headers):
        if name.lower() not in UNSIGNED_HEADERS:
            headers = list(wire.headers)
            headers[index] = (name, value + "0")
            yield f"header {name}", replace(wire, headers=tuple(headers))


def verify(request: Request, wire: HttpRequest) -> object:
    context = ServerContext(CLOCK, StaticKeys({request.credentials.api_key: request.credentials.secret}))
    return scheme_named(request.scheme).verify(wire, context).rejection


@given(schemes, params)
def test_verifier_accepts_what_was_signed_and_rejects_any_tampering(scheme: str, query: list[tuple[str, str]]) -> None:
    request = any_request(scheme, query)
    signed: Signed = sign(request)
    assert verify(request, signed.wire) is None
    for what, wire in tampered(signed.wire):
        assert verify(request, wire) is not None, what


@given(objects, st.text(st.characters(min_codepoint=0x100, codec="utf-8"), min_size=1, max_size=3))
def test_verifier_accepts_a_latin1_body_and_rejects_a_changed_one(value: dict[str, str], wide: str) -> None:
    request = coinex_v2([], json.dumps(value, ensure_ascii=False))
    signed = sign(request)
    assert verify(request, signed.wire) is None
    assert verify(request, replace(signed.wire, body=signed.wire.body + wide.encode("utf-8"))) is not None


@given(st.text(st.characters(min_codepoint=0x100, codec="utf-8"), min_size=1, max_size=4))
def test_refused_input_raises_signing_error(wide: str) -> None:
    with pytest.raises(SigningError) as refused:
        sign(coinex_v2([], json.dumps({"remark": wide}, ensure_ascii=False)))
    assert refused.value.field == "body"
