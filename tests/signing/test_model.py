"""The shared request model: values are the exact text sent, and anything without
one obvious text form is refused with a SigningError naming the field."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing.model import JsonBody, SigningError, param_text, request_from_mapping
from signing.registry import sign
from tests.support.corpus import repo_vectors, vector_named

SPOT_INPUT: dict[str, Any] = copy.deepcopy(dict(vector_named("mexc-spot-v3-0003").input))


def refusal(mutate: Any) -> SigningError:
    data = copy.deepcopy(SPOT_INPUT)
    mutate(data)
    with pytest.raises(SigningError) as caught:
        sign(request_from_mapping(data))
    return caught.value


def test_a_float_value_is_refused_naming_the_parameter() -> None:
    error = refusal(lambda data: data["body"]["form"][1].__setitem__(1, 1e-05))
    assert error.field == "body.form[1].value"
    assert "float" in error.rule


def test_a_bool_value_is_refused() -> None:
    assert refusal(lambda data: data["query"][0].__setitem__(1, True)).field == "query[0].value"


def test_a_none_value_is_refused() -> None:
    assert refusal(lambda data: data["query"][0].__setitem__(1, None)).field == "query[0].value"


def test_a_nested_value_in_a_form_field_is_refused() -> None:
    assert refusal(lambda data: data["body"]["form"][0].__setitem__(1, {"a": "1"})).field == "body.form[0].value"


def test_parameters_given_as_a_mapping_are_refused_because_order_would_be_implicit() -> None:
    assert refusal(lambda data: data.__setitem__("query", {"symbol": "BTCUSDT"})).field == "query"


def test_an_unknown_input_field_is_refused() -> None:
    assert refusal(lambda data: data.__setitem__("recv_window", 5000)).field == "recv_window"


def test_a_lower_case_method_is_refused() -> None:
    assert refusal(lambda data: data.__setitem__("method", "post")).field == "method"


def test_an_unknown_scheme_is_refused() -> None:
    assert refusal(lambda data: data.__setitem__("scheme", "mexc-spot-v9")).field == "scheme"


def test_an_unknown_option_value_is_refused() -> None:
    data = copy.deepcopy(dict(vector_named("mexc-futures-v1-0009").input))
    data["options"] = {"query_encoding": "plus"}
    with pytest.raises(SigningError) as caught:
        sign(request_from_mapping(data))
    assert caught.value.field == "options.query_encoding"


def test_a_timestamp_parameter_that_disagrees_with_the_clock_is_refused() -> None:
    assert refusal(lambda data: data.__setitem__("timestamp", 1644489390)).field == "timestamp"


def test_integers_and_decimals_have_one_text_form() -> None:
    assert param_text("v", 5000) == "5000"
    assert param_text("v", Decimal("1E-5")) == "0.00001"
    assert param_text("v", Decimal("12000.0")) == "12000.0"


def test_json_text_bodies_keep_their_exact_text_and_numbers() -> None:
    body = request_from_mapping({**SPOT_INPUT, "body": {"json_text": '{"price": 0.00001}'}}).body
    assert isinstance(body, JsonBody)
    assert body.text == '{"price": 0.00001}'
    assert body.value == {"price": Decimal("0.00001")}


def test_json_values_are_sent_compact_with_key_order_kept_and_utf8_text() -> None:
    body = request_from_mapping({**SPOT_INPUT, "body": {"json": {"b": "é", "a": [1, "x"]}}}).body
    assert isinstance(body, JsonBody)
    assert body.text == '{"b":"é","a":[1,"x"]}'


def test_the_secret_is_not_in_the_credentials_repr() -> None:
    request = request_from_mapping(SPOT_INPUT)
    assert SPOT_INPUT["credentials"]["secret"] not in repr(request)


JUNK = st.one_of(
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.one_of(st.integers(), st.floats(), st.text(max_size=3)), max_size=3),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside an input where a value could be replaced."""
    found = [prefix] if prefix else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += paths(child, (*prefix, key))
    return found


def replaced(value: Any, path: tuple[Any, ...], junk: Any) -> Any:
    result = copy.deepcopy(value)
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = junk
    return result


@given(st.sampled_from(repo_vectors()), st.data())
def test_any_mutated_input_is_signed_or_refused_with_a_signing_error(vector: Any, data: st.DataObject) -> None:
    original = dict(vector.input)
    path = data.draw(st.sampled_from(paths(original)), label="path")
    mutated = replaced(original, path, data.draw(JUNK, label="junk"))
    try:
        sign(request_from_mapping(mutated))
    except SigningError as error:
        assert error.field and error.rule
