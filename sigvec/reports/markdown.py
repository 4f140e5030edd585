"""Markdown for a CI step summary: totals, a table per scheme, then every failure with its diff."""

from __future__ import annotations

from sigvec.gate.results import STATUSES, GateRun, Tally
from sigvec.reports.escape import markdown_fence, markdown_inline

HEADER = ("scheme", "vectors", *STATUSES, "run", "exact", "accepted")


def _row(name: str, tally: Tally) -> str:
    cells = [
        name,
        str(tally.vectors),
        *(str(tally.statuses[status]) for status in STATUSES),
        str(tally.run),
        f"{tally.exact_percent}%",
        f"{tally.accepted_percent}%",
    ]
    return "| " + " | ".join(cells) + " |"


def render(run: GateRun) -> str:
    implementation = run.implementation
    version = implementation.metadata.get("version")
    title = f"{implementation.name} {version}" if version else implementation.name
    total = run.total()
    outcome = "passed" if run.succeeded else "failed"
    lines = [
        f"## sigvec gate: {markdown_inline(title)}",
        "",
        f"**{total.score.summary()}** "
        f"(sigvec {run.sigvec_version}, corpus {str(run.corpus['sha256'])[:12]}): the gate **{outcome}**"
        f" ({total.unexpected} unexpected failures or errors, {total.unexpected_passes} known failures passing,"
        f" {total.known} known failures).",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *(_row(f"`{scheme}`", tally) for scheme, tally in run.by_scheme().items()),
        _row("**total**", total),
    ]
    shown = [verdict for verdict in run.verdicts if verdict.expectation != "ok" or verdict.status == "skipped"]
    if shown:
        lines += ["", "### Vectors that did not pass", ""]
    for verdict in shown:
        lines += [
            f"#### `{verdict.id}`: {verdict.status} ({verdict.expectation})",
            "",
            *markdown_fence(verdict.explanation()),
            "",
        ]
    inexact = [verdict for verdict in run.verdicts if verdict.status == "pass" and not verdict.exact and verdict.diff]
    if inexact:
        lines += ["", f"<details><summary>{len(inexact)} passed, not byte-identical</summary>", ""]
        for verdict in inexact:
            lines += [
                f"#### `{verdict.id}`",
                "",
                *markdown_fence([verdict.message, *(verdict.diff.lines() if verdict.diff else [])]),
                "",
            ]
        lines += ["</details>"]
    return "\n".join(lines) + "\n"
