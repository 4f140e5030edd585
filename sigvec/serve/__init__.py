"""The verifying mock exchange: `sigvec serve`, and `MockExchange` for Python tests and the gate's capture mode.

The names below are imported on first use (PEP 562), so that importing
`sigvec.serve.fixture` (which the pytest plugin does in every test session)
does not load aiohttp until a test asks for the server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sigvec.serve.app import DIAGNOSIS_HEADER, Arrival
    from sigvec.serve.mock import MockExchange
    from sigvec.serve.service import Service, Settings, run
    from sigvec.serve.state import Clock, ServeError

HOMES = {
    "DIAGNOSIS_HEADER": "sigvec.serve.app",
    "Arrival": "sigvec.serve.app",
    "MockExchange": "sigvec.serve.mock",
    "Service": "sigvec.serve.service",
    "Settings": "sigvec.serve.service",
    "run": "sigvec.serve.service",
    "Clock": "sigvec.serve.state",
    "ServeError": "sigvec.serve.state",
}

__all__ = ["DIAGNOSIS_HEADER", "Arrival", "Clock", "MockExchange", "ServeError", "Service", "Settings", "run"]


def __getattr__(name: str) -> Any:
    if name not in HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(HOMES[name]), name)
