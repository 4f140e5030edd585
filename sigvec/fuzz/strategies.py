"""Hypothesis strategies for signing inputs, built from each scheme's declared surface (`signing.registry.Surface`).

Public as `sigvec.strategies`. `inputs(scheme)` draws a vector `input`
mapping (the shape of `vectors/schema.json`, what `sigvec sign`, the gate and
a `--python` signer take): one of the scheme's routes (method and path), one
of the placements the route allows (query, form body, JSON body, or the
parameters split between query and body), parameters in a drawn order, with
repeated keys where the scheme may repeat them and `key[]` arrays where it
writes them, values from the character classes that break clients
(`CHARACTER_CLASSES`), number and boolean text, nested JSON where the scheme
has it, the clock and the nonce. The scheme's own carriers (a clock, key or
window travelling as a parameter, MAX's payload nonce) are placed among the
parameters as the scheme's registry entry says.

The strategies know no exchange by name: a scheme added to the registry with
a `surface` is generated for at once. An input the scheme cannot carry (text
outside Latin-1 for a Latin-1 scheme, say) may still be drawn; the reference
refuses it, and `sigvec fuzz` then asks nothing of the client.

Use them in a client's own tests:

    from hypothesis import given
    from sigvec import strategies

    @given(strategies.inputs("mexc-spot-v3"))
    def test_my_client_signs_like_the_reference(vector_input):
        assert strategies.judge(vector_input, my_sign(vector_input)).passed
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from signing.registry import Route, Scheme, scheme_named

CHARACTER_CLASSES: Mapping[str, tuple[str, ...]] = {
    "empty": ("",),
    "space": (" ",),
    "plus": ("+",),
    "percent": ("%", "%20"),
    "ampersand": ("&",),
    "equals": ("=",),
    "hash": ("#",),
    "slash": ("/",),
    "comma": (",",),
    "colon": (":",),
    "parenthesis": ("()",),
    "apostrophe": ("'",),
    "at": ("@",),
    "tilde": ("~",),
    "asterisk": ("*",),
    "exclamation": ("!",),
    "latin-1": ("é", "£", "ü"),
    "beyond-latin-1": ("€", "房", "ж"),
    "astral": ("😀", "𝄞"),
}
"""The character classes that break clients' encoders, each with the text that stands for it in a value."""

NUMBER_TEXTS = ("1e-05", "0.1", "1.0", "12345678901234567890", "0", "-1")
"""Number text with more than one plausible form (`1e-05` or `0.00001`, `1.0` or `1`), and integers beyond 2**53."""
BOOLEAN_TEXTS = ("true", "false", "True")
JSON_NUMBERS = ("1e-05", "0.1", "1.0", "12345678901234567890", "0", "-1", "2")
"""JSON number literals, written as they are sent."""
PLACEMENTS = ("query", "form", "json")
"""Where a parameter travels; a route's placement joins one or two of these with `+`."""
KEYS = ("symbol", "side", "qty", "price", "note", "a", "b", "z")
"""Parameter names: plain names, so that a failure is always about a value, its order, or its placement."""
ALPHANUMERIC = string.ascii_letters + string.digits
CLOCK_RANGE = (1_500_000_000_000, 2_000_000_000_000)
"""Milliseconds since the epoch: 2017 to 2033, so that a clock in seconds is always told apart."""
WINDOWS = {"ms": (5000, 60000), "s": (10, 60)}
"""Window values per carrier unit, within every scheme's cap."""

PIECES: tuple[str, ...] = ("a", "B", "1", *(text for texts in CHARACTER_CLASSES.values() for text in texts if text))
"""What a text value is made of: letters and digits first (what shrinking moves towards), then each class's text."""


CLOCKS = st.integers(*CLOCK_RANGE)
NONCES = st.text(ALPHANUMERIC, min_size=1, max_size=32)
SEPARATORS = st.sampled_from(((",", ":"), (", ", ": ")))
"""A JSON body compact, or spaced as Python's `json.dumps` writes it: a scheme signs either exactly as sent."""


@cache
def sampled(choices: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(choices)


@cache
def text_values() -> st.SearchStrategy[str]:
    """Text joined from `PIECES`: letters, digits and every character class (the empty text included)."""
    return st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@cache
def values() -> st.SearchStrategy[str]:
    """A parameter value: text from the character classes, number text, or boolean text."""
    return st.one_of(text_values(), st.sampled_from(NUMBER_TEXTS), st.sampled_from(BOOLEAN_TEXTS))


@cache
def json_literals(nested: bool) -> st.SearchStrategy[str]:
    """A JSON value as the text sent: strings from `values`, number literals, booleans, null, and, when the
    scheme nests JSON, arrays and objects of them."""
    scalars = st.one_of(
        values().map(lambda text: json.dumps(text, ensure_ascii=False)),
        st.sampled_from(JSON_NUMBERS),
        st.sampled_from(("true", "false", "null")),
    )
    if not nested:
        return scalars
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda items: "[" + ",".join(items) + "]"),
            st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=3, unique_by=lambda item: item[0]).map(json_object),
        ),
        max_leaves=6,
    )


def json_object(members: Sequence[tuple[str, str]], separators: tuple[str, str] = (",", ":")) -> str:
    """A JSON object's text from (key, value text) members, in order, with the given separators."""
    item, key = separators
    return "{" + item.join(f"{json.dumps(name, ensure_ascii=False)}{key}{text}" for name, text in members) + "}"


@dataclass(frozen=True)
class Param:
    """A drawn parameter: its key, its value text, and for a JSON body the literal sent (None: the value as a string)."""

    key: str
    value: str
    literal: str | None = None

    def json_text(self) -> str:
        """The member's value as written in a JSON body."""
        return self.literal if self.literal is not None else json.dumps(self.value, ensure_ascii=False)


def carried_params(scheme: Scheme, credentials: Mapping[str, str], timestamp: int) -> list[Param]:
    """The parameters the scheme's carriers put among the request's own: a clock, key or nonce sent as a
    parameter (`param`), or MAX's payload nonce (`payload`, an integer in a JSON body)."""
    carried: dict[str, Param] = {}
    if scheme.api_key.where == "param":
        carried[scheme.api_key.name] = Param(scheme.api_key.name, credentials["api_key"])
    for carrier in (scheme.clock, scheme.nonce):
        if carrier is not None and carrier.where in ("param", "payload"):
            literal = str(timestamp) if carrier.where == "payload" else None
            carried[carrier.name] = Param(carrier.name, str(timestamp), literal)
    return list(carried.values())


def reserved_keys(scheme: Scheme) -> frozenset[str]:
    """Keys a drawn parameter never takes: the scheme's carriers, and the names a signature travels under."""
    carriers = (scheme.api_key, scheme.clock, scheme.nonce, scheme.window)
    return frozenset({carrier.name for carrier in carriers if carrier is not None} | {"signature", "sign", "path"})


@dataclass(frozen=True)
class SchemeStrategies:
    """The strategies of one scheme, built once (building a strategy costs more than drawing from it)."""

    routes: st.SearchStrategy[Route]
    pairs: st.SearchStrategy[list[tuple[str, str]]]
    arrays: st.SearchStrategy[list[str]]
    literals: st.SearchStrategy[str]
    positions: tuple[st.SearchStrategy[int], ...]
    splits: tuple[st.SearchStrategy[int], ...]


MAX_PARAMS = 4
LONGEST = MAX_PARAMS + 3 + 4
"""The most parameters an input holds: its own, a `key[]` array, and the carriers (key, clock, nonce, window)."""


@cache
def scheme_strategies(scheme_name: str) -> SchemeStrategies:
    scheme = scheme_named(scheme_name)
    keys = [key for key in KEYS if key not in reserved_keys(scheme)]
    return SchemeStrategies(
        routes=st.sampled_from(scheme.surface.routes),
        pairs=st.lists(st.tuples(st.sampled_from(keys), values()), max_size=MAX_PARAMS),
        arrays=st.lists(values(), min_size=1, max_size=3),
        literals=json_literals(scheme.surface.nested_json),
        positions=tuple(st.integers(0, size) for size in range(LONGEST + 1)),
        splits=tuple(st.integers(1, max(1, size - 1)) for size in range(LONGEST + 1)),
    )


def request_params(draw: st.DrawFn, scheme: Scheme, json_body: bool) -> list[Param]:
    """The request's own parameters, in the order drawn: plain keys (repeated only where the scheme allows it),
    `key[]` arrays where the scheme writes them, JSON literals in a JSON body."""
    strategies = scheme_strategies(scheme.name)
    pairs = draw(strategies.pairs)
    if not scheme.surface.repeated_keys or json_body:
        pairs = list({key: (key, value) for key, value in pairs}.values())
    if json_body:
        return [Param(key, value, draw(strategies.literals) if draw(st.booleans()) else None) for key, value in pairs]
    params = [Param(key, value) for key, value in pairs]
    if scheme.surface.bracket_arrays and draw(st.booleans()):
        params += [Param("list[]", value) for value in draw(strategies.arrays)]
    return params


@dataclass(frozen=True)
class Drawn:
    """Which route and placement an input was drawn from (for coverage)."""

    method: str
    placement: str


@st.composite
def inputs(
    draw: st.DrawFn,
    scheme_name: str,
    credentials: Sequence[Mapping[str, str]] | None = None,
    options: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A vector `input` for `scheme_name`, drawn from its declared surface (see the module docstring).

    `credentials` are the key pairs to sign with (default: the corpus's test
    keys for the scheme, which `sigvec serve` knows); `options` are the option
    readings to sign under (default: the scheme's defaults).
    """
    scheme = scheme_named(scheme_name)
    if not scheme.surface.routes:
        raise ValueError(f"{scheme_name}: the registry declares no surface (routes) to draw inputs from")
    keys = list(credentials) if credentials is not None else test_credentials(scheme_name)
    strategies = scheme_strategies(scheme_name)
    route: Route = draw(strategies.routes)
    placement: str = draw(sampled(route.placements))
    chosen = keys[draw(st.integers(0, len(keys) - 1))] if len(keys) > 1 else keys[0]
    timestamp = draw(CLOCKS)
    json_body = placement.endswith("json")
    params = request_params(draw, scheme, json_body)
    for carried in carried_params(scheme, chosen, timestamp):
        where = draw(strategies.positions[len(params)])
        params.insert(where, carried if json_body or carried.literal is None else Param(carried.key, carried.value))
    if scheme.window is not None and scheme.window.where == "param" and draw(st.booleans()):
        params.insert(draw(strategies.positions[len(params)]), Param(scheme.window.name, str(draw(sampled(WINDOWS["ms"])))))
    data: dict[str, Any] = {
        "scheme": scheme_name,
        "credentials": dict(chosen),
        "method": route.method,
        "path": route.path,
        "timestamp": timestamp,
    }
    split = len(params) if placement == "query" else 0
    if "+" in placement and len(params) > 1:  # both parts carry parameters (one part alone is another placement)
        split = draw(strategies.splits[len(params)])
    query, body = params[:split], params[split:]
    if query:
        data["query"] = [[param.key, param.value] for param in query]
    if placement.endswith("form") and body:
        data["body"] = {"form": [[param.key, param.value] for param in body]}
    elif json_body:
        separators = draw(SEPARATORS)
        data["body"] = {"json_text": json_object([(param.key, param.json_text()) for param in body], separators)}
    if scheme.nonce is not None and scheme.nonce.where == "header":
        data["nonce"] = draw(NONCES)
    if scheme.window is not None and scheme.window.where == "header" and draw(st.booleans()):
        data["window"] = draw(sampled(WINDOWS[scheme.window.unit]))
    if options:
        data["options"] = dict(options)
    return data


def drawn_from(vector_input: Mapping[str, Any]) -> Drawn:
    """The method and placement of an input (query, form, json, or two joined by `+`)."""
    body = vector_input.get("body") or {}
    parts = (["query"] if vector_input.get("query") else []) + (["form"] if "form" in body else []) + (
        ["json"] if "json_text" in body or "json" in body else []
    )
    return Drawn(str(vector_input["method"]), "+".join(parts) or "none")


def test_credentials(scheme_name: str) -> list[Mapping[str, str]]:
    """The packaged corpus's test keys for a scheme (the keys `sigvec serve` knows), in a stable order."""
    keys = packaged_keys().get(scheme_name, {})
    if not keys:
        raise ValueError(f"{scheme_name}: the corpus holds no test key for it; pass credentials")
    return [{"api_key": api_key, "secret": secret} for api_key, secret in sorted(keys.items())]


@cache
def packaged_keys() -> dict[str, dict[str, str]]:
    """Every scheme's test keys in the packaged corpus, read once, on first use (not at import)."""
    from sigvec.corpus import load_corpus
    from sigvec.serve.state import corpus_keys

    return corpus_keys(load_corpus())


ASCII_MARKS = {
    name: "%" if name == "percent" else "".join(texts)
    for name, texts in CHARACTER_CLASSES.items()
    if name != "empty" and texts[0].isascii()
}
"""The characters any one of which marks an ASCII class in a value (the percent class: any `%`)."""
Cell = tuple[str, str, str]
"""(character class, placement, method): `query`, `form` or `json` for the placement."""


def classes_in(text: str) -> set[str]:
    """The character classes `text` holds (`CHARACTER_CLASSES`; non-ASCII text by code point range)."""
    if not text:
        return {"empty"}
    found = {name for name, marks in ASCII_MARKS.items() if any(mark in text for mark in marks)}
    points = [ord(char) for char in text if ord(char) > 0x7F]
    found |= {"latin-1"} if any(point <= 0xFF for point in points) else set()
    found |= {"beyond-latin-1"} if any(0xFF < point <= 0xFFFF for point in points) else set()
    found |= {"astral"} if any(point > 0xFFFF for point in points) else set()
    return found


def json_strings(value: object) -> list[str]:
    """Every string value in a decoded JSON value (object keys aside)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


def cells_of(vector_input: Mapping[str, Any]) -> set[Cell]:
    """The cells an input covers: each class found in a parameter value (or JSON string), by where it travels."""
    method = str(vector_input["method"])
    body = vector_input.get("body") or {}
    values = [("query", str(value)) for _, value in vector_input.get("query") or []]
    values += [("form", str(value)) for _, value in body.get("form") or []]
    if "json_text" in body or "json" in body:
        decoded = json.loads(body["json_text"]) if "json_text" in body else body["json"]
        values += [("json", text) for text in json_strings(decoded)]
    return {(name, placement, method) for placement, text in values for name in classes_in(text)}


def table(scheme_name: str) -> set[Cell]:
    """Every cell of a scheme's surface: each character class in each placement its routes allow, per method."""
    scheme = scheme_named(scheme_name)
    return {
        (name, part, route.method)
        for route in scheme.surface.routes
        for placement in route.placements
        for part in placement.split("+")
        for name in CHARACTER_CLASSES
    }
