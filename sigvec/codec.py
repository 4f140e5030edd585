"""The one codec between the model and mappings (JSON and YAML): requests, stages, wire requests, verdicts.

Reading: a vector's `input` is `signing.model.request_from_mapping`; its
`expected` is `signed_from_mapping`; a wire request (`vectors/wire.schema.json`)
is `wire_from_mapping`. Writing: `wire_to_mapping`, `signed_to_mapping` and
`verdict_to_mapping`. Stages that a scheme marks as
carrying the secret (`Scheme.secret_stages`) are written with the secret cut
off structurally (`secret_free`), never by searching the text for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from decimal import Decimal
from itertools import chain
from typing import Any

import yaml

from signing.http import HttpRequest
from signing.model import MAPPINGS, STAGE_NAMES, Request, Signed, SigningError, Stages, is_text, request_from_mapping
from signing.registry import SCHEMES
from signing.server import Verdict
from sigvec.wire import METHODS, WireFormatError, real_text

SECRET_CUT = "<secret>"
WIRE_FIELDS = frozenset({"method", "url", "headers", "body"})
MAX_DEPTH = 64
MAX_EXPONENT = 1000
PARSE_RECURSION_LIMIT = 5000


class StrictLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses aliases (no self-reference, no alias bombs) and duplicate mapping keys."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {str(key)[:40]!r}", key_node.start_mark)
            seen.add(key if isinstance(key, (str, int, bool)) else id(key_node))
        return super().construct_mapping(node, deep=deep)


LARGEST_INT = 10**4300
"""Past it an integer has more digits than Python writes out (its `int` text limit): YAML's hex and octal forms reach it."""


def construct_bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """A YAML integer, refused when it has more digits than any encoder here can write out."""
    value: int = loader.construct_yaml_int(node)
    if abs(value) >= LARGEST_INT:
        raise yaml.constructor.ConstructorError(None, None, "an integer has more than 4300 digits", node.start_mark)
    return value


StrictLoader.add_constructor("tag:yaml.org,2002:int", construct_bounded_int)


def yaml_problem(error: BaseException) -> str:
    """One line for a YAML error: the rule and the line, never the offending text (it may be a secret)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "not valid YAML"
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def parse_yaml(text: str) -> Any:
    """YAML text read strictly; any failure is a `ValueError` with a one-line, secret-free message."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as error:
        raise ValueError(yaml_problem(error)) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError:
        raise ValueError("a number has too many digits") from None


@contextmanager
def parser_depth() -> Iterator[None]:
    """Room for the JSON and YAML parsers to read documents deeper than MAX_DEPTH, so that
    `bounded` can name the field that is too deep instead of failing on the whole input."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, PARSE_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def parse_document(text: str) -> Any:
    """JSON first, so that a JSON number stays a number (YAML would read 1e-05 as text), else strict YAML.

    Failures are a `ValueError` with one line that never quotes the text.
    """
    try:
        with parser_depth():
            return json.loads(text)
    except json.JSONDecodeError:
        pass
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError:
        raise ValueError("a number has too many digits") from None
    try:
        return parse_yaml(text)
    except ValueError as error:
        raise ValueError(f"not valid JSON or YAML: {error}") from None


def bounded(value: object, where: str, depth: int = 0) -> None:
    """Refuse text no encoder can write (lone surrogates), nesting deeper than MAX_DEPTH, and huge exponents."""
    if depth > MAX_DEPTH:
        field = where.split(".")[0].split("[")[0]
        raise SigningError(field, f"is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
            raise SigningError(where, "holds a lone surrogate, which is not text")
    elif isinstance(value, Decimal):
        if value.is_finite() and abs(value.adjusted()) > MAX_EXPONENT:
            raise SigningError(where, f"has an exponent beyond {MAX_EXPONENT}; write the number out")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            bounded(key, f"{where}.(key)", depth + 1)
            bounded(item, f"{where}.{key}" if isinstance(key, str) and key.isidentifier() else where, depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            bounded(item, f"{where}[{index}]", depth + 1)


def json_text_value(text: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal)
    except RecursionError:
        raise SigningError("body.json_text", "is nested too deeply") from None
    except ValueError:
        raise SigningError("body.json_text", "is not valid JSON, or a number in it has too many digits") from None


def request_from_input(data: object) -> Request:
    """A `Request` from an input mapping (a vector's `input`, or `sigvec sign`'s stdin), within the tooling's bounds.

    On top of `signing.model.request_from_mapping`: text must be real text,
    nesting and numbers are bounded, the method is one of GET, POST, PUT,
    DELETE, and clock values are not negative.
    """
    if isinstance(data, Mapping):
        for key in ("scheme", "credentials", "method", "path", "query", "body", "timestamp", "nonce", "window", "options"):
            bounded(data.get(key), key)
        body = data.get("body")
        if isinstance(body, Mapping) and isinstance(body.get("json_text"), str):
            bounded(json_text_value(body["json_text"]), "body.json_text")
        if isinstance(data.get("method"), str) and data["method"] not in METHODS:
            raise SigningError("method", f"must be one of {', '.join(METHODS)}")
        for name in ("timestamp", "window"):
            value = data.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                raise SigningError(name, "must not be negative")
    return request_from_mapping(data)


def stages_from_mapping(data: Mapping[str, Any], where: str) -> Stages:
    values: dict[str, str] = {}
    for name in STAGE_NAMES:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise SigningError(f"{where}.{name}", "must be text")
        if value is not None:
            values[name] = value
    return Stages(**values)


def signed_from_mapping(data: Mapping[str, Any], where: str = "expected") -> Signed:
    """Expected stages and wire request, as a vector's `expected` records them."""
    return Signed(stages_from_mapping(data, where), wire_from_mapping(data.get("wire"), f"{where}.wire"))


def wire_from_mapping(data: object, where: str = "wire", header_pairs_allowed: bool = False) -> HttpRequest:
    """An `HttpRequest` from the wire form `{method, url, headers, body}` (`vectors/wire.schema.json`).

    `headers` is a mapping of names to values. Only at the protocol edge (a
    harness's reply, `header_pairs_allowed`) may it also be a list of
    `[name, value]` pairs, which keeps order and duplicates.
    """
    if not isinstance(data, MAPPINGS):
        raise WireFormatError(where, "must be a mapping with method, url, headers and body")
    if not WIRE_FIELDS.issuperset(data):
        unknown = sorted(set(data) - WIRE_FIELDS)[0]
        raise WireFormatError(f"{where}.{unknown}", "is not a wire field; known fields are method, url, headers, body")
    method, url, body = data.get("method"), data.get("url"), data.get("body")
    if not isinstance(method, str) or method not in METHODS:
        raise WireFormatError(f"{where}.method", f"must be one of {', '.join(METHODS)}")
    if not isinstance(url, str) or not url:
        raise WireFormatError(f"{where}.url", "must be the request URL as text")
    if body is not None and not isinstance(body, str):
        raise WireFormatError(f"{where}.body", "must be the exact body text, or null")
    real_text(url, f"{where}.url")
    if body is not None:
        real_text(body, f"{where}.body")
    headers = header_pairs(data.get("headers"), f"{where}.headers", header_pairs_allowed)
    return HttpRequest.from_text(method, url, headers, body)


def header_pairs(raw: object, where: str, pairs_allowed: bool) -> tuple[tuple[str, str], ...]:
    """The wire form's header mapping as pairs, in order; with `pairs_allowed`, a list of pairs is taken as it is."""
    if raw is None:
        return ()
    items = list(raw.items()) if isinstance(raw, MAPPINGS) else raw
    if not isinstance(items, list) or (not pairs_allowed and not isinstance(raw, MAPPINGS)):
        rule = "a mapping of names to values" + (", or a list of [name, value] pairs" if pairs_allowed else "")
        raise WireFormatError(where, f"must be {rule}")
    for index, item in enumerate(items):
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str) or not isinstance(item[1], str):
            raise WireFormatError(f"{where}[{index}]", "must be a [name, value] pair of strings")
    pairs = tuple((name, value) for name, value in items)
    if not is_text("".join(chain.from_iterable(pairs))):
        for index, (name, value) in enumerate(pairs):  # only to name the header that holds the lone surrogate
            real_text(name + value, f"{where}[{index}]")
    return pairs


def wire_to_mapping(wire: HttpRequest) -> dict[str, Any]:
    """The wire form of a request: headers as a mapping, a header sent more than once as its values joined with
    ", " in order (RFC 9110, section 5.3, "Field Order"), and the body as text (null when there is none)."""
    headers: dict[str, str] = {}
    for name, value in wire.headers:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return {"method": wire.method, "url": wire.target, "headers": headers, "body": wire.text}


def secret_free(stage: str, text: str, secret: str, secret_stages: tuple[str, ...]) -> str:
    """`text` of `stage`, with the secret cut off when the scheme puts it there.

    A secret-bearing stage ends with the secret (`...&secret_key=SECRET`), so
    the cut is structural: the stage's last len(secret) characters are
    replaced, and nothing else is touched.
    """
    if stage not in secret_stages:
        return text
    if text.endswith(secret):
        return text[: len(text) - len(secret)] + SECRET_CUT
    return SECRET_CUT


SECRET_FIELDS = ("credentials.secret", *sorted({stage for scheme in SCHEMES.values() for stage in scheme.secret_stages}))


def secret_free_error(error: SigningError) -> str:
    """A signing error's line; for a field that holds (part of) the secret, its name only, never the rule's detail."""
    if error.field in SECRET_FIELDS:
        return f"{error.field}: is refused by the scheme (details withheld: they would quote the secret)"
    return str(error)


def stages_to_mapping(stages: Stages, secret: str = "", secret_stages: tuple[str, ...] = ()) -> dict[str, str]:
    """The filled stages, in pipeline order; secret-bearing ones cut with `secret_free`."""
    result = {}
    for item in fields(stages):
        value = getattr(stages, item.name)
        if value is not None:
            result[item.name] = secret_free(item.name, value, secret, secret_stages)
    return result


def signed_to_mapping(signed: Signed, secret: str = "", secret_stages: tuple[str, ...] = ()) -> dict[str, Any]:
    """`expected`-shaped mapping of a signed request (the wire carries no secret in any scheme)."""
    return {**stages_to_mapping(signed.stages, secret, secret_stages), "wire": wire_to_mapping(signed.wire)}


def verdict_to_mapping(verdict: Verdict) -> dict[str, Any]:
    """The verdict as `sigvec verify` prints it; the server's rebuilt stages are never printed (they may hold the secret)."""
    if verdict.rejection is None:
        return {"verdict": "accepted"}
    rejection = verdict.rejection
    return {
        "verdict": "rejected",
        "code": rejection.code,
        "reason": rejection.reason,
        "step": verdict.step,
        "http_status": rejection.http_status,
        "body": rejection.body,
    }
