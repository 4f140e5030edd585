"""Reports of a gate run: a terminal table, JUnit XML, Markdown for a CI step summary, a shields.io badge, JSON lines."""

from __future__ import annotations

from pathlib import Path

from sigvec.gate.results import GateRun
from sigvec.reports import badge, jsonl, junit, markdown


def write_reports(
    run: GateRun,
    junit_path: Path | None = None,
    markdown_path: Path | None = None,
    badge_path: Path | None = None,
    json_lines_path: Path | None = None,
) -> None:
    """Write each report whose path is given."""
    for path, render in (
        (junit_path, junit.render),
        (markdown_path, markdown.render),
        (badge_path, badge.render),
        (json_lines_path, jsonl.render),
    ):
        if path is not None:
            path.write_text(render(run), encoding="utf-8")
