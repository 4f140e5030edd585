"""JSON lines: a metadata line (sigvec and corpus versions, the implementation's start reply), then one line per vector.

Every line follows `sigvec/reports/schemas/gate-line.json`. The writer (`render`) and the one reader
(`read_lines`, which the dashboard and tools/matrix.py use) live here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from sigvec.gate.protocol import PROTOCOL_VERSION
from sigvec.gate.results import GateRun
from sigvec.gate.score import SIGNED

FAILING = ("fail", "errored")
ERRORED_CLASS = "errored: nothing was sent"
UNDIAGNOSED_CLASS = "no known class"
"""The bug class of a failing request its line gives no flags for (a rejection the diagnosis does not explain, or a
request the server accepts that differs from the one asked for in a way no flag names)."""


def render(run: GateRun) -> str:
    metadata = {
        "sigvec_version": run.sigvec_version,
        "corpus": dict(run.corpus),
        "started": run.started,
        "start_reply": {"version": PROTOCOL_VERSION, "implementation": dict(run.implementation.metadata)},
    }
    lines = [metadata, *(verdict.to_mapping() for verdict in run.verdicts)]
    return "".join(json_line(line) + "\n" for line in lines)


ASCII_ONLY = re.compile("[\x85\u2028\u2029\ud800-\udfff]")
"""What JSON leaves unescaped but a line must not hold: a lone surrogate (UTF-8 cannot carry it) or a character that
`str.splitlines` and many readers take for a line break."""


def json_line(value: object) -> str:
    """`value` as one line of JSON text, in ASCII with `\\u` escapes when it holds anything of `ASCII_ONLY`."""
    text = json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if ASCII_ONLY.search(text) else text


class ReportError(Exception):
    """A report that is not JSON lines following the report-line schema: one line naming the file, line and rule."""


@dataclass(frozen=True)
class Diff:
    stage: str
    expected: str
    actual: str
    at: int


@dataclass(frozen=True)
class VerdictLine:
    """One verdict line of a report, as read back."""

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
        """The bug classes of a failing vector: the flags its line carries, else what stands in for them; none for
        others."""
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
class Report:
    """A report read back: its metadata line (as written, schema-checked) and its verdict lines."""

    metadata: Mapping[str, Any]
    verdicts: tuple[VerdictLine, ...]

    @property
    def implementation(self) -> Mapping[str, Any]:
        """The implementation the harness declared in its start reply."""
        implementation: Mapping[str, Any] = self.metadata["start_reply"]["implementation"]
        return implementation


@cache
def line_validator() -> Draft202012Validator:
    """The report-line schema, with the gate protocol's start-reply schema it refers to."""
    start_reply = json.loads(files("sigvec.gate").joinpath("schemas", "start-reply.json").read_text(encoding="utf-8"))
    line = json.loads(files("sigvec.reports").joinpath("schemas", "gate-line.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(start_reply["$id"], Resource.from_contents(start_reply))
    return Draft202012Validator(line, registry=registry)


def verdict_line(line: Mapping[str, Any]) -> VerdictLine:
    """One verdict line (already schema-checked) as a value."""
    diff = line.get("diff")
    known = line.get("known_failure") or {}
    return VerdictLine(
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


def read_lines(text: str, source: str) -> Report:
    """One report from its text; `source` names the file in errors. Refused (`ReportError`) unless every line follows
    the schema, the first is the run's metadata and no other is. Lines end at `\\n` only (see `ASCII_ONLY`)."""
    lines: list[dict[str, Any]] = []
    validator = line_validator()
    for number, raw in enumerate(text.split("\n"), start=1):
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
    return Report(metadata, tuple(verdict_line(line) for line in rest))
