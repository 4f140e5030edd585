"""The shared percent encoders equal `urllib.parse.quote` exactly, shortcut for unreserved text included."""

from __future__ import annotations

import string
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from hypothesis import given
from hypothesis import strategies as st

from signing.encoding import form_encode, percent_encode

UNRESERVED = string.ascii_letters + string.digits + "-._~"

# Any code point, lone surrogates included, plus plenty of text that is unreserved throughout
# (the shortcut) or nearly so (one character away from it).
any_text = st.text(st.characters(exclude_categories=()))
texts = st.one_of(any_text, st.text(UNRESERVED), st.text(UNRESERVED + " /+%\udc80é"))


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
