"""The results of a gate run that the reports read: each vector's verdict, the tallies, the run.

A verdict is `pass` when the client meets the accepted level of the contract;
`exact` is reported beside it (see `sigvec.gate.judge`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sigvec.gate.diff import StageDiff
from sigvec.gate.protocol import Implementation
from sigvec.gate.score import Score, score

Status = Literal["pass", "fail", "refused-ok", "skipped", "errored"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "refused-ok", "skipped", "errored")


@dataclass(frozen=True)
class KnownFailure:
    reason: str
    issue: str | None = None


@dataclass(slots=True)
class VectorVerdict:
    """What the gate concluded for one vector. A value, slotted but not frozen: one is made per vector, and a
    frozen dataclass sets each field through `object.__setattr__` (see `signing.model`)."""

    id: str
    scheme: str
    result: str
    status: Status
    exact: bool
    accepted: bool
    message: str = ""
    diff: StageDiff | None = None
    server: str | None = None
    diagnosis: str | None = None
    flags: tuple[str, ...] = ()
    """The bug classes (corpus flags) behind a failure: those the diagnosis names, or those the difference from the
    reference's request shows when the server accepts another request, or answers it as the contract allows
    (`sigvec.gate.diff.request_difference`); never a difference's beside a rejection it does not explain."""
    stderr: str | None = None
    traceback: str | None = None
    issue_url: str | None = None
    known_failure: KnownFailure | None = None

    @property
    def passed(self) -> bool:
        return self.status in ("pass", "refused-ok")

    @property
    def expectation(self) -> Literal["ok", "known", "unexpected-pass", "unexpected"]:
        """`unexpected` (a failure or error nobody listed) and `unexpected-pass` (a listed one that passes) fail the run."""
        failing = self.status in ("fail", "errored")
        if self.known_failure is None:
            return "unexpected" if failing else "ok"
        if self.passed:
            return "unexpected-pass"
        return "known"

    def explanation(self) -> list[str]:
        """What a person reads about this verdict: the message, the stage diff, the diagnosis, the client's traceback,
        the harness's stderr."""
        lines = [self.message]
        if self.expectation == "unexpected-pass":
            lines.insert(0, "listed as a known failure, but it passes: remove it from the known-failures file")
        elif self.known_failure is not None:
            lines.insert(
                0,
                f"known failure: {self.known_failure.reason}"
                + (f" ({self.known_failure.issue})" if self.known_failure.issue else ""),
            )
        if self.diff is not None:
            lines += self.diff.lines()
        if self.diagnosis:
            lines.append(f"diagnosis: {self.diagnosis}")
        if self.traceback:
            lines += ["traceback:", *("  " + line for line in self.traceback.rstrip().splitlines())]
        if self.stderr:
            lines += ["harness stderr:", *("  " + line for line in self.stderr.rstrip().splitlines()[-20:])]
        return lines

    def with_known_failure(self, known: KnownFailure) -> VectorVerdict:
        return replace(self, known_failure=known)

    def to_mapping(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "scheme": self.scheme,
            "result": self.result,
            "status": self.status,
            "exact": self.exact,
            "accepted": self.accepted,
            "expectation": self.expectation,
            "message": self.message,
        }
        optional = {
            "diff": self.diff.to_mapping() if self.diff else None,
            "server": self.server,
            "diagnosis": self.diagnosis,
            "flags": list(self.flags) or None,
            "stderr": self.stderr,
            "traceback": self.traceback,
            "issue_url": self.issue_url,
            "known_failure": (
                {"reason": self.known_failure.reason} | ({"issue": self.known_failure.issue} if self.known_failure.issue else {})
            )
            if self.known_failure
            else None,
        }
        return data | {key: value for key, value in optional.items() if value is not None}


@dataclass(frozen=True)
class Tally:
    """Counts over a set of verdicts: each status, the score (`sigvec.gate.score`, the one way of counting), and
    the run's expectations."""

    statuses: Mapping[Status, int]
    score: Score
    known: int
    unexpected: int
    unexpected_passes: int

    @classmethod
    def of(cls, verdicts: Sequence[VectorVerdict]) -> Tally:
        return cls(
            statuses={status: sum(v.status == status for v in verdicts) for status in STATUSES},
            score=score(verdicts),
            known=sum(v.expectation == "known" for v in verdicts),
            unexpected=sum(v.expectation == "unexpected" for v in verdicts),
            unexpected_passes=sum(v.expectation == "unexpected-pass" for v in verdicts),
        )

    @property
    def vectors(self) -> int:
        return self.score.vectors

    @property
    def run(self) -> int:
        return self.score.run

    @property
    def exact(self) -> int:
        return self.score.exact

    @property
    def accepted(self) -> int:
        return self.score.accepted

    @property
    def exact_percent(self) -> int:
        return self.score.exact_percent

    @property
    def accepted_percent(self) -> int:
        return self.score.accepted_percent


@dataclass(frozen=True)
class GateRun:
    """One run of the gate: who was judged, on which corpus, and every verdict in corpus order."""

    implementation: Implementation
    verdicts: Sequence[VectorVerdict]
    started: str
    corpus: Mapping[str, Any]
    sigvec_version: str

    @property
    def succeeded(self) -> bool:
        """True iff no failure or error is unexpected and no known failure passes."""
        return all(verdict.expectation in ("ok", "known") for verdict in self.verdicts)

    def total(self) -> Tally:
        return Tally.of(self.verdicts)

    def by_scheme(self) -> dict[str, Tally]:
        schemes = sorted({verdict.scheme for verdict in self.verdicts})
        return {scheme: Tally.of([v for v in self.verdicts if v.scheme == scheme]) for scheme in schemes}
