"""The sigvec pytest plugin: one test per applicable vector, judged by the gate, in a client author's own test run.

Set the signer in the pytest ini (or pass `--sigvec-signer`):

    [pytest]
    sigvec_signer = mypkg.signing:sign_for_sigvec
    sigvec_known_failures = sigvec-known-failures.yaml

The function takes a vector's input mapping and returns the wire mapping (or
`{"wire": ..., "stages": ...}`). Its module may
declare `SIGVEC_IMPLEMENTATION` (schemes and option readings). Each vector is a
test named by its ID, under `sigvec::`; a failure shows the gate's verdict and
stage diff, and the known-failures file is applied as strict xfail. The
session's summary counts the vectors as the gate does (`sigvec.gate.score`).
Refusing is explicit, as for `sigvec gate --python`: the signer raises
`sigvec.Refused` (or a type its module lists in `SIGVEC_REFUSES`); any other
exception is `errored`, with its traceback. The known-failures file is
optional: while it does not exist, no vector is expected to fail (the session
header says so), so pasting the setting before writing the file runs every
vector instead of stopping with a usage error. Without a signer the plugin
adds no test.

With a signer the plugin also adds `sigvec_fuzz::<scheme>`, one test per
scheme the signer declares: `sigvec fuzz` with `--sigvec-fuzz-examples N`
generated inputs (default 100; 0 adds no fuzz test). It fails with each
distinct failure shrunk to its minimal input, diagnosed, and the seed that
replays it; a failure whose bug a listed known failure already shows is an xfail.

The plugin also offers the fixture `sigvec_server`: a running verifying mock
exchange (`sigvec.serve.MockExchange`) on an ephemeral loopback port, for a
client's own integration tests (`sigvec_server.base_url(scheme)`,
`sigvec_server.drain()`); the server is loaded only by a test that asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sigvec.serve.fixture import plugin_corpus, sigvec_server

if TYPE_CHECKING:  # the gate is imported only when a signer is configured: an unused plugin costs nothing
    from sigvec.corpus import Corpus, Vector
    from sigvec.gate.adapters import InProcessAdapter
    from sigvec.gate.judge import Judge
    from sigvec.gate.results import KnownFailure, VectorVerdict


__all__ = ["sigvec_server"]
FUZZ_EXAMPLES = 100

VERDICTS = pytest.StashKey[list["VectorVerdict"]]()
"""Every vector's verdict in this session, for the summary."""


class VectorFailed(Exception):
    """A vector the client did not pass; carries the gate's verdict."""

    def __init__(self, verdict: VectorVerdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sigvec", "sigvec signature conformance vectors")
    group.addoption("--sigvec-signer", metavar="MODULE:FUNCTION", help="run every applicable sigvec vector against this signer")
    group.addoption("--sigvec-vectors", metavar="FOLDER", help="the vectors/ folder to run (default: the packaged corpus)")
    group.addoption(
        "--sigvec-fuzz-examples", type=int, default=FUZZ_EXAMPLES, metavar="N",
        help=f"generated inputs per scheme for the sigvec_fuzz tests (default {FUZZ_EXAMPLES}; 0: no fuzz test)",
    )
    parser.addini("sigvec_signer", "module:function of the signer to run the sigvec vectors against")
    parser.addini("sigvec_known_failures", "YAML file of vector IDs the signer is known to fail (strict xfail); optional")
    parser.addini("sigvec_vectors", "the vectors/ folder to run and to take test keys from (default: the packaged corpus)")


def known_failures_file(config: pytest.Config) -> Path | None:
    """The configured known-failures file, relative to the rootdir; None when none is configured."""
    name = config.getini("sigvec_known_failures")
    return config.rootpath / str(name) if name else None


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say when the configured known-failures file is missing: no vector is then expected to fail."""
    path = known_failures_file(config)
    if path is None or path.exists() or not (config.getoption("sigvec_signer") or config.getini("sigvec_signer")):
        return None
    return f"sigvec: no known-failures file at {path}: no vector is expected to fail"


class SigvecVector(pytest.Item):
    """One vector, run through the in-process adapter and judged by the gate."""

    def __init__(self, *, vector: Vector, adapter: InProcessAdapter, judge: Judge, seq: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vector = vector
        self.adapter = adapter
        self.judge = judge
        self.seq = seq

    def runtest(self) -> None:
        from signing.registry import scheme_named

        answer = self.adapter.sign(self.seq, self.vector.id, self.vector.input, scheme_named(self.vector.scheme).base_url)
        verdict = self.judge.judge(self.vector, answer)
        self.config.stash.setdefault(VERDICTS, []).append(verdict)
        if verdict.status == "skipped":
            pytest.skip(verdict.message)
        if not verdict.passed:
            raise VectorFailed(verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, VectorFailed):
            verdict = excinfo.value.verdict
            return "\n".join([f"{verdict.id} ({verdict.scheme}, {verdict.result}): {verdict.status}", *verdict.explanation()])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"sigvec vector {self.vector.id}"


class FuzzFailed(Exception):
    """A scheme on which `sigvec fuzz` found failures nobody listed; carries their report."""


class SigvecFuzz(pytest.Item):
    """`sigvec fuzz` over one scheme, through the in-process adapter."""

    def __init__(
        self, *, scheme: str, adapter: InProcessAdapter, corpus: Corpus, known: dict[str, KnownFailure], examples: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scheme, self.adapter, self.corpus, self.known, self.examples = scheme, adapter, corpus, known, examples

    def runtest(self) -> None:
        from sigvec.fuzz.output import finding_lines
        from sigvec.fuzz.runner import Fuzzer, FuzzSettings, known_failure

        run = Fuzzer(self.adapter, self.corpus).run([self.scheme], FuzzSettings(max_examples=self.examples))
        by_id = self.corpus.by_id()
        known = [(finding, known_failure(finding, self.known, by_id)) for finding in run.findings]
        unexpected = [finding for finding, listed in known if listed is None]
        if unexpected:
            blocks = ["\n".join(finding_lines(finding)) for finding in unexpected]
            raise FuzzFailed("\n\n".join([*blocks, f"replay with sigvec fuzz --seed {run.seed}"]))
        if known:
            pytest.xfail("; ".join(f"{listed.reason}" for _, listed in known if listed is not None))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, FuzzFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"sigvec fuzz {self.scheme}"


class SigvecCorpus(pytest.Collector):
    """The applicable vectors of the corpus, as items named by vector ID under `sigvec::`."""

    def __init__(
        self, *, vectors: list[Vector], known: dict[str, KnownFailure], adapter: InProcessAdapter, judge: Judge, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.vectors, self.known, self.adapter, self.judge = vectors, known, adapter, judge

    def collect(self) -> list[pytest.Item]:
        items: list[pytest.Item] = []
        for seq, vector in enumerate(self.vectors, start=1):
            item = SigvecVector.from_parent(
                self, name=vector.id, path=self.path / vector.file, vector=vector, adapter=self.adapter, judge=self.judge, seq=seq
            )
            if vector.id in self.known:
                item.add_marker(pytest.mark.xfail(reason=self.known[vector.id].reason, strict=True, raises=VectorFailed))
            items.append(item)
        return items


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Append one item per applicable vector, before `-k` and `-m` select among the items."""
    target = config.getoption("sigvec_signer") or config.getini("sigvec_signer")
    if not target:
        return
    from sigvec.corpus import CorpusError
    from sigvec.diagnose import VectorDiagnoser
    from sigvec.diagnose.examples import Examples
    from sigvec.gate.adapters import AdapterError, InProcessAdapter
    from sigvec.gate.judge import Judge
    from sigvec.gate.run import GateUsageError, load_known_failures, selected_vectors

    try:
        adapter = InProcessAdapter.from_target(str(target))
        implementation = adapter.start()
        corpus = plugin_corpus(config)
        vectors = list(corpus.vectors())
        known_file = known_failures_file(config)
        known = load_known_failures(known_file) if known_file is not None and known_file.exists() else {}
        chosen = selected_vectors(vectors, implementation, ())
    except (AdapterError, GateUsageError, CorpusError) as error:
        raise pytest.UsageError(f"sigvec: {error}") from None
    judge = Judge(implementation, {vector.id: vector for vector in vectors}, VectorDiagnoser(Examples.of(vectors)))
    collector = SigvecCorpus.from_parent(
        session, name="sigvec", nodeid="sigvec", path=corpus.root, vectors=chosen, known=known, adapter=adapter, judge=judge
    )
    items.extend(collector.collect())
    examples = int(config.getoption("sigvec_fuzz_examples"))
    if examples > 0:
        fuzzed = sorted({vector.scheme for vector in chosen})
        items.extend(
            SigvecFuzz.from_parent(
                session, name=f"sigvec_fuzz::{scheme}", nodeid=f"sigvec_fuzz::{scheme}", path=corpus.root, scheme=scheme,
                adapter=adapter, corpus=corpus,
                known=known, examples=examples,
            )
            for scheme in fuzzed
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The vectors run in this session, counted as the gate counts them."""
    verdicts = config.stash.get(VERDICTS, [])
    if verdicts:
        from sigvec.gate.score import score

        terminalreporter.write_line(f"sigvec: {score(verdicts).summary()}")
