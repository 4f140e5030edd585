"""sigvec gate harness for typed-mexc 2.3.0 (PyPI), MEXC spot v3 and futures v1, in capture mode.

Run with the client's own interpreter: `clients/mexc-typed-mexc/.venv/bin/python clients/mexc-typed-mexc/harness.py`.
Each vector goes through the transport's generic `authed_request(method, path, params)`
of `SpotHttpClient` or `FuturesHttpClient`, built with `base_url` set to the
command's `base_url` and response validation off. The clock is pinned by
replacing `timestamp_millis` in both transport modules with one whose `now()`
is the vector's timestamp. The caller's query parameters go in as given,
`timestamp` aside (the spot transport adds its own from the pinned clock).
typed-mexc sends every spot parameter in the query string, so a vector with
a form body is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import typed_mexc.futures.core.client as futures_transport
import typed_mexc.spot.core.client as spot_transport
from typed_core.http import HttpClient
from typed_mexc.core.auth import Credentials

from sigvec.harness import PinnedClock, Sending, Skipped, call_params, loopback_base, serve_offline

IMPLEMENTATION = {
    "name": "typed-mexc",
    "language": "python",
    "version": version("typed-mexc"),
    "homepage": "https://tribulnation.com/typed/mexc",
    "issues": "https://github.com/tribulnation/typed/issues",
    "source": "https://github.com/tribulnation/typed",
    "schemes": ["mexc-spot-v3", "mexc-futures-v1"],
    "options": {"mexc-futures-v1": {"query_encoding": "percent"}},
}
TRANSPORTS = {"mexc-spot-v3": spot_transport, "mexc-futures-v1": futures_transport}


async def send(data: Mapping[str, Any], base_url: str, params: Any) -> None:
    transport = TRANSPORTS[data["scheme"]]
    transport.timestamp_millis = PinnedClock(int(data["timestamp"]))
    http = HttpClient(trust_env=False)
    sending = Sending()
    http.request = sending.wrap_async(http.request)  # type: ignore[method-assign]
    client_type = spot_transport.SpotHttpClient if transport is spot_transport else futures_transport.FuturesHttpClient
    credentials = Credentials(data["credentials"]["api_key"], data["credentials"]["secret"])
    async with client_type(base_url=base_url, http=http, credentials=credentials, validate=False) as client:
        with sending.answered():
            await client.authed_request(data["method"], data["path"], params)


def handle(command: Mapping[str, Any]) -> Mapping[str, Any]:
    data = command["input"]
    if data.get("window") is not None:
        raise Skipped("typed-mexc 2.3.0 sends no Recv-Window header and takes no setting for one")
    _, params = call_params(data, "timestamp")
    asyncio.run(send(data, loopback_base(command), params))
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
