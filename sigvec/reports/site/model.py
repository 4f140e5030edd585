"""What the site shows, read from JSON-lines reports alone: client runs, the one counting rule, bug classes, history.

A report is a file of lines that each follow `sigvec/reports/schemas/gate-line.json`: a metadata line (the
run's sigvec and corpus versions, its start time, the implementation's start reply: name, language, version,
homepage), then one verdict line per vector. Nothing else is read: not the corpus, no gate run, no diagnosis.
The shares are the gate's one count (`sigvec.gate.score`) applied to the lines. So a client's own CI can publish
its report and anyone can add it to the site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from sigvec.gate.score import SIGNED

PASSING = ("pass", "refused-ok")
FAILING = ("fail", "errored")
COUNTING_RULE = (
    "Shares are over the vectors run: every vector of the client's schemes except the skipped ones (a skipped "
    "vector is one the client cannot express). A vector counts as exact when the client's request is "
    "byte-identical to the reference's, and as accepted when the reference verifier accepts it and it is the same "
    "request; a refusal or an error is neither, so a client that signs nothing scores 0%. A share is a whole "
    "percentage rounded down, so 100% means every one. Skipped, errored and refused vectors are shown beside the shares."
)
"""The gate's one way of counting (`sigvec.gate.score`), in words for the matrix page."""
ERRORED_CLASS = "errored: nothing was sent"
UNDIAGNOSED_CLASS = "no known class"
"""The bug class of a failing request its report line gives no flags for (a rejection the diagnosis does not explain,
or a request the server accepts that differs from the one asked for in a way no flag names)."""


class ReportError(Exception):
    """A report that is not JSON lines following the report-line schema: one line naming the file, line and rule."""


@dataclass(frozen=True)
class Diff:
    stage: str
    expected: str
    actual: str
    at: int


@dataclass(frozen=True)
class Verdict:
    id: str
    scheme: str
    result: str
    status: str
    exact: bool
    accepted: bool
    message: str
    diff: Diff | None
    server: str | None
    diagnosis: str | None
    known_reason: str | None
    issue: str | None
    flags: tuple[str, ...]
    traceback: str | None
    stderr: str | None

    @property
    def counts_exact(self) -> bool:
        return self.status in SIGNED and self.exact

    @property
    def counts_accepted(self) -> bool:
        return self.status in SIGNED and self.accepted

    @property
    def bug_classes(self) -> tuple[str, ...]:
        """The bug classes of a failing vector: the flags it names, else what stands in for them; none for others."""
        if self.status not in FAILING:
            return ()
        if self.status == "errored":
            return (ERRORED_CLASS,)
        return self.flags or (UNDIAGNOSED_CLASS,)

    @property
    def verdict_text(self) -> str:
        """The status, with exactness for a pass: what the history compares between releases."""
        return "pass (exact)" if self.status == "pass" and self.exact else self.status


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
    verdicts: tuple[Verdict, ...]

    @property
    def title(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(verdict.scheme for verdict in self.verdicts))

    def of_scheme(self, scheme: str) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.scheme == scheme]


@cache
def line_validator() -> Draft202012Validator:
    """The report-line schema, with the gate protocol's start-reply schema it refers to."""
    start_reply = json.loads(files("sigvec.gate").joinpath("schemas", "start-reply.json").read_text(encoding="utf-8"))
    line = json.loads(files("sigvec.reports").joinpath("schemas", "gate-line.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(start_reply["$id"], Resource.from_contents(start_reply))
    return Draft202012Validator(line, registry=registry)


def verdict_from(line: dict[str, Any]) -> Verdict:
    diff = line.get("diff")
    known = line.get("known_failure") or {}
    return Verdict(
        id=line["id"],
        scheme=line["scheme"],
        result=line["result"],
        status=line["status"],
        exact=line["exact"],
        accepted=line["accepted"],
        message=line["message"],
        diff=Diff(diff["stage"], diff["expected"], diff["actual"], diff["at"]) if diff else None,
        server=line.get("server"),
        diagnosis=line.get("diagnosis"),
        known_reason=known.get("reason"),
        issue=known.get("issue") or line.get("issue_url"),
        flags=tuple(line.get("flags", ())),
        traceback=line.get("traceback"),
        stderr=line.get("stderr"),
    )


def read_report(text: str, source: str) -> ClientRun:
    """One run from its report text; `source` names the file in errors. Refused unless every line follows the schema."""
    lines: list[dict[str, Any]] = []
    validator = line_validator()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ReportError(f"{source}:{number}: not JSON ({error.msg})") from None
        problem = best_match(validator.iter_errors(line))
        if problem is not None:
            field = "/".join(str(part) for part in problem.absolute_path) or "the line"
            raise ReportError(f"{source}:{number}: {field} does not follow the report-line schema: {problem.message[:200]}")
        lines.append(line)
    if not lines or "start_reply" not in lines[0]:
        raise ReportError(f"{source}: the first line must be the run's metadata (sigvec_version, corpus, start_reply)")
    metadata, *rest = lines
    if any("start_reply" in line for line in rest):
        raise ReportError(f"{source}: only the first line may be metadata; one report holds one run")
    implementation = metadata["start_reply"]["implementation"]
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
        verdicts=tuple(verdict_from(line) for line in rest),
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

    def verdict(self, run: ClientRun, vector: str) -> Verdict | None:
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


def bug_classes(runs: Sequence[ClientRun]) -> dict[str, list[tuple[ClientRun, Verdict]]]:
    """Bug class -> the failing (run, vector) pairs that show it, most common class first."""
    found: dict[str, list[tuple[ClientRun, Verdict]]] = {}
    for run in runs:
        for verdict in run.verdicts:
            for name in verdict.bug_classes:
                found.setdefault(name, []).append((run, verdict))
    return dict(sorted(found.items(), key=lambda item: (-len(item[1]), item[0])))
