"""`sigvec fuzz`'s engine: generated inputs through any gate adapter, judged by the oracle, failures shrunk.

For each scheme the client declares, the search builds inputs with the
construction of `sigvec.strategies` over its fast seeded source
(`SeededChoices`, one sub-seed per input), and judges them in bulk: each
input the reference signs is sent to the client through the adapter (in
process; a subprocess harness, `pipeline` inputs in flight when it declares
it; or capture mode, where the client really sends to a loopback server, one
at a time) and judged by `sigvec.fuzz.oracle`. The first failing input of
each distinct failure (`failure_key`) is handed to Hypothesis as the choices
it was built from: Hypothesis replays them, the very choices its own source
would make, and shrinks each failure on its own to a minimal input, raising a
failure whose type stands for its key.

Reproducible: the seed is chosen (or given) and reported, so `--seed` replays
a run; with an output folder, Hypothesis keeps its example database there, and
a failure found once is replayed first the next time.
"""

from __future__ import annotations

import random
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    InMemoryExampleDatabase,
    choices_to_bytes,
)

from signing.http import HttpRequest
from signing.registry import scheme_named
from sigvec.corpus import Corpus, Vector
from sigvec.diagnose import Diagnosis
from sigvec.diagnose.examples import Examples
from sigvec.fuzz.oracle import Case, diagnosis_of, judge_answer, received_of, reference_case
from sigvec.fuzz.strategies import Choices, SeededChoices, build_input, built
from sigvec.gate.adapters import Adapter
from sigvec.gate.capture import CaptureServer
from sigvec.gate.harness import SubprocessHarness
from sigvec.gate.protocol import Answer, Implementation, SignCommand, errored
from sigvec.gate.results import KnownFailure, VectorVerdict
from sigvec.gate.run import PIPELINED_SENT, captured, selected_vectors
from sigvec.serve.state import corpus_keys

T = TypeVar("T")

DEFAULT_EXAMPLES = 200
"""Generated inputs per scheme unless told otherwise: enough to catch each planted bug of the test suite."""
DATABASE_FOLDER = "examples"
SEARCH_AFTER_FIRST_FAILURE = 1000
"""After its first failure the search goes on as Hypothesis's does: until it has judged twice the inputs it had
when it last met a new failure, and at most this many inputs past the first one."""


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
    it may skip a vector it cannot express), the findings, how many of them are reported as the search found them
    because Hypothesis's replay of their choices did not fail (`unshrunk`), the time taken."""

    scheme: str
    judged: int = 0
    uncarried: int = 0
    skipped: int = 0
    findings: list[Finding] = field(default_factory=list)
    unshrunk: int = 0
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
    """One client, started once, asked about generated inputs (a window at a time from a pipelined harness)."""

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

    def answered(self, cases: Iterable[tuple[T, Case]]) -> Iterator[tuple[T, Case, Answer]]:
        """Each tagged case (one the reference signs) with the client's answer: pipelined when the harness declares it
        (the next window of cases is made while the harness answers the current one), else one at a time, with a
        `sent` answer resolved through capture."""
        if self.pipeline > 1:
            assert isinstance(self.adapter, SubprocessHarness)
            asked: deque[tuple[T, Case]] = deque()
            for answer in self.adapter.sign_stream(self.commands(cases, asked)):
                tag, case = asked.popleft()
                yield tag, case, errored(PIPELINED_SENT, answer.stderr) if answer.kind == "sent" else answer
            return
        for tag, case in cases:
            vector = case.vector
            assert vector is not None
            self.seq += 1
            base_url = self.server.prepare(vector) if self.server is not None else scheme_named(vector.scheme).base_url
            answer = self.adapter.sign(self.seq, vector.id, vector.input, base_url)
            yield tag, case, captured(answer, vector, self.server) if answer.kind == "sent" else answer

    def commands(self, cases: Iterable[tuple[T, Case]], asked: deque[tuple[T, Case]]) -> Iterator[SignCommand]:
        """The `sign` command of each case, noting the case in `asked` as it is made."""
        for tag, case in cases:
            vector = case.vector
            assert vector is not None
            self.seq += 1
            asked.append((tag, case))
            yield self.seq, vector.id, vector.input, scheme_named(vector.scheme).base_url

    def finding_for(self, scheme: str, vector_input: Mapping[str, Any]) -> Finding | None:
        """The client's failure on one generated input, or None (it passes, skips it, or the scheme cannot carry it)."""
        case = reference_case(vector_input)
        if case.vector is None:
            return None
        [(_, _, answer)] = self.answered([(None, case)])
        return self.failure(scheme, case, answer, SchemeRun(scheme))

    def failure(self, scheme: str, case: Case, answer: Answer, stats: SchemeRun) -> Finding | None:
        """The client's failure on one case, diagnosed, or None when it passes or skips it."""
        assert self.implementation is not None
        verdict = judge_answer(self.implementation, case, answer)
        if verdict.status == "skipped":
            stats.skipped += 1
            return None
        if verdict.passed:
            return None
        received = received_of(answer)
        failed = received is not None and verdict.status == "fail"
        diagnosis = diagnosis_of(case, received, self.examples) if failed and received is not None else None
        return Finding(scheme, failure_key(verdict, diagnosis), case, answer, verdict, received, diagnosis)

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
        """Replay the failures the example database keeps, search, and shrink each new failure with Hypothesis (a
        failure whose recorded choices Hypothesis does not replay into a failure is reported as the search found it)."""
        stats = SchemeRun(scheme)
        started = time.monotonic()
        keys = sorted(self.keys.get(scheme, {}).items())
        credentials = [{"api_key": api_key, "secret": secret} for api_key, secret in keys]
        options = implementation.options.get(scheme)
        build = partial(build_input, scheme_name=scheme, credentials=credentials or None, options=options)
        database = DirectoryBasedExampleDatabase(str(fuzz.out / DATABASE_FOLDER)) if fuzz.out is not None else None
        replayed = self.replay(scheme, build, database, run_seed) if database is not None and saved(database, scheme) else []
        found = self.search(scheme, build, fuzz, run_seed, deadline, stats)
        known = {finding.key for finding in replayed}
        fresh = {key: choices for key, (choices, _) in found.items() if key not in known}
        shrunk = self.shrink(scheme, build, fresh, database, run_seed)
        reproduced = {finding.key for finding in shrunk}
        unshrunk = [found[key][1] for key in fresh if key not in reproduced]
        stats.unshrunk = len(unshrunk)
        stats.findings = distinct(first_per_key([*replayed, *shrunk, *unshrunk]))
        stats.seconds = time.monotonic() - started
        return stats

    def search(
        self, scheme: str, build: Builder, fuzz: FuzzSettings, run_seed: int, deadline: float | None, stats: SchemeRun
    ) -> dict[tuple[str, ...], tuple[list[int | bool], Finding]]:
        """Judge up to `max_examples` inputs built with the seeded source within the time budget (`search_more` ends
        the search sooner once it has failures): the recorded choices and the finding of the first failing input of
        each failure key. Inputs are made as they are asked for, so a pipelined harness answers one window while the
        next is made; the search may then judge a window past where it would stop."""
        found: dict[tuple[str, ...], tuple[list[int | bool], Finding]] = {}
        first_at = last_new_at = 0

        def generated() -> Iterator[tuple[tuple[int, list[int | bool]], Case]]:
            for index in range(fuzz.max_examples):
                if found and index >= search_more(first_at, last_new_at):
                    return
                if deadline is not None and time.monotonic() > deadline:
                    stats.stopped_by_budget = True
                    return
                source = SeededChoices(input_seed(run_seed, scheme, index))
                case = reference_case(build(source))
                if case.vector is None:
                    stats.uncarried += 1
                else:
                    yield (index, source.made), case

        for (index, choices), case, answer in self.answered(generated()):
            stats.judged += 1
            finding = self.failure(scheme, case, answer, stats)
            if finding is not None and finding.key not in found:
                first_at, last_new_at = first_at or index + 1, index + 1
                found[finding.key] = (choices, finding)
        return found

    def replay(self, scheme: str, build: Builder, database: ExampleDatabase, run_seed: int, count: int = 1) -> list[Finding]:
        """Hypothesis's replay of the failures `database` holds for the scheme (`count` of them at least), each
        shrunk to a minimal input, as findings (none when no replay fails)."""

        def conforms(vector_input: dict[str, Any]) -> None:
            finding = self.finding_for(scheme, vector_input)
            if finding is not None:
                raise failure_type(finding.key)(finding)

        conforms.__name__ = f"sigvec_fuzz_{scheme.replace('-', '_')}"
        test = settings(hypothesis_settings(database, count))(given(built(build))(conforms))
        replayable(test, run_seed, scheme)
        try:
            test()
        except Exception as error:  # Hypothesis re-raises the client's failures, one or a group of them
            return findings_in(error)
        return []

    def shrink(
        self,
        scheme: str,
        build: Builder,
        fresh: Mapping[tuple[str, ...], list[int | bool]],
        database: ExampleDatabase | None,
        run_seed: int,
    ) -> list[Finding]:
        """The search's failures, replayed by Hypothesis from their recorded choices and shrunk; the minimal inputs
        are kept in `database` (the `--out` folder's), to be replayed first next time.

        Each failure's choices are saved where Hypothesis keeps a failure it
        has not shrunk yet (the key's `secondary` corpus), in a database of
        their own: a failure saved under the key itself counts as shrunk
        already and is replayed without shrinking, and one that still fails
        there would stop the replay before the new ones.
        """
        if not fresh:
            return []
        found = InMemoryExampleDatabase()
        key = database_key(scheme)
        for choices in fresh.values():
            found.save(key + b".secondary", choices_to_bytes(choices))
        findings = self.replay(scheme, build, found, run_seed, count=len(fresh))
        if database is not None:
            for minimal in found.fetch(key):
                database.save(key, minimal)
        return findings


Builder = Callable[[Choices], dict[str, Any]]
"""The construction of a scheme's inputs from a source of choices (`build_input` with the scheme bound)."""


def saved(database: ExampleDatabase, scheme: str) -> bool:
    """Does the example database keep a failure of the scheme's?"""
    return next(iter(database.fetch(database_key(scheme))), None) is not None


def input_seed(run_seed: int, scheme: str, index: int) -> int:
    """The seed of the scheme's `index`th input in a run: each input is built again from it alone."""
    return (run_seed << 64) | (zlib.crc32(scheme.encode()) << 32) | index


def search_more(first_at: int, last_new_at: int) -> int:
    """How many inputs the search judges once it has failures (see `SEARCH_AFTER_FIRST_FAILURE`)."""
    return min(first_at + SEARCH_AFTER_FIRST_FAILURE, 2 * last_new_at)


def database_key(scheme: str) -> bytes:
    """The example database's key for a scheme's failures: the scheme alone, whatever the seed."""
    return f"sigvec fuzz {scheme}".encode()


def replayable(test: Callable[[], None], run_seed: int, scheme: str) -> None:
    """Seed `test` and key its examples in the database by scheme alone (`database_key`), so that a failure found
    under one seed is replayed first under any other.

    Hypothesis's own `@seed` turns the database off, and its database key
    hashes the test's source; both are set here through the attributes its
    `@seed` and `find` set (`tests/fuzz/test_fuzz.py` guards the replay).
    """
    test._hypothesis_internal_use_seed = run_seed  # type: ignore[attr-defined]
    test._hypothesis_internal_database_key = database_key(scheme)  # type: ignore[attr-defined]


def hypothesis_settings(database: ExampleDatabase, count: int) -> settings:
    """Replay the `count` failures `database` holds and shrink them: Hypothesis generates nothing itself."""
    return settings(
        max_examples=count,
        deadline=None,
        database=database,
        derandomize=False,
        report_multiple_bugs=True,
        verbosity=Verbosity.quiet,
        phases=(Phase.reuse, Phase.shrink),
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


def first_per_key(findings: list[Finding]) -> list[Finding]:
    """The first finding of each failure key."""
    kept: dict[tuple[str, ...], Finding] = {}
    for finding in findings:
        kept.setdefault(finding.key, finding)
    return list(kept.values())


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
