"""The client harness kits: the gate protocol's client side, for harness authors.

Python (`from sigvec.harness import serve, Refused, Skipped`): the protocol loop,
reading a vector's input in the shapes clients take, the pinned clock, send
tracking for capture mode and the loopback check. The standard library only, so
a harness runs with its client's own interpreter (`pip install --no-deps sigvec`
there is enough).

Node: `sigvec kit node > sigvec-kit.mjs` writes the same kit as one ES module
with no dependencies (`node_kit()` returns its text).
"""

from __future__ import annotations

from importlib.resources import files

from sigvec import Refused, Skipped
from sigvec.harness.inputs import (
    PinnedClock,
    Sending,
    as_dict,
    body_kind,
    call_params,
    drop_added,
    form_pairs,
    json_body,
    loopback_base,
    loopback_only,
    pinned_timestamp,
    query_pairs,
    query_params,
    serve_offline,
)
from sigvec.harness.protocol import PROTOCOL_VERSION, answer, serve

__all__ = [
    "PROTOCOL_VERSION",
    "PinnedClock",
    "Refused",
    "Sending",
    "Skipped",
    "answer",
    "as_dict",
    "body_kind",
    "call_params",
    "drop_added",
    "form_pairs",
    "json_body",
    "loopback_base",
    "loopback_only",
    "node_kit",
    "pinned_timestamp",
    "query_pairs",
    "query_params",
    "serve",
    "serve_offline",
]

KITS = {"node": "kit.mjs"}
"""The kits shipped as files, by language: `sigvec kit LANGUAGE` prints one."""


def kit_text(language: str) -> str:
    """The text of the kit for `language` (a key of KITS), as shipped in the package."""
    return files("sigvec.harness").joinpath(KITS[language]).read_text(encoding="utf-8")


def node_kit() -> str:
    """The Node kit, one ES module: `sigvec kit node > sigvec-kit.mjs`."""
    return kit_text("node")
