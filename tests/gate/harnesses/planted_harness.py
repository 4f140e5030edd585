"""A planted-bug MEXC client (tests/support/planted_clients.py) behind the protocol's Python kit.

    planted_harness.py BUG [--pipeline N]   BUG: conforming, space_as_plus, stray_ampersand, ...
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from sigvec.harness import serve
from tests.support import planted_clients

if __name__ == "__main__":
    client = getattr(planted_clients, sys.argv[1])

    def handle(command: Mapping[str, Any]) -> dict[str, Any]:
        return {"wire": client(command["input"])}

    pipeline = int(sys.argv[3]) if sys.argv[2:3] == ["--pipeline"] else None
    serve(planted_clients.SIGVEC_IMPLEMENTATION, handle, pipeline=pipeline)
