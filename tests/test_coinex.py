"""CoinEx reference: one rule per test, named for the rule it guards."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from server_side import rejection_of

from signing import coinex_legacy, coinex_v2
from signing.model import Request, SigningError, request_from_mapping
from signing.registry import sign

KEY = {"api_key": "TESTCOINEXACCESSID0001", "secret": "TESTCOINEXSECRETKEY00000000000001"}
LEGACY_KEY = {"api_key": "4DA36FFC61334695A66F8D29020EB589", "secret": "B51068CF10B34E7789C374AB932696A05E0A629BE7BFC62F"}
CLOCK = 1700490703564


def v2(**fields: object) -> Request:
    data: dict[str, object] = {"scheme": "coinex-v2", "credentials": KEY, "method": "GET", "path": "/v2/spot/pending-order"}
    data["timestamp"] = CLOCK
    return request_from_mapping(data | fields)


def v1(query: list[list[str]], timestamp: int = 1513746038205) -> Request:
    return request_from_mapping(
        {
            "scheme": "coinex-v1",
            "credentials": LEGACY_KEY,
            "method": "GET",
            "path": "/v1/balance/info",
            "query": query,
            "timestamp": timestamp,
        }
    )


def test_latin1_refuses_a_character_above_u00ff_and_names_the_body() -> None:
    with pytest.raises(SigningError) as refused:
        sign(v2(method="POST", path="/v2/spot/order", body={"json_text": '{"remark":"付"}'}))
    assert refused.value.field == "body"
    assert "U+4ED8" in refused.value.rule


def test_latin1_refuses_a_secret_it_cannot_encode_and_names_the_secret() -> None:
    with pytest.raises(SigningError) as refused:
        sign(v2(credentials={"api_key": "k", "secret": "秘密"}))
    assert refused.value.field == "credentials.secret"


def test_utf8_option_signs_what_latin1_refuses() -> None:
    signed = sign(
        v2(method="POST", path="/v2/spot/order", body={"json_text": '{"remark":"付"}'}, options={"text_encoding": "utf-8"})
    )
    assert signed.wire.body == '{"remark":"付"}'


def test_get_and_delete_carry_no_body() -> None:
    for method in ("GET", "DELETE"):
        with pytest.raises(SigningError, match="no body"):
            sign(v2(method=method, body={"json": {"market": "BTCUSDT"}}))


def test_unknown_option_value_is_refused() -> None:
    with pytest.raises(SigningError) as refused:
        sign(v2(options={"query_encoding": "rfc1738"}))
    assert refused.value.field == "options.query_encoding"


def test_window_header_is_sent_only_when_a_window_is_given() -> None:
    assert sign(v2()).wire.header("X-COINEX-WINDOWTIME") is None
    assert sign(v2(window=10000)).wire.header("X-COINEX-WINDOWTIME") == "10000"


def test_query_is_signed_as_it_appears_in_the_url() -> None:
    signed = sign(v2(query=[["remark", "a b:c"]], options={"query_encoding": "percent"}))
    assert signed.wire.url.endswith("?remark=a%20b%3Ac")
    assert signed.stages.string_to_sign == f"GET/v2/spot/pending-order?remark=a%20b%3Ac{CLOCK}"


def test_verifier_answers_a_wrong_key_with_4005_in_the_native_body() -> None:
    signed = sign(v2())
    wire = replace(signed.wire, headers=(("X-COINEX-KEY", "other"), *signed.wire.headers[1:]))
    rejection = rejection_of(coinex_v2.verify_v2, wire, v2().credentials, CLOCK)
    assert rejection is not None and rejection.code == 4005
    assert json.loads(rejection.body) == {"code": 4005, "data": {}, "message": "abnormal access_id"}


def test_verifier_expires_a_request_one_ms_past_the_default_window() -> None:
    wire, credentials = sign(v2()).wire, v2().credentials
    assert rejection_of(coinex_v2.verify_v2, wire, credentials, CLOCK + 5000) is None
    rejection = rejection_of(coinex_v2.verify_v2, wire, credentials, CLOCK + 5001)
    assert rejection is not None and rejection.code == 4010


def test_legacy_v2_and_v2_share_the_prepared_string_but_not_the_signature() -> None:
    current, legacy = sign(v2()), sign(v2(scheme="coinex-v2-sha256-legacy"))
    assert current.stages.string_to_sign == legacy.stages.string_to_sign
    assert current.stages.signature != legacy.stages.signature


def test_v1_requires_tonce_equal_to_the_request_timestamp() -> None:
    with pytest.raises(SigningError, match="tonce"):
        sign(v1([["access_id", LEGACY_KEY["api_key"]], ["tonce", "1513746038"]]))


def test_v1_requires_access_id_equal_to_the_key() -> None:
    with pytest.raises(SigningError, match="access_id"):
        sign(v1([["tonce", "1513746038205"]]))


def test_v1_signs_the_appended_key_as_secret_key() -> None:
    signed = sign(v1([["tonce", "1513746038205"], ["access_id", LEGACY_KEY["api_key"]]]))
    assert signed.stages.string_to_sign.endswith(f"&secret_key={LEGACY_KEY['secret']}")  # type: ignore[union-attr]


def test_v1_verifier_rejects_lower_case_hex_with_25() -> None:
    signed = sign(v1([["access_id", LEGACY_KEY["api_key"]], ["tonce", "1513746038205"]]))
    lowered = replace(signed.wire, headers=(("authorization", signed.stages.signature.lower()), *signed.wire.headers[1:]))
    rejection = rejection_of(coinex_legacy.verify_v1, lowered, v1([]).credentials, 1513746038205)
    assert rejection is not None and rejection.code == 25


def test_perpetual_as_given_order_is_refused_by_the_sorting_server() -> None:
    data = {
        "scheme": "coinex-perpetual-v1",
        "credentials": LEGACY_KEY,
        "method": "GET",
        "path": "/perpetual/v1/order/pending",
        "query": [["market", "BTCUSD"], ["timestamp", "1550743431000"]],
        "timestamp": 1550743431000,
    }
    sorted_request = request_from_mapping(data)
    as_given = request_from_mapping(
        data | {"query": [["timestamp", "1550743431000"], ["market", "BTCUSD"]], "options": {"param_order": "as-given"}}
    )
    credentials = sorted_request.credentials
    assert rejection_of(coinex_legacy.verify_perpetual_v1, sign(sorted_request).wire, credentials, 1550743431000) is None
    rejection = rejection_of(coinex_legacy.verify_perpetual_v1, sign(as_given).wire, credentials, 1550743431000)
    assert rejection is not None and rejection.code == 4006
