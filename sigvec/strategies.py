"""Hypothesis strategies for a client author's own property tests, and the judge to check what a client made.

    from hypothesis import given
    from sigvec import strategies

    @given(strategies.inputs("mexc-spot-v3"))
    def test_my_client_signs_as_the_reference_does(vector_input):
        verdict = strategies.judge(vector_input, my_client_sign(vector_input))
        assert verdict.passed, "\\n".join(verdict.explanation())

`inputs(scheme)` draws a vector `input` mapping from the scheme's declared
surface (`signing.registry.Surface`): routes, placements, values from the
character classes that break clients (`CHARACTER_CLASSES`), number and
boolean text, nested JSON where the scheme has it, repeated keys, key orders,
the clock and the nonce. `judge(vector_input, output)` judges a client's
output for it (the wire mapping, or `{"wire": ..., "stages": ...}`) as
`sigvec gate` and `sigvec fuzz` do. This module's names are stable: they
change only with a major version.
"""

from sigvec.fuzz.oracle import judge_output as judge
from sigvec.fuzz.strategies import (
    BOOLEAN_TEXTS,
    CHARACTER_CLASSES,
    JSON_NUMBERS,
    NUMBER_TEXTS,
    PLACEMENTS,
    Cell,
    cells_of,
    classes_in,
    inputs,
    json_literals,
    table,
    text_values,
    values,
)

__all__ = [
    "BOOLEAN_TEXTS",
    "CHARACTER_CLASSES",
    "JSON_NUMBERS",
    "NUMBER_TEXTS",
    "PLACEMENTS",
    "Cell",
    "cells_of",
    "classes_in",
    "inputs",
    "json_literals",
    "judge",
    "table",
    "text_values",
    "values",
]
