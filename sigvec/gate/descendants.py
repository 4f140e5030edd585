"""Finding every process a harness started, by a mark in its environment, so that none outlives the gate.

A harness runs in a session of its own, so killing its process group ends it
and every child that stayed in the group. A child that calls `setsid()` (or
daemonises with a double fork) leaves the group, and once its parent is gone
no process tree leads to it. What it keeps is its environment: the gate
starts each harness with `SIGVEC_HARNESS_RUN=<mark>`, every descendant
inherits it, and on Linux `/proc/<pid>/environ` shows it. A process that
rewrites its environment before its parent dies can still escape (a cgroup
would catch it; none is used). Elsewhere only the process group is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

MARK_VARIABLE = "SIGVEC_HARNESS_RUN"
PROC = Path("/proc")
KILL_ROUNDS = 50
"""How many times marked processes are looked for and killed: one that forks while it is being killed is caught next round."""


def run_mark() -> str:
    """A mark no other harness run shares."""
    return f"{os.getpid()}-{uuid.uuid4().hex}"


def marked_processes(mark: str) -> set[int]:
    """The live processes whose environment holds `MARK_VARIABLE=mark` (a zombie shows an empty environment)."""
    needle = f"\0{MARK_VARIABLE}={mark}\0".encode()
    found: set[int] = set()
    with contextlib.suppress(OSError), os.scandir(PROC) as entries:
        for entry in entries:
            if entry.name.isdigit():
                try:
                    environ = Path(entry.path, "environ").read_bytes()
                except OSError:
                    continue
                if needle in b"\0" + environ:
                    found.add(int(entry.name))
    return found


def kill_marked(mark: str) -> None:
    """SIGKILL every process that carries `mark`, round after round until none is left (or `KILL_ROUNDS` pass)."""
    for _ in range(KILL_ROUNDS):
        pending = marked_processes(mark)
        if not pending:
            return
        for pid in pending:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
