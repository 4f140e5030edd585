"""Benchmark: verified requests per second of `sigvec serve` next to aiohttp's trivial handler, in one run.

Both servers are aiohttp low-level servers in their own process: `sigvec serve`
(every request routed, verified and answered natively) and a handler that
answers every request with a fixed 200 body. One client process sends the same
valid corpus requests, each re-signed with its own timestamp and nonce, to each, over the same number of connections,
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from signing.http import HttpRequest
from signing.model import request_from_mapping
from signing.registry import sign
from sigvec.corpus import load_corpus

TRIVIAL_BODY = b'{"ok":true}'
FIRST_INSTANT = 1_800_000_000_000


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


def renewed(value: Any, old: set[str], new: int) -> Any:
    """`value` with an old timestamp or nonce replaced by `new` wherever it occurs: a number equal to it, or in any text."""
    if isinstance(value, Mapping):
        return {key: renewed(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [renewed(item, old, new) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and str(value) in old:
        return new
    if isinstance(value, str):
        for text in old:
            value = value.replace(text, str(new))
    return value


def fresh_requests(count: int) -> list[tuple[str, HttpRequest]]:
    """`count` signed requests cycling through the valid vectors, each with its own timestamp and nonce.

    The server remembers nonces, so a repeated vector would be a replay; each
    request here is the vector's input with its time and nonce moved to a new
    value everywhere they occur, signed by the reference. Inputs that cannot be
    moved so (a non-epoch timestamp) are left out.
    """
    inputs = []
    for vector in load_corpus().vectors():
        old = {str(vector.input[name]) for name in ("timestamp", "nonce") if vector.input.get(name) is not None}
        if vector.result == "valid" and all(text.isdigit() and len(text) == 13 for text in old):
            inputs.append((vector.input, old))
    requests = []
    for index in range(count):
        data, old = inputs[index % len(inputs)]
        request = request_from_mapping(renewed(data, old, FIRST_INSTANT + index))
        requests.append((request.scheme, sign(request).wire))
    return requests


def measure(address: str, pid: int, mix: list[tuple[str, HttpRequest]], connections: int) -> tuple[float, float]:
    """Wall-clock requests per second, and requests per second of the server's CPU time."""
    cpu_before = cpu_seconds(pid)
    wall = asyncio.run(requests_per_second(address, mix, connections))
    return wall, len(mix) / (cpu_seconds(pid) - cpu_before)


async def requests_per_second(address: str, mix: list[tuple[str, HttpRequest]], connections: int) -> float:
    """Send every request of the mix over `connections` connections; each must be accepted."""
    queue = iter(mix)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:

        async def worker() -> None:
            for scheme, received in queue:
                url = URL(f"{address}/{scheme}{received.origin}", encoded=True)
                async with session.request(received.method, url, headers=list(received.headers),
                                           data=received.body or None) as response:
                    await response.read()
                    if response.status >= 500 or "X-Sigvec-Diagnosis" in response.headers:
                        raise RuntimeError(f"{scheme} {received.origin}: {response.status} (expected acceptance)")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return len(mix) / (time.perf_counter() - started)


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
    mix = fresh_requests(args.requests * args.rounds)
    verified_command = [sys.executable, "-m", "sigvec.cli", "serve", "--port", "0", "--clock", "request"]
    trivial_command = [sys.executable, __file__, "--trivial-server"]
    results: dict[str, list[tuple[float, float]]] = {"sigvec serve (verified)": [], "aiohttp trivial handler": []}
    with server(verified_command) as verified, server(trivial_command) as floor:
        for _ in range(args.rounds):
            batch, mix = mix[: args.requests], mix[args.requests :]
            for name, (address, pid) in zip(results, (verified, floor), strict=True):
                results[name].append(measure(address, pid, batch, args.connections))
    medians = {name: tuple(statistics.median(column) for column in zip(*rows, strict=True)) for name, rows in results.items()}
    print(f"{'server':<28}{'wall req/s':>12}{'req/s per server CPU s':>24}")
    for name, (wall, capacity) in medians.items():
        print(f"{name:<28}{wall:>12.0f}{capacity:>24.0f}")
    (verified_wall, verified_capacity), (floor_wall, floor_capacity) = medians.values()
    print(f"ratio verified / trivial: capacity {verified_capacity / floor_capacity:.2f} (target >= 0.50), "
          f"wall clock {verified_wall / floor_wall:.2f}")
    print(f"{args.requests} requests x {args.rounds} rounds, {args.connections} connections, fresh valid corpus requests")

if __name__ == "__main__":
    main()
