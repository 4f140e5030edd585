"""The corpus, run against the reference: one test per vector, so a failure names it."""

from __future__ import annotations

import pytest
from conftest import CORPUS, VECTORS, vector_param

from sigvec.check import check_vector
from sigvec.corpus import Vector
from sigvec.lint import lint


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in VECTORS])
def test_reference_and_verifier_agree_with_the_vector(vector: Vector) -> None:
    assert check_vector(vector).problems == []


def test_corpus_passes_lint() -> None:
    assert lint(CORPUS) == []
