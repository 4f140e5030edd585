"""The gate's reports: JUnit, Markdown, the badge, JSON lines and the terminal table, each checked by a reader."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from rich.console import Console

from sigvec.cli import main
from sigvec.diagnose import VectorDiagnoser
from sigvec.diagnose.examples import Examples
from sigvec.gate.adapters import InProcessAdapter
from sigvec.gate.results import GateRun, KnownFailure
from sigvec.gate.run import run_gate
from sigvec.reports import badge, jsonl, junit, markdown
from sigvec.reports.terminal import TerminalReport
from tests.support.corpus import repo_corpus, repo_vectors
from tests.support.gate import ampersand_client, garbled_client, mixed_placement, reference_client

SECRET_SCHEME = "coinex-v1"
SECRET = next(v.input["credentials"]["secret"] for v in repo_vectors() if v.scheme == SECRET_SCHEME)


def leaky_client(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Signs a wrong string for a secret-bearing scheme: the difference sits right beside the secret."""
    stages = reference_client(data)["stages"]
    return {
        "wire": garbled_client(data),
        "stages": {**stages, "string_to_sign": stages["string_to_sign"].replace("secret_key=", "secret_key=x")},
    }


def gate(client: Any, schemes: tuple[str, ...], known: Mapping[str, KnownFailure] | None = None) -> GateRun:
    implementation = {"name": "demo-client", "version": "1.2.3", "language": "python", "schemes": list(schemes)}
    return run_gate(InProcessAdapter(client, implementation), repo_corpus(), known_failures=known, vectors=repo_vectors())


@pytest.fixture(scope="module")
def mixed() -> GateRun:
    """A run with passes, failures, a known failure and a known failure that passes."""
    known = {
        "mexc-spot-v3-0003": KnownFailure("joins with &", "https://example.invalid/issues/1"),
        "mexc-spot-v3-0002": KnownFailure("was broken once"),
    }
    return gate(ampersand_client, ("mexc-spot-v3",), known)


def test_junit_has_one_testcase_per_vector_named_by_its_id(mixed: GateRun) -> None:
    xml = JUnitXml.fromstring(junit.render(mixed))
    cases = {case.name: case for suite in xml for case in suite}
    assert sorted(cases) == sorted(verdict.id for verdict in mixed.verdicts)
    assert isinstance(cases["mexc-spot-v3-0004"].result[0], Failure)
    assert isinstance(cases["mexc-spot-v3-0003"].result[0], Skipped)
    assert "now passes" in cases["mexc-spot-v3-0002"].result[0].message
    assert cases["mexc-spot-v3-0001"].is_passed


def test_junit_reports_errors_and_counts_them() -> None:
    run = gate(lambda data: {"wire": "not a mapping"}, ("max-v2",))
    (suite,) = list(JUnitXml.fromstring(junit.render(run)))
    assert suite.errors == suite.tests == len(run.verdicts)
    assert all(isinstance(case.result[0], Error) for case in suite)


MIXED_SCHEME = [vector for vector in repo_vectors() if vector.scheme == "mexc-spot-v3"]
AMPERSAND_FAILURES = [v.id for v in MIXED_SCHEME if v.contract.fault != "request" and mixed_placement(v.input)]


def test_markdown_has_totals_a_row_per_scheme_and_each_failure_with_its_diff(mixed: GateRun) -> None:
    text = markdown.render(mixed)
    assert text.startswith("## sigvec gate: demo-client 1.2.3\n")
    assert "the gate **failed**" in text
    assert f"| `mexc-spot-v3` | {len(MIXED_SCHEME)} |" in text
    assert "#### `mexc-spot-v3-0004`: fail (unexpected)" in text
    assert "known failure: joins with & (https://example.invalid/issues/1)" in text
    assert "string_to_sign differs at character 34:" in text


def test_the_badge_is_a_shields_endpoint_saying_the_exact_percentage_rounded_down() -> None:
    known = {vector_id: KnownFailure("joins with &") for vector_id in AMPERSAND_FAILURES}
    run = gate(ampersand_client, ("mexc-spot-v3",), known)
    percent = 100 * (len(MIXED_SCHEME) - len(AMPERSAND_FAILURES)) // len(MIXED_SCHEME)
    assert run.succeeded and 90 <= percent < 100, "the run is meant to pass and sit in the green band (90-99%)"
    data = json.loads(badge.render(run))
    assert data == {"schemaVersion": 1, "label": "sigvec demo-client", "message": f"{percent}% exact", "color": "green"}


def test_the_badge_of_a_failed_run_is_red_and_says_so(mixed: GateRun) -> None:
    data = json.loads(badge.render(mixed))
    assert not mixed.succeeded and mixed.total().exact_percent >= 90
    assert (data["color"], data["message"]) == ("red", f"failed, {mixed.total().exact_percent}% exact")


def test_a_fully_exact_client_gets_a_bright_green_badge() -> None:
    assert json.loads(badge.render(gate(reference_client, ("max-v2",))))["color"] == "brightgreen"


def test_json_lines_start_with_the_metadata_and_hold_one_valid_line_per_vector(mixed: GateRun) -> None:
    lines = [json.loads(line) for line in jsonl.render(mixed).splitlines()]
    validator = jsonl.line_validator()
    for line in lines:
        validator.validate(line)
    metadata, *verdicts = lines
    assert metadata["start_reply"]["implementation"]["name"] == "demo-client"
    assert metadata["corpus"]["vectors"] == len(list(repo_corpus().vectors()))
    assert [line["id"] for line in verdicts] == [verdict.id for verdict in mixed.verdicts]
    assert {line["id"]: line for line in verdicts}["mexc-spot-v3-0004"]["diff"]["stage"] == "string_to_sign"


def test_the_one_reader_reads_back_every_verdict_line_the_writer_writes(mixed: GateRun) -> None:
    report = jsonl.read_lines(jsonl.render(mixed), "report.jsonl")
    assert report.implementation["name"] == "demo-client"
    assert [(line.id, line.status, line.exact, line.accepted) for line in report.verdicts] == [
        (verdict.id, verdict.status, verdict.exact, verdict.accepted) for verdict in mixed.verdicts
    ]
    assert {line.id: line.known_reason for line in report.verdicts}["mexc-spot-v3-0003"] == "joins with &"


def test_a_failing_line_carries_the_flags_its_diagnosis_names() -> None:
    implementation = {"name": "demo-client", "language": "python", "schemes": ["mexc-spot-v3"]}
    diagnoser = VectorDiagnoser(Examples.of(repo_vectors()))
    run = run_gate(InProcessAdapter(ampersand_client, implementation), repo_corpus(), diagnoser=diagnoser)
    failing = [line for line in jsonl.read_lines(jsonl.render(run), "r").verdicts if line.status == "fail"]
    assert failing and all("StrayAmpersand" in line.flags for line in failing), [(v.id, v.flags) for v in failing]


def test_a_fuzz_report_follows_the_report_line_schema(tmp_path: Path) -> None:
    report = tmp_path / "fuzz.jsonl"
    planted = "tests.support.planted_clients:space_as_plus"
    main(["fuzz", "--python", planted, "--seed", "1", "--max-examples", "50", "--json", str(report)])
    ids = [line.id for line in jsonl.read_lines(report.read_text(encoding="utf-8"), str(report)).verdicts]
    assert "mexc-spot-v3-fuzz-1" in ids and "mexc-futures-v1-fuzz" in ids


def test_the_json_line_schema_refuses_a_verdict_with_an_unknown_status() -> None:
    assert not jsonl.line_validator().is_valid(
        {
            "id": "x-0001",
            "scheme": "x",
            "result": "valid",
            "status": "maybe",
            "exact": True,
            "accepted": True,
            "expectation": "ok",
            "message": "",
        }
    )


def terminal_text(run: GateRun) -> str:
    out = io.StringIO()
    TerminalReport(Console(file=out, width=150), Console(file=io.StringIO())).print(run)
    return out.getvalue()


def test_the_terminal_report_has_a_row_per_scheme_and_lists_what_did_not_pass(mixed: GateRun) -> None:
    text = terminal_text(mixed)
    assert "mexc-spot-v3" in text and "total" in text
    assert "FAIL mexc-spot-v3-0004 (unexpected)" in text
    assert "PASS mexc-spot-v3-0002 (unexpected-pass)" in text
    assert "the gate FAILED" in text


def test_no_report_shows_a_secret_bearing_stage() -> None:
    run = gate(leaky_client, (SECRET_SCHEME,))
    assert any(verdict.status == "fail" and verdict.diff and verdict.diff.stage == "string_to_sign" for verdict in run.verdicts)
    for text in (junit.render(run), markdown.render(run), jsonl.render(run), terminal_text(run)):
        assert SECRET not in text


def test_passes_that_are_not_byte_identical_are_listed_with_their_first_difference() -> None:
    run = gate(sorted_consistently, ("mexc-spot-v3",))
    assert "<summary>" in markdown.render(run) and "#### `mexc-spot-v3-0002`" in markdown.render(run)
    headline = (
        "canonical_query differs at character 0: expected 'symbol=BTCUSDT&side=BUY&'..., actual 'price=11&quantity=1&recv'..."
    )
    assert f"not exact mexc-spot-v3-0002: {headline}\n" in terminal_text(run)


def sorted_consistently(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Signs and sends the query sorted: the server accepts it, but it is not the reference's bytes."""
    return reference_client({**data, "query": sorted(data.get("query") or [])})
