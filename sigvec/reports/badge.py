"""A shields.io endpoint badge: "N% exact" (counted by `sigvec.gate.score`), coloured by how close to 100% it is;
a failed run is red and says "failed", whatever its share."""

from __future__ import annotations

import json

from sigvec.gate.results import GateRun

COLOURS = ((100, "brightgreen"), (90, "green"), (75, "yellowgreen"), (50, "yellow"), (25, "orange"), (0, "red"))


def colour(percent: int) -> str:
    return next(name for floor, name in COLOURS if percent >= floor)


def render(run: GateRun) -> str:
    """The endpoint JSON (https://shields.io/badges/endpoint-badge)."""
    percent = run.total().exact_percent
    message, color = (f"{percent}% exact", colour(percent)) if run.succeeded else (f"failed, {percent}% exact", "red")
    label = f"sigvec {run.implementation.name}"
    return json.dumps({"schemaVersion": 1, "label": label, "message": message, "color": color}) + "\n"
