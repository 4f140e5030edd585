"""The pytest plugin from a fresh project that installs the built wheel (tools/install-fresh-project makes that install)."""

from __future__ import annotations

from pathlib import Path

from tests.support.corpus import REPO, repo_vectors
from tests.support.release import run_installed

PYPROJECT = """\
[project]
name = "mysigner"
version = "0"

[tool.pytest.ini_options]
sigvec_signer = "mysigner:sign_for_sigvec"
sigvec_known_failures = "sigvec-known-failures.yaml"
"""
SIGNER = """\
from signing.model import request_from_mapping
from signing.registry import sign
from sigvec.codec import wire_to_mapping

SIGVEC_IMPLEMENTATION = {"name": "mysigner", "language": "python", "schemes": ["max-v2", "peatio-v2"]}


def sign_for_sigvec(data):
    if data["path"] == "/api/v3/withdrawal":
        raise ValueError("this client has no withdrawal call")
    return wire_to_mapping(sign(request_from_mapping(data)).wire)
"""


SCHEME_VECTORS = [vector for vector in repo_vectors() if vector.scheme in ("max-v2", "peatio-v2")]
WITHDRAWALS = [
    vector.id for vector in SCHEME_VECTORS if vector.input["path"] == "/api/v3/withdrawal" and vector.contract.fault != "request"
]
"""The vectors the signer fails by refusing them (refusing a request-fault input would pass), listed as known."""


def test_a_fresh_project_gets_one_test_per_vector_and_one_fuzz_test_per_scheme_from_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "mysigner.py").write_text(SIGNER)
    (tmp_path / "sigvec-known-failures.yaml").write_text(
        "".join(f"{vector_id}: {{reason: no withdrawal call}}\n" for vector_id in WITHDRAWALS)
    )
    installed = run_installed(tmp_path, "-c", "import sigvec; print(sigvec.__file__)").stdout
    assert not installed.startswith(str(REPO / "sigvec"))
    result = run_installed(tmp_path, "-m", "pytest", "-p", "no:cacheprovider", "-rA")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED sigvec::max-v2-0001" in result.stdout
    assert WITHDRAWALS and all(f"XFAIL sigvec::{vector_id}" in result.stdout for vector_id in WITHDRAWALS)
    assert "PASSED sigvec_fuzz::max-v2" in result.stdout and "PASSED sigvec_fuzz::peatio-v2" in result.stdout
    assert f"{len(SCHEME_VECTORS) - len(WITHDRAWALS) + 2} passed, {len(WITHDRAWALS)} xfailed" in result.stdout
