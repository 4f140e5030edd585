"""`sigvec gate` as a CI step runs it: exit 0, 1 or 2, and the report files."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from junitparser import JUnitXml

from sigvec.cli import main
from sigvec.corpus import load_corpus
from sigvec.gate.protocol import Implementation, implementation_from_mapping
from sigvec.gate.run import GateUsageError, selected_vectors
from tests.support.corpus import REPO, repo_vectors
from tests.support.gate import garbled_failures

SCHEMES = ["--scheme", "max-v2", "--scheme", "peatio-v2"]
SCHEME_VECTORS = [vector for vector in repo_vectors() if vector.scheme in ("max-v2", "peatio-v2")]
GARBLED_MAX = ("--python", "tests.support.gate:garbled_client", "--scheme", "max-v2")
REFERENCE_MAX = ("--python", "tests.support.gate:reference_client", "--scheme", "max-v2")
MAX_GARBLED_FAILURES = garbled_failures(repo_vectors(), "max-v2")


def gate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["gate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def known_failures(tmp_path: Path, ids: list[str]) -> str:
    path = tmp_path / "known.yaml"
    path.write_text("".join(f"{vector_id}:\n  reason: the signature is garbled\n" for vector_id in ids))
    return str(path)


def test_a_correct_client_exits_zero_and_writes_every_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {kind: tmp_path / f"report.{kind}" for kind in ("junit", "markdown", "badge", "json")}
    options = [item for kind, path in files.items() for item in (f"--{kind}", str(path))]
    code, out, _ = gate(capsys, "--python", "tests.support.gate:reference_client", *SCHEMES, *options)
    assert code == 0, out
    assert "100% exact, 100% accepted" in out
    assert len(list(JUnitXml.fromfile(str(files["junit"])))) == 2
    assert json.loads(files["badge"].read_text())["message"] == "100% exact"
    assert files["markdown"].read_text().startswith("## sigvec gate: tests.support.gate:reference\\_client")
    assert len(files["json"].read_text().splitlines()) == 1 + len(SCHEME_VECTORS)


def test_an_unexpected_failure_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate(capsys, *GARBLED_MAX)
    assert code == 1
    assert "FAIL max-v2-0001 (unexpected)" in out


def test_a_known_bug_fails_with_its_diagnosis_in_every_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {kind: tmp_path / f"report.{kind}" for kind in ("junit", "markdown", "json")}
    options = [item for kind, path in files.items() for item in (f"--{kind}", str(path))]
    code, out, _ = gate(capsys, *GARBLED_MAX, *options)
    said = "your client's signature differs in one character from the one MAX computes"
    assert code == 1
    assert f"diagnosis: {said}" in out
    assert said in files["markdown"].read_text()
    junit = JUnitXml.fromfile(str(files["junit"]))
    assert any(said in (result.text or "") for suite in junit for case in suite for result in case.result)
    lines = [json.loads(line) for line in files["json"].read_text().splitlines()]
    failed = [line for line in lines if line.get("status") == "fail"]
    assert failed and all(line["diagnosis"].startswith(said) for line in failed)


def test_failures_all_listed_as_known_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = gate(capsys, *GARBLED_MAX, "--known-failures", known_failures(tmp_path, MAX_GARBLED_FAILURES))
    assert code == 0


def test_a_known_failure_that_passes_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate(capsys, *REFERENCE_MAX, "--known-failures", known_failures(tmp_path, ["max-v2-0003"]))
    assert code == 1
    assert "listed as a known failure, but it passes" in out


def test_a_subprocess_harness_runs_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    harness = f"{sys.executable} {Path(__file__).parent / 'harnesses' / 'reference_harness.py'}"
    code, out, _ = gate(capsys, "--harness", harness, *SCHEMES)
    assert code == 0, out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give exactly one of --harness"),
        (["--python", "a:b", "--harness", "x"], "give exactly one of --harness"),
        (["--python", "nocolon"], "must be module:function"),
        (["--python", "no_such_module_here:f"], "cannot import 'no_such_module_here'"),
        (["--python", "tests.support.gate:no_such_function"], "has no function 'no_such_function'"),
        (["--python", "tests.support.gate:reference_client", "--scheme", "nope"], "'nope' is not among the schemes"),
        (["--harness", "/nonexistent/harness"], "cannot start the harness"),
        (["--harness", "x", "--timeout", "0"], "--timeout: must be a positive number"),
        (["--harness", "x", "--timeout", "nan"], "--timeout: must be a positive number of seconds, at most 86400; got nan"),
        (["--harness", "x", "--timeout", "inf"], "--timeout: must be a positive number of seconds, at most 86400; got inf"),
        (["--harness", "x", "--timeout", "1e300"], "--timeout: must be a positive number"),
    ],
)
def test_bad_usage_exits_two_with_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gate(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("max-v2-0001: {}\n", "'reason' is a required property"),
        ("max-v2-9999: {reason: x}\n", "max-v2-9999 is not a vector of this corpus"),
        ("[unclosed\n", "not valid JSON or YAML"),
        ("max-v2-0001: {reason: a}\nmax-v2-0001: {reason: b}\n", "duplicate key 'max-v2-0001' at line 2"),
        ("shared: &why {reason: a}\nmax-v2-0001: *why\n", "aliases (*name) are not allowed"),
        ("- max-v2-0001\n", "is not of type 'object'"),
    ],
)
def test_a_bad_known_failures_file_exits_two(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(content)
    code, _, err = gate(capsys, "--python", "tests.support.gate:reference_client", "--known-failures", str(path))
    assert code == 2 and message in err


def declared(schemes: list[str], options: dict[str, dict[str, str]] | None = None) -> Implementation:
    return implementation_from_mapping({"name": "c", "language": "go", "schemes": schemes, "options": options or {}})


def test_only_the_vectors_of_the_declared_schemes_run() -> None:
    chosen = selected_vectors(repo_vectors(), declared(["bitunix", "max-v2"]), ())
    assert {vector.scheme for vector in chosen} == {"bitunix", "max-v2"}


def test_scheme_narrows_the_run_to_the_schemes_named() -> None:
    chosen = selected_vectors(repo_vectors(), declared(["bitunix", "max-v2"]), ["max-v2"])
    assert {vector.scheme for vector in chosen} == {"max-v2"}


@pytest.mark.parametrize(
    ("implementation", "message"),
    [
        (declared(["mexc-spot-v4"]), "'mexc-spot-v4' is not a scheme"),
        (declared(["max-v2"], {"max-v2": {"json": "pretty"}}), "implementation.options.max-v2.json: 'pretty'"),
        (declared(["max-v2"], {"max-v2": {"jsn": "compact"}}), "implementation.options.max-v2.jsn"),
    ],
)
def test_a_declaration_outside_the_registry_is_a_usage_error(implementation: Implementation, message: str) -> None:
    with pytest.raises(GateUsageError, match=re.escape(message)):
        selected_vectors(repo_vectors(), implementation, ())


def test_a_report_that_cannot_be_written_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gate(capsys, *REFERENCE_MAX, "--junit", str(tmp_path / "missing" / "report.xml"))
    assert code == 2 and "cannot write a report" in err and "report.xml" in err


def test_a_corpus_that_is_not_yaml_exits_two_naming_the_file_and_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "vectors", tmp_path / "vectors")
    (tmp_path / "vectors" / "max" / "max.yaml").write_text("vectors: [unclosed\n")
    code, _, err = gate(capsys, *REFERENCE_MAX, "--vectors", str(tmp_path / "vectors"))
    assert code == 2
    assert err.startswith("sigvec gate: error: max/max.yaml: ") and "at line 2" in err and err.count("\n") == 1


def renumbered_corpus(tmp_path: Path, scheme: str, prefix: str) -> Path:
    """A copy of the repository's corpus in which every ID of `scheme` starts with `prefix` instead."""
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    for path in root.rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace(f"{scheme}-0", f"{prefix}"), encoding="utf-8")
    return root


def test_the_gate_cites_only_vectors_of_the_corpus_it_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = renumbered_corpus(tmp_path, "max-v2", "max-v2-9")
    report = tmp_path / "report.jsonl"
    code, out, _ = gate(capsys, *GARBLED_MAX, "--vectors", str(root), "--json", str(report))
    ids = {vector.id for vector in load_corpus(root).vectors()}
    mentioned = set(re.findall(r"\b[a-z0-9]+(?:-[a-z0-9]+)*-[0-9]{4}\b", out + report.read_text()))
    assert code == 1
    assert "see vector max-v2-9" in out
    assert mentioned and mentioned <= ids


def test_a_harness_replying_with_lone_surrogates_and_ansi_stderr_gets_every_report_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {kind: tmp_path / f"report.{kind}" for kind in ("junit", "markdown", "badge", "json")}
    options = [item for kind, path in files.items() for item in (f"--{kind}", str(path))]
    harness = f"{sys.executable} {Path(__file__).parent / 'harnesses' / 'broken_harness.py'} surrogates"
    code, out, err = gate(capsys, "--harness", harness, "--scheme", "max-v2", *options)
    assert code == 1 and err == ""
    assert "\\ud800" in out and "\x1b" not in out
    assert len(list(JUnitXml.fromfile(str(files["junit"])))) == 1
    assert [json.loads(line)["id"] for line in files["json"].read_text(encoding="utf-8").splitlines()[1:]]
    assert "\\x1b[31mred" in files["markdown"].read_text(encoding="utf-8")
