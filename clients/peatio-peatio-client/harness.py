"""Gate harness for peatio-client 0.1.1 (PyPI, czheo/peatio-client-python): Peatio API v2.

Capture mode: the client's `endpoint` is the command's `base_url`. The client
takes `access_key` and `tonce` as parameters and adds only those missing, so
the vector's own are passed through; its `time` is pinned to the vector's
timestamp for a vector that lists no tonce. Vectors go through the client's
generic `get(path, params)` and `post(path, params)`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import peatio_client.auth as auth_module
from peatio_client import Client, ClientError

from sigvec.harness import (
    PinnedClock,
    Skipped,
    as_dict,
    body_kind,
    form_pairs,
    loopback_base,
    pinned_timestamp,
    query_pairs,
    serve_offline,
)

IMPLEMENTATION = {
    "name": "peatio-client",
    "language": "python",
    "version": version("peatio-client"),
    "homepage": "https://github.com/czheo/peatio-client-python",
    "issues": "https://github.com/czheo/peatio-client-python/issues",
    "source": "https://github.com/czheo/peatio-client-python",
    "schemes": ["peatio-v2"],
    "options": {"peatio-v2": {"encoding": "form"}},
}


def params_for(data: Mapping[str, Any]) -> dict[str, str]:
    """The client's params: GET takes the query, POST the form body; one place each."""
    kind = body_kind(data)
    if data["method"] == "GET" and kind is None:
        return as_dict(query_pairs(data), "the query")
    if data["method"] == "POST" and kind == "form" and not query_pairs(data):
        return as_dict(form_pairs(data), "the form body")
    raise Skipped("the client sends GET with a query and POST with a form body only")


def handle(command: Mapping[str, Any]) -> dict[str, Any]:
    data = command["input"]
    credentials = data["credentials"]
    params = params_for(data)
    auth_module.time = PinnedClock(pinned_timestamp(data))
    client = Client(endpoint=loopback_base(command), access_key=credentials["api_key"], secret_key=credentials["secret"])
    send = client.get if data["method"] == "GET" else client.post
    with contextlib.suppress(ClientError):  # raised on an answer that is not JSON: the request went out
        send(data["path"], params)
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
