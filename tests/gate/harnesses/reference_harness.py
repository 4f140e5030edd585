"""A correct subprocess client: the reference signer behind sigvec.harness (the protocol's Python kit).

    reference_harness.py              protocol version 1, one command at a time
    reference_harness.py --pipeline N protocol version 2, declaring N commands in flight
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from signing.model import request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import wire_to_mapping
from sigvec.harness import serve

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
    pipeline = int(sys.argv[2]) if sys.argv[1:2] == ["--pipeline"] else None
    serve(IMPLEMENTATION, handle, pipeline=pipeline)
