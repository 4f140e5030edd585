"""The harness side of the sigvec gate protocol, versions 1 and 2: the standard library only, to run in a client's interpreter.

A harness reads one JSON command per line on stdin and answers on stdout, one
JSON line per `start` and `sign`, flushed at once; `stop` ends it with no
reply. A client harness supplies its implementation metadata and one function
that turns a `sign` command into an answer:
- `{"wire": {...}}` (the request the client would send), or `{"sent": True}`
  (it sent the request to the command's `base_url`);
- or it raises `Refused` (the client refused the input) or `Skipped` (the
  client cannot express the vector). Any other exception becomes `errored`,
  with its traceback.
A harness that answers `sign` commands strictly in order may pass `pipeline`
(protocol version 2): when the gate speaks version 2 it then keeps that many
commands in flight. The protocol's JSON Schemas are in `sigvec/gate/schemas/`.
`Refused` and `Skipped` are `sigvec.Refused` and `sigvec.Skipped`, shared with
`--python` signers.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from sigvec import Refused, Skipped

PROTOCOL_VERSION = 1
PIPELINED_VERSION = 2


def answer(command: Mapping[str, Any], handle: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> dict[str, Any]:
    """The reply to one `sign` command."""
    seq = command.get("seq")
    try:
        return {"seq": seq, **handle(command)}
    except Refused as error:
        return {"seq": seq, "refused": {"message": str(error)}}
    except Skipped as error:
        skipped = {"message": str(error)} | ({"issue_url": error.issue_url} if error.issue_url else {})
        return {"seq": seq, "skipped": skipped}
    except Exception as error:  # a client's crash is a verdict, not the harness's end
        return {"seq": seq, "errored": {"message": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}}


def serve(
    implementation: Mapping[str, Any],
    handle: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    pipeline: int | None = None,
) -> None:
    """Answer gate commands until `stop` or end of input; with `pipeline`, declare it to a gate that speaks version 2."""
    for line in stdin:
        command = json.loads(line)
        if command.get("cmd") == "start":
            if command.get("version") != PROTOCOL_VERSION:
                sys.exit(f"harness speaks protocol version {PROTOCOL_VERSION}, not {command.get('version')}")
            reply: dict[str, Any] = {"version": PROTOCOL_VERSION, "implementation": dict(implementation)}
            if pipeline is not None and command.get("max_version", PROTOCOL_VERSION) >= PIPELINED_VERSION:
                reply.update(version=PIPELINED_VERSION, pipeline=pipeline)
        elif command.get("cmd") == "sign":
            reply = answer(command, handle)
        else:
            return
        stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        stdout.flush()
