"""docs/errata.md is generated from the corpus and never stale."""

from __future__ import annotations

from sigvec.corpus import Corpus
from sigvec.errata import errata_markdown
from tests.support.corpus import REPO


def test_the_committed_errata_file_is_what_sigvec_errata_generates(corpus: Corpus) -> None:
    committed = (REPO / "docs" / "errata.md").read_text(encoding="utf-8")
    assert committed == errata_markdown(corpus), "docs/errata.md is stale: run sigvec errata > docs/errata.md"


def test_every_doc_erratum_and_contradiction_vector_has_an_entry(corpus: Corpus) -> None:
    text = errata_markdown(corpus)
    errata = [v.id for v in corpus.vectors() if {"DocErratum", "DocContradiction"} & set(v.flags)]
    assert errata and all(f"### {vector_id} (" in text for vector_id in errata)


def test_an_erratum_entry_shows_the_documented_and_the_true_value(corpus: Corpus) -> None:
    text = errata_markdown(corpus)
    entry = text.split("### mexc-spot-v3-0001 (")[1].split("###")[0]
    assert "The document says: signature = `323c96ab85a745712e95e63cad28903dd8292e4a905e99c4ee3932023843a117`" in entry
    assert "True: signature = `fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a`" in entry


def test_scheme_weaknesses_are_listed_from_their_flag(corpus: Corpus) -> None:
    weaknesses = errata_markdown(corpus).split("## Scheme weaknesses")[1]
    flagged = [v.id for v in corpus.vectors() if "SchemeWeakness" in v.flags]
    assert flagged and all(f"### {vector_id} (" in weaknesses for vector_id in flagged)
    assert "DocErratum" not in weaknesses
