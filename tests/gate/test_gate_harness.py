"""The subprocess harness driver: a correct harness passes, and no broken harness can hang or stop the gate."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from sigvec.gate.harness import HarnessError, SubprocessHarness
from sigvec.gate.results import GateRun
from sigvec.gate.run import run_gate
from tests.support.corpus import repo_corpus, repo_vectors

HARNESSES = Path(__file__).parent / "harnesses"
SCHEME = "max-v2"
SCHEME_VECTORS = sum(vector.scheme == SCHEME for vector in repo_vectors())


def broken(mode: str, *extra: str, timeout: float = 5.0, max_restarts: int = 3) -> SubprocessHarness:
    return SubprocessHarness(
        [sys.executable, str(HARNESSES / "broken_harness.py"), mode, *extra],
        timeout=timeout,
        start_timeout=10,
        max_restarts=max_restarts,
    )


def run(harness: SubprocessHarness, schemes: tuple[str, ...] = (SCHEME,)) -> GateRun:
    return run_gate(harness, repo_corpus(), schemes, vectors=repo_vectors())


def test_a_correct_subprocess_client_is_100_percent_by_the_contract() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "reference_harness.py")])
    result = run(harness, ())
    total = result.total()
    assert total.vectors == len(repo_vectors())
    assert (total.exact_percent, total.accepted_percent) == (100, 100)
    assert result.implementation.metadata["homepage"] == "https://example.invalid/sigvec"


def test_a_harness_that_crashes_on_every_vector_is_errored_with_its_stderr_and_restarted_a_bounded_number_of_times() -> None:
    result = run(broken("crash", max_restarts=2))
    assert [verdict.status for verdict in result.verdicts] == ["errored"] * SCHEME_VECTORS
    first = result.verdicts[0]
    assert "exited while answering (exit code 3)" in first.message
    assert first.stderr is not None and "segfault-like crash on max-v2-0001" in first.stderr
    assert sum("restarts are used up" in verdict.message for verdict in result.verdicts) == SCHEME_VECTORS - 3


def test_a_crashed_harness_is_restarted_with_start_replayed_and_answers_the_next_vectors(tmp_path: Path) -> None:
    result = run(broken("crash-once", str(tmp_path / "state")))
    assert [verdict.status for verdict in result.verdicts] == ["errored"] + ["pass"] * (SCHEME_VECTORS - 1)


def test_a_harness_that_hangs_is_errored_per_vector_and_the_gate_finishes_in_bounded_time() -> None:
    began = time.monotonic()
    result = run(broken("hang", timeout=0.3, max_restarts=1))
    assert [verdict.status for verdict in result.verdicts] == ["errored"] * SCHEME_VECTORS
    assert "no answer within 0.3 s" in result.verdicts[0].message
    assert time.monotonic() - began < 15


def test_a_harness_whose_child_holds_its_pipes_open_cannot_hang_the_gate() -> None:
    began = time.monotonic()
    result = run(broken("orphan", timeout=0.3, max_restarts=0))
    assert [verdict.status for verdict in result.verdicts] == ["errored"] * SCHEME_VECTORS
    assert time.monotonic() - began < 15


def test_a_line_that_is_not_json_is_errored_for_that_vector() -> None:
    result = run(broken("garbage"))
    assert [verdict.status for verdict in result.verdicts] == ["errored"] * SCHEME_VECTORS
    assert "answered with a line that is not JSON: 'this is not json'" in result.verdicts[0].message


def test_a_reply_with_the_wrong_seq_is_errored_for_that_vector() -> None:
    result = run(broken("wrong-seq"))
    assert [verdict.status for verdict in result.verdicts] == ["errored"] * SCHEME_VECTORS
    assert "answered seq 1001 to seq 1" in result.verdicts[0].message


def test_a_harness_that_dies_before_its_start_reply_is_a_usage_error_with_its_stderr() -> None:
    with pytest.raises(HarnessError, match="cannot load the client"):
        run(broken("no-start"))


def test_a_harness_that_never_answers_start_is_a_usage_error_after_the_start_timeout() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "broken_harness.py"), "mute"], timeout=0.2, start_timeout=0.5)
    with pytest.raises(HarnessError, match=r"no start reply within 0\.5 s"):
        harness.start()


def test_a_missing_harness_command_is_a_usage_error() -> None:
    with pytest.raises(HarnessError, match="cannot start the harness"):
        SubprocessHarness(["/nonexistent/harness"]).start()


def alive(pid: int) -> bool:
    """Is `pid` a process that still runs (a zombie waiting to be reaped has ended)?"""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finding setsid() descendants needs Linux's /proc")
def test_no_process_a_harness_started_outlives_the_gate_even_one_that_called_setsid(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    result = run(broken("setsid", str(pids_file)))
    assert {verdict.status for verdict in result.verdicts} == {"pass"}
    pids = [int(pid) for pid in pids_file.read_text().split()]
    assert len(pids) == 4
    assert [pid for pid in pids if alive(pid)] == []


def test_a_reply_line_over_the_cap_is_errored_for_its_vector_and_the_next_vector_is_answered() -> None:
    result = run(broken("long-line"))
    first, second = result.verdicts[:2]
    assert first.status == "errored"
    assert first.message == "the harness answered with a line longer than 8,388,608 characters (the reply cap)"
    assert second.status == "pass"
