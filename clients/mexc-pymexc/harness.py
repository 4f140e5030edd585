"""sigvec gate harness for pymexc (PyPI), MEXC spot v3 and futures v1, in capture mode.

Run with the client's own interpreter: `clients/mexc-pymexc/.venv/bin/python clients/mexc-pymexc/harness.py`
for pymexc 1.3.0, or `.venv-1.3.1/bin/python` for 1.3.1, whose wheel lacks
`pymexc/_async/web.py`: `import pymexc` fails there, so every vector is
`errored` with that ImportError. The client is imported on each `sign`, not
at start, so that the harness can still say who it is.

Each vector goes through the client's generic `call(method, router, ...)`
(`pymexc.spot.HTTP`, or `pymexc.futures.HTTP` with `ignore_ad=True`), with
`base_url` set to the command's `base_url`. The clock is pinned by replacing
`time` in `pymexc.base`. The caller's query parameters go in as given,
`timestamp` aside (pymexc adds its own from the pinned clock); a futures
`Recv-Window` goes in as an extra header, which `call` merges into its own.
pymexc sends every spot parameter in the query string, so a vector with a
form body is skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import version
from types import ModuleType
from typing import Any

from sigvec.harness import PinnedClock, Sending, call_params, loopback_base, serve_offline

IMPLEMENTATION = {
    "name": "pymexc",
    "language": "python",
    "version": version("pymexc"),
    "homepage": "https://github.com/makarworld/pymexc",
    "issues": "https://github.com/makarworld/pymexc/issues",
    "source": "https://github.com/makarworld/pymexc",
    "schemes": ["mexc-spot-v3", "mexc-futures-v1"],
    "options": {"mexc-futures-v1": {"query_encoding": "raw"}},
}


def client_for(data: Mapping[str, Any], base_url: str) -> Any:
    """A pymexc HTTP client with the vector's keys and pinned clock, sending to `base_url`."""
    pymexc: ModuleType = importlib.import_module("pymexc")
    base: ModuleType = importlib.import_module("pymexc.base")
    base.time = PinnedClock(int(data["timestamp"]))  # type: ignore[attr-defined]
    keys = {"api_key": data["credentials"]["api_key"], "api_secret": data["credentials"]["secret"]}
    client = pymexc.spot.HTTP(**keys) if data["scheme"] == "mexc-spot-v3" else pymexc.futures.HTTP(**keys, ignore_ad=True)
    client.base_url = base_url
    return client


def call_arguments(data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `call` beyond method and router: the parameters, and a Recv-Window header."""
    kind, params = call_params(data, "timestamp")
    arguments: dict[str, Any] = {kind: params}
    if data.get("window") is not None:
        arguments["headers"] = {"Recv-Window": str(data["window"])}
    return arguments


def handle(command: Mapping[str, Any]) -> Mapping[str, Any]:
    data = command["input"]
    client = client_for(data, loopback_base(command))
    arguments = call_arguments(data)
    sending = Sending()
    client.session.request = sending.wrap(client.session.request)
    with sending.answered():
        client.call(data["method"], data["path"], **arguments)
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
