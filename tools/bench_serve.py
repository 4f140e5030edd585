"""Benchmark: verified requests per second of `sigvec serve` next to aiohttp's trivial handler, in one run.

Both servers are aiohttp low-level servers in their own process: `sigvec serve`
(every request routed, verified and answered natively) and a handler that
answers every request with a fixed 200 body. One client process sends the same
mix of valid corpus requests to each, over the same number of connections,
alternating round by round so machine load cancels out. It prints, per server,
the wall-clock requests per second (bounded by the Python client as much as by
the server) and the server's capacity: requests per second of the server
process's own CPU time (Linux /proc), which is what the target compares.

    python tools/bench_serve.py [--requests 4000] [--connections 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
from aiohttp import web
from yarl import URL

from signing.model import Received, received_from_wire
from sigvec.corpus import load_corpus
from sigvec.wire import wire_from_mapping

TRIVIAL_BODY = b'{"ok":true}'


async def trivial(request: web.BaseRequest) -> web.Response:
    """The framework's floor: read the body, answer a fixed JSON body."""
    await request.read()
    return web.Response(body=TRIVIAL_BODY, content_type="application/json")


async def serve_trivial() -> None:
    runner = web.ServerRunner(web.Server(trivial, access_log=None))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


@contextmanager
def server(command: list[str]) -> Iterator[tuple[str, int]]:
    """Start a server process; its base address (read from its first line) and its process id."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().rsplit(" ", 1)[1].strip(), process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def corpus_requests() -> list[tuple[str, Received]]:
    return [
        (vector.scheme, received_from_wire(wire_from_mapping(vector.expected["wire"])))
        for vector in load_corpus().vectors()
        if vector.result == "valid"
    ]


def measure(address: str, pid: int, mix: list[tuple[str, Received]], total: int, connections: int) -> tuple[float, float]:
    """Wall-clock requests per second, and requests per second of the server's CPU time."""
    cpu_before = cpu_seconds(pid)
    wall = asyncio.run(requests_per_second(address, mix, total, connections))
    return wall, total / (cpu_seconds(pid) - cpu_before)


async def requests_per_second(address: str, mix: list[tuple[str, Received]], total: int, connections: int) -> float:
    """Send `total` requests from the mix over `connections` connections; every answer must be the expected kind."""
    queue = iter(mix[index % len(mix)] for index in range(total))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:

        async def worker() -> None:
            for scheme, received in queue:
                url = URL(f"{address}/{scheme}{received.target}", encoded=True)
                async with session.request(received.method, url, headers=list(received.headers),
                                           data=received.body or None) as response:
                    await response.read()
                    if response.status >= 500 or "X-Sigvec-Diagnosis" in response.headers:
                        raise RuntimeError(f"{scheme} {received.target}: {response.status} (expected acceptance)")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trivial-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trivial_server:
        asyncio.run(serve_trivial())
        return
    mix = corpus_requests()
    verified_command = [sys.executable, "-m", "sigvec.cli", "serve", "--port", "0", "--clock", "request"]
    trivial_command = [sys.executable, __file__, "--trivial-server"]
    results: dict[str, list[tuple[float, float]]] = {"sigvec serve (verified)": [], "aiohttp trivial handler": []}
    with server(verified_command) as verified, server(trivial_command) as floor:
        for _ in range(args.rounds):
            for name, (address, pid) in zip(results, (verified, floor), strict=True):
                results[name].append(measure(address, pid, mix, args.requests, args.connections))
    medians = {name: tuple(statistics.median(column) for column in zip(*rows, strict=True)) for name, rows in results.items()}
    print(f"{'server':<28}{'wall req/s':>12}{'req/s per server CPU s':>24}")
    for name, (wall, capacity) in medians.items():
        print(f"{name:<28}{wall:>12.0f}{capacity:>24.0f}")
    (verified_wall, verified_capacity), (floor_wall, floor_capacity) = medians.values()
    print(f"ratio verified / trivial: capacity {verified_capacity / floor_capacity:.2f} (target >= 0.50), "
          f"wall clock {verified_wall / floor_wall:.2f}")
    print(f"{args.requests} requests x {args.rounds} rounds, {args.connections} connections, {len(mix)} valid corpus requests")

if __name__ == "__main__":
    main()
