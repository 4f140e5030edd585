"""The maintainer's flow: inside a source checkout, the checkout's corpus is the one used and released."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sigvec.cli import main
from sigvec.corpus import packaged_root
from tests.support.corpus import REPO


def checkout(tmp_path: Path, project: str = "sigvec") -> Path:
    """A copy of the checkout's tracked files (the lint holds citations to files of the repository) under
    another project's name when asked."""
    root = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, root / name)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{project}"\n', encoding="utf-8")
    return root


def test_inside_a_checkout_its_vectors_win_over_the_installed_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = checkout(tmp_path)
    monkeypatch.chdir(root / "docs")
    assert packaged_root() == root / "vectors"


def test_a_folder_of_another_project_is_not_taken_for_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = checkout(tmp_path, project="not-sigvec")
    monkeypatch.chdir(root)
    assert packaged_root() != root / "vectors"


def test_record_ids_in_a_checkout_writes_the_checkouts_released_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = checkout(tmp_path)
    released = root / "vectors" / "released-ids.txt"
    lines = released.read_text(encoding="utf-8").splitlines(keepends=True)
    released.write_text("".join(lines[:-1]), encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("SIGVEC_VECTORS", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["lint", "--record-ids"]) == 0
    assert "recorded 1 new ID(s)" in capsys.readouterr().out
    assert released.read_text(encoding="utf-8").splitlines(keepends=True) == lines


def test_the_benchmark_runs_as_the_readme_prints_it() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    command = [sys.executable, "tools/bench_sign.py", "--rounds", "1", "--number", "1"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "mexc-spot-v3 sign() / bare" in result.stdout
