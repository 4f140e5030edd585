"""The MEXC client harnesses drive real published clients offline: pinned clock, loopback only, capture mode.

Each client's harness runs once, with its client's own venv (tools/install-clients
builds them), over a few vectors against the mock exchange on 127.0.0.1; each test
checks one behaviour of the client or the harness in what came back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from signing.http import HttpRequest
from sigvec.serve import MockExchange, Settings
from sigvec.serve.state import corpus_keys
from tests.support.clients import converse, harness_command, sign_command
from tests.support.corpus import repo_corpus

RUN_VECTORS = ("mexc-spot-v3-0002", "mexc-spot-v3-0005", "mexc-spot-v3-0017", "mexc-spot-v3-0018", "mexc-futures-v1-0001",
           "mexc-futures-v1-0004")


@dataclass(frozen=True)
class Capture:
    """One harness run: its start reply, its reply per vector, and the request the server received per sent vector."""

    start: dict[str, Any]
    replies: dict[str, dict[str, Any]]
    requests: dict[str, HttpRequest]


@cache
def capture(client: str, venv: str = ".venv") -> Capture:
    """Run the client's harness once over `RUN_VECTORS`, sending to the mock exchange."""
    command = harness_command(client, venv)
    with MockExchange(Settings(test_keys=corpus_keys(repo_corpus()))) as server:
        signs = [sign_command(vector_id, server, seq) for seq, vector_id in enumerate(RUN_VECTORS, 1)]
        start, *answers = converse(command, signs)
        arrived = iter(arrival.received for arrival in server.drain())
    replies = dict(zip(RUN_VECTORS, answers, strict=True))
    requests = {vector_id: next(arrived) for vector_id in RUN_VECTORS if "sent" in replies[vector_id]}
    assert next(arrived, None) is None, "the harness sent more requests than it answered sent"
    return Capture(start, replies, requests)


def expected_target(vector_id: str) -> str:
    url: str = repo_corpus().by_id()[vector_id].expected["wire"]["url"]
    return "/" + url.split("/", 3)[3]


CLIENT_NAMES = ["mexc-ccxt", "mexc-typed-mexc", "mexc-pymexc"]


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_harness_declares_both_mexc_schemes_at_start(client: str) -> None:
    start = capture(client).start
    assert start["version"] == 1
    assert start["implementation"]["schemes"] == ["mexc-spot-v3", "mexc-futures-v1"]


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_harness_sends_to_the_loopback_base_url_with_the_vector_clock(client: str) -> None:
    run = capture(client)
    assert run.replies["mexc-spot-v3-0017"] == {"seq": RUN_VECTORS.index("mexc-spot-v3-0017") + 1, "sent": True}
    assert run.requests["mexc-spot-v3-0017"].target == expected_target("mexc-spot-v3-0017")


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_a_client_that_sends_every_spot_parameter_in_the_query_skips_a_form_body(client: str) -> None:
    run = capture(client)
    assert "cannot send a form body" in run.replies["mexc-spot-v3-0005"]["skipped"]["message"]
    assert "mexc-spot-v3-0005" not in run.requests


def test_a_harness_refuses_a_base_url_off_the_loopback_interface() -> None:
    vector = repo_corpus().by_id()["mexc-spot-v3-0017"]
    command = {"cmd": "sign", "seq": 1, "id": vector.id, "input": dict(vector.input), "base_url": "https://api.mexc.com"}
    _, reply = converse(harness_command("mexc-typed-mexc"), [command])
    assert "is not a loopback address" in reply["errored"]["message"]


def test_typed_mexc_sends_doc_example_2_byte_for_byte() -> None:
    assert capture("mexc-typed-mexc").requests["mexc-spot-v3-0002"].target == expected_target("mexc-spot-v3-0002")


def test_typed_mexc_cannot_send_a_recv_window_so_the_vector_is_skipped() -> None:
    run = capture("mexc-typed-mexc")
    assert "Recv-Window" in run.replies["mexc-futures-v1-0004"]["skipped"]["message"]
    assert "mexc-futures-v1-0004" not in run.requests


def test_ccxt_replaces_the_callers_recv_window_with_its_own_default() -> None:
    assert "recvWindow=5000&" in capture("mexc-ccxt").requests["mexc-spot-v3-0018"].target


def test_ccxt_sorts_a_futures_get_query() -> None:
    assert capture("mexc-ccxt").requests["mexc-futures-v1-0001"].target == expected_target("mexc-futures-v1-0001")


def test_pymexc_signs_a_futures_post_over_sorted_pairs_not_the_json_body_it_sends() -> None:
    vector = repo_corpus().by_id()["mexc-futures-v1-0004"]
    sent = capture("mexc-pymexc").requests[vector.id]
    assert sent.body.decode() == vector.expected["wire"]["body"]
    assert sent.header("Signature") != vector.expected["signature"]


def test_pymexc_1_3_1_cannot_be_imported_so_every_vector_is_errored() -> None:
    run = capture("mexc-pymexc", ".venv-1.3.1")
    assert run.start["implementation"]["version"] == "1.3.1"
    missing = "ModuleNotFoundError: No module named 'pymexc._async.web'"
    assert [reply["errored"]["message"] for reply in run.replies.values()] == [missing] * len(RUN_VECTORS)
    assert run.requests == {}
