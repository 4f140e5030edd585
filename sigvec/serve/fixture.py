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
    from sigvec.serve.mock import MockExchange


@pytest.fixture
def sigvec_server() -> Iterator[MockExchange]:
    """A running mock exchange with the real clock; give a client `sigvec_server.base_url(scheme)` and judge
    `sigvec_server.drain()`."""
    from sigvec.serve.mock import MockExchange

    with MockExchange() as server:
        yield server
