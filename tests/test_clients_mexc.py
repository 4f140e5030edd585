"""The MEXC client harnesses drive real published clients offline: pinned clock, loopback only, capture mode.

Each test runs a harness with its client's own venv (tools/install-clients
builds them) against a loopback HTTP recorder, and checks one behaviour of
the client or the harness.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import CORPUS, REPO, require_tool

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


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_harness(client: str, vector_ids: list[str], base_url: str, venv: str = ".venv") -> list[dict[str, Any]]:
    """The harness's replies to `start` and one `sign` per vector."""
    python = require_tool(str(CLIENTS / client / venv / "bin" / "python"))
    vectors = CORPUS.by_id()
    commands = [{"cmd": "start", "version": 1}]
    commands += [
        {"cmd": "sign", "seq": seq, "id": vector_id, "input": dict(vectors[vector_id].input), "base_url": base_url}
        for seq, vector_id in enumerate(vector_ids, 1)
    ]
    commands.append({"cmd": "stop"})
    lines = "".join(json.dumps(command) + "\n" for command in commands)
    done = subprocess.run(
        [python, str(CLIENTS / client / "harness.py")], input=lines, capture_output=True, text=True, timeout=120, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def expected_target(vector_id: str) -> str:
    url: str = CORPUS.by_id()[vector_id].expected["wire"]["url"]
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize("client", ["mexc-ccxt", "mexc-typed-mexc", "mexc-pymexc"])
def test_harness_declares_both_mexc_schemes_at_start(client: str, recorder: Recorder) -> None:
    start = run_harness(client, [], recorder.base_url)[0]
    assert start["version"] == 1
    assert start["implementation"]["schemes"] == ["mexc-spot-v3", "mexc-futures-v1"]


@pytest.mark.parametrize("client", ["mexc-ccxt", "mexc-typed-mexc", "mexc-pymexc"])
def test_harness_sends_to_the_loopback_base_url_with_the_vector_clock(client: str, recorder: Recorder) -> None:
    replies = run_harness(client, ["mexc-spot-v3-0017"], recorder.base_url)
    assert replies[1] == {"seq": 1, "sent": True}
    assert recorder.requests[0]["target"] == expected_target("mexc-spot-v3-0017")


@pytest.mark.parametrize("client", ["mexc-ccxt", "mexc-typed-mexc", "mexc-pymexc"])
def test_a_client_that_sends_every_spot_parameter_in_the_query_skips_a_form_body(client: str, recorder: Recorder) -> None:
    replies = run_harness(client, ["mexc-spot-v3-0005"], recorder.base_url)
    assert "cannot send a form body" in replies[1]["skipped"]["message"]
    assert recorder.requests == []


def test_typed_mexc_sends_doc_example_2_byte_for_byte(recorder: Recorder) -> None:
    run_harness("mexc-typed-mexc", ["mexc-spot-v3-0002"], recorder.base_url)
    assert recorder.requests[0]["target"] == expected_target("mexc-spot-v3-0002")


def test_typed_mexc_cannot_send_a_recv_window_so_the_vector_is_skipped(recorder: Recorder) -> None:
    replies = run_harness("mexc-typed-mexc", ["mexc-futures-v1-0004"], recorder.base_url)
    assert "Recv-Window" in replies[1]["skipped"]["message"]
    assert recorder.requests == []


def test_ccxt_replaces_the_callers_recv_window_with_its_own_default(recorder: Recorder) -> None:
    run_harness("mexc-ccxt", ["mexc-spot-v3-0018"], recorder.base_url)
    assert "recvWindow=5000&" in recorder.requests[0]["target"]


def test_ccxt_sorts_a_futures_get_query(recorder: Recorder) -> None:
    run_harness("mexc-ccxt", ["mexc-futures-v1-0001"], recorder.base_url)
    assert recorder.requests[0]["target"] == expected_target("mexc-futures-v1-0001")


def test_pymexc_signs_a_futures_post_over_sorted_pairs_not_the_json_body_it_sends(recorder: Recorder) -> None:
    vector = CORPUS.by_id()["mexc-futures-v1-0004"]
    run_harness("mexc-pymexc", [vector.id], recorder.base_url)
    sent = recorder.requests[0]
    assert sent["body"] == vector.expected["wire"]["body"]
    assert sent["headers"]["Signature"] != vector.expected["signature"]


def test_pymexc_1_3_1_cannot_be_imported_so_every_vector_is_errored(recorder: Recorder) -> None:
    ids = ["mexc-spot-v3-0002", "mexc-futures-v1-0001"]
    replies = run_harness("mexc-pymexc", ids, recorder.base_url, venv=".venv-1.3.1")
    assert replies[0]["implementation"]["version"] == "1.3.1"
    missing = "ModuleNotFoundError: No module named 'pymexc._async.web'"
    assert [reply["errored"]["message"] for reply in replies[1:]] == [missing] * 2
    assert recorder.requests == []

