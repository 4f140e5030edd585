"""Benchmark: verify cost with a replay store holding 100,000 live entries.

For the two schemes that consult a replay store (max-v2, peatio-v2) it
prints the median time of one `verify` call with no store, with an empty
`MemoryReplayStore`, and with one already holding `--live` unexpired entries,
and the ratio of the last to the first. Each call presents a fresh nonce, as
real traffic does, so every call records one more entry. The three are
measured side by side, interleaved round by round.

    python tools/bench_replay.py [--live 100000] [--rounds 15] [--number 500]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import statistics
import time
from collections.abc import Callable

from signing.http import HttpRequest
from signing.registry import verify
from signing.server import MemoryReplayStore, ReplayStore, ServerContext, StaticKeys

NOW = 1_700_000_000_000
KEY, SECRET = "bench-key", "bench-secret"


def max_request(nonce: int) -> HttpRequest:
    payload = base64.b64encode(json.dumps({"nonce": nonce, "path": "/api/v2/members/me.json"}).encode()).decode()
    signature = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    headers = (("X-MAX-ACCESSKEY", KEY), ("X-MAX-PAYLOAD", payload), ("X-MAX-SIGNATURE", signature))
    return HttpRequest("GET", f"/api/v2/members/me.json?nonce={nonce}", headers)


def peatio_request(tonce: int) -> HttpRequest:
    query = f"access_key={KEY}&tonce={tonce}"
    message = f"GET|/api/v2/members/me.json|{query}"
    signature = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return HttpRequest("GET", f"/api/v2/members/me.json?{query}&signature={signature}")


BUILDERS: dict[str, Callable[[int], HttpRequest]] = {"max-v2": max_request, "peatio-v2": peatio_request}


def filled(live: int) -> MemoryReplayStore:
    store = MemoryReplayStore()
    for index in range(live):
        store.record(f"key-{index % 97}", str(index), NOW, 60_000)
    return store


def timed(scheme: str, store: ReplayStore | None, nonces: range) -> float:
    """Median-ready mean seconds per verify over `nonces`, each a fresh, in-window nonce."""
    build = BUILDERS[scheme]
    requests = [build(NOW - 20_000 + nonce) for nonce in nonces]
    context = ServerContext(NOW, StaticKeys({KEY: SECRET}), store)
    start = time.perf_counter()
    for received in requests:
        verdict = verify(received, context, scheme)
        assert verdict.accepted, verdict.rejection
    return (time.perf_counter() - start) / len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=500)
    args = parser.parse_args()
    print(f"{'scheme':<12}{'no store (us)':>15}{'empty (us)':>12}{f'{args.live:,} live (us)':>20}{'ratio':>8}")
    for scheme in BUILDERS:
        empty, full = MemoryReplayStore(), filled(args.live)
        none_times, empty_times, full_times = [], [], []
        for round_index in range(args.rounds):
            nonces = range(round_index * args.number, (round_index + 1) * args.number)
            none_times.append(timed(scheme, None, nonces))
            empty_times.append(timed(scheme, empty, nonces))
            full_times.append(timed(scheme, full, nonces))
        bare, with_empty, with_full = (statistics.median(times) for times in (none_times, empty_times, full_times))
        print(f"{scheme:<12}{bare * 1e6:>15.1f}{with_empty * 1e6:>12.1f}{with_full * 1e6:>20.1f}{with_full / bare:>8.2f}")
        print(f"{'':<12}store holds {len(full):,} live entries after the run")


if __name__ == "__main__":
    main()
