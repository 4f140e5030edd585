"""The checkout's corpus for tests, through the one loader: loaded once on first use, never at import."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sigvec.corpus import Corpus, Vector, load_corpus

REPO = Path(__file__).resolve().parents[2]


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


def edited(root: Path, name: str, old: str, new: str) -> Path:
    """`root` with the first `old` in its file `name` replaced by `new` (which must be there)."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root
