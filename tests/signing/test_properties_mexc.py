"""Hypothesis properties of MEXC signing: what must and must not change a signature."""

from __future__ import annotations

import re
import string

from hypothesis import assume, given
from hypothesis import strategies as st

from signing.encoding import percent_encode
from signing.http import HttpRequest
from signing.mexc_futures import verify as verify_futures
from signing.mexc_spot import verify as verify_spot
from signing.model import Request, Signed, request_from_mapping
from signing.registry import sign
from tests.support.server import rejection_of

SPOT_KEY = {"api_key": "mx0aBYs33eIilxBWC5", "secret": "45d0b3c26f2644f19bfb98b07741b2f5"}
FUTURES_KEY = {"api_key": "mx0vglsigvecTESTKEY", "secret": "sigvec0test0secret0futures000001"}
CLOCK = 1700000000000
UNRESERVED = string.ascii_letters + string.digits + "-._~"

keys = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8).filter(lambda key: key != "timestamp")
values = st.text(max_size=12).filter(lambda text: "\x00" not in text)
params = st.lists(st.tuples(keys, values), max_size=6, unique_by=lambda pair: pair[0])


def hand_encoded(text: str) -> str:
    """Percent-encoding written out independently of `signing.encoding`."""
    return "".join(c if c in UNRESERVED else "".join(f"%{byte:02X}" for byte in c.encode()) for c in text)


def hand_joined(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{hand_encoded(key)}={hand_encoded(value)}" for key, value in pairs)


def spot(query: list[tuple[str, str]], form: list[tuple[str, str]] | None) -> tuple[Request, Signed]:
    data: dict[str, object] = {
        "scheme": "mexc-spot-v3",
        "credentials": SPOT_KEY,
        "method": "POST",
        "path": "/api/v3/order",
        "query": [list(pair) for pair in query],
        "timestamp": CLOCK,
    }
    if form is not None:
        data["body"] = {"form": [list(pair) for pair in form]}
    request = request_from_mapping(data)
    return request, sign(request)


def futures_get(query: list[tuple[str, str]]) -> tuple[Request, Signed]:
    request = request_from_mapping(
        {
            "scheme": "mexc-futures-v1",
            "credentials": FUTURES_KEY,
            "method": "GET",
            "path": "/api/v1/private/order/list/history_orders",
            "query": [list(pair) for pair in query],
            "timestamp": CLOCK,
        }
    )
    return request, sign(request)


def with_timestamp(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*pairs, ("timestamp", str(CLOCK))]


@given(params, st.data())
def test_spot_signature_is_kept_across_placements_exactly_when_the_concatenation_is(
    pairs: list[tuple[str, str]], data: st.DataObject
) -> None:
    everything = with_timestamp(pairs)
    first, second = (data.draw(st.integers(0, len(everything)), label=f"split {n}") for n in (1, 2))
    signed = [spot(everything[:k], everything[k:] or None)[1] for k in (first, second)]
    concatenations = [hand_joined(everything[:k]) + hand_joined(everything[k:]) for k in (first, second)]
    assert (signed[0].stages.signature == signed[1].stages.signature) == (concatenations[0] == concatenations[1])


@given(params, st.randoms(use_true_random=False))
def test_reordering_parameters_changes_the_spot_signature(pairs: list[tuple[str, str]], random: object) -> None:
    everything = with_timestamp(pairs)
    shuffled = list(everything)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assume(hand_joined(shuffled) != hand_joined(everything))
    assert spot(shuffled, None)[1].stages.signature != spot(everything, None)[1].stages.signature


@given(params, st.randoms(use_true_random=False))
def test_reordering_parameters_keeps_the_futures_get_signature(pairs: list[tuple[str, str]], random: object) -> None:
    shuffled = list(pairs)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert futures_get(shuffled)[1] == futures_get(pairs)[1]


@given(st.text(alphabet=UNRESERVED))
def test_encoding_is_idempotent_on_unreserved_characters(text: str) -> None:
    assert percent_encode(text) == text
    assert percent_encode(percent_encode(text)) == percent_encode(text)


@given(params)
def test_encoding_matches_an_independent_percent_encoder(pairs: list[tuple[str, str]]) -> None:
    assert spot(with_timestamp(pairs), None)[1].stages.string_to_sign == hand_joined(with_timestamp(pairs))


@given(params, params)
def test_only_upper_case_percent_escapes_appear_in_the_signed_text(
    query: list[tuple[str, str]], form: list[tuple[str, str]]
) -> None:
    message = spot(query, with_timestamp(form))[1].stages.string_to_sign or ""
    assert all(escape == escape.upper() for escape in re.findall(r"%[0-9A-Fa-f]{2}", message))


@given(params, params)
def test_spot_signing_is_deterministic(query: list[tuple[str, str]], form: list[tuple[str, str]]) -> None:
    assert spot(query, with_timestamp(form))[1] == spot(query, with_timestamp(form))[1]


@given(params, params)
def test_the_spot_verifier_accepts_every_signed_request(query: list[tuple[str, str]], form: list[tuple[str, str]]) -> None:
    request, signed = spot(query, with_timestamp(form))
    assert rejection_of(verify_spot, signed.wire, request.credentials, CLOCK) is None


@given(params)
def test_the_futures_verifier_accepts_every_signed_get(pairs: list[tuple[str, str]]) -> None:
    request, signed = futures_get(pairs)
    assert rejection_of(verify_futures, signed.wire, request.credentials, CLOCK) is None


@given(params, values, values)
def test_changing_a_sent_value_breaks_the_spot_signature(pairs: list[tuple[str, str]], value: str, replacement: str) -> None:
    assume(value != replacement)
    request, signed = spot([], [("memo9", value), *with_timestamp(pairs)])
    body = (signed.wire.text or "").replace(f"memo9={hand_encoded(value)}", f"memo9={hand_encoded(replacement)}", 1)
    tampered = HttpRequest.from_text(signed.wire.method, signed.wire.target, signed.wire.headers, body)
    rejection = rejection_of(verify_spot, tampered, request.credentials, CLOCK)
    assert rejection is not None and rejection.code == 700002


@given(params)
def test_a_request_time_other_than_the_signed_one_breaks_the_futures_signature(pairs: list[tuple[str, str]]) -> None:
    request, signed = futures_get(pairs)
    later = str(CLOCK + 1)
    headers = tuple((name, later if name == "Request-Time" else value) for name, value in signed.wire.headers)
    moved = HttpRequest.from_text(signed.wire.method, signed.wire.target, headers, None)
    rejection = rejection_of(verify_futures, moved, request.credentials, CLOCK)
    assert rejection is not None and rejection.code == 602
