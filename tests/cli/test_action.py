"""The GitHub Action's logic (sigvec.action): its inputs make one gate run, and end to end from the built wheel
it writes the reports and the step summary and fails the job on an unexpected failure."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from sigvec.action import gate_arguments, run
from tests.support.corpus import REPO
from tests.support.release import run_installed
from tests.support.tools import require_tool

PLANTED_BUG = """
from signing.model import request_from_mapping
from signing.registry import sign
from sigvec.codec import wire_to_mapping

SIGVEC_IMPLEMENTATION = {"name": "planted", "language": "python", "schemes": ["mexc-spot-v3"]}


def sign_with_a_typo(data):
    \"\"\"The reference's request with the signature's last hex digit changed: a bug planted for the action to catch.\"\"\"
    wire = wire_to_mapping(sign(request_from_mapping(data)).wire)
    url = wire["url"]
    return {**wire, "url": url[:-1] + ("1" if url[-1] == "0" else "0")}
"""


def test_the_action_runs_exactly_one_of_a_harness_and_a_python_signer() -> None:
    assert run({}) == 2
    assert run({"SIGVEC_ACTION_HARNESS": "node h.mjs", "SIGVEC_ACTION_SIGNER": "m:f"}) == 2


def test_the_action_writes_every_report_into_the_reports_folder(tmp_path: Path) -> None:
    arguments = gate_arguments({"SIGVEC_ACTION_SIGNER": "m:f", "SIGVEC_ACTION_REPORTS": str(tmp_path)})
    written = {arguments[i]: arguments[i + 1] for i in range(1, len(arguments) - 1, 2)}
    assert written == {
        "--python": "m:f",
        "--junit": str(tmp_path / "sigvec.xml"),
        "--markdown": str(tmp_path / "sigvec.md"),
        "--badge": str(tmp_path / "sigvec-badge.json"),
        "--json": str(tmp_path / "sigvec.jsonl"),
    }


def test_the_known_failures_file_is_passed_only_when_it_exists(tmp_path: Path) -> None:
    known = tmp_path / "known.yaml"
    inputs = {"SIGVEC_ACTION_HARNESS": "node h.mjs", "SIGVEC_ACTION_KNOWN_FAILURES": str(known)}
    assert "--known-failures" not in gate_arguments(inputs)
    known.write_text("{}\n")
    assert gate_arguments(inputs)[-2:] == ["--known-failures", str(known)]


def test_each_named_scheme_narrows_the_run() -> None:
    arguments = gate_arguments({"SIGVEC_ACTION_HARNESS": "h", "SIGVEC_ACTION_SCHEMES": "max-v2  peatio-v2"})
    assert arguments[-4:] == ["--scheme", "max-v2", "--scheme", "peatio-v2"]


def test_action_yml_installs_the_pinned_version_then_runs_the_module() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    install, gate = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite" and action["inputs"]["version"]["required"] is True
    assert "pip install" in install["run"] and "sigvec==$SIGVEC_VERSION" in install["run"]
    assert gate["run"] == '"$SIGVEC_PYTHON" -m sigvec.action'
    assert set(gate["env"]) >= {"SIGVEC_ACTION_HARNESS", "SIGVEC_ACTION_SIGNER"}


def test_the_reusable_workflow_passes_the_same_inputs_as_the_action() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "sigvec-gate.yml").read_text())
    action = yaml.safe_load((REPO / "action.yml").read_text())
    (gate,) = [step for step in workflow["jobs"]["sigvec"]["steps"] if step.get("name") == "sigvec gate"]
    (action_gate,) = [step for step in action["runs"]["steps"] if step["name"] == "sigvec gate"]
    assert gate["run"] == "python -m sigvec.action" and set(gate["env"]) == set(action_gate["env"]) - {"SIGVEC_PYTHON"}


def test_from_the_built_wheel_the_action_passes_the_node_port_and_writes_the_step_summary(tmp_path: Path) -> None:
    node = require_tool("node")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    harness = f"{node} {REPO / 'ports' / 'node' / 'harness.mjs'}"
    done = run_installed(tmp_path, "-m", "sigvec.action", SIGVEC_ACTION_HARNESS=harness, GITHUB_STEP_SUMMARY=str(summary))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    reports = tmp_path / "sigvec-reports"
    assert summary.read_text() == "earlier step\n" + (reports / "sigvec.md").read_text()
    assert json.loads((reports / "sigvec-badge.json").read_text())["schemaVersion"] == 1
    assert ElementTree.parse(reports / "sigvec.xml").getroot().get("failures") == "0"


def test_from_the_built_wheel_the_action_fails_the_job_on_a_planted_bug(tmp_path: Path) -> None:
    (tmp_path / "planted.py").write_text(PLANTED_BUG)
    summary = tmp_path / "summary.md"
    signer = "planted:sign_with_a_typo"
    done = run_installed(tmp_path, "-m", "sigvec.action", SIGVEC_ACTION_SIGNER=signer, GITHUB_STEP_SUMMARY=str(summary))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    junit = ElementTree.parse(tmp_path / "sigvec-reports" / "sigvec.xml").getroot()
    assert int(junit.get("failures") or 0) > 0
    assert "mexc-spot-v3-0001" in summary.read_text() and "signature differs in one character" in summary.read_text()


@pytest.mark.parametrize("workflow", ["release.yml", "sigvec-gate.yml"])
def test_the_workflows_are_yaml(workflow: str) -> None:
    assert yaml.safe_load((REPO / ".github" / "workflows" / workflow).read_text())["jobs"]
