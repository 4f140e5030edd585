"""`sigvec gate`: run a client over the corpus, judge every vector, write the reports, and decide the exit code.

Exit 0 iff no failure or error is unexpected and no known failure passes;
1 otherwise; 2 for bad usage (a harness that cannot start, an unknown
scheme, a malformed known-failures file), with one line naming the problem.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path

from signing.registry import SCHEMES, scheme_named
from sigvec import __version__
from sigvec.codec import parse_document
from sigvec.corpus import Corpus, Vector
from sigvec.gate.adapters import Adapter, InProcessAdapter
from sigvec.gate.capture import CaptureServer
from sigvec.gate.harness import SubprocessHarness
from sigvec.gate.judge import Diagnoser, Judge
from sigvec.gate.protocol import Answer, Implementation, ProtocolError, errored, validate
from sigvec.gate.results import GateRun, KnownFailure, VectorVerdict

PIPELINED_SENT = "answered sent, but a harness that declares pipeline answers with the wire request (capture is one at a time)"
PIPELINE_WINDOW = 1024
"""How many vectors the gate hands a pipelined harness at a time (it keeps the harness's own pipeline in flight)."""
CAPTURE_NEEDS_SERVER = "answered sent, but this client cannot send: --python signers answer with the wire request"


MAX_TIMEOUT_SECONDS = 86_400
"""The longest wait for one answer (a day): `nan` and `inf` are refused, and so is any wait the OS timers cannot hold."""


class GateUsageError(ValueError):
    """Bad usage: reported on one line, exit code 2."""


def captured(answer: Answer, vector: Vector, capture: CaptureServer | None) -> Answer:
    """What a `sent` answer resolves to: the request the loopback server received for it (see `sigvec.gate.capture`)."""
    if capture is None:
        return errored(CAPTURE_NEEDS_SERVER, answer.stderr)
    return capture.captured(vector, answer)


def load_known_failures(path: Path) -> dict[str, KnownFailure]:
    """A known-failures YAML file: vector ID -> {reason, issue?}."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GateUsageError(f"--known-failures: cannot read {path} ({error})") from None
    try:
        data = parse_document(text)
    except ValueError as error:
        raise GateUsageError(f"--known-failures: {path}: {error}") from None
    try:
        validate("known-failures", data if data is not None else {})
    except ProtocolError as error:
        raise GateUsageError(
            f"--known-failures: {path}: {error.rule} (at {error.where.removeprefix('known-failures ')})"
        ) from None
    return {vector_id: KnownFailure(entry["reason"], entry.get("issue")) for vector_id, entry in (data or {}).items()}


def selected_vectors(corpus_vectors: Iterable[Vector], implementation: Implementation, schemes: Iterable[str]) -> list[Vector]:
    """The vectors of the schemes the implementation declares, narrowed to `schemes` when any are given."""
    unknown = sorted(set(implementation.schemes) - set(SCHEMES))
    if unknown:
        raise GateUsageError(f"implementation.schemes: {unknown[0]!r} is not a scheme; known: {', '.join(sorted(SCHEMES))}")
    for scheme, options in implementation.options.items():
        for name, value in options.items():
            option = scheme_named(scheme).option(name) if scheme in SCHEMES else None
            if option is None or value not in option.values:
                raise GateUsageError(f"implementation.options.{scheme}.{name}: {value!r} is not an option reading of {scheme}")
    wanted = set(implementation.schemes)
    narrowed = set(schemes)
    if narrowed:
        undeclared = sorted(narrowed - wanted)
        if undeclared:
            raise GateUsageError(f"--scheme: {undeclared[0]!r} is not among the schemes {implementation.name} declares")
        wanted = narrowed
    return [vector for vector in corpus_vectors if vector.scheme in wanted]


def corpus_summary(corpus: Corpus) -> dict[str, object]:
    """The corpus's identity for reports: its release, a digest of its files, and how many vectors it holds."""
    digest = hashlib.sha256()
    for path in sorted(corpus.root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".json", ".txt"):
            digest.update(path.relative_to(corpus.root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return {"version": __version__, "sha256": digest.hexdigest(), "vectors": sum(1 for _ in corpus.vectors())}


def run_gate(
    adapter: Adapter,
    corpus: Corpus,
    schemes: Iterable[str] = (),
    known_failures: Mapping[str, KnownFailure] | None = None,
    diagnoser: Diagnoser | None = None,
    vectors: Iterable[Vector] | None = None,
    on_verdict: Callable[[VectorVerdict, int], None] | None = None,
    capture: bool | None = None,
) -> GateRun:
    """Start the client, judge every applicable vector in corpus order, stop it.

    `vectors` replaces the corpus's own list (tests use it to run edited
    vectors); `on_verdict(verdict, total)` is called after each vector.
    With `capture` (by default, for a subprocess harness) the loopback server
    runs for the whole run and each `sign` carries its base URL for the
    vector's scheme; otherwise the exchange's own base URL. A harness that
    declares `pipeline` N (protocol version 2) gets N `sign` commands in
    flight, each with the exchange's base URL: capture stays one at a time,
    so such a harness answers with the wire request (`PIPELINED_SENT`).
    """
    known = dict(known_failures or {})
    every = list(vectors if vectors is not None else corpus.vectors())
    stale = sorted(set(known) - {vector.id for vector in every})
    if stale:
        raise GateUsageError(f"--known-failures: {stale[0]} is not a vector of this corpus")
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if capture is None:
        capture = isinstance(adapter, SubprocessHarness)
    implementation = adapter.start()
    try:
        chosen = selected_vectors(every, implementation, schemes)
        judge = Judge(implementation, {vector.id: vector for vector in every}, diagnoser)
        verdicts = []
        pipelined = isinstance(adapter, SubprocessHarness) and implementation.pipeline > 1
        with CaptureServer() if capture and chosen and not pipelined else nullcontext() as server:
            for vector, answer in answered(adapter, chosen, server, pipelined):
                if answer.kind == "sent":
                    answer = captured(answer, vector, server) if not pipelined else errored(PIPELINED_SENT, answer.stderr)
                verdict = judge.judge(vector, answer)
                if vector.id in known:
                    verdict = verdict.with_known_failure(known[vector.id])
                verdicts.append(verdict)
                if on_verdict is not None:
                    on_verdict(verdict, len(chosen))
    finally:
        adapter.stop()
    return GateRun(implementation, verdicts, started, corpus_summary(corpus), __version__)


def answered(
    adapter: Adapter, vectors: list[Vector], server: CaptureServer | None, pipelined: bool
) -> Iterator[tuple[Vector, Answer]]:
    """Each vector with the client's answer, asked one at a time, or in windows of the harness's pipeline."""
    if not pipelined:
        for seq, vector in enumerate(vectors, start=1):
            base_url = server.prepare(vector) if server else scheme_named(vector.scheme).base_url
            yield vector, adapter.sign(seq, vector.id, vector.input, base_url)
        return
    assert isinstance(adapter, SubprocessHarness)
    window = PIPELINE_WINDOW
    for start in range(0, len(vectors), window):
        batch = vectors[start : start + window]
        commands = [(start + n, v.id, v.input, scheme_named(v.scheme).base_url) for n, v in enumerate(batch, start=1)]
        yield from zip(batch, adapter.sign_batch(commands), strict=True)


def adapter_from(args: argparse.Namespace) -> Adapter:
    if bool(args.harness) == bool(args.python):
        raise GateUsageError('give exactly one of --harness "CMD ARGS" or --python module:function')
    if args.python:
        return InProcessAdapter.from_target(args.python)
    try:
        argv = shlex.split(args.harness)
    except ValueError as error:
        raise GateUsageError(f"--harness: {error}") from None
    if not 0 < args.timeout <= MAX_TIMEOUT_SECONDS:
        raise GateUsageError(
            f"--timeout: must be a positive number of seconds, at most {MAX_TIMEOUT_SECONDS}; got {args.timeout}"
        )
    return SubprocessHarness(argv, timeout=args.timeout)
