"""Every expected signature is recomputed from its recorded string to sign by
oracles that share no code with `signing/`, and provenance tells the truth
about which of them confirmed it."""

from __future__ import annotations

from functools import cache

import pytest

from sigvec.corpus import Vector
from tests.support.corpus import repo_vectors, vector_param
from tests.support.tools import require_tool
from tools import oracles

ALL = [vector_param(vector) for vector in repo_vectors()]


def recorded(vector: Vector) -> tuple[str | None, str]:
    return vector.expected.get("digest"), vector.expected["signature"]


def oracle_case(vector: Vector) -> tuple[dict[str, str], str, str]:
    """The algorithm and the two texts the signature was computed from, as the vector's `signed_with` says a client did."""
    secret, string_to_sign = vector.input["credentials"]["secret"], vector.expected["string_to_sign"]
    return vector.algorithm, *oracles.signing_texts(secret, string_to_sign, vector.signed_with)


@pytest.mark.parametrize("vector", ALL)
def test_openssl_recomputes_the_signature_from_the_string_to_sign(vector: Vector) -> None:
    require_tool("openssl")
    assert oracles.openssl_oracle(*oracle_case(vector)) == recorded(vector)


@pytest.mark.parametrize("vector", ALL)
def test_cryptography_recomputes_the_signature_from_the_string_to_sign(vector: Vector) -> None:
    assert oracles.cryptography_oracle(*oracle_case(vector)) == recorded(vector)


@cache
def node_results() -> dict[str, tuple[str | None, str]]:
    require_tool("node")
    vectors = repo_vectors()
    return dict(zip((v.id for v in vectors), oracles.node_oracle_batch([oracle_case(v) for v in vectors]), strict=True))


@pytest.mark.parametrize("vector", [vector_param(v) for v in repo_vectors() if "node" in v.provenance["confirmed_by"]])
def test_node_crypto_recomputes_the_signature_where_provenance_claims_it(vector: Vector) -> None:
    assert node_results()[vector.id] == recorded(vector)


@pytest.mark.parametrize("vector", [vector_param(v) for v in repo_vectors() if "document" in v.provenance["confirmed_by"]])
def test_document_confirmation_means_every_documented_value_matches(vector: Vector) -> None:
    documented = vector.provenance.get("documented", {})
    assert documented, "confirmed_by names document, but provenance has no documented values"
    assert {name: vector.expected[name] for name in documented} == documented


@pytest.mark.parametrize(
    "vector", [vector_param(v) for v in repo_vectors() if v.algorithm["name"] == "hmac-sha256" and "DocExample" in v.flags]
)
def test_documented_openssl_command_gives_the_expected_signature(vector: Vector) -> None:
    """The docs' own `openssl dgst -sha256 -hmac SECRET` command line, run as printed."""
    require_tool("openssl")
    secret, message = vector.input["credentials"]["secret"], vector.expected["string_to_sign"].encode()
    assert oracles.openssl_hmac_as_documented(secret, message) == vector.expected["signature"]


SIGNED_WITH = [v for v in repo_vectors() if v.signed_with]


@pytest.mark.parametrize("vector", [vector_param(v) for v in SIGNED_WITH])
def test_signed_with_is_what_makes_the_recorded_signature(vector: Vector) -> None:
    """The oracles reach the recorded signature only through `signed_with`: without it they compute another."""
    plain = (vector.algorithm, vector.input["credentials"]["secret"], vector.expected["string_to_sign"])
    assert oracles.cryptography_oracle(*plain) != recorded(vector)


@pytest.mark.parametrize("vector", [vector_param(v) for v in SIGNED_WITH if v.algorithm["name"] == "hmac-sha256"])
def test_openssl_command_line_keyed_as_signed_with_says_gives_the_signature(vector: Vector) -> None:
    """`printf %s MESSAGE | openssl dgst -sha256 -hmac KEY`, with the key and message `signed_with` names."""
    require_tool("openssl")
    _, key, message = oracle_case(vector)
    assert oracles.openssl_hmac_as_documented(key, message.encode()) == vector.expected["signature"]


def test_a_swapped_hmac_is_keyed_with_the_string_to_sign_and_hashes_the_secret() -> None:
    swapped = {"hmac": {"key": "string_to_sign", "message": "secret"}}
    assert oracles.signing_texts("s3cret", "a=1", swapped) == ("a=1", "s3cret")


def test_a_secret_suffix_follows_the_issued_secret() -> None:
    assert oracles.signing_texts("s3cret", "a=1", {"secret_suffix": "\n"}) == ("s3cret\n", "a=1")
