"""The subprocess harness driver: one client process, spoken to in protocol v1, that can never hang the gate.

- Every reply is awaited for at most `timeout` seconds (`start` gets
  `start_timeout`, since a client may be slow to import).
- A harness that exits, or stops answering, is killed and started again, with
  `start` replayed, at most `max_restarts` times; after that every remaining
  vector is `errored` at once.
- A reply to another `seq`, a line that is not JSON, or a reply that breaks
  the schema is `errored` for that vector only.
- A reply line longer than `MAX_REPLY_CHARS` is `errored` for that vector
  (the line is read in pieces and dropped, never held whole).
- Whatever the harness writes to stderr while answering a vector is attached
  to that vector's answer (the last `STDERR_LIMIT` characters).
- The harness runs in a session of its own; when it is ended, its process
  group is killed, and on Linux so is every process that still carries the
  run's mark in its environment (`descendants.py`): children that called
  `setsid()` or daemonised included.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import IO, Any

from sigvec.gate.descendants import MARK_VARIABLE, kill_marked, run_mark
from sigvec.gate.protocol import (
    Answer,
    Implementation,
    ProtocolError,
    SignCommand,
    errored,
    read_sign_reply,
    read_start_reply,
    sign_command,
    start_command,
    stop_command,
)

MAX_REPLY_CHARS = 8 * 1024 * 1024
"""The longest reply line read (8 Mi characters: room for a 1 MB body and its stages, JSON-escaped)."""
STDERR_LIMIT = 8_000
STDERR_LINES_KEPT = 1_000
"""A harness that floods stderr costs the gate at most this many lines, until they are attached to a verdict."""
EXIT_GRACE_SECONDS = 2.0


class HarnessError(RuntimeError):
    """The harness could not be started at all: no vector can run."""


class LineTooLong:
    """Stands in the reply queue for a line longer than `MAX_REPLY_CHARS`, which was dropped."""


TOO_LONG = LineTooLong()
TOO_LONG_MESSAGE = f"the harness answered with a line longer than {MAX_REPLY_CHARS:,} characters (the reply cap)"


class _Process:
    """One running harness process, with threads that drain its stdout (into a queue) and stderr."""

    def __init__(self, argv: Sequence[str], cwd: str | None) -> None:
        self.mark = run_mark()
        try:
            self.popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env={**os.environ, MARK_VARIABLE: self.mark},
                start_new_session=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as error:
            raise HarnessError(f"cannot start the harness {argv[0]!r}: {error.strerror or error}") from None
        self._ended = False
        self.lines: queue.Queue[str | LineTooLong | None] = queue.Queue()
        self._stderr: list[str] = []
        self._stderr_lock = threading.Lock()
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._readers = [
            threading.Thread(target=self._read_stdout, args=(self.popen.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(self.popen.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self, stream: IO[str]) -> None:
        while line := stream.readline(MAX_REPLY_CHARS + 1):
            if len(line) <= MAX_REPLY_CHARS or line.endswith("\n"):
                self.lines.put(line)
                continue
            while line and not line.endswith("\n"):
                line = stream.readline(MAX_REPLY_CHARS)
            self.lines.put(TOO_LONG)
        self.lines.put(None)

    def _read_stderr(self, stream: IO[str]) -> None:
        while line := stream.readline(STDERR_LIMIT):
            with self._stderr_lock:
                self._stderr.append(line)
                if len(self._stderr) > STDERR_LINES_KEPT:
                    del self._stderr[: len(self._stderr) - STDERR_LINES_KEPT]

    def send(self, *messages: Mapping[str, Any]) -> bool:
        """Write command lines, flushed once; False if the harness no longer reads its stdin."""
        assert self.popen.stdin is not None
        try:
            self.popen.stdin.write("".join(json.dumps(message, ensure_ascii=False) + "\n" for message in messages))
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def take_stderr(self) -> str | None:
        """What the harness wrote to stderr since the last call, cut to its last `STDERR_LIMIT` characters."""
        with self._stderr_lock:
            text, self._stderr = "".join(self._stderr), []
        return text[-STDERR_LIMIT:] or None

    def end(self) -> None:
        """Kill the harness and every process it started (its process group, then every process carrying its
        mark), and give the output threads a moment to see the end. Idempotent.

        A stream whose reader is still blocked (a child of the harness may hold
        the pipe open) is left to its daemon thread: closing it would wait for
        that read.
        """
        if self._ended:
            return
        self._ended = True
        if hasattr(os, "killpg"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        elif self.popen.poll() is None:
            self.popen.kill()
        kill_marked(self.mark)
        self.popen.wait()
        for reader in self._readers:
            reader.join(EXIT_GRACE_SECONDS)
        streams = [self.popen.stdin] + [
            stream
            for stream, reader in zip((self.popen.stdout, self.popen.stderr), self._readers, strict=True)
            if not reader.is_alive()
        ]
        for stream in streams:
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def stop(self) -> None:
        """Ask the harness to stop, then make sure it has."""
        if self.send(stop_command()):
            assert self.popen.stdin is not None
            try:
                self.popen.stdin.close()
                self.popen.wait(EXIT_GRACE_SECONDS)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.end()


@dataclass(frozen=True)
class _Window:
    """A window of pipelined `sign` commands: sent to `process`, or not sent at all, each then answered `failed`."""

    commands: Sequence[SignCommand]
    process: _Process | None
    failed: Answer | None = None


class SubprocessHarness:
    """A client harness run as a subprocess and spoken to in protocol v1 (or v2, pipelined, if it declares it)."""

    def __init__(
        self,
        argv: Sequence[str],
        timeout: float = 5.0,
        start_timeout: float = 30.0,
        max_restarts: int = 3,
        cwd: str | None = None,
    ) -> None:
        if not argv:
            raise HarnessError("the harness command is empty")
        self.argv = tuple(argv)
        self.timeout = timeout
        self.start_timeout = max(start_timeout, timeout)
        self.restarts_left = max_restarts
        self.cwd = cwd
        self._process: _Process | None = None
        self.implementation: Implementation | None = None

    def start(self) -> Implementation:
        """Start the harness and read the implementation it declares; `HarnessError` if it cannot."""
        self._process = _Process(self.argv, self.cwd)
        process = self._process
        try:
            line = self._next_line(process, self.start_timeout) if process.send(start_command()) else None
        except TimeoutError:
            line = None
        if isinstance(line, LineTooLong):
            process.end()
            raise HarnessError(f"the harness's start reply is malformed ({TOO_LONG_MESSAGE})")
        if line is None:
            process.end()
            stderr = process.take_stderr()
            tail = f"; its stderr ends: {stderr.strip()[-500:]}" if stderr else ""
            raise HarnessError(
                f"the harness gave no start reply within {self.start_timeout:g} s (exit code {process.popen.returncode}){tail}"
            )
        try:
            self.implementation = read_start_reply(json.loads(line))
        except ValueError as error:
            process.end()
            rule = error if isinstance(error, ProtocolError) else "not a JSON line"
            raise HarnessError(f"the harness's start reply is malformed ({rule}): {line[:200]!r}") from None
        return self.implementation

    def sign(self, seq: int, vector_id: str, vector_input: Mapping[str, Any], base_url: str) -> Answer:
        """The harness's answer for one vector; never raises, never waits longer than `timeout`."""
        process = self._process
        if process is None or not self._drained(process):
            restarted = self._restart()
            if isinstance(restarted, Answer):
                return restarted
            process = restarted
        if not process.send(sign_command(seq, vector_id, vector_input, base_url)):
            return self._crashed(process, "exited before reading the command")
        try:
            line = self._next_line(process, self.timeout)
        except TimeoutError:
            process.end()
            return errored(f"the harness gave no answer within {self.timeout:g} s; it was killed", process.take_stderr())
        if line is None:
            return self._crashed(process, "exited while answering")
        if isinstance(line, LineTooLong):
            return errored(TOO_LONG_MESSAGE, process.take_stderr())
        try:
            reply = json.loads(line)
        except ValueError:
            return errored(f"the harness answered with a line that is not JSON: {line.strip()[:200]!r}", process.take_stderr())
        answer = read_sign_reply(reply, seq)
        stderr = process.take_stderr()
        return replace(answer, stderr=stderr) if stderr else answer

    def sign_batch(self, commands: Sequence[SignCommand]) -> list[Answer]:
        """The harness's answers to several `sign` commands, in order (see `sign_stream`)."""
        return list(self.sign_stream(commands))

    def sign_stream(self, commands: Iterable[SignCommand]) -> Generator[Answer, None, None]:
        """The harness's answers to `sign` commands, in order, with up to its declared `pipeline` (protocol version 2)
        outstanding at once; one at a time for a harness that declares none.

        Commands go in windows of `pipeline`. The next window is taken from
        `commands` while the harness answers the current one, and sent before
        the current one's answers are yielded: a caller that makes its commands
        lazily and judges each answer as it comes works while the harness does.
        A window in which the harness times out, exits or breaks the order errs
        its remaining commands; the next window restarts the harness. Closed
        early, it reads the answers still outstanding and drops them.
        """
        size = self.implementation.pipeline if self.implementation is not None else 1
        if size <= 1:
            for command in commands:
                yield self.sign(*command)
            return
        pending = iter(commands)
        first = list(islice(pending, size))
        sent = self._send_window(first) if first else None
        try:
            while sent is not None:
                upcoming = list(islice(pending, size))
                answers = self._read_window(sent)
                sent = self._send_window(upcoming) if upcoming else None
                yield from answers
        finally:
            if sent is not None:
                self._read_window(sent)

    def _send_window(self, commands: Sequence[SignCommand]) -> _Window:
        process = self._process
        if process is None or not self._drained(process):
            restarted = self._restart()
            if isinstance(restarted, Answer):
                return _Window(commands, None, restarted)
            process = restarted
        if not process.send(*(sign_command(*command) for command in commands)):
            return _Window(commands, None, self._crashed(process, "exited before reading its commands"))
        return _Window(commands, process)

    def _read_window(self, window: _Window) -> list[Answer]:
        process, commands = window.process, window.commands
        if process is None:
            assert window.failed is not None
            return [window.failed] * len(commands)
        answers: list[Answer] = []
        for seq, *_ in commands:
            try:
                line = self._next_line(process, self.timeout)
            except TimeoutError:
                process.end()
                line = None
            if line is None:
                lost = errored(f"the harness stopped answering its pipelined commands (exit code {process.popen.poll()})")
                return [*answers, *[lost] * (len(commands) - len(answers))]
            if isinstance(line, LineTooLong):
                answers.append(errored(TOO_LONG_MESSAGE))
                continue
            try:
                answers.append(read_sign_reply(json.loads(line), seq))
            except ValueError:
                answers.append(errored(f"the harness answered with a line that is not JSON: {line.strip()[:200]!r}"))
        stderr = process.take_stderr()
        return [*answers[:-1], replace(answers[-1], stderr=stderr)] if stderr else answers

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    def _next_line(self, process: _Process, timeout: float) -> str | LineTooLong | None:
        """The next stdout line, or None at the end of output; `TimeoutError` after `timeout` seconds."""
        try:
            return process.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None

    def _drained(self, process: _Process) -> bool:
        """Drop stray lines left from earlier answers; False if the harness has exited."""
        while True:
            try:
                if process.lines.get_nowait() is None:
                    return False
            except queue.Empty:
                return process.popen.poll() is None

    def _crashed(self, process: _Process, what: str) -> Answer:
        process.end()
        return errored(f"the harness {what} (exit code {process.popen.returncode})", process.take_stderr())

    def _restart(self) -> _Process | Answer:
        """A fresh harness process with `start` replayed, or the `errored` answer saying why there is none."""
        if self._process is not None:
            self._process.end()
        if self.restarts_left <= 0:
            return errored("the harness died and its restarts are used up")
        self.restarts_left -= 1
        try:
            self.start()
        except HarnessError as error:
            return errored(f"restarting the harness failed: {error}")
        assert self._process is not None
        return self._process
