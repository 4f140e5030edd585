"""Running a real client's harness against the mock exchange: what the client tests share.

A harness runs in its client's own environment (`clients/<name>/install`
builds it); the client sends over real HTTP to a `MockExchange` on
127.0.0.1, and the tests read what arrived there.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from sigvec.serve import MockExchange
from tests.support.corpus import REPO, repo_corpus
from tests.support.tools import missing, require_tool

CLIENTS = REPO / "clients"


def harness_command(client: str, environment: str = ".venv") -> list[str]:
    """How the gate starts a client's harness; a client not installed fails in CI and skips elsewhere."""
    folder = CLIENTS / client
    if (folder / "harness.mjs").exists():
        node = require_tool("node")
        if not (folder / "node_modules").is_dir():
            missing(f"client {client!r} is not installed (.ci/run installs it)")
        return [node, str(folder / "harness.mjs")]
    return [require_tool(str(folder / environment / "bin" / "python")), str(folder / "harness.py")]


def sign_command(vector_id: str, server: MockExchange, seq: object = 1) -> dict[str, Any]:
    """The gate's `sign` command for a corpus vector, sending to the mock exchange's URL for its scheme."""
    vector = repo_corpus().by_id()[vector_id]
    data = json.loads(json.dumps(vector.input, default=str))
    return {"cmd": "sign", "seq": seq, "id": vector_id, "input": data, "base_url": server.base_url(vector.scheme)}


def converse(command: list[str], commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start the harness, send `start`, the commands and `stop`; its replies, in order."""
    lines = [{"cmd": "start", "version": 1}, *commands, {"cmd": "stop"}]
    completed = subprocess.run(
        command, input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True, text=True, timeout=120, check=True,
    )
    return [json.loads(line) for line in completed.stdout.splitlines()]
