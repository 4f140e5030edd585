"""Gate harness for bitunix 0.1.2 (PyPI, unofficial): Bitunix's double SHA-256.

Capture mode: the client's `BASE_URL` is the command's `base_url`, its
module's `time` is a clock pinned to the vector's timestamp, and its nonce
generator returns the vector's nonce. Vectors go through the client's generic
`_get_authenticated(endpoint, params)` and `_post_authenticated(endpoint, data)`.
The client prints the request and the answer; that goes to stderr, since
stdout carries the protocol (`serve_offline`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import version
from typing import Any

import bitunix.client as client_module
import requests

from sigvec.harness import (
    PinnedClock,
    Sending,
    Skipped,
    as_dict,
    body_kind,
    json_body,
    loopback_base,
    pinned_timestamp,
    query_pairs,
    serve_offline,
)

IMPLEMENTATION = {
    "name": "bitunix",
    "language": "python",
    "version": version("bitunix"),
    "homepage": "https://github.com/0xCherryBlueZu/bitunix",
    "issues": "https://github.com/0xCherryBlueZu/bitunix/issues",
    "source": "https://github.com/0xCherryBlueZu/bitunix",
    "schemes": ["bitunix"],
    "options": {},
}


def client_call(client: Any, data: Mapping[str, Any]) -> Callable[[], object]:
    """The client's generic call for the vector: authenticated GET with a query, or POST with a JSON object."""
    path = data["path"]
    if data["method"] == "GET" and body_kind(data) is None:
        params = as_dict(query_pairs(data), "the query") or None
        return lambda: client._get_authenticated(path, params)
    if data["method"] == "POST" and query_pairs(data):
        raise Skipped("the client's authenticated POST carries no query string; the vector sends one")
    if data["method"] == "POST":
        body = json_body(data)
        if not isinstance(body, dict):
            raise Skipped("the client's POST data is a JSON object; the vector's body is not one")
        return lambda: client._post_authenticated(path, body)
    raise Skipped("the client sends authenticated GET with a query and POST with a JSON body only")


def handle(command: Mapping[str, Any]) -> dict[str, Any]:
    data = command["input"]
    credentials = data["credentials"]
    timestamp = pinned_timestamp(data)
    nonce = data.get("nonce")
    if nonce is None:
        raise Skipped("the vector has no nonce to give the client's nonce generator")
    client = client_module.BitunixClient(credentials["api_key"], credentials["secret"])
    client.BASE_URL = loopback_base(command)
    client._generate_nonce = lambda: nonce
    client.session = requests.Session()
    sending = Sending()
    client.session.send = sending.wrap(client.session.send)  # type: ignore[method-assign]
    client_module.time = PinnedClock(timestamp)
    call = client_call(client, data)
    with sending.answered():
        call()
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
