"""`sigvec serve` as a real process: it records every answered request and stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from jsonschema import Draft202012Validator

from signing.http import HttpRequest
from sigvec.codec import wire_from_mapping
from sigvec.serve.app import Arrival
from sigvec.serve.state import corpus_keys
from tests.support.corpus import REPO, repo_corpus, repo_vectors
from tests.support.serve import start


def keep_sending(address: str, stop: threading.Event, answered: list[int]) -> None:
    """Send a MAX request over and over on one connection until the server goes away; note each answer's status."""
    received = wire_from_mapping(next(v for v in repo_vectors() if v.id == "max-v2-0001").expected["wire"])
    with requests.Session() as session:
        while not stop.is_set():
            try:
                response = session.get(f"{address}/max-v2{received.origin}", headers=dict(received.headers), timeout=5)
            except requests.RequestException:
                return
            answered.append(response.status_code)


@pytest.fixture(params=[signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def stop_signal(request: pytest.FixtureRequest) -> Iterator[signal.Signals]:
    yield request.param


def test_a_signal_stops_the_server_cleanly_and_every_answered_request_is_recorded(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    record = tmp_path / "record.jsonl"
    process, address = start(tmp_path, "--clock", "request", "--record", str(record))
    stop, answered = threading.Event(), list[int]()
    sender = threading.Thread(target=keep_sending, args=(address, stop, answered))
    sender.start()
    while len(answered) < 50:
        sender.join(0.01)
    process.send_signal(stop_signal)
    assert process.wait(timeout=20) == 0
    stop.set()
    sender.join()
    lines = record.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= len(answered) >= 50
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))


def record_validator() -> Draft202012Validator:
    """The record line's schema, which refers to the one wire form's."""
    record = json.loads((REPO / "sigvec" / "serve" / "schemas" / "record.json").read_text(encoding="utf-8"))
    return Draft202012Validator(record, registry=repo_corpus().schema_registry())


def test_a_record_line_holds_the_raw_request_the_verdict_the_answer_and_the_diagnosis(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    process, address = start(tmp_path, "--clock", "request", "--record", str(record))
    try:
        requests.get(f"{address}/coinex-v2/v2/spot/order?x=1%202", headers={"X-COINEX-KEY": "unknown"}, timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    (line,) = record.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    record_validator().validate(entry)
    assert entry["scheme"] == "coinex-v2"
    assert entry["request"]["url"] == "/v2/spot/order?x=1%202"
    assert entry["request"]["headers"]["X-COINEX-KEY"] == "unknown"
    assert entry["verdict"]["verdict"] == "rejected" and entry["verdict"]["code"] == json.loads(entry["answer"]["body"])["code"]
    assert entry["answer"]["status"] == 200
    assert entry["diagnosis"]


def test_no_test_secret_appears_in_the_record(tmp_path: Path) -> None:
    """Every valid vector is sent, coinex-v1 too, whose server-side string to sign ends with the secret."""
    record = tmp_path / "record.jsonl"
    process, address = start(tmp_path, "--clock", "request", "--record", str(record))
    try:
        for vector in repo_vectors():
            if vector.result == "valid":
                received = wire_from_mapping(vector.expected["wire"])
                prepared = requests.Request(received.method, address, headers=dict(received.headers),
                                            data=received.body or None).prepare()
                prepared.url = f"{address}/{vector.scheme}{received.origin}"
                with requests.Session() as session:
                    session.send(prepared, timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    text = record.read_text(encoding="utf-8")
    secrets = {secret for pairs in corpus_keys(repo_corpus()).values() for secret in pairs.values()}
    assert text.count("\n") == sum(vector.result == "valid" for vector in repo_vectors())
    assert [secret for secret in secrets if secret in text] == []


def test_a_bad_clock_setting_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sigvec.cli", "serve", "--clock", "yesterday"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "sigvec serve: error: --clock: must be real, request or fixed:MS (epoch milliseconds); got 'yesterday'"
    )


def test_a_bad_keys_file_is_named_without_showing_its_secrets(tmp_path: Path) -> None:
    keys = tmp_path / "keys.yaml"
    keys.write_text("max-v2: {mykey: TOPSECRETVALUE}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sigvec.cli", "serve", "--keys", str(keys)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == "sigvec serve: error: --keys: entry 1: must be API key: {secret_env: VARIABLE}, nothing else"


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "sigvec.cli", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith(f"sigvec serve: error: --host/--port: cannot listen on 127.0.0.1:{port} (")
    assert done.stderr.count("\n") == 1


def test_a_record_line_keeps_a_body_that_is_not_utf_8_exactly_beside_the_wire_form() -> None:
    received = HttpRequest("POST", "/api/v2/orders?a=1", (("A", "1"), ("A", "2")), b"\xff\xfe")
    entry = Arrival(1, 0, "max-v2", received, None, 400, "{}", None).to_mapping()
    record_validator().validate(entry)
    assert entry["request"] == {"method": "POST", "url": "/api/v2/orders?a=1", "headers": {"A": "1, 2"}, "body": "\ufffd\ufffd"}
    assert base64.b64decode(entry["request_body_base64"]) == b"\xff\xfe"
