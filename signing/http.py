"""The one HTTP request type, what the signer sends and what a server receives, and the limits a server reads it within.

An `HttpRequest` is the method, the request target exactly as sent (absolute
form `https://host/path?query` as a client addresses it, or origin form
`/path?query` as a server's request line carries it), the header lines in
order with their duplicates, and the body bytes. The signer's output, the
verifier's input, the gate's answer, a captured request and a recorded one
are all this type; nothing converts between request forms. Its parsed view
(`path`, `query`, the decoded query and form pairs, the JSON value of the
body) is computed once, on first use, and kept: a server never depends on the
host a client sent to, so the view drops the scheme, the authority and any
fragment.

The record is a value, slotted but not frozen (see `signing.model`): nothing
changes one after it is made; `dataclasses.replace` makes a changed copy,
with a view of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from signing.encoding import split_pairs

MAX_TARGET_CHARS = 8192
"""The longest request target (path and query) read: Apache's `LimitRequestLine` is 8190 bytes, nginx's buffer 8 KB."""

MAX_HEADER_CHARS = 8192
"""The longest header value read: Apache's `LimitRequestFieldSize` is 8190 bytes, nginx's buffer 8 KB."""

MAX_FORM_CHARS = 32768
"""The longest query or form body decoded into pairs (Jetty refuses form bodies over 200,000 bytes by default).

Percent-decoding is the slowest step a verifier takes (about 0.5 us a byte);
this bound keeps any one call well under 50 ms.
"""

MAX_PARAMS = 1000
"""The most `k=v` pairs a verifier reads from one query or form body (Jetty's default `maxFormKeys`)."""

MAX_CLOCK_DIGITS = 19
"""The most digits a clock or window value may have: more than any epoch-millisecond clock needs (a signed 64-bit
integer has 19), and far fewer than `int()` refuses. The verifiers and the mock server's request clock both read it."""

MAX_LENGTH_DIGITS = 15
"""The most digits a `Content-Length` may have in a raw HTTP request read from a file."""

MAX_JSON_DEPTH = 64
"""The deepest nesting of a JSON body that is read; deeper is `NOT_JSON` (so nothing later recurses deeply over it)."""

Header = tuple[str, str]


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: object = _NotJson()
"""What `json_or_none` gives for text that is not JSON within the limits."""


def json_or_none(text: str | bytes, max_depth: int = MAX_JSON_DEPTH, number: Callable[[str], Decimal] = Decimal) -> object:
    """`text` parsed as JSON (numbers with a fraction or exponent through `number`, Decimal unless a caller keeps
    their text another way), or `NOT_JSON`: the one JSON-body reader.

    Refused as `NOT_JSON`: text that is not JSON, an integer too long for
    `int()`, nesting deep enough to exhaust the parser's recursion, and any
    value nested more than `max_depth` levels.
    """
    try:
        value = json.loads(text, parse_float=number)
    except (ValueError, RecursionError):
        return NOT_JSON
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                return NOT_JSON
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return value


@dataclass(slots=True)
class View:
    """The parsed view of a request: the origin-form path and query as sent, and the body read as form or JSON."""

    path: str
    query: str
    body: bytes
    _query_pairs: tuple[tuple[str, str], ...] | None = None
    _form_pairs: tuple[tuple[str, str], ...] | None = None
    _json: object = None
    _json_read: bool = False

    @property
    def query_pairs(self) -> tuple[tuple[str, str], ...]:
        """The query decoded into pairs (`split_pairs`), in order."""
        if self._query_pairs is None:
            self._query_pairs = split_pairs(self.query)
        return self._query_pairs

    @property
    def form_pairs(self) -> tuple[tuple[str, str], ...]:
        """The body decoded as a form into pairs; none for a body that looks like JSON (starts with `{` or `[`)."""
        if self._form_pairs is None:
            text = self.body.decode("utf-8", "surrogateescape")
            self._form_pairs = () if text.lstrip().startswith(("{", "[")) else split_pairs(text)
        return self._form_pairs

    @property
    def json(self) -> object:
        """The body's JSON value (`json_or_none`), `NOT_JSON` unless it starts like an object or array."""
        if not self._json_read:
            looks_like_json = self.body.lstrip()[:1] in (b"{", b"[")
            self._json = json_or_none(self.body.decode("utf-8", "replace")) if looks_like_json else NOT_JSON
            self._json_read = True
        return self._json


def origin_form(target: str) -> tuple[str, str]:
    """The path (`/` when empty) and the query (without its `?`) a server reads from `target`.

    The scheme and authority of an absolute-form target are dropped (any host will do), and a fragment never
    leaves the client.
    """
    url = target.partition("#")[0]
    if "://" in url:
        after_scheme = url.partition("://")[2]
        slash = after_scheme.find("/")
        question = after_scheme.find("?")
        starts = [index for index in (slash, question) if index >= 0]
        url = after_scheme[min(starts) :] if starts else ""
    path, _, query = url.partition("?")
    return path or "/", query


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request: method, request target as sent, header lines in order, body bytes (see the module notes)."""

    method: str
    target: str
    headers: tuple[Header, ...] = ()
    body: bytes = b""
    _view: View | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_text(cls, method: str, target: str, headers: tuple[Header, ...], body: str | None = None) -> HttpRequest:
        """A request whose body is `body` as UTF-8 (none for None or ''); a lone surrogate is kept as the bytes
        Python would write for it, never refused: a verifier must see garbage as garbage."""
        return cls(method, target, headers, body.encode("utf-8", "surrogatepass") if body else b"")

    @property
    def view(self) -> View:
        """The parsed view, computed on first use and kept."""
        if self._view is None:
            path, query = origin_form(self.target)
            self._view = View(path, query, self.body)
        return self._view

    @property
    def path(self) -> str:
        """The path as sent, not decoded (`/` when the target has none)."""
        return self.view.path

    @property
    def query(self) -> str:
        """The query as sent, not decoded, without its `?` ('' when there is none)."""
        return self.view.query

    @property
    def origin(self) -> str:
        """The origin-form target, as on a server's request line: the path, then `?` and the query if there is one."""
        view = self.view
        return f"{view.path}?{view.query}" if view.query else view.path

    @property
    def text(self) -> str | None:
        """The body as text, None when there is none: the text `from_text` was given (a lone surrogate included);
        bytes that are not UTF-8 at all are shown as U+FFFD."""
        if not self.body:
            return None
        try:
            return self.body.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return self.body.decode("utf-8", "replace")

    def with_origin(self, path: str | None = None, query: str | None = None) -> HttpRequest:
        """A copy in origin form, with `path` and/or `query` (without its `?`) in place of this request's."""
        path = self.path if path is None else path
        query = self.query if query is None else query
        return HttpRequest(self.method, f"{path}?{query}" if query else path, self.headers, self.body)

    def header(self, name: str) -> str | None:
        """The first value of a header, matched case-insensitively as HTTP does."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of a header, in the order sent."""
        wanted = name.lower()
        return tuple([value for key, value in self.headers if key.lower() == wanted])
