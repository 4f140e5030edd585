"""The corpus, run against the reference: one test per vector, so a failure names it."""

from __future__ import annotations

import pytest
from conftest import CORPUS, VECTORS, vector_param
from jsonschema import Draft202012Validator

from sigvec.check import check_vector
from sigvec.corpus import Vector
from sigvec.lint import lint


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in VECTORS])
def test_reference_and_verifier_agree_with_the_vector(vector: Vector) -> None:
    assert check_vector(vector).problems == []


def test_corpus_passes_lint() -> None:
    assert lint(CORPUS) == []


def test_the_vector_schema_is_a_valid_json_schema_2020_12() -> None:
    Draft202012Validator.check_schema(CORPUS.schema)
    assert CORPUS.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_flag_in_use_is_defined_and_every_defined_flag_is_used() -> None:
    used = {flag for vector in VECTORS for flag in vector.flags}
    assert used <= set(CORPUS.flags)
    assert set(CORPUS.flags) <= used
