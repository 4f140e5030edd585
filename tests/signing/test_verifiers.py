"""Every scheme's native verifier, as a server runs it: host-free, multi-key, with steps and rebuilt stages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from signing.http import HttpRequest
from signing.registry import SCHEMES, verify
from signing.server import StaticKeys
from sigvec.corpus import Vector
from tests.support.corpus import repo_vectors, vector_param
from tests.support.server import OTHER_KEYS, accepted_vector, signed_wire

VALID = [vector_param(vector) for vector in repo_vectors() if vector.result == "valid"]


def at_host(wire: HttpRequest, origin: str) -> HttpRequest:
    """The same request sent to another scheme, host and port."""
    after_authority = wire.target.partition("://")[2]
    target = after_authority[len(after_authority.split("/", 1)[0]) :]
    return replace(wire, target=origin + target)


@pytest.mark.parametrize("vector", VALID)
def test_every_scheme_accepts_its_valid_requests_sent_to_any_host(vector: Vector) -> None:
    wire, context = signed_wire(vector)
    verdict = verify(at_host(wire, "http://127.0.0.1:8080"), context, vector.scheme)
    assert verdict.accepted, verdict.rejection


@pytest.mark.parametrize("vector", VALID)
def test_an_accepting_verdict_carries_the_servers_rebuilt_string_to_sign_and_signature(vector: Vector) -> None:
    wire, context = signed_wire(vector)
    verdict = verify(wire, context, vector.scheme)
    assert verdict.stages is not None
    assert (verdict.stages.string_to_sign, verdict.stages.signature) == (
        vector.expected["string_to_sign"],
        vector.expected["signature"],
    )


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_an_unknown_api_key_is_refused_at_the_key_step(scheme: str) -> None:
    vector = accepted_vector(scheme)
    wire, context = signed_wire(vector)
    verdict = verify(wire, replace(context, keys=StaticKeys(OTHER_KEYS)), scheme)
    assert verdict.step == "key" and verdict.rejection is not None


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_a_signature_one_hex_digit_off_is_refused_at_the_signature_step_with_the_expected_stages(scheme: str) -> None:
    vector = accepted_vector(scheme)
    wire, context = signed_wire(vector)
    good = vector.expected["signature"]
    bad = good[:-1] + ("1" if good[-1] == "0" else "0")
    headers = tuple((k, v.replace(good, bad)) for k, v in wire.headers)
    tampered = replace(wire, target=wire.target.replace(good, bad), headers=headers)
    tampered = replace(tampered, body=tampered.body.replace(good.encode(), bad.encode()))
    verdict = verify(tampered, context, scheme)
    assert verdict.step == "signature"
    assert verdict.stages is not None and verdict.stages.signature == good


def test_bitunix_answers_10007_for_an_unknown_key_and_a_bad_signature_told_apart_by_step() -> None:
    vector = next(v for v in repo_vectors() if v.scheme == "bitunix" and v.result == "valid")
    wire, context = signed_wire(vector)
    unknown = verify(wire, replace(context, keys=StaticKeys(OTHER_KEYS)), "bitunix")
    forged = replace(wire, headers=tuple((k, "0" * 64 if k == "sign" else v) for k, v in wire.headers))
    bad = verify(forged, context, "bitunix")
    assert unknown.rejection is not None and bad.rejection is not None
    assert (unknown.rejection.code, unknown.step) == (10007, "key")
    assert (bad.rejection.code, bad.step) == (10007, "signature")
