"""tools/matrix.py: the client matrix reads gate JSON-lines reports and writes docs/clients.md and the real-clients table."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sigvec.reports.jsonl import UNDIAGNOSED_CLASS
from tests.support.corpus import REPO
from tests.support.tools import require_tool
from tools.matrix import (
    BLOCK_BEGIN,
    BLOCK_END,
    NOTHING_SENT,
    ClientRun,
    clients_markdown,
    harnesses,
    page_block,
    read_report,
    with_page_block,
)
from tools.matrix import main as matrix_main

METADATA = {
    "sigvec_version": "0.1.0",
    "corpus": {"version": "0.1.0", "sha256": "0" * 64, "vectors": 4},
    "started": "2026-12-01T14:00:00Z",
    "start_reply": {
        "version": 1,
        "implementation": {
            "name": "pymexc", "language": "python", "version": "1.3.0",
            "homepage": "https://github.com/makarworld/pymexc", "schemes": ["mexc-spot-v3", "mexc-futures-v1"],
        },
    },
}


def verdict(vector_id: str, status: str, exact: bool, accepted: bool, **extra: Any) -> dict[str, Any]:
    scheme = vector_id.rsplit("-", 1)[0]
    expectation = "known" if "known_failure" in extra else "ok"
    return {"id": vector_id, "scheme": scheme, "result": "valid", "status": status, "exact": exact, "accepted": accepted,
            "expectation": expectation, "message": extra.pop("message", ""), **extra}


LINES = [
    METADATA,
    verdict("mexc-futures-v1-0001", "pass", False, True),
    verdict("mexc-futures-v1-0002", "pass", True, True),
    verdict(
        "mexc-futures-v1-0004", "fail", False, False, message="the server rejects it with 602", diagnosis="body canonicalisation",
        known_failure={"reason": "signs sorted k=v pairs, not the JSON body", "issue": "https://github.com/makarworld/pymexc/issues/1"},
    ),
    verdict("mexc-spot-v3-0005", "skipped", False, False, message="it cannot send a form body"),
    verdict(
        "mexc-spot-v3-0018", "fail", False, False, message="not the same request", known_failure={"reason": "replaces recvWindow"}
    ),
]
REPORT = "".join(json.dumps(line) + "\n" for line in LINES)


@pytest.fixture
def run() -> ClientRun:
    return read_report(REPORT, "report")


def test_a_report_names_the_client_from_its_start_reply(run: ClientRun) -> None:
    assert (run.title, run.language) == ("pymexc 1.3.0", "python")


def test_vectors_run_leave_out_the_skipped_ones(run: ClientRun) -> None:
    assert (run.score.vectors, run.score.run, run.score.skipped) == (5, 4, 1)


def test_exact_and_accepted_are_shares_of_the_vectors_run(run: ClientRun) -> None:
    assert (run.score.exact_percent, run.score.accepted_percent) == (25, 50)


def test_the_client_table_shows_skipped_and_errored_beside_the_shares(run: ClientRun) -> None:
    assert "| pymexc 1.3.0 | python | 4 of 5 | 25% | 50% | 1 | 0 | 2 |" in clients_markdown([run])


def test_every_failing_vector_is_listed_with_its_diagnosis_and_issue(run: ClientRun) -> None:
    page = clients_markdown([run])
    assert "| mexc-futures-v1-0004 | fail | body canonicalisation | signs sorted k=v pairs, not the JSON body | " \
        "https://github.com/makarworld/pymexc/issues/1 |" in page
    assert f"| mexc-spot-v3-0018 | fail | {UNDIAGNOSED_CLASS} | replaces recvWindow |  |" in page


def test_an_accepted_request_that_is_not_the_one_asked_for_shows_the_flags_of_what_differs() -> None:
    lines = [METADATA, verdict("mexc-spot-v3-0021", "fail", False, False, message="adds recvWindow", flags=["AddedParameter"])]
    page = clients_markdown([read_report("".join(json.dumps(line) + "\n" for line in lines), "report")])
    assert "| mexc-spot-v3-0021 | fail | flags: AddedParameter | adds recvWindow |  |" in page


def test_an_errored_vector_has_no_request_to_diagnose() -> None:
    lines = [METADATA, verdict("mexc-spot-v3-0001", "errored", False, False, message="the client errored: ImportError")]
    page = clients_markdown([read_report("".join(json.dumps(line) + "\n" for line in lines), "report")])
    assert f"| mexc-spot-v3-0001 | errored | {NOTHING_SENT} | the client errored: ImportError |  |" in page


def test_skipped_vectors_are_grouped_by_reason(run: ClientRun) -> None:
    assert "- it cannot send a form body: mexc-spot-v3-0005" in clients_markdown([run])


def test_a_fuzz_finding_no_known_failure_shows_is_recorded_with_its_minimal_input(run: ClientRun) -> None:
    lines = [
        METADATA,
        verdict("mexc-spot-v3-fuzz-1", "fail", False, False, scheme="mexc-spot-v3",
                message='your client writes a space as `+`; minimal input: {"query": [["symbol", " "]]}'),
        verdict("mexc-spot-v3-fuzz-2", "fail", False, False, message="known; minimal input: {}", known_failure={"reason": "x"}),
        verdict("mexc-futures-v1-fuzz", "pass", False, True, message="200 generated inputs judged"),
    ]
    fuzzed = read_report("".join(json.dumps(line) + "\n" for line in lines), "report").vectors
    page = clients_markdown([replace(run, fuzzed=fuzzed)])
    assert '| mexc-spot-v3 | your client writes a space as `+` | `{"query": [["symbol", " "]]}` |' in page
    assert "known; minimal input" not in page


def test_a_fuzzed_client_without_deviations_says_so(run: ClientRun) -> None:
    page = clients_markdown([replace(run, fuzzed=())])
    assert "No deviation the fixed corpus does not show." in page


def test_the_page_block_replaces_only_the_text_between_the_markers(run: ClientRun) -> None:
    readme = f"# sigvec\n\n{BLOCK_BEGIN}\nold table\n{BLOCK_END}\n\nMore.\n"
    updated = with_page_block(readme, page_block([run]))
    assert updated.startswith("# sigvec\n\n" + BLOCK_BEGIN + "\n## Known client deviations")
    assert updated.endswith(BLOCK_END + "\n\nMore.\n")
    assert "| pymexc 1.3.0 | python | 4 of 5 | 25% | 50% | 1 | 0 | 2 |" in updated
    assert "old table" not in updated


def test_a_page_without_markers_is_refused_with_the_markers_named() -> None:
    with pytest.raises(SystemExit, match=BLOCK_BEGIN):
        with_page_block("# sigvec\n", "table")


def test_each_interpreter_of_a_client_folder_is_one_run_with_its_own_known_failures(tmp_path: Path) -> None:
    folder = tmp_path / "mexc-pymexc"
    for venv in (".venv", ".venv-1.3.1"):
        (folder / venv / "bin").mkdir(parents=True)
    (folder / "harness.py").write_text("", encoding="utf-8")
    (tmp_path / "no-harness" / ".venv").mkdir(parents=True)
    found = [(h.label, Path(h.command[0]).relative_to(tmp_path).as_posix(), h.known_failures.name) for h in harnesses(tmp_path)]
    assert found == [
        ("mexc-pymexc", "mexc-pymexc/.venv/bin/python", "known-failures.yaml"),
        ("mexc-pymexc-1.3.1", "mexc-pymexc/.venv-1.3.1/bin/python", "known-failures-1.3.1.yaml"),
    ]


def test_a_node_harness_runs_with_node_and_needs_its_node_modules(tmp_path: Path) -> None:
    folder = tmp_path / "max-max-exchange-api-node"
    folder.mkdir()
    (folder / "harness.mjs").write_text("", encoding="utf-8")
    (harness,) = harnesses(tmp_path)
    assert (harness.command, harness.environment) == (("node", str(folder / "harness.mjs")), folder / "node_modules")


def test_each_run_s_report_is_kept_where_asked_and_the_site_is_built_from_them(tmp_path: Path) -> None:
    """A fake gate writes a fixed report; --reports keeps it under the harness's label and --site builds the site."""
    gate = tmp_path / "gate.py"
    gate.write_text(
        "import sys\n"
        "out = sys.argv[sys.argv.index('--json') + 1]\n"
        f"open(out, 'w', encoding='utf-8').write({REPORT!r})\n",
        encoding="utf-8",
    )
    folder = tmp_path / "clients" / "mexc-pymexc"
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / "harness.py").write_text("", encoding="utf-8")
    page = tmp_path / "real-clients.md"
    page.write_text(f"{BLOCK_BEGIN}\n{BLOCK_END}\n", encoding="utf-8")
    arguments = ["--clients", str(tmp_path / "clients"), "--docs", str(tmp_path / "clients.md"), "--page", str(page),
                 "--gate", f"{sys.executable} {gate}", "--reports", str(tmp_path / "reports"), "--site", str(tmp_path / "site"),
                 "--history", str(tmp_path / "no-history"), "--no-fuzz"]
    assert matrix_main(arguments) == 0
    assert (tmp_path / "reports" / "mexc-pymexc.jsonl").read_text(encoding="utf-8") == REPORT
    assert "pymexc" in (tmp_path / "site" / "runs" / "pymexc-1.3.0.html").read_text(encoding="utf-8")


def test_a_python_client_not_yet_installed_is_still_a_run_to_make(tmp_path: Path) -> None:
    (tmp_path / "bitunix-bitunix").mkdir()
    (tmp_path / "bitunix-bitunix" / "harness.py").write_text("", encoding="utf-8")
    (harness,) = harnesses(tmp_path)
    assert (harness.label, harness.environment.is_dir()) == ("bitunix-bitunix", False)


def test_the_committed_matrix_is_current_for_the_pinned_clients() -> None:
    """`tools/matrix.py --check` runs every pinned client through the gate: a verdict its known-failures file does not
    expect, or a docs/clients.md or real-clients table that differs from what the runs give, fails it. The same run keeps
    its JSON-lines reports in build/matrix-reports/ and builds the HTML site from them and docs/history/ in
    build/site/, which CI leaves in the clone as its artifact."""
    require_tool("node")
    for harness in harnesses(REPO / "clients"):
        if not harness.environment.is_dir():
            require_tool(str(harness.environment))  # not installed: fails in CI, skips elsewhere
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "matrix.py"), "--check", "--reports", str(REPO / "build" / "matrix-reports"),
         "--site", str(REPO / "build" / "site")],
        capture_output=True, text=True, timeout=1800, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (REPO / "build" / "site" / "index.html").is_file()
