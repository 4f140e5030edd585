"""The registry is the one list of schemes: every other list is generated from it or checked against it here."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace

import pytest

from signing import registry
from signing.http import HttpRequest
from signing.model import STAGE_NAMES, Rejection, Request, Signed, SigningError, Stages, last_value, request_from_mapping
from signing.registry import SCHEMES, Algorithm, Carrier, Scheme, register, scheme_named, scheme_table
from signing.server import STEPS, ServerContext, Verdict, accept, reject, signatures_match, sole_header
from sigvec.check import check_vector
from sigvec.corpus import Vector
from tests.support.corpus import REPO, repo_corpus, repo_vectors, vector_param
from tests.support.tools import require_tool
from tools import oracles

REGISTERED_ALGORITHMS = {scheme.algorithm.name for scheme in SCHEMES.values()}


def test_the_docs_scheme_table_is_the_one_the_registry_generates() -> None:
    page = (REPO / "docs" / "reference" / "schemes.md").read_text(encoding="utf-8")
    table = page.split("<!-- schemes -->\n", 1)[1].split("\n<!-- /schemes -->", 1)[0]
    assert table == scheme_table()


def test_the_schema_algorithm_enum_is_the_registrys_algorithms() -> None:
    algorithm = repo_corpus().schema["$defs"]["algorithm"]["properties"]
    assert set(algorithm["name"]["enum"]) == REGISTERED_ALGORITHMS
    assert {scheme.algorithm.hex_case for scheme in SCHEMES.values()} <= set(algorithm["hex_case"]["enum"])
    assert {scheme.algorithm.text_encoding for scheme in SCHEMES.values()} <= set(algorithm["text_encoding"]["enum"])


def test_the_schema_stage_names_are_the_models_stages() -> None:
    expected = repo_corpus().schema["$defs"]["expected"]["properties"]
    assert set(expected) - {"wire"} == set(STAGE_NAMES)


def test_the_schema_step_enum_is_the_verifiers_steps_in_order() -> None:
    error = repo_corpus().schema["$defs"]["vector"]["properties"]["error"]["properties"]
    assert tuple(error["step"]["enum"]) == STEPS


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in repo_vectors()])
def test_every_vector_records_exactly_the_stages_its_scheme_declares(vector: Vector) -> None:
    assert set(vector.expected) - {"wire"} == set(SCHEMES[vector.scheme].stages)


def test_the_oracles_compute_exactly_the_registrys_algorithms() -> None:
    assert set(oracles.ALGORITHMS) == REGISTERED_ALGORITHMS
    for name in oracles.ALGORITHMS:
        oracles.cryptography_oracle({"name": name}, "secret", "message")


def test_openssl_computes_every_registered_algorithm() -> None:
    require_tool("openssl")
    for name in REGISTERED_ALGORITHMS:
        assert oracles.openssl_oracle({"name": name}, "s", "m") == oracles.cryptography_oracle({"name": name}, "s", "m")


# --- a sixth exchange: one module, one registry entry -----------------------------------------------------------------
# "Toy" signs like several real exchanges do: base64 HMAC-SHA256 of timestamp + method + path + body, with the key,
# signature, timestamp and a passphrase in headers. Everything below the next line is what its module would hold.

TOY_BASE_URL = "https://api.toy.example"


def toy_string_to_sign(timestamp: str, method: str, path: str, body: str) -> str:
    """`timestamp + METHOD + path?query + body`, no separators."""
    return f"{timestamp}{method}{path}{body}"


def toy_signature(secret: str, message: str) -> str:
    """Standard base64 of the raw HMAC-SHA256 bytes."""
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()


def toy_sign(request: Request) -> Signed:
    if request.credentials.passphrase is None:
        raise SigningError("credentials.passphrase", "toy requires the passphrase issued with the key")
    timestamp = str(request.require_timestamp())
    message = toy_string_to_sign(timestamp, request.method, request.path, "")
    sig = toy_signature(request.credentials.secret, message)
    headers = (
        ("TOY-KEY", request.credentials.api_key),
        ("TOY-SIGN", sig),
        ("TOY-TIMESTAMP", timestamp),
        ("TOY-PASSPHRASE", request.credentials.passphrase),
    )
    wire = HttpRequest.from_text(request.method, TOY_BASE_URL + request.path, headers)
    return Signed(Stages(string_to_sign=message, signature=sig), wire)


def toy_verify(received: HttpRequest, context: ServerContext) -> Verdict:
    """Key, then signature; toy has no window, and the passphrase is checked by its account service, not here."""
    secret = context.keys.secret(sole_header(received, "TOY-KEY") or "")
    if secret is None:
        return reject(toy_rejection(401), "key")
    message = toy_string_to_sign(sole_header(received, "TOY-TIMESTAMP") or "", received.method, received.origin, "")
    stages = Stages(string_to_sign=message, signature=toy_signature(secret, message))
    if not signatures_match(sole_header(received, "TOY-SIGN"), stages.signature):
        return reject(toy_rejection(403), "signature", stages)
    return accept(stages)


def toy_rejection(code: int) -> Rejection:
    return Rejection(code, "denied", code, f'{{"code":{code}}}')


TOY = Scheme(
    "toy-v1", "Toy", toy_sign, toy_verify,
    base_url=TOY_BASE_URL, algorithm=Algorithm("hmac-sha256", output="base64"), stages=("string_to_sign", "signature"),
    api_key=Carrier("header", "TOY-KEY"), clock=Carrier("header", "TOY-TIMESTAMP"), signature=Carrier("header", "TOY-SIGN"),
    headers=("TOY-KEY", "TOY-SIGN", "TOY-TIMESTAMP", "TOY-PASSPHRASE"),
    credentials=("api_key", "secret", "passphrase"), title="Toy", summary="base64 HMAC-SHA256 of `timestamp + METHOD + path`",
)


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registration in a test leaves the real registry as it was."""
    monkeypatch.setattr(registry, "SCHEMES", dict(SCHEMES))


TOY_INPUT = {
    "scheme": "toy-v1",
    "credentials": {"api_key": "toy-key", "secret": "toy-secret", "passphrase": "toy-pass"},
    "method": "GET",
    "path": "/api/v1/account",
    "timestamp": 1700000000000,
}


@pytest.mark.usefixtures("isolated_registry")
def test_a_base64_passphrase_exchange_joins_with_one_module_and_one_registration() -> None:
    register(TOY)
    message = "1700000000000GET/api/v1/account"
    oracle_signature = oracles.cryptography_oracle({"name": "hmac-sha256", "output": "base64"}, "toy-secret", message)[1]
    vector = Vector(
        {
            "id": "toy-v1-0001",
            "description": "toy",
            "result": "valid",
            "flags": [],
            "provenance": {"source": "this test", "confirmed_by": ["cryptography", "literal"]},
            "input": TOY_INPUT,
            "expected": {
                "string_to_sign": message,
                "signature": oracle_signature,
                "wire": {
                    "method": "GET",
                    "url": "https://api.toy.example/api/v1/account",
                    "headers": {"TOY-KEY": "toy-key", "TOY-SIGN": oracle_signature, "TOY-TIMESTAMP": "1700000000000",
                                "TOY-PASSPHRASE": "toy-pass"},
                    "body": None,
                },
            },
        },
        "toy/toy.yaml",
    )
    assert check_vector(vector).problems == []


@pytest.mark.usefixtures("isolated_registry")
def test_the_passphrase_never_appears_in_the_repr_of_a_request() -> None:
    register(TOY)
    assert "toy-pass" not in repr(request_from_mapping(TOY_INPUT))


@pytest.mark.usefixtures("isolated_registry")
@pytest.mark.parametrize(
    "change",
    [
        {"name": "mexc-spot-v3"},
        {"stages": ("string_to_sign", "signature", "hmac")},
        {"algorithm": Algorithm("hmac-sha256", output="base32")},
        {"credentials": ("api_key", "secret", "otp")},
    ],
)
def test_register_refuses_a_surface_the_tools_do_not_support(change: dict[str, object]) -> None:
    with pytest.raises(SigningError):
        register(replace(TOY, **change))  # type: ignore[arg-type]


@pytest.mark.parametrize("vector", [vector for vector in repo_vectors() if vector.result == "valid"], ids=lambda v: v.id)
def test_each_scheme_declares_where_its_signature_travels(vector: Vector) -> None:
    declared = scheme_named(vector.scheme).signature
    wire = vector.expected_signed.wire
    signature = vector.expected_signed.stages.signature
    params = wire.view.query_pairs + wire.view.form_pairs
    found = wire.header(declared.name) if declared.where == "header" else last_value(params, declared.name)
    assert found == signature
