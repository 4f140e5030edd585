"""Shared test fixtures: the repository's corpus and the external-tool policy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sigvec.corpus import Corpus, Vector, load_corpus

REPO = Path(__file__).resolve().parents[1]
CORPUS: Corpus = load_corpus(REPO / "vectors")
VECTORS: list[Vector] = list(CORPUS.vectors())


def vectors_of(*schemes: str) -> list[Vector]:
    return [vector for vector in VECTORS if vector.scheme in schemes]


def vector_param(vector: Vector) -> object:
    return pytest.param(vector, id=vector.id)


def require_tool(name: str) -> str:
    """The path of an external oracle. Missing in CI is a failure, never a silent skip."""
    path = shutil.which(name)
    if path is None:
        message = f"external oracle {name!r} is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
