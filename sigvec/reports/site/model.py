"""What the site shows, read from JSON-lines reports alone: client runs, the one counting rule, bug classes, history.

A report is a file of lines that each follow `sigvec/reports/schemas/gate-line.json`: a metadata line (the
run's sigvec and corpus versions, its start time, the implementation's start reply: name, language, version,
homepage), then one verdict line per vector. Nothing else is read: not the corpus, no gate run, no diagnosis.
The shares are the gate's one count (`sigvec.gate.score`) applied to the lines. So a client's own CI can publish
its report and anyone can add it to the site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from sigvec.reports.jsonl import FAILING, ReportError, VerdictLine, read_lines

PASSING = ("pass", "refused-ok")
COUNTING_RULE = (
    "Shares are over the vectors run: every vector of the client's schemes except the skipped ones (a skipped "
    "vector is one the client cannot express). A vector counts as exact when the client's request is "
    "byte-identical to the reference's, and as accepted when the reference verifier accepts it and it is the same "
    "request; a refusal or an error is neither, so a client that signs nothing scores 0%. A share is a whole "
    "percentage rounded down, so 100% means every one. Skipped, errored and refused vectors are shown beside the shares."
)
"""The gate's one way of counting (`sigvec.gate.score`), in words for the matrix page."""


@dataclass(frozen=True)
class ClientRun:
    name: str
    language: str
    version: str
    homepage: str | None
    issues: str | None
    started: str
    sigvec_version: str
    corpus_version: str
    source: str
    verdicts: tuple[VerdictLine, ...]

    @property
    def title(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(verdict.scheme for verdict in self.verdicts))

    def of_scheme(self, scheme: str) -> list[VerdictLine]:
        return [verdict for verdict in self.verdicts if verdict.scheme == scheme]


def read_report(text: str, source: str) -> ClientRun:
    """One run from its report text (`sigvec.reports.jsonl.read_lines`); `source` names the file in errors."""
    report = read_lines(text, source)
    implementation, metadata = report.implementation, report.metadata
    return ClientRun(
        name=implementation["name"],
        language=implementation["language"],
        version=implementation.get("version", "unversioned"),
        homepage=implementation.get("homepage"),
        issues=implementation.get("issues"),
        started=metadata["started"],
        sigvec_version=metadata["sigvec_version"],
        corpus_version=metadata["corpus"]["version"],
        source=source,
        verdicts=report.verdicts,
    )


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Release order: numeric parts compared as numbers (1.10 after 1.9), other parts as text."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.findall(r"\d+|[A-Za-z]+", version))


def read_reports(paths: Iterable[Path]) -> list[ClientRun]:
    """Every run, one per (client, version): of two reports of the same release the one started last is kept.
    Ordered by client name, then release."""
    newest: dict[tuple[str, str], ClientRun] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ReportError(f"{path}: cannot be read ({error.__class__.__name__})") from None
        run = read_report(text, str(path))
        key = (run.name, run.version)
        if key not in newest or newest[key].started < run.started:
            newest[key] = run
    return sorted(newest.values(), key=lambda run: (run.name.lower(), version_key(run.version)))


@dataclass(frozen=True)
class Change:
    """A vector's verdict changed between two consecutive releases of one client."""

    vector: str
    version: str
    before: str
    after: str

    @property
    def regression(self) -> bool:
        return self.before.split()[0] in PASSING and self.after in FAILING


@dataclass(frozen=True)
class History:
    """One client over its releases (oldest first): every vector's verdict per release, and where each changed."""

    name: str
    runs: tuple[ClientRun, ...]

    def vectors(self) -> list[str]:
        return list(dict.fromkeys(verdict.id for run in self.runs for verdict in run.verdicts))

    def verdict(self, run: ClientRun, vector: str) -> VerdictLine | None:
        return next((verdict for verdict in run.verdicts if verdict.id == vector), None)

    def changes(self, vector: str) -> list[Change]:
        texts = [(run.version, self.verdict(run, vector)) for run in self.runs]
        found = []
        for (_, before), (version, after) in pairwise(texts):
            if before is not None and after is not None and before.verdict_text != after.verdict_text:
                found.append(Change(vector, version, before.verdict_text, after.verdict_text))
        return found

    def first_regressions(self) -> dict[str, list[str]]:
        """Release -> the vectors whose first regression (passing to failing) appears in it."""
        first: dict[str, list[str]] = {}
        for vector in self.vectors():
            regression = next((change for change in self.changes(vector) if change.regression), None)
            if regression is not None:
                first.setdefault(regression.version, []).append(vector)
        return first


def histories(runs: Sequence[ClientRun]) -> list[History]:
    """Every client with two releases or more."""
    by_name: dict[str, list[ClientRun]] = {}
    for run in runs:
        by_name.setdefault(run.name, []).append(run)
    return [History(name, tuple(releases)) for name, releases in by_name.items() if len(releases) > 1]


def bug_classes(runs: Sequence[ClientRun]) -> dict[str, list[tuple[ClientRun, VerdictLine]]]:
    """Bug class -> the failing (run, vector) pairs that show it, most common class first."""
    found: dict[str, list[tuple[ClientRun, VerdictLine]]] = {}
    for run in runs:
        for verdict in run.verdicts:
            for name in verdict.bug_classes:
                found.setdefault(name, []).append((run, verdict))
    return dict(sorted(found.items(), key=lambda item: (-len(item[1]), item[0])))
