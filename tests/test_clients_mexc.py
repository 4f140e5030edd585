"""The MEXC client harnesses drive real published clients offline: pinned clock, loopback only, capture mode.

Each client's harness runs once, with its client's own venv (tools/install-clients
builds them), over a few vectors against a loopback HTTP recorder; each test
checks one behaviour of the client or the harness in what came back.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import REPO, repo_corpus, require_tool

CLIENTS = REPO / "clients"


class Recorder(ThreadingHTTPServer):
    """A loopback HTTP server that keeps every request it receives and answers `{}`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.requests: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class RecordingHandler(BaseHTTPRequestHandler):
    server: Recorder

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        self.server.requests.append({"method": self.command, "target": self.path, "headers": dict(self.headers), "body": body})
        payload = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads `requests` instead."""


RUN_VECTORS = ("mexc-spot-v3-0002", "mexc-spot-v3-0005", "mexc-spot-v3-0017", "mexc-spot-v3-0018", "mexc-futures-v1-0001",
           "mexc-futures-v1-0004")


@dataclass(frozen=True)
class Capture:
    """One harness run: its start reply, its reply per vector, and the request the recorder got per sent vector."""

    start: dict[str, Any]
    replies: dict[str, dict[str, Any]]
    requests: dict[str, dict[str, Any]]


@cache
def capture(client: str, venv: str = ".venv") -> Capture:
    """Run the client's harness once over `RUN_VECTORS`, sending to a loopback recorder."""
    python = require_tool(str(CLIENTS / client / venv / "bin" / "python"))
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        inputs = repo_corpus().by_id()
        commands: list[dict[str, Any]] = [{"cmd": "start", "version": 1}]
        commands += [
            {"cmd": "sign", "seq": seq, "id": vector_id, "input": dict(inputs[vector_id].input), "base_url": server.base_url}
            for seq, vector_id in enumerate(RUN_VECTORS, 1)
        ]
        commands.append({"cmd": "stop"})
        lines = "".join(json.dumps(command) + "\n" for command in commands)
        done = subprocess.run(
            [python, str(CLIENTS / client / "harness.py")], input=lines, capture_output=True, text=True, timeout=120, check=True
        )
    finally:
        server.shutdown()
        server.server_close()
    start, *answers = (json.loads(line) for line in done.stdout.splitlines())
    replies = dict(zip(RUN_VECTORS, answers, strict=True))
    sent = iter(server.requests)
    requests = {vector_id: next(sent) for vector_id in RUN_VECTORS if "sent" in replies[vector_id]}
    assert next(sent, None) is None, "the harness sent more requests than it answered sent"
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
    assert run.requests["mexc-spot-v3-0017"]["target"] == expected_target("mexc-spot-v3-0017")


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_a_client_that_sends_every_spot_parameter_in_the_query_skips_a_form_body(client: str) -> None:
    run = capture(client)
    assert "cannot send a form body" in run.replies["mexc-spot-v3-0005"]["skipped"]["message"]
    assert "mexc-spot-v3-0005" not in run.requests


def test_a_harness_refuses_a_base_url_off_the_loopback_interface() -> None:
    python = require_tool(str(CLIENTS / "mexc-typed-mexc" / ".venv" / "bin" / "python"))
    vector = repo_corpus().by_id()["mexc-spot-v3-0017"]
    commands = [{"cmd": "sign", "seq": 1, "id": vector.id, "input": dict(vector.input), "base_url": "https://api.mexc.com"}]
    lines = "".join(json.dumps(command) + "\n" for command in commands)
    harness = str(CLIENTS / "mexc-typed-mexc" / "harness.py")
    done = subprocess.run([python, harness], input=lines, capture_output=True, text=True, timeout=60, check=True)
    assert "is not a loopback address" in json.loads(done.stdout)["errored"]["message"]


def test_typed_mexc_sends_doc_example_2_byte_for_byte() -> None:
    assert capture("mexc-typed-mexc").requests["mexc-spot-v3-0002"]["target"] == expected_target("mexc-spot-v3-0002")


def test_typed_mexc_cannot_send_a_recv_window_so_the_vector_is_skipped() -> None:
    run = capture("mexc-typed-mexc")
    assert "Recv-Window" in run.replies["mexc-futures-v1-0004"]["skipped"]["message"]
    assert "mexc-futures-v1-0004" not in run.requests


def test_ccxt_replaces_the_callers_recv_window_with_its_own_default() -> None:
    assert "recvWindow=5000&" in capture("mexc-ccxt").requests["mexc-spot-v3-0018"]["target"]


def test_ccxt_sorts_a_futures_get_query() -> None:
    assert capture("mexc-ccxt").requests["mexc-futures-v1-0001"]["target"] == expected_target("mexc-futures-v1-0001")


def test_pymexc_signs_a_futures_post_over_sorted_pairs_not_the_json_body_it_sends() -> None:
    vector = repo_corpus().by_id()["mexc-futures-v1-0004"]
    sent = capture("mexc-pymexc").requests[vector.id]
    assert sent["body"] == vector.expected["wire"]["body"]
    assert sent["headers"]["Signature"] != vector.expected["signature"]


def test_pymexc_1_3_1_cannot_be_imported_so_every_vector_is_errored() -> None:
    run = capture("mexc-pymexc", ".venv-1.3.1")
    assert run.start["implementation"]["version"] == "1.3.1"
    missing = "ModuleNotFoundError: No module named 'pymexc._async.web'"
    assert [reply["errored"]["message"] for reply in run.replies.values()] == [missing] * len(RUN_VECTORS)
    assert run.requests == {}
