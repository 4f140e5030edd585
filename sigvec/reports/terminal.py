"""The terminal report: a progress bar while a long run goes on, then a table per scheme and every vector that did not pass."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sigvec.gate.results import STATUSES, GateRun, Tally, VectorVerdict
from sigvec.reports.escape import one_line

WIDTH_OFF_TERMINAL = 160
"""Columns for the table when output goes to a file or a CI log, where there is no terminal to measure."""
PROGRESS_AFTER = 50
"""Runs shorter than this many vectors get no progress bar: they end before one would help."""


class TerminalReport:
    def __init__(self, console: Console | None = None, progress_console: Console | None = None) -> None:
        self.console = console or Console(
            highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else WIDTH_OFF_TERMINAL
        )
        self.progress_console = progress_console or Console(stderr=True)

    @contextmanager
    def progress(self) -> Iterator[Callable[[VectorVerdict, int], None]]:
        """A callback for each verdict that drives a progress bar on a terminal (and does nothing elsewhere)."""
        bar = Progress(
            TextColumn("sigvec gate"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.progress_console,
            transient=True,
            disable=not self.progress_console.is_terminal,
        )
        task = bar.add_task("vectors", total=None, visible=False)

        def advance(verdict: VectorVerdict, total: int) -> None:
            bar.update(task, total=total, advance=1, visible=total >= PROGRESS_AFTER)

        with bar:
            yield advance

    def print(self, run: GateRun) -> None:
        title = Text(f"sigvec gate: {one_line(run.implementation.name)}")
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("scheme", overflow="fold", min_width=10)
        for column in ("vectors", *STATUSES, "run", "exact", "accepted"):
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
        for scheme, tally in run.by_scheme().items():
            table.add_row(*self._cells(scheme, tally))
        table.add_row(*self._cells("total", run.total()), style="bold")
        self.console.print(table)
        for verdict in run.verdicts:
            if verdict.expectation != "ok":
                self.console.print(f"{verdict.status.upper()} {verdict.id} ({verdict.expectation})", markup=False)
                for line in verdict.explanation():
                    self.console.print(f"  {one_line(line)}", markup=False)
        for verdict in run.verdicts:
            if verdict.status == "pass" and not verdict.exact and verdict.diff is not None:
                self.console.print(f"not exact {verdict.id}: {one_line(verdict.diff.headline())}", markup=False)
        total = run.total()
        outcome = "passed" if run.succeeded else "FAILED"
        self.console.print(
            f"{total.score.summary()}: the gate {outcome}"
            f" ({total.unexpected} unexpected, {total.unexpected_passes} known failures passing, {total.known} known)",
            markup=False,
        )

    @staticmethod
    def _cells(name: str, tally: Tally) -> list[str]:
        return [
            name,
            str(tally.vectors),
            *(str(tally.statuses[s]) for s in STATUSES),
            str(tally.run),
            f"{tally.exact_percent}%",
            f"{tally.accepted_percent}%",
        ]
