"""The mock exchange over real HTTP on 127.0.0.1: what arrives is what gets verified, and the answer is native."""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests

from signing.http import HttpRequest
from signing.registry import SCHEMES, verify
from signing.server import MemoryReplayStore, ServerContext
from sigvec.codec import wire_from_mapping
from sigvec.corpus import Vector
from sigvec.diagnose.examples import Examples
from sigvec.serve import Clock, MockExchange, Settings
from sigvec.serve.state import corpus_keys, key_stores
from tests.support.corpus import repo_corpus, repo_vectors, vector_param
from tests.support.serve import SENDERS, send_requests

VALID = [vector for vector in repo_vectors() if vector.result == "valid"]

EXAMPLES = Examples.of(repo_vectors())


@pytest.fixture
def server() -> Iterator[MockExchange]:
    """A fresh server (fresh replay store) trusting each request's own clock, as the vectors' clocks are pinned."""
    with MockExchange(Settings(examples=EXAMPLES, test_keys=corpus_keys(repo_corpus()), clock=Clock("request"))) as running:
        yield running


def received_of(vector_id: str) -> HttpRequest:
    vector = next(vector for vector in repo_vectors() if vector.id == vector_id)
    return wire_from_mapping(vector.expected["wire"])


def one_byte_changed(received: HttpRequest, scheme: str) -> HttpRequest:
    """`received` with one byte changed: the last of the query, else of the body, else of the clock header."""

    def changed(text: str) -> str:
        last = text[-1]
        return text[:-1] + (str((int(last) + 1) % 10) if last.isdigit() else ("x" if last != "x" else "y"))

    if received.query:
        return received.with_origin(query=changed(received.query))
    if received.body:
        return replace(received, body=changed(received.body.decode("latin-1")).encode("latin-1"))
    clock = SCHEMES[scheme].clock.name
    headers = tuple((name, changed(value) if name.lower() == clock.lower() else value) for name, value in received.headers)
    return replace(received, headers=headers)


def offline_verdict_code(received: HttpRequest, scheme: str) -> tuple[int, str]:
    """What `signing.registry.verify` answers in-process for `received`: the native status and body."""
    now = Clock("request").now_ms(received, scheme)
    keys = key_stores(corpus_keys(repo_corpus()), {})[scheme]
    rejection = verify(received, ServerContext(now, keys, MemoryReplayStore()), scheme).rejection
    assert rejection is not None
    return rejection.http_status, rejection.body


@pytest.mark.parametrize("client", sorted(SENDERS))
@pytest.mark.parametrize("vector", [vector_param(vector) for vector in VALID])
def test_a_valid_vector_sent_by_a_real_client_is_accepted(server: MockExchange, client: str, vector: Vector) -> None:
    received = wire_from_mapping(vector.expected["wire"])
    scheme: str = vector.scheme
    reply = SENDERS[client](server.base_url(scheme), received)
    (arrived,) = server.drain()
    assert arrived.verdict is not None and arrived.verdict.accepted, arrived.diagnosis
    assert reply.diagnosis is None


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in VALID])
def test_a_single_byte_change_is_rejected_with_the_native_answer(server: MockExchange, vector: Vector) -> None:
    scheme: str = vector.scheme
    changed = one_byte_changed(wire_from_mapping(vector.expected["wire"]), scheme)
    reply = send_requests(server.base_url(scheme), changed)
    assert (reply.status, reply.body) == offline_verdict_code(changed, scheme)
    assert reply.diagnosis


def test_a_replayed_max_nonce_is_rejected_with_2006(server: MockExchange) -> None:
    received = received_of("max-v2-0001")
    first = send_requests(server.base_url("max-v2"), received)
    again = send_requests(server.base_url("max-v2"), received)
    assert first.diagnosis is None
    assert again.status == 401
    assert json.loads(again.body)["error"]["code"] == 2006
    assert again.diagnosis


def test_plus_sent_where_percent_20_was_signed_is_rejected_and_diagnosed(server: MockExchange) -> None:
    """CoinEx v2 signs the request target as sent: `remark=rent%20for%20May` signed, `rent+for+May` sent."""
    signed = received_of("coinex-v2-0009")
    assert "%20" in signed.query
    sent = signed.with_origin(query=signed.query.replace("%20", "+"))
    reply = send_requests(server.base_url("coinex-v2"), sent)
    assert reply.body == '{"code":4006,"data":{},"message":"signature verification failed"}'
    assert reply.diagnosis is not None
    assert "your client signed `remark=rent%20for%20May` but sent `remark=rent+for+May`" in reply.diagnosis
    assert "fix: sign the text exactly as it is sent (flag SpaceEncoding)" in reply.diagnosis
    (arrived,) = server.drain()
    assert arrived.received.query == sent.query


def test_a_client_whose_http_library_re_encodes_after_signing_is_caught(server: MockExchange) -> None:
    """Signed `remark=rent%20for%20May` (coinex-v2-0009), then handed to requests as `params`: it sends `+`."""
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-0009")
    signed = wire_from_mapping(vector.expected["wire"])
    response = requests.get(server.base_url("coinex-v2") + signed.path, params=vector.input["query"],
                            headers=dict(signed.headers), timeout=10)
    (arrived,) = server.drain()
    assert arrived.received.query == "ccy=USDT&remark=rent+for+May"
    assert response.json()["code"] == 4006
    assert response.headers["X-Sigvec-Diagnosis"]


def test_the_diagnosis_header_names_the_deciding_check(server: MockExchange) -> None:
    signed = received_of("coinex-v2-0009")
    reply = send_requests(server.base_url("coinex-v2"), signed.with_origin(query=signed.query + "x"))
    (arrived,) = server.drain()
    assert arrived.verdict is not None
    assert reply.diagnosis == arrived.diagnosis
    assert reply.diagnosis is not None and str(arrived.verdict.step) in reply.diagnosis


def send_raw(base_url: str, received: HttpRequest) -> int:
    """http.client, which sends the target, each header (duplicates too) and the body exactly as given."""
    authority, _, prefix = base_url.removeprefix("http://").partition("/")
    connection = http.client.HTTPConnection(authority, timeout=10)
    try:
        connection.putrequest(received.method, f"/{prefix}{received.origin}" if prefix else received.origin,
                              skip_accept_encoding=True)
        for name, value in received.headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(received.body)))
        connection.endheaders(received.body)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in VALID])
def test_the_verifier_sees_the_target_and_body_bytes_exactly_as_sent(server: MockExchange, vector: Vector) -> None:
    received = wire_from_mapping(vector.expected["wire"])
    send_raw(server.base_url(vector.scheme), received)
    (arrived,) = server.drain()
    assert (arrived.received.method, arrived.received.origin, arrived.received.body) == (
        received.method, received.origin, received.body
    )


def test_duplicate_headers_arrive_in_order(server: MockExchange) -> None:
    signed = received_of("max-v2-0001")
    send_raw(server.base_url("max-v2"), replace(signed, headers=(*signed.headers, ("X-Dup", "one"), ("X-Dup", "two"))))
    (arrived,) = server.drain()
    assert arrived.received.header_values("X-Dup") == ("one", "two")


def test_a_compressed_body_reaches_the_verifier_as_the_bytes_sent(server: MockExchange) -> None:
    """The framework does not decompress: a body's Content-Encoding is the client's business, and its bytes are signed."""
    compressed = gzip.compress(b'{"market":"btctwd","nonce":1700000000000}')
    sent = HttpRequest("POST", "/api/v2/orders", headers=(("Content-Encoding", "gzip"),), body=compressed)
    send_raw(server.base_url("max-v2"), sent)
    (arrived,) = server.drain()
    assert arrived.received.body == compressed


@pytest.mark.parametrize(
    ("method", "path", "expected_status"),
    [("GET", "/api/v2/members/me", 200), ("POST", "/api/v2/orders", 200), ("GET", "/api/v2/no/such/endpoint", 404)],
)
def test_an_accepted_request_gets_the_exchanges_own_shape(method: str, path: str, expected_status: int) -> None:
    """The Peatio answers are read from the data file: members/me carries accounts, an order has an id and state."""
    from signing.model import Credentials, FormBody, Request
    from signing.registry import sign

    params = (("access_key", "xxx"), ("tonce", "1700000000000"))
    request = Request("peatio-v2", method, path, Credentials("xxx", corpus_keys(repo_corpus())["peatio-v2"]["xxx"]),
                      query=params if method == "GET" else (), body=FormBody(params) if method == "POST" else None,
                      timestamp=1700000000000, nonce="1700000000000")
    wire = sign(request).wire
    with MockExchange(Settings(examples=EXAMPLES, test_keys=corpus_keys(repo_corpus()), clock=Clock("request"))) as running:
        reply = send_requests(running.base_url("peatio-v2"), wire)
    body = json.loads(reply.body)
    assert reply.status == expected_status
    if path.endswith("members/me"):
        assert {"sn", "email", "accounts"} <= set(body)
    elif expected_status == 200:
        assert {"id", "state", "market"} <= set(body)
    else:
        assert "error" in body


def test_a_path_naming_no_scheme_gets_sigvecs_own_404_listing_the_schemes(server: MockExchange) -> None:
    reply = send_requests(server.base_url("max-v2").rsplit("/", 1)[0], HttpRequest("GET", "/api/v3/account"))
    assert reply.status == 404
    assert set(SCHEMES) <= set(json.loads(reply.body)["schemes"])


def test_a_scheme_port_serves_the_scheme_unprefixed() -> None:
    settings = Settings(examples=EXAMPLES, test_keys=corpus_keys(repo_corpus()), clock=Clock("request"), scheme_ports=True)
    with MockExchange(settings) as running:
        base = running.base_url("max-v2")
        reply = send_requests(base, received_of("max-v2-0001"))
        (arrived,) = running.drain()
    assert base.count("/") == 2
    assert arrived.scheme == "max-v2" and arrived.verdict is not None and arrived.verdict.accepted
    assert reply.status == 200
