"""Benchmark: `sigvec fuzz`'s generated cases per second, and the time to shrink one planted bug, in one run.

It prints, for mexc-spot-v3 and a conforming client (the reference), cases per
second with generation and judging included:
- in process (`--python`);
- through a subprocess harness speaking protocol version 1, one command in flight;
- through the same harness declaring `pipeline` 64 (protocol version 2);
- generation alone, with the fast seeded source the search uses (the ceiling
  any adapter can reach), and with Hypothesis drawing the same construction,
  for comparison;
and the seconds to find and shrink a client that writes a space as `+` to its
minimal input (the search finds it, Hypothesis replays and shrinks it).
Targets (the issue's): >= 5,000 cases/s in process and through the pipelined
harness; shrinking <= 10 s. Rates depend on the machine, so it times one bare
HMAC in the same run and prints each row's cost per case in bare HMACs. On a
shared machine the wall clock says how much CPU the run was given, so it also
prints the CPU time per case of this process and of the harness process, and
the rate the busier of the two allows when each has a core of its own.

    python tools/bench_fuzz.py [--examples 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from sigvec.corpus import Corpus, load_corpus
from sigvec.fuzz.runner import Fuzzer, FuzzSettings, input_seed
from sigvec.fuzz.strategies import SeededChoices, build_input, inputs, test_credentials
from sigvec.gate.adapters import Adapter, InProcessAdapter
from sigvec.gate.harness import SubprocessHarness

REPO = Path(__file__).resolve().parents[1]
SCHEME = "mexc-spot-v3"
sys.path.insert(0, str(REPO))

from tests.support import planted_clients  # noqa: E402
from tools.bench_gate import bare_hmac_seconds  # noqa: E402


@dataclass(frozen=True)
class Measured:
    """Cases per second (wall clock), and the CPU seconds per case of this process and of its child processes."""

    rate: float
    own_cpu: float
    child_cpu: float

    @property
    def cpu_rate(self) -> float:
        """Cases per second when each process has a core of its own: the busier one's CPU time bounds the rate."""
        return 1 / max(self.own_cpu, self.child_cpu)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(setup: Callable[[], Callable[[], int]]) -> Measured:
    """Time the work `setup` makes (the setup itself untimed); the work returns how many cases it made, its child
    processes reaped."""
    work = setup()
    wall, own, child = time.perf_counter(), time.process_time(), children_cpu()
    cases = work()
    wall, own, child = time.perf_counter() - wall, time.process_time() - own, children_cpu() - child
    return Measured(cases / wall, own / cases, child / cases)


@cache
def corpus() -> Corpus:
    return load_corpus(REPO / "vectors")


def fuzzing(make: Callable[[], Adapter], examples: int) -> Callable[[], int]:
    """Fuzzing the scheme with a conforming client through the adapter `make` gives (client start and stop included,
    generation and judging included; the corpus loaded and the fuzzer made beforehand)."""
    fuzzer = Fuzzer(make(), corpus())

    def work() -> int:
        run = fuzzer.run([SCHEME], FuzzSettings(max_examples=examples, seed=1))
        assert not run.findings, "the conforming client failed"
        judged = run.schemes[0]
        return judged.judged + judged.uncarried

    return work


def fast_generating(examples: int) -> Callable[[], int]:
    """Building inputs from the seeded source, one sub-seed per input, as the search builds them."""
    credentials = test_credentials(SCHEME)

    def work() -> int:
        for index in range(examples):
            build_input(SeededChoices(input_seed(1, SCHEME, index)), SCHEME, credentials)
        return examples

    return work


def hypothesis_generating(examples: int) -> Callable[[], int]:
    """Hypothesis drawing inputs from the public strategy (the same construction)."""
    test_credentials(SCHEME)
    count = 0

    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(inputs(SCHEME))
    def draw(_: object) -> None:
        nonlocal count
        count += 1

    def work() -> int:
        draw()
        return count

    return work


def shrink_seconds() -> float:
    """Seconds for a run of the default count to find the planted space-as-`+` bug and shrink it."""
    adapter = InProcessAdapter(planted_clients.space_as_plus, planted_clients.SIGVEC_IMPLEMENTATION)
    fuzzer = Fuzzer(adapter, corpus())
    began = time.perf_counter()
    run = fuzzer.run([SCHEME], FuzzSettings(seed=1))
    seconds = time.perf_counter() - began
    assert any("SpaceEncoding" in finding.flags for finding in run.findings), "the planted bug was not found"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="generated cases per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per row (the fastest is printed)")
    args = parser.parse_args()
    harness = [sys.executable, str(REPO / "tests" / "gate" / "harnesses" / "reference_harness.py")]
    in_process = "in process"
    pipelined = "subprocess, pipeline 64 (v2)"
    rows: dict[str, Callable[[], Callable[[], int]]] = {
        in_process: lambda: fuzzing(
            lambda: InProcessAdapter(planted_clients.conforming, planted_clients.SIGVEC_IMPLEMENTATION), args.examples
        ),
        "subprocess, one in flight (v1)": lambda: fuzzing(lambda: SubprocessHarness(harness), args.examples),
        pipelined: lambda: fuzzing(lambda: SubprocessHarness([*harness, "--pipeline", "64"]), args.examples),
        "generation alone (seeded source)": lambda: fast_generating(args.examples),
        "generation alone (Hypothesis draws)": lambda: hypothesis_generating(args.examples),
    }
    rates = {name: max((measured(setup) for _ in range(args.rounds)), key=lambda m: m.rate) for name, setup in rows.items()}
    yardstick = min(bare_hmac_seconds() for _ in range(5))
    shrink = min(shrink_seconds() for _ in range(args.rounds))
    print(f"{SCHEME}, {args.examples} generated cases per measurement, fastest of {args.rounds}")
    print(f"machine speed: one bare HMAC-SHA256 takes {yardstick * 1e6:.2f} us (bench_sign.py's yardstick)")
    print(f"{'adapter':<38}{'cases/s':>9}{'HMACs/case':>12}{'CPU us/case':>13}{'harness':>9}{'cases/CPU-s':>13}")
    for name, rate in rates.items():
        print(
            f"{name:<38}{rate.rate:>9,.0f}{1 / rate.rate / yardstick:>12,.0f}{rate.own_cpu * 1e6:>13,.0f}"
            f"{rate.child_cpu * 1e6:>9,.0f}{rate.cpu_rate:>13,.0f}"
        )
    print(f"find and shrink a space written as '+' (in process, default examples): {shrink:.2f} s")
    for label, met in (
        (">= 5,000 cases/s in process", rates[in_process].rate >= 5000),
        (">= 5,000 cases/s through a pipelined harness", rates[pipelined].rate >= 5000),
        (">= 5,000 cases per CPU second in process", rates[in_process].cpu_rate >= 5000),
        (">= 5,000 cases per CPU second of either process, pipelined", rates[pipelined].cpu_rate >= 5000),
        ("shrinking one planted bug <= 10 s", shrink <= 10),
    ):
        print(f"target {label}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
