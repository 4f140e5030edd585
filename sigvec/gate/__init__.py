"""The gate: run any client, in any language, over the corpus and judge it by the client contract.

`run.run_gate` is the entry point; `run.command` is `sigvec gate`. The
protocol a harness speaks is in `protocol` (JSON Schemas in `schemas/`).
"""
