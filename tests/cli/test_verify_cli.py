"""`sigvec verify`: a wire request in, the server's verdict out; 0 accepted, 1 rejected, 2 bad input."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from sigvec.cli import main
from sigvec.corpus import Vector
from tests.support.corpus import vector_named


def verify(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: bytes
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(["verify", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def key_args(vector: Vector, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SIGVEC_TEST_SECRET", vector.input["credentials"]["secret"])
    return ["--scheme", vector.scheme, "--api-key", vector.input["credentials"]["api_key"], "--secret-env", "SIGVEC_TEST_SECRET"]


def wire_bytes(vector: Vector, **changes: Any) -> bytes:
    return json.dumps({**vector.expected["wire"], **changes}).encode()


@pytest.mark.parametrize("vector_id", ["mexc-spot-v3-0002", "max-v2-0001", "coinex-v2-0001", "bitunix-0001", "peatio-v2-0001"])
def test_a_valid_vectors_wire_is_accepted_with_exit_0(
    vector_id: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named(vector_id)
    code, out, _ = verify(monkeypatch, capsys, key_args(vector, monkeypatch), wire_bytes(vector))
    assert (code, json.loads(out)) == (0, {"verdict": "accepted"})


def test_an_invalid_vectors_wire_is_rejected_with_exit_1_and_the_native_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("mexc-spot-v3-0004")
    code, out, _ = verify(monkeypatch, capsys, key_args(vector, monkeypatch), wire_bytes(vector))
    verdict = json.loads(out)
    assert code == 1
    assert verdict["verdict"] == "rejected" and verdict["code"] == vector.data["error"]["code"]
    assert {"reason", "step", "http_status", "body"} <= set(verdict)


def test_without_server_time_the_clock_is_the_requests_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("coinex-v2-0012")
    code, _, _ = verify(monkeypatch, capsys, key_args(vector, monkeypatch), wire_bytes(vector))
    assert code == 0


def test_server_time_puts_the_request_outside_its_window(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("coinex-v2-0012")
    argv = [*key_args(vector, monkeypatch), "--server-time", str(vector.server_time)]
    code, out, _ = verify(monkeypatch, capsys, argv, wire_bytes(vector))
    assert (code, json.loads(out)["code"]) == (1, vector.data["error"]["code"])


def test_the_clock_in_seconds_is_read_in_its_unit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    vector = vector_named("mexc-futures-v1-0001")
    code, _, _ = verify(monkeypatch, capsys, key_args(vector, monkeypatch), wire_bytes(vector))
    assert code == 0


def test_raw_http_is_read_with_http(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    vector = vector_named("coinex-v2-0001")
    wire = vector.expected["wire"]
    target = wire["url"].split("://", 1)[1].partition("/")[2]
    headers = "".join(f"{name}: {value}\r\n" for name, value in wire["headers"].items())
    body = (wire["body"] or "").encode()
    raw = (
        f"{wire['method']} /{target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body
    )
    code, out, _ = verify(monkeypatch, capsys, [*key_args(vector, monkeypatch), "--http"], raw)
    assert (code, json.loads(out)) == (0, {"verdict": "accepted"})


def test_a_key_file_maps_keys_to_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("mexc-spot-v3-0002")
    monkeypatch.setenv("MEXC_SECRET", vector.input["credentials"]["secret"])
    keys = tmp_path / "keys.yaml"
    keys.write_text(
        f"{vector.input['credentials']['api_key']}: {{secret_env: MEXC_SECRET}}\nother: {{secret_env: MEXC_SECRET}}\n"
    )
    code, _, _ = verify(monkeypatch, capsys, ["--scheme", vector.scheme, "--keys", str(keys)], wire_bytes(vector))
    assert code == 0


def test_an_unknown_key_is_rejected_by_the_server_not_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("mexc-spot-v3-0002")
    monkeypatch.setenv("SIGVEC_TEST_SECRET", "whatever")
    argv = ["--scheme", vector.scheme, "--api-key", "someone-else", "--secret-env", "SIGVEC_TEST_SECRET"]
    code, out, _ = verify(monkeypatch, capsys, argv, wire_bytes(vector))
    assert code == 1 and json.loads(out)["verdict"] == "rejected"


def test_there_is_no_way_to_give_the_secret_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("mexc-spot-v3-0002")
    with pytest.raises(SystemExit) as exited:
        verify(monkeypatch, capsys, ["--scheme", vector.scheme, "--api-key", "k", "--secret", "s"], wire_bytes(vector))
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        (b"\xff\xfe", "stdin"),
        (b"[" * 100_000, "stdin"),
        (b'{"method": "PATCH", "url": "https://x/", "headers": {}, "body": null}', "wire.method"),
        (b'{"method": "GET"}', "wire.url"),
    ],
    ids=["not-utf8", "deep-json", "patch", "no-url"],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    stdin: bytes, field: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("mexc-spot-v3-0002")
    code, out, err = verify(monkeypatch, capsys, key_args(vector, monkeypatch), stdin)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert f"error: {field}" in err


def test_an_unset_secret_variable_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    vector = vector_named("mexc-spot-v3-0002")
    monkeypatch.delenv("SIGVEC_UNSET", raising=False)
    argv = ["--scheme", vector.scheme, "--api-key", "k", "--secret-env", "SIGVEC_UNSET"]
    code, _, err = verify(monkeypatch, capsys, argv, wire_bytes(vector))
    assert code == 2 and "SIGVEC_UNSET" in err
