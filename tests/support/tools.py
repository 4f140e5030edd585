"""The external-tool policy: a test that needs a tool fails in CI when it is missing, and skips elsewhere."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


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
