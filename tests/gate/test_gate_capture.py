"""The gate's capture mode: a harness sends its request over real HTTP to the gate's loopback server and answers sent."""

from __future__ import annotations

import http.client
import json
import sys
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from signing import registry
from signing.http import HttpRequest
from signing.model import request_from_mapping
from signing.registry import sign
from signing.server import ServerContext, Verdict
from sigvec.codec import wire_to_mapping
from sigvec.diagnose import Diagnosis, VectorDiagnoser, engine
from sigvec.diagnose.examples import Examples
from sigvec.gate import judge as gate_judge
from sigvec.gate.adapters import InProcessAdapter
from sigvec.gate.capture import CaptureServer
from sigvec.gate.harness import SubprocessHarness
from sigvec.gate.judge import Diagnoser
from sigvec.gate.results import GateRun
from sigvec.gate.run import run_gate
from sigvec.serve import app as serve_app
from sigvec.serve import diagnosis as serve_diagnosis
from tests.support.corpus import repo_corpus, repo_vectors, vector_named
from tests.support.gate import Said

SENDING_HARNESS = Path(__file__).parent / "harnesses" / "sending_harness.py"


def gate(mode: str, schemes: tuple[str, ...], vector_ids: tuple[str, ...] = (), diagnoser: Diagnoser | None = None) -> GateRun:
    harness = SubprocessHarness([sys.executable, str(SENDING_HARNESS), mode, *schemes])
    vectors = [vector for vector in repo_vectors() if not vector_ids or vector.id in vector_ids]
    return run_gate(harness, repo_corpus(), vectors=vectors, diagnoser=diagnoser)


def failing(run: GateRun) -> list[str]:
    return [verdict.id for verdict in run.verdicts if not verdict.passed]


def test_a_client_that_sends_the_reference_request_is_100_percent_by_the_contract() -> None:
    run = gate("exact", ("mexc-spot-v3", "coinex-v2", "max-v2", "bitunix"))
    total = run.total()
    assert total.vectors == sum(v.scheme in ("mexc-spot-v3", "coinex-v2", "max-v2", "bitunix") for v in repo_vectors())
    assert (total.exact_percent, total.accepted_percent) == (100, 100), [v.message for v in run.verdicts if not v.exact]


def test_a_client_whose_http_library_re_encodes_after_signing_fails_the_vectors_that_show_it() -> None:
    run = gate("requests", ("coinex-v2", "mexc-futures-v1"))
    assert failing(run) == ["coinex-v2-0009", "mexc-futures-v1-0009"]
    verdicts = {verdict.id: verdict for verdict in run.verdicts}
    assert (verdicts["coinex-v2-0009"].server, verdicts["mexc-futures-v1-0009"].server) == ("4006", "602")
    assert all(verdicts[vector_id].diff is not None for vector_id in failing(run))


def test_a_failing_captured_request_is_diagnosed_from_the_raw_request_that_arrived() -> None:
    run = gate(
        "requests",
        ("coinex-v2",),
        ("coinex-v2-0009",),
        lambda vector, received, context, verdict: Said(f"arrived: {received.target}"),
    )
    (verdict,) = run.verdicts
    assert verdict.diagnosis == "arrived: /v2/assets/withdraw?ccy=USDT&remark=rent+for+May"


def test_a_client_that_says_sent_but_sends_nothing_is_errored() -> None:
    run = gate("silent", ("max-v2",), ("max-v2-0001",))
    (verdict,) = run.verdicts
    assert verdict.status == "errored"
    assert verdict.message.startswith("the client said it sent the request, but nothing arrived at the loopback server")


def test_of_several_requests_the_one_for_the_input_is_judged_and_the_others_are_named() -> None:
    run = gate("twice", ("max-v2",), ("max-v2-0001",))
    (verdict,) = run.verdicts
    assert (verdict.status, verdict.exact) == ("pass", True)
    assert verdict.message.endswith("captured 2 requests; judged #1 GET /api/v2/members/me.json, not #2 GET /ping")


def test_the_base_url_of_each_scheme_is_a_loopback_origin_without_a_path() -> None:
    with CaptureServer() as capture:
        urls = {capture.prepare(vector_named(f"{scheme}-0001")) for scheme in ("mexc-spot-v3", "max-v2", "peatio-v2")}
    assert len(urls) == 3
    assert all(urlsplit(url).hostname == "127.0.0.1" and urlsplit(url).path == "" for url in urls)


def answer_to(capture: CaptureServer, vector_id: str) -> tuple[int, object]:
    """Send the reference's request for a vector to the capture server pinned to that vector; its status and code."""
    vector = vector_named(vector_id)
    base, wire = urlsplit(capture.prepare(vector)), sign(request_from_mapping(vector.input)).wire
    connection = http.client.HTTPConnection(base.hostname or "", base.port, timeout=10)
    try:
        connection.request(wire.method, wire.origin, wire.body or None, dict(wire.headers))
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    error = answer.get("error")
    return response.status, error["code"] if isinstance(error, dict) else answer.get("code")


@pytest.mark.parametrize(
    ("vector_id", "code"),
    [("max-v2-0020", 2006), ("max-v2-0021", 2008), ("max-v2-0016", 2007), ("mexc-spot-v3-0025", 700003)],
)
def test_the_loopback_server_answers_each_vector_as_that_vectors_own_server(vector_id: str, code: int) -> None:
    with CaptureServer() as capture:
        status, answered = answer_to(capture, vector_id)
    assert status >= 400
    assert answered == code


def test_the_loopback_server_accepts_a_valid_vector_at_its_own_server_time() -> None:
    with CaptureServer() as capture:
        status, _ = answer_to(capture, "max-v2-0015")
    assert status == 200


def test_an_in_process_signer_runs_without_the_loopback_server() -> None:
    servers_seen: list[int] = []

    def signer(data: Mapping[str, Any]) -> dict[str, Any]:
        servers_seen.append(sum(thread.name == "sigvec-serve" for thread in threading.enumerate()))
        return wire_to_mapping(sign(request_from_mapping(data)).wire)

    run = run_gate(InProcessAdapter(signer), repo_corpus(), vectors=[vector_named("max-v2-0001")])
    assert (run.total().exact, servers_seen) == (1, [0])


def test_each_captured_vector_is_verified_once_and_diagnosed_at_most_once(monkeypatch: pytest.MonkeyPatch) -> None:
    verified: Counter[str] = Counter()
    diagnosed: Counter[str] = Counter()
    real_diagnose = engine.diagnose

    def counting_verify(received: HttpRequest, context: ServerContext, scheme: str) -> Verdict:
        verified[scheme] += 1
        return registry.verify(received, context, scheme)

    def counting_diagnose(received: HttpRequest, scheme: str, *args: Any, **kwargs: Any) -> Diagnosis:
        diagnosed[scheme] += 1
        return real_diagnose(received, scheme, *args, **kwargs)

    for module in (serve_app, gate_judge, engine):
        monkeypatch.setattr(module, "verify", counting_verify)
    monkeypatch.setattr(engine, "diagnose", counting_diagnose)
    monkeypatch.setattr(serve_diagnosis, "diagnose", counting_diagnose)
    run = gate("requests", ("coinex-v2", "mexc-futures-v1"), diagnoser=VectorDiagnoser(Examples.of(repo_vectors())))
    per_scheme = Counter(verdict.scheme for verdict in run.verdicts)
    assert failing(run) == ["coinex-v2-0009", "mexc-futures-v1-0009"]
    assert all(run.verdicts[index].diagnosis for index, verdict in enumerate(run.verdicts) if not verdict.passed)
    assert verified == per_scheme
    assert diagnosed == Counter({"coinex-v2": 1, "mexc-futures-v1": 1})
