"""Reading wire requests: the JSON form of `expected.wire`, and raw HTTP/1.1 as captured from a client.

Both give a `Received`, what a server sees; `read_carrier` then finds the value
a scheme's registry entry says travels in a header or parameter, and `request_time_ms`
the request's own clock. Anything malformed is refused with
a `WireFormatError` that names the field and the rule; nothing here raises
anything else on any input.
"""

from __future__ import annotations

import json
from itertools import chain

from signing.encoding import split_pairs
from signing.model import MAPPINGS, Param, Received, WireRequest, is_text, received_from_wire
from signing.registry import Carrier

METHODS = ("GET", "POST", "PUT", "DELETE")
WIRE_FIELDS = frozenset({"method", "url", "headers", "body"})
MAX_LENGTH_DIGITS = 15
UNIT_MS = {"ms": 1, "s": 1000}
MAX_CLOCK_DIGITS = 20


def real_text(value: str, where: str) -> str:
    """`value`, refused when it holds a lone surrogate (JSON's \\ud800 escapes decode to one; it is not text)."""
    if not is_text(value):
        raise WireFormatError(where, "holds a lone surrogate, which is not text")
    return value


class WireFormatError(ValueError):
    """A wire request that cannot be read. `field` names where, `rule` says why."""

    def __init__(self, field_name: str, rule: str) -> None:
        super().__init__(f"{field_name}: {rule}")
        self.field = field_name
        self.rule = rule


def wire_from_mapping(data: object, where: str = "wire") -> WireRequest:
    """A `WireRequest` from `{method, url, headers, body}`, exactly as in a vector's `expected.wire`.

    `headers` is a mapping (as in vectors) or a list of `[name, value]` pairs,
    which keeps order and duplicates.
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
    return WireRequest(method, url, header_pairs(data.get("headers"), f"{where}.headers"), body)


def header_pairs(raw: object, where: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    items = list(raw.items()) if isinstance(raw, MAPPINGS) else raw
    if not isinstance(items, list):
        raise WireFormatError(where, "must be a mapping of names to values, or a list of [name, value] pairs")
    for index, item in enumerate(items):
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str) or not isinstance(item[1], str):
            raise WireFormatError(f"{where}[{index}]", "must be a [name, value] pair of strings")
    pairs = tuple((name, value) for name, value in items)
    if not is_text("".join(chain.from_iterable(pairs))):
        for index, (name, value) in enumerate(pairs):  # only to name the header that holds the lone surrogate
            real_text(name + value, f"{where}[{index}]")
    return pairs


def received_from_mapping(data: object, where: str = "wire") -> Received:
    """What a server receives for the JSON wire form `data`."""
    return received_from_wire(wire_from_mapping(data, where))


def received_from_http(raw: bytes) -> Received:
    """A raw HTTP/1.1 request (request line, headers, blank line, body) as a server receives it.

    The request target must be in origin form (`/path?query`) or absolute form;
    header lines keep their order and duplicates. The body is every byte after
    the blank line, cut to `Content-Length` when that header is present.
    """
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = raw.partition(b"\n\n")
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise WireFormatError("http.request_line", "must be 'METHOD TARGET HTTP/1.1'")
    method, target, _ = parts
    if method not in METHODS:
        raise WireFormatError("http.method", f"must be one of {', '.join(METHODS)}")
    headers = []
    for number, line in enumerate(lines[1:], start=2):
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise WireFormatError(f"http.line {number}", "a header line must be 'Name: value'")
        headers.append((name, value.strip(" \t")))
    length = next((value for name, value in headers if name.lower() == "content-length"), None)
    if length is not None:
        if not length.isascii() or not length.isdigit() or len(length) > MAX_LENGTH_DIGITS:
            raise WireFormatError("http.Content-Length", f"must be a whole number of bytes (at most {MAX_LENGTH_DIGITS} digits)")
        if int(length) > len(body):
            raise WireFormatError("http.body", f"is shorter than its Content-Length ({len(body)} < {length})")
        body = body[: int(length)]
    if target.startswith("/") or "://" in target:
        received = received_from_wire(WireRequest(method, target, ()))
    else:
        raise WireFormatError("http.target", "must be in origin form (/path?query) or absolute form")
    return Received(method, received.path, received.query, tuple(headers), body)


def received_params(received: Received) -> tuple[Param, ...]:
    """The decoded query pairs, then the decoded form-body pairs (a JSON body has none)."""
    body = received.body.decode("utf-8", "surrogateescape")
    form = () if body.lstrip().startswith(("{", "[")) else split_pairs(body)
    return split_pairs(received.query) + form


def read_carrier(received: Received, carrier: Carrier | None) -> str | None:
    """A carrier's value as received: a header, or a parameter of the query, form body or JSON body."""
    if carrier is None:
        return None
    if carrier.where == "header":
        return received.header(carrier.name)
    found = dict(reversed(received_params(received))).get(carrier.name)
    if found is None and carrier.where == "payload":
        found = json_member(received.body, carrier.name)
    return found


def request_time_ms(received: Received, carrier: Carrier) -> int | None:
    """The request's own clock in ms, read through `carrier`; None when it carries none in whole units of ASCII digits."""
    text = read_carrier(received, carrier)
    if text is None or not text.isascii() or not text.isdigit() or len(text) > MAX_CLOCK_DIGITS:
        return None
    return int(text) * UNIT_MS.get(carrier.unit, 1)


def json_member(body: bytes, name: str) -> str | None:
    """A top-level member of a JSON object body, as text; None when the body is not one or lacks it."""
    try:
        value = json.loads(body or b"null")
    except ValueError:
        return None
    item = value.get(name) if isinstance(value, dict) else None
    return None if item is None else str(item)
