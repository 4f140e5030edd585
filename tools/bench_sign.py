"""Benchmark: each scheme's reference `sign()` against a bare HMAC on the same string to sign.

For every scheme it takes the first `valid` vector and prints the time of
`sign(request)`, the time of a bare
`hmac.new(secret, string_to_sign, sha256).hexdigest()` over that vector's
recorded string to sign, and their ratio. The yardstick is the same HMAC for
every scheme (for the SHA-256 and MD5 schemes too), so that the ratios compare.
Both are measured side by side in one run, in many short rounds interleaved
one with the other, and each time is the fastest round's: on a shared machine
a round that another process interrupts only ever runs slower, so the fastest
round is the one nearest the code's own cost (the `timeit` documentation's
advice), and the ratio of the two fastest rounds is steady where the ratio of
medians swings with the load. Target: `mexc-spot-v3` at most 2x.

It runs from a checkout as it is, installed or not:

    python tools/bench_sign.py [--rounds 200] [--number 200]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
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


def fastest(vector: Vector, rounds: int, number: int) -> tuple[float, float]:
    """Seconds per call of `sign()` and of the bare HMAC in their fastest rounds, measured in alternating rounds."""
    request = vector.request
    signer, baseline = (lambda: sign(request)), bare_hmac(vector)
    signed, bare = [], []
    for _ in range(rounds):
        signed.append(timeit.timeit(signer, number=number) / number)
        bare.append(timeit.timeit(baseline, number=number) / number)
    return min(signed), min(bare)


def representatives() -> list[Vector]:
    """The first valid vector of each scheme, the headline scheme first."""
    first: dict[str, Vector] = {}
    for vector in load_corpus(REPO / "vectors").vectors():
        if vector.result == "valid":
            first.setdefault(vector.scheme, vector)
    return sorted(first.values(), key=lambda vector: (vector.scheme != HEADLINE, vector.scheme))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    print(f"{'scheme':<26}{'vector':<28}{'sign() us':>10}{'hmac us':>10}{'ratio':>8}")
    ratios: dict[str, float] = {}
    for vector in representatives():
        signed, bare = fastest(vector, args.rounds, args.number)
        ratios[vector.scheme] = signed / bare
        print(f"{vector.scheme:<26}{vector.id:<28}{signed * 1e6:>10.2f}{bare * 1e6:>10.2f}{signed / bare:>7.1f}x")
    print(f"\n{HEADLINE} sign() / bare hmac.new(...).hexdigest(): {ratios[HEADLINE]:.1f}x (target: at most 2x)")


if __name__ == "__main__":
    main()
