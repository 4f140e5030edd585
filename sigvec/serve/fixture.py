"""The `sigvec_server` pytest fixture: a running `MockExchange` (real HTTP on 127.0.0.1, ephemeral port).

The pytest plugin (`sigvec.pytest_plugin`) registers it in every test session
of a project that installs sigvec; the server (and aiohttp) is loaded only
when a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sigvec.corpus import Corpus
    from sigvec.serve.mock import MockExchange


def plugin_corpus(config: pytest.Config) -> Corpus:
    """The corpus the plugin runs: `--sigvec-vectors`, else the `sigvec_vectors` ini value, else the default."""
    from sigvec.corpus import load_corpus

    folder = config.getoption("sigvec_vectors", None) or config.getini("sigvec_vectors")
    return load_corpus(config.rootpath / str(folder) if folder else None)


@pytest.fixture
def sigvec_server(pytestconfig: pytest.Config) -> Iterator[MockExchange]:
    """A running mock exchange with the real clock and the test keys of the plugin's corpus (`plugin_corpus`);
    give a client `sigvec_server.base_url(scheme)` and judge `sigvec_server.drain()`."""
    from sigvec.diagnose.examples import Examples
    from sigvec.serve.mock import MockExchange
    from sigvec.serve.service import Settings
    from sigvec.serve.state import corpus_keys

    corpus = plugin_corpus(pytestconfig)
    with MockExchange(Settings(examples=Examples.of(corpus.vectors()), test_keys=corpus_keys(corpus))) as server:
        yield server
