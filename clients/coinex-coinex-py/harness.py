"""Gate harness for coinex.py 1.0.4 (PyPI, EchterAgo/coinex): CoinEx v1, MD5.

Capture mode. The client hard-codes https://api.coinex.com, so its module's
`requests` is replaced by a shim that rewrites that origin to the command's
`base_url` and then sends with the real `requests`; its module's `time` is
replaced by a clock pinned to the vector's timestamp (the client reads
`int(time.time() * 1000)` as its tonce). Each vector goes through the
client's generic `_v1(path, method, auth=True, **params)`, which all its typed
methods call.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import coinex.coinex as client_module
import requests

from sigvec.harness import (
    PinnedClock,
    Sending,
    Skipped,
    as_dict,
    body_kind,
    drop_added,
    json_body,
    loopback_base,
    pinned_timestamp,
    query_pairs,
    serve_offline,
)

HOST = "https://api.coinex.com"
IMPLEMENTATION = {
    "name": "coinex.py",
    "language": "python",
    "version": version("coinex.py"),
    "homepage": "https://github.com/EchterAgo/coinex",
    "issues": "https://github.com/EchterAgo/coinex/issues",
    "source": "https://github.com/EchterAgo/coinex",
    "schemes": ["coinex-v1"],
    "options": {},
}


class LoopbackRequests:
    """Stands in for the client's `requests` module: sends to `base_url` instead of the exchange's host."""

    def __init__(self, base_url: str, sending: Sending) -> None:
        self.base_url = base_url
        self.send = sending.wrap(requests.request)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if not url.startswith(HOST + "/"):
            raise RuntimeError(f"the client addressed {url!r}, not {HOST}")
        response: requests.Response = self.send(method, self.base_url + url[len(HOST):], timeout=10, **kwargs)
        return response

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self._send("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self._send("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self._send("DELETE", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> requests.Response:
        return self._send("PUT", url, **kwargs)


def params_for(data: Mapping[str, Any], api_key: str, timestamp: int) -> dict[str, str]:
    """The client's keyword params: the vector's parameters less the access_id and tonce it adds itself."""
    added = {"access_id": api_key, "tonce": str(timestamp)}
    kind = body_kind(data)
    if kind is None:
        pairs = query_pairs(data)
    elif data["method"] != "POST" or query_pairs(data):
        raise Skipped("the client sends a body only on POST, and then no query")
    elif kind == "form":
        raise Skipped("the client sends POST parameters as a JSON body, never as a form")
    else:
        value = json_body(data)
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise Skipped("the client's POST body is a flat JSON object of its keyword parameters")
        pairs = list(value.items())
    params = as_dict(drop_added(pairs, added), "the parameters")
    reserved = sorted({"path", "method", "auth"} & set(params))
    if reserved:
        raise Skipped(f"parameter {reserved[0]!r} collides with the client's own keyword of that name")
    return params


def handle(command: Mapping[str, Any]) -> dict[str, Any]:
    data = command["input"]
    if not data["path"].startswith("/v1/"):
        raise Skipped(f"the client speaks only /v1/, not {data['path']!r}")
    credentials = data["credentials"]
    timestamp = pinned_timestamp(data)
    params = params_for(data, credentials["api_key"], timestamp)
    sending = Sending()
    client_module.requests = LoopbackRequests(loopback_base(command), sending)
    client_module.time = PinnedClock(timestamp)
    client = client_module.CoinEx(credentials["api_key"], credentials["secret"])
    path = data["path"][len("/v1/"):]
    with sending.answered():
        client._v1(path, method=data["method"].lower(), auth=True, **params)
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
