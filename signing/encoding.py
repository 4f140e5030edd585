"""Shared encoders: percent-encoding variants, pair joining and JSON text (Rails and Rack live in `signing.rails`).

Every exchange module takes its encoding from here, so that a difference
between two exchanges is visible as a different function name, not as a
different copy of the same loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache
from urllib.parse import quote, quote_plus, unquote_plus

Encoder = Callable[[str], str]
"""An encoder for keys or values. Every one here leaves unreserved text (`UNRESERVED_BYTES`) as it is."""

UNRESERVED_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
"""The RFC 3986 unreserved characters (section 2.3), which no encoder here escapes."""


def bytes_to_escape(text: str, kept: bytes) -> bytes:
    """The UTF-8 bytes of `text` not in `kept`, in order (a lone surrogate's bytes among them).

    Empty for text that an encoder keeping `kept` leaves as it is: the check is
    one `bytes.translate` in C, several times cheaper than the encoding it saves.
    """
    return text.encode("utf-8", "surrogatepass").translate(None, kept)


def ascii_escapes(kept: bytes, space: str) -> dict[int, str]:
    """A `str.translate` table: every ASCII character not in `kept` to `%XX` (upper-case hex), the space to `space`."""
    return {code: f"%{code:02X}" for code in range(128) if code not in kept} | {ord(" "): space}


PERCENT_ESCAPES = ascii_escapes(UNRESERVED_BYTES, "%20")
FORM_ESCAPES = ascii_escapes(UNRESERVED_BYTES, "+")


def percent_encode(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 bytes, upper-case hex, space as `%20`.

    Only the unreserved set `A-Z a-z 0-9 - . _ ~` stays literal (RFC 3986,
    section 2.3); everything else, `/` `:` `,` `(` `)` `+` included, is escaped.
    The result is `quote(text, safe="")`'s. Text made of unreserved characters
    alone, as most values are, is returned as it is, and other ASCII text is
    escaped by one `str.translate`: each several times faster than `quote`.
    """
    if not bytes_to_escape(text, UNRESERVED_BYTES):
        return text
    return text.translate(PERCENT_ESCAPES) if text.isascii() else quote(text, safe="")


def form_encode(text: str) -> str:
    """HTML form encoding (`application/x-www-form-urlencoded`): space as `+`.

    This is what Python's `urllib.parse.urlencode` writes (`quote_plus(text, safe="")`);
    the unreserved set is the same as `percent_encode`'s, and so are the shortcuts.
    """
    if not bytes_to_escape(text, UNRESERVED_BYTES):
        return text
    return text.translate(FORM_ESCAPES) if text.isascii() else quote_plus(text, safe="")


def raw(text: str) -> str:
    """No encoding at all: the value as the caller gave it."""
    return text


def join_pairs(pairs: Sequence[tuple[str, str]], encode: Encoder = raw, encode_key: Encoder | None = None) -> str:
    """`k=v` pairs joined by `&`: values through `encode`, keys through `encode_key` (default `encode`).

    Most requests hold only unreserved text, which no encoder changes. So the
    pairs are joined as they are first, and that text is kept when all that is
    reserved in it is the `=` and `&` the join itself wrote, one `=` per pair
    and an `&` between pairs: then no key or value held anything to encode.
    One check over the joined text costs less than two encoder calls per pair.
    """
    if not pairs:
        return ""
    joined = "&".join([f"{key}={value}" for key, value in pairs])
    if bytes_to_escape(joined, UNRESERVED_BYTES) == b"=&" * (len(pairs) - 1) + b"=":
        return joined
    key_encoder = encode_key or encode
    return "&".join([f"{key_encoder(key)}={encode(value)}" for key, value in pairs])


def keeping_brackets(encode: Encoder) -> Encoder:
    """`encode`, with `[` and `]` left literal, as Rack-style keys (`state[]`, `orders[][price]`) are written."""

    def encode_key(text: str) -> str:
        return encode(text).replace("%5B", "[").replace("%5D", "]")

    return encode_key


def sorted_by_key(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Pairs sorted by key alone; the sort is stable, so a repeated key keeps its values' order."""
    return tuple(sorted(pairs, key=lambda pair: pair[0]))


def split_pairs(encoded: str) -> tuple[tuple[str, str], ...]:
    """`k=v&k=v` text back into (key, value) pairs in order, each form-decoded (`unquote_plus`).

    The inverse of `join_pairs` as a server reads a query string or form body:
    empty pieces are skipped and a piece without `=` has an empty value. Text
    with neither `%` nor `+` in it has nothing to decode.
    """
    pieces = [piece.partition("=") for piece in encoded.split("&") if piece]
    if "%" not in encoded and "+" not in encoded:
        return tuple((key, value) for key, _, value in pieces)
    return tuple((unquote_plus(key), unquote_plus(value)) for key, _, value in pieces)


ASCII_JSON = json.JSONEncoder(ensure_ascii=True)
UNICODE_JSON = json.JSONEncoder(ensure_ascii=False)
"""`json.dumps(value, ensure_ascii=...)`, its encoder made once (`json.dumps` makes one per call for a non-default argument)."""


@cache
def json_encoder(item_separator: str, key_separator: str, sort_keys: bool, ensure_ascii: bool) -> json.JSONEncoder:
    return json.JSONEncoder(separators=(item_separator, key_separator), sort_keys=sort_keys, ensure_ascii=ensure_ascii)


def dump_json(
    value: object,
    *,
    item_separator: str = ",",
    key_separator: str = ":",
    sort_keys: bool = False,
    ensure_ascii: bool = False,
) -> str:
    """JSON text of `value`, a `JsonValue` (text keys, lists); Decimals are written as exact numbers, never floats.

    The `json` module's encoder writes the value, in C, unless it holds a
    Decimal: the encoder refuses one with a TypeError, and only then is the
    value walked here.
    """
    try:
        return json_encoder(item_separator, key_separator, sort_keys, ensure_ascii).encode(value)
    except TypeError:
        pass
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
