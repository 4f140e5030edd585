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
    return vector.algorithm, vector.input["credentials"]["secret"], vector.expected["string_to_sign"]


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
