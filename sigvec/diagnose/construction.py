"""How a client builds its signed and sent text, as data: the reference's construction and its variants.

A bug class is an edit of this construction (`sigvec.diagnose.catalogue`), so
nothing here forks a signer. The reference's own construction is recovered
from its stages: its string to sign is cut into literal pieces and the
segments that come from the request's parameters (the canonical query, the
body), and each segment's rendering (escaping, order, separators) is the one
that reproduces the reference's text exactly. The signature is then
recomputed from the string to sign under the scheme's declared algorithm.
"""

from __future__ import annotations

import base64
import re
import string
from dataclasses import dataclass, replace
from decimal import Context, Decimal
from functools import lru_cache
from typing import cast

from signing.digests import hmac_sha256_hex, md5_hex, sha256_hex
from signing.encoding import dump_json
from signing.http import NOT_JSON, json_or_none
from signing.model import JsonValue, Param
from signing.registry import Algorithm

UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
RESERVED = frozenset(chr(code) for code in range(0x21, 0x7F)) - UNRESERVED
CHARACTER_SETS = {"reserved": RESERVED, "encodeURIComponent": frozenset("!'()*"), "brackets": frozenset("[]")}
DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")
INTEGER_TEXT = re.compile(r"-?\d{1,12}")
BOOLEAN_FORMS = {
    "python": {"true": "True", "false": "False"},
    "lower": {"True": "true", "False": "false"},
    "numeric": {"true": "1", "false": "", "True": "1", "False": ""},
}
"""How clients write a boolean: Python's `str(bool)`, JSON's lower case, or PHP's `1` and empty string."""
PLAIN_TEXT = re.compile(r"[A-Za-z0-9._~-]*")


@dataclass(frozen=True)
class Escaping:
    """How text is escaped: RFC 3986 unreserved characters stay literal unless `escaped` names them.

    `literal`: other characters left as they are; `charset`: the bytes a
    character is escaped as; `double`: the escaped text escaped once more.
    """

    space: str = "%20"
    literal: frozenset[str] = frozenset()
    non_ascii_literal: bool = False
    lower_hex: bool = False
    escaped: frozenset[str] = frozenset()
    charset: str = "utf-8"
    double: bool = False

    def encode(self, text: str) -> str:
        once = self.encode_once(text)
        return self.encode_once(once) if self.double else once

    def encode_once(self, text: str) -> str:
        if PLAIN_TEXT.fullmatch(text) and not any(char in self.escaped for char in text):
            return text
        out: list[str] = []
        hex_form = "%{:02x}" if self.lower_hex else "%{:02X}"
        for char in text:
            if char in self.escaped:
                out.append(hex_form.format(ord(char)))
            elif char in UNRESERVED or char in self.literal or (char > "\x7f" and self.non_ascii_literal):
                out.append(char)
            elif char == " ":
                out.append(self.space)
            else:
                errors = "surrogateescape" if self.charset == "utf-8" else "replace"
                out.extend(hex_form.format(byte) for byte in char.encode(self.charset, errors))
        return "".join(out)


PERCENT = Escaping()
FORM = Escaping(space="+")
RAW = Escaping(space=" ", literal=RESERVED, non_ascii_literal=True)
PLUS_RAW = Escaping(space="+", literal=RESERVED, non_ascii_literal=True)
ORDERS = ("given", "key", "encoded-pair", "encoded-key")


def python_float(text: str) -> str:
    """A decimal value as Python prints the float it parses to (`0.00001` -> `1e-05`, `1.50` -> `1.5`)."""
    return repr(float(text)) if DECIMAL_TEXT.fullmatch(text) else text


def escaped_for_sorting(text: str) -> str:
    """Text as Ruby 2's `CGI.escape` writes it (form encoding, `~` escaped too), the form Rails sorts `k=v` strings in."""
    return FORM.encode(text).replace("~", "%7E")


@dataclass(frozen=True)
class Rendering:
    """How a list of parameters becomes text: escaping, order, separators and value forms."""

    escaping: Escaping
    order: str = "given"
    pair_sep: str = "&"
    kv_sep: str = "="
    key_literal: frozenset[str] = frozenset()
    drop_empty: bool = False
    float_numbers: bool = False
    arrays: str = "keep"
    int_floats: bool = False
    booleans: str = "keep"
    include_left_out: bool = False

    def prepared(self, pairs: tuple[Param, ...]) -> list[Param]:
        """The pairs after the value-level choices: arrays, empty values, number forms."""
        items = list(pairs)
        if self.arrays == "bare":
            items = [(key.removesuffix("[]"), value) for key, value in items]
        elif self.arrays == "python-list":
            grouped: dict[str, list[str]] = {}
            merged: list[Param] = []
            for key, value in items:
                if key.endswith("[]"):
                    if key not in grouped:
                        grouped[key] = []
                        merged.append((key, ""))
                    grouped[key].append(value)
                else:
                    merged.append((key, value))
            items = [(key[:-2], str(grouped[key])) if key in grouped else (key, value) for key, value in merged]
        if self.drop_empty:
            items = [(key, value) for key, value in items if value != ""]
        if self.float_numbers:
            items = [(key, python_float(value)) for key, value in items]
        if self.int_floats:
            items = [(key, f"{value}.0" if INTEGER_TEXT.fullmatch(value) else value) for key, value in items]
        if self.booleans != "keep":
            forms = BOOLEAN_FORMS[self.booleans]
            items = [(key, forms.get(value, value)) for key, value in items]
        return items

    def key_escaping(self) -> Escaping:
        """How keys are escaped: as values, but for `key_literal` (a scheme's `[` `]` in Rack-style keys)."""
        return replace(self.escaping, literal=self.escaping.literal | self.key_literal) if self.key_literal else self.escaping

    def encoded_pairs(self, pairs: tuple[Param, ...]) -> list[tuple[str, str, str]]:
        """(decoded key, encoded key, encoded value) in the order written."""
        key_escaping = self.key_escaping()
        items = self.prepared(pairs)
        if self.order == "key":
            items = sorted(items, key=lambda pair: pair[0])
        elif self.order == "encoded-key":
            items = sorted(items, key=lambda pair: key_escaping.encode(pair[0]))
        elif self.order == "encoded-pair":
            items = sorted(items, key=lambda pair: f"{escaped_for_sorting(pair[0])}={escaped_for_sorting(pair[1])}")
        return [(key, key_escaping.encode(key), self.escaping.encode(value)) for key, value in items]

    def render(self, pairs: tuple[Param, ...]) -> str:
        return rendered(self, pairs)


@lru_cache(maxsize=4096)
def rendered(rendering: Rendering, pairs: tuple[Param, ...]) -> str:
    """`rendering` applied to `pairs`; the search renders the same few combinations many times."""
    return rendering.pair_sep.join(f"{key}{rendering.kv_sep}{value}" for _, key, value in rendering.encoded_pairs(pairs))


CANDIDATE_RENDERINGS = tuple(
    Rendering(escaping, order, pair_sep, kv_sep, key_literal)
    for pair_sep, kv_sep in (("&", "="), ("", ""))
    for escaping in (PERCENT, FORM, RAW, PLUS_RAW)
    for key_literal in (frozenset(), CHARACTER_SETS["brackets"])
    for order in ORDERS
)


def inferred_rendering(pairs: tuple[Param, ...], text: str) -> Rendering | None:
    """The first candidate rendering that writes `pairs` as exactly `text`, or None."""
    return next((rendering for rendering in CANDIDATE_RENDERINGS if rendering.render(pairs) == text), None)


@dataclass(frozen=True)
class JsonStyle:
    """How a JSON value is written; the reference's own text is kept while no field is set.

    `numbers` and `booleans` name a form of `JSON_NUMBER_FORMS` / `JSON_BOOLEAN_FORMS` ("keep": numbers as the body
    writes them, booleans as the value holds them).
    """

    item_sep: str = ","
    key_sep: str = ":"
    sort_keys: bool = False
    ensure_ascii: bool = False
    as_sorted_pairs: bool = False
    numbers: str = "keep"
    booleans: str = "keep"


class JsonToken(Decimal):
    """A JSON scalar written as the given text: `dump_json` writes a Decimal with `format(value, "f")`, which
    returns the text here (a float's printed form, Python's `True`)."""

    token: str

    def __new__(cls, token: str) -> JsonToken:
        made = super().__new__(cls, 0)
        made.token = token
        return made

    def __format__(self, specifier: str, context: Context | None = None, /) -> str:
        return self.token


DOUBLE_EXACT = 2**53
"""Whole numbers up to this magnitude survive a trip through an IEEE double; larger ones may not."""
JSON_NUMBER_FORMS = ("python-float", "int-as-float", "big-int-float")
"""How a client that parses a JSON body into floats writes its numbers again: decimals as Python prints the float
(`1e-05` for `0.00001`), whole numbers as floats (`151.0`), whole numbers beyond 2**53 as the double they became
(`1.2345678901234567e+19`)."""
JSON_BOOLEAN_FORMS = ("python", "quoted")
"""How a client writes a JSON boolean: Python's `str(bool)` (`True`, not JSON), or the string `"true"`."""


def number_in_form(item: int | Decimal, form: str) -> JsonValue:
    """A JSON number as `form` (one of `JSON_NUMBER_FORMS`) writes it; a number the form leaves alone as it is."""
    if form == "python-float" and isinstance(item, Decimal):
        return JsonToken(repr(float(item)))
    if form == "int-as-float" and isinstance(item, int):
        return JsonToken(f"{item}.0")
    if form == "big-int-float" and isinstance(item, int) and abs(item) > DOUBLE_EXACT:
        return JsonToken(repr(float(item)))
    return item


def json_forms(value: JsonValue, numbers: str, booleans: str) -> JsonValue:
    """`value` with its numbers and booleans in the named forms (`keep` leaves them as they are)."""
    if isinstance(value, dict):
        return {key: json_forms(item, numbers, booleans) for key, item in value.items()}
    if isinstance(value, list):
        return [json_forms(item, numbers, booleans) for item in value]
    if isinstance(value, bool):
        if booleans == "python":
            return JsonToken(str(value))
        return ("true" if value else "false") if booleans == "quoted" else value
    return number_in_form(value, numbers) if isinstance(value, (int, Decimal)) else value


@dataclass(frozen=True)
class Pairs:
    """Parameters written by a rendering."""

    pairs: tuple[Param, ...]
    rendering: Rendering
    every: tuple[Param, ...] = ()
    """Where the reference leaves some of the request's parameters out of this text (a server rule, such as a
    `format` parameter): all of them, in order; a rendering with `include_left_out` writes these instead."""

    def text(self) -> str:
        return self.rendering.render(self.every if self.rendering.include_left_out and self.every else self.pairs)


@dataclass(frozen=True)
class Json:
    """A JSON body: the exact text given, or `value` rewritten in `style`; `strip_spaces` removes every space."""

    value: JsonValue
    given: str
    style: JsonStyle | None = None
    strip_spaces: bool = False

    def text(self) -> str:
        if self.style is None:
            written = self.given
        else:
            style = self.style
            given = numbers_as_given(self.given) if style.numbers == "keep" else None
            source = self.value if given is None else given
            value = json_forms(source, style.numbers, style.booleans)
            if style.as_sorted_pairs and isinstance(value, dict):
                items = sorted(value.items())
                written = "&".join(f"{key}={item if isinstance(item, str) else dump_json(item)}" for key, item in items)
            else:
                written = dump_json(
                    value,
                    item_separator=style.item_sep,
                    key_separator=style.key_sep,
                    sort_keys=style.sort_keys,
                    ensure_ascii=style.ensure_ascii,
                )
        return written.replace(" ", "") if self.strip_spaces else written


@lru_cache(maxsize=1024)
def numbers_as_given(given: str) -> JsonValue | None:
    """The body's value with each number that has a fraction or exponent written as the body `given` writes it
    (`1e-05` stays `1e-05`, not the `0.00001` its Decimal prints): a client that re-writes the body keeps its
    numbers' text unless a class says it writes them in another form. None for text that is not JSON. Cached: the
    value is only read (`json_forms` builds anew)."""
    parsed = json_or_none(given, number=JsonToken)
    return None if parsed is NOT_JSON else cast(JsonValue, parsed)


@dataclass(frozen=True)
class Omitted:
    """A part the client left out altogether."""

    def text(self) -> str:
        return ""


@dataclass(frozen=True)
class Verbatim:
    """A part whose construction is not modelled: its text as the reference wrote it."""

    given: str

    def text(self) -> str:
        return self.given


Part = Pairs | Json | Omitted | Verbatim


PLACEMENTS = {"query": ("body", "query"), "body": ("query", "body")}
"""Where a client may send every parameter: the part they leave and the part they go to."""


def moved_parts(parts: dict[str, Part], placement: str) -> dict[str, Part] | None:
    """The sent parts, split between the query and a form body, with every parameter sent in `placement` (`query`
    or `body`), query parameters first, written as that part writes them; None unless both parts hold parameters."""
    source, target = PLACEMENTS[placement]
    moving, staying = parts.get(source), parts.get(target)
    if not isinstance(moving, Pairs) or not isinstance(staying, Pairs) or not moving.pairs or not staying.pairs:
        return None
    pairs = (*moving.pairs, *staying.pairs) if source == "query" else (*staying.pairs, *moving.pairs)
    return {**parts, target: Pairs(pairs, staying.rendering), source: Verbatim("")}


@dataclass(frozen=True)
class PayloadEdit:
    """Changes to a signed JSON payload object (a scheme whose stages include `payload_json`)."""

    drop_params: bool = False
    strip_extension: bool = False
    bracket_keys: bool = False
    urlsafe: bool = False


@dataclass(frozen=True)
class Construction:
    """Everything a client chooses: the signed segments, the sent parts, and how the signature is finished.

    `pieces` is the reference string to sign cut at its segments: literal text
    alternates with segment names (`params`, `body`), each rendered from
    `signed`. `sent` holds the wire's query and body.
    """

    pieces: tuple[str, ...]
    signed: dict[str, Part]
    sent: dict[str, Part]
    joiner: str | None = None
    separator: tuple[str, str] | None = None
    text_encoding: str = "utf-8"
    hex_case: str = "lower"
    payload: PayloadEdit = PayloadEdit()
    signature_typo: bool = False
    swapped: bool = False
    secret_suffix: str = ""
    clock_value: str | None = None
    clock_seconds: bool = False

    def segment_text(self, name: str) -> str | None:
        part = self.signed.get(name)
        return None if part is None else part.text()

    def message(self) -> str:
        """The string to sign: literal pieces (odd positions are segment names) with the segments rendered."""
        out: list[str] = []
        for index, piece in enumerate(self.pieces):
            if index % 2:
                out.append(self.signed[piece].text())
            elif self.separator is not None:
                out.append(piece.replace(*self.separator))
            else:
                out.append(piece)
        if self.joiner is not None and len(self.pieces) >= 5 and self.pieces[1:4:2] == ("params", "body"):
            params, body = out[1], out[3]
            if params and body:
                out[2] = self.joiner
        message = "".join(out)
        if self.clock_seconds and self.clock_value:
            message = message.replace(self.clock_value, self.clock_value[:-3])
        return message

    def sent_text(self, name: str) -> str | None:
        part = self.sent.get(name)
        return None if part is None else part.text()


def payload_text(reference_json: str, edit: PayloadEdit, path: str, clock_name: str) -> str:
    """The payload JSON after `edit`: the reference's object, re-written compactly when anything changed."""
    if edit == PayloadEdit() or edit == PayloadEdit(urlsafe=True):
        return reference_json
    value = json_or_none(reference_json)
    if not isinstance(value, dict):
        raise ValueError("the reference's payload is a JSON object")
    path_key = next((key for key, item in value.items() if item == path), None)
    if edit.strip_extension and path_key is not None:
        value[path_key] = re.sub(r"\.[a-z]+$", "", path)
    if edit.bracket_keys:
        value = {(f"{key}[]" if isinstance(item, list) else key): item for key, item in value.items()}
    if edit.drop_params:
        value = {key: item for key, item in value.items() if key in (path_key, clock_name)}
        value = {key: value[key] for key in sorted(value, key=lambda key: key != path_key)}
    return dump_json(value)


def base64_text(text: str, urlsafe: bool) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.standard_b64encode
    return encode(text.encode()).decode("ascii")


@dataclass(frozen=True)
class Outcome:
    """What one construction produces: its stages (as far as modelled) and its signature."""

    stages: dict[str, str]
    signature: str | None


def as_bytes(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding, "surrogateescape" if encoding == "utf-8" else "strict")
    except UnicodeEncodeError:
        return None


def finish(
    algorithm: Algorithm, secret: str, message: str, encoding: str, hex_case: str, swapped: bool = False
) -> tuple[str | None, str | None]:
    """The inner digest (where the algorithm has one) and the signature of `message`, or None when it cannot be encoded.

    The constructions are named as in `vectors/schema.json`: `hmac-sha256`
    (the secret is the key; `swapped`: the message is, a client bug), `sha256` and `md5` (the secret is already in the
    message), `sha256-with-secret-suffix` (hash of message + secret) and
    `sha256-digest-then-secret` (hash of the hex digest + secret).
    """
    data, key = as_bytes(message, encoding), as_bytes(secret, encoding)
    if data is None or key is None:
        return None, None
    inner: str | None = None
    if algorithm.name == "hmac-sha256":
        result = hmac_sha256_hex(data, key) if swapped else hmac_sha256_hex(key, data)
    elif algorithm.name == "sha256":
        result = sha256_hex(data)
    elif algorithm.name == "md5":
        result = md5_hex(data)
    elif algorithm.name == "sha256-with-secret-suffix":
        result = sha256_hex(data + key)
    elif algorithm.name == "sha256-digest-then-secret":
        inner = sha256_hex(data)
        result = sha256_hex(inner.encode() + key)
    else:
        return None, None
    return inner, result.upper() if hex_case == "upper" else result
