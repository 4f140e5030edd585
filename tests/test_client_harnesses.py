"""The harnesses of the published clients under clients/: each drives its real, pinned client offline.

Each test starts one harness in its client's own environment, sends it gate
protocol commands for corpus vectors, and reads what the client really sent
over HTTP to a loopback recorder. Expected values come from the corpus (whose
signatures independent oracles confirm) or are recomputed here with hashlib
and hmac from the bytes the recorder received.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import REPO, repo_corpus

CLIENTS = REPO / "clients"


@dataclass(frozen=True)
class Arrival:
    """One request as the recorder received it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class Recorder(ThreadingHTTPServer):
    """A loopback HTTP server that keeps every request and answers with an empty JSON success."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecorderHandler)
        self.arrivals: list[Arrival] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class RecorderHandler(BaseHTTPRequestHandler):
    server: Recorder

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.arrivals.append(Arrival(self.command, self.path, list(self.headers.items()), body))
        answer = b'{"code":0,"message":"OK","data":{}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_DELETE = do_PUT = _record

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def harness_command(client: str) -> list[str]:
    """How the gate starts a client's harness; a client not installed fails in CI and skips elsewhere."""
    folder = CLIENTS / client
    if (folder / "harness.mjs").exists():
        environment, command = folder / "node_modules", ["node", str(folder / "harness.mjs")]
    else:
        environment, command = folder / ".venv", [str(folder / ".venv" / "bin" / "python"), str(folder / "harness.py")]
    if not environment.exists():
        message = f"client {client} is not installed (run clients/{client}/install)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return command


def sign_command(vector_id: str, base_url: str, seq: object = 1) -> dict[str, Any]:
    vector = next(vector for vector in repo_corpus().vectors() if vector.id == vector_id)
    data = json.loads(json.dumps(vector.input, default=str))
    return {"cmd": "sign", "seq": seq, "id": vector_id, "input": data, "base_url": base_url}


def converse(client: str, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start the harness, send `start`, the commands and `stop`; its replies, in order."""
    lines = [{"cmd": "start", "version": 1}, *commands, {"cmd": "stop"}]
    completed = subprocess.run(
        harness_command(client),
        input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True, text=True, timeout=120, check=True,
    )
    return [json.loads(line) for line in completed.stdout.splitlines()]


def vector_expected(vector_id: str) -> dict[str, Any]:
    vector = next(vector for vector in repo_corpus().vectors() if vector.id == vector_id)
    return dict(vector.data["expected"])


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def pinned_version(client: str, name: str) -> str:
    """The version the client's folder pins for package `name` (package.json, or requirements.txt)."""
    folder = CLIENTS / client
    if (folder / "package.json").exists():
        return str(json.loads((folder / "package.json").read_text())["dependencies"][name])
    canonical = re.sub(r"[-_.]+", "-", name).lower()
    for line in (folder / "requirements.txt").read_text().splitlines():
        requirement, _, pinned = line.partition("==")
        if re.sub(r"[-_.]+", "-", requirement).lower() == canonical:
            return pinned
    raise AssertionError(f"{client} pins no {name}")


@pytest.mark.parametrize(
    ("client", "name", "schemes"),
    [
        ("coinex-coinex-api", "coinex-api", ["coinex-v2-sha256-legacy", "coinex-v1", "coinex-perpetual-v1"]),
        ("coinex-coinex-py", "coinex.py", ["coinex-v1"]),
        ("bitunix-bitunix", "bitunix", ["bitunix"]),
        ("max-maicoin", "maicoin", ["max-v2"]),
        ("max-max-exchange-api-node", "max-exchange-api-node", ["max-v2"]),
        ("mexc-mexc-api-sdk", "mexc-api-sdk", ["mexc-spot-v3"]),
        ("peatio-peatio-client", "peatio-client", ["peatio-v2"]),
    ],
)
def test_start_names_the_installed_pinned_client_and_its_schemes(client: str, name: str, schemes: list[str]) -> None:
    (reply,) = converse(client, [])
    implementation = reply["implementation"]
    assert (reply["version"], implementation["name"], implementation["schemes"]) == (1, name, schemes)
    assert implementation["version"] == pinned_version(client, name)


def test_seq_is_echoed_unchanged(recorder: Recorder) -> None:
    _, reply = converse("coinex-coinex-py", [sign_command("coinex-v1-0001", recorder.base_url, seq="opaque-7")])
    assert reply["seq"] == "opaque-7"


def test_node_harness_exits_on_another_protocol_version() -> None:
    completed = subprocess.run(
        harness_command("mexc-mexc-api-sdk"), input='{"cmd":"start","version":2}\n', capture_output=True, text=True, timeout=60,
    )
    assert (completed.returncode, completed.stdout) == (1, "")


def test_coinex_api_signs_v2_with_the_pre_2024_sha256_of_its_sorted_json_body(recorder: Recorder) -> None:
    command = sign_command("coinex-v2-sha256-legacy-0002", recorder.base_url)
    _, reply = converse("coinex-coinex-api", [command])
    (arrival,) = recorder.arrivals
    body = arrival.body.decode()
    assert reply["sent"] is True
    assert list(json.loads(body)) == sorted(json.loads(body))
    expected = sha256_hex("POST/v2/spot/order" + body + "1700490703564" + command["input"]["credentials"]["secret"])
    assert arrival.header("X-COINEX-SIGN") == expected


def test_coinex_py_reproduces_the_documented_v1_string_with_its_pinned_tonce(recorder: Recorder) -> None:
    converse("coinex-coinex-py", [sign_command("coinex-v1-0001", recorder.base_url)])
    (arrival,) = recorder.arrivals
    expected = vector_expected("coinex-v1-0001")
    assert (arrival.target, arrival.header("Authorization")) == (
        expected["wire"]["url"].removeprefix("https://api.coinex.com"), expected["signature"],
    )


def test_coinex_py_cannot_express_other_endpoint_families(recorder: Recorder) -> None:
    _, reply = converse("coinex-coinex-py", [sign_command("coinex-v2-0001", recorder.base_url)])
    assert "skipped" in reply and recorder.arrivals == []


def test_bitunix_authenticated_get_with_params_crashes_before_sending(recorder: Recorder) -> None:
    _, reply = converse("bitunix-bitunix", [sign_command("bitunix-0004", recorder.base_url)])
    assert reply["errored"]["message"].startswith("AttributeError") and recorder.arrivals == []


def test_bitunix_post_signs_its_sorted_compact_body_as_sent(recorder: Recorder) -> None:
    converse("bitunix-bitunix", [sign_command("bitunix-0007", recorder.base_url)])
    (arrival,) = recorder.arrivals
    body = arrival.body.decode()
    assert body == json.dumps(json.loads(body), separators=(",", ":"), sort_keys=True)
    digest = sha256_hex("5d2a1c3e8f7b4a6c9e0d1f2a3b4c5d6e" + "1747104711262" + "yourApiKey" + body)
    credentials = sign_command("bitunix-0007", "")["input"]["credentials"]
    assert arrival.header("sign") == sha256_hex(digest + credentials["secret"])


def test_maicoin_runs_on_python_3_12_or_later() -> None:
    completed = subprocess.run(
        [*harness_command("max-maicoin")[:1], "-c", "import sys, maicoin; print(sys.version_info >= (3, 12))"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert completed.stdout.strip() == "True"


def test_maicoin_reproduces_the_compact_payload_signature(recorder: Recorder) -> None:
    converse("max-maicoin", [sign_command("max-v2-0005", recorder.base_url)])
    (arrival,) = recorder.arrivals
    assert arrival.header("X-MAX-SIGNATURE") == vector_expected("max-v2-0005")["signature"]


def test_maicoin_sends_a_list_as_a_repeated_key_without_brackets(recorder: Recorder) -> None:
    converse("max-maicoin", [sign_command("max-v2-0003", recorder.base_url)])
    (arrival,) = recorder.arrivals
    payload = json.loads(base64.b64decode(arrival.header("X-MAX-PAYLOAD") or ""))
    assert "state=wait&state=done" in arrival.target and payload["state"] == ["wait", "done"]


def test_max_node_signs_a_payload_with_sorted_keys(recorder: Recorder) -> None:
    converse("max-max-exchange-api-node", [sign_command("max-v2-0007", recorder.base_url)])
    (arrival,) = recorder.arrivals
    payload = base64.b64decode(arrival.header("X-MAX-PAYLOAD") or "")
    assert list(json.loads(payload)) == sorted(json.loads(payload))
    assert arrival.header("X-MAX-SIGNATURE") == vector_expected("max-v2-0007")["signature"]


def test_max_node_has_no_call_for_v2_endpoints(recorder: Recorder) -> None:
    _, reply = converse("max-max-exchange-api-node", [sign_command("max-v2-0001", recorder.base_url)])
    assert "skipped" in reply and recorder.arrivals == []


def test_max_node_gets_a_fresh_nonce_per_vector_not_a_bumped_one(recorder: Recorder) -> None:
    twice = [sign_command("max-v2-0005", recorder.base_url, seq) for seq in (1, 2)]
    converse("max-max-exchange-api-node", twice)
    assert [arrival.target.endswith("nonce=1700000000000") for arrival in recorder.arrivals] == [True, True]


def test_mexc_sdk_signs_and_sends_parentheses_raw_from_its_child_process(recorder: Recorder) -> None:
    converse("mexc-mexc-api-sdk", [sign_command("mexc-spot-v3-0009", recorder.base_url)])
    (arrival,) = recorder.arrivals
    query, _, signature = arrival.target.partition("?")[2].rpartition("&signature=")
    secret = sign_command("mexc-spot-v3-0009", "")["input"]["credentials"]["secret"]
    assert "netWork=BEP20(BSC)" in query and "timestamp=1700000000000" in query
    assert signature == hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def test_peatio_client_reproduces_the_published_vector(recorder: Recorder) -> None:
    converse("peatio-peatio-client", [sign_command("peatio-v2-0002", recorder.base_url)])
    (arrival,) = recorder.arrivals
    assert arrival.target == vector_expected("peatio-v2-0002")["wire"]["url"].removeprefix("https://peatio.example")


def test_peatio_client_cannot_express_a_repeated_array_key(recorder: Recorder) -> None:
    _, reply = converse("peatio-peatio-client", [sign_command("peatio-v2-0003", recorder.base_url)])
    assert "skipped" in reply and recorder.arrivals == []


def test_every_client_folder_brings_its_own_executable_install() -> None:
    folders = sorted(path.parent.name for path in CLIENTS.glob("*/harness.*"))
    assert all(os.access(CLIENTS / folder / "install", os.X_OK) for folder in folders)


def test_node_clients_are_pinned_by_a_lockfile() -> None:
    for folder in ("max-max-exchange-api-node", "mexc-mexc-api-sdk"):
        lock = json.loads((CLIENTS / folder / "package-lock.json").read_text())
        declared = json.loads((CLIENTS / folder / "package.json").read_text())["dependencies"]
        assert {name: lock["packages"][f"node_modules/{name}"]["version"] for name in declared} == declared


def test_python_clients_pin_every_requirement() -> None:
    for requirements in CLIENTS.glob("*/requirements.txt"):
        lines = [line for line in requirements.read_text().splitlines() if line and not line.startswith("#")]
        assert lines and all("==" in line for line in lines), requirements
