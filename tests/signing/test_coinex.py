"""CoinEx reference: one rule per test, named for the rule it guards."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from signing import coinex_v1, coinex_v2
from signing.model import Rejection, Request, SigningError, request_from_mapping
from signing.registry import sign
from tests.support.server import rejection_of

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
    assert signed.wire.text == '{"remark":"付"}'


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
    assert signed.wire.target.endswith("?remark=a%20b%3Ac")
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
    rejection = rejection_of(coinex_v1.verify_v1, lowered, v1([]).credentials, 1513746038205)
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
    assert rejection_of(coinex_v1.verify_perpetual_v1, sign(sorted_request).wire, credentials, 1550743431000) is None
    rejection = rejection_of(coinex_v1.verify_perpetual_v1, sign(as_given).wire, credentials, 1550743431000)
    assert rejection is not None and rejection.code == 4006


def moved_digit(scheme: str, query_value: str, timestamp_text: str) -> tuple[Rejection | None, Rejection | None]:
    """A v2 request signed with `order_id=13400`, replayed as `order_id=<query_value>` with the given timestamp text.

    The prepared string ends `query + timestamp` with no separator, so both sign alike.
    """
    request = v2(scheme=scheme, query=[["order_id", "13400"]])
    signed = sign(request)
    headers = tuple((name, timestamp_text if name == "X-COINEX-TIMESTAMP" else value) for name, value in signed.wire.headers)
    moved = replace(signed.wire, target=signed.wire.target.replace("13400", query_value), headers=headers)
    verifier = coinex_v2.verify_v2 if scheme == "coinex-v2" else coinex_v2.verify_v2_legacy
    credentials = request.credentials
    return rejection_of(verifier, signed.wire, credentials, CLOCK), rejection_of(verifier, moved, credentials, CLOCK)


@pytest.mark.parametrize("scheme", ["coinex-v2", "coinex-v2-sha256-legacy"])
def test_a_timestamp_with_a_leading_zero_is_refused_so_query_digits_cannot_move_into_it(scheme: str) -> None:
    original, moved = moved_digit(scheme, "1340", f"0{CLOCK}")
    assert original is None
    assert moved is not None and moved.code == 4004


@pytest.mark.parametrize("scheme", ["coinex-v2", "coinex-v2-sha256-legacy"])
def test_a_timestamp_far_in_the_future_is_refused_so_query_digits_cannot_move_into_it(scheme: str) -> None:
    original, moved = moved_digit(scheme, "1340", f"0{CLOCK}".replace("0", "9", 1))
    assert original is None
    assert moved is not None and moved.code == 4010


def test_a_timestamp_5000_ms_ahead_is_accepted_and_5001_ms_ahead_is_expired() -> None:
    wire, credentials = sign(v2()).wire, v2().credentials
    assert rejection_of(coinex_v2.verify_v2, wire, credentials, CLOCK - 5000) is None
    rejection = rejection_of(coinex_v2.verify_v2, wire, credentials, CLOCK - 5001)
    assert rejection is not None and rejection.code == 4010


def with_window(window: str) -> Rejection | None:
    signed = sign(v2())
    wire = replace(signed.wire, headers=(*signed.wire.headers, ("X-COINEX-WINDOWTIME", window)))
    return rejection_of(coinex_v2.verify_v2, wire, v2().credentials, CLOCK + 600_000)


def test_an_unsigned_windowtime_cannot_revive_a_request_captured_ten_minutes_ago() -> None:
    rejection = with_window("999999999999999")
    assert rejection is not None and rejection.code == 4004


@pytest.mark.parametrize("window", ["abc", "²", "", "05000", "-1"])
def test_a_malformed_windowtime_is_a_parameter_error(window: str) -> None:
    rejection = with_window(window)
    assert rejection is not None and rejection.code == 4004


def perpetual_post() -> Request:
    return request_from_mapping(
        {
            "scheme": "coinex-perpetual-v1",
            "credentials": LEGACY_KEY,
            "method": "POST",
            "path": "/perpetual/v1/order/put_limit",
            "body": {"form": [["market", "BTCUSD"], ["timestamp", "1550743431000"]]},
            "timestamp": 1550743431000,
        }
    )


def test_a_perpetual_form_post_with_an_unsigned_query_string_is_refused() -> None:
    request = perpetual_post()
    signed = sign(request)
    assert rejection_of(coinex_v1.verify_perpetual_v1, signed.wire, request.credentials, 1550743431000) is None
    extra = replace(signed.wire, target=signed.wire.target + "?market=ETHUSD")
    rejection = rejection_of(coinex_v1.verify_perpetual_v1, extra, request.credentials, 1550743431000)
    assert rejection is not None and rejection.code == 4006


@pytest.mark.parametrize("scheme", ["coinex-v1", "coinex-perpetual-v1"])
def test_repr_of_a_signed_legacy_request_carries_no_part_of_the_secret(scheme: str) -> None:
    query = [["access_id", LEGACY_KEY["api_key"]], ["tonce", "1513746038205"], ["timestamp", "1513746038205"]]
    signed = sign(v1(query) if scheme == "coinex-v1" else replace(v1(query), scheme=scheme))
    assert LEGACY_KEY["secret"][:8] not in repr(signed)


def test_an_encoding_error_in_a_legacy_request_quotes_neither_the_string_to_sign_nor_the_secret() -> None:
    valid = v1([["access_id", LEGACY_KEY["api_key"]], ["tonce", "1513746038205"]])
    request = replace(valid, query=(*valid.query, ("note", "a\ud800b")))
    with pytest.raises(SigningError) as refused:
        coinex_v1.sign_v1(request)
    assert "access_id" not in str(refused.value) and LEGACY_KEY["secret"][:8] not in str(refused.value)


def test_a_v1_post_sends_one_content_type_the_form_one() -> None:
    credentials = {"api_key": "sigvecTESTKEY", "secret": "sigvec0test0secret"}
    request = request_from_mapping(
        {"scheme": "coinex-v1", "credentials": credentials, "method": "POST", "path": "/api/v2/order", "timestamp": 1}
        | {"body": {"form": [["access_id", "sigvecTESTKEY"], ["tonce", "1"]]}}
    )
    wire = sign(request).wire
    assert wire.header_values("Content-Type") == ("application/x-www-form-urlencoded",)
