"""The `sigvec` command line, as a user meets it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from signing.registry import SCHEMES
from sigvec.cli import main
from tests.support.corpus import REPO, repo_vectors, vector_named

SPOT_VECTOR = vector_named("mexc-spot-v3-0003")


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def corpus_with_spot_edit(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the corpus with the first `old` in mexc/spot.yaml replaced by `new`."""
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    spot = root / "mexc" / "spot.yaml"
    text = spot.read_text()
    assert old in text
    spot.write_text(text.replace(old, new, 1))
    return root


def lint_after_spot_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> tuple[int, str]:
    code, out, _ = run(monkeypatch, capsys, ["lint", "--vectors", str(corpus_with_spot_edit(tmp_path, old, new))])
    return code, out


def test_check_prints_a_summary_per_scheme_and_exits_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, ["check", "--vectors", str(REPO / "vectors")])
    assert code == 0
    assert out.splitlines()[0].split() == ["scheme", "vectors", "passed", "failed", "errata", "acceptable"]
    assert any(line.startswith("mexc-spot-v3 ") for line in out.splitlines())
    assert any(line.startswith("mexc-futures-v1 ") for line in out.splitlines())


def test_check_exits_non_zero_and_names_the_vector_and_stage_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = corpus_with_spot_edit(tmp_path, "type=LIMITquantity", "type=LIMIT&quantity")
    code, out, _ = run(monkeypatch, capsys, ["check", "--vectors", str(root)])
    assert code == 1
    assert "FAIL mexc-spot-v3-0003" in out and "string_to_sign" in out


def test_check_json_report_lists_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, ["check", "--format", "json", "--vectors", str(REPO / "vectors")])
    report = json.loads(out)
    assert code == 0 and report["failures"] == []
    assert report["schemes"]["mexc-spot-v3"]["errata"] == 1
    by_id = {vector["id"]: vector for vector in report["vectors"]}
    assert by_id["mexc-spot-v3-0004"] == {
        "id": "mexc-spot-v3-0004",
        "scheme": "mexc-spot-v3",
        "result": "invalid",
        "passed": True,
        "verifier": 700002,
    }
    assert by_id["mexc-spot-v3-0018"]["verifier"] == "accept"


def test_sign_reads_json_and_prints_every_stage_and_the_wire_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, ["sign"], json.dumps(dict(SPOT_VECTOR.input)))
    printed = json.loads(out)
    assert code == 0
    assert printed["signature"] == SPOT_VECTOR.expected["signature"]
    assert printed["wire"] == SPOT_VECTOR.expected["wire"]


def test_sign_reads_yaml_too(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(monkeypatch, capsys, ["sign"], yaml.safe_dump(dict(SPOT_VECTOR.input)))
    assert code == 0 and json.loads(out)["string_to_sign"] == SPOT_VECTOR.expected["string_to_sign"]


def test_sign_output_is_not_corrupted_by_a_secret_that_is_a_common_substring(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data: dict[str, Any] = json.loads(json.dumps(dict(SPOT_VECTOR.input)))
    data["credentials"]["secret"] = "a"
    code, out, _ = run(monkeypatch, capsys, ["sign"], json.dumps(data))
    assert code == 0
    assert json.loads(out)["wire"]["url"].startswith("https://api.mexc.com/")


def test_sign_cuts_the_secret_off_a_secret_bearing_stage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("coinex-v1-0001")
    code, out, _ = run(monkeypatch, capsys, ["sign"], json.dumps(dict(vector.input)))
    secret = vector.input["credentials"]["secret"]
    printed = json.loads(out)
    assert code == 0 and secret not in out
    assert printed["string_to_sign"] == vector.expected["string_to_sign"][: -len(secret)] + "<secret>"
    assert printed["signature"] == vector.expected["signature"]


def test_sign_refuses_a_float_with_exit_2_and_one_line_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data: dict[str, Any] = json.loads(json.dumps(dict(SPOT_VECTOR.input)))
    data["body"]["form"][0][1] = 0.00001
    code, out, err = run(monkeypatch, capsys, ["sign"], json.dumps(data))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "body.form[0].value" in err and "float" in err
    assert data["credentials"]["secret"] not in err


def test_sign_refuses_unparseable_input_with_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(monkeypatch, capsys, ["sign"], "{unclosed: [")
    assert code == 2 and err.startswith("sigvec sign: error: input:")


def test_sign_refuses_a_whole_vector_and_says_to_give_its_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(monkeypatch, capsys, ["sign"], json.dumps({"id": "x", "input": {}}))
    assert code == 2 and "input mapping" in err


def test_vectors_export_has_id_input_and_expected_for_every_vector(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, ["vectors", "--format", "json", "--vectors", str(REPO / "vectors")])
    exported = json.loads(out)
    assert code == 0
    assert len(exported["vectors"]) == len(repo_vectors())
    assert all({"id", "input", "expected"} <= set(vector) for vector in exported["vectors"])


def test_the_json_export_carries_the_choices_and_each_schemes_documented_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(monkeypatch, capsys, ["vectors", "--format", "json", "--vectors", str(REPO / "vectors")])
    exported = json.loads(out)
    named = {name for vector in exported["vectors"] for name in vector.get("choices", [])}
    assert named and named <= set(exported["choices"])
    assert "700002" in exported["schemes"]["mexc-spot-v3"]["documented"]["codes"]


def test_an_exported_input_signs_to_its_exported_expected_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(monkeypatch, capsys, ["vectors", "--vectors", str(REPO / "vectors")])
    exported = next(v for v in json.loads(out)["vectors"] if v["id"] == SPOT_VECTOR.id)
    _, signed, _ = run(monkeypatch, capsys, ["sign"], json.dumps(exported["input"]))
    assert json.loads(signed)["signature"] == exported["expected"]["signature"]


def test_lint_rejects_a_duplicate_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = lint_after_spot_edit(tmp_path, monkeypatch, capsys, "id: mexc-spot-v3-0002", "id: mexc-spot-v3-0001")
    assert code == 1 and "mexc-spot-v3-0001: duplicate ID" in out


def test_lint_rejects_a_released_id_that_was_renumbered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = lint_after_spot_edit(tmp_path, monkeypatch, capsys, "id: mexc-spot-v3-0020", "id: mexc-spot-v3-0021")
    assert code == 1 and "mexc-spot-v3-0020: released ID is missing" in out


def test_lint_rejects_a_released_id_reused_for_another_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = lint_after_spot_edit(tmp_path, monkeypatch, capsys, '[recvWindow, "60001"]', '[recvWindow, "60002"]')
    assert code == 1 and "mexc-spot-v3-0019: input changed since release" in out


def test_lint_rejects_an_undefined_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = lint_after_spot_edit(tmp_path, monkeypatch, capsys, "flags: [EmptyValue]", "flags: [EmptyValues]")
    assert code == 1 and "flag EmptyValues is not defined" in out


def test_lint_rejects_a_malformed_signed_with_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    swapped, malformed = "signed_with: {hmac: {key: string_to_sign, message: secret}}", "signed_with: {hmac: {key: secret}}"
    code, out = lint_after_spot_edit(tmp_path, monkeypatch, capsys, swapped, malformed)
    assert code == 1 and "mexc/spot.yaml: vectors[36].signed_with.hmac: 'message' is a required property" in out


def test_lint_reports_schema_errors_with_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = lint_after_spot_edit(tmp_path, monkeypatch, capsys, "result: acceptable", "result: maybe")
    assert code == 1 and "mexc/spot.yaml: vectors[17].result" in out


def test_check_refuses_a_corpus_that_breaks_the_schema_with_exit_2_and_the_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = corpus_with_spot_edit(tmp_path, "  expected:\n", "  expectations:\n")
    code, out, err = run(monkeypatch, capsys, ["check", "--vectors", str(root)])
    assert (code, out) == (2, "")
    assert err.startswith("sigvec check: error: vectors: mexc/spot.yaml: vectors[0]") and "Traceback" not in err


def test_a_vectors_folder_without_a_schema_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(monkeypatch, capsys, ["check", "--vectors", str(tmp_path)])
    assert code == 2 and "holds no schema.json" in err


def test_the_installed_console_script_runs_the_packaged_corpus() -> None:
    sigvec = shutil.which("sigvec", path=str(Path(sys.executable).parent))
    assert sigvec is not None, "the sigvec console script is not installed next to this Python"
    result = subprocess.run([sigvec, "check"], capture_output=True, text=True, env={"PATH": str(Path(sys.executable).parent)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mexc-spot-v3" in result.stdout


def test_vectors_export_describes_every_scheme_for_porters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(monkeypatch, capsys, ["vectors", "--vectors", str(REPO / "vectors")])
    schemes = json.loads(out)["schemes"]
    assert set(schemes) == set(SCHEMES)
    futures = schemes["mexc-futures-v1"]
    assert futures["base_url"] == SCHEMES["mexc-futures-v1"].base_url
    assert futures["clock"] == {"where": "header", "name": "Request-Time", "unit": "ms"}
    assert futures["window"] == {"where": "header", "name": "Recv-Window", "unit": "s"}
    assert futures["options"]["query_encoding"]["default"] == "percent"
    assert schemes["coinex-v1"]["secret_stages"] == ["string_to_sign"]


def test_vectors_export_carries_each_vectors_contract(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(monkeypatch, capsys, ["vectors", "--vectors", str(REPO / "vectors")])
    by_id = {vector["id"]: vector for vector in json.loads(out)["vectors"]}
    assert by_id["mexc-spot-v3-0019"]["fault"] == "request"
    assert by_id["max-v2-0006"]["alternatives"] == {"option": "json", "members": ["max-v2-0005", "max-v2-0006", "max-v2-0007"]}
    assert by_id["mexc-spot-v3-0018"]["server_outcomes"] == ["accept", 700005]
