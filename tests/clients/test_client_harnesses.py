"""The harnesses of the published clients under clients/: each drives its real, pinned client offline.

Each test starts one harness in its client's own environment, sends it gate
protocol commands for corpus vectors, and reads what the client really sent
over HTTP to the mock exchange on 127.0.0.1. Expected values come from the
corpus (whose signatures independent oracles confirm) or are recomputed here
with hashlib and hmac from the bytes the server received.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from signing.http import HttpRequest
from sigvec.harness.inputs import QUERY_ONLY_FORM
from sigvec.serve import MockExchange
from sigvec.serve.fixture import sigvec_server
from tests.support.clients import CLIENTS, converse, harness_command, sign_command
from tests.support.corpus import repo_corpus

__all__ = ["sigvec_server"]


def sent(server: MockExchange) -> list[HttpRequest]:
    """What the mock exchange received since the last look, in arrival order."""
    return [arrival.received for arrival in server.drain()]


def vector_expected(vector_id: str) -> dict[str, Any]:
    return dict(repo_corpus().by_id()[vector_id].expected)


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
    (reply,) = converse(harness_command(client), [])
    implementation = reply["implementation"]
    assert (reply["version"], implementation["name"], implementation["schemes"]) == (1, name, schemes)
    assert implementation["version"] == pinned_version(client, name)


def test_seq_is_echoed_unchanged(sigvec_server: MockExchange) -> None:
    _, reply = converse(harness_command("coinex-coinex-py"), [sign_command("coinex-v1-0001", sigvec_server, seq="opaque-7")])
    assert reply["seq"] == "opaque-7"


def test_node_harness_exits_on_another_protocol_version() -> None:
    completed = subprocess.run(
        harness_command("mexc-mexc-api-sdk"), input='{"cmd":"start","version":2}\n', capture_output=True, text=True, timeout=60,
    )
    assert (completed.returncode, completed.stdout) == (1, "")


def test_coinex_api_signs_v2_with_the_pre_2024_sha256_of_its_sorted_json_body(sigvec_server: MockExchange) -> None:
    command = sign_command("coinex-v2-sha256-legacy-0002", sigvec_server)
    _, reply = converse(harness_command("coinex-coinex-api"), [command])
    (arrival,) = sent(sigvec_server)
    body = arrival.body.decode()
    assert reply["sent"] is True
    assert list(json.loads(body)) == sorted(json.loads(body))
    expected = sha256_hex("POST/v2/spot/order" + body + "1700490703564" + command["input"]["credentials"]["secret"])
    assert arrival.header("X-COINEX-SIGN") == expected


def test_coinex_py_reproduces_the_documented_v1_string_with_its_pinned_tonce(sigvec_server: MockExchange) -> None:
    converse(harness_command("coinex-coinex-py"), [sign_command("coinex-v1-0001", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    expected = vector_expected("coinex-v1-0001")
    assert (arrival.target, arrival.header("Authorization")) == (
        expected["wire"]["url"].removeprefix("https://api.coinex.com"), expected["signature"],
    )


def test_coinex_py_cannot_express_other_endpoint_families(sigvec_server: MockExchange) -> None:
    _, reply = converse(harness_command("coinex-coinex-py"), [sign_command("coinex-v2-0001", sigvec_server)])
    assert "skipped" in reply and sent(sigvec_server) == []


def test_bitunix_authenticated_get_with_params_crashes_before_sending(sigvec_server: MockExchange) -> None:
    _, reply = converse(harness_command("bitunix-bitunix"), [sign_command("bitunix-0004", sigvec_server)])
    assert reply["errored"]["message"].startswith("AttributeError") and sent(sigvec_server) == []


def test_bitunix_post_signs_its_sorted_compact_body_as_sent(sigvec_server: MockExchange) -> None:
    converse(harness_command("bitunix-bitunix"), [sign_command("bitunix-0007", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    body = arrival.body.decode()
    assert body == json.dumps(json.loads(body), separators=(",", ":"), sort_keys=True)
    digest = sha256_hex("5d2a1c3e8f7b4a6c9e0d1f2a3b4c5d6e" + "1747104711262" + "yourApiKey" + body)
    credentials = repo_corpus().by_id()["bitunix-0007"].input["credentials"]
    assert arrival.header("sign") == sha256_hex(digest + credentials["secret"])


def test_maicoin_runs_on_python_3_12_or_later() -> None:
    completed = subprocess.run(
        [*harness_command("max-maicoin")[:1], "-c", "import sys, maicoin; print(sys.version_info >= (3, 12))"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert completed.stdout.strip() == "True"


def test_maicoin_reproduces_the_compact_payload_signature(sigvec_server: MockExchange) -> None:
    converse(harness_command("max-maicoin"), [sign_command("max-v2-0005", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    assert arrival.header("X-MAX-SIGNATURE") == vector_expected("max-v2-0005")["signature"]


def test_maicoin_sends_a_list_as_a_repeated_key_without_brackets(sigvec_server: MockExchange) -> None:
    converse(harness_command("max-maicoin"), [sign_command("max-v2-0003", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    payload = json.loads(base64.b64decode(arrival.header("X-MAX-PAYLOAD") or ""))
    assert "state=wait&state=done" in arrival.target and payload["state"] == ["wait", "done"]


def test_max_node_signs_a_payload_with_sorted_keys(sigvec_server: MockExchange) -> None:
    converse(harness_command("max-max-exchange-api-node"), [sign_command("max-v2-0007", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    payload = base64.b64decode(arrival.header("X-MAX-PAYLOAD") or "")
    assert list(json.loads(payload)) == sorted(json.loads(payload))
    assert arrival.header("X-MAX-SIGNATURE") == vector_expected("max-v2-0007")["signature"]


def test_max_node_has_no_call_for_v2_endpoints(sigvec_server: MockExchange) -> None:
    _, reply = converse(harness_command("max-max-exchange-api-node"), [sign_command("max-v2-0001", sigvec_server)])
    assert "skipped" in reply and sent(sigvec_server) == []


def test_max_node_gets_a_fresh_nonce_per_vector_not_a_bumped_one(sigvec_server: MockExchange) -> None:
    twice = [sign_command("max-v2-0005", sigvec_server, seq) for seq in (1, 2)]
    converse(harness_command("max-max-exchange-api-node"), twice)
    assert [arrival.target.endswith("nonce=1700000000000") for arrival in sent(sigvec_server)] == [True, True]


def test_mexc_sdk_skips_a_form_body_vector_by_the_contracts_rule_for_query_string_clients(sigvec_server: MockExchange) -> None:
    _, reply = converse(harness_command("mexc-mexc-api-sdk"), [sign_command("mexc-spot-v3-0009", sigvec_server)])
    assert reply["skipped"]["message"] == QUERY_ONLY_FORM and sent(sigvec_server) == []


def test_mexc_sdk_signs_a_query_request_from_its_child_process(sigvec_server: MockExchange) -> None:
    converse(harness_command("mexc-mexc-api-sdk"), [sign_command("mexc-spot-v3-0002", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    query, _, signature = arrival.target.partition("?")[2].rpartition("&signature=")
    secret = repo_corpus().by_id()["mexc-spot-v3-0002"].input["credentials"]["secret"]
    assert signature == hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def test_peatio_client_reproduces_the_published_vector(sigvec_server: MockExchange) -> None:
    converse(harness_command("peatio-peatio-client"), [sign_command("peatio-v2-0002", sigvec_server)])
    (arrival,) = sent(sigvec_server)
    assert arrival.target == vector_expected("peatio-v2-0002")["wire"]["url"].removeprefix("https://peatio.example")


def test_peatio_client_cannot_express_a_repeated_array_key(sigvec_server: MockExchange) -> None:
    _, reply = converse(harness_command("peatio-peatio-client"), [sign_command("peatio-v2-0003", sigvec_server)])
    assert "skipped" in reply and sent(sigvec_server) == []


def client_folders() -> list[Path]:
    """Every folder under clients/ with a harness (a Python or a Node one)."""
    return sorted({path.parent for pattern in ("*/harness.py", "*/harness.mjs") for path in CLIENTS.glob(pattern)})


def test_every_client_folder_brings_its_own_executable_install() -> None:
    folders = client_folders()
    assert len(folders) == 10 and all(os.access(folder / "install", os.X_OK) for folder in folders)


def test_every_client_folder_names_its_known_failures() -> None:
    folders = client_folders()
    assert len(folders) == 10 and all((folder / "known-failures.yaml").is_file() for folder in folders)


def test_node_clients_are_pinned_by_a_lockfile() -> None:
    for folder in ("max-max-exchange-api-node", "mexc-mexc-api-sdk"):
        lock = json.loads((CLIENTS / folder / "package-lock.json").read_text())
        declared = json.loads((CLIENTS / folder / "package.json").read_text())["dependencies"]
        assert {name: lock["packages"][f"node_modules/{name}"]["version"] for name in declared} == declared


def test_python_clients_pin_every_requirement() -> None:
    for requirements in CLIENTS.glob("*/requirements.txt"):
        lines = [line for line in requirements.read_text().splitlines() if line and not line.startswith("#")]
        assert lines and all("==" in line for line in lines), requirements
