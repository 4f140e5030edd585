"""The `sigvec_server` pytest fixture: a running `MockExchange` (real HTTP on 127.0.0.1, ephemeral port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sigvec.serve.mock import MockExchange


@pytest.fixture
def sigvec_server() -> Iterator[MockExchange]:
    """A running mock exchange; give a client `sigvec_server.base_url(scheme)` and judge `sigvec_server.drain()`."""
    with MockExchange() as server:
        yield server
