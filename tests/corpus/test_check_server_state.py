"""`check` runs each vector against the server it describes: known keys, seen nonces, the step and the allowed outcomes."""

from __future__ import annotations

from typing import Any

from sigvec.check import check_vector
from sigvec.corpus import Vector
from tests.support.corpus import repo_corpus


def variant(vector_id: str, **changes: Any) -> Vector:
    vector = repo_corpus().by_id()[vector_id]
    data = {key: value for key, value in vector.data.items() if changes.get(key, True) is not None}
    data.update({key: value for key, value in changes.items() if value is not None})
    return Vector(data, vector.file)


def test_a_replayed_nonce_is_rejected_only_when_the_server_has_seen_it() -> None:
    assert check_vector(variant("max-v2-0020")).problems == []
    assert check_vector(variant("max-v2-0020", server_state=None)).problems != []


def test_an_unknown_key_is_unknown_only_when_known_keys_leaves_it_out() -> None:
    assert check_vector(variant("peatio-v2-0022")).problems == []
    assert check_vector(variant("peatio-v2-0022", server_state={"known_keys": ["accesskey"]})).problems != []


def test_the_recorded_step_must_be_the_step_that_fires() -> None:
    vector = repo_corpus().by_id()["bitunix-0019"]
    assert check_vector(vector).problems == []
    wrong = variant("bitunix-0019", error={**vector.data["error"], "step": "signature"})
    assert any("step" in problem for problem in check_vector(wrong).problems)


def test_an_acceptable_vector_must_get_one_of_its_server_outcomes() -> None:
    assert check_vector(variant("max-v2-0015")).problems == []
    assert check_vector(variant("max-v2-0015", server_outcomes=[2007])).problems != []


def test_a_listed_code_the_reference_answers_must_come_at_the_vectors_rejection_step() -> None:
    assert check_vector(variant("coinex-v1-0008")).problems == []
    assert any("step" in problem for problem in check_vector(variant("coinex-v1-0008", rejection_step="signature")).problems)
