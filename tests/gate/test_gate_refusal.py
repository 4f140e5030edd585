"""Refusing is explicit: a signer refuses by raising `sigvec.Refused` (or a type it declares); any other exception
is a crash, `errored` with its traceback in every report. The harness kit answers the same way."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from junitparser import Error, JUnitXml
from rich.console import Console

from sigvec import Refused
from sigvec.gate.adapters import AdapterError, InProcessAdapter, load_signer
from sigvec.gate.results import GateRun
from sigvec.gate.run import run_gate
from sigvec.harness import Refused as KitRefused  # the Python harness kit, stdlib only
from sigvec.harness import answer
from sigvec.reports import jsonl, junit, markdown
from sigvec.reports.terminal import TerminalReport
from tests.support.corpus import repo_corpus, repo_vectors
from tests.support.gate import reference_client

SCHEME = "max-v2"


def has_pairs(data: Mapping[str, Any]) -> bool:
    return bool(data.get("query"))


def list_choking(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A signer with a bug: it cannot take parameters given as a JSON list of pairs."""
    if has_pairs(data):
        raise TypeError("unhashable type: 'list'")
    return reference_client(data)


def refusing(data: Mapping[str, Any]) -> Mapping[str, Any]:
    raise Refused("this client sends no such request")


def run(client: Any, refuses: tuple[type[BaseException], ...] = ()) -> GateRun:
    implementation = {"name": "t", "language": "python", "schemes": [SCHEME]}
    return run_gate(InProcessAdapter(client, implementation, refuses=refuses), repo_corpus(), vectors=repo_vectors())


CHOKED = [vector.id for vector in repo_vectors() if vector.scheme == SCHEME and has_pairs(vector.input)]


@pytest.fixture(scope="module")
def choked() -> GateRun:
    assert CHOKED, "the scheme is meant to have vectors with query pairs"
    return run(list_choking)


def test_a_signer_that_raises_a_type_error_is_errored_with_its_traceback_not_refused(choked: GateRun) -> None:
    verdicts = {verdict.id: verdict for verdict in choked.verdicts}
    for vector_id in CHOKED:
        verdict = verdicts[vector_id]
        assert verdict.status == "errored", vector_id
        assert "TypeError: unhashable type: 'list'" in verdict.message
        assert verdict.traceback is not None and "in list_choking" in verdict.traceback


def test_the_traceback_is_in_every_report(choked: GateRun) -> None:
    vector_id = CHOKED[0]
    out = io.StringIO()
    TerminalReport(Console(file=out, width=150), Console(file=io.StringIO())).print(choked)
    cases = {case.name: case for suite in JUnitXml.fromstring(junit.render(choked)) for case in suite}
    lines = {line["id"]: line for line in map(json.loads, jsonl.render(choked).splitlines()[1:])}
    assert isinstance(cases[vector_id].result[0], Error) and "in list_choking" in (cases[vector_id].result[0].text or "")
    assert "in list_choking" in lines[vector_id]["traceback"]
    for text in (out.getvalue(), markdown.render(choked)):
        assert f"ERRORED {vector_id}" in text or f"`{vector_id}`: errored" in text
        assert "traceback:" in text and "in list_choking" in text


def test_raising_refused_is_a_refusal() -> None:
    statuses = {verdict.status for verdict in run(refusing).verdicts}
    assert statuses <= {"fail", "refused-ok"} and "refused-ok" in statuses


def test_a_declared_exception_type_is_a_refusal() -> None:
    def declared(data: Mapping[str, Any]) -> Mapping[str, Any]:
        raise LookupError("not supported")

    assert {verdict.status for verdict in run(declared, refuses=(LookupError,)).verdicts} <= {"fail", "refused-ok"}
    assert {verdict.status for verdict in run(declared).verdicts} == {"errored"}


def test_a_module_declares_its_refusals_in_sigvec_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "declaring.py").write_text("SIGVEC_REFUSES = (LookupError,)\ndef sign(data):\n    raise LookupError('no')\n")
    (tmp_path / "misdeclaring.py").write_text("SIGVEC_REFUSES = LookupError\ndef sign(data):\n    return {}\n")
    monkeypatch.chdir(tmp_path)
    assert load_signer("declaring:sign")[2] == (LookupError,)
    with pytest.raises(AdapterError, match="SIGVEC_REFUSES must be a tuple of exception classes"):
        load_signer("misdeclaring:sign")


def test_a_secret_quoted_by_a_crashing_signer_is_hidden_in_the_verdict() -> None:
    def quoting(data: Mapping[str, Any]) -> Mapping[str, Any]:
        raise ValueError(f"bad secret {data['credentials']['secret']}")

    verdict = run(quoting).verdicts[0]
    secret = next(v.input["credentials"]["secret"] for v in repo_vectors() if v.id == verdict.id)
    assert verdict.status == "errored" and "<secret>" in verdict.message
    assert secret not in json.dumps(verdict.to_mapping())


def test_the_harness_kit_answers_a_crash_as_errored_and_a_refusal_as_refused() -> None:
    def crashing(command: Mapping[str, Any]) -> Mapping[str, Any]:
        raise TypeError("unhashable type: 'list'")

    def kit_refusing(command: Mapping[str, Any]) -> Mapping[str, Any]:
        raise KitRefused("no floats")

    crashed = answer({"seq": 1}, crashing)
    assert set(crashed) == {"seq", "errored"} and "in crashing" in crashed["errored"]["traceback"]
    assert answer({"seq": 2}, kit_refusing) == {"seq": 2, "refused": {"message": "no floats"}}

