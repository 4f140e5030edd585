"""The gate's capture mode: a harness sends the request to the gate's loopback server and answers `{"sent": true}`.

The gate starts `sigvec.serve.MockExchange` once per run of a subprocess
harness, before the first `sign` (a `sign` must already carry a live base
URL, so the server cannot wait for the first `sent`; it holds no keys of its
own and starts in well under 0.1 s), with one unprefixed loopback port per
scheme, so each `sign` carries a base URL shaped like the exchange's own
(`http://127.0.0.1:PORT`, no path: a client that signs the path of its full
URL signs the exchange's path). For each vector the gate:
1. drains the server (a request left over from an earlier vector is dropped)
   and pins the vector's scheme to the vector's own server state, as
   `sigvec check` builds it: its server time (never the real clock, so window
   boundary vectors answer as they must), its key (unless the vector's
   `server_state` leaves it out) and a fresh replay store holding the
   vector's `seen_nonces`, so the client gets the answer the vector describes;
2. sends the `sign` command with that base URL;
3. after a `sent` reply, drains what arrived, waiting up to `ARRIVAL_GRACE_SECONDS`
   when nothing has yet (for a client that reports before its request is in).

Matching is by order: there is one outstanding `sign` at a time, so what
arrives between the `sign` and the reply belongs to that vector. The judged
request is the first that arrived for the vector's scheme with the vector's
method and path (the request the client built from the input; later ones are
its retries or reactions to the answer); when none has that method and path,
the first for the scheme. Any other request that arrived is named in the
verdict's message. Nothing arrived: `errored`. The judged request is the raw
`HttpRequest` (target as sent, headers in order, body bytes): the verifier reads
it, and its wire form (the exchange's base URL plus the target that arrived)
is compared with the reference byte for byte, so the loopback host never
counts.
"""

from __future__ import annotations

from dataclasses import replace
from types import TracebackType
from urllib.parse import unquote

from signing.http import HttpRequest
from signing.registry import scheme_named
from sigvec.corpus import Vector
from sigvec.gate.judge import server_context
from sigvec.gate.protocol import Answer, errored
from sigvec.serve import Arrival, MockExchange, Settings

ARRIVAL_GRACE_SECONDS = 1.0
"""How long the gate waits, after a `sent` reply, for a request that has not arrived yet."""
NOTHING_ARRIVED = "the client said it sent the request, but nothing arrived at the loopback server ({base_url})"


class CaptureServer:
    """The loopback server of one gate run, pinned to one vector at a time."""

    def __init__(self) -> None:
        self.server = MockExchange(Settings(scheme_ports=True))

    def __enter__(self) -> CaptureServer:
        self.server.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.server.close()

    def prepare(self, vector: Vector) -> str:
        """Forget what arrived so far, answer as `vector`'s server from now on, and give the base URL to send to."""
        self.server.drain()
        context = server_context(vector)
        if context is not None:
            self.server.pin(vector.scheme, context)
        return self.server.base_url(vector.scheme)

    def captured(self, vector: Vector, answer: Answer) -> Answer:
        """What a `sent` answer to `vector` resolves to: the request that arrived, as a `wire` answer, or `errored`."""
        arrived = self.server.drain(wait=ARRIVAL_GRACE_SECONDS)
        mine = [arrival for arrival in arrived if arrival.scheme == vector.scheme]
        if not mine:
            elsewhere = f"; it received {describe(arrived)}" if arrived else ""
            message = NOTHING_ARRIVED.format(base_url=self.server.base_url(vector.scheme)) + elsewhere
            return errored(message, answer.stderr)
        judged = next((arrival for arrival in mine if for_input(arrival.received, vector)), mine[0])
        others = [arrival for arrival in arrived if arrival is not judged]
        note = f"captured {len(arrived)} requests; judged {describe([judged])}, not {describe(others)}" if others else ""
        received = judged.received
        request = replace(received, target=scheme_named(vector.scheme).base_url.rstrip("/") + received.target)
        return Answer(
            "wire", request=request, message=note, stderr=answer.stderr, received=received, verdict=judged.verdict
        )


def for_input(received: HttpRequest, vector: Vector) -> bool:
    """Whether `received` is the request the vector's input asks for: its method and (decoded) path."""
    return received.method == vector.input["method"] and unquote(received.path) == unquote(vector.input["path"])


def describe(arrivals: list[Arrival]) -> str:
    """Requests named by seq, method and path (never their query, headers or body)."""
    return ", ".join(f"#{arrival.seq} {arrival.received.method} {arrival.received.path}" for arrival in arrivals)
