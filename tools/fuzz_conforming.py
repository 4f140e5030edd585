"""The conforming clients pass `sigvec fuzz`: the reference in process, and the Node port through its harness.

    python tools/fuzz_conforming.py [--examples 10000] [--seed 19] [--no-node]

Prints, per client and scheme, the inputs judged and the failures found; exit 1 if any client fails any input.
Run with 10,000 examples per scheme for the record (docs/fuzz.md); the test suite runs it bounded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from signing.model import request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import signed_to_mapping
from sigvec.corpus import load_corpus
from sigvec.fuzz.runner import Fuzzer, FuzzSettings
from sigvec.gate.adapters import Adapter, InProcessAdapter
from sigvec.gate.harness import SubprocessHarness

REPO = Path(__file__).resolve().parents[1]


def reference(vector_input: Mapping[str, Any]) -> Mapping[str, Any]:
    signed = signed_to_mapping(sign(request_from_mapping(vector_input)))
    return {"wire": signed.pop("wire"), "stages": signed}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=10_000, help="generated inputs per scheme")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--no-node", action="store_true", help="leave out the Node port")
    args = parser.parse_args(argv)
    corpus = load_corpus(REPO / "vectors")
    declared = {"name": "reference", "language": "python", "schemes": sorted(SCHEMES)}
    clients: dict[str, Adapter] = {"reference (in process)": InProcessAdapter(reference, declared)}
    node = shutil.which("node")
    if not args.no_node:
        if node is None:
            print("node is not installed", file=sys.stderr)
            return 2
        clients["Node port (harness)"] = SubprocessHarness([node, str(REPO / "ports" / "node" / "harness.mjs")])
    failed = False
    for name, adapter in clients.items():
        run = Fuzzer(adapter, corpus).run([], FuzzSettings(max_examples=args.examples, seed=args.seed))
        for scheme in run.schemes:
            print(f"{name}: {scheme.scheme}: {scheme.judged} judged, {scheme.uncarried} not carried, "
                  f"{len(scheme.findings)} failures, {scheme.seconds:.1f} s")
            for finding in scheme.findings:
                print(f"  {finding.title}: {dict(finding.input)}")
        failed = failed or bool(run.findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
