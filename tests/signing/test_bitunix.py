"""Bitunix reference: one rule per test, named for the rule it guards."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from signing import bitunix
from signing.model import Request, SigningError, request_from_mapping
from signing.registry import sign
from tests.support.server import rejection_of

KEY = {"api_key": "yourApiKey", "secret": "yourSecretKey"}
CLOCK = 1747104711262


def request(**fields: object) -> Request:
    data: dict[str, object] = {
        "scheme": "bitunix",
        "credentials": KEY,
        "method": "GET",
        "path": "/api/v1/futures/account",
        "query": [["marginCoin", "USDT"]],
        "timestamp": CLOCK,
        "nonce": "123456",
    }
    return request_from_mapping(data | fields)


def test_the_digest_is_recorded_as_a_stage() -> None:
    stages = sign(request()).stages
    assert stages.digest is not None and len(stages.digest) == 64


def test_query_params_are_key_and_value_with_no_separators() -> None:
    assert bitunix.canonical_query((("uid", "200"), ("id", "1"))) == "id1uid200"


def test_spot_doc_query_format_keeps_the_equals_sign() -> None:
    assert bitunix.canonical_query((("uid", "200"), ("id", "1")), "key=value") == "id=1uid=200"


def test_the_nonce_is_required() -> None:
    with pytest.raises(SigningError) as refused:
        sign(request(nonce=None))
    assert refused.value.field == "nonce"


def test_get_parameters_go_in_the_query_not_a_body() -> None:
    with pytest.raises(SigningError, match="query string"):
        sign(request(body={"json": {"marginCoin": "USDT"}}))


def test_the_url_query_is_form_encoded_while_the_signature_covers_raw_text() -> None:
    signed = sign(request(query=[["clientId", "a b+c"]]))
    assert signed.wire.target.endswith("?clientId=a+b%2Bc")
    assert signed.stages.canonical_query == "clientIda b+c"


def test_every_request_sends_content_type_json() -> None:
    assert sign(request()).wire.header("Content-Type") == "application/json"


def test_an_empty_api_key_gets_10003_in_the_native_body() -> None:
    signed = sign(request())
    wire = replace(signed.wire, headers=(("api-key", ""), *signed.wire.headers[1:]))
    rejection = rejection_of(bitunix.verify, wire, request().credentials, CLOCK)
    assert rejection is not None and rejection.code == 10003
    assert json.loads(rejection.body) == {"code": 10003, "msg": "api-key can't be empty", "data": None}


def test_a_timestamp_more_than_60_seconds_away_is_refused() -> None:
    wire, credentials = sign(request()).wire, request().credentials
    assert rejection_of(bitunix.verify, wire, credentials, CLOCK + 60_000) is None
    rejection = rejection_of(bitunix.verify, wire, credentials, CLOCK + 60_001)
    assert rejection is not None and rejection.code == 10002


def test_a_changed_sign_gets_10007() -> None:
    signed = sign(request())
    headers = tuple((name, "0" * 64 if name == "sign" else value) for name, value in signed.wire.headers)
    rejection = rejection_of(bitunix.verify, replace(signed.wire, headers=headers), request().credentials, CLOCK)
    assert rejection is not None and rejection.code == 10007
