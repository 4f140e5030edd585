"""Gate harness for maicoin 0.7.0 (PyPI): MAX's payload signing.

Run with ./.venv/bin/python (Python 3.13; see ./install). Capture mode: the
client's `base_url` is the command's `base_url` and its `nonce_factory` returns
the vector's nonce. Vectors go through the client's generic
`request(method, path, params, auth=True)`, which takes any path, so the v2
endpoints as well as v3. Repeated `name[]` query parameters are passed as a
list under `name`, the client's way to send an array. Retries are off, so that
one vector sends one request (the client would resend the same nonce).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import httpx
from maicoin.v3 import Client
from maicoin.v3.client import RetryPolicy

from sigvec.harness import Sending, Skipped, body_kind, json_body, loopback_base, pinned_timestamp, query_pairs, serve_offline

IMPLEMENTATION = {
    "name": "maicoin",
    "language": "python",
    "version": version("maicoin"),
    "homepage": "https://github.com/narumiruna/maicoin",
    "issues": "https://github.com/narumiruna/maicoin/issues",
    "source": "https://github.com/narumiruna/maicoin",
    "schemes": ["max-v2"],
    "options": {"max-v2": {"json": "compact", "base64": "standard"}},
}


def query_params(data: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The query as the client's params (arrays for repeated `name[]`), and the nonce it lists."""
    params: dict[str, Any] = {}
    nonce = None
    for name, value in query_pairs(data):
        if name == "nonce":
            nonce = value
        elif name.endswith("[]"):
            params.setdefault(name[:-2], []).append(value)
        elif name in params:
            raise Skipped(f"the query repeats {name!r}; the client sends a repeated name only for a list")
        else:
            params[name] = value
    return params, nonce


def params_and_nonce(data: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The client's params and the nonce its factory returns (the listed one, else the timestamp)."""
    if body_kind(data) is None:
        params, listed = query_params(data)
    elif query_pairs(data):
        raise Skipped("the client sends params in the query for GET and in the JSON body otherwise, never both")
    else:
        body = json_body(data)
        if not isinstance(body, dict):
            raise Skipped("the client's params are a JSON object; the vector's body is not one")
        params = dict(body)
        listed = params.pop("nonce", None)
    timestamp = pinned_timestamp(data)
    nonce = int(listed) if listed is not None else timestamp
    if nonce != timestamp:
        raise Skipped(f"the vector's nonce {nonce} differs from its timestamp {timestamp}")
    return params, nonce


async def send(client: Client, data: Mapping[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Send through the client; `sent` once an answer came back, whatever the client made of it."""
    sending = Sending()

    async def note_answer(_: httpx.Response) -> None:
        sending.sent = True

    async with httpx.AsyncClient(event_hooks={"response": [note_answer]}) as session:
        client.session = session
        with sending.answered():
            await client.request(data["method"], data["path"], params, auth=True)
    return {"sent": True}


def handle(command: Mapping[str, Any]) -> dict[str, Any]:
    data = command["input"]
    credentials = data["credentials"]
    params, nonce = params_and_nonce(data)
    client = Client(
        credentials["api_key"],
        credentials["secret"],
        base_url=loopback_base(command),
        nonce_factory=lambda: nonce,
        retry_policy=RetryPolicy(enabled=False),
    )
    return asyncio.run(send(client, data, params))


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
