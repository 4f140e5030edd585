"""MAX's consistency check (2014) compares JSON values by type: a boolean is never a number, 1 and 1.0 are one number."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from signing.http import HttpRequest
from signing.max_v2 import verify
from signing.model import Credentials
from tests.support.server import rejection_of

KEY = Credentials("xxx", "yyy")
NONCE = 1700000000000
URL = "https://max-api.maicoin.com/api/v2/orders"


def post(signed: dict[str, object], body: str) -> HttpRequest:
    """A POST whose payload signs `signed` (signed here with hmac, not `signing`) and whose body is `body`."""
    payload = base64.b64encode(json.dumps({**signed, "nonce": NONCE, "path": "/api/v2/orders"}).encode()).decode()
    signature = hmac.new(b"yyy", payload.encode(), hashlib.sha256).hexdigest()
    headers = (("X-MAX-ACCESSKEY", "xxx"), ("X-MAX-PAYLOAD", payload), ("X-MAX-SIGNATURE", signature))
    return HttpRequest.from_text("POST", URL, headers, body)


def code(wire: HttpRequest) -> int | None:
    rejection = rejection_of(verify, wire, KEY, NONCE)
    return rejection.code if rejection else None


@pytest.mark.parametrize(
    ("signed", "sent"),
    [(1, "true"), (0, "false"), (True, "1"), (False, "0"), ([1], "[true]"), ({"a": 0}, '{"a": false}')],
)
def test_a_boolean_where_the_payload_signs_a_number_or_the_reverse_is_inconsistent(signed: object, sent: str) -> None:
    assert code(post({"post_only": signed}, f'{{"post_only": {sent}, "nonce": {NONCE}}}')) == 2014


@pytest.mark.parametrize(("signed", "sent"), [(1, "1"), (1, "1.0"), (True, "true"), ([1, False], "[1.0, false]")])
def test_the_same_json_value_is_consistent(signed: object, sent: str) -> None:
    assert code(post({"post_only": signed}, f'{{"post_only": {sent}, "nonce": {NONCE}}}')) is None
