"""Fuzz every scheme's verifier with hostile requests; it must answer each one and never raise.

Inputs come from the corpus: every vector's wire request, received as a
server receives it, then changed by one to three mutations (header values
replaced, dropped or duplicated; query, path, method or body replaced or
extended) drawn from a catalogue of known crash classes: digits `int()`
refuses (`²`, 5000 digits), lone surrogates, bytes that are not UTF-8,
bracket-laden and IPv6-looking text, JSON nested 100,000 deep, and values
of 1 MB. A share of inputs are *signed* by the reference from a hostile
`input` (query values, JSON body text), so that they pass the signature
check and reach the checks behind it.

It prints the number of inputs, the exceptions (with the first few
tracebacks), and the slowest calls, overall and on inputs of 1 MB or more.
On a shared machine one call can stall for reasons of its own (another
process, a garbage collection), so the 50 slowest inputs are timed again,
five times each, and the fastest of those runs is the figure printed: the
cost of the input, not of the moment.

    python tools/fuzz_verify.py [--inputs 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import heapq
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from signing.http import HttpRequest
from signing.model import SigningError, request_from_mapping
from signing.registry import SCHEMES, sign, verify
from signing.server import MemoryReplayStore, ServerContext, StaticKeys
from sigvec.codec import wire_from_mapping
from sigvec.corpus import Vector, load_corpus

REPO = Path(__file__).resolve().parents[1]
MEGABYTE = 1 << 20
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "get", "")

SMALL_TEXTS: tuple[str, ...] = (
    "", " ", "0", "00", "-1", "+1", "1e3", "1.5", "²", "١٢٣", "0x1f", "\ud800", "a\udfffb", "\x00", "\r\n",
    "9" * 5000, "1" * 25, "0" * 30 + "1", "%", "%zz", "%ED%A0%80", "%FF%FE", "http://[::1", "http://[", "//[::1]:99999",
    "[", "]", "a[", "a[]", "a[b][c]", "[]" * 3000, "a" + "[b]" * 3000, "{" * 100_000, "[" * 100_000,
    "é", "€", "😀", "null", "true", '{"a":1}', "a=1&b=2", "&&&", "=", "==", "+", "a=1&" * 3000,
)
HUGE_TEXTS: tuple[str, ...] = ("x" * MEGABYTE, "€" * (MEGABYTE // 3), "a=1&" * (MEGABYTE // 4), "%41" * (MEGABYTE // 3))
JSON_TEXTS: tuple[str, ...] = (
    "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "1" * 5000, "1e999999999",
    '{"a":' + "1" * 5000 + "}", '{"a":"\\ud800"}', "[" * 900 + "]" * 900, '{"a":1,"a":2}', "{}", "[]", "null",
)
SMALL_BODIES: tuple[bytes, ...] = (b"", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", *(text.encode() for text in JSON_TEXTS))
HUGE_BODIES: tuple[bytes, ...] = (b"x" * MEGABYTE, b"\xff" * MEGABYTE, ('{"a":"' + "x" * MEGABYTE + '"}').encode())


@dataclass(frozen=True)
class Case:
    scheme: str
    received: HttpRequest
    context: ServerContext
    what: str

    @property
    def size(self) -> int:
        texts = (self.received.path, self.received.query, *(v for pair in self.received.headers for v in pair))
        return len(self.received.body) + sum(len(text) for text in texts)


@dataclass(frozen=True)
class Base:
    vector: Vector
    received: HttpRequest
    keys: StaticKeys
    now_ms: int


def text(rng: random.Random, huge: float) -> str:
    return rng.choice(HUGE_TEXTS) if rng.random() < huge else rng.choice(SMALL_TEXTS)


def body(rng: random.Random, huge: float) -> bytes:
    if rng.random() < huge:
        return rng.choice(HUGE_BODIES)
    return rng.choice(SMALL_BODIES) if rng.random() < 0.7 else text(rng, 0).encode("utf-8", "surrogatepass")


Mutation = Callable[[HttpRequest, random.Random, float], HttpRequest]


def header_value(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    if not received.headers:
        return received
    index = rng.randrange(len(received.headers))
    headers = list(received.headers)
    headers[index] = (headers[index][0], text(rng, huge))
    return replace(received, headers=tuple(headers))


def header_drop(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    if not received.headers:
        return received
    index = rng.randrange(len(received.headers))
    return replace(received, headers=received.headers[:index] + received.headers[index + 1 :])


def header_duplicate(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    if not received.headers:
        return received
    name, value = rng.choice(received.headers)
    return replace(received, headers=(*received.headers, (name, value if rng.random() < 0.5 else text(rng, huge))))


def query_replace(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    return received.with_origin(query=text(rng, huge))


def query_extend(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    return received.with_origin(query=f"{received.query}&{text(rng, 0)}={text(rng, huge)}")


def body_replace(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    return replace(received, body=body(rng, huge))


def path_replace(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    return received.with_origin(path="/" + text(rng, huge))


def method_replace(received: HttpRequest, rng: random.Random, huge: float) -> HttpRequest:
    return replace(received, method=rng.choice(METHODS))


MUTATIONS: tuple[Mutation, ...] = (
    header_value, header_value, header_drop, header_duplicate, query_replace, query_extend,
    body_replace, body_replace, path_replace, method_replace,
)


def bases(vectors: Sequence[Vector]) -> list[Base]:
    """Every vector's wire request (the recorded one for invalid vectors, the reference's for the others)."""
    found = []
    for vector in vectors:
        try:
            request = request_from_mapping(vector.input)
            wire = wire_from_mapping(vector.expected["wire"]) if vector.result == "invalid" else sign(request).wire
        except SigningError:
            continue
        keys = StaticKeys({request.credentials.api_key: request.credentials.secret})
        found.append(Base(vector, wire, keys, vector.server_time or 0))
    return found


def hostile_input(vector: Vector, rng: random.Random, huge: float) -> HttpRequest | None:
    """The vector's input with a query value or the JSON body text made hostile, signed by the reference."""
    data = dict(vector.input)
    query = [list(pair) for pair in data.get("query") or []]
    if query and rng.random() < 0.6:
        rng.choice(query)[1] = text(rng, huge)
        data["query"] = query
    elif "body" in data:
        data["body"] = {"json_text": rng.choice(JSON_TEXTS)} if rng.random() < 0.5 else {"text": text(rng, huge)}
    else:
        data["query"] = [*query, ["x", text(rng, huge)]]
    try:
        return sign(request_from_mapping(data)).wire
    except SigningError:
        return None


def cases(vectors: Sequence[Vector], count: int, seed: int, huge: float = 0.004) -> Iterator[Case]:
    rng = random.Random(seed)
    known = bases(vectors)
    stores = {scheme: MemoryReplayStore(entries_per_space=count) for scheme in SCHEMES}
    for _ in range(count):
        base = rng.choice(known)
        received, names = base.received, list[str]()
        if rng.random() < 0.15:
            signed = hostile_input(base.vector, rng, huge)
            received, names = (signed, ["signed-hostile-input"]) if signed is not None else (received, [])
        for _ in range(rng.randint(0 if names else 1, 3)):
            mutation = rng.choice(MUTATIONS)
            received = mutation(received, rng, huge)
            names.append(mutation.__name__)
        now_ms = base.now_ms + rng.choice((0, 0, 1, -1, 30_001, -60_001))
        context = ServerContext(now_ms, base.keys, stores[base.vector.scheme])
        yield Case(base.vector.scheme, received, context, f"{base.vector.id} {'+'.join(names)}")


@dataclass
class Report:
    inputs: int = 0
    exceptions: Counter[str] | None = None
    tracebacks: list[str] | None = None
    slowest: tuple[float, str, int] = (0.0, "", 0)
    slowest_huge: tuple[float, str, int] = (0.0, "", 0)


RETIMED = 50


def retimed(case: Case) -> float:
    """The fastest of five more calls on `case`'s input, each with a fresh replay store."""
    times = []
    for _ in range(5):
        context = replace(case.context, replay=MemoryReplayStore())
        start = time.perf_counter()
        verify(case.received, context, case.scheme)
        times.append(time.perf_counter() - start)
    return min(times)


def run(vectors: Sequence[Vector], count: int, seed: int) -> Report:
    report = Report(exceptions=Counter(), tracebacks=[])
    assert report.exceptions is not None and report.tracebacks is not None
    slow: list[tuple[float, int, Case]] = []
    for index, case in enumerate(cases(vectors, count, seed)):
        report.inputs += 1
        start = time.perf_counter()
        try:
            verify(case.received, case.context, case.scheme)
        except Exception as error:  # the point of the run: any exception is a finding
            site = traceback.extract_tb(error.__traceback__)[-1]
            report.exceptions[f"{type(error).__name__} at {site.filename}:{site.lineno} ({case.scheme})"] += 1
            if len(report.tracebacks) < 3:
                report.tracebacks.append(f"{case.what}\n{traceback.format_exc()}")
        elapsed = time.perf_counter() - start
        heapq.heappush(slow, (elapsed, index, case))
        if len(slow) > RETIMED:
            heapq.heappop(slow)
        if case.size >= MEGABYTE and elapsed > report.slowest_huge[0]:
            report.slowest_huge = max(report.slowest_huge, (retimed(case), f"{case.scheme} {case.what}", case.size))
    for _, _, case in slow:
        report.slowest = max(report.slowest, (retimed(case), f"{case.scheme} {case.what}", case.size))
    report.slowest = max(report.slowest, report.slowest_huge)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    report = run(list(load_corpus(REPO / "vectors").vectors()), args.inputs, args.seed)
    assert report.exceptions is not None and report.tracebacks is not None
    print(f"inputs: {report.inputs} across {len(SCHEMES)} schemes in {time.perf_counter() - started:.0f} s")
    print(f"exceptions: {sum(report.exceptions.values())} at {len(report.exceptions)} sites")
    for site, number in report.exceptions.most_common():
        print(f"  {number:>6}  {site}")
    for text_block in report.tracebacks:
        print(text_block)
    for label, (elapsed, what, size) in (("slowest call", report.slowest), ("slowest call on >= 1 MB", report.slowest_huge)):
        print(f"{label}: {elapsed * 1000:.1f} ms, {size:,} bytes: {what}")


if __name__ == "__main__":
    main()
