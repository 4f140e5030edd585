"""`MockExchange`: the verifying mock exchange in a background thread, for Python tests and the gate's capture mode."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from signing.server import ServerContext
from sigvec.serve.app import Arrival, ServeState
from sigvec.serve.service import Service, Settings


class MockExchange:
    """A running server on an ephemeral loopback port (port 0 unless `settings` says otherwise).

    `drain()` returns every request received since the last call, in arrival
    order. Use it as a context manager: the server runs inside the `with`.
    `pin(scheme, context)` makes the server answer one scheme as a given server
    state (time, keys, replay store), as the gate's capture mode does per vector.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._received: list[Arrival] = []
        self._arrived = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sigvec-serve", daemon=True)
        self.service = Service(self.settings, [self._keep])

    def _keep(self, arrival: Arrival) -> None:
        with self._arrived:
            self._received.append(arrival)
            self._arrived.notify_all()

    def __enter__(self) -> MockExchange:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.service.start(), self._loop).result()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening, let requests in flight finish, and end the background thread."""
        asyncio.run_coroutine_threadsafe(self.service.stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def base_url(self, scheme: str) -> str:
        """The base URL to give a client of `scheme` (see `Service.base_url`)."""
        return self.service.base_url(scheme)

    def drain(self, wait: float = 0.0) -> list[Arrival]:
        """Every request received since the last call, oldest first.

        With `wait`, when nothing has arrived yet, first wait up to that many
        seconds for the first request (for a client that reports before the
        server has its request).
        """
        with self._arrived:
            self._arrived.wait_for(lambda: bool(self._received), timeout=wait)
            drained, self._received = self._received, []
        return drained

    def pin(self, scheme: str, context: ServerContext) -> None:
        """Answer `scheme`'s requests as the server `context` describes (its time, keys and replay store)
        until the next `pin`; every other scheme goes back to the server's own clock, keys and replay store."""
        self.state.pinned = {scheme: context}

    @property
    def errors(self) -> int:
        """How many requests raised an unhandled error in the server (0 unless there is a bug)."""
        return self.state.errors

    @property
    def state(self) -> ServeState:
        return self.service.state
