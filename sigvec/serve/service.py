"""Running the mock exchange: one aiohttp server, its sites, and clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from signing.registry import SCHEMES
from signing.server import REPLAY_ENTRIES_PER_SPACE, MemoryReplayStore
from sigvec.diagnose.examples import Examples
from sigvec.keys import KeyInputError, key_file
from sigvec.serve.app import MAX_BODY_BYTES, Observer, ServeState, handler
from sigvec.serve.logs import configure, http_log, log_exchange
from sigvec.serve.record import Recorder
from sigvec.serve.state import Clock, ServeError, clock_from_text, key_stores

IDLE_TIMEOUT_SECONDS = 5.0
"""A connection that sends no complete request head for this long is closed (slowloris)."""
LINGER_SECONDS = 0.5
"""After cutting a request off, how long the server still drains what the client sends before closing."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 0
    keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    """API key -> secret, known to every scheme besides its test keys."""
    clock: Clock = field(default_factory=lambda: Clock("real"))
    scheme_ports: bool = False
    replay_entries: int = REPLAY_ENTRIES_PER_SPACE
    """Live nonces held per scheme and API key (each scheme has its own replay store, each key its own space)."""
    max_body: int = MAX_BODY_BYTES
    body_timeout: float = 10.0
    idle_timeout: float = IDLE_TIMEOUT_SECONDS
    examples: Examples | None = None
    """The example vectors a rejection's diagnosis cites (those of the corpus the caller loaded); None: rejections
    get no diagnosis (the gate's capture mode, whose judge diagnoses what fails its contract)."""
    test_keys: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    """Each scheme's test keys (`sigvec.serve.state.corpus_keys` of the corpus the caller loaded); the gate's capture
    mode holds none and pins each vector's key instead."""


class Service:
    """The running server: the prefixed port serving every scheme, and with `scheme_ports` one port per scheme."""

    def __init__(self, settings: Settings, observers: list[Observer]) -> None:
        self.settings = settings
        replay = {scheme: MemoryReplayStore(settings.replay_entries) for scheme in SCHEMES}
        self.state = ServeState(key_stores(settings.test_keys, settings.keys), settings.clock, replay,
                                max_body=settings.max_body, body_timeout=settings.body_timeout, examples=settings.examples)
        self._observers = [*observers, log_exchange]
        self._runners: list[web.ServerRunner] = []
        self.port = 0
        self.scheme_port: dict[str, int] = {}

    async def start(self) -> None:
        self.port = await self._listen(None, self.settings.port)
        if self.settings.scheme_ports:
            for offset, scheme in enumerate(SCHEMES, start=1):
                wanted = self.settings.port + offset if self.settings.port else 0
                self.scheme_port[scheme] = await self._listen(scheme, wanted)

    async def _listen(self, scheme: str | None, port: int) -> int:
        server = web.Server(handler(self.state, self._observers, scheme), keepalive_timeout=self.settings.idle_timeout,
                            lingering_time=LINGER_SECONDS, auto_decompress=False, access_log=None,
                            logger=http_log)
        runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        self._runners.append(runner)
        site = web.TCPSite(runner, self.settings.host, port)
        await site.start()
        address = runner.addresses[-1]
        return int(address[1])

    async def stop(self) -> None:
        """Stop listening, let requests in flight finish (answered and recorded), then close."""
        for runner in self._runners:
            await runner.cleanup()

    def base_url(self, scheme: str) -> str:
        """The base URL a client of `scheme` is given: its own port when it has one, else the prefix on the shared port."""
        host = f"[{self.settings.host}]" if ":" in self.settings.host else self.settings.host
        if scheme in self.scheme_port:
            return f"http://{host}:{self.scheme_port[scheme]}"
        if scheme not in SCHEMES:
            raise KeyError(scheme)
        return f"http://{host}:{self.port}/{scheme}"


def settings_from(
    host: str,
    port: int,
    keys: Path | None,
    clock: str,
    scheme_ports: bool,
    test_keys: Mapping[str, Mapping[str, str]],
    examples: Examples | None,
    replay_entries: int = REPLAY_ENTRIES_PER_SPACE,
) -> Settings:
    """Settings from the command line's values and the loaded corpus's test keys; a bad value is a `ServeError`
    naming the option."""
    if replay_entries < 1:
        raise ServeError(f"--replay-entries: must be at least 1; got {replay_entries}")
    highest = port + len(SCHEMES) if scheme_ports and port else port
    if not port >= 0 or highest > 65535:
        raise ServeError(f"--port: must be 0 (any free port) or a port up to {65535 - (len(SCHEMES) if scheme_ports else 0)}")
    try:
        secrets = key_file(keys).secrets(os.environ).secrets if keys else {}
    except KeyInputError as error:
        raise ServeError(str(error)) from None
    return Settings(host, port, secrets, clock_from_text(clock), scheme_ports, replay_entries, examples=examples,
                    test_keys=test_keys)


async def serve_until_signalled(settings: Settings, record: Path | None) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stopping.set)
    with Recorder.open(record) as recorder:
        service = Service(settings, [recorder.write] if recorder else [])
        try:
            await service.start()
        except OSError as error:
            await service.stop()
            raise ServeError(f"--host/--port: cannot listen on {settings.host}:{settings.port} ({error.strerror})") from None
        lines = [f"sigvec serve: listening on http://{settings.host}:{service.port}"]
        lines += [f"  {scheme:<26} {service.base_url(scheme)}" for scheme in SCHEMES]
        print("\n".join(lines), flush=True)
        await stopping.wait()
        await service.stop()
        print("sigvec serve: stopped", file=sys.stderr, flush=True)


def run(
    host: str,
    port: int,
    keys: Path | None,
    clock: str,
    record: Path | None,
    scheme_ports: bool,
    test_keys: Mapping[str, Mapping[str, str]],
    examples: Examples,
    replay_entries: int = REPLAY_ENTRIES_PER_SPACE,
    log_level: str = "warning",
) -> int:
    """`sigvec serve`: serve until SIGINT or SIGTERM, then stop cleanly; every answered request is recorded."""
    settings = settings_from(host, port, keys, clock, scheme_ports, test_keys, examples, replay_entries)
    configure(log_level)
    asyncio.run(serve_until_signalled(settings, record))
    return 0
