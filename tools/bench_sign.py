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
medians swings with the load.

For `mexc-spot-v3` it also times, in the same rounds, the least any signer
with this output model must do (`least_signer`), and states the target against
that measured floor: `sign()` at most `TARGET_OVER_FLOOR` (1.6) times the
floor. (The earlier target, at most 2x a bare HMAC, lies below the floor
itself: one HMAC with its encodes and the three output records already cost
about 2x.)

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
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `python tools/bench_sign.py` from a checkout, whether or not sigvec is installed

from signing.http import HttpRequest  # noqa: E402
from signing.model import FormBody, Signed, Stages  # noqa: E402
from signing.registry import sign  # noqa: E402
from sigvec.corpus import Vector, load_corpus  # noqa: E402

HEADLINE = "mexc-spot-v3"
TARGET_OVER_FLOOR = 1.6


def bare_hmac(vector: Vector) -> Callable[[], str]:
    """One HMAC-SHA256 hexdigest over the vector's recorded string to sign: the least any signer must do."""
    secret = vector.input["credentials"]["secret"].encode()
    message = vector.expected["string_to_sign"].encode()
    return lambda: hmac.new(secret, message, hashlib.sha256).hexdigest()


def least_signer(vector: Vector) -> Callable[[], Signed]:
    """The least a signer with this output model must do for a form-body vector: join the pairs with no encoding
    and no check, one HMAC with its two `str.encode`, and build `Stages`, `HttpRequest` and `Signed`. No rule is
    applied, so its result is only right for text that needs no encoding; it measures a floor, not a signer."""
    request = vector.request
    assert isinstance(request.body, FormBody)
    pairs, secret, url = request.body.params, request.credentials.secret, f"https://api.mexc.com{request.path}"

    def sign_at_least() -> Signed:
        message = "&".join([f"{key}={value}" for key, value in pairs])
        sig = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        stages = Stages(canonical_query="", string_to_sign=message, signature=sig)
        return Signed(stages, HttpRequest.from_text(request.method, url, (), f"{message}&signature={sig}"))

    return sign_at_least


def fastest(contenders: list[Callable[[], object]], rounds: int, number: int) -> list[float]:
    """Seconds per call of each contender in its fastest round, the contenders taking turns round by round."""
    times: list[list[float]] = [[] for _ in contenders]
    for _ in range(rounds):
        for contender, measured in zip(contenders, times, strict=True):
            measured.append(timeit.timeit(contender, number=number) / number)
    return [min(measured) for measured in times]


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
    floor = 0.0
    for vector in representatives():
        contenders: list[Callable[[], object]] = [partial(sign, vector.request), bare_hmac(vector)]
        if vector.scheme == HEADLINE:
            contenders.append(least_signer(vector))
        signed, bare, *least = fastest(contenders, args.rounds, args.number)
        ratios[vector.scheme] = signed / bare
        floor = least[0] / bare if least else floor
        print(f"{vector.scheme:<26}{vector.id:<28}{signed * 1e6:>10.2f}{bare * 1e6:>10.2f}{signed / bare:>7.1f}x")
    over_floor = ratios[HEADLINE] / floor
    print(f"\n{HEADLINE} sign() / bare hmac.new(...).hexdigest(): {ratios[HEADLINE]:.2f}x")
    print(f"{HEADLINE} floor (one bare join, one HMAC, the three outputs; no rule applied): {floor:.2f}x")
    met = "met" if over_floor <= TARGET_OVER_FLOOR else "NOT met"
    print(f"{HEADLINE} sign() / floor: {over_floor:.2f}x (target: at most {TARGET_OVER_FLOOR}x): {met}")


if __name__ == "__main__":
    main()
