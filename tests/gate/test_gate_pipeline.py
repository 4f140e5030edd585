"""Protocol version 2: a harness that declares `pipeline` N gets N `sign` commands in flight; version 1 harnesses
keep working unchanged."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator

import pytest

from sigvec.fuzz.runner import Fuzzer, FuzzSettings
from sigvec.gate.harness import SubprocessHarness
from sigvec.gate.protocol import ProtocolError, read_start_reply, start_command, validate
from sigvec.gate.run import run_gate
from sigvec.harness import serve
from tests.support.corpus import REPO, repo_corpus, repo_vectors

HARNESSES = REPO / "tests" / "gate" / "harnesses"

IMPLEMENTATION = {"name": "x", "language": "python", "schemes": ["mexc-spot-v3"]}


def test_the_start_command_is_version_1_and_offers_version_2() -> None:
    command = start_command()
    validate("start", command)
    assert (command["version"], command["max_version"]) == (1, 2)


def test_a_version_2_start_reply_declares_its_pipeline() -> None:
    assert read_start_reply({"version": 2, "implementation": IMPLEMENTATION, "pipeline": 64}).pipeline == 64
    assert read_start_reply({"version": 1, "implementation": IMPLEMENTATION}).pipeline == 1


def test_a_version_1_start_reply_cannot_declare_a_pipeline() -> None:
    with pytest.raises(ProtocolError):
        read_start_reply({"version": 1, "implementation": IMPLEMENTATION, "pipeline": 64})


def start_reply(command: dict[str, object], pipeline: int | None) -> dict[str, object]:
    out = io.StringIO()
    serve(IMPLEMENTATION, lambda _: {}, stdin=io.StringIO(json.dumps(command) + "\n"), stdout=out, pipeline=pipeline)
    reply: dict[str, object] = json.loads(out.getvalue())
    return reply


def test_the_python_kit_declares_a_pipeline_only_to_a_gate_that_speaks_version_2() -> None:
    assert start_reply(start_command(), 64) == {"version": 2, "implementation": IMPLEMENTATION, "pipeline": 64}
    assert start_reply({"cmd": "start", "version": 1}, 64) == {"version": 1, "implementation": IMPLEMENTATION}
    assert start_reply(start_command(), None) == {"version": 1, "implementation": IMPLEMENTATION}


def gate_statuses(*argv: str) -> list[tuple[str, str, bool]]:
    run = run_gate(SubprocessHarness([sys.executable, *argv]), repo_corpus())
    return [(verdict.id, verdict.status, verdict.exact) for verdict in run.verdicts]


def test_a_pipelined_harness_gets_the_verdicts_a_one_at_a_time_harness_gets() -> None:
    harness = str(HARNESSES / "reference_harness.py")
    pipelined = gate_statuses(harness, "--pipeline", "16")
    assert pipelined == gate_statuses(harness)
    assert all(status in ("pass", "refused-ok") for _, status, _ in pipelined)


def test_a_pipelined_harness_is_fuzzed_in_batches_and_a_failure_still_shrinks_to_one_input() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "planted_harness.py"), "space_as_plus", "--pipeline", "32"])
    run = Fuzzer(harness, repo_corpus()).run(["mexc-spot-v3"], FuzzSettings(max_examples=200, seed=20261205))
    own = ("timestamp", "recvWindow")
    minimal = [[pair for pair in finding.input.get("query", []) if pair[0] not in own] for finding in run.findings]
    assert [["symbol", " "]] in minimal


def reference_commands(count: int, first_seq: int = 1) -> list[tuple[int, str, dict[str, object], str]]:
    vectors = [vector for vector in repo_vectors() if vector.scheme == "mexc-spot-v3"][:count]
    return [(first_seq + n, vector.id, dict(vector.input), "https://api.mexc.com") for n, vector in enumerate(vectors)]


def test_a_stream_takes_the_next_window_while_the_harness_answers_the_current_one() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "reference_harness.py"), "--pipeline", "4"])
    harness.start()
    taken: list[int] = []

    def commands() -> Iterator[tuple[int, str, dict[str, object], str]]:
        for command in reference_commands(12):
            taken.append(command[0])
            yield command

    try:
        stream = harness.sign_stream(commands())
        first = next(stream)
        assert first.kind == "wire" and taken == list(range(1, 9))  # window 2 is out before window 1's answers are given
        assert [answer.kind for answer in stream] == ["wire"] * 11
    finally:
        harness.stop()


def test_a_stream_closed_early_drops_the_answers_still_outstanding() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "reference_harness.py"), "--pipeline", "4"])
    harness.start()
    try:
        stream = harness.sign_stream(reference_commands(12))
        assert next(stream).kind == "wire"
        stream.close()
        [answer] = harness.sign_batch(reference_commands(1, first_seq=100))
        assert answer.kind == "wire"
    finally:
        harness.stop()
