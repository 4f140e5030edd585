"""Benchmark: each scheme's reference `sign()` against a bare HMAC on the same string to sign.

For every scheme it takes the first `valid` vector and prints the median time
of `sign(request)`, the median time of a bare
`hmac.new(secret, string_to_sign, sha256).hexdigest()` over that vector's
recorded string to sign, and their ratio. The yardstick is the same HMAC for
every scheme (for the SHA-256 and MD5 schemes too), so that the ratios compare.
Both are measured side by side in one run, interleaved round by round, so
machine speed cancels out. Target: `mexc-spot-v3` at most 2x.

It runs from a checkout as it is, installed or not:

    python tools/bench_sign.py [--rounds 31] [--number 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `python tools/bench_sign.py` from a checkout, whether or not sigvec is installed

from signing.registry import sign  # noqa: E402
from sigvec.corpus import Vector, load_corpus  # noqa: E402

HEADLINE = "mexc-spot-v3"


def bare_hmac(vector: Vector) -> Callable[[], str]:
    """One HMAC-SHA256 hexdigest over the vector's recorded string to sign: the least any signer must do."""
    secret = vector.input["credentials"]["secret"].encode()
    message = vector.expected["string_to_sign"].encode()
    return lambda: hmac.new(secret, message, hashlib.sha256).hexdigest()


def medians(vector: Vector, rounds: int, number: int) -> tuple[float, float]:
    """Median seconds per call of `sign()` and of the bare HMAC, measured in alternating rounds."""
    request = vector.request
    signer, baseline = (lambda: sign(request)), bare_hmac(vector)
    signed, bare = [], []
    for _ in range(rounds):
        signed.append(timeit.timeit(signer, number=number) / number)
        bare.append(timeit.timeit(baseline, number=number) / number)
    return statistics.median(signed), statistics.median(bare)


def representatives() -> list[Vector]:
    """The first valid vector of each scheme, the headline scheme first."""
    first: dict[str, Vector] = {}
    for vector in load_corpus(REPO / "vectors").vectors():
        if vector.result == "valid":
            first.setdefault(vector.scheme, vector)
    return sorted(first.values(), key=lambda vector: (vector.scheme != HEADLINE, vector.scheme))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'scheme':<26}{'vector':<28}{'sign() us':>10}{'hmac us':>10}{'ratio':>8}")
    ratios: dict[str, float] = {}
    for vector in representatives():
        signed, bare = medians(vector, args.rounds, args.number)
        ratios[vector.scheme] = signed / bare
        print(f"{vector.scheme:<26}{vector.id:<28}{signed * 1e6:>10.2f}{bare * 1e6:>10.2f}{signed / bare:>7.1f}x")
    print(f"\n{HEADLINE} sign() / bare hmac.new(...).hexdigest(): {ratios[HEADLINE]:.1f}x (target: at most 2x)")


if __name__ == "__main__":
    main()
