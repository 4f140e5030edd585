"""The logic of sigvec's GitHub Action: `python -m sigvec.action`, after `pip install sigvec==VERSION`.

action.yml and the reusable workflow (.github/workflows/sigvec-gate.yml) install
sigvec at the pinned version into the Python that has the client, then run this
module, which reads its inputs from the environment:

    SIGVEC_ACTION_HARNESS         a harness command, e.g. "node sigvec-harness.mjs"
    SIGVEC_ACTION_SIGNER          or a Python signer, module:function (the working directory is importable)
    SIGVEC_ACTION_KNOWN_FAILURES  the known-failures file, used when it exists (default sigvec-known-failures.yaml)
    SIGVEC_ACTION_SCHEMES         space-separated schemes (default: every scheme the client declares)
    SIGVEC_ACTION_NODE_KIT        write the Node harness kit to this path first, if set
    SIGVEC_ACTION_REPORTS         the reports folder (default sigvec-reports)
    GITHUB_STEP_SUMMARY           set by GitHub Actions: the Markdown report is appended to it

It runs `sigvec gate` with the JUnit (`sigvec.xml`), Markdown (`sigvec.md`),
badge (`sigvec-badge.json`) and JSON-lines (`sigvec.jsonl`) reports, adds the
Markdown to the step summary, and exits with the gate's code: 1 on an
unexpected failure, so the job fails; 2 on bad inputs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from sigvec.cli import main as sigvec_main
from sigvec.harness import node_kit

REPORTS = {"junit": "sigvec.xml", "markdown": "sigvec.md", "badge": "sigvec-badge.json", "json": "sigvec.jsonl"}
"""The gate's report options and the file each writes in the reports folder."""


class ActionInputError(Exception):
    """The action's inputs cannot make one gate run."""


def gate_arguments(environment: Mapping[str, str]) -> list[str]:
    """The `sigvec gate` command line the inputs ask for."""
    harness, signer = environment.get("SIGVEC_ACTION_HARNESS", ""), environment.get("SIGVEC_ACTION_SIGNER", "")
    if bool(harness) == bool(signer):
        raise ActionInputError("give exactly one of harness (a command) and python-signer (module:function)")
    reports = Path(environment.get("SIGVEC_ACTION_REPORTS") or "sigvec-reports")
    arguments = ["gate", "--harness", harness] if harness else ["gate", "--python", signer]
    for option, name in REPORTS.items():
        arguments += [f"--{option}", str(reports / name)]
    known = Path(environment.get("SIGVEC_ACTION_KNOWN_FAILURES") or "sigvec-known-failures.yaml")
    if known.is_file():
        arguments += ["--known-failures", str(known)]
    for scheme in environment.get("SIGVEC_ACTION_SCHEMES", "").split():
        arguments += ["--scheme", scheme]
    return arguments


def run(environment: Mapping[str, str]) -> int:
    """One action run: the kit if asked for, the gate, the step summary; the gate's exit code."""
    try:
        arguments = gate_arguments(environment)
    except ActionInputError as error:
        print(f"sigvec action: {error}", file=sys.stderr)
        return 2
    if environment.get("SIGVEC_ACTION_NODE_KIT"):
        Path(environment["SIGVEC_ACTION_NODE_KIT"]).write_text(node_kit(), encoding="utf-8")
    reports = Path(environment.get("SIGVEC_ACTION_REPORTS") or "sigvec-reports")
    reports.mkdir(parents=True, exist_ok=True)
    status = sigvec_main(arguments)
    summary, markdown = environment.get("GITHUB_STEP_SUMMARY"), reports / REPORTS["markdown"]
    if summary and markdown.is_file():
        with open(summary, "a", encoding="utf-8") as step_summary:
            step_summary.write(markdown.read_text(encoding="utf-8"))
    return status


if __name__ == "__main__":
    sys.exit(run(os.environ))
