"""`sigvec vectors --format ccxt-static`: ccxt's static request test format, and what ccxt's own comparison sees in it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sigvec.cli import main
from sigvec.export_ccxt import ccxt_static, write_ccxt_static
from tests.support.corpus import REPO, repo_corpus, repo_vectors
from tests.support.tools import require_tool

CCXT_PYTHON = REPO / "clients" / "mexc-ccxt" / ".venv" / "bin" / "python"


def test_writes_one_file_per_exchange(tmp_path: Path) -> None:
    written = write_ccxt_static(repo_corpus(), tmp_path)
    assert sorted(path.name for path in written) == ["bitunix.json", "coinex.json", "max.json", "mexc.json", "peatio.json"]


def test_every_vector_is_one_entry_with_its_exact_wire_url_and_body() -> None:
    found = {
        entry["description"].split()[0]: entry
        for document in ccxt_static(repo_corpus()).values()
        for entries in document["methods"].values()
        for entry in entries
    }
    assert sorted(found) == sorted(vector.id for vector in repo_vectors())
    for vector in repo_vectors():
        wire = vector.expected["wire"]
        assert (found[vector.id]["url"], found[vector.id]["output"]) == (wire["url"], wire["body"]), vector.id


def test_skip_keys_are_the_clock_parameter_and_what_signing_adds() -> None:
    assert ccxt_static(repo_corpus())["mexc"]["skipKeys"] == ["signature", "timestamp"]


def test_output_type_is_both_for_an_exchange_that_sends_forms_and_json() -> None:
    documents = ccxt_static(repo_corpus())
    assert (documents["mexc"]["outputType"], documents["peatio"]["outputType"]) == ("both", "urlencoded")


def test_cli_writes_the_files_into_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vectors", "--format", "ccxt-static", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "mexc.json").read_text(encoding="utf-8"))["exchange"] == "mexc"
    assert str(tmp_path / "mexc.json") in capsys.readouterr().out


def test_cli_refuses_ccxt_static_without_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vectors", "--format", "ccxt-static"]) == 2
    assert capsys.readouterr().err.strip().startswith("sigvec vectors: error: --out:")


@pytest.fixture(scope="module")
def static_table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Per vector paired with a stored fixture, what ccxt's shipped comparison says: caught or waved through."""
    python = require_tool(str(CCXT_PYTHON))
    folder = tmp_path_factory.mktemp("ccxt-static")
    write_ccxt_static(repo_corpus(), folder)
    tool = str(REPO / "tools" / "ccxt_static_table.py")
    done = subprocess.run([python, tool, str(folder)], capture_output=True, text=True, timeout=120, check=True)
    rows = [line.split() for line in done.stdout.splitlines()[1:-2]]
    return {row[0]: "caught" if row[2] == "caught" else "waved through" for row in rows}


def test_ccxt_static_test_waves_through_bugs_that_change_only_order_separators_or_json_whitespace(
    static_table: dict[str, str],
) -> None:
    table = static_table
    waved = ["mexc-spot-v3-0004", "mexc-futures-v1-0003", "mexc-futures-v1-0005"]
    assert [table[vector_id] for vector_id in waved] == ["waved through"] * 3


def test_ccxt_static_test_catches_bugs_that_change_an_encoded_value(static_table: dict[str, str]) -> None:
    table = static_table
    caught = ["mexc-spot-v3-0006", "mexc-spot-v3-0008", "mexc-spot-v3-0010"]
    assert [table[vector_id] for vector_id in caught] == ["caught"] * 3


def test_only_known_client_bugs_are_played_as_a_clients_request(static_table: dict[str, str]) -> None:
    faults = {vector.id: vector.contract.fault for vector in repo_vectors()}
    assert static_table and {faults[vector_id] for vector_id in static_table} == {"client"}
