"""A shields.io endpoint badge: "N% exact", coloured by how close to 100% it is."""

from __future__ import annotations

import json

from sigvec.gate.verdict import GateRun

COLOURS = ((100, "brightgreen"), (90, "green"), (75, "yellowgreen"), (50, "yellow"), (25, "orange"), (0, "red"))


def colour(percent: int) -> str:
    return next(name for floor, name in COLOURS if percent >= floor)


def render(run: GateRun) -> str:
    """The endpoint JSON (https://shields.io/badges/endpoint-badge)."""
    percent = run.total().exact_percent
    return (
        json.dumps(
            {
                "schemaVersion": 1,
                "label": f"sigvec {run.implementation.name}",
                "message": f"{percent}% exact",
                "color": colour(percent),
            }
        )
        + "\n"
    )
