"""`sigvec fuzz`'s engine: generated inputs through any gate adapter, judged by the oracle, failures shrunk.

For each scheme the client declares, Hypothesis draws inputs from
`sigvec.strategies.inputs`; each input the reference signs is sent to the
client through the adapter (in process, a subprocess harness, or capture
mode, where the client really sends to a loopback server) and judged by
`sigvec.fuzz.oracle`. A failing input raises a failure whose type stands for
its diagnosis (`failure_key`), so that Hypothesis shrinks each distinct
failure on its own, to a minimal input, and reports each once.

Reproducible: the seed is chosen (or given) and reported, so `--seed` replays
a run; with an output folder, Hypothesis keeps its example database there, and
a failure found once is replayed first the next time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from signing.http import HttpRequest
from signing.registry import scheme_named
from sigvec.corpus import Corpus, Vector
from sigvec.diagnose import Diagnosis
from sigvec.diagnose.examples import Examples
from sigvec.fuzz.oracle import Case, diagnosis_of, judge_answer, received_of, reference_case
from sigvec.fuzz.strategies import inputs
from sigvec.gate.adapters import Adapter
from sigvec.gate.capture import CaptureServer
from sigvec.gate.harness import SubprocessHarness
from sigvec.gate.protocol import Answer, Implementation, errored
from sigvec.gate.results import KnownFailure, VectorVerdict
from sigvec.gate.run import PIPELINED_SENT, captured, selected_vectors
from sigvec.serve.state import corpus_keys

DEFAULT_EXAMPLES = 200
"""Generated inputs per scheme unless told otherwise: enough to catch each planted bug of the test suite."""
DATABASE_FOLDER = "examples"
BATCH_AT_LEAST = 4
"""For a pipelined harness each example is a list of up to `pipeline` inputs (a failing list still shrinks to one
input). Hypothesis's lists average about 6 long whatever their cap (and start short): a round asks for
`remaining / BATCH_AT_LEAST` examples, the last list is cut to the count, and rounds (each seeded from the run's
seed) go on until `max_examples` inputs are judged."""
MAX_ROUNDS = 50


@dataclass(frozen=True)
class FuzzSettings:
    """How long to fuzz: examples per scheme, the seed (None: a random one, reported), a time budget in seconds
    for the whole run (None: none), and the output folder holding the example database (None: no database)."""

    max_examples: int = DEFAULT_EXAMPLES
    seed: int | None = None
    time_budget: float | None = None
    out: Path | None = None


@dataclass(slots=True)
class Finding:
    """One distinct failure, as Hypothesis shrank it: the minimal input, the gate's verdict on the client's
    answer, the request the client made (if it made one) and the diagnosis of its rejection."""

    scheme: str
    key: tuple[str, ...]
    case: Case
    answer: Answer
    verdict: VectorVerdict
    received: HttpRequest | None
    diagnosis: Diagnosis | None

    @property
    def input(self) -> Mapping[str, Any]:
        return self.case.input

    @property
    def vector(self) -> Vector:
        assert self.case.vector is not None
        return self.case.vector

    @property
    def flags(self) -> tuple[str, ...]:
        """The bug classes (corpus flags): those the diagnosis names, else those the gate's comparison finds in
        another request the server accepts (`sigvec.gate.diff.request_difference`)."""
        diagnosed = self.diagnosis.flags if self.diagnosis is not None else ()
        return diagnosed or self.verdict.flags

    @property
    def title(self) -> str:
        """One line naming the failure: its diagnosis, or what the verdict says."""
        if self.diagnosis is not None and not self.diagnosis.verdict.accepted:
            return self.diagnosis.message
        return self.verdict.message


@dataclass(slots=True)
class SchemeRun:
    """What fuzzing one scheme did: inputs judged, inputs the scheme cannot carry, inputs the client skipped (as
    it may skip a vector it cannot express), the findings, the time taken."""

    scheme: str
    judged: int = 0
    uncarried: int = 0
    skipped: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by_budget: bool = False


@dataclass(frozen=True)
class FuzzRun:
    implementation: Implementation
    seed: int
    schemes: tuple[SchemeRun, ...]

    @property
    def findings(self) -> list[Finding]:
        return [finding for run in self.schemes for finding in run.findings]


class FuzzFailure(Exception):
    """A generated input the client fails; its subclass stands for the failure's key (see `failure_type`)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.title)
        self.finding = finding


_FAILURE_TYPES: dict[tuple[str, ...], type[FuzzFailure]] = {}


def failure_type(key: tuple[str, ...]) -> type[FuzzFailure]:
    """One exception type per failure key: Hypothesis tells failures apart by type, so each key is shrunk and
    reported on its own."""
    if key not in _FAILURE_TYPES:
        _FAILURE_TYPES[key] = type(f"FuzzFailure_{len(_FAILURE_TYPES)}", (FuzzFailure,), {"key": key})
    return _FAILURE_TYPES[key]


def failure_key(verdict: VectorVerdict, diagnosis: Diagnosis | None) -> tuple[str, ...]:
    """What makes two failures the same: the bug classes the diagnosis names, else the check that fired, else
    the verdict's kind (refused, errored, unexplained at a stage, or accepted but not the same request, with the
    flags of what differs)."""
    if verdict.status in ("errored", "refused-ok") or verdict.message.startswith("refused"):
        return (verdict.status if verdict.status == "errored" else "refused",)
    if diagnosis is None or diagnosis.verdict.accepted:
        return ("not-the-same-request", *verdict.flags) if verdict.server == "accept" else ("rejected",)
    if diagnosis.matches:
        return ("classes", *diagnosis.matches[0].classes)
    if diagnosis.found:
        return ("check", diagnosis.step or "")
    return ("unexplained", diagnosis.closest_stage or "")


class Fuzzer:
    """One client, started once, asked about generated inputs one at a time."""

    def __init__(self, adapter: Adapter, corpus: Corpus, capture: bool | None = None) -> None:
        """`corpus` gives the test keys inputs are signed with and the example vectors diagnoses cite."""
        self.adapter = adapter
        self.keys = corpus_keys(corpus)
        self.examples = Examples.of(corpus.vectors())
        self.capture = isinstance(adapter, SubprocessHarness) if capture is None else capture
        self.seq = 0
        self.server: CaptureServer | None = None
        self.implementation: Implementation | None = None

    @property
    def pipeline(self) -> int:
        """How many `sign` commands the client takes in flight: its declared pipeline, for a subprocess harness."""
        declared = self.implementation.pipeline if self.implementation is not None else 1
        return declared if isinstance(self.adapter, SubprocessHarness) else 1

    def ask(self, cases: Sequence[Case]) -> list[Answer]:
        """The client's answers for cases the reference signs: pipelined when the harness declares it, else one at a
        time, with a `sent` answer resolved through capture."""
        vectors = [case.vector for case in cases if case.vector is not None]
        if self.pipeline > 1:
            assert isinstance(self.adapter, SubprocessHarness)
            commands = [(self.seq + n, v.id, v.input, scheme_named(v.scheme).base_url) for n, v in enumerate(vectors, 1)]
            self.seq += len(commands)
            answers = self.adapter.sign_batch(commands)
            return [errored(PIPELINED_SENT, answer.stderr) if answer.kind == "sent" else answer for answer in answers]
        answers = []
        for vector in vectors:
            self.seq += 1
            base_url = self.server.prepare(vector) if self.server is not None else scheme_named(vector.scheme).base_url
            answer = self.adapter.sign(self.seq, vector.id, vector.input, base_url)
            answers.append(captured(answer, vector, self.server) if answer.kind == "sent" else answer)
        return answers

    def check(self, scheme: str, batch: Sequence[Mapping[str, Any]], stats: SchemeRun) -> Finding | None:
        """Judge the client on generated inputs: the first failure, or None when it passes them all (an input the
        scheme cannot carry is not asked)."""
        cases = [reference_case(vector_input) for vector_input in batch]
        signed = [case for case in cases if case.vector is not None]
        stats.uncarried += len(cases) - len(signed)
        stats.judged += len(signed)
        assert self.implementation is not None
        for case, answer in zip(signed, self.ask(signed), strict=True):
            verdict = judge_answer(self.implementation, case, answer)
            if verdict.status == "skipped":
                stats.skipped += 1
            elif not verdict.passed:
                received = received_of(answer)
                failed = received is not None and verdict.status == "fail"
                diagnosis = diagnosis_of(case, received, self.examples) if failed and received is not None else None
                return Finding(scheme, failure_key(verdict, diagnosis), case, answer, verdict, received, diagnosis)
        return None

    def run(self, schemes: Iterable[str], fuzz: FuzzSettings, on_scheme: Callable[[SchemeRun], None] | None = None) -> FuzzRun:
        """Start the client, fuzz each of its schemes (narrowed to `schemes` when any are given), stop it."""
        run_seed = fuzz.seed if fuzz.seed is not None else random.SystemRandom().randrange(2**32)
        implementation = self.adapter.start()
        runs = []
        try:
            chosen = selected_schemes(implementation, schemes)
            self.implementation = implementation
            deadline = None if fuzz.time_budget is None else time.monotonic() + fuzz.time_budget
            with CaptureServer() if self.capture and chosen and self.pipeline == 1 else nullcontext() as server:
                self.server = server
                for scheme in chosen:
                    scheme_run = self.fuzz_scheme(scheme, implementation, fuzz, run_seed, deadline)
                    runs.append(scheme_run)
                    if on_scheme is not None:
                        on_scheme(scheme_run)
        finally:
            self.server = None
            self.adapter.stop()
        return FuzzRun(implementation, run_seed, tuple(runs))

    def fuzz_scheme(
        self, scheme: str, implementation: Implementation, fuzz: FuzzSettings, run_seed: int, deadline: float | None
    ) -> SchemeRun:
        stats = SchemeRun(scheme)
        started = time.monotonic()
        shrinking = False

        def conforms(drawn: dict[str, Any] | list[dict[str, Any]]) -> None:
            nonlocal shrinking
            if not shrinking:  # the budget and the count bound the search; shrinking a failure is Hypothesis's to bound
                if deadline is not None and time.monotonic() > deadline:
                    stats.stopped_by_budget = True
                    return
                drawn = drawn[: fuzz.max_examples - stats.judged - stats.uncarried] if isinstance(drawn, list) else drawn
            finding = self.check(scheme, drawn if isinstance(drawn, list) else [drawn], stats)
            if finding is not None:
                shrinking = True
                raise failure_type(finding.key)(finding)

        conforms.__name__ = f"sigvec_fuzz_{scheme.replace('-', '_')}"
        keys = sorted(self.keys.get(scheme, {}).items())
        credentials = [{"api_key": api_key, "secret": secret} for api_key, secret in keys]
        drawn = inputs(scheme, credentials or None, implementation.options.get(scheme))
        pipelined = self.pipeline > 1
        strategy = st.lists(drawn, min_size=1, max_size=self.pipeline) if pipelined else drawn
        for round_number in range(MAX_ROUNDS):
            remaining = fuzz.max_examples - stats.judged - stats.uncarried
            if remaining <= 0 or stats.findings or stats.stopped_by_budget:
                break
            examples = -(-remaining // BATCH_AT_LEAST) if pipelined else remaining
            test = given(strategy)(conforms)
            test = settings(hypothesis_settings(replace(fuzz, max_examples=examples)))(test)
            replayable(test, run_seed + round_number, scheme)
            try:
                test()
            except Exception as error:  # Hypothesis re-raises the client's failures, one or a group of them
                stats.findings = distinct(findings_in(error))
        stats.seconds = time.monotonic() - started
        return stats


def replayable(test: Callable[[], None], run_seed: int, scheme: str) -> None:
    """Seed `test` and key its examples in the database by scheme alone, so that a failure found under one seed
    is replayed first under any other.

    Hypothesis's own `@seed` turns the database off, and its database key
    hashes the test's source; both are set here through the attributes its
    `@seed` and `find` set (`tests/test_fuzz.py` guards the replay).
    """
    test._hypothesis_internal_use_seed = run_seed  # type: ignore[attr-defined]
    test._hypothesis_internal_database_key = f"sigvec fuzz {scheme}".encode()  # type: ignore[attr-defined]


def hypothesis_settings(fuzz: FuzzSettings) -> settings:
    database = DirectoryBasedExampleDatabase(str(fuzz.out / DATABASE_FOLDER)) if fuzz.out is not None else None
    return settings(
        max_examples=fuzz.max_examples,
        deadline=None,
        database=database,
        derandomize=False,
        report_multiple_bugs=True,
        verbosity=Verbosity.quiet,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def findings_in(error: BaseException) -> list[Finding]:
    """The findings Hypothesis re-raised: one `FuzzFailure`, or a group of them. Anything else is not the
    client's failure but the fuzzer's own error, and is raised again."""
    if isinstance(error, FuzzFailure):
        return [error.finding]
    group: Sequence[BaseException] | None = getattr(error, "exceptions", None)  # an ExceptionGroup (a backport on 3.10)
    if group is not None:
        return [finding for inner in group for finding in findings_in(inner)]
    raise error


def distinct(findings: list[Finding]) -> list[Finding]:
    """The findings, less each one whose bug classes strictly include another's: a request with a space and
    non-ASCII text, both signed raw, is the two bugs already reported one by one."""
    classes = [set(finding.key[1:]) for finding in findings if finding.key[0] == "classes"]
    return [
        finding
        for finding in findings
        if finding.key[0] != "classes" or not any(other < set(finding.key[1:]) for other in classes)
    ]


def selected_schemes(implementation: Implementation, schemes: Iterable[str]) -> list[str]:
    """The schemes to fuzz: those the client declares (checked as the gate checks them), narrowed to `schemes`,
    that declare a surface to draw from."""
    declared = {vector_scheme for vector_scheme in implementation.schemes}
    narrowed = set(schemes)
    selected_vectors([], implementation, narrowed)  # the gate's checks of the declaration and of --scheme
    wanted = narrowed or declared
    return [name for name in sorted(wanted) if scheme_named(name).surface.routes]


def known_failure(finding: Finding, known: Mapping[str, KnownFailure], corpus: Mapping[str, Vector]) -> KnownFailure | None:
    """The listed known failure that already shows this finding's bug: a vector of the same scheme, listed as
    known, whose flags include every flag of the finding's diagnosis (a finding without flags is never known)."""
    if not finding.flags:
        return None
    for vector_id, failure in known.items():
        vector = corpus.get(vector_id)
        if vector is not None and vector.scheme == finding.scheme and set(finding.flags) <= set(vector.flags):
            return failure
    return None
