"""Bounded load and faults against the mock exchange over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import aiohttp
import pytest
from yarl import URL

from signing.http import HttpRequest
from signing.model import Credentials, Request
from signing.registry import sign
from sigvec.codec import wire_from_mapping
from sigvec.serve import Clock, MockExchange, Settings
from sigvec.serve.state import corpus_keys
from tests.support.corpus import repo_corpus, repo_vectors

TOTAL = 10_000
CONNECTIONS = 50
REPLAY_BOUND = 2_000
VALID = [
    (vector.scheme, wire_from_mapping(vector.expected["wire"]))
    for vector in repo_vectors()
    if vector.result == "valid"
]


@pytest.fixture
def server() -> Iterator[MockExchange]:
    settings = Settings(
        test_keys=corpus_keys(repo_corpus()), clock=Clock("request"), replay_entries=REPLAY_BOUND,
        body_timeout=1.0, idle_timeout=1.0,
    )
    with MockExchange(settings) as running:
        yield running


def fresh_max_request(nonce: int) -> HttpRequest:
    """A MAX request signed now with its own nonce, so the replay store fills with distinct entries."""
    secret = corpus_keys(repo_corpus())["max-v2"]["xxx"]
    request = Request("max-v2", "GET", "/api/v2/members/me", Credentials("xxx", secret),
                      query=(("nonce", str(nonce)),), timestamp=nonce)
    return sign(request).wire


def mixed_request(index: int, rng: random.Random) -> tuple[str, HttpRequest]:
    """Valid vectors, fresh MAX requests, one-byte changes, and garbage targets, headers and bodies."""
    kind = index % 4
    if kind == 0:
        return VALID[index % len(VALID)]
    if kind == 1:
        return "max-v2", fresh_max_request(1_700_000_000_000 + index)
    scheme, received = VALID[rng.randrange(len(VALID))]
    if kind == 2:
        return scheme, replace(received.with_origin(query=received.query + "0"), body=received.body[:-1])
    garbage = rng.randbytes(rng.randrange(0, 200))
    junk = garbage.hex()
    return scheme, HttpRequest(rng.choice(["GET", "POST", "DELETE"]), f"/{junk[:40]}?{junk[40:60]}", (("X-Junk", junk),), garbage)


async def send_all(server: MockExchange, requests: list[tuple[str, HttpRequest]]) -> Counter[int]:
    statuses: Counter[int] = Counter()
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        queue = iter(requests)

        async def worker() -> None:
            for scheme, received in queue:
                url = URL(server.base_url(scheme) + received.origin, encoded=True)
                async with session.request(received.method, url, headers=list(received.headers),
                                           data=received.body or None) as response:
                    await response.read()
                    statuses[response.status] += 1

        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return statuses


def test_ten_thousand_mixed_requests_from_fifty_connections_are_all_answered_without_a_server_error(
    server: MockExchange,
) -> None:
    rng = random.Random(10)
    requests = [mixed_request(index, rng) for index in range(TOTAL)]
    statuses = asyncio.run(send_all(server, requests))
    arrived = server.drain()
    assert sum(statuses.values()) == TOTAL == len(arrived)
    assert [status for status in statuses if status >= 500] == []
    assert server.errors == 0
    assert sum(arrival.verdict is not None and arrival.verdict.accepted for arrival in arrived) >= TOTAL // 4
    assert all(len(store) <= REPLAY_BOUND for store in server.state.replay.values())


async def raw_exchange(port: int, chunks: list[bytes], pause: float) -> tuple[bytes, float]:
    """Send `chunks` with `pause` between them while reading; what came back and when the connection ended."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def read_all() -> bytes:
        received = b""
        try:
            while chunk := await reader.read(65536):
                received += chunk
        except ConnectionError:
            pass
        return received

    reading = asyncio.ensure_future(read_all())
    try:
        for chunk in chunks:
            if reading.done():
                break
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(pause)
    except ConnectionError:
        pass
    answer = await asyncio.wait_for(reading, 10)
    writer.close()
    return answer, time.monotonic() - started


def port_of(server: MockExchange) -> int:
    return server.service.port


async def with_a_normal_client(server: MockExchange, fault: asyncio.Future[tuple[bytes, float]]) -> tuple[bytes, float, float]:
    """Run `fault` while a normal client sends a valid request; the fault's answer, its time and the normal one's."""
    scheme, received = VALID[0]
    await asyncio.sleep(0.2)
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        url = URL(server.base_url(scheme) + received.origin, encoded=True)
        async with session.request(received.method, url, headers=list(received.headers), data=received.body or None) as reply:
            await reply.read()
    normal = time.monotonic() - started
    answer, took = await fault
    return answer, took, normal


def test_a_slowloris_head_is_cut_off_without_stalling_other_clients(server: MockExchange) -> None:
    head = b"GET /max-v2/api/v2/members/me HTTP/1.1\r\nHost: x\r\nX-Slow: "

    async def scenario() -> tuple[bytes, float, float]:
        fault = asyncio.ensure_future(raw_exchange(port_of(server), [bytes([byte]) for byte in head] + [b"a"] * 40, 0.1))
        return await with_a_normal_client(server, fault)

    answer, took, normal = asyncio.run(scenario())
    assert answer == b""
    assert took < 3.0
    assert normal < 1.0


def test_a_slow_body_is_cut_off_with_408_without_stalling_other_clients(server: MockExchange) -> None:
    head = b"POST /max-v2/api/v2/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"

    async def scenario() -> tuple[bytes, float, float]:
        fault = asyncio.ensure_future(raw_exchange(port_of(server), [head] + [b"a"] * 40, 0.1))
        return await with_a_normal_client(server, fault)

    answer, took, normal = asyncio.run(scenario())
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert took < 3.0
    assert normal < 1.0


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_ten_megabyte_body_is_cut_off_with_413_without_stalling_other_clients(server: MockExchange, framing: str) -> None:
    size = 10 * 1024 * 1024
    if framing == "chunked":
        head = b"POST /max-v2/api/v2/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"%x\r\n" % 65536 + b"a" * 65536 + b"\r\n"
        chunks = [head] + [chunk] * (size // 65536) + [b"0\r\n\r\n"]
    else:
        head = b"POST /max-v2/api/v2/orders HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size
        chunks = [head] + [b"a" * 65536] * (size // 65536)

    async def scenario() -> tuple[bytes, float, float]:
        fault = asyncio.ensure_future(raw_exchange(port_of(server), chunks, 0))
        return await with_a_normal_client(server, fault)

    answer, _, normal = asyncio.run(scenario())
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert normal < 1.0
