"""Benchmark: the reference signer against a bare HMAC on the same string to sign.

For every scheme it prints the median time of `sign(request)` divided by the
median time of the scheme's bare digest over the vector's recorded string to
sign: `hmac.new(...).hexdigest()` for HMAC schemes, one `hashlib.sha256` over
the string and the secret for the others. Both are measured side by
side in one run, interleaved round by round, so machine speed cancels out.

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


def bare_digest(vector: Vector) -> Callable[[], object]:
    """The one primitive the scheme cannot avoid, on the recorded string to sign."""
    secret = vector.input["credentials"]["secret"].encode()
    message = vector.expected["string_to_sign"].encode()
    if vector.algorithm["name"] == "hmac-sha256":
        return lambda: hmac.new(secret, message, hashlib.sha256).hexdigest()
    return lambda: hashlib.sha256(message + secret).hexdigest()


def ratio(vector: Vector, rounds: int, number: int) -> tuple[float, float, float]:
    request = vector.request
    signer, baseline = (lambda: sign(request)), bare_digest(vector)
    signed, bare = [], []
    for _ in range(rounds):
        signed.append(timeit.timeit(signer, number=number) / number)
        bare.append(timeit.timeit(baseline, number=number) / number)
    median_signed, median_bare = statistics.median(signed), statistics.median(bare)
    return median_signed / median_bare, median_signed, median_bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    representatives: dict[str, Vector] = {}
    for vector in load_corpus(REPO / "vectors").vectors():
        if vector.result == "valid":
            representatives.setdefault(vector.scheme, vector)
    headline = representatives.pop("mexc-spot-v3")
    print(f"{'scheme':<28}{'vector':<26}{'sign (us)':>11}{'bare (us)':>11}{'ratio':>8}")
    headline_factor = 0.0
    for vector in (headline, *representatives.values()):
        factor, signed, bare = ratio(vector, args.rounds, args.number)
        headline_factor = headline_factor or factor
        print(f"{vector.scheme:<28}{vector.id:<26}{signed * 1e6:>11.2f}{bare * 1e6:>11.2f}{factor:>8.1f}")
    print(f"\nmexc-spot-v3 sign() / bare hmac.new(...).hexdigest(): {headline_factor:.1f}x")


if __name__ == "__main__":
    main()
