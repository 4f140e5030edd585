"""JSON lines: a metadata line (sigvec and corpus versions, the implementation's start reply), then one line per vector.

Every line follows `sigvec/reports/schemas/gate-line.json`.
"""

from __future__ import annotations

import json
import re

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
    return "".join(json_line(line) + "\n" for line in lines)


ASCII_ONLY = re.compile("[\x85\u2028\u2029\ud800-\udfff]")
"""What JSON leaves unescaped but a line must not hold: a lone surrogate (UTF-8 cannot carry it) or a character that
`str.splitlines` and many readers take for a line break."""


def json_line(value: object) -> str:
    """`value` as one line of JSON text, in ASCII with `\\u` escapes when it holds anything of `ASCII_ONLY`."""
    text = json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if ASCII_ONLY.search(text) else text
