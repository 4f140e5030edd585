"""`sigvec fuzz`: planted bugs are caught, shrunk and diagnosed; conforming clients pass; runs replay."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, find, settings

from sigvec import Skipped, strategies
from sigvec.cli import main
from sigvec.fuzz.output import ACCEPTED, NO_STAGES
from sigvec.fuzz.runner import DEFAULT_EXAMPLES, Finding, Fuzzer, FuzzRun, FuzzSettings, input_seed
from sigvec.fuzz.strategies import SeededChoices, build_input
from sigvec.gate.adapters import InProcessAdapter
from sigvec.gate.harness import SubprocessHarness
from tests.support import planted_clients
from tests.support.corpus import REPO, repo_corpus
from tests.support.tools import missing, require_tool

SEED = 20261205
PLANTED_BUGS = (
    "space_as_plus", "stray_ampersand", "sorted_params", "signed_raw",
    "json_reserialised", "seconds", "wrong_secret", "adds_window",
)
"""Every planted client with a bug (`tests/support/planted_clients.py`)."""
HYPOTHESIS_ALONE = settings(
    derandomize=True, database=None, deadline=None, max_examples=5000, suppress_health_check=list(HealthCheck)
)
"""Hypothesis searching and shrinking on its own, for comparison."""
HARNESSES = REPO / "tests" / "gate" / "harnesses"
PLANTED = "tests.support.planted_clients:"


def fuzz(bug: str, examples: int = DEFAULT_EXAMPLES, seed: int = SEED, out: Path | None = None) -> FuzzRun:
    """A run of the planted client `bug`; a run without an output folder is made once and shared."""
    return fuzz_once(bug, examples, seed) if out is None else fuzz_run(bug, examples, seed, out)


@cache
def fuzz_once(bug: str, examples: int, seed: int) -> FuzzRun:
    return fuzz_run(bug, examples, seed, None)


def fuzz_run(bug: str, examples: int, seed: int, out: Path | None) -> FuzzRun:
    adapter = InProcessAdapter(getattr(planted_clients, bug), planted_clients.SIGVEC_IMPLEMENTATION)
    return Fuzzer(adapter, repo_corpus()).run([], FuzzSettings(max_examples=examples, seed=seed, out=out))


def with_classes(run: FuzzRun, scheme: str, *classes: str) -> Finding:
    found = [finding for finding in run.findings if finding.scheme == scheme and finding.key == ("classes", *classes)]
    assert found, [finding.key for finding in run.findings]
    return found[0]


def own_params(finding: Finding) -> list[list[str]]:
    """The minimal input's parameters other than the scheme's clock and window."""
    params = [*finding.input.get("query", []), *finding.input.get("body", {}).get("form", [])]
    return [pair for pair in params if pair[0] not in ("timestamp", "recvWindow")]


def test_a_conforming_client_written_apart_from_the_reference_passes() -> None:
    assert fuzz("conforming").findings == []


def test_space_as_plus_is_caught_and_shrunk_to_one_space() -> None:
    found = [finding for finding in fuzz("space_as_plus").findings if own_params(finding) == [["symbol", " "]]]
    assert found and found[0].key[0] == "classes" and "SpaceEncoding" in found[0].flags


def test_stray_ampersand_is_caught_with_a_query_and_a_body() -> None:
    finding = with_classes(fuzz("stray_ampersand"), "mexc-spot-v3", "StrayAmpersand")
    assert finding.input.get("query") and finding.input["body"]["form"]
    assert len(own_params(finding)) <= 1


def test_sorting_where_the_scheme_signs_as_sent_is_caught_with_two_keys_out_of_order() -> None:
    finding = with_classes(fuzz("sorted_params"), "mexc-spot-v3", "SortedByKey")
    keys = [key for key, _ in [*finding.input.get("query", []), *finding.input.get("body", {}).get("form", [])]]
    assert len(keys) == 2 and keys != sorted(keys)


def test_signed_raw_and_sent_encoded_is_caught_with_one_character_that_encoding_changes() -> None:
    singles = [finding for finding in fuzz("signed_raw").findings if finding.key[0] == "classes" and len(finding.key) == 2]
    assert singles
    for finding in singles:
        [(_, value)] = own_params(finding)
        assert len(value) == 1 and finding.flags


def test_json_re_serialised_after_signing_is_caught_with_a_one_member_body() -> None:
    finding = with_classes(fuzz("json_reserialised"), "mexc-futures-v1", "JsonSentSpaced")
    assert finding.input["body"]["json_text"].count(":") == 1


def test_seconds_for_milliseconds_is_caught_on_the_simplest_request() -> None:
    run = fuzz("seconds")
    [finding] = run.findings
    assert finding.key == ("check", "window")
    assert finding.flags == ("SecondsForMilliseconds",)
    assert "query" not in finding.input and "body" not in finding.input


def test_an_accepted_request_with_a_parameter_of_the_client_s_own_is_flagged_added_parameter() -> None:
    findings = [finding for finding in fuzz("adds_window").findings if finding.scheme == "mexc-spot-v3"]
    assert [(finding.key, finding.flags) for finding in findings] == [
        (("not-the-same-request", "AddedParameter"), ("AddedParameter",))
    ]
    assert findings[0].verdict.server == "accept" and "recvWindow" not in str(findings[0].input)


def test_an_added_parameter_finding_is_known_by_a_listed_vector_with_its_flag(tmp_path: Path) -> None:
    known = tmp_path / "known.yaml"
    known.write_text("mexc-spot-v3-0021: {reason: adds recvWindow=5000}\n", encoding="utf-8")
    args = ["fuzz", "--python", PLANTED + "adds_window", "--scheme", "mexc-spot-v3", "--seed", str(SEED)]
    assert main(args) == 1
    assert main([*args, "--known-failures", str(known)]) == 0


def test_the_same_seed_replays_the_same_minimal_inputs() -> None:
    first, second = fuzz_run("space_as_plus", DEFAULT_EXAMPLES, 7, None), fuzz_run("space_as_plus", DEFAULT_EXAMPLES, 7, None)
    assert [finding.input for finding in first.findings] == [finding.input for finding in second.findings]


def asked(seed: int, examples: int = 50) -> list[Mapping[str, Any]]:
    """The inputs a run on mexc-spot-v3 asks a conforming client, in order."""
    inputs: list[Mapping[str, Any]] = []

    def recording(vector_input: Mapping[str, Any]) -> dict[str, Any]:
        inputs.append(vector_input)
        return planted_clients.conforming(vector_input)

    adapter = InProcessAdapter(recording, planted_clients.SIGVEC_IMPLEMENTATION)
    Fuzzer(adapter, repo_corpus()).run(["mexc-spot-v3"], FuzzSettings(max_examples=examples, seed=seed))
    return inputs


def test_a_seeded_run_asks_the_same_inputs_and_each_is_built_again_from_its_own_seed() -> None:
    first = asked(7)
    assert len(first) == 50 and asked(7) == first and asked(8) != first
    assert first[3] == build_input(SeededChoices(input_seed(7, "mexc-spot-v3", 3)), "mexc-spot-v3")


def test_the_search_finds_a_failure_and_hypothesis_shrinks_it_to_the_input_hypothesis_alone_reaches() -> None:
    [finding] = [finding for finding in fuzz("space_as_plus").findings if own_params(finding) == [["symbol", " "]]]
    fuzzer = Fuzzer(InProcessAdapter(planted_clients.space_as_plus, planted_clients.SIGVEC_IMPLEMENTATION), repo_corpus())
    fuzzer.implementation = fuzzer.adapter.start()

    def fails_the_same_way(vector_input: dict[str, Any]) -> bool:
        found = fuzzer.finding_for("mexc-spot-v3", vector_input)
        return found is not None and found.key == finding.key

    alone = find(strategies.inputs("mexc-spot-v3"), fails_the_same_way, settings=HYPOTHESIS_ALONE)
    assert alone == finding.input


def test_a_failure_hypothesis_does_not_replay_is_reported_as_the_search_found_it_and_counted() -> None:
    seen: set[str] = set()

    def fails_once(vector_input: Mapping[str, Any]) -> dict[str, Any]:
        """Writes a space as `+` the first time it sees an input, and signs it right ever after."""
        again = json.dumps(vector_input, sort_keys=True) in seen
        seen.add(json.dumps(vector_input, sort_keys=True))
        return planted_clients.conforming(vector_input) if again else planted_clients.space_as_plus(vector_input)

    adapter = InProcessAdapter(fails_once, planted_clients.SIGVEC_IMPLEMENTATION)
    [scheme] = Fuzzer(adapter, repo_corpus()).run(["mexc-spot-v3"], FuzzSettings(seed=SEED)).schemes
    assert scheme.findings and scheme.unshrunk == len(scheme.findings)
    assert all("SpaceEncoding" in finding.flags for finding in scheme.findings)


@pytest.mark.parametrize("bug", PLANTED_BUGS)
def test_every_planted_bug_is_caught_within_the_default_count_and_hypothesis_replays_and_shrinks_it(bug: str) -> None:
    for seed in (1, 2, 3):
        run = fuzz(bug, seed=seed)
        assert run.findings, seed
        assert all(scheme.unshrunk == 0 for scheme in run.schemes), seed


def test_the_time_budget_ends_the_search_and_the_run_says_so() -> None:
    adapter = InProcessAdapter(planted_clients.conforming, planted_clients.SIGVEC_IMPLEMENTATION)
    run = Fuzzer(adapter, repo_corpus()).run(["mexc-spot-v3"], FuzzSettings(max_examples=200_000, seed=SEED, time_budget=0.2))
    [scheme] = run.schemes
    assert scheme.stopped_by_budget and 0 < scheme.judged < 200_000 and scheme.seconds < 5


def test_an_input_the_client_skips_is_counted_and_is_no_failure() -> None:
    def query_only(vector_input: Mapping[str, Any]) -> dict[str, Any]:
        if "body" in vector_input:
            raise Skipped("this client sends every parameter in the query string")
        return planted_clients.conforming(vector_input)

    adapter = InProcessAdapter(query_only, planted_clients.SIGVEC_IMPLEMENTATION)
    [scheme] = Fuzzer(adapter, repo_corpus()).run(["mexc-spot-v3"], FuzzSettings(max_examples=100, seed=SEED)).schemes
    assert scheme.findings == [] and 0 < scheme.skipped < scheme.judged == 100


def test_a_failure_found_once_is_replayed_first_from_the_out_folder(tmp_path: Path) -> None:
    assert fuzz("stray_ampersand", out=tmp_path).findings
    again = fuzz("stray_ampersand", examples=1, seed=SEED + 1, out=tmp_path)
    assert with_classes(again, "mexc-spot-v3", "StrayAmpersand")


def test_the_reference_passes_through_a_subprocess_harness() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "reference_harness.py")])
    run = Fuzzer(harness, repo_corpus()).run([], FuzzSettings(max_examples=50, seed=SEED))
    assert run.findings == [] and all(scheme.judged > 40 for scheme in run.schemes)


def test_the_reference_passes_in_capture_mode_where_the_client_really_sends() -> None:
    harness = SubprocessHarness([sys.executable, str(HARNESSES / "sending_harness.py"), "exact", "mexc-spot-v3", "bitunix"])
    run = Fuzzer(harness, repo_corpus()).run([], FuzzSettings(max_examples=30, seed=SEED))
    assert run.findings == [] and [scheme.judged for scheme in run.schemes] == [30, 30]


def test_the_node_port_passes_through_its_pipelined_harness() -> None:
    harness = SubprocessHarness([require_tool("node"), str(REPO / "ports" / "node" / "harness.mjs")])
    run = Fuzzer(harness, repo_corpus()).run([], FuzzSettings(max_examples=100, seed=SEED))
    assert run.implementation.pipeline == 64
    assert run.findings == [] and len(run.schemes) == 9


def test_the_cli_reports_a_failure_writes_its_vector_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fuzz", "--python", PLANTED + "space_as_plus", "--scheme", "mexc-spot-v3", "--seed", str(SEED),
                 "--out", str(tmp_path), "--junit", str(tmp_path / "junit.xml")])
    printed = capsys.readouterr().out
    assert code == 1
    assert "minimal input:" in printed and "curl -sS -g -X" in printed and f"replay with --seed {SEED}" in printed
    assert "45d0b3c26f2644f19bfb98b07741b2f5" not in printed  # the test secret is never printed
    assert 'failures="0"' not in (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert list(tmp_path.glob("mexc-spot-v3-*.yaml"))


def test_the_cli_passes_a_conforming_client() -> None:
    assert main(["fuzz", "--python", PLANTED + "conforming", "--max-examples", "20", "--seed", "1"]) == 0


def test_a_finding_the_known_failures_file_already_shows_does_not_fail_the_run(tmp_path: Path) -> None:
    known = tmp_path / "known.yaml"
    known.write_text("mexc-spot-v3-0006: {reason: writes a space as +}\n", encoding="utf-8")
    args = ["fuzz", "--python", PLANTED + "space_as_plus", "--scheme", "mexc-spot-v3", "--seed", str(SEED)]
    assert main([*args, "--known-failures", str(known)]) == 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--max-examples", "0"], "--max-examples"),
        (["--time-budget", "-1"], "--time-budget"),
        (["--scheme", "nope"], "--scheme"),
    ],
)
def test_bad_usage_exits_2_naming_the_option(args: list[str], named: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--python", PLANTED + "conforming", *args]) == 2
    assert named in capsys.readouterr().err


SENDING = f"{sys.executable} {HARNESSES / 'sending_harness.py'} requests mexc-futures-v1"
EMITTING = [
    pytest.param(["--python", PLANTED + "space_as_plus", "--scheme", "mexc-spot-v3", "--seed", str(SEED)], "spot.yaml",
                 id="returned-wire"),
    pytest.param(["--harness", SENDING, "--seed", "5", "--max-examples", "300"], "futures.yaml", id="capture-mode"),
]


def emitted_vectors(tmp_path: Path, args: list[str]) -> list[tuple[Path, dict[str, object]]]:
    out = tmp_path / "out"
    assert main(["fuzz", *args, "--out", str(out)]) == 1
    paths = sorted(out.glob("mexc-*.yaml"))
    assert paths
    return [(path, yaml.safe_load(path.read_text(encoding="utf-8"))[0]) for path in paths]


@pytest.mark.parametrize(("args", "vector_file"), EMITTING)
def test_the_emitted_vectors_pass_lint_and_check_when_added_to_the_corpus(
    tmp_path: Path, args: list[str], vector_file: str
) -> None:
    emitted = emitted_vectors(tmp_path, args)
    corpus = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", corpus)
    with (corpus / "mexc" / vector_file).open("a", encoding="utf-8") as vectors:
        for path, vector in emitted:
            assert vector["fault"] == "client" and "SpaceEncoding" in vector["flags"]  # type: ignore[operator]
            vectors.write("\n" + path.read_text(encoding="utf-8"))
    assert main(["lint", "--vectors", str(corpus)]) == 0
    assert main(["check", "--vectors", str(corpus)]) == 0


@pytest.mark.parametrize(
    ("bug", "reason"),
    [("adds_window", ACCEPTED), ("wrong_secret", NO_STAGES)],
    ids=["accepted-but-another-request", "no-stages-and-no-class-rebuilds-them"],
)
def test_a_finding_the_corpus_format_cannot_hold_is_reported_with_why_and_writes_no_vector(
    bug: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["fuzz", "--python", PLANTED + bug, "--scheme", "mexc-spot-v3", "--seed", str(SEED), "--out", str(tmp_path)]
    assert main(args) == 1
    assert f"no vector: {reason}" in capsys.readouterr().out
    assert not list(tmp_path.glob("mexc-spot-v3-*.yaml"))


def test_the_curl_reproducer_gets_the_native_rejection_from_sigvec_serve(tmp_path: Path) -> None:
    curl = shutil.which("curl") or missing("curl is not installed (tools/install-test-tools installs it)")
    run = fuzz("space_as_plus")
    [finding] = [finding for finding in run.findings if own_params(finding) == [["symbol", " "]]]
    from sigvec.fuzz.output import curl_command

    command = curl_command(finding, port=0)
    assert command is not None
    serve_line, curl_line = command.splitlines()
    clock = serve_line.split("--clock ")[1].split()[0]
    server = subprocess.Popen(
        [sys.executable, "-m", "sigvec.cli", "serve", "--port", "0", "--clock", clock],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        assert server.stdout is not None
        port = next(line for line in server.stdout if "127.0.0.1:" in line).split("127.0.0.1:")[1].split()[0].strip("/")
        line = curl_line.replace("127.0.0.1:0/", f"127.0.0.1:{port}/").replace("curl ", f"{curl} ", 1)
        answer = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=30, check=True).stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert finding.diagnosis is not None and finding.diagnosis.verdict.rejection is not None
    assert answer == finding.diagnosis.verdict.rejection.body


def test_the_conforming_clients_script_passes_the_reference_and_the_node_port(capsys: pytest.CaptureFixture[str]) -> None:
    """tools/fuzz_conforming.py, bounded here; run with its default 10,000 inputs per scheme for the record."""
    require_tool("node")
    from tools.fuzz_conforming import main as conforming

    assert conforming(["--examples", "30"]) == 0
    assert capsys.readouterr().out.count("0 failures") == 2 * 9
