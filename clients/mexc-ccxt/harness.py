"""sigvec gate harness for ccxt 4.5.90 (PyPI), MEXC spot v3 and futures v1, in capture mode.

Run with the client's own interpreter: `clients/mexc-ccxt/.venv/bin/python clients/mexc-ccxt/harness.py`.
Each vector goes through ccxt's generic `request(path, api, method, params)`,
the call behind every implicit endpoint method: spot paths under `/api/v3/`
as api `['spot', 'private']`, futures paths under `/api/v1/private/` as
`['contract', 'private']`. The clock is pinned by replacing the exchange's
`milliseconds`; both API URLs point at the command's `base_url`, and ccxt
really sends there. The caller's query parameters go in as given, `timestamp`
aside (ccxt adds its own from the pinned clock); ccxt decides what it does
with a caller's `recvWindow`. ccxt sends every spot parameter in the query
string, even for POST, so a vector with a form body is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ccxt

from sigvec.harness import Sending, Skipped, call_params, loopback_base, serve_offline

IMPLEMENTATION = {
    "name": "ccxt",
    "language": "python",
    "version": ccxt.__version__,
    "homepage": "https://github.com/ccxt/ccxt",
    "issues": "https://github.com/ccxt/ccxt/issues",
    "source": "https://github.com/ccxt/ccxt/blob/master/python/ccxt/mexc.py",
    "schemes": ["mexc-spot-v3", "mexc-futures-v1"],
    "options": {"mexc-futures-v1": {"query_encoding": "percent"}},
}
SECTIONS = {"mexc-spot-v3": ("spot", "/api/v3/"), "mexc-futures-v1": ("contract", "/api/v1/private/")}


def exchange_for(data: Mapping[str, Any], base_url: str) -> ccxt.mexc:
    """A ccxt MEXC exchange with the vector's keys, its clock pinned, both private API URLs on `base_url`."""
    exchange = ccxt.mexc({"apiKey": data["credentials"]["api_key"], "secret": data["credentials"]["secret"]})
    exchange.enableRateLimit = False
    exchange.session.trust_env = False
    timestamp = int(data["timestamp"])
    exchange.milliseconds = lambda: timestamp
    exchange.urls["api"]["spot"]["private"] = base_url
    exchange.urls["api"]["contract"]["private"] = base_url + "/api/v1/private"
    return exchange


def handle(command: Mapping[str, Any]) -> Mapping[str, Any]:
    data = command["input"]
    section, prefix = SECTIONS[data["scheme"]]
    if not data["path"].startswith(prefix):
        raise Skipped(f"ccxt's {section} private API lives under {prefix}, not {data['path']}")
    if data.get("window") is not None:
        raise Skipped("ccxt 4.5.90 sends no Recv-Window header and takes no setting for one")
    _, params = call_params(data, "timestamp")
    exchange = exchange_for(data, loopback_base(command))
    sending = Sending()
    exchange.session.request = sending.wrap(exchange.session.request)
    with sending.answered():
        exchange.request(data["path"].removeprefix(prefix), [section, "private"], data["method"], params)
    return {"sent": True}


if __name__ == "__main__":
    serve_offline(IMPLEMENTATION, handle)
