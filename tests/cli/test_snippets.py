"""Every snippet of the README and the docs runs as printed, from the installed release (build/fresh-project-venv).

A page's code blocks are read in order. A block whose first line names a file
(`# my_signer.py`, `// my-harness.mjs`) is written into a fresh project under
that name; the README's files are there for every page, so the quick start's
signer serves the pages that build on it. Every `sh` block is then run in
that project with the installed release first on PATH, and must exit 0; a
`text` block right after it is the output it must print, exactly. The GitHub
Actions recipes run by the Action's own logic (`python -m sigvec.action`,
with the recipe's inputs mapped as action.yml and the reusable workflow map
them), and the tox recipe by its `commands`.

What cannot run here is listed in NOT_RUN with the reason and where it does
run, or in SKETCHES (fragments that need a client of your own); a block in
neither, or one listed that no page has any more, fails the test.
"""

from __future__ import annotations

import configparser
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.corpus import REPO
from tests.support.release import clean_environment, installed
from tests.support.tools import require_tool

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
FILE_LINE = re.compile(r"^(?:#|//) ([\w./-]+\.(?:py|mjs|toml|yaml|yml|ini))(?::.*)?$")
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
PLACEHOLDER_ACTION = "OWNER/sigvec@v1"
PLACEHOLDER_WORKFLOW = "OWNER/sigvec/.github/workflows/sigvec-gate.yml@v1"

INSTALL = "python3 -m venv .venv && . .venv/bin/activate && pip install "
"""The README's install lines (from the index, from a checkout): they reach the network, which tests never do;
tools/install-fresh-project installs the same release from the wheel it builds."""
NOT_RUN = {
    "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/sigvec check\n": (
        "the first of the two commands: installs from PyPI; tox's tests env runs `sigvec check` on the same install"
    ),
    "tools/install-test-tools && python3 -m venv .venv && .venv/bin/pip install -q tox && .venv/bin/tox\n": (
        "the second of the two commands: .ci/run runs it verbatim (test_the_test_command_is_what_ci_runs)"
    ),
}
"""Shell blocks that install from the network or run the whole suite, by their first line's prefix and why."""
SKETCHES = {
    "docs/how-to/mock-exchange.md": "fragments that call a client of your own (ccxt, requests, MyClient) against `sigvec serve`",
    "docs/reference/verifier.md": "a fragment of the Python API with the caller's own wire, key and clock",
    "docs/reference/vectors.md": "annotated excerpts of a vector file",
    "docs/fuzz.md": "the strategies example with the client's own signing function; tests/fuzz/test_strategies.py runs it",
}
"""Pages whose python, js and yaml blocks without a file name are fragments, not programs, and why."""


@dataclass(frozen=True)
class Block:
    document: Path
    language: str
    text: str
    output: str | None
    """The `text` block that follows a `sh` block: what it prints."""

    @property
    def file_name(self) -> str | None:
        match = FILE_LINE.match(self.text.split("\n", 1)[0])
        return match.group(1) if match else None


def blocks(document: Path) -> list[Block]:
    found = [(match.group(1), match.group(2), match.end()) for match in FENCE.finditer(document.read_text(encoding="utf-8"))]
    result = []
    for index, (language, text, _) in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else None
        output = following[1] if language == "sh" and following and following[0] == "text" else None
        result.append(Block(document, language, text, output))
    return result


def relative(document: Path) -> str:
    return document.relative_to(REPO).as_posix()


def page_project(document: Path, project: Path) -> None:
    """The README's files, then the page's own, written into `project`."""
    for source in dict.fromkeys([REPO / "README.md", document]):
        for block in blocks(source):
            if block.file_name and not block.file_name.startswith(".github/"):
                (project / block.file_name).parent.mkdir(parents=True, exist_ok=True)
                (project / block.file_name).write_text(block.text, encoding="utf-8")


def environment() -> dict[str, str]:
    venv_bin = str(Path(installed()).parent)
    return clean_environment(PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""), VIRTUAL_ENV=str(Path(venv_bin).parent))


def shell(command: str, cwd: Path, extra: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=environment() | dict(extra or {}),
        capture_output=True, text=True, timeout=300,
    )


def shell_blocks() -> Iterator[Any]:
    for document in DOCUMENTS:
        for index, block in enumerate(blocks(document)):
            if block.language == "sh" and not block.text.startswith(INSTALL) and block.text not in NOT_RUN:
                yield pytest.param(document, index, id=f"{relative(document)}#{index}")


@pytest.mark.parametrize(("document", "index"), list(shell_blocks()))
def test_every_shell_snippet_runs_as_printed_from_the_installed_release(document: Path, index: int, tmp_path: Path) -> None:
    page_blocks = blocks(document)
    block = page_blocks[index]
    if "node " in block.text:
        require_tool("node")
    cwd = REPO if "ports/node/" in block.text else tmp_path
    page_project(document, tmp_path)
    for earlier in page_blocks[:index]:  # a page's commands build on each other (the kit before the harness)
        if earlier.language == "sh" and earlier.text.startswith("sigvec kit "):
            assert shell(earlier.text, cwd).returncode == 0
    done = shell(block.text, cwd)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    if block.output is not None:
        assert done.stdout == block.output


def test_every_other_block_runs_as_a_file_of_its_page_or_is_a_named_fragment() -> None:
    unaccounted = [
        f"{relative(block.document)}: {block.text.splitlines()[0]}"
        for document in DOCUMENTS
        for block in blocks(document)
        if block.language in ("python", "js", "yaml", "toml", "ini")
        and block.file_name is None
        and relative(document) not in SKETCHES
    ]
    assert unaccounted == []


def test_the_not_run_and_sketch_lists_name_only_what_the_pages_still_have() -> None:
    shell_texts = {block.text for document in DOCUMENTS for block in blocks(document) if block.language == "sh"}
    assert set(NOT_RUN) <= shell_texts
    assert all((REPO / page).is_file() for page in SKETCHES)


def test_the_test_command_is_what_ci_runs() -> None:
    (test_command,) = [text for text in NOT_RUN if text.startswith("tools/install-test-tools")]
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").endswith("\n" + test_command)


def test_the_readme_install_lines_install_a_release_or_this_checkout_each_in_one_line() -> None:
    installs = [block.text for block in blocks(REPO / "README.md") if block.text.startswith(INSTALL)]
    assert installs == [INSTALL + "sigvec\n", INSTALL + ".\n"]


def workflow_recipes() -> list[dict[str, Any]]:
    document = REPO / "docs" / "how-to" / "github-actions.md"
    return [yaml.safe_load(block.text) for block in blocks(document) if (block.file_name or "").startswith(".github/workflows/")]


def action_environment(inputs: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, str]:
    """The environment a step maps from `inputs` (`${{ inputs.x }}` expressions), as the Action and workflow do."""
    environment: dict[str, str] = {}
    for name, expression in mapping.items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", str(expression))
        if match and match.group(1) in inputs:
            environment[name] = str(inputs[match.group(1)])
    return environment


def test_the_actions_recipes_run_by_the_actions_logic(tmp_path: Path) -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    (action_gate,) = [step for step in action["runs"]["steps"] if step["name"] == "sigvec gate"]
    reusable = yaml.safe_load((REPO / ".github" / "workflows" / "sigvec-gate.yml").read_text(encoding="utf-8"))
    (workflow_gate,) = [step for step in reusable["jobs"]["sigvec"]["steps"] if step.get("name") == "sigvec gate"]
    recipes = workflow_recipes()
    assert len(recipes) == 2
    for number, recipe in enumerate(recipes):
        (job,) = recipe["jobs"].values()
        if "uses" in job:
            assert job["uses"] == PLACEHOLDER_WORKFLOW
            inputs, mapping = job["with"], workflow_gate["env"]
        else:
            (step,) = [step for step in job["steps"] if step.get("uses") == PLACEHOLDER_ACTION]
            inputs, mapping = step["with"], action_gate["env"]
        project = tmp_path / str(number)
        project.mkdir()
        page_project(REPO / "docs" / "how-to" / "github-actions.md", project)
        summary = project / "summary.md"
        extra = action_environment(inputs, mapping) | {"GITHUB_STEP_SUMMARY": str(summary)}
        done = shell("python -m sigvec.action", project, extra)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "the gate **passed**" in summary.read_text(encoding="utf-8")


def test_the_tox_recipe_runs_by_its_commands(tmp_path: Path) -> None:
    page_project(REPO / "docs" / "how-to" / "github-actions.md", tmp_path)
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(tmp_path / "tox.ini")
    command = tox["testenv:sigvec"]["commands"].strip().replace("{envtmpdir}", str(tmp_path / "envtmp"))
    (tmp_path / "envtmp").mkdir()
    done = shell(command, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "envtmp" / "sigvec.xml").is_file()
