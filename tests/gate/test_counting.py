"""One way of counting (`sigvec.gate.score`): shares over the vectors run, skipped and errored beside them, a refusal
never exact, a client that signs nothing at 0%; the gate, every report, the badge, the matrix and the plugin agree."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from rich.console import Console

from sigvec import Refused
from sigvec.gate.adapters import InProcessAdapter
from sigvec.gate.results import GateRun
from sigvec.gate.run import run_gate
from sigvec.gate.score import Score, score
from sigvec.reports import badge, jsonl, markdown
from sigvec.reports.terminal import TerminalReport
from tests.support.corpus import repo_corpus, repo_vectors
from tests.support.gate import ampersand_client, reference_client
from tools.matrix import clients_markdown, read_report

pytest_plugins = ["pytester"]


@dataclass(frozen=True)
class Judged:
    status: str
    exact: bool
    accepted: bool


SCHEMES = ["mexc-spot-v3", "max-v2"]


def run(client: Any) -> GateRun:
    implementation = {"name": "counted", "language": "python", "schemes": SCHEMES}
    return run_gate(InProcessAdapter(client, implementation), repo_corpus(), vectors=repo_vectors())


def signs_nothing(data: Mapping[str, Any]) -> Mapping[str, Any]:
    raise Refused("signs nothing")


def uneven(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Exact on MAX, a known bug on MEXC, crashing on every GET with parameters, skipping nothing."""
    if data["method"] == "GET" and data.get("query") and data["scheme"] == "max-v2":
        raise RuntimeError("crash")
    return reference_client(data) if data["scheme"] == "max-v2" else ampersand_client(data)


def terminal_text(gate_run: GateRun) -> str:
    out = io.StringIO()
    TerminalReport(Console(file=out, width=200), Console(file=io.StringIO())).print(gate_run)
    return out.getvalue()


def shown(gate_run: GateRun) -> list[str]:
    """The one-line summary as each report shows it."""
    matrix = clients_markdown([read_report(jsonl.render(gate_run), "report.jsonl")])
    return [terminal_text(gate_run), markdown.render(gate_run).replace("**", ""), matrix]


def test_a_client_that_signs_nothing_scores_zero_everywhere() -> None:
    gate_run = run(signs_nothing)
    counted = gate_run.total().score
    assert counted.run == counted.vectors > 0 and counted.refused > 0
    assert (counted.exact_percent, counted.accepted_percent) == (0, 0)
    for text in shown(gate_run):
        assert f"0% exact, 0% accepted of {counted.run} vectors run" in text
    assert json.loads(badge.render(gate_run))["message"] == "failed, 0% exact"


def test_a_refusal_is_never_exact_even_where_refusing_passes() -> None:
    refused = [verdict for verdict in run(signs_nothing).verdicts if verdict.status == "refused-ok"]
    assert refused and not any(verdict.exact or verdict.accepted for verdict in refused)


def test_errored_vectors_stay_in_the_denominator_and_skipped_ones_leave_it() -> None:
    verdicts = [
        Judged("pass", True, True),
        Judged("errored", False, False),
        Judged("skipped", False, False),
        Judged("refused-ok", False, False),
    ]
    assert score(verdicts) == Score(vectors=4, skipped=1, errored=1, refused=1, exact=1, accepted=1)
    assert (score(verdicts).run, score(verdicts).exact_percent) == (3, 33)


def test_no_vector_run_is_zero_percent() -> None:
    assert score([Judged("skipped", False, False)]).exact_percent == 0


def test_the_gate_the_reports_and_the_matrix_give_the_same_figures() -> None:
    gate_run = run(uneven)
    counted = gate_run.total().score
    assert counted.errored > 0 and 0 < counted.exact_percent < 100
    assert read_report(jsonl.render(gate_run), "report.jsonl").score == counted
    for text in shown(gate_run):
        assert counted.summary() in text
    assert f"{counted.exact_percent}% exact" in json.loads(badge.render(gate_run))["message"]


def test_the_pytest_plugin_sums_up_the_session_by_the_same_rule(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        mysigner="from sigvec import Refused\n"
        "SIGVEC_IMPLEMENTATION = {'name': 'nothing', 'language': 'python', 'schemes': ['max-v2']}\n"
        "def sign(data):\n    raise Refused('signs nothing')\n"
    )
    pytester.makeini("[pytest]\nsigvec_signer = mysigner:sign\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    implementation = {"name": "nothing", "language": "python", "schemes": ["max-v2"]}
    gate_run = run_gate(InProcessAdapter(signs_nothing, implementation), repo_corpus(), vectors=repo_vectors())
    line = next(line for line in result.outlines if line.startswith("sigvec: "))
    assert line == f"sigvec: {gate_run.total().score.summary()}"
    assert re.match(r"sigvec: 0% exact, 0% accepted of \d+ vectors run", line)
