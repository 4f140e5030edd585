"""Benchmark: diagnosing a failing request, side by side with verifying it.

For every client-fault invalid vector it prints the median time of
`diagnose(...)` (which runs the verifier, then the class search) and of the
reference verifier alone on the same request, and their ratio; then the
worst case, a signature no class reproduces (every class alone, then every
pair the search bound leaves): every valid vector sent with its signature
replaced by zeros, the slowest of them printed. The target is one failing
vector diagnosed in under 10 ms.

    python tools/bench_diagnose.py [--rounds 15] [--number 20]
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from signing.http import HttpRequest
from signing.model import request_from_mapping
from signing.registry import scheme_named, verify
from signing.server import ServerContext, StaticKeys
from sigvec.codec import wire_from_mapping
from sigvec.corpus import Vector, load_corpus
from sigvec.diagnose import diagnose
from sigvec.diagnose.examples import Examples
from sigvec.wire import read_carrier

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 10.0


def median_ms(action: Callable[[], object], rounds: int, number: int) -> float:
    return statistics.median(timeit.timeit(action, number=number) / number for _ in range(rounds)) * 1000


def timings(vector: Vector, received: HttpRequest, rounds: int, number: int, examples: Examples) -> tuple[float, float]:
    request = request_from_mapping(vector.input)
    context = ServerContext(vector.server_time or 0, StaticKeys({request.credentials.api_key: request.credentials.secret}))
    diagnosed = median_ms(lambda: diagnose(received, vector.scheme, context, request, examples=examples), rounds, number)
    verified = median_ms(lambda: verify(received, context, vector.scheme), rounds, number)
    return diagnosed, verified


def forged(received: HttpRequest, scheme: str) -> HttpRequest | None:
    """`received` with its signature replaced by zeros, which no class reproduces; None when it carries none."""
    signature = read_carrier(received, scheme_named(scheme).signature)
    if not signature:
        return None
    zeros = "0" * len(signature)
    return replace(
        received.with_origin(query=received.query.replace(signature, zeros)),
        headers=tuple((name, zeros if value == signature else value) for name, value in received.headers),
        body=received.body.replace(signature.encode(), zeros.encode()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=20)
    args = parser.parse_args()
    corpus = load_corpus(REPO / "vectors")
    examples = Examples.of(corpus.vectors())
    vectors = [vector for vector in corpus.vectors() if vector.result == "invalid"]
    client_fault = [vector for vector in vectors if vector.contract.fault == "client"]
    print(f"{'vector':<28}{'diagnose (ms)':>15}{'verify (ms)':>13}{'ratio':>8}")
    worst = 0.0
    for vector in client_fault:
        diagnosed, verified = timings(vector, wire_from_mapping(vector.expected["wire"]), args.rounds, args.number, examples)
        worst = max(worst, diagnosed)
        print(f"{vector.id:<28}{diagnosed:>15.3f}{verified:>13.3f}{diagnosed / verified:>8.1f}")
    slowest = (0.0, 0.0, "")
    for vector in corpus.vectors():
        received = forged(wire_from_mapping(vector.expected["wire"]), vector.scheme) if vector.result == "valid" else None
        if received is not None:
            unexplained, verified = timings(vector, received, args.rounds, args.number, examples)
            slowest = max(slowest, (unexplained, verified, vector.id))
    unexplained, verified, vector_id = slowest
    print(f"{'unexplained: ' + vector_id:<28}{unexplained:>15.3f}{verified:>13.3f}{unexplained / verified:>8.1f}")
    for name, value in (("slowest diagnosed vector", worst), ("slowest unexplained request", unexplained)):
        verdict = "under" if value < TARGET_MS else "OVER"
        print(f"{name}: {value:.2f} ms, {verdict} the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    main()
