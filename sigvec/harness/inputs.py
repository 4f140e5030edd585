"""What a Python client harness reads from a vector's input, and how it keeps a client offline: stdlib only.

A harness runs with its client's own interpreter, so this module may import
nothing but the standard library and `sigvec.harness.protocol`. It turns a
vector's `input` into what a caller hands a client (pairs in order, a dict,
a decoded JSON body); whatever a client's shape cannot carry (a repeated name
in a dict, a form body for a query-string client) is `Skipped` with the
reason, never silently changed. It pins a client's clock to the vector's
milliseconds, keeps proxies out of the way of loopback requests, and records
whether a request went out, so that a client that chokes on the loopback
server's answer still counts as having sent it.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from sigvec import Skipped
from sigvec.harness.protocol import serve

Pairs = list[tuple[str, str]]
QUERY_ONLY_FORM = "the client sends every parameter in the query string; it cannot send a form body"
"""Why a query-string client skips a form-body vector: the same words in the Node kit and the docs' contract page."""
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def query_pairs(data: Mapping[str, Any]) -> Pairs:
    """The query parameters, in order, as (name, value) text pairs."""
    return [(str(name), str(value)) for name, value in data.get("query") or []]


def body_kind(data: Mapping[str, Any]) -> str | None:
    """Which body the vector carries: `form`, `json`, `json_text`, `text`, or None."""
    body = data.get("body")
    return next(iter(body)) if body else None


def form_pairs(data: Mapping[str, Any]) -> Pairs:
    """The form body parameters, in order, as (name, value) text pairs."""
    return [(str(name), str(value)) for name, value in data["body"]["form"]]


def json_body(data: Mapping[str, Any]) -> Any:
    """The JSON body as a value, key order kept (`json_text` is parsed: the client re-serialises it); None without a body."""
    body = data.get("body")
    if not body:
        return None
    if "json" in body:
        return body["json"]
    if "json_text" in body:
        return json.loads(body["json_text"])
    raise Skipped(f"the vector's body is {body_kind(data)}; this client sends JSON bodies only")


def as_dict(pairs: Iterable[tuple[str, str]], where: str) -> dict[str, str]:
    """Pairs as a dict, for clients that take a mapping; a repeated name cannot be expressed."""
    result: dict[str, str] = {}
    for name, value in pairs:
        if name in result:
            raise Skipped(f"{where} repeats {name!r}; this client takes parameters as a mapping")
        result[name] = value
    return result


def drop_added(pairs: Pairs, added: Mapping[str, str]) -> Pairs:
    """The pairs without the ones the client adds itself (its key, its clock), which must agree with them.

    A vector lists every parameter that is signed; a client adds some of them
    on its own. A listed value the client would not produce (another key, a
    clock in another unit) cannot be expressed through the client.
    """
    kept: Pairs = []
    for name, value in pairs:
        if name in added:
            if value != added[name]:
                raise Skipped(f"the vector's {name}={value!r} differs from what the client adds ({added[name]!r})")
            continue
        kept.append((name, value))
    return kept


def query_params(data: Mapping[str, Any], clock_param: str | None) -> Pairs:
    """The query parameters a caller hands a client that puts every parameter in the query string.

    The contract's one rule for such a client: a vector with a form body is
    skipped, never sent with its form parameters moved into the query (that
    would be another request, which the vector does not describe).
    The clock parameter (`timestamp` on MEXC spot) is the client's own work:
    the harness pins the client's clock to it instead of passing it.
    """
    if body_kind(data) == "form":
        raise Skipped(QUERY_ONLY_FORM)
    return [pair for pair in query_pairs(data) if pair[0] != clock_param]


def call_params(data: Mapping[str, Any], clock_param: str | None) -> tuple[str, dict[str, Any]]:
    """What a caller hands a query-string client: `("json", body)` for a POST with a JSON body, else `("params", query)`."""
    if body_kind(data) in (None, "form"):
        return "params", as_dict(query_params(data, clock_param), "the query")
    body = json_body(data)
    if data["method"] != "POST":
        raise Skipped("the client sends a JSON body only with POST")
    if query_pairs(data):
        raise Skipped("this harness passes the client's parameters as the query or as a JSON body, not both")
    return "json", body


def pinned_timestamp(data: Mapping[str, Any]) -> int:
    """The vector's clock reading, which the harness pins the client's time source to."""
    timestamp = data.get("timestamp")
    if not isinstance(timestamp, int):
        raise Skipped("the vector has no timestamp to pin the client's clock to")
    return timestamp


class PinnedClock:
    """Stands in for a client's time source: `time()` in seconds (for a module's `time`), `now()` in milliseconds."""

    def __init__(self, milliseconds: int) -> None:
        seconds = milliseconds / 1000
        while int(seconds * 1000) < milliseconds:  # float rounding must not take a millisecond off
            seconds = math.nextafter(seconds, math.inf)
        self.milliseconds = milliseconds
        self.seconds = seconds

    def time(self) -> float:
        return self.seconds

    def now(self) -> int:
        return self.milliseconds


class Sending:
    """Notes whether the client's request went out; `sent` turns true once an answer came back for it."""

    def __init__(self) -> None:
        self.sent = False

    def wrap(self, send: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            response = send(*args, **kwargs)
            self.sent = True
            return response

        return recorded

    def wrap_async(self, send: Callable[..., Any]) -> Callable[..., Any]:
        async def recorded(*args: Any, **kwargs: Any) -> Any:
            response = await send(*args, **kwargs)
            self.sent = True
            return response

        return recorded

    @contextmanager
    def answered(self) -> Iterator[None]:
        """Lets an error through only while nothing was sent: once a request went out, a client that chokes
        on the loopback server's answer has still sent it."""
        try:
            yield
        except Exception:
            if not self.sent:
                raise


def loopback_base(command: Mapping[str, Any]) -> str:
    """The command's `base_url` without a trailing slash, refused unless it is a loopback address:
    a harness never reaches the network."""
    url = str(command["base_url"]).rstrip("/")
    host = urlsplit(url).hostname or ""
    if host != "localhost" and not host.startswith("127.") and host != "::1":
        raise ValueError(f"base_url {url} is not a loopback address; this harness sends only to the gate's loopback server")
    return url


def loopback_only() -> None:
    """Drop proxy settings from this process's environment, so that requests to 127.0.0.1 go straight there."""
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def serve_offline(implementation: Mapping[str, Any], handle: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> None:
    """Answer the gate's commands with `handle`, proxies kept away from loopback and the protocol kept on stdout:
    whatever a client prints goes to stderr, which the gate captures."""
    loopback_only()
    protocol, sys.stdout = sys.stdout, sys.stderr
    serve(implementation, handle, stdout=protocol)
