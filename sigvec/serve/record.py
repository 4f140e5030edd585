"""`--record FILE.jsonl`: one JSON line per request, written and flushed before the answer goes out."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sigvec.serve.app import Arrival
from sigvec.serve.state import ServeError


class Recorder:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, arrival: Arrival) -> None:
        line = json.dumps(arrival.to_mapping(), ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    @classmethod
    @contextmanager
    def open(cls, path: Path | None) -> Iterator[Recorder | None]:
        """A recorder appending to `path` (None: no recording), closed on exit."""
        if path is None:
            yield None
            return
        try:
            stream = path.open("a", encoding="utf-8")
        except OSError as error:
            raise ServeError(f"--record: cannot open {path} ({error.strerror})") from None
        with stream:
            yield cls(stream)
