"""`MockExchange` and the `sigvec_server` fixture: what the gate's capture mode relies on."""

from __future__ import annotations

import socket

from serve_clients import send_requests

from signing.model import Received
from sigvec.serve import MockExchange
from sigvec.serve.fixture import sigvec_server

__all__ = ["sigvec_server"]


def test_drain_returns_every_request_since_the_last_call_in_arrival_order(sigvec_server: MockExchange) -> None:
    for number in range(3):
        send_requests(sigvec_server.base_url("max-v2"), Received("GET", f"/api/v2/members/me?n={number}"))
    first = sigvec_server.drain()
    send_requests(sigvec_server.base_url("peatio-v2"), Received("GET", "/api/v2/members/me?n=3"))
    second = sigvec_server.drain()
    assert [(exchange.scheme, exchange.received.query) for exchange in first] == [("max-v2", f"n={n}") for n in range(3)]
    assert [(exchange.scheme, exchange.received.query) for exchange in second] == [("peatio-v2", "n=3")]
    assert [exchange.seq for exchange in first + second] == [1, 2, 3, 4]
    assert sigvec_server.drain() == []


def test_the_fixture_listens_on_an_ephemeral_loopback_port(sigvec_server: MockExchange) -> None:
    assert sigvec_server.base_url("bitunix").startswith("http://127.0.0.1:")
    assert sigvec_server.service.port not in (0, 8080)


def test_a_drained_exchange_carries_the_native_answer_and_the_diagnosis(sigvec_server: MockExchange) -> None:
    reply = send_requests(sigvec_server.base_url("bitunix"), Received("GET", "/api/v1/futures/account"))
    (exchange,) = sigvec_server.drain()
    assert (exchange.status, exchange.body, exchange.diagnosis) == (reply.status, reply.body, reply.diagnosis)
    assert exchange.verdict is not None and exchange.verdict.rejection is not None
    assert exchange.verdict.rejection.body == reply.body


def test_a_malformed_request_line_gets_the_frameworks_400_and_the_server_keeps_serving(sigvec_server: MockExchange) -> None:
    with socket.create_connection(("127.0.0.1", sigvec_server.service.port), timeout=5) as connection:
        connection.sendall(b"NOT AN HTTP REQUEST\r\n\r\n")
        answer = connection.recv(100)
    assert answer.split(b"\r\n")[0].split(b" ")[1] == b"400"
    assert send_requests(sigvec_server.base_url("max-v2"), Received("GET", "/api/v2/members/me")).status == 401
    assert sigvec_server.errors == 0
