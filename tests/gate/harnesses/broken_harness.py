"""A harness that misbehaves on purpose, one way per mode, to show the gate survives it.

    broken_harness.py MODE [STATE_FILE]

Modes: `crash` (exits on every sign, after writing to stderr), `crash-once`
(exits on its first sign only, remembered in STATE_FILE), `hang` (never
answers a sign), `garbage` (answers with a line that is not JSON),
`wrong-seq` (answers with another seq), `no-start` (exits before its start
reply), `mute` (never answers start),
`orphan` (starts a child that keeps stdout and stderr open, then hangs),
`setsid` (on its first sign, starts three children that call setsid() and one
that daemonises with a double fork, writes their PIDs to STATE_FILE, answers),
`long-line` (answers its first sign with a 20 Mi-character line, then answers),
`surrogates` (writes ANSI colours to stderr, and answers with lone surrogates
in a header, a stage and a refusal message).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from signing.model import request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import wire_to_mapping


def main(mode: str, state: Path | None) -> None:
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "start":
            if mode == "mute":
                time.sleep(3600)
            if mode == "no-start":
                sys.stderr.write("cannot load the client\n")
                sys.exit(4)
            reply = {"version": 1, "implementation": {"name": f"broken-{mode}", "language": "python", "schemes": sorted(SCHEMES)}}
        elif command["cmd"] == "sign":
            reply = answer(mode, command, state)
        else:
            return
        print(json.dumps(reply), flush=True)


def answer(mode: str, command: dict[str, object], state: Path | None) -> dict[str, object]:
    if mode == "crash" or (mode == "crash-once" and state is not None and not state.exists()):
        if state is not None:
            state.write_text("crashed")
        sys.stderr.write(f"segfault-like crash on {command['id']}\n")
        sys.stderr.flush()
        sys.exit(3)
    if mode == "orphan":
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    if mode in ("hang", "orphan"):
        time.sleep(3600)
    if mode == "setsid" and state is not None and not state.exists():
        state.write_text(" ".join(str(pid) for pid in escape_the_process_group()))
    if mode == "long-line" and command["seq"] == 1:
        return {"seq": 1, "padding": "a" * (20 * 1024 * 1024)}
    if mode == "garbage":
        print("this is not json", flush=True)
    seq = command["seq"]
    if mode == "wrong-seq":
        return {"seq": int(str(seq)) + 1000, "refused": {"message": "late"}}
    signed = sign(request_from_mapping(command["input"]))
    if mode == "surrogates":
        sys.stderr.write("\x1b[31mred\x1b[0m \x00\x07\n")
        sys.stderr.flush()
        if int(str(seq)) % 2:
            return {"seq": seq, "refused": {"message": "\ud800 ``` </details> \udfff"}}
        wire = wire_to_mapping(signed.wire)
        headers = {**wire["headers"], "X-Note": "\udc80"}
        return {"seq": seq, "wire": {**wire, "headers": headers}, "stages": {"signature": "\ud800"}}
    return {"seq": seq, "wire": wire_to_mapping(signed.wire)}


DAEMON = """
import os, time
os.setsid()
pid = os.fork()
if pid:
    print(pid, flush=True)
else:
    os.close(1)
    time.sleep(3600)
"""


def escape_the_process_group() -> list[int]:
    """Three children in sessions of their own, and a grandchild whose parent (in a new session) has exited."""
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    sleeper = [sys.executable, "-c", "import time; time.sleep(3600)"]
    pids = [subprocess.Popen(sleeper, start_new_session=True, **quiet).pid for _ in range(3)]  # type: ignore[call-overload]
    daemon = subprocess.run([sys.executable, "-c", DAEMON], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, check=True)
    return [*pids, int(daemon.stdout)]


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else None)
