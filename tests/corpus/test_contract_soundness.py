"""A listed error code is the answer to the request the vector records, never a pass for a wrong signature.

An `acceptable` vector's `server_outcomes` may list an error code a server could answer to its expected
request. A client's own request passes with that code only when it is the expected request, or the same
request rejected at the vector's `rejection_step` (a step before the signature) and carrying the expected
signature. A rejection at the signature step is never a pass by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from signing.model import SigningError, request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import wire_to_mapping
from sigvec.corpus import ClientOutcome, Vector
from sigvec.gate.judge import Judge
from sigvec.gate.protocol import Answer, implementation_from_mapping
from sigvec.gate.results import VectorVerdict
from tests.support.corpus import repo_vectors
from tests.support.gate import reference_wire

VECTORS = repo_vectors()
BY_ID = {vector.id: vector for vector in VECTORS}
ACCEPTABLE = [vector for vector in VECTORS if vector.result == "acceptable"]
LISTING_A_CODE = [vector for vector in ACCEPTABLE if any(item != "accept" for item in vector.contract.server_outcomes)]


def judge(vector: Vector, wire: Mapping[str, Any]) -> VectorVerdict:
    implementation = implementation_from_mapping({"name": "t", "language": "python", "schemes": sorted(SCHEMES)})
    return Judge(implementation, BY_ID).judge(vector, Answer("wire", wire=wire))


def with_signature(data: Mapping[str, Any], signature: Callable[[str, str], str]) -> dict[str, Any]:
    """The reference's request for `data` with its signature replaced by `signature(reference_signature, string_to_sign)`."""
    signed = sign(request_from_mapping(data))
    wrong = signature(signed.stages.signature, signed.stages.string_to_sign or "")
    wire = wire_to_mapping(signed.wire)
    wire["headers"] = {name: value.replace(signed.stages.signature, wrong) for name, value in wire["headers"].items()}
    for part in ("url", "body"):
        if wire[part]:
            wire[part] = wire[part].replace(signed.stages.signature, wrong)
    return wire


def garbage_signature(vector: Vector) -> dict[str, Any]:
    """The reference's request with its signature replaced by random hex of the same length and case."""
    chance = random.Random(vector.id)

    def garbage(right: str, _: str) -> str:
        digits = "0123456789ABCDEF" if right.isupper() else "0123456789abcdef"
        while (text := "".join(chance.choice(digits) for _ in right)) == right:
            pass
        return text

    return with_signature(vector.input, garbage)


OTHER_ALGORITHMS: dict[str, Callable[[bytes, bytes], str]] = {
    "hmac-sha256": lambda secret, text: hmac.new(secret, text, hashlib.sha256).hexdigest(),
    "sha256-with-secret-suffix": lambda secret, text: hashlib.sha256(text + secret).hexdigest(),
}
"""Signature algorithms of other schemes, applied to a scheme's own string to sign."""


def wrong_scheme_requests(vector: Vector) -> list[dict[str, Any]]:
    """The input signed by every other scheme of the exchange that signs it, and the reference's request signed over
    its string to sign with each other scheme's algorithm: the requests of clients implementing another scheme."""
    scheme = SCHEMES[vector.scheme]
    requests = []
    for other in SCHEMES.values():
        if other.exchange == scheme.exchange and other.name != scheme.name:
            try:
                requests.append(wire_to_mapping(sign(request_from_mapping({**vector.input, "scheme": other.name})).wire))
            except SigningError:
                continue
    secret = str(vector.input["credentials"]["secret"]).encode()
    for name, algorithm in OTHER_ALGORITHMS.items():
        if name != scheme.algorithm.name:
            requests.append(with_signature(vector.input, signed_by(algorithm, secret)))
    return requests


def signed_by(algorithm: Callable[[bytes, bytes], str], secret: bytes) -> Callable[[str, str], str]:
    return lambda _, string_to_sign: algorithm(secret, string_to_sign.encode())


def test_every_acceptable_vector_listing_a_code_names_the_step_that_gives_it() -> None:
    assert LISTING_A_CODE
    assert all(vector.contract.rejection_step is not None for vector in LISTING_A_CODE)


@pytest.mark.parametrize("vector", ACCEPTABLE, ids=lambda vector: vector.id)
def test_a_garbage_signature_never_passes_an_acceptable_vector(vector: Vector) -> None:
    verdict = judge(vector, garbage_signature(vector))
    assert verdict.status == "fail", verdict.message


@pytest.mark.parametrize("vector", ACCEPTABLE, ids=lambda vector: vector.id)
def test_a_client_of_another_scheme_never_passes_an_acceptable_vector(vector: Vector) -> None:
    requests = wrong_scheme_requests(vector)
    assert requests, "no other scheme signs this input"
    assert [judge(vector, wire).status for wire in requests] == ["fail"] * len(requests)


@pytest.mark.parametrize("vector_id", ["coinex-v2-sha256-legacy-0001", "coinex-v2-sha256-legacy-0002"])
def test_a_plain_hmac_client_declared_under_the_legacy_scheme_fails_it_though_the_server_may_answer_4006(
    vector_id: str,
) -> None:
    vector = BY_ID[vector_id]
    hmac_request = wire_to_mapping(sign(request_from_mapping({**vector.input, "scheme": "coinex-v2"})).wire)
    verdict = judge(vector, hmac_request)
    assert (verdict.status, verdict.server) == ("fail", "4006")
    assert "passes only for the request this vector records" in verdict.message


def test_a_listed_code_at_the_named_step_passes_for_the_same_request_with_the_expected_signature() -> None:
    vector = BY_ID["coinex-v1-0008"]  # 227 at step window; coinex v1 signs the parameters sorted
    reordered = reference_wire({**vector.input, "query": list(reversed(vector.input["query"]))})
    verdict = judge(vector, reordered)
    assert (verdict.status, verdict.exact, verdict.server) == ("pass", False, "227")


def outcome(**changes: Any) -> ClientOutcome:
    """A client's request that is the same request as the expected one, with the expected signature, not byte-identical."""
    fields: dict[str, Any] = {
        "outcome": 227,
        "step": "window",
        "sent_expected": False,
        "difference": None,
        "signed_as_expected": True,
    }
    return ClientOutcome(**{**fields, **changes})


WINDOW = BY_ID["coinex-v1-0008"].contract


def test_the_contract_passes_a_listed_code_at_its_step_for_the_same_request_with_the_expected_signature() -> None:
    assert WINDOW.refuses(outcome()) is None


def test_the_contract_refuses_a_listed_code_at_another_step() -> None:
    assert WINDOW.refuses(outcome(step="request")) is not None


def test_the_contract_refuses_a_listed_code_before_the_signature_step_without_the_expected_signature() -> None:
    assert WINDOW.refuses(outcome(signed_as_expected=False)) is not None


def test_the_contract_refuses_a_listed_code_for_another_request() -> None:
    assert WINDOW.refuses(outcome(difference="query parameters differ")) is not None


def test_the_contract_refuses_a_rejection_at_the_signature_step_for_any_request_but_the_recorded_one() -> None:
    legacy = BY_ID["coinex-v2-sha256-legacy-0001"].contract
    assert legacy.refuses(outcome(outcome=4006, step="signature")) is not None
    assert legacy.refuses(outcome(outcome=4006, step="signature", sent_expected=True)) is None


def test_the_contract_passes_a_listed_code_only_for_the_recorded_request_when_the_vector_names_no_step() -> None:
    unnamed = type(WINDOW)(**{**WINDOW.__dict__, "rejection_step": None})
    assert unnamed.refuses(outcome()) is not None
    assert unnamed.refuses(outcome(sent_expected=True)) is None


def test_the_contract_passes_an_accepted_same_request_whatever_its_signature_looks_like() -> None:
    assert WINDOW.refuses(outcome(outcome="accept", step=None, signed_as_expected=False)) is None
