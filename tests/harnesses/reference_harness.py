"""A correct subprocess client: the reference signer behind clients/harness.py (the protocol's Python kit)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients"))

from harness import serve

from signing.model import request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import wire_to_mapping

IMPLEMENTATION = {
    "name": "sigvec-reference",
    "language": "python",
    "version": "test",
    "homepage": "https://example.invalid/sigvec",
    "schemes": sorted(SCHEMES),
}


def handle(command: Mapping[str, Any]) -> dict[str, Any]:
    signed = sign(request_from_mapping(command["input"]))
    return {"wire": wire_to_mapping(signed.wire), "stages": signed.stages.to_mapping()}


if __name__ == "__main__":
    serve(IMPLEMENTATION, handle)
