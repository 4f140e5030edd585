"""Shared test fixtures: the repository's corpus (through the one loader) and the external-tool policy."""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path
from typing import NoReturn

import pytest

from sigvec.corpus import Corpus, Vector, load_corpus

REPO = Path(__file__).resolve().parents[1]


@cache
def repo_corpus() -> Corpus:
    """The checkout's corpus, loaded once on first use (collection or a fixture), never at import."""
    return load_corpus(REPO / "vectors")


def repo_vectors() -> list[Vector]:
    return list(repo_corpus().vectors())


def vector_named(vector_id: str) -> Vector:
    return repo_corpus().by_id()[vector_id]


def vectors_of(*schemes: str) -> list[Vector]:
    return [vector for vector in repo_vectors() if vector.scheme in schemes]


def vector_param(vector: Vector) -> object:
    return pytest.param(vector, id=vector.id)


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return repo_corpus()


def missing(message: str) -> NoReturn:
    """Something a test needs is not installed: a failure in CI, never a silent skip; a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_tool(name: str) -> str:
    """The path of an external oracle (see `missing`)."""
    path = shutil.which(name)
    if path is None:
        missing(f"external oracle {name!r} is not installed (.ci/run installs it)")
    return path
