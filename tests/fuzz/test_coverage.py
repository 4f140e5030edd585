"""`sigvec coverage`: the table of character class x placement x method, and the holes the new vectors fill."""

from __future__ import annotations

import pytest

from signing.registry import SCHEMES
from sigvec.cli import main
from sigvec.fuzz.coverage import corpus_cells, scheme_table
from sigvec.fuzz.strategies import CHARACTER_CLASSES, table
from sigvec.gate.adapters import InProcessAdapter
from sigvec.gate.run import run_gate
from tests.support import planted_clients
from tests.support.corpus import repo_corpus, vector_named


def test_the_table_has_a_row_per_character_class_and_a_column_per_method_and_placement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["coverage", "--scheme", "mexc-spot-v3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("mexc-spot-v3: the corpus covers ")
    assert lines[1].split() == ["DELETE", "query", "GET", "query", "POST", "form", "POST", "query"]
    assert [line.split()[0] for line in lines[2 : 2 + len(CHARACTER_CLASSES)]] == list(CHARACTER_CLASSES)


def test_a_cell_is_covered_exactly_when_a_vector_carries_that_class_that_way() -> None:
    covered = corpus_cells([vector_named("peatio-v2-0027")])
    assert covered == {("space", "query", "GET")}
    row = next(line for line in scheme_table("peatio-v2", covered) if line.startswith("space"))
    assert row.split()[1:] == ["x", ".", "."]


def test_a_mexc_spot_query_carries_a_space_reserved_characters_and_non_ascii_text() -> None:
    covered = corpus_cells([vector_named("mexc-spot-v3-0036")])
    wanted = {"space", "parenthesis", "colon", "slash", "comma", "exclamation", "latin-1", "beyond-latin-1"}
    assert {(name, "query", "POST") for name in wanted} <= covered


def test_a_query_only_client_writing_a_space_as_plus_fails_the_fixed_corpus_now() -> None:
    adapter = InProcessAdapter(planted_clients.space_as_plus, planted_clients.SIGVEC_IMPLEMENTATION)
    run = run_gate(adapter, repo_corpus(), ["mexc-spot-v3"], vectors=[vector_named("mexc-spot-v3-0036")])
    assert [verdict.status for verdict in run.verdicts] == ["fail"]


def test_every_scheme_has_a_table() -> None:
    assert all(table(name) for name in SCHEMES)
