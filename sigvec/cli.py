"""The `sigvec` command line.

Exit codes: 0 success, 1 a check or lint found failures, 2 bad input (one
line naming the field and the rule; never a traceback). Secrets given on
stdin never appear in any output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from signing.model import SigningError, request_from_mapping
from signing.registry import sign
from sigvec import __version__
from sigvec.check import check_vector, summarise
from sigvec.corpus import Corpus, load_corpus
from sigvec.export_ccxt import write_ccxt_static
from sigvec.lint import lint, record_ids, schema_problems, unreleased

REDACTED = "<redacted>"
SUMMARY_COLUMNS = ("vectors", "passed", "failed", "errata", "acceptable")


class UsageError(Exception):
    """Bad input: reported on one line, exit code 2."""


def redact(value: Any, secret: str) -> Any:
    """`value` with every occurrence of `secret` replaced, however deeply nested."""
    if isinstance(value, str):
        return value.replace(secret, REDACTED)
    if isinstance(value, dict):
        return {key: redact(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item, secret) for item in value]
    return value


def open_corpus(args: argparse.Namespace) -> Corpus:
    root: Path | None = args.vectors
    if root is not None and not (root / "schema.json").is_file():
        raise UsageError(f"--vectors: {root} holds no schema.json; point it at a vectors/ folder")
    try:
        return load_corpus(root)
    except yaml.YAMLError as error:
        raise UsageError(f"vectors: a file is not valid YAML ({error})") from None


def open_valid_corpus(args: argparse.Namespace) -> Corpus:
    """The corpus, refused (exit 2) unless every file follows vectors/schema.json."""
    corpus = open_corpus(args)
    problems = schema_problems(corpus)
    if problems:
        more = f" (and {len(problems) - 1} more; run sigvec lint)" if len(problems) > 1 else ""
        raise UsageError(f"vectors: {problems[0]}{more}")
    return corpus


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
                    "verifier": o.rejection.code if o.rejection else "accept",
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


def parse_document(text: str) -> Any:
    """JSON first, so that a JSON number stays a number (YAML would read 1e-05 as text), else YAML."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UsageError(f"input: not valid JSON or YAML{where}") from None


def read_input(stream: Any) -> dict[str, Any]:
    data = parse_document(stream.read())
    if isinstance(data, dict) and "input" in data and "scheme" not in data:
        raise UsageError("input: give the vector's input mapping, not the whole vector")
    if not isinstance(data, dict):
        raise UsageError("input: must be a mapping (a vector's input)")
    return data


def command_sign(args: argparse.Namespace) -> int:
    data = read_input(sys.stdin)
    request = request_from_mapping(data)
    signed = sign(request).to_mapping()
    print(json.dumps(redact(signed, request.credentials.secret), indent=2, ensure_ascii=False))
    return 0


def command_vectors(args: argparse.Namespace) -> int:
    corpus = open_valid_corpus(args)
    if args.format == "ccxt-static":
        if args.out is None:
            raise UsageError("--out: ccxt-static writes one file per exchange; give the folder to write them to")
        for path in write_ccxt_static(corpus, args.out):
            print(path)
        return 0
    document = {
        "sigvec_version": __version__,
        "flags": corpus.flags,
        "vectors": [{**vector.data, "file": vector.file} for vector in corpus.vectors()],
    }
    print(json.dumps(document, indent=2 if args.indent else None, ensure_ascii=False))
    return 0


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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="sigvec", description="Signature conformance vectors for exchange REST APIs.")
    top.add_argument("--version", action="version", version=f"sigvec {__version__}")
    commands = top.add_subparsers(dest="command", required=True)

    def with_vectors(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument(
            "--vectors", type=Path, help="a vectors/ folder (default: $SIGVEC_VECTORS, else the packaged corpus)"
        )
        return command

    check = with_vectors(commands.add_parser("check", help="run the whole corpus against the reference"))
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=command_check)
    sign_command = commands.add_parser("sign", help="sign one vector input (JSON or YAML on stdin); print every stage")
    sign_command.set_defaults(run=command_sign)
    export = with_vectors(commands.add_parser("vectors", help="export the corpus for ports in other languages"))
    export.add_argument("--format", choices=("json", "ccxt-static"), default="json")
    export.add_argument("--out", type=Path, help="ccxt-static: the folder for <exchange>.json files")
    export.add_argument("--indent", action="store_true", help="pretty-print")
    export.set_defaults(run=command_vectors)
    lint_command = with_vectors(commands.add_parser("lint", help="validate vector files, flags and IDs"))
    lint_command.add_argument("--record-ids", action="store_true", help="release every new ID (append to released-ids.txt)")
    lint_command.set_defaults(run=command_lint)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (SigningError, UsageError) as error:
        print(f"sigvec {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
