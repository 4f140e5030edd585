"""Shared encoders: percent-encoding variants, pair joining and JSON text (Rails and Rack live in `signing.rails`).

Every exchange module takes its encoding from here, so that a difference
between two exchanges is visible as a different function name, not as a
different copy of the same loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import chain
from urllib.parse import quote, quote_plus, unquote_plus

Encoder = Callable[[str], str]
"""An encoder for keys or values. Every one here leaves unreserved text (`UNRESERVED_TEXT`) as it is."""

UNRESERVED_TEXT = re.compile(r"[A-Za-z0-9._~-]*")
"""Text made only of RFC 3986 unreserved characters (section 2.3), which no encoder here escapes."""


def percent_encode(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 bytes, upper-case hex, space as `%20`.

    Only the unreserved set `A-Z a-z 0-9 - . _ ~` stays literal (RFC 3986,
    section 2.3); everything else, `/` `:` `,` `(` `)` `+` included, is escaped.
    Text made of unreserved characters alone, as most values are, is returned
    as it is without calling `quote` (the same result, several times faster).
    """
    return text if UNRESERVED_TEXT.fullmatch(text) else quote(text, safe="")


def form_encode(text: str) -> str:
    """HTML form encoding (`application/x-www-form-urlencoded`): space as `+`.

    This is what Python's `urllib.parse.urlencode` writes; the unreserved set
    is the same as `percent_encode`'s, and so is the shortcut for text that
    holds nothing else.
    """
    return text if UNRESERVED_TEXT.fullmatch(text) else quote_plus(text, safe="")


def raw(text: str) -> str:
    """No encoding at all: the value as the caller gave it."""
    return text


def join_pairs(
    pairs: Sequence[tuple[str, str]], encode: Encoder = raw, separator: str = "&", encode_key: Encoder | None = None
) -> str:
    """`k=v` pairs joined by `separator`: values through `encode`, keys through `encode_key` (default `encode`).

    When every key and value is unreserved text, as in most requests, no
    encoder changes any of them: the pairs are joined as they are, after one
    check over all their text instead of two encoder calls per pair.
    """
    if not pairs:
        return ""
    if UNRESERVED_TEXT.fullmatch("".join(chain.from_iterable(pairs))):
        return separator.join([f"{key}={value}" for key, value in pairs])
    key_encoder = encode_key or encode
    return separator.join([f"{key_encoder(key)}={encode(value)}" for key, value in pairs])


def keeping_brackets(encode: Encoder) -> Encoder:
    """`encode`, with `[` and `]` left literal, as Rack-style keys (`state[]`, `orders[][price]`) are written."""

    def encode_key(text: str) -> str:
        return encode(text).replace("%5B", "[").replace("%5D", "]")

    return encode_key


def sorted_by_key(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Pairs sorted by key alone; the sort is stable, so a repeated key keeps its values' order."""
    return tuple(sorted(pairs, key=lambda pair: pair[0]))


def split_pairs(encoded: str, decode: Encoder = unquote_plus) -> tuple[tuple[str, str], ...]:
    """`k=v&k=v` text back into (key, value) pairs in order, each passed through `decode`.

    The inverse of `join_pairs` as a server reads a query string or form body:
    empty pieces are skipped and a piece without `=` has an empty value.
    """
    pieces = (piece.partition("=") for piece in encoded.split("&") if piece)
    return tuple((decode(key), decode(value)) for key, _, value in pieces)


ASCII_JSON = json.JSONEncoder(ensure_ascii=True)
UNICODE_JSON = json.JSONEncoder(ensure_ascii=False)
"""`json.dumps(value, ensure_ascii=...)`, its encoder made once (`json.dumps` makes one per call for a non-default argument)."""


def dump_json(
    value: object,
    *,
    item_separator: str = ",",
    key_separator: str = ":",
    sort_keys: bool = False,
    ensure_ascii: bool = False,
) -> str:
    """JSON text of `value`; Decimals are written as exact numbers, never floats."""
    scalar = (ASCII_JSON if ensure_ascii else UNICODE_JSON).encode

    def dump(item: object) -> str:
        if isinstance(item, Decimal):
            return format(item, "f")
        if isinstance(item, dict):
            keys = sorted(item) if sort_keys else list(item)
            members = (f"{scalar(key)}{key_separator}{dump(item[key])}" for key in keys)
            return "{" + item_separator.join(members) + "}"
        if isinstance(item, list):
            return "[" + item_separator.join(dump(element) for element in item) + "]"
        return scalar(item)

    return dump(value)


def compact_json(value: object) -> str:
    """The reference's own JSON form: no whitespace, key order kept, UTF-8 text.

    It matches JavaScript's `JSON.stringify` and Python's
    `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`.
    """
    return dump_json(value)
