"""Gate harness for coinex-api 0.0.165 (PyPI), a CoinEx-only build of ccxt 4.5.85.

Capture mode: the client sends each request over HTTP to the command's
`base_url`. Its API URLs are pointed there, its clock (`milliseconds`, which
its `nonce` reads) is pinned to the vector's timestamp, and its random broker
order id (`uuid16`, added to v1 and perpetual order placement) is pinned so
that runs repeat. Each vector goes through the client's generic
`request(path, api, method, params)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from coinex import ccxt  # its ccxt build, which it also installs as the `ccxt` module

from sigvec.harness import (
    Skipped,
    as_dict,
    body_kind,
    drop_added,
    form_pairs,
    json_body,
    loopback_base,
    pinned_timestamp,
    query_pairs,
    serve_offline,
)

PINNED_UUID16 = "0123456789abcdef"

IMPLEMENTATION = {
    "name": "coinex-api",
    "language": "python",
    "version": version("coinex-api"),
    "homepage": "https://github.com/ccxt/ccxt",
    "issues": "https://github.com/ccxt/ccxt/issues",
    "source": "https://github.com/ccxt/ccxt",
    "schemes": ["coinex-v2-sha256-legacy", "coinex-v1", "coinex-perpetual-v1"],
    "options": {"coinex-v2-sha256-legacy": {"text_encoding": "utf-8"}, "coinex-perpetual-v1": {"param_order": "sorted"}},
}


# the parameters the client adds to each API's signed params itself: its key, then its clock
ADDED = {("v1", "private"): ("access_id", "tonce"), ("v1", "perpetualPrivate"): ("access_id", "timestamp"), ("v2", "private"): ()}


def route(path: str) -> tuple[str, list[str]]:
    """The client's (path, api) pair for a CoinEx request path."""
    for prefix, api in (("/perpetual/v1/", ["v1", "perpetualPrivate"]), ("/v1/", ["v1", "private"]), ("/v2/", ["v2", "private"])):
        if path.startswith(prefix):
            return path[len(prefix):], api
    raise Skipped(f"path {path!r} is in none of the client's APIs (/v1, /v2, /perpetual/v1)")


def params_for(data: Mapping[str, Any], api: list[str], api_key: str, timestamp: int) -> dict[str, Any]:
    """The client's params dict: query or body parameters, less those the client adds itself."""
    added = dict(zip(ADDED[api[0], api[1]], (api_key, str(timestamp)), strict=False))
    kind = body_kind(data)
    if kind is None:
        return as_dict(drop_added(query_pairs(data), added), "the query")
    if query_pairs(data):
        raise Skipped("the vector has both a query and a body; the client puts all params in one place")
    if kind == "form":
        return as_dict(drop_added(form_pairs(data), added), "the form body")
    value = json_body(data)
    if not isinstance(value, dict):
        raise Skipped("the client's params are a JSON object; the vector's body is not one")
    return dict(value)


def handle(command: Mapping[str, Any]) -> dict[str, Any]:
    data = command["input"]
    credentials = data["credentials"]
    timestamp = pinned_timestamp(data)
    if data.get("window") is not None:
        raise Skipped("the client has no setting for a window: it sends no X-COINEX-WINDOWTIME")
    path, api = route(data["path"])
    params = params_for(data, api, credentials["api_key"], timestamp)
    base = loopback_base(command)
    exchange = ccxt.coinex({"apiKey": credentials["api_key"], "secret": credentials["secret"], "enableRateLimit": False})
    perpetual = base + "/perpetual"
    exchange.urls["api"] = {"public": base, "private": base, "perpetualPublic": perpetual, "perpetualPrivate": perpetual}
    exchange.milliseconds = lambda: timestamp
    exchange.uuid16 = lambda length=16: PINNED_UUID16[:length]
    try:
        exchange.request(path, api, data["method"], params)
    except ccxt.NetworkError:
        raise
    except ccxt.BaseError:
        pass  # the server answered with an error: the request went out
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
