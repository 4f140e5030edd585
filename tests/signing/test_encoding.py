"""The shared percent encoders equal `urllib.parse.quote` exactly, shortcuts for unreserved text included."""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import quote, quote_plus, unquote_plus

from hypothesis import given
from hypothesis import strategies as st

from signing.encoding import dump_json, form_encode, join_pairs, keeping_brackets, percent_encode, split_pairs

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


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), any_text)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner) | st.dictionaries(any_text, inner), max_leaves=12)
json_styles = st.tuples(st.sampled_from([(",", ":"), (", ", ": ")]), st.booleans(), st.booleans())
JsonStyle = tuple[tuple[str, str], bool, bool]


def spelled(value: object, style: JsonStyle) -> tuple[str, str]:
    (item_separator, key_separator), sort_keys, ensure_ascii = style
    return outcome(
        lambda _: dump_json(
            value, item_separator=item_separator, key_separator=key_separator, sort_keys=sort_keys, ensure_ascii=ensure_ascii
        ),
        "",
    )


@given(json_values, json_styles)
def test_json_without_decimals_is_written_as_json_dumps_writes_it(value: object, style: JsonStyle) -> None:
    separators, sort_keys, ensure_ascii = style
    expected = outcome(lambda _: json.dumps(value, separators=separators, sort_keys=sort_keys, ensure_ascii=ensure_ascii), "")
    assert spelled(value, style) == expected


@given(json_values, json_styles, st.decimals(allow_nan=False, allow_infinity=False))
def test_a_decimal_anywhere_is_written_as_its_exact_number(value: object, style: JsonStyle, number: Decimal) -> None:
    kind, text = spelled({"n": number, "rest": [value, number]}, style)
    assert kind == "result"
    assert json.loads(text, parse_float=Decimal) == {"n": number, "rest": [value, number]}


def test_decimals_keep_the_style_of_the_text_around_them() -> None:
    value = {"b": [Decimal("0.00001"), "é"], "a": Decimal("12000.0")}
    assert dump_json(value) == '{"b":[0.00001,"é"],"a":12000.0}'
    assert dump_json(value, item_separator=", ", key_separator=": ", sort_keys=True, ensure_ascii=True) == (
        '{"a": 12000.0, "b": [0.00001, "\\u00e9"]}'
    )


@given(st.text(UNRESERVED + "=&%+ é") | any_text)
def test_split_pairs_form_decodes_each_key_and_value_as_unquote_plus_does(encoded: str) -> None:
    pieces = [piece.partition("=") for piece in encoded.split("&") if piece]
    assert split_pairs(encoded) == tuple((unquote_plus(key), unquote_plus(value)) for key, _, value in pieces)
