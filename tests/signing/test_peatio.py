"""Peatio v2: the server's checks, one rule per test, on the documented example (peatio-v2-0001)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing.http import HttpRequest
from signing.model import Credentials
from signing.peatio import verify
from signing.rails import cgi_escape, rack_params, ruby_to_i, to_query, uri_unescape
from signing.server import MemoryReplayStore, ReplayStore
from tests.support.corpus import vector_named
from tests.support.server import rejection_of

KEY = Credentials("xxx", "yyy")
DOC = vector_named("peatio-v2-0001").expected["wire"]
SIGNED_AT = 123456789


def doc_wire(url: str = DOC["url"]) -> HttpRequest:
    return HttpRequest.from_text("GET", url, (), None)


def code(
    wire: HttpRequest, server_time: int = SIGNED_AT, credentials: Credentials = KEY, replay: ReplayStore | None = None
) -> int | None:
    rejection = rejection_of(verify, wire, credentials, server_time, replay)
    return rejection.code if rejection else None


def test_documented_example_is_accepted() -> None:
    assert code(doc_wire()) is None


@pytest.mark.parametrize("param", ["access_key", "tonce", "signature"])
def test_a_missing_auth_parameter_is_2001(param: str) -> None:
    base, _, query = DOC["url"].partition("?")
    kept = "&".join(piece for piece in query.split("&") if not piece.startswith(f"{param}="))
    assert code(doc_wire(f"{base}?{kept}")) == 2001


def test_an_unknown_access_key_is_2008() -> None:
    assert code(doc_wire(), credentials=Credentials("other", "yyy")) == 2008


def test_a_tonce_more_than_30_seconds_old_is_2007_with_now_in_whole_seconds() -> None:
    # Rejected once now = floor(server_time / 1000) * 1000 exceeds tonce + 30000 = 123486789.
    assert code(doc_wire(), server_time=123486999) is None
    assert code(doc_wire(), server_time=123487000) == 2007


def test_a_tonce_more_than_30_seconds_ahead_is_2007() -> None:
    # Rejected while now is below tonce - 30000 = 123426789.
    assert code(doc_wire(), server_time=123427000) is None
    assert code(doc_wire(), server_time=123426999) == 2007


def test_a_non_numeric_tonce_counts_as_zero() -> None:
    assert code(doc_wire(DOC["url"].replace("tonce=123456789", "tonce=abc"))) == 2007


def test_a_changed_signature_is_2005_and_the_body_is_peatios() -> None:
    wire = doc_wire(DOC["url"].replace("signature=e3", "signature=E3"))
    rejection = rejection_of(verify, wire, KEY, SIGNED_AT)
    assert rejection is not None and rejection.code == 2005 and rejection.http_status == 401
    assert json.loads(rejection.body) == {"error": {"code": 2005, "message": rejection.reason}}


def test_a_reused_tonce_is_2006_even_after_a_bad_signature() -> None:
    replay = MemoryReplayStore()
    bad = doc_wire(DOC["url"].replace("signature=e3", "signature=00"))
    assert code(bad, replay=replay) == 2005
    assert code(doc_wire(), replay=replay) == 2006


def test_a_stale_tonce_is_recorded_before_the_window_check() -> None:
    replay = MemoryReplayStore()
    assert code(doc_wire(), server_time=SIGNED_AT + 40_000, replay=replay) == 2007
    assert code(doc_wire(), replay=replay) == 2006


def test_the_replay_store_forgets_a_tonce_after_61_seconds_when_the_window_rejects_anyway() -> None:
    replay = MemoryReplayStore()
    assert code(doc_wire(), replay=replay) is None
    assert code(doc_wire(), SIGNED_AT + 61000, replay=replay) == 2007


def test_a_tonce_of_thousands_of_digits_is_2007_not_a_crash() -> None:
    assert code(doc_wire(DOC["url"].replace("tonce=123456789", "tonce=" + "9" * 5000))) == 2007


def test_string_to_i_reads_ascii_digits_only() -> None:
    assert (ruby_to_i(" -0012x"), ruby_to_i("²"), ruby_to_i("١٢"), ruby_to_i("+7")) == ("-12", "0", "0", "7")


def test_rack_parsing_starts_a_new_hash_when_a_key_repeats() -> None:
    pairs = (("o[][p]", "1"), ("o[][s]", "a"), ("o[][p]", "2"))
    assert rack_params(pairs) == {"o": [{"p": "1", "s": "a"}, {"p": "2"}]}


def test_to_query_sorts_escaped_strings_not_keys() -> None:
    assert to_query({"a": "1", "a1": "2", "a-b": "3"}, "") == "a-b=3&a1=2&a=1"


def test_to_query_drops_empty_arrays_and_hashes_and_writes_nil_as_key_equals() -> None:
    assert to_query({"a": [], "b": {}, "c": None}, "") == "c="


RUBY_2_CGI_KEPT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"


def ruby_2_cgi_escape(text: str) -> str:
    """Ruby 2.x `CGI.escape`, character by character: kept characters, `+` for a space, else `%XX` per UTF-8 byte."""
    return "".join(
        char if char in RUBY_2_CGI_KEPT else "+" if char == " " else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in text
    )


@given(st.one_of(st.text(st.characters(codec="utf-8")), st.text(RUBY_2_CGI_KEPT), st.text(RUBY_2_CGI_KEPT + "~ ")))
def test_cgi_escape_escapes_every_character_ruby_2_escapes(text: str) -> None:
    assert cgi_escape(text) == ruby_2_cgi_escape(text)


def test_cgi_escape_is_ruby_2_and_unescape_leaves_plus() -> None:
    assert cgi_escape("a b+~*") == "a+b%2B%7E%2A"
    assert uri_unescape("a+b%2B%20%E2%82%AC") == "a+b+ €"


def test_the_signature_sent_first_carries_the_documented_examples_parameters_and_signature() -> None:
    """peatio-v2-0028's wire, read back with the standard library: the example's parameters, the signature first."""
    moved = parse_qsl(urlsplit(vector_named("peatio-v2-0028").expected["wire"]["url"]).query)
    example = parse_qsl(urlsplit(DOC["url"]).query)
    assert moved[0][0] == "signature" and example[-1][0] == "signature"
    assert moved == [example[-1], *example[:-1]]


def test_the_signature_sent_first_is_accepted_since_the_server_reads_it_by_name() -> None:
    assert code(doc_wire(vector_named("peatio-v2-0028").expected["wire"]["url"])) is None
