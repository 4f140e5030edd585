"""The client conformance matrix: every real client's harness through `sigvec gate`, into docs/clients.md and a table.

    python tools/matrix.py            # run every harness, write docs/clients.md and the table's block
    python tools/matrix.py --check    # the same runs; exit 1 if docs/clients.md or the table's block is stale
    python tools/matrix.py --check --reports build/matrix --site build/site
                                      # also keep each run's JSON-lines report, and build the HTML site from
                                      # them and the client history under docs/history/ (`sigvec report --html`)

The table's block lives between markers in docs/explanation/real-clients.md.

Every `clients/<name>/` folder with a harness is one client. A Python
harness (`harness.py`) runs once per interpreter: `.venv/bin/python` with
`known-failures.yaml`, and a variant `.venv-<v>/bin/python` (another pinned
version of the same package) with `known-failures-<v>.yaml`. A Node harness
(`harness.mjs`) runs with `node` when its `node_modules` is installed. A run is

    sigvec gate --harness "<interpreter> <harness>" --known-failures <file> --json <report>

and its JSON-lines report (a metadata line, then one line per vector, as
`sigvec/reports/schemas/gate-line.json` defines) is read by `read_report`
alone, through the reports' one reader (`sigvec.reports.jsonl.read_lines`).
Each harness is then fuzzed (unless `--no-fuzz`), bounded and seeded so that
the run is the same every time:

    sigvec fuzz --harness "<interpreter> <harness>" --known-failures <file> --json <report> \
        --max-examples 200 --seed 19 --time-budget 120

and every failure it finds that no listed known failure already shows (a
deviation the fixed corpus does not show) is recorded with its diagnosis and
minimal input. The figures are computed here, never typed, by the gate's one
counting rule (`sigvec.gate.score`), and list every failing
vector with its diagnosis and, where one exists, its upstream issue. The exit
code is 1 when any gate run fails (a verdict no known-failures file expects).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sigvec.gate.score import Score, score
from sigvec.reports.jsonl import FAILING, UNDIAGNOSED_CLASS, VerdictLine, read_lines
from sigvec.reports.site import build_site

REPO = Path(__file__).resolve().parents[1]
BLOCK_BEGIN = "<!-- sigvec:clients:begin -->"
BLOCK_END = "<!-- sigvec:clients:end -->"
NOTHING_SENT = "none: nothing was sent"
"""Shown for an errored vector: there is no request to diagnose."""
FUZZ_ARGUMENTS = ("--max-examples", "200", "--seed", "19", "--time-budget", "120")
"""Bounded and seeded: the same inputs, so the same findings, on every run."""
MINIMAL_INPUT = "; minimal input: "
"""Where a fuzz finding's message (sigvec.fuzz.command.finding_verdict) gives the minimal input."""


@dataclass(frozen=True)
class ClientRun:
    name: str
    version: str
    language: str
    homepage: str | None
    vectors: tuple[VerdictLine, ...]
    fuzzed: tuple[VerdictLine, ...] | None = None
    """The `sigvec fuzz` report's verdicts, when the client was fuzzed."""

    @property
    def deviations(self) -> list[VerdictLine]:
        """Fuzz findings no listed known failure shows: what the fixed corpus does not show."""
        return [line for line in self.fuzzed or () if line.status in FAILING and line.known_reason is None]

    @property
    def title(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def score(self) -> Score:
        """The run counted as the gate counts it (`sigvec.gate.score`)."""
        return score(self.vectors)

    @property
    def failing(self) -> list[VerdictLine]:
        return [line for line in self.vectors if line.status in FAILING]


def read_report(text: str, source: str) -> ClientRun:
    """One gate run from its JSON-lines report, read by the reports' one reader (`sigvec.reports.jsonl.read_lines`)."""
    report = read_lines(text, source)
    implementation = report.implementation
    name, language = implementation["name"], implementation["language"]
    return ClientRun(name, implementation.get("version", "?"), language, implementation.get("homepage"), report.verdicts)


@dataclass(frozen=True)
class Harness:
    """One gate run to make: a client folder's harness under one of its interpreters, and the environment it needs."""

    folder: Path
    environment: Path
    command: tuple[str, ...]
    known_failures: Path
    label: str


def harnesses(clients: Path) -> list[Harness]:
    """Every (folder, interpreter) pair under `clients/`, in name order; a folder not yet installed still has its `.venv` run."""
    found = []
    for folder in sorted(path for path in clients.iterdir() if path.is_dir()):
        if (folder / "harness.mjs").is_file():
            command = ("node", str(folder / "harness.mjs"))
            found.append(Harness(folder, folder / "node_modules", command, folder / "known-failures.yaml", folder.name))
        if (folder / "harness.py").is_file():
            for venv in sorted({folder / ".venv", *folder.glob(".venv*")}):
                variant = venv.name.removeprefix(".venv")
                command = (str(venv / "bin" / "python"), str(folder / "harness.py"))
                found.append(Harness(folder, venv, command, folder / f"known-failures{variant}.yaml", folder.name + variant))
    return found


def run_fuzz(harness: Harness, report: Path, fuzz: Sequence[str]) -> int:
    """Fuzz one harness (`FUZZ_ARGUMENTS`), writing its JSON-lines report; exit code 2 (bad usage) is a failure,
    1 (findings) is not: the findings are recorded."""
    arguments = [*fuzz, "--harness", shlex.join(harness.command), "--json", str(report), *FUZZ_ARGUMENTS]
    arguments += ["--known-failures", str(harness.known_failures)]
    done = subprocess.run(arguments, capture_output=True, text=True, check=False)
    if done.returncode == 2:
        print(done.stdout + done.stderr, file=sys.stderr)
    return done.returncode


def run_gate(harness: Harness, report: Path, gate: Sequence[str]) -> int:
    """Run the gate on one harness, writing its JSON-lines report; the gate's exit code. Its terminal report is
    shown only when the run fails."""
    arguments = [*gate, "--harness", shlex.join(harness.command), "--json", str(report)]
    arguments += ["--known-failures", str(harness.known_failures)]
    done = subprocess.run(arguments, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
    return done.returncode


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def diagnosis(line: VerdictLine) -> str:
    """The gate's diagnosis of a failing vector, or what stands in for one: a request the server accepts but that
    differs from the one asked for has no diagnosis, and its line's flags name what differs (the "what goes wrong"
    column says how); a line without either names no known class."""
    if line.diagnosis:
        return line.diagnosis
    if line.status == "errored":
        return NOTHING_SENT
    return f"flags: {', '.join(line.flags)}" if line.flags else UNDIAGNOSED_CLASS


def summary_table(runs: Sequence[ClientRun]) -> list[str]:
    lines = [
        "| client | language | vectors run | exact | accepted | skipped | errored | failing |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        counted = run.score
        lines.append(
            f"| {run.title} | {run.language} | {counted.run} of {counted.vectors} | {counted.exact_percent}% | "
            f"{counted.accepted_percent}% | {counted.skipped} | {counted.errored} | {len(run.failing)} |"
        )
    return lines


def client_section(run: ClientRun) -> list[str]:
    lines = [f"## {run.title} ({run.language})", ""]
    if run.homepage:
        lines += [f"Homepage: <{run.homepage}>", ""]
    lines += [
        f"{run.score.summary()}.",
        "",
    ]
    if run.failing:
        lines += ["| vector | verdict | diagnosis | what goes wrong | upstream issue |", "|---|---|---|---|---|"]
        for line in run.failing:
            lines.append(
                f"| {line.id} | {line.status} | {cell(diagnosis(line))} | {cell(line.known_reason or line.message)} | "
                f"{line.issue or ''} |"
            )
    else:
        lines.append("No failing vector.")
    if run.fuzzed is not None:
        lines += ["", f"`sigvec fuzz` ({' '.join(FUZZ_ARGUMENTS[:4])}) against the known failures:", ""]
        if run.deviations:
            lines += ["| scheme | diagnosis | minimal input |", "|---|---|---|"]
            for line in run.deviations:
                message, _, shown = line.message.partition(MINIMAL_INPUT)
                lines.append(f"| {line.scheme} | {cell(message)} | `{cell(shown)}` |")
        else:
            lines.append("No deviation the fixed corpus does not show.")
    skipped: dict[str, list[str]] = {}
    for line in run.vectors:
        if line.status == "skipped":
            skipped.setdefault(cell(line.message), []).append(line.id)
    if skipped:
        lines += ["", "Skipped, because the client cannot express the vector:", ""]
        lines += [f"- {message}: {', '.join(ids)}" for message, ids in skipped.items()]
    return [*lines, ""]


def clients_markdown(runs: Sequence[ClientRun]) -> str:
    """docs/clients.md: the summary table, then one section per client run."""
    lines = [
        "# Real clients through the gate",
        "",
        "Generated by `tools/matrix.py` from `sigvec gate` runs of the pinned clients under `clients/`; do not edit.",
        "Counted as the gate counts (docs/how-to/gate-your-client.md, How a run is counted): exact and accepted are shares",
        "of the vectors run (every vector but the skipped, errored ones included), rounded down; a refusal is never exact",
        "or accepted.",
        "",
        *summary_table(runs),
        "",
    ]
    for run in runs:
        lines += client_section(run)
    return "\n".join(lines)


def page_block(runs: Sequence[ClientRun]) -> str:
    """The "Known client deviations" table of docs/explanation/real-clients.md, markers included."""
    lines = [
        BLOCK_BEGIN,
        "## Known client deviations",
        "",
        *summary_table(runs),
        "",
        "Every failing vector, its diagnosis and its upstream issue: [the client pages](../clients.md).",
        BLOCK_END,
    ]
    return "\n".join(lines)


def with_page_block(page: str, block: str) -> str:
    """`page` with the text between the markers replaced by `block`."""
    begin, end = page.find(BLOCK_BEGIN), page.find(BLOCK_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"add the markers {BLOCK_BEGIN} and {BLOCK_END} where the client table goes")
    return page[:begin] + block + page[end + len(BLOCK_END) :]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=Path, default=REPO / "clients")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "clients.md")
    parser.add_argument("--page", type=Path, default=REPO / "docs" / "explanation" / "real-clients.md")
    parser.add_argument("--gate", default=f"{shlex.quote(sys.executable)} -m sigvec.cli gate", help="the gate command")
    parser.add_argument("--fuzz", default=f"{shlex.quote(sys.executable)} -m sigvec.cli fuzz", help="the fuzz command")
    parser.add_argument("--no-fuzz", action="store_true", help="run the gate only, without fuzzing the clients")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed files are stale")
    parser.add_argument("--reports", type=Path, help="keep each run's JSON-lines report here, as <client folder>.jsonl")
    parser.add_argument("--site", type=Path, help="build the HTML site here from the reports and docs/history/")
    parser.add_argument("--history", type=Path, default=REPO / "docs" / "history", help="the client history reports")
    args = parser.parse_args(argv)
    runs, failed, reports = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.reports or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for harness in harnesses(args.clients):
            if not harness.environment.is_dir():
                print(f"{harness.label} is not installed: run {harness.folder / 'install'}", file=sys.stderr)
                failed.append(harness.label)
                continue
            report = folder / f"{harness.label}.jsonl"
            report.unlink(missing_ok=True)
            if run_gate(harness, report, shlex.split(args.gate)) != 0:
                failed.append(harness.label)
            if not report.is_file():
                continue
            run = read_report(report.read_text(encoding="utf-8"), str(report))
            reports.append(report)
            fuzzed = Path(scratch) / f"{harness.label}-fuzz.jsonl"
            if not args.no_fuzz:
                if run_fuzz(harness, fuzzed, shlex.split(args.fuzz)) == 2:
                    failed.append(harness.label)
                if fuzzed.is_file():
                    run = replace(run, fuzzed=read_report(fuzzed.read_text(encoding="utf-8"), str(fuzzed)).vectors)
            runs.append(run)
        if args.site:
            build_site(args.site, [*reports, *sorted(args.history.glob("*/*.jsonl"))])
    docs = clients_markdown(runs)
    page = with_page_block(args.page.read_text(encoding="utf-8"), page_block(runs))
    if args.check:
        written = ((args.docs, docs), (args.page, page))
        stale = [str(path) for path, text in written if not path.is_file() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"stale: {path}; run tools/matrix.py and commit the result", file=sys.stderr)
        return 1 if stale or failed else 0
    args.docs.parent.mkdir(parents=True, exist_ok=True)
    args.docs.write_text(docs, encoding="utf-8")
    args.page.write_text(page, encoding="utf-8")
    for label in failed:
        print(f"the gate failed for {label}: a verdict changed that no known-failures file expects", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
