"""Peatio's canonical query, rebuilt by real Ruby and ActiveSupport (`tools/peatio_to_query.rb`).

Every Peatio vector that names `ruby-activesupport` in provenance.confirmed_by
is run through Ruby's own `Hash#to_query`, all of them in one Ruby process.
ActiveSupport 5.2.1 and later (Debian ships 6.1) no longer sort the keys of a
hash inside an array (rails/rails#33341), while Rails 4.2, which Peatio's
server ran, does. Vectors flagged ActiveSupportNestedOrder therefore must
differ from the installed ActiveSupport and match it only once the Rails 4.2
sort is restored; the test asserts both, so the difference is never silent.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest

from sigvec.corpus import Vector
from tests.support.corpus import REPO, vector_param, vectors_of
from tests.support.tools import require_tool

SCRIPT = REPO / "tools" / "peatio_to_query.rb"
PEATIO = vectors_of("peatio-v2")
CLAIMED = [vector for vector in PEATIO if "ruby-activesupport" in vector.provenance["confirmed_by"]]


def sent_pairs(vector: Vector) -> list[list[str]]:
    """The decoded parameters the server sees: query pairs, then form pairs."""
    return [*vector.input.get("query", []), *vector.input.get("body", {}).get("form", [])]


@cache
def ruby_results() -> dict[str, dict[str, str]]:
    ruby = require_tool("ruby")
    cases = json.dumps([{"id": vector.id, "pairs": sent_pairs(vector)} for vector in CLAIMED])
    run = subprocess.run([ruby, str(Path(SCRIPT))], input=cases.encode(), capture_output=True, check=False)
    assert run.returncode == 0, f"ruby failed (is ruby-activesupport installed?): {run.stderr.decode()}"
    results: dict[str, dict[str, str]] = json.loads(run.stdout)
    return results


@pytest.mark.parametrize("vector", [vector_param(v) for v in CLAIMED if "ActiveSupportNestedOrder" not in v.flags])
def test_activesupport_to_query_gives_the_canonical_query(vector: Vector) -> None:
    result = ruby_results()[vector.id]
    assert result["activesupport"] == vector.expected["canonical_query"]
    assert result["rails42"] == vector.expected["canonical_query"]


@pytest.mark.parametrize("vector", [vector_param(v) for v in CLAIMED if "ActiveSupportNestedOrder" in v.flags])
def test_modern_activesupport_differs_from_rails_4_inside_arrays_of_hashes(vector: Vector) -> None:
    """ActiveSupport >= 5.2.1 keeps a nested hash's order under `k[]`; Rails 4.2 sorted it. The vector follows Rails 4.2."""
    result = ruby_results()[vector.id]
    assert result["activesupport"] != vector.expected["canonical_query"], "ActiveSupport now sorts inside arrays again"
    assert result["rails42"] == vector.expected["canonical_query"]


def test_every_valid_peatio_vector_is_confirmed_by_ruby() -> None:
    unconfirmed = [vector.id for vector in PEATIO if vector.result != "invalid" and vector not in CLAIMED]
    assert unconfirmed == []
