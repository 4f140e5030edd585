"""A harness that misbehaves on purpose, one way per mode, to show the gate survives it.

    broken_harness.py MODE [STATE_FILE]

Modes: `crash` (exits on every sign, after writing to stderr), `crash-once`
(exits on its first sign only, remembered in STATE_FILE), `hang` (never
answers a sign), `garbage` (answers with a line that is not JSON),
`wrong-seq` (answers with another seq), `no-start` (exits before its start
reply), `mute` (never answers start),
`orphan` (starts a child that keeps stdout and stderr open, then hangs).
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
    if mode == "garbage":
        print("this is not json", flush=True)
    seq = command["seq"]
    if mode == "wrong-seq":
        return {"seq": int(str(seq)) + 1000, "refused": {"message": "late"}}
    signed = sign(request_from_mapping(command["input"]))
    return {"seq": seq, "wire": wire_to_mapping(signed.wire)}


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else None)
