"""MEXC futures: the server's checks on the parts of a request the signature does not cover."""

from __future__ import annotations

from dataclasses import replace

import pytest

from signing.http import HttpRequest
from signing.mexc_futures import verify as verify_futures
from signing.model import Request, request_from_mapping
from signing.registry import sign
from tests.support.server import verdict_of

CLOCK = 1700000000000


def futures(method: str = "GET", **fields: object) -> Request:
    data: dict[str, object] = {
        "scheme": "mexc-futures-v1",
        "credentials": {"api_key": "mx0vglsigvecTESTKEY", "secret": "sigvecTESTSECRET"},
        "method": method,
        "path": "/api/v1/private/order/submit" if method == "POST" else "/api/v1/private/position/open_positions",
        "timestamp": CLOCK,
    }
    return request_from_mapping(data | fields)


def with_recv_window(wire: HttpRequest, value: str) -> HttpRequest:
    return replace(wire, headers=(*(pair for pair in wire.headers if pair[0] != "Recv-Window"), ("Recv-Window", value)))


@pytest.mark.parametrize("value", ["abc", "²", "", "0", "010", "9" * 5000])
def test_a_malformed_recv_window_is_600_parameter_error_not_the_default(value: str) -> None:
    request = futures()
    verdict = verdict_of(verify_futures, with_recv_window(sign(request).wire, value), request.credentials, CLOCK)
    assert verdict.rejection is not None and (verdict.rejection.code, verdict.step) == (600, "request")


def test_a_recv_window_above_60_seconds_counts_as_60() -> None:
    request = futures()
    wire = with_recv_window(sign(request).wire, "3600")
    assert verdict_of(verify_futures, wire, request.credentials, CLOCK + 60_000).accepted
    late = verdict_of(verify_futures, wire, request.credentials, CLOCK + 60_001)
    assert late.rejection is not None and (late.rejection.code, late.step) == (513, "window")


def test_a_post_with_a_query_string_the_signature_does_not_cover_is_refused() -> None:
    request = futures("POST", body={"json_text": '{"symbol":"BTC_USDT"}'})
    signed = sign(request)
    assert verdict_of(verify_futures, signed.wire, request.credentials, CLOCK).accepted
    extra = replace(signed.wire, target=signed.wire.target + "?symbol=ETH_USDT")
    verdict = verdict_of(verify_futures, extra, request.credentials, CLOCK)
    assert verdict.rejection is not None and (verdict.rejection.code, verdict.step) == (602, "consistency")
