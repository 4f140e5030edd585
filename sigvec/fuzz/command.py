"""`sigvec fuzz`: everything but argument parsing. Exit 0 when no failure is unexpected, 1 otherwise, 2 for bad
usage (one line naming the problem)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from sigvec import __version__
from sigvec.corpus import Corpus, CorpusError, load_corpus
from sigvec.fuzz.output import finding_lines, next_vector_id, vector_mapping, vector_yaml
from sigvec.fuzz.runner import Finding, Fuzzer, FuzzRun, FuzzSettings, known_failure
from sigvec.gate.adapters import AdapterError
from sigvec.gate.harness import HarnessError
from sigvec.gate.results import GateRun, KnownFailure, VectorVerdict
from sigvec.gate.run import GateUsageError, adapter_from, corpus_summary, load_known_failures
from sigvec.lint import read_released


def settings_from(args: argparse.Namespace) -> FuzzSettings:
    if args.max_examples < 1:
        raise GateUsageError("--max-examples: must be at least 1")
    if args.time_budget is not None and args.time_budget <= 0:
        raise GateUsageError("--time-budget: must be a positive number of seconds")
    if args.seed is not None and args.seed < 0:
        raise GateUsageError("--seed: must be a non-negative integer")
    return FuzzSettings(args.max_examples, args.seed, args.time_budget, args.out)


def finding_verdict(finding: Finding, number: int, known: KnownFailure | None) -> VectorVerdict:
    """A finding as a gate verdict, for the report writers: named `<scheme>-fuzz-<n>`, its minimal input in the message."""
    shown = json.dumps({key: value for key, value in finding.input.items() if key != "credentials"}, ensure_ascii=False)
    verdict = replace(
        finding.verdict,
        id=f"{finding.scheme}-fuzz-{number}",
        message=f"{finding.title}; minimal input: {shown}",
        diagnosis=None,
        flags=finding.flags,
    )
    return verdict.with_known_failure(known) if known is not None else verdict


def gate_run(run: FuzzRun, corpus: Corpus, known: dict[str, KnownFailure], started: str) -> GateRun:
    """The fuzz run in the gate's report model: per scheme, one verdict per finding, or one pass saying how many
    inputs were judged."""
    by_id = corpus.by_id()
    verdicts = []
    for scheme_run in run.schemes:
        for number, finding in enumerate(scheme_run.findings, start=1):
            verdicts.append(finding_verdict(finding, number, known_failure(finding, known, by_id)))
        if not scheme_run.findings:
            message = (
                f"{scheme_run.judged} generated inputs judged, {scheme_run.uncarried} the scheme cannot carry, "
                f"{scheme_run.skipped} skipped by the client (seed {run.seed})"
            )
            verdicts.append(VectorVerdict(f"{scheme_run.scheme}-fuzz", scheme_run.scheme, "valid", "pass", False, True, message))
    return GateRun(run.implementation, verdicts, started, corpus_summary(corpus), __version__)


def write_findings(run: FuzzRun, corpus: Corpus, out: Path, source: str) -> dict[int, str]:
    """Each finding's vector and report under `out` (`<vector id>.yaml`, `report.txt`); the vector IDs by finding."""
    out.mkdir(parents=True, exist_ok=True)
    taken = [vector.id for vector in corpus.vectors()] + list(read_released(corpus.root))
    ids: dict[int, str] = {}
    reports = []
    for finding in run.findings:
        vector_id = next_vector_id(finding.scheme, taken)
        vector = vector_mapping(finding, vector_id, source)
        if vector is not None:
            taken.append(vector_id)
            ids[id(finding)] = vector_id
            (out / f"{vector_id}.yaml").write_text(vector_yaml(vector), encoding="utf-8")
        reports.append("\n".join(finding_lines(finding, ids.get(id(finding)))))
    (out / "report.txt").write_text("\n\n".join(reports) + "\n", encoding="utf-8")
    return ids


def command(args: argparse.Namespace) -> int:
    """The `sigvec fuzz` command."""
    from sigvec.reports import write_reports

    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        fuzz = settings_from(args)
        adapter = adapter_from(args)
        known = load_known_failures(args.known_failures) if args.known_failures else {}
        corpus = load_corpus(args.vectors)
        run = Fuzzer(adapter, corpus).run(args.scheme or (), fuzz)
    except (GateUsageError, AdapterError, HarnessError, CorpusError, FileNotFoundError) as error:
        print(f"sigvec fuzz: error: {error}", file=sys.stderr)
        return 2
    report = gate_run(run, corpus, known, started)
    source = f"sigvec fuzz --seed {run.seed} against {run.implementation.name}"
    ids = write_findings(run, corpus, fuzz.out, source) if fuzz.out is not None else {}
    for scheme_run in run.schemes:
        budget = " (time budget spent)" if scheme_run.stopped_by_budget else ""
        unshrunk = f" ({scheme_run.unshrunk} not shrunk: Hypothesis's replay did not fail)" if scheme_run.unshrunk else ""
        print(f"{scheme_run.scheme}: {scheme_run.judged} inputs judged, {len(scheme_run.findings)} distinct failures,"
              f" {scheme_run.seconds:.1f} s{budget}{unshrunk}")
    for finding, verdict in zip(run.findings, (v for v in report.verdicts if v.status != "pass"), strict=True):
        print()
        print("\n".join(finding_lines(finding, ids.get(id(finding)), verdict.known_failure)))
    print(f"\nseed {run.seed} (replay with --seed {run.seed})")
    try:
        write_reports(report, junit_path=args.junit, markdown_path=args.markdown, json_lines_path=args.json)
    except OSError as error:
        print(f"sigvec fuzz: error: cannot write a report: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    return 0 if report.succeeded else 1
