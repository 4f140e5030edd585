"""The replay store fails closed: each key has its own bounded space, a full space refuses, and no live nonce is forgotten."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import requests

from signing.model import Credentials, Request
from signing.registry import sign
from signing.server import MemoryReplayStore
from sigvec.serve.state import corpus_keys
from tests.support.corpus import repo_corpus
from tests.support.serve import start

NOW = 1_700_000_000_000
TTL = 60_000


def test_a_full_space_refuses_new_nonces_and_still_knows_every_live_one() -> None:
    store = MemoryReplayStore(entries_per_space=3)
    assert [store.record("key", str(nonce), NOW, TTL) for nonce in range(3)] == ["new"] * 3
    assert store.record("key", "3", NOW, TTL) == "full"
    assert [store.record("key", str(nonce), NOW, TTL) for nonce in range(3)] == ["seen"] * 3


def test_one_key_filling_its_space_leaves_another_key_s_space_alone() -> None:
    store = MemoryReplayStore(entries_per_space=2)
    assert store.record("victim", "1", NOW, TTL) == "new"
    flood = [store.record("attacker", str(nonce), NOW, TTL) for nonce in range(100)]
    assert flood.count("new") == 2 and flood.count("full") == 98
    assert store.record("victim", "1", NOW, TTL) == "seen"
    assert store.record("victim", "2", NOW, TTL) == "new"


def test_expired_nonces_make_room_again() -> None:
    store = MemoryReplayStore(entries_per_space=1)
    assert store.record("key", "1", NOW, TTL) == "new"
    assert store.record("key", "2", NOW + TTL - 1, TTL) == "full"
    assert store.record("key", "2", NOW + TTL, TTL) == "new"
    assert len(store) == 1


def test_past_its_number_of_spaces_a_store_refuses_a_new_key_until_a_space_empties() -> None:
    store = MemoryReplayStore(spaces=2)
    assert store.record("a", "1", NOW, TTL) == "new"
    assert store.record("b", "1", NOW, TTL) == "new"
    assert store.record("c", "1", NOW, TTL) == "full"
    assert store.record("a", "2", NOW, TTL) == "new"
    assert store.record("c", "1", NOW + TTL, TTL) == "new"


def max_request(nonce: int) -> Request:
    secret = corpus_keys(repo_corpus())["max-v2"]["xxx"]
    return Request("max-v2", "GET", "/api/v2/members/me", Credentials("xxx", secret), query=(("nonce", str(nonce)),),
                   timestamp=nonce)


def send(session: requests.Session, address: str, request: Request) -> tuple[int, int | None]:
    """Send the reference's wire request for `request`; its HTTP status and the exchange's error code (None on success)."""
    wire = sign(request).wire
    prepared = requests.Request(wire.method, address, headers=dict(wire.headers), data=wire.body or None).prepare()
    prepared.url = f"{address}/{request.scheme}{wire.origin}"
    response = session.send(prepared, timeout=5)
    error = json.loads(response.text).get("error")
    return response.status_code, error["code"] if error else None


def test_a_flood_of_unsigned_peatio_requests_cannot_make_a_max_request_replayable(tmp_path: Path) -> None:
    """Over HTTP against `sigvec serve`: Peatio records a tonce before it checks the signature, so anyone knowing a
    public access key can fill that key's space; the space fills and refuses (2006), and MAX's nonce stays live."""
    bound = 200
    process, address = start(tmp_path, "--clock", "request", "--replay-entries", str(bound))
    peatio_key = sorted(corpus_keys(repo_corpus())["peatio-v2"])[0]
    try:
        with requests.Session() as session:
            assert send(session, address, max_request(NOW)) == (200, None)
            codes = []
            for tonce in range(NOW, NOW + bound + 50):
                query = f"access_key={peatio_key}&tonce={tonce}&signature=forged"
                answer = session.get(f"{address}/peatio-v2/api/v2/members/me.json?{query}", timeout=5)
                codes.append(answer.json()["error"]["code"])
            assert codes == [2005] * bound + [2006] * 50
            assert send(session, address, max_request(NOW)) == (401, 2006)
            replays = [send(session, address, max_request(NOW + nonce))[1] for nonce in range(1, bound + 10)]
            assert replays == [None] * (bound - 1) + [2006] * 10
            assert send(session, address, max_request(NOW)) == (401, 2006)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
