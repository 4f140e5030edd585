"""The `sigvec` command line.

Exit codes: 0 success (verify: accepted), 1 a check or lint found failures
(verify: rejected), 2 bad input (one line naming the field and the rule;
never a traceback). Secrets never appear in any output: stages that carry the
secret are cut structurally (`sigvec.codec.secret_free`), and errors about a
secret name the field only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from signing.model import Request, SigningError
from signing.registry import scheme_named, sign
from signing.server import REPLAY_ENTRIES_PER_SPACE
from sigvec import __version__
from sigvec.check import check_vector, summarise
from sigvec.codec import parse_document, request_from_input, secret_free_error, signed_to_mapping, verdict_to_mapping
from sigvec.corpus import Corpus, CorpusError, load_corpus, read_corpus
from sigvec.diagnose import VectorDiagnoser
from sigvec.diagnose.examples import Examples
from sigvec.diagnose.explain import explain
from sigvec.errata import errata_markdown
from sigvec.export import export_document
from sigvec.export_ccxt import write_ccxt_static
from sigvec.harness import KITS
from sigvec.keys import KeyInputError, add_key_options, add_request_options, key_source
from sigvec.lint import lint, record_ids, unreleased
from sigvec.reports.escape import one_line
from sigvec.reports.site import ReportError, build_site
from sigvec.verify import VerifierCrash, verify_request
from sigvec.wire import WireFormatError

SUMMARY_COLUMNS = ("vectors", "passed", "failed", "errata", "acceptable")


class UsageError(Exception):
    """Bad input: reported on one line, exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, with bad usage reported as one line naming the option (exit 2), as every other bad input is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def open_corpus(args: argparse.Namespace) -> Corpus:
    """The corpus read but not judged (for lint)."""
    return read_corpus(args.vectors)


def open_valid_corpus(args: argparse.Namespace) -> Corpus:
    """The corpus, refused (exit 2) unless it is valid (see `sigvec.corpus.load_corpus`)."""
    return load_corpus(args.vectors)


def command_check(args: argparse.Namespace) -> int:
    corpus = open_valid_corpus(args)
    outcomes = [check_vector(vector) for vector in corpus.vectors()]
    summaries = summarise(outcomes)
    if args.format == "json":
        report = {
            "schemes": {s.scheme: {column: s.counts[column] for column in SUMMARY_COLUMNS} for s in summaries},
            "failures": [{"id": o.vector.id, "problems": o.problems} for o in outcomes if not o.passed],
            "vectors": [
                {
                    "id": o.vector.id,
                    "scheme": o.vector.scheme,
                    "result": o.vector.result,
                    "passed": o.passed,
                    "verifier": o.server_answer,
                }
                for o in outcomes
            ],
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"{'scheme':<28}" + "".join(f"{column:>11}" for column in SUMMARY_COLUMNS))
        for summary in summaries:
            print(f"{summary.scheme:<28}" + "".join(f"{summary.counts[column]:>11}" for column in SUMMARY_COLUMNS))
        totals = {column: sum(s.counts[column] for s in summaries) for column in SUMMARY_COLUMNS}
        print(f"{'total':<28}" + "".join(f"{totals[column]:>11}" for column in SUMMARY_COLUMNS))
        for outcome in outcomes:
            for problem in outcome.problems:
                print(f"FAIL {outcome.vector.id} ({outcome.vector.file}): {problem}")
    return 0 if all(outcome.passed for outcome in outcomes) else 1


def read_stdin_bytes() -> bytes:
    """stdin as bytes (a test's StringIO has no buffer: its text is written back as UTF-8, surrogates kept)."""
    return sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8", "surrogatepass")


def read_stdin_text() -> str:
    raw = read_stdin_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"input: not UTF-8 (byte {error.start})") from None


def read_input() -> Request:
    try:
        data = parse_document(read_stdin_text())
    except ValueError as error:
        raise UsageError(f"input: {error}") from None
    if isinstance(data, dict) and "input" in data and "scheme" not in data:
        raise UsageError("input: give the vector's input mapping, not the whole vector")
    if not isinstance(data, dict):
        raise UsageError("input: must be a mapping (a vector's input)")
    return request_from_input(data)


def command_sign(args: argparse.Namespace) -> int:
    request = read_input()
    signed = sign(request)
    secret_stages = scheme_named(request.scheme).secret_stages
    print(json.dumps(signed_to_mapping(signed, request.credentials.secret, secret_stages), indent=2, ensure_ascii=False))
    return 0


def command_vectors(args: argparse.Namespace) -> int:
    corpus = open_valid_corpus(args)
    if args.format == "ccxt-static":
        if args.out is None:
            raise UsageError("--out: ccxt-static writes one file per exchange; give the folder to write them to")
        try:
            written = write_ccxt_static(corpus, args.out)
        except OSError as error:
            raise UsageError(f"--out: cannot write {error.filename or args.out} ({error.strerror})") from None
        for path in written:
            print(path)
        return 0
    document = export_document(corpus)
    print(json.dumps(document, indent=2 if args.indent else None, ensure_ascii=False))
    return 0


def command_errata(args: argparse.Namespace) -> int:
    sys.stdout.write(errata_markdown(open_valid_corpus(args)))
    return 0


def command_verify(args: argparse.Namespace) -> int:
    keys = key_source(args)
    verdict = verify_request(read_stdin_bytes(), args.scheme, keys, os.environ, args.server_time, args.http)
    print(json.dumps(verdict_to_mapping(verdict), indent=2, ensure_ascii=False))
    return 0 if verdict.accepted else 1


def command_lint(args: argparse.Namespace) -> int:
    corpus = open_corpus(args)
    problems = lint(corpus)
    for problem in problems:
        print(f"LINT {problem}")
    if problems:
        return 1
    if args.record_ids:
        recorded = record_ids(corpus)
        print(f"recorded {len(recorded)} new ID(s) in released-ids.txt")
    else:
        pending = unreleased(corpus)
        if pending:
            print(f"note: {len(pending)} ID(s) not yet in released-ids.txt; run sigvec lint --record-ids to release them")
    print(f"lint: {sum(1 for _ in corpus.vectors())} vectors in {len(corpus.files)} files, no problems")
    return 0


def command_explain(args: argparse.Namespace) -> int:
    keys = key_source(args).secrets(os.environ)
    examples = Examples.of(open_valid_corpus(args).vectors())
    diagnosis = explain(read_stdin_bytes(), args.scheme, keys, args.server_time, args.http, examples)
    print(json.dumps(diagnosis.to_mapping(), indent=2, ensure_ascii=False) if args.json else diagnosis.message)
    return 0 if diagnosis.found else 1


def command_triage(args: argparse.Namespace) -> int:
    from sigvec.diagnose.triage import triage

    keys = key_source(args).secrets(os.environ)
    examples = Examples.of(open_valid_corpus(args).vectors())
    raw = read_stdin_bytes() if args.input is None or str(args.input) == "-" else read_input_file(args.input)
    results = triage(raw, scheme_named(args.scheme), keys, args.server_time, args.error, examples)
    if args.format == "json":
        print(json.dumps([result.to_mapping() for result in results], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(result.text() for result in results))
    return 0 if all(result.diagnosis.found for result in results) else 1


def read_input_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise UsageError(f"input: {path} cannot be read") from None


def command_gate(args: argparse.Namespace) -> int:
    """Run the client over the corpus named by `--vectors`, print the terminal report and write the others."""
    from sigvec.gate.adapters import AdapterError
    from sigvec.gate.harness import HarnessError
    from sigvec.gate.run import GateUsageError, adapter_from, load_known_failures, run_gate
    from sigvec.reports import write_reports
    from sigvec.reports.terminal import TerminalReport

    try:
        adapter = adapter_from(args)
        known = load_known_failures(args.known_failures) if args.known_failures else {}
        corpus = open_valid_corpus(args)
        diagnoser = VectorDiagnoser(Examples.of(corpus.vectors()))
        terminal = TerminalReport()
        with terminal.progress() as advance:
            run = run_gate(adapter, corpus, args.scheme or (), known, diagnoser=diagnoser, on_verdict=advance)
    except (GateUsageError, AdapterError, HarnessError, FileNotFoundError) as error:
        print(f"sigvec gate: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    terminal.print(run)
    try:
        write_reports(run, junit_path=args.junit, markdown_path=args.markdown, badge_path=args.badge, json_lines_path=args.json)
    except OSError as error:
        print(f"sigvec gate: error: cannot write a report: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    return 0 if run.succeeded else 1


def command_kit(args: argparse.Namespace) -> int:
    from sigvec.harness import kit_text

    sys.stdout.write(kit_text(args.language))
    return 0


def command_fuzz(args: argparse.Namespace) -> int:
    from sigvec.fuzz.command import command

    return command(args)


def command_coverage(args: argparse.Namespace) -> int:
    from sigvec.fuzz.coverage import report

    for scheme in args.scheme or ():
        scheme_named(scheme)
    print(report(open_valid_corpus(args), args.scheme or ()), end="")
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from sigvec import serve
    from sigvec.serve.state import corpus_keys

    corpus = open_valid_corpus(args)
    test_keys, examples = corpus_keys(corpus), Examples.of(corpus.vectors())
    try:
        return serve.run(args.host, args.port, args.keys, args.clock, args.record, args.scheme_ports, test_keys, examples,
                         args.replay_entries, args.log_level)
    except serve.ServeError as error:
        raise UsageError(str(error)) from None


def add_client_options(command: argparse.ArgumentParser, verb: str) -> None:
    """How a command that `verb`s a client reaches it (`--harness` or `--python`), and `--scheme` to narrow it."""
    command.add_argument("--harness", metavar="CMD ARGS", help="a harness command speaking the gate protocol on stdin/stdout")
    command.add_argument("--python", metavar="MODULE:FUNCTION", help="an in-process signer: input mapping in, wire mapping out")
    command.add_argument("--scheme", action="append", metavar="S", help=f"{verb} only this scheme (repeatable)")


def parser() -> argparse.ArgumentParser:
    top = OneLineParser(prog="sigvec", description="Signature conformance vectors for exchange REST APIs.")
    top.add_argument("--version", action="version", version=f"sigvec {__version__}")
    commands = top.add_subparsers(dest="command", required=True)

    def with_vectors(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument(
            "--vectors", type=Path, help="a vectors/ folder (default: $SIGVEC_VECTORS, else the packaged corpus)"
        )
        return command

    check = with_vectors(commands.add_parser("check", allow_abbrev=False, help="run the whole corpus against the reference"))
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=command_check)
    sign_command = commands.add_parser(
        "sign", allow_abbrev=False, help="sign one vector input (JSON or YAML on stdin); print every stage"
    )
    sign_command.set_defaults(run=command_sign)
    export = with_vectors(
        commands.add_parser("vectors", allow_abbrev=False, help="export the corpus for ports in other languages")
    )
    export.add_argument("--format", choices=("json", "ccxt-static"), default="json")
    export.add_argument("--out", type=Path, help="ccxt-static: the folder for <exchange>.json files")
    export.add_argument("--indent", action="store_true", help="pretty-print")
    export.set_defaults(run=command_vectors)
    lint_command = with_vectors(commands.add_parser("lint", allow_abbrev=False, help="validate vector files, flags and IDs"))
    lint_command.add_argument("--record-ids", action="store_true", help="release every new ID (append to released-ids.txt)")
    lint_command.set_defaults(run=command_lint)
    errata = with_vectors(
        commands.add_parser(
            "errata",
            allow_abbrev=False,
            help="print docs/errata.md (documentation errata, scheme weaknesses, the reference's choices)",
        )
    )
    errata.set_defaults(run=command_errata)
    verify_command = commands.add_parser(
        "verify", allow_abbrev=False, help="check one wire request (stdin) as the exchange's server does"
    )
    add_request_options(verify_command)
    verify_command.set_defaults(run=command_verify)
    explain_command = with_vectors(
        commands.add_parser(
            "explain", allow_abbrev=False, help="say which known bug makes the server reject one captured request"
        )
    )
    add_request_options(explain_command)
    explain_command.add_argument("--json", action="store_true", help="print the whole diagnosis as JSON")
    explain_command.set_defaults(run=command_explain)
    triage_command = with_vectors(
        commands.add_parser(
            "triage", allow_abbrev=False, help="diagnose real failing requests: raw HTTP, a curl line, a HAR file or a cassette"
        )
    )
    triage_command.add_argument("input", nargs="?", type=Path, help="the file to read (default or -: stdin)")
    add_key_options(triage_command, "each request")
    triage_command.add_argument("--error", metavar="CODE", help="the exchange's error code (default: the recorded one)")
    triage_command.add_argument("--format", choices=("text", "json"), default="text")
    triage_command.set_defaults(run=command_triage)
    gate = with_vectors(
        commands.add_parser("gate", allow_abbrev=False, help="run a client over the corpus and judge it by the client contract")
    )
    add_client_options(gate, "run")
    gate.add_argument("--known-failures", type=Path, metavar="FILE", help="YAML: vector ID -> {reason, issue}; strict")
    for report in ("junit", "markdown", "badge", "json"):
        gate.add_argument(f"--{report}", type=Path, metavar="FILE", help=f"write the {report} report here")
    gate.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds to wait for each answer (default 5)")
    gate.set_defaults(run=command_gate)
    kit = commands.add_parser(
        "kit", allow_abbrev=False, help="print a harness kit for another language (sigvec kit node > sigvec-kit.mjs)"
    )
    kit.add_argument("language", choices=sorted(KITS))
    kit.set_defaults(run=command_kit)
    fuzz = with_vectors(
        commands.add_parser("fuzz", allow_abbrev=False, help="judge a client on generated inputs; shrink each failure")
    )
    add_client_options(fuzz, "fuzz")
    fuzz.add_argument("--max-examples", type=int, default=200, metavar="N", help="generated inputs per scheme (default 200)")
    fuzz.add_argument("--seed", type=int, metavar="N", help="replay the run with this seed (default: a random one, printed)")
    fuzz.add_argument("--time-budget", type=float, metavar="S", help="stop generating after this many seconds")
    fuzz.add_argument("--out", type=Path, metavar="DIR", help="keep the example database, the vectors and the report here")
    fuzz.add_argument("--known-failures", type=Path, metavar="FILE", help="the client's known failures (gate format)")
    for report in ("junit", "markdown", "json"):
        fuzz.add_argument(f"--{report}", type=Path, metavar="FILE", help=f"write the {report} report here")
    fuzz.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds to wait for each answer (default 5)")
    fuzz.set_defaults(run=command_fuzz)
    coverage = with_vectors(
        commands.add_parser("coverage", allow_abbrev=False, help="which class x placement x method cells the corpus covers")
    )
    coverage.add_argument("--scheme", action="append", metavar="S", help="only this scheme (repeatable)")
    coverage.set_defaults(run=command_coverage)
    serve_command = with_vectors(
        commands.add_parser("serve", allow_abbrev=False, help="run the verifying mock exchange (every scheme under /<scheme>/)")
    )
    serve_command.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    serve_command.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any free port, printed at start)")
    serve_command.add_argument("--keys", type=Path, help="YAML/JSON: API key -> {secret_env: VARIABLE}, for every scheme")
    serve_command.add_argument("--clock", default="real", help="real, fixed:MS, or request (trust the request's own time)")
    serve_command.add_argument("--record", type=Path, help="append one JSON line per request to this file")
    serve_command.add_argument("--scheme-ports", action="store_true", help="also serve each scheme unprefixed on port+1, +2, ...")
    serve_command.add_argument("--replay-entries", type=int, default=REPLAY_ENTRIES_PER_SPACE, metavar="N",
                               help=f"live nonces kept per scheme and API key; past it new requests are refused"
                               f" (default {REPLAY_ENTRIES_PER_SPACE:,})")
    serve_command.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="warning",
                               help="warning (default): one line per request sigvec cut off or that is not HTTP;"
                               " info: also each rejection; debug: every request")
    serve_command.set_defaults(run=command_serve)
    report_command = commands.add_parser(
        "report", allow_abbrev=False, help="build the static conformance site from gate JSON-lines reports"
    )
    report_command.add_argument("--html", type=Path, required=True, metavar="OUT", help="the folder to write the site to")
    report_command.add_argument("reports", type=Path, nargs="+", metavar="REPORT.jsonl", help="gate --json reports")
    report_command.set_defaults(run=command_report)
    return top


def command_report(args: argparse.Namespace) -> int:
    pages = build_site(args.html, args.reports)
    print(f"wrote {len(pages)} files to {args.html}; open {args.html / 'index.html'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SigningError as error:
        problem = secret_free_error(error)
    except (UsageError, CorpusError, WireFormatError, KeyInputError, VerifierCrash, ReportError) as error:
        problem = str(error)
    except RecursionError:
        problem = "input: nested too deeply"
    except MemoryError:
        problem = "input: a value is too large to write out"
    print(f"sigvec {args.command}: error: {one_line(problem)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
