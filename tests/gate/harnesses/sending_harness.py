"""A capture-mode client: signs with the reference and sends the request to the command's `base_url`, then answers sent.

    sending_harness.py exact      sends the reference's wire request byte for byte (http.client)
    sending_harness.py requests   signs as the reference, then hands the query and form parameters to
                                  requests as dicts, which re-encodes them (a space goes out as `+`)
    sending_harness.py silent     answers sent without sending anything
    sending_harness.py twice      sends the reference's request, then a second, unsigned request to /ping
    sending_harness.py SCHEME ... (after the mode) the schemes it declares; default: every scheme
"""

from __future__ import annotations

import http.client
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from signing.model import request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import wire_to_mapping
from sigvec.harness import serve


def send_exact(base_url: str, wire: Mapping[str, Any]) -> None:
    """Send the wire request as it is: the target after the host, the headers and the body, untouched."""
    base, url = urlsplit(base_url), urlsplit(wire["url"])
    target = url.path + (f"?{url.query}" if url.query else "")
    connection = http.client.HTTPConnection(base.hostname or "127.0.0.1", base.port, timeout=10)
    try:
        body = None if wire["body"] is None else wire["body"].encode("utf-8")
        connection.request(wire["method"], base.path.rstrip("/") + target, body=body, headers=dict(wire["headers"]))
        connection.getresponse().read()
    finally:
        connection.close()


def send_with_requests(base_url: str, wire: Mapping[str, Any]) -> None:
    """Send the signed parameters through requests as dicts: requests encodes them again, its own way."""
    url = urlsplit(wire["url"])
    params = parse_qsl(url.query, keep_blank_values=True)
    body = wire["body"]
    form = wire["headers"].get("Content-Type") == "application/x-www-form-urlencoded" and body is not None
    requests.request(
        wire["method"], base_url.rstrip("/") + url.path, params=params, headers=dict(wire["headers"]),
        data=parse_qsl(body, keep_blank_values=True) if form else (body.encode("utf-8") if body is not None else None),
        timeout=10,
    )


def handle(mode: str, command: Mapping[str, Any]) -> dict[str, Any]:
    wire = wire_to_mapping(sign(request_from_mapping(command["input"])).wire)
    if mode in ("exact", "twice"):
        send_exact(command["base_url"], wire)
    if mode == "twice":
        requests.get(command["base_url"].rstrip("/") + "/ping", timeout=10)
    if mode == "requests":
        send_with_requests(command["base_url"], wire)
    return {"sent": True}


def main() -> None:
    mode, *schemes = sys.argv[1:]
    implementation = {"name": f"sending-{mode}", "language": "python", "schemes": schemes or sorted(SCHEMES)}
    serve(implementation, lambda command: handle(mode, command))


if __name__ == "__main__":
    main()
