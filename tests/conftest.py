"""Shared test fixtures; the helpers tests import live in the `tests.support` package."""

from __future__ import annotations

import pytest

from sigvec.corpus import Corpus
from tests.support.corpus import repo_corpus


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return repo_corpus()
