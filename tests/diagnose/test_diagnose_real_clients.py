"""Real clients' requests that `sigvec fuzz` (--max-examples 200 --seed 19) found and diagnosis once left unexplained,
each diagnosed from the exact bytes the client sent for the shrunk input: a regression test for that client's bug."""

from __future__ import annotations

from typing import Any

from signing.http import HttpRequest
from signing.model import request_from_mapping
from sigvec.diagnose import Diagnosis, diagnose_both
from tests.diagnose.test_diagnose import EXAMPLES, server_for

NOW = 1500000000000
COINEX_V1_KEYS = {"api_key": "4DA36FFC61334695A66F8D29020EB589", "secret": "B51068CF10B34E7789C374AB932696A05E0A629BE7BFC62F"}
COINEX_V2_KEYS = {"api_key": "TESTCOINEXACCESSID0001", "secret": "TESTCOINEXSECRETKEY00000000000001"}
MEXC_SPOT_KEYS = {"api_key": "mx0aBYs33eIilxBWC5", "secret": "45d0b3c26f2644f19bfb98b07741b2f5"}
MEXC_FUTURES_KEYS = {"api_key": "mx0vglsigvecTESTKEY", "secret": "sigvec0test0secret0futures000001"}
PEATIO_KEYS = {"api_key": "accesskey", "secret": "secretkey"}
FUTURES_SUBMIT: dict[str, Any] = {"method": "POST", "path": "/api/v1/private/order/submit", "options": {"query_encoding": "raw"}}
PYMEXC_HEADERS = (
    ("Content-Type", "application/json"),
    ("ApiKey", "mx0vglsigvecTESTKEY"),
    ("Request-Time", "1500000000000"),
    ("Signature", "3bfaf983dd43f746554d21c2d7ad1eb8df16bfa4a7a83ede47a5ddc9f11488d6"),
)


def diagnosed(scheme: str, given: dict[str, Any], sent: HttpRequest) -> Diagnosis:
    """The gate's diagnosis (from the input, then from the wire) of `sent`, the client's request for `given`."""
    request = request_from_mapping({"scheme": scheme, "timestamp": NOW, **given})
    return diagnose_both(sent, scheme, server_for(request, NOW), request, examples=EXAMPLES)


def classes(diagnosis: Diagnosis) -> list[tuple[str, ...]]:
    return [match.classes for match in diagnosis.matches]


def test_a_plus_sent_unescaped_in_a_query_sorted_by_key_is_named_on_the_send_order_and_send_encoder_axes() -> None:
    # coinex-api 0.0.165 (ccxt's coinex.py, v1): `keysort`, then `rawencode` signs and sends `symbol=+`,
    # which CoinEx reads as a space
    given: dict[str, Any] = {"method": "GET", "path": "/v1/balance/info", "credentials": COINEX_V1_KEYS}
    given["query"] = [["tonce", "1500000000000"], ["access_id", COINEX_V1_KEYS["api_key"]], ["symbol", "+"]]
    query = "access_id=4DA36FFC61334695A66F8D29020EB589&symbol=+&tonce=1500000000000"
    headers = (("Authorization", "8302E23B980AB0F60AD56685B7AC5B1A"), ("Content-Type", "application/json"))
    diagnosis = diagnosed("coinex-v1", given, HttpRequest.from_text("GET", f"/v1/balance/info?{query}", headers))
    assert classes(diagnosis) == [("SentSortedByKey", "send_encoder=raw")]
    assert "your client signed `symbol=+` but sent `symbol=+`" in diagnosis.message
    assert diagnosis.flags == ("ParamOrder", "ReservedCharEncoding")


def test_a_raw_hash_in_a_query_sent_sorted_by_key_is_named_as_the_query_cut_in_that_order() -> None:
    # coinex-api 0.0.165 (ccxt's coinex.py, v2): `keysort` sends `side=#&symbol=`, cut at the `#` to `side=`
    given: dict[str, Any] = {"method": "GET", "path": "/v2/spot/pending-order", "credentials": COINEX_V2_KEYS}
    given |= {"query": [["symbol", ""], ["side", "#"]], "options": {"text_encoding": "utf-8"}}
    headers = (
        ("X-COINEX-KEY", "TESTCOINEXACCESSID0001"),
        ("X-COINEX-SIGN", "cd18db79b83cec8af0b8114d88b830d08aa7a96d41ce5087f4635d4db722b1d7"),
        ("X-COINEX-TIMESTAMP", "1500000000000"),
    )
    sent = HttpRequest.from_text("GET", "/v2/spot/pending-order?side=", headers)
    diagnosis = diagnosed("coinex-v2-sha256-legacy", given, sent)
    assert classes(diagnosis) == [("QueryCutAtFragment",)]
    assert "it received `side=` (it sent the parameters sorted by key)" in diagnosis.message
    assert diagnosis.matches[0].axes == (("send_query", "cut-at-fragment"), ("send_order", "key"))


def test_a_space_sent_through_requests_requoting_of_a_raw_query_is_named_as_that_send_encoder() -> None:
    # coinex-api 0.0.165 (ccxt's coinex.py, v1): `rawencode` signs `symbol= %20`; requests re-quotes the raw
    # URL, sending `symbol=%20%20`, which CoinEx reads as two spaces
    given: dict[str, Any] = {"method": "GET", "path": "/v1/balance/info", "credentials": COINEX_V1_KEYS}
    given["query"] = [["tonce", "1500000000000"], ["access_id", COINEX_V1_KEYS["api_key"]], ["symbol", " %20"]]
    query = "access_id=4DA36FFC61334695A66F8D29020EB589&symbol=%20%20&tonce=1500000000000"
    headers = (("Authorization", "2372572FDFD317B172DFB50F3793B1EF"), ("Content-Type", "application/json"))
    diagnosis = diagnosed("coinex-v1", given, HttpRequest.from_text("GET", f"/v1/balance/info?{query}", headers))
    assert classes(diagnosis) == [("SentSortedByKey", "send_encoder=requote")]
    assert "your client signed `symbol= %20` but sent `symbol=%20%20`" in diagnosis.message


def test_a_query_sorted_by_key_and_signed_raw_is_named_on_the_order_and_sign_encoder_axes() -> None:
    # coinex-api 0.0.165 (ccxt's coinex.py, v2): `keysort`, signs `?side=é&symbol=`, requests sends `side=%C3%A9`
    given: dict[str, Any] = {"method": "GET", "path": "/v2/spot/pending-order", "credentials": COINEX_V2_KEYS}
    given |= {"query": [["symbol", ""], ["side", "\u00e9"]], "options": {"text_encoding": "utf-8"}}
    headers = (
        ("X-COINEX-KEY", "TESTCOINEXACCESSID0001"),
        ("X-COINEX-SIGN", "83adcac3c40f57489a44f9fcc28df1c38bb81ffc21c4f31b1d1dfbba6d8b3375"),
        ("X-COINEX-TIMESTAMP", "1500000000000"),
    )
    sent = HttpRequest.from_text("GET", "/v2/spot/pending-order?side=%C3%A9&symbol=", headers)
    diagnosis = diagnosed("coinex-v2-sha256-legacy", given, sent)
    assert classes(diagnosis) == [("KeySorted", "sign_encoder=raw")]
    assert diagnosis.flags == ("ParamOrder", "Utf8Encoding")


def test_the_search_from_the_wire_reads_the_scheme_options_the_client_declares() -> None:
    # coinex-api 0.0.165 (ccxt's coinex.py, v2, declared `text_encoding: utf-8`): `keysort`, signs `?side= é&symbol=`
    # raw, requests sends `side=%20%C3%A9`; from the input three axes differ, from the wire two
    given: dict[str, Any] = {"method": "GET", "path": "/v2/spot/pending-order", "credentials": COINEX_V2_KEYS}
    given |= {"query": [["symbol", ""], ["side", " \u00e9"]], "options": {"text_encoding": "utf-8"}}
    headers = (
        ("X-COINEX-KEY", "TESTCOINEXACCESSID0001"),
        ("X-COINEX-SIGN", "fbe8e3f462d9860b2eb0d40e04c2aea54ed9c5814eaec02bcd25ce2550781760"),
        ("X-COINEX-TIMESTAMP", "1500000000000"),
    )
    sent = HttpRequest.from_text("GET", "/v2/spot/pending-order?side=%20%C3%A9&symbol=", headers)
    diagnosis = diagnosed("coinex-v2-sha256-legacy", given, sent)
    assert classes(diagnosis) == [("sign_encoder=raw", "send_encoder=rfc3986")]
    assert "your client signed `side= é` but sent `side=+%C3%A9`" in diagnosis.message


def test_a_value_signed_and_sent_unescaped_after_the_clock_moved_last_is_named_with_the_order() -> None:
    # mexc-api-sdk 1.0.3: its own timestamp appended last, `encodeURIComponent` signs and sends `symbol=*`
    given: dict[str, Any] = {"method": "GET", "path": "/api/v3/account", "credentials": MEXC_SPOT_KEYS}
    given["query"] = [["timestamp", "1500000000000"], ["symbol", "*"]]
    signature = "09de54508dd340f8ebbcdfa50cd22db9e7887dfd7bc3612b74bf2c4733177eb0"
    target = f"/api/v3/account?symbol=*&timestamp=1500000000000&signature={signature}"
    sent = HttpRequest.from_text("GET", target, (("X-MEXC-APIKEY", "mx0aBYs33eIilxBWC5"),))
    diagnosis = diagnosed("mexc-spot-v3", given, sent)
    assert classes(diagnosis) == [("KeySorted", "encoder=raw")]
    assert "your client signed and sent `symbol=*`; MEXC expects `symbol=%2A`" in diagnosis.message


def test_an_apostrophe_a_whatwg_url_escapes_after_signing_is_named_on_the_send_encoder_axis() -> None:
    # mexc-api-sdk 1.0.3: `encodeURIComponent` signs `symbol='!`; Node's URL escapes `'` in the query it sends
    given: dict[str, Any] = {"method": "GET", "path": "/api/v3/account", "credentials": MEXC_SPOT_KEYS}
    given["query"] = [["symbol", "'!"], ["timestamp", "1500000000000"]]
    signature = "86c9f7527c93c438bc47560ac4b75c339b5fd13c65de43ff3d3b5ee51539885e"
    target = f"/api/v3/account?symbol=%27!&timestamp=1500000000000&signature={signature}"
    sent = HttpRequest.from_text("GET", target, (("X-MEXC-APIKEY", "mx0aBYs33eIilxBWC5"),))
    diagnosis = diagnosed("mexc-spot-v3", given, sent)
    assert classes(diagnosis) == [("sign_encoder=raw", "send_encoder=encodeURIComponent-in-URL")]
    assert "escapes `'` in the query of an http URL" in diagnosis.message


def test_a_json_body_signed_as_sorted_pairs_writes_each_number_as_the_body_has_it() -> None:
    # pymexc 1.3.0 (futures): signs `symbol=1e-05` (Python's str of the float) for the body `{"symbol":1e-05}`
    given: dict[str, Any] = {**FUTURES_SUBMIT, "credentials": MEXC_FUTURES_KEYS, "body": {"json_text": '{"symbol":1e-05}'}}
    sent = HttpRequest.from_text("POST", str(FUTURES_SUBMIT["path"]), PYMEXC_HEADERS, '{"symbol":1e-05}')
    diagnosis = diagnosed("mexc-futures-v1", given, sent)
    assert classes(diagnosis) == [("SortedPairsForJson",)]
    assert 'your client signed `symbol=1e-05` but sent `{"symbol":1e-05}`' in diagnosis.message


def test_a_json_body_sent_compact_after_signing_is_named_on_the_send_separators_axis() -> None:
    # pymexc 1.3.0 (futures): the parsed body goes to requests' `json=`, which writes it compact
    given: dict[str, Any] = {**FUTURES_SUBMIT, "credentials": MEXC_FUTURES_KEYS, "body": {"json_text": '{"symbol": 1e-05}'}}
    sent = HttpRequest.from_text("POST", str(FUTURES_SUBMIT["path"]), PYMEXC_HEADERS, '{"symbol":1e-05}')
    diagnosis = diagnosed("mexc-futures-v1", given, sent)
    assert classes(diagnosis) == [("SortedPairsForJson", "JsonSentCompact")]
    assert diagnosis.matches[0].axes == (("sign_json", "sorted-pairs"), ("send_json_separators", "compact"))


def test_an_encoder_escapes_the_brackets_of_an_array_key_that_the_scheme_keeps_literal() -> None:
    # peatio-client 0.1.1: `urlencode(sorted(params.items()))` signs `list%5B%5D=`; requests sends it so too
    given: dict[str, Any] = {"method": "GET", "path": "/api/v2/markets", "credentials": PEATIO_KEYS}
    given["options"] = {"encoding": "form"}
    given["query"] = [["tonce", "1500000000000"], ["access_key", "accesskey"], ["list[]", ""]]
    signature = "bb9053f8779183196f4785cd90994af9acfd996b626fe0f3b10a09cd219bc996"
    target = f"/api/v2/markets?tonce=1500000000000&access_key=accesskey&list%5B%5D=&signature={signature}"
    diagnosis = diagnosed("peatio-v2", given, HttpRequest.from_text("GET", target, ()))
    assert ("encoder=quote_plus",) in classes(diagnosis)
    assert "`[]` kept in keys: your client signed and sent `list%5B%5D=`; Peatio expects `list[]=`" in diagnosis.message
    assert diagnosis.flags == ("ReservedCharEncoding",)
