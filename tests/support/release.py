"""The released sigvec as a client author installs it: the wheel tools/build-release built, in build/fresh-project-venv.

tools/install-fresh-project makes that install; tests that run sigvec from it use `installed()`,
which fails in CI and skips elsewhere when it is missing, and `run_installed` with an environment
that carries nothing of this checkout (no PYTHONPATH, no SIGVEC_* variables).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.corpus import REPO
from tests.support.tools import missing

VENV = REPO / "build" / "fresh-project-venv"


def installed(program: str = "python") -> str:
    """The path of `program` in the fresh install of the built wheel."""
    path = VENV / "bin" / program
    if not path.is_file():
        missing(f"{path} is not installed (tools/install-fresh-project installs the built wheel there)")
    return str(path)


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what points at the checkout, plus `extra`."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "SIGVEC_", "PYTEST_", "GITHUB_"))}
    return kept | extra


def run_installed(project: Path, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run the installed Python with `argv` in `project`, offline, with `extra` in its environment."""
    return subprocess.run(
        [installed(), *argv], cwd=project, env=clean_environment(**extra), capture_output=True, text=True, timeout=300
    )
