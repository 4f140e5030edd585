"""Signing inputs built from each scheme's declared surface (`signing.registry.Surface`), from either of two
sources of choices: Hypothesis's, or a fast seeded one.

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

One construction (`build_input` and the functions it calls) makes every input
from a `Choices`, which has two primitives: `integer(low, high)` and
`boolean()`. A choice among options is an integer index, a list asks
`boolean()` "one more?" before each item. Two sources implement it:
- `DrawnChoices`, one Hypothesis choice per primitive (`st.integers(low, high)`,
  `st.booleans()`): the public strategies (`inputs`, `values`, `text_values`,
  `json_literals`) are the construction over it, so Hypothesis shrinks them;
- `SeededChoices`, a seeded `random.Random` that records the choices it made:
  `sigvec fuzz` searches with it, many times faster, and hands a failing
  input's recorded choices to Hypothesis, which replays them (they are the
  very choices `DrawnChoices` would make) and shrinks them.

The construction knows no exchange by name: a scheme added to the registry
with a `surface` is generated for at once. An input the scheme cannot carry
(text outside Latin-1 for a Latin-1 scheme, say) may still be drawn; the
reference refuses it, and `sigvec fuzz` then asks nothing of the client.

Use the strategies in a client's own tests:

    from hypothesis import given
    from sigvec import strategies

    @given(strategies.inputs("mexc-spot-v3"))
    def test_my_client_signs_like_the_reference(vector_input):
        assert strategies.judge(vector_input, my_sign(vector_input)).passed
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

from signing.registry import Scheme, scheme_named

T = TypeVar("T")

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
JSON_CONSTANTS = ("true", "false", "null")
PLACEMENTS = ("query", "form", "json")
"""Where a parameter travels; a route's placement joins one or two of these with `+`."""
KEYS = ("symbol", "side", "qty", "price", "note", "a", "b", "z")
"""Parameter names: plain names, so that a failure is always about a value, its order, or its placement."""
ALPHANUMERIC = string.ascii_letters + string.digits
CLOCK_RANGE = (1_500_000_000_000, 2_000_000_000_000)
"""Milliseconds since the epoch: 2017 to 2033, so that a clock in seconds is always told apart."""
WINDOWS = {"ms": (5000, 60000), "s": (10, 60)}
"""Window values per carrier unit, within every scheme's cap."""
SEPARATORS = ((",", ":"), (", ", ": "))
"""A JSON body compact, or spaced as Python's `json.dumps` writes it: a scheme signs either exactly as sent."""

PIECES: tuple[str, ...] = ("a", "B", "1", *(text for texts in CHARACTER_CLASSES.values() for text in texts if text))
"""What a text value is made of: letters and digits first (what shrinking moves towards), then each class's text."""
MOST_PIECES = 6
MAX_PARAMS = 4
MOST_ITEMS = 3
"""The most items of a `key[]` array, a JSON array or a JSON object."""
JSON_DEPTH = 2
"""How deep arrays and objects nest in a JSON value, where the scheme nests JSON."""
NONCE_LENGTH = 32
TRUE_CHANCE = 0.75
"""How often `SeededChoices.boolean` answers True: "one more?" three times in four (an input then holds a given
character class about four times as often as with a fair coin)."""


# --- the two sources of choices -------------------------------------------------------------------------------------


class Choices(Protocol):
    """Where the construction's choices come from: an integer between two bounds (both included), or a boolean."""

    def integer(self, low: int, high: int) -> int: ...

    def boolean(self) -> bool: ...


@cache
def integers_between(low: int, high: int) -> st.SearchStrategy[int]:
    """`st.integers(low, high)`, made once per pair of bounds."""
    return st.integers(low, high)


class DrawnChoices:
    """Choices drawn by Hypothesis, one Hypothesis choice per primitive: Hypothesis shrinks the construction's own
    choices, and replays a sequence `SeededChoices` recorded as it stands."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(integers_between(low, high))

    def boolean(self) -> bool:
        return self.draw(st.booleans())


class SeededChoices:
    """Choices from a `random.Random` seeded with `seed`, recorded in `made` in the order made (an int per
    `integer`, a bool per `boolean`): what `hypothesis.database.choices_to_bytes` takes.

    Integers are uniform; a boolean is True `TRUE_CHANCE` of the time, so
    that lists (of pieces, of parameters) run longer than a fair coin makes
    them and each input holds more character classes; Hypothesis's shrinking
    shortens them again.
    """

    __slots__ = ("_random", "made")

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random
        self.made: list[int | bool] = []

    def integer(self, low: int, high: int) -> int:
        value = low + int(self._random() * (high - low + 1))
        self.made.append(value)
        return value

    def boolean(self) -> bool:
        value = self._random() < TRUE_CHANCE
        self.made.append(value)
        return value


@st.composite
def built(draw: st.DrawFn, build: Callable[[Choices], T]) -> T:
    """The Hypothesis strategy of a construction: `build` over Hypothesis's choices."""
    return build(DrawnChoices(draw))


# --- the construction -----------------------------------------------------------------------------------------------


def pick(choices: Choices, options: Sequence[T]) -> T:
    """One of `options` (a choice of its index; none is made when there is one option)."""
    return options[choices.integer(0, len(options) - 1)] if len(options) > 1 else options[0]


def repeated(choices: Choices, build: Callable[[Choices], T], most: int, least: int = 0) -> list[T]:
    """`least` to `most` items from `build`: past `least`, each item follows a `boolean()` "one more?", as in
    Hypothesis's lists, so that shrinking drops an item by dropping its choices. The question is asked once more
    when the list is full (its answer then ends the list either way, as Hypothesis's forced stop does): dropping an
    item of a full list leaves that answer where the list now asks, and it can be False."""
    items = [build(choices) for _ in range(least)]
    while choices.boolean() and len(items) < most:
        items.append(build(choices))
    return items


def piece(choices: Choices) -> str:
    """One of `PIECES`."""
    return pick(choices, PIECES)


def text_value(choices: Choices) -> str:
    """Text joined from `PIECES`: letters, digits and every character class (the empty text included)."""
    return "".join(repeated(choices, piece, MOST_PIECES))


def number_text(choices: Choices) -> str:
    """One of `NUMBER_TEXTS`."""
    return pick(choices, NUMBER_TEXTS)


def boolean_text(choices: Choices) -> str:
    """One of `BOOLEAN_TEXTS`."""
    return pick(choices, BOOLEAN_TEXTS)


VALUE_KINDS = (text_value, number_text, boolean_text)


def value(choices: Choices) -> str:
    """A parameter value: text from the character classes, number text, or boolean text."""
    return pick(choices, VALUE_KINDS)(choices)


def json_literal(choices: Choices, nested: bool, depth: int = JSON_DEPTH) -> str:
    """A JSON value as the text sent: a string from `value`, a number literal, a boolean or null, and, when the
    scheme nests JSON, arrays and objects of them (`JSON_DEPTH` deep; an object's keys are unique)."""
    kind = choices.integer(0, 4 if nested and depth > 0 else 2)
    if kind == 0:
        return json.dumps(value(choices), ensure_ascii=False)
    if kind == 1:
        return pick(choices, JSON_NUMBERS)
    if kind == 2:
        return pick(choices, JSON_CONSTANTS)
    inner = partial(json_literal, nested=nested, depth=depth - 1)
    if kind == 3:
        return "[" + ",".join(repeated(choices, inner, MOST_ITEMS)) + "]"
    members = repeated(choices, lambda more: (pick(more, KEYS), inner(more)), MOST_ITEMS)
    return json_object(list(dict(members).items()))


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


@cache
def drawable_keys(scheme_name: str) -> tuple[str, ...]:
    """The `KEYS` a scheme's drawn parameters take: those its carriers and signature leave free."""
    reserved = reserved_keys(scheme_named(scheme_name))
    return tuple(key for key in KEYS if key not in reserved)


def request_params(choices: Choices, scheme: Scheme, json_body: bool) -> list[Param]:
    """The request's own parameters, in the order chosen: plain keys (repeated only where the scheme allows it),
    `key[]` arrays where the scheme writes them, JSON literals in a JSON body."""
    keys = drawable_keys(scheme.name)
    pairs = repeated(choices, lambda more: (pick(more, keys), value(more)), MAX_PARAMS)
    if not scheme.surface.repeated_keys or json_body:
        pairs = list({key: (key, text) for key, text in pairs}.values())
    if json_body:
        nested = scheme.surface.nested_json
        return [Param(key, text, json_literal(choices, nested) if choices.boolean() else None) for key, text in pairs]
    params = [Param(key, text) for key, text in pairs]
    if scheme.surface.bracket_arrays and choices.boolean():
        params += [Param("list[]", text) for text in repeated(choices, value, MOST_ITEMS, least=1)]
    return params


def nonce(choices: Choices) -> str:
    """A header nonce: 1 to `NONCE_LENGTH` letters and digits."""
    return "".join(repeated(choices, lambda more: pick(more, ALPHANUMERIC), NONCE_LENGTH, least=1))


def build_input(
    choices: Choices,
    scheme_name: str,
    credentials: Sequence[Mapping[str, str]] | None = None,
    options: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A vector `input` for `scheme_name` built from `choices` (see the module docstring).

    `credentials` are the key pairs to sign with (default: the corpus's test
    keys for the scheme, which `sigvec serve` knows); `options` are the option
    readings to sign under (default: the scheme's defaults).
    """
    scheme = scheme_named(scheme_name)
    if not scheme.surface.routes:
        raise ValueError(f"{scheme_name}: the registry declares no surface (routes) to draw inputs from")
    route = pick(choices, scheme.surface.routes)
    placement = pick(choices, route.placements)
    chosen = pick(choices, list(credentials) if credentials is not None else test_credentials(scheme_name))
    timestamp = choices.integer(*CLOCK_RANGE)
    json_body = placement.endswith("json")
    params = request_params(choices, scheme, json_body)
    for carried in carried_params(scheme, chosen, timestamp):
        where = choices.integer(0, len(params))
        params.insert(where, carried if json_body or carried.literal is None else Param(carried.key, carried.value))
    if scheme.window is not None and scheme.window.where == "param" and choices.boolean():
        window = Param(scheme.window.name, str(pick(choices, WINDOWS["ms"])))
        params.insert(choices.integer(0, len(params)), window)
    data: dict[str, Any] = {
        "scheme": scheme_name,
        "credentials": dict(chosen),
        "method": route.method,
        "path": route.path,
        "timestamp": timestamp,
    }
    split = len(params) if placement == "query" else 0
    if "+" in placement and len(params) > 1:  # both parts carry parameters (one part alone is another placement)
        split = choices.integer(1, len(params) - 1)
    query, body = params[:split], params[split:]
    if query:
        data["query"] = [[param.key, param.value] for param in query]
    if placement.endswith("form") and body:
        data["body"] = {"form": [[param.key, param.value] for param in body]}
    elif json_body:
        separators = pick(choices, SEPARATORS)
        data["body"] = {"json_text": json_object([(param.key, param.json_text()) for param in body], separators)}
    if scheme.nonce is not None and scheme.nonce.where == "header":
        data["nonce"] = nonce(choices)
    if scheme.window is not None and scheme.window.where == "header" and choices.boolean():
        data["window"] = pick(choices, WINDOWS[scheme.window.unit])
    if options:
        data["options"] = dict(options)
    return data


# --- the public strategies: the construction over Hypothesis's choices ----------------------------------------------


def inputs(
    scheme_name: str,
    credentials: Sequence[Mapping[str, str]] | None = None,
    options: Mapping[str, str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Vector `input`s for `scheme_name`, drawn from its declared surface (see the module docstring).

    `credentials` are the key pairs to sign with (default: the corpus's test
    keys for the scheme, which `sigvec serve` knows); `options` are the option
    readings to sign under (default: the scheme's defaults).
    """
    return built(partial(build_input, scheme_name=scheme_name, credentials=credentials, options=options))


@cache
def text_values() -> st.SearchStrategy[str]:
    """Text joined from `PIECES`: letters, digits and every character class (the empty text included)."""
    return built(text_value)


@cache
def values() -> st.SearchStrategy[str]:
    """A parameter value: text from the character classes, number text, or boolean text."""
    return built(value)


@cache
def json_literals(nested: bool) -> st.SearchStrategy[str]:
    """A JSON value as the text sent: strings from `values`, number literals, booleans, null, and, when the
    scheme nests JSON, arrays and objects of them."""
    return built(partial(json_literal, nested=nested))


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
