"""Benchmark: diagnosing a failing request, side by side with verifying it.

For every client-fault invalid vector it prints the median time of
`diagnose(...)` (which runs the verifier, then the class search) and of the
reference verifier alone on the same request, and their ratio; then the
worst case, a signature no class reproduces (every class alone, then every
pair). The target is one failing vector diagnosed in under 10 ms.

    python tools/bench_diagnose.py [--rounds 15] [--number 20]
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from signing.model import Received, request_from_mapping
from signing.registry import verify
from signing.server import ServerContext, StaticKeys
from sigvec.corpus import Vector, load_corpus
from sigvec.diagnose import diagnose
from sigvec.wire import received_from_mapping

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 10.0


def median_ms(action: Callable[[], object], rounds: int, number: int) -> float:
    return statistics.median(timeit.timeit(action, number=number) / number for _ in range(rounds)) * 1000


def timings(vector: Vector, received: Received, rounds: int, number: int) -> tuple[float, float]:
    request = request_from_mapping(vector.input)
    context = ServerContext(vector.server_time or 0, StaticKeys({request.credentials.api_key: request.credentials.secret}))
    diagnosed = median_ms(lambda: diagnose(received, vector.scheme, context, request), rounds, number)
    verified = median_ms(lambda: verify(received, context, vector.scheme), rounds, number)
    return diagnosed, verified


def forged(received: Received) -> Received:
    """`received` with its signature parameter replaced by one nothing reproduces."""
    body = received.body.decode().rsplit("=", 1)[0] + "=" + "0" * 64
    return replace(received, body=body.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=20)
    args = parser.parse_args()
    vectors = [vector for vector in load_corpus(REPO / "vectors").vectors() if vector.result == "invalid"]
    client_fault = [vector for vector in vectors if vector.data.get("fault", "client") == "client"]
    print(f"{'vector':<28}{'diagnose (ms)':>15}{'verify (ms)':>13}{'ratio':>8}")
    worst = 0.0
    for vector in client_fault:
        diagnosed, verified = timings(vector, received_from_mapping(vector.expected["wire"]), args.rounds, args.number)
        worst = max(worst, diagnosed)
        print(f"{vector.id:<28}{diagnosed:>15.3f}{verified:>13.3f}{diagnosed / verified:>8.1f}")
    stray = next(vector for vector in vectors if vector.id == "mexc-spot-v3-0004")
    unexplained, verified = timings(stray, forged(received_from_mapping(stray.expected["wire"])), args.rounds, args.number)
    print(f"{'unexplained (all pairs)':<28}{unexplained:>15.3f}{verified:>13.3f}{unexplained / verified:>8.1f}")
    verdict = "under" if worst < TARGET_MS else "OVER"
    print(f"slowest diagnosed vector: {worst:.2f} ms, {verdict} the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    main()
