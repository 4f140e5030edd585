"""`sigvec explain`: one captured request, no vector; exit 0 diagnosed, 1 unexplained, 2 bad input."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from sigvec.cli import main
from tests.support.corpus import REPO, repo_vectors

STRAY = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0004")
SIGNED = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0003")
SECRET = str(STRAY.input["credentials"]["secret"])
API_KEY = str(STRAY.input["credentials"]["api_key"])
KEY_OPTIONS = ["--scheme", "mexc-spot-v3", "--api-key", API_KEY, "--secret-env", "SIGVEC_TEST_SECRET"]


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: bytes
) -> tuple[int, str, str]:
    monkeypatch.setenv("SIGVEC_TEST_SECRET", SECRET)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def wire_json(wire: dict[str, Any]) -> bytes:
    return json.dumps(wire).encode()


def raw_http(wire: dict[str, Any]) -> bytes:
    target = wire["url"].removeprefix("https://api.mexc.com")
    body = (wire["body"] or "").encode()
    headers = "".join(f"{name}: {value}\r\n" for name, value in wire["headers"].items())
    return (
        f"{wire['method']} {target} HTTP/1.1\r\nHost: api.mexc.com\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def test_explain_names_the_class_from_the_json_wire_form(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS], wire_json(dict(STRAY.expected["wire"])))
    assert code == 0
    assert out.startswith("your client joins query and body with `&`") and "flag StrayAmpersand" in out


def test_explain_reads_raw_http(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS, "--http"], raw_http(dict(STRAY.expected["wire"])))
    assert code == 0 and "StrayAmpersand" in out


def test_explain_prints_the_whole_diagnosis_as_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS, "--json"], wire_json(dict(STRAY.expected["wire"])))
    report = json.loads(out)
    assert code == 0 and report["matches"][0]["classes"] == ["StrayAmpersand"] and report["step"] == "signature"


def test_explain_exits_1_when_no_class_reproduces_the_signature(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wire = dict(STRAY.expected["wire"])
    wire["body"] = wire["body"].rsplit("=", 1)[0] + "=" + "0" * 64
    code, out, _ = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS], wire_json(wire))
    assert code == 1 and out.startswith("no known bug class reproduces this signature")


def test_explain_reads_keys_from_a_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.yaml"
    keys.write_text(f"{API_KEY}: {{secret_env: SIGVEC_TEST_SECRET}}\n")
    argv = ["explain", "--scheme", "mexc-spot-v3", "--keys", str(keys)]
    code, out, _ = run(monkeypatch, capsys, argv, wire_json(dict(STRAY.expected["wire"])))
    assert code == 0 and "StrayAmpersand" in out


@pytest.mark.parametrize(
    ("argv", "stdin", "names"),
    [
        (KEY_OPTIONS, b"{not json", "stdin"),
        ([*KEY_OPTIONS, "--http"], b"GET /x\r\n\r\n", "http.request_line"),
        (["--scheme", "mexc-spot-v3", "--api-key", API_KEY], b"{}", "--api-key"),
        (["--scheme", "mexc-spot-v3", "--api-key", API_KEY, "--secret-env", "SIGVEC_UNSET_VARIABLE"], b"{}", "SIGVEC_UNSET"),
    ],
)
def test_explain_refuses_bad_input_with_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: bytes, names: str
) -> None:
    monkeypatch.delenv("SIGVEC_UNSET_VARIABLE", raising=False)
    code, out, err = run(monkeypatch, capsys, ["explain", *argv], stdin)
    assert code == 2 and not out
    assert err.count("\n") == 1 and names in err and "Traceback" not in err


def test_explain_without_server_time_uses_the_request_clock(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wire = wire_json(dict(SIGNED.expected["wire"]))
    late = ["--server-time", str(int(SIGNED.input["timestamp"]) + 3_600_000)]
    _, on_time, _ = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS], wire)
    code, stale, _ = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS, *late], wire)
    assert on_time.startswith("MEXC accepts this request")
    assert code == 0 and stale.startswith("your clock is 3600 s behind MEXC's")


def test_explain_never_prints_the_secret(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run(monkeypatch, capsys, ["explain", *KEY_OPTIONS, "--json"], wire_json(dict(STRAY.expected["wire"])))
    assert SECRET not in out + err


def test_explain_cites_only_vectors_of_the_corpus_named_by_vectors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    for path in root.rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("mexc-spot-v3-0", "mexc-spot-v3-9"), encoding="utf-8")
    argv = ["explain", *KEY_OPTIONS, "--vectors", str(root)]
    code, out, _ = run(monkeypatch, capsys, argv, wire_json(dict(STRAY.expected["wire"])))
    assert code == 0
    assert "see vector mexc-spot-v3-9" in out and "mexc-spot-v3-0" not in out
