"""JSON lines: a metadata line (sigvec and corpus versions, the implementation's start reply), then one line per vector.

Every line follows `sigvec/reports/schemas/gate-line.json`.
"""

from __future__ import annotations

import json

from sigvec.gate.protocol import PROTOCOL_VERSION
from sigvec.gate.results import GateRun


def render(run: GateRun) -> str:
    metadata = {
        "sigvec_version": run.sigvec_version,
        "corpus": dict(run.corpus),
        "started": run.started,
        "start_reply": {"version": PROTOCOL_VERSION, "implementation": dict(run.implementation.metadata)},
    }
    lines = [metadata, *(verdict.to_mapping() for verdict in run.verdicts)]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
