"""Benchmark: diagnosing a failing request, side by side with verifying it.

For every client-fault invalid vector it prints the median time of
`diagnose(...)` (which runs the verifier, then the class search) and of the
reference verifier alone on the same request, and their ratio; then the
worst case, a signature no class reproduces (every class alone, then every
pair the search bound leaves), searched from both starting points as the gate
does (the vector's input, then the parameters read off the wire): every valid
vector sent with its signature replaced by zeros, the slowest and the median
of them printed. The targets: the worst case within 20 ms, the typical
(median) within 3 ms. Last, the axes property's shares: how many generated
clients with one and with two axis deviations are named (goal 100% and 95%).

    python tools/bench_diagnose.py [--rounds 15] [--number 20] [--clients 600]
"""

from __future__ import annotations

import argparse
import statistics
import sys
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
from sigvec.diagnose import diagnose_both
from sigvec.diagnose.examples import Examples
from sigvec.wire import read_carrier

REPO = Path(__file__).resolve().parents[1]
WORST_MS, TYPICAL_MS = 20.0, 3.0


def median_ms(action: Callable[[], object], rounds: int, number: int) -> float:
    return statistics.median(timeit.timeit(action, number=number) / number for _ in range(rounds)) * 1000


def timings(vector: Vector, received: HttpRequest, rounds: int, number: int, examples: Examples) -> tuple[float, float]:
    request = request_from_mapping(vector.input)
    context = ServerContext(vector.server_time or 0, StaticKeys({request.credentials.api_key: request.credentials.secret}))
    diagnosed = median_ms(lambda: diagnose_both(received, vector.scheme, context, request, examples=examples), rounds, number)
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
    parser.add_argument("--clients", type=int, default=600, help="generated clients per deviation count for the shares")
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
    unexplained_rows = []
    for vector in corpus.vectors():
        received = forged(wire_from_mapping(vector.expected["wire"]), vector.scheme) if vector.result == "valid" else None
        if received is not None:
            unexplained, verified = timings(vector, received, args.rounds, args.number, examples)
            unexplained_rows.append((unexplained, verified, vector.id))
    unexplained, verified, vector_id = max(unexplained_rows)
    typical = statistics.median(row[0] for row in unexplained_rows)
    print(f"{'unexplained: ' + vector_id:<28}{unexplained:>15.3f}{verified:>13.3f}{unexplained / verified:>8.1f}")
    rows = (
        ("slowest diagnosed vector", worst, WORST_MS),
        ("slowest unexplained request", unexplained, WORST_MS),
        ("typical unexplained request", typical, TYPICAL_MS),
    )
    for name, value, target in rows:
        print(f"{name}: {value:.2f} ms, {'under' if value <= target else 'OVER'} the {target:.0f} ms target")
    print_shares(args.clients)


def print_shares(count: int) -> None:
    """The axes property's shares (tests/diagnose/axes_property.py), over `count` generated clients each."""
    sys.path.insert(0, str(REPO))
    from tests.diagnose import axes_property

    for deviations, goal in ((1, 1.0), (2, 0.95)):
        named, applicable, _ = axes_property.share(count, deviations)
        rate = named / applicable if applicable else 0.0
        print(f"{deviations} axis deviation(s): {named}/{applicable} named ({rate:.1%}; goal {goal:.0%})")


if __name__ == "__main__":
    main()
