"""`MockExchange` and the `sigvec_server` fixture (offered by the sigvec pytest plugin): what capture mode relies on."""

from __future__ import annotations

import socket
import threading

from signing.http import HttpRequest
from signing.model import request_from_mapping
from signing.registry import sign
from signing.server import ServerContext, StaticKeys
from sigvec.serve import MockExchange
from tests.support.corpus import vector_named
from tests.support.serve import send_requests


def test_drain_returns_every_request_since_the_last_call_in_arrival_order(sigvec_server: MockExchange) -> None:
    for number in range(3):
        send_requests(sigvec_server.base_url("max-v2"), HttpRequest("GET", f"/api/v2/members/me?n={number}"))
    first = sigvec_server.drain()
    send_requests(sigvec_server.base_url("peatio-v2"), HttpRequest("GET", "/api/v2/members/me?n=3"))
    second = sigvec_server.drain()
    assert [(arrival.scheme, arrival.received.query) for arrival in first] == [("max-v2", f"n={n}") for n in range(3)]
    assert [(arrival.scheme, arrival.received.query) for arrival in second] == [("peatio-v2", "n=3")]
    assert [arrival.seq for arrival in first + second] == [1, 2, 3, 4]
    assert sigvec_server.drain() == []


def test_the_fixture_listens_on_an_ephemeral_loopback_port(sigvec_server: MockExchange) -> None:
    assert sigvec_server.base_url("bitunix").startswith("http://127.0.0.1:")
    assert sigvec_server.service.port not in (0, 8080)


def test_a_drained_exchange_carries_the_native_answer_and_the_diagnosis(sigvec_server: MockExchange) -> None:
    reply = send_requests(sigvec_server.base_url("bitunix"), HttpRequest("GET", "/api/v1/futures/account"))
    (arrival,) = sigvec_server.drain()
    assert (arrival.status, arrival.body, arrival.diagnosis) == (reply.status, reply.body, reply.diagnosis)
    assert arrival.verdict is not None and arrival.verdict.rejection is not None
    assert arrival.verdict.rejection.body == reply.body


def test_a_malformed_request_line_gets_the_frameworks_400_and_the_server_keeps_serving(sigvec_server: MockExchange) -> None:
    with socket.create_connection(("127.0.0.1", sigvec_server.service.port), timeout=5) as connection:
        connection.sendall(b"NOT AN HTTP REQUEST\r\n\r\n")
        answer = connection.recv(100)
    assert answer.split(b"\r\n")[0].split(b" ")[1] == b"400"
    assert send_requests(sigvec_server.base_url("max-v2"), HttpRequest("GET", "/api/v2/members/me")).status == 401
    assert sigvec_server.errors == 0


def reference_request(vector_id: str) -> HttpRequest:
    return sign(request_from_mapping(vector_named(vector_id).input)).wire


def test_a_pinned_scheme_is_answered_as_the_pinned_server_state(sigvec_server: MockExchange) -> None:
    vector = vector_named("max-v2-0001")
    assert vector.server_time is not None
    keys = StaticKeys({vector.input["credentials"]["api_key"]: vector.input["credentials"]["secret"]})
    sigvec_server.pin("max-v2", ServerContext(vector.server_time, keys, None))
    assert send_requests(sigvec_server.base_url("max-v2"), reference_request("max-v2-0001")).status == 200
    sigvec_server.pin("max-v2", ServerContext(vector.server_time, StaticKeys({}), None))
    assert send_requests(sigvec_server.base_url("max-v2"), reference_request("max-v2-0001")).status == 401


def test_pinning_one_scheme_leaves_the_others_on_the_servers_own_clock(sigvec_server: MockExchange) -> None:
    vector = vector_named("peatio-v2-0001")
    assert vector.server_time is not None
    sigvec_server.pin("max-v2", ServerContext(vector.server_time, StaticKeys({}), None))
    send_requests(sigvec_server.base_url("peatio-v2"), reference_request("peatio-v2-0001"))
    (arrival,) = sigvec_server.drain()
    assert arrival.time_ms != vector.server_time


def test_drain_can_wait_for_a_request_still_on_its_way(sigvec_server: MockExchange) -> None:
    late = threading.Timer(0.3, send_requests, (sigvec_server.base_url("max-v2"), HttpRequest("GET", "/api/v2/members/me")))
    late.start()
    try:
        assert [arrival.received.path for arrival in sigvec_server.drain(wait=10)] == ["/api/v2/members/me"]
    finally:
        late.join()


def test_drain_waits_no_longer_than_asked_when_nothing_arrives(sigvec_server: MockExchange) -> None:
    assert sigvec_server.drain(wait=0.05) == []
