"""The signer refuses text that has no bytes on the wire, naming the field and never quoting a secret."""

from __future__ import annotations

import pytest

from signing.model import JsonBody, SigningError, request_from_mapping

BASE = {
    "scheme": "coinex-v1",
    "credentials": {"api_key": "k", "secret": "s3cr3t"},
    "method": "GET",
    "path": "/v1/order",
    "timestamp": 1,
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"query": [["a", "x\ud800"]]}, "query[0].value"),
        ({"query": [["\udfff", "1"]]}, "query[0].key"),
        ({"body": {"json_text": "[" * 100_000 + "]" * 100_000}}, "body.json_text"),
        ({"body": {"json": {"a": "\ud800"}}}, "body.json.a"),
        ({"credentials": {"api_key": "k", "secret": "sec\ud800ret"}}, "credentials.secret"),
    ],
)
def test_text_without_utf8_bytes_or_too_deep_to_walk_is_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(SigningError) as raised:
        request_from_mapping(BASE | change)
    assert raised.value.field == field


def test_a_secret_with_a_lone_surrogate_is_refused_without_quoting_any_of_it() -> None:
    with pytest.raises(SigningError) as raised:
        request_from_mapping(BASE | {"credentials": {"api_key": "k", "secret": "Zq\ud800Wv"}})
    assert not any(part in str(raised.value) for part in ("Zq", "Wv", "\ud800"))


def nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_json_body_hundreds_deep_is_written_and_one_too_deep_to_walk_is_refused_naming_the_field() -> None:
    body = request_from_mapping(BASE | {"body": {"json": nested(450)}}).body
    assert isinstance(body, JsonBody)
    assert body.text == '{"a":' * 450 + '"x"' + "}" * 450
    with pytest.raises(SigningError) as raised:
        request_from_mapping(BASE | {"body": {"json": nested(5000)}})
    assert raised.value.field == "body.json"
