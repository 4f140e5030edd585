"""MAX: the server's checks, one rule per test, on the vector shaped like the v2 docs' example, max-v2-0001."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from signing.http import HttpRequest
from signing.max_v2 import verify
from signing.model import Credentials
from signing.server import MemoryReplayStore, ReplayStore
from tests.support.corpus import vector_named
from tests.support.server import rejection_of

KEY = Credentials("xxx", "yyy")
SEED = vector_named("max-v2-0001").expected["wire"]
NONCE = 1700000000000


def wire_with(payload: str, url: str = SEED["url"], signature: str | None = None) -> HttpRequest:
    """A request carrying `payload`, signed over it independently of `signing` unless `signature` is given."""
    sig = signature or hmac.new(b"yyy", payload.encode(), hashlib.sha256).hexdigest()
    headers = (("X-MAX-ACCESSKEY", "xxx"), ("X-MAX-PAYLOAD", payload), ("X-MAX-SIGNATURE", sig))
    return HttpRequest.from_text("GET", url, headers, None)


def encoded(obj: object) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()


def code(wire: HttpRequest, server_time: int = NONCE, replay: ReplayStore | None = None) -> int | None:
    rejection = rejection_of(verify, wire, KEY, server_time, replay)
    return rejection.code if rejection else None


def seed_wire() -> HttpRequest:
    return HttpRequest.from_text("GET", SEED["url"], tuple(SEED["headers"].items()), None)


def test_seed_shaped_request_is_accepted() -> None:
    assert code(seed_wire()) is None


def test_the_nonce_may_be_30_seconds_off_but_not_more() -> None:
    assert code(seed_wire(), NONCE + 30000) is None
    assert code(seed_wire(), NONCE - 30000) is None
    assert code(seed_wire(), NONCE + 30001) == 2007
    assert code(seed_wire(), NONCE - 30001) == 2007


def test_the_hmac_covers_the_header_as_received() -> None:
    assert code(wire_with(SEED["headers"]["X-MAX-PAYLOAD"], signature="0" * 64)) == 2005


def test_key_order_and_spaces_are_free_when_the_signature_matches() -> None:
    assert code(wire_with(encoded({"path": "/api/v2/members/me.json", "nonce": NONCE}))) is None


def test_an_undecodable_payload_with_a_matching_hmac_is_2015() -> None:
    assert code(wire_with("not base64!")) == 2015
    assert code(wire_with(base64.b64encode(b"[1, 2]").decode())) == 2015


def test_a_get_query_param_with_another_value_in_the_payload_is_2014() -> None:
    payload = encoded({"market": "ethtwd", "nonce": NONCE, "path": "/api/v2/orders"})
    assert code(wire_with(payload, "https://max-api.maicoin.com/api/v2/orders?market=btctwd&nonce=1700000000000")) == 2014


def test_a_post_body_that_differs_from_the_payload_is_2014() -> None:
    payload = encoded({"market": "btctwd", "nonce": NONCE, "path": "/api/v2/orders"})
    wire = wire_with(payload, "https://max-api.maicoin.com/api/v2/orders")
    posted = HttpRequest.from_text("POST", wire.target, wire.headers, '{"market":"ethtwd","nonce":1700000000000}')
    assert code(posted) == 2014


def test_rejections_are_401_with_max_error_body() -> None:
    rejection = rejection_of(verify, seed_wire(), Credentials("other", "yyy"), NONCE)
    assert rejection is not None and rejection.code == 2008 and rejection.http_status == 401
    assert json.loads(rejection.body) == {"error": {"code": 2008, "message": rejection.reason}, "success": False}


def test_the_urlsafe_payload_of_the_acceptable_vector_is_not_decoded_by_the_strict_verifier() -> None:
    wire = vector_named("max-v2-0012").expected["wire"]
    assert code(HttpRequest.from_text("POST", wire["url"], tuple(wire["headers"].items()), wire["body"])) == 2015


def test_a_post_with_a_query_parameter_the_payload_lacks_is_2014() -> None:
    """"Payload is not consistent with body": the payload must carry every parameter the request carries."""
    body = '{"market":"btctwd","nonce":1700000000000}'
    payload = encoded({"market": "btctwd", "nonce": NONCE, "path": "/api/v2/orders"})
    wire = wire_with(payload, "https://max-api.maicoin.com/api/v2/orders")
    assert code(HttpRequest.from_text("POST", wire.target, wire.headers, body)) is None
    assert code(HttpRequest.from_text("POST", wire.target + "?side=sell", wire.headers, body)) == 2014


def test_a_nonce_used_twice_by_one_key_is_2006() -> None:
    replay = MemoryReplayStore()
    assert code(seed_wire(), replay=replay) is None
    assert code(seed_wire(), NONCE + 1000, replay=replay) == 2006


def test_a_request_with_a_bad_signature_does_not_use_up_its_nonce() -> None:
    replay = MemoryReplayStore()
    assert code(wire_with(SEED["headers"]["X-MAX-PAYLOAD"], signature="0" * 64), replay=replay) == 2005
    assert code(seed_wire(), replay=replay) is None
