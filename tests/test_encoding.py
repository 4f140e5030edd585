"""The shared percent encoders equal `urllib.parse.quote` exactly, shortcuts for unreserved text included."""

from __future__ import annotations

import string
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from hypothesis import given
from hypothesis import strategies as st

from signing.encoding import form_encode, join_pairs, keeping_brackets, percent_encode

UNRESERVED = string.ascii_letters + string.digits + "-._~"

# Any code point, lone surrogates included, plus plenty of text that is unreserved throughout
# (the shortcut) or nearly so (one character away from it).
any_text = st.text(st.characters(exclude_categories=()))
texts = st.one_of(any_text, st.text(UNRESERVED), st.text(UNRESERVED + " /+%=&\udc80é"))


def outcome(encode: Callable[[str], str], text: str) -> tuple[str, str]:
    """What `encode` does with `text`: its result, or the kind of error it raises."""
    try:
        return "result", encode(text)
    except UnicodeEncodeError as error:
        return "error", f"{type(error).__name__}: {error.reason} at {error.start}"


@given(texts)
def test_percent_encode_is_quote_with_no_safe_characters(text: str) -> None:
    assert outcome(percent_encode, text) == outcome(lambda t: quote(t, safe=""), text)


@given(texts)
def test_form_encode_is_quote_plus_with_no_safe_characters(text: str) -> None:
    assert outcome(form_encode, text) == outcome(lambda t: quote_plus(t, safe=""), text)


def test_a_lone_surrogate_is_refused_as_quote_refuses_it() -> None:
    assert outcome(percent_encode, "a\udc80") == ("error", "UnicodeEncodeError: surrogates not allowed at 1")
    assert outcome(form_encode, "a\udc80") == ("error", "UnicodeEncodeError: surrogates not allowed at 1")


pairs = st.lists(st.tuples(texts, texts), max_size=5)


@given(pairs)
def test_joined_pairs_are_each_key_and_value_quoted_then_joined(params: list[tuple[str, str]]) -> None:
    def each_quoted(items: list[tuple[str, str]]) -> str:
        return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in items)

    assert outcome(lambda _: join_pairs(params, percent_encode), "") == outcome(lambda _: each_quoted(params), "")


@given(pairs)
def test_joined_pairs_encode_keys_with_the_key_encoder(params: list[tuple[str, str]]) -> None:
    def each_quoted(items: list[tuple[str, str]]) -> str:
        return "&".join(f"{quote_plus(key, safe='[]')}={quote_plus(value, safe='')}" for key, value in items)

    joined = outcome(lambda _: join_pairs(params, form_encode, encode_key=keeping_brackets(form_encode)), "")
    assert joined == outcome(lambda _: each_quoted(params), "")
