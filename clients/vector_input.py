"""What a Python client harness reads from a vector's input, and how it keeps a client offline: stdlib only.

A harness runs with its client's own interpreter, so this module may import
nothing but the standard library and `clients/harness.py`. It turns a
vector's `input` into what a caller hands a client (query parameters in
order, a decoded JSON body), pins a float clock so that a client's
`int(time.time() * 1000)` gives back the vector's milliseconds, keeps proxies
out of the way of loopback requests, and records whether a request went out,
so that a client that chokes on the loopback server's answer still counts as
having sent it.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from harness import Skipped, serve

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def pairs(value: Sequence[Sequence[Any]] | None) -> list[tuple[str, str]]:
    """Query or form pairs of a vector's input, as `(name, value)` tuples."""
    return [(str(name), str(text)) for name, text in value or []]


def query_params(data: Mapping[str, Any], clock_param: str | None) -> list[tuple[str, str]]:
    """The query parameters a caller hands a client that puts every parameter in the query string.

    Such a client cannot send a form body, so a vector with one is skipped.
    The clock parameter (`timestamp` on MEXC spot) is the client's own work:
    the harness pins the client's clock to it instead of passing it.
    """
    if (data.get("body") or {}).get("form"):
        raise Skipped("the client sends every parameter in the query string; it cannot send a form body")
    return [pair for pair in pairs(data.get("query")) if pair[0] != clock_param]


def as_mapping(params: list[tuple[str, str]]) -> dict[str, str]:
    """`params` as a dict, for clients that take one; a repeated name cannot be expressed that way."""
    names = [name for name, _ in params]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise Skipped(f"the client takes parameters as a dict, so it cannot send {repeated[0]!r} twice")
    return dict(params)


def json_body(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON body of the input as a mapping in written order; None for a form body or none."""
    body = data.get("body") or {}
    if "json" in body:
        value: dict[str, Any] = body["json"]
        return value
    if "json_text" in body:
        decoded: dict[str, Any] = json.loads(body["json_text"])
        return decoded
    if "text" in body:
        raise Skipped("the client sends no plain-text body")
    return None


def call_params(data: Mapping[str, Any], clock_param: str | None) -> tuple[str, dict[str, Any]]:
    """What a caller hands a query-string client: `("json", body)` for a POST with a JSON body, else `("params", query)`."""
    body = json_body(data)
    if body is None:
        return "params", as_mapping(query_params(data, clock_param))
    if data["method"] != "POST":
        raise Skipped("the client sends a JSON body only with POST")
    return "json", body


def seconds_for(milliseconds: int) -> float:
    """A float of seconds `t` with `int(t * 1000) == milliseconds` (`milliseconds / 1000` alone may round below)."""
    seconds = milliseconds / 1000
    while int(seconds * 1000) < milliseconds:
        seconds = math.nextafter(seconds, math.inf)
    return seconds


def loopback_base(command: Mapping[str, Any]) -> str:
    """The command's `base_url`, refused unless it is a loopback address: a harness never reaches the network."""
    url = str(command["base_url"])
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


class Sending:
    """Wraps a client's send call; `sent` turns true once an answer came back for a request it sent."""

    def __init__(self) -> None:
        self.sent = False

    def wrap(self, send: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            response = send(*args, **kwargs)
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

    def wrap_async(self, send: Callable[..., Any]) -> Callable[..., Any]:
        async def recorded(*args: Any, **kwargs: Any) -> Any:
            response = await send(*args, **kwargs)
            self.sent = True
            return response

        return recorded
