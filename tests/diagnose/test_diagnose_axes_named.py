"""Single axes, each named by diagnosis in its own words: the query cut at a raw `#`, JSON number and boolean text,
the placement, and the nonce (or the clock, where the nonce is the clock)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from signing.model import JsonBody, JsonValue, Param
from signing.registry import SCHEMES
from sigvec.codec import wire_from_mapping
from sigvec.diagnose import Diagnosis, catalogue, diagnose
from sigvec.diagnose.reference import reference_for
from tests.diagnose.test_diagnose import EXAMPLES, client_request, vector_context
from tests.support.corpus import repo_vectors


def diagnosed_with(
    vector_id: str, classes: tuple[str, ...], query: tuple[Param, ...] | None = None, body: JsonBody | None = None
) -> Diagnosis:
    """Diagnosis of the client that applies `classes` to the vector's input (with `query` or `body` in place of its own)."""
    vector = next(vector for vector in repo_vectors() if vector.id == vector_id)
    request, context = vector_context(vector)
    request = request if query is None else replace(request, query=query)
    request = request if body is None else replace(request, body=body)
    reference = reference_for(SCHEMES[request.scheme], request)
    construction = reference.construction
    assert construction is not None
    for name in classes:
        construction = catalogue().named(name).apply(construction)
    return diagnose(client_request(reference, construction), vector.scheme, context, request, examples=EXAMPLES)


def test_a_raw_hash_in_the_query_is_named_as_the_query_cut_at_the_fragment_not_a_changed_value() -> None:
    query = (("market", "BTCUSDT"), ("client_id", "a#1"), ("market_type", "SPOT"))
    diagnosis = diagnosed_with("coinex-v2-0001", ("send_encoder=raw",), query=query)
    assert [match.classes for match in diagnosis.matches] == [("QueryCutAtFragment",)]
    assert "the `#` starts a URL fragment" in diagnosis.message
    assert "CoinEx received the query cut at the `#`: it received `market=BTCUSDT&client_id=a`" in diagnosis.message
    assert diagnosis.flags == ("ReservedCharEncoding",)


def test_a_raw_hash_that_cuts_off_the_signature_parameter_is_named_as_the_cut_not_a_missing_signature() -> None:
    query = (("symbol", "BTCUSDT"), ("newClientOrderId", "a#1"), ("timestamp", "1644489390087"))
    diagnosis = diagnosed_with("mexc-spot-v3-0002", ("send_encoder=raw",), query=query)
    assert [match.classes for match in diagnosis.matches] == [("QueryCutAtFragment",)]
    assert "MEXC received the query cut at the `#`: it received `symbol=BTCUSDT&newClientOrderId=a`" in diagnosis.message


ORDER: dict[str, JsonValue] = {"market": "BTCUSDT", "amount": Decimal("0.00001"), "count": 3, "post_only": True}
ORDER_BODY = JsonBody(ORDER, '{"market":"BTCUSDT","amount":0.00001,"count":3,"post_only":true}')


def test_a_json_body_sent_with_its_decimals_as_python_floats_is_named_with_the_number_text() -> None:
    diagnosis = diagnosed_with("coinex-v2-0004", ("JsonSentNumbersAsFloats",), body=ORDER_BODY)
    assert diagnosis.matches[0].classes == ("JsonSentNumbersAsFloats",)
    assert diagnosis.matches[0].axes == (("send_json_numbers", "python-float"),)
    assert 'signed `…T","amount":0.00001,"count":3,"post_only…` but sent `…T","amount":1e-05,' in diagnosis.message


def test_a_json_body_signed_with_its_whole_numbers_as_floats_is_named_on_the_sign_side() -> None:
    diagnosis = diagnosed_with("coinex-v2-0004", ("JsonSignedIntegersAsFloats",), body=ORDER_BODY)
    assert [match.classes for match in diagnosis.matches] == [("JsonSignedIntegersAsFloats",)]
    assert "`151.0` for `151`" in diagnosis.message and set(diagnosis.flags) == {"JsonBody", "NumberText"}


def test_a_big_whole_number_signed_as_the_double_it_became_is_named() -> None:
    body = JsonBody(
        {"market": "BTCUSDT", "client_id": 12345678901234567890}, '{"market":"BTCUSDT","client_id":12345678901234567890}'
    )
    diagnosis = diagnosed_with("coinex-v2-0004", ("JsonSignedBigIntegersAsFloats",), body=body)
    assert diagnosis.matches[0].classes == ("JsonSignedBigIntegersAsFloats",)
    assert "1.2345678901234567e+19" in diagnosis.message


def test_json_booleans_written_as_python_writes_them_are_named_as_the_boolean_form() -> None:
    diagnosis = diagnosed_with("coinex-v2-0004", ("JsonSentBooleansAsPython",), body=ORDER_BODY)
    assert [match.classes for match in diagnosis.matches] == [("JsonSentBooleansAsPython",)]
    assert '"post_only":True' in diagnosis.message


def test_json_booleans_signed_as_strings_are_named_as_the_boolean_form() -> None:
    diagnosis = diagnosed_with("coinex-v2-0004", ("JsonSignedBooleansQuoted",), body=ORDER_BODY)
    assert [match.classes for match in diagnosis.matches] == [("JsonSignedBooleansQuoted",)]
    assert diagnosis.matches[0].axes == (("sign_json_booleans", "quoted"),)


def test_parameters_signed_split_but_sent_all_in_the_query_are_named_on_the_placement_axis() -> None:
    diagnosis = diagnosed_with("mexc-spot-v3-0003", ("SentAllInQuery",))
    assert [match.classes for match in diagnosis.matches] == [("SentAllInQuery",)]
    assert diagnosis.matches[0].axes == (("send_placement", "query"),)
    assert "but sent them all in the query; MEXC rebuilds the string to sign" in diagnosis.message


def test_parameters_signed_split_but_sent_all_in_the_body_are_named_on_the_placement_axis() -> None:
    diagnosis = diagnosed_with("mexc-spot-v3-0003", ("SentAllInBody",))
    assert [match.classes for match in diagnosis.matches] == [("SentAllInBody",)]
    assert diagnosis.flags == ("MixedPlacement",)


def resent(vector_id: str, carrier_name: str, value: str) -> Diagnosis:
    """The vector's own request, its header or query parameter `carrier_name` sent as `value` instead."""
    vector = next(vector for vector in repo_vectors() if vector.id == vector_id)
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    headers = tuple((name, value if name == carrier_name else item) for name, item in received.headers)
    query = "&".join(
        f"{key}={value}" if key == carrier_name else f"{key}={item}"
        for key, _, item in (piece.partition("=") for piece in received.query.split("&") if piece)
    )
    moved = replace(received.with_origin(query=query), headers=headers)
    return diagnose(moved, vector.scheme, context, request, examples=EXAMPLES)


def test_a_nonce_header_sent_other_than_signed_is_named_as_the_nonce_read_twice() -> None:
    diagnosis = resent("bitunix-0001", "nonce", "a-second-nonce")
    assert [match.classes for match in diagnosis.matches] == [("NonceReadTwice",)]
    assert diagnosis.matches[0].axes == (("nonce", "sent-other-than-signed"),)
    assert "signed one nonce but sent another" in diagnosis.message and "sent a-second-nonce" in diagnosis.message


def test_a_tonce_parameter_sent_other_than_signed_is_the_clock_read_twice_where_the_nonce_is_the_clock() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "peatio-v2-0001")
    diagnosis = resent("peatio-v2-0001", "tonce", str((vector_context(vector)[0].timestamp or 0) + 1))
    assert [match.classes for match in diagnosis.matches] == [("ClockReadTwice",)]


def test_a_max_nonce_sent_other_than_the_payload_signs_is_the_clock_read_twice() -> None:
    diagnosis = resent("max-v2-0002", "nonce", "1700000000001")
    assert [match.classes for match in diagnosis.matches] == [("ClockReadTwice",)]
    assert "signed 1700000000000, sent 1700000000001" in diagnosis.message
