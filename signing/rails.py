"""Ruby on Rails 4.2 and Rack 1.6, as Peatio's server ran them: only what its signature needs.

- Rack `Utils.parse_nested_query`: flat `k=v` pairs into the nested params hash;
- ActiveSupport `Hash#to_query` with Ruby 2.x `CGI.escape`;
- Ruby (pre-3.0) `URI.unescape`, and `String#to_i`.

Sources: rack/rack `lib/rack/utils.rb` (1.6 line), rails/rails
`activesupport/lib/active_support/core_ext/object/to_query.rb` (4.2 line), and
`docs/rules/peatio.md`.
"""

from __future__ import annotations

import re
from typing import TypeAlias
from urllib.parse import quote_plus, unquote_to_bytes

from signing.encoding import ascii_escapes, bytes_to_escape
from signing.model import Param, SigningError

QueryValue: TypeAlias = "str | list[QueryValue] | dict[str, QueryValue] | None"
Params = dict[str, QueryValue]

RACK_NAME = re.compile(r"\A[\[\]]*([^\[\]]+)\]*")
RACK_ARRAY_OF_HASHES = (re.compile(r"\A\[\]\[([^\[\]]+)\]\Z"), re.compile(r"\A\[\](.+)\Z"))
RACK_DEPTH_LIMIT = 100
RUBY_INTEGER = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")
CGI_KEPT_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
CGI_ESCAPES = ascii_escapes(CGI_KEPT_BYTES, "+")


# --- ActiveSupport `to_query` and Ruby escaping -------------------------------------------


def cgi_escape(text: str) -> str:
    """Ruby's `CGI.escape` as of Ruby 2.x: UTF-8 bytes, `A-Za-z0-9 _ . -` kept, space as `+`.

    Everything else becomes `%XX` with upper-case hex, `~` included (Ruby 2.x
    escaped it; Ruby 3 keeps it, which only matters for sort order, since
    `uri_unescape` decodes it again). Source: `docs/rules/peatio.md`.
    Text made only of kept characters, as most is, is returned as it is, and
    other ASCII text is escaped by one `str.translate`.
    """
    if not bytes_to_escape(text, CGI_KEPT_BYTES):
        return text
    return text.translate(CGI_ESCAPES) if text.isascii() else quote_plus(text, safe="").replace("~", "%7E")


def to_query(value: QueryValue, key: str) -> str:
    """Rails 4.2 `to_query`: each scalar as `CGI.escape(key)=CGI.escape(value)`.

    rails/rails `activesupport/lib/active_support/core_ext/object/to_query.rb`
    (4.2 line): a Hash turns each entry into `to_query(value, "key[sub]")`
    (top level: the bare key), drops empty Hash/Array values, and sorts the
    resulting strings as whole strings; an Array writes every element under
    `key[]` in its original order, and an empty Array is `key[]=`; nil is
    `key=`. Rails 4 sorts inside a Hash that sits in an Array too; ActiveSupport
    5.2.1+ does not (rails/rails#33341, reported as a regression in #33606).
    """
    if isinstance(value, dict):
        parts = [
            to_query(item, f"{key}[{sub}]" if key else sub)
            for sub, item in value.items()
            if not (isinstance(item, (dict, list)) and not item)
        ]
        return "&".join(sorted(parts))
    if isinstance(value, list):
        if not value:
            return to_query(None, f"{key}[]")
        return "&".join(to_query(item, f"{key}[]") for item in value)
    return f"{cgi_escape(key)}={cgi_escape(value or '')}"


def uri_unescape(text: str) -> str:
    """Ruby's (pre-3.0) `URI.unescape`: every `%XX` decoded to its byte, `+` left alone.

    The bytes are read as UTF-8; a byte that is not valid UTF-8 is kept as a
    surrogate escape, so that `text.encode("utf-8", "surrogateescape")` gives
    the bytes Ruby would hash. Text with no `%` has nothing to decode.
    """
    if "%" not in text:
        return text
    return unquote_to_bytes(text).decode("utf-8", "surrogateescape")


# --- Rack `parse_nested_query` ---------------------------------------------------------


def rack_has_key(params: Params, key: str) -> bool:
    """Rack's `params_hash_has_key?`: does the hash already hold the (possibly nested) key?"""
    if "[]" in key:
        return False
    node: QueryValue = params
    for part in (part for part in re.split(r"[\[\]]+", key) if part):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def rack_normalize(params: Params, name: str, value: str, strict: bool) -> None:
    """One `name=value` pair added to `params` as Rack 1.6 `normalize_params` does.

    `k` sets a value, `k[]` appends to an array, `k[sub]` descends into a hash,
    and `k[][sub]` adds to the last hash of an array unless that hash already
    has `sub`, in which case a new hash starts. Type clashes raise. With
    `strict`, a scalar sent twice raises instead of the last one winning.
    """
    match = RACK_NAME.match(name)
    if match is None:
        return
    key, after = match.group(1), name[match.end() :]
    if after == "":
        if strict and key in params:
            raise SigningError(f"params.{name}", "is sent twice; Rack would keep only the last value")
        params[key] = value
    elif after == "[":
        params[name] = value
    elif after == "[]":
        listed = params.setdefault(key, [])
        if not isinstance(listed, list):
            raise SigningError(f"params.{name}", f"{key} is both a value and an array")
        listed.append(value)
    elif child := next((m.group(1) for m in (p.match(after) for p in RACK_ARRAY_OF_HASHES) if m), None):
        listed = params.setdefault(key, [])
        if not isinstance(listed, list):
            raise SigningError(f"params.{name}", f"{key} is both a value and an array")
        last = listed[-1] if listed else None
        if isinstance(last, dict) and not rack_has_key(last, child):
            rack_normalize(last, child, value, strict)
        else:
            fresh: Params = {}
            rack_normalize(fresh, child, value, strict)
            listed.append(fresh)
    else:
        nested = params.setdefault(key, {})
        if not isinstance(nested, dict):
            raise SigningError(f"params.{name}", f"{key} is both a value and a hash")
        rack_normalize(nested, after, value, strict)


def rack_params(pairs: tuple[Param, ...], strict: bool = True) -> Params:
    """Flat decoded pairs as the nested params hash a Rails 4.2 app sees (Rack 1.6 `parse_nested_query`).

    Rack 1.6.2+ refuses a key nested deeper than `param_depth_limit` (100;
    CVE-2015-3225) with a RangeError, a 400; here a `SigningError`.
    """
    params: Params = {}
    for key, value in pairs:
        if key.count("[") > RACK_DEPTH_LIMIT:
            raise SigningError(f"params.{key[:40]}", f"is nested deeper than Rack's limit of {RACK_DEPTH_LIMIT}")
        rack_normalize(params, key, value, strict)
    return params


def ruby_to_i(text: str) -> str:
    """Ruby `String#to_i`, as canonical integer text: leading blanks, a sign, then ASCII digits; "0" when none.

    Text, not an int: Ruby reads any number of digits, and Python's `int()`
    refuses more than 4300, so the number is kept as its canonical text
    (no leading zeros, `-` only when not zero) and compared by `int_within`.
    """
    match = RUBY_INTEGER.match(text)
    if match is None:
        return "0"
    sign, digits = match.group(1), match.group(2).lstrip("0") or "0"
    return f"-{digits}" if sign == "-" and digits != "0" else digits


def int_within(number: str, low: int, high: int) -> bool:
    """Is the canonical integer text `number` within `[low, high]`? Bounds are clock-sized (at most 19 digits)."""
    if len(number.lstrip("-")) > 19:
        return False
    return low <= int(number) <= high
