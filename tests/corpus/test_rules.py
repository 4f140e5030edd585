"""rules.yaml and the rule pages: every undocumented choice a vector rests on is declared, and every citation can be followed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sigvec.corpus import Corpus, read_corpus
from sigvec.errata import errata_markdown
from sigvec.lint import lint
from sigvec.rules import citation_problems, citations
from tests.support.corpus import REPO, edited


def checkout_copy(tmp_path: Path) -> Path:
    """A copy of what the lint reads in a checkout: the corpus, the rule pages, and the pyproject that marks a checkout."""
    shutil.copytree(REPO / "vectors", tmp_path / "vectors")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_of(root: Path) -> list[str]:
    return lint(read_corpus(root / "vectors"))


def test_lint_refuses_an_error_code_the_schemes_page_does_not_source_unless_the_vector_names_its_choice(tmp_path: Path) -> None:
    root = edited(checkout_copy(tmp_path), "vectors/mexc/futures.yaml", "  choices: [mexc-futures-malformed-header-code]\n", "")
    assert (
        "mexc/futures.yaml: mexc-futures-v1-0022: error code 600 at step request is not documented for mexc-futures-v1 "
        "(docs/rules/mexc.md); name the choice mexc-futures-malformed-header-code"
    ) in lint_of(root)


def test_lint_refuses_a_vector_at_an_undocumented_bound_unless_it_names_the_choice(tmp_path: Path) -> None:
    root = edited(checkout_copy(tmp_path), "vectors/coinex/v2.yaml", "  choices: [coinex-v2-future-bound]\n", "")
    assert (
        "coinex/v2.yaml: coinex-v2-0021: its ahead rests on the choice coinex-v2-future-bound (an undocumented bound); "
        "name it in choices"
    ) in lint_of(root)


def test_lint_refuses_a_choice_that_is_not_declared_for_the_vectors_scheme(tmp_path: Path) -> None:
    choice = "  choices: [max-window-edge]\n"
    root = edited(checkout_copy(tmp_path), "vectors/max/max.yaml", choice, "  choices: [max-window-edge, coinex-v2-window-cap]\n")
    assert "max/max.yaml: max-v2-0015: choice coinex-v2-window-cap is not declared for max-v2" in lint_of(root)


def test_lint_refuses_a_choice_without_its_readings(tmp_path: Path) -> None:
    readings = "    readings: Accepted or refused; the exact boundary is not published.\n"
    root = edited(checkout_copy(tmp_path), "vectors/rules.yaml", readings, "")
    assert "rules.yaml: choices.max-window-edge: needs schemes, rule, readings, pick, why" in lint_of(root)


def test_lint_refuses_a_documented_code_its_rule_page_does_not_state(tmp_path: Path) -> None:
    root = edited(checkout_copy(tmp_path), "docs/rules/max.md", "| 2014 |", "| 20x4 |")
    assert "rules.yaml: documented.max-v2: code 2014 is not stated on docs/rules/max.md" in lint_of(root)


def test_lint_refuses_a_citation_of_a_file_that_is_not_in_the_repository(tmp_path: Path) -> None:
    source = "source: docs/rules/max.md, Payload (GET);"
    root = edited(checkout_copy(tmp_path), "vectors/max/max.yaml", source, source.replace("max.md", "maicoin.md"))
    missing = "cites docs/rules/maicoin.md, which is not a file of this repository"
    assert any(problem.startswith("max/max.yaml: max-v2-") and missing in problem for problem in lint_of(root))


def test_another_repositorys_file_is_cited_after_that_repositorys_name() -> None:
    text = "hpyhacking/peatio app/api/api_v2/errors.rb; `BitunixOfficial/open-api` `Demo/Python/x.py`; docs/rules/peatio.md"
    assert list(citations(text)) == ["docs/rules/peatio.md"]
    assert list(citations("codes from Demo/Python/error_codes.py")) == ["Demo/Python/error_codes.py"]


PAGES = [*sorted((REPO / "docs" / "rules").glob("*.md")), REPO / "docs" / "errata.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_rule_pages_and_the_errata_cite_only_files_that_exist(page: Path) -> None:
    assert citation_problems(page.name, page.read_text(encoding="utf-8"), REPO, page.parent) == []


def test_every_declared_choice_is_named_by_a_vector_and_listed_in_the_errata(corpus: Corpus) -> None:
    named = {name for vector in corpus.vectors() for name in vector.choices}
    declared = set(corpus.rules["choices"])
    assert named == declared
    page = errata_markdown(corpus)
    assert all(f"### {name} (" in page for name in declared)
