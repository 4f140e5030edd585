"""Reading requests where no mapping is involved: raw HTTP/1.1 as captured from a client, and carriers.

`request_from_http` gives the `HttpRequest` a server sees (the JSON wire form
is read by `sigvec.codec.wire_from_mapping`); `read_carrier` then finds the value
a scheme's registry entry says travels in a header or parameter, and `request_time_ms`
the request's own clock. Anything malformed is refused with
a `WireFormatError` that names the field and the rule; nothing here raises
anything else on any input.
"""

from __future__ import annotations

from signing.http import MAX_CLOCK_DIGITS, MAX_LENGTH_DIGITS, HttpRequest
from signing.model import Param, is_text
from signing.registry import Carrier

METHODS = ("GET", "POST", "PUT", "DELETE")
UNIT_MS = {"ms": 1, "s": 1000}


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


def request_from_http(raw: bytes) -> HttpRequest:
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
    if not target.startswith("/") and "://" not in target:
        raise WireFormatError("http.target", "must be in origin form (/path?query) or absolute form")
    return HttpRequest(method, target, tuple(headers), body)


def received_params(received: HttpRequest) -> tuple[Param, ...]:
    """The decoded query pairs, then the decoded form-body pairs (a JSON body has none)."""
    return received.view.query_pairs + received.view.form_pairs


def read_carrier(received: HttpRequest, carrier: Carrier | None) -> str | None:
    """A carrier's value as received: a header, or a parameter of the query, form body or JSON body."""
    if carrier is None:
        return None
    if carrier.where == "header":
        return received.header(carrier.name)
    found = dict(reversed(received_params(received))).get(carrier.name)
    if found is None and carrier.where == "payload":
        found = json_member(received, carrier.name)
    return found


def request_time_ms(received: HttpRequest, carrier: Carrier) -> int | None:
    """The request's own clock in ms, read through `carrier`; None when it carries none in whole units of ASCII digits."""
    text = read_carrier(received, carrier)
    if text is None or not text.isascii() or not text.isdigit() or len(text) > MAX_CLOCK_DIGITS:
        return None
    return int(text) * UNIT_MS.get(carrier.unit, 1)


def json_member(received: HttpRequest, name: str) -> str | None:
    """A top-level member of a JSON object body, as text; None when the body is not one or lacks it."""
    value = received.view.json
    item = value.get(name) if isinstance(value, dict) else None
    return None if item is None else str(item)
