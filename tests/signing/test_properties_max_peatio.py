"""Hypothesis properties of MAX and Peatio signing.

The checks read the wire with the standard library (`base64`, `json`,
`urllib.parse`), not with `signing`, so that they do not restate the code
under test.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from signing import max_v2, peatio
from signing.http import HttpRequest
from signing.model import Credentials, Signed, SigningError, request_from_mapping
from signing.registry import sign
from tests.support.server import rejection_of

NONCE = 1700000000000
TONCE = 123456789
MAX_KEY = {"api_key": "xxx", "secret": "yyy"}
PEATIO_KEY = {"api_key": "xxx", "secret": "yyy"}
CREDENTIALS = Credentials("xxx", "yyy")
AUTH = [["access_key", "xxx"], ["tonce", str(TONCE)]]
RESERVED = {"nonce", "path", "access_key", "tonce", "signature", "format", "route_info"}

names = st.text(alphabet=string.ascii_lowercase + "_-" + string.digits, min_size=1, max_size=6).filter(
    lambda name: name not in RESERVED
)
values = st.text(max_size=10).filter(lambda text: "\x00" not in text)
scalars = st.dictionaries(names, values, max_size=5)


def max_get(pairs: list[tuple[str, str]], options: dict[str, str] | None = None) -> Signed:
    query = [[key, value] for key, value in pairs] + [["nonce", str(NONCE)]]
    data = {"scheme": "max-v2", "credentials": MAX_KEY, "method": "GET", "path": "/api/v3/orders", "query": query}
    return sign(request_from_mapping({**data, "timestamp": NONCE, "options": options or {}}))


def peatio_get(pairs: list[tuple[str, str]], path: str = "/api/v2/orders") -> Signed:
    query = [*AUTH, *([key, value] for key, value in pairs)]
    data = {"scheme": "peatio-v2", "credentials": PEATIO_KEY, "method": "GET", "path": path, "query": query}
    return sign(request_from_mapping({**data, "timestamp": TONCE}))


def with_array(scalar_pairs: list[tuple[str, str]], array: list[str], slots: list[int]) -> list[tuple[str, str]]:
    """`scalar_pairs` with the `list[]` pairs inserted at `slots`, keeping the array's own order."""
    pairs, position = list(scalar_pairs), 0
    for index, value in enumerate(array):
        slot = slots[index] if index < len(slots) else len(pairs)
        position = min(max(slot, position), len(pairs))
        pairs.insert(position, ("list[]", value))
        position += 1
    return pairs


def grouped_query(url: str) -> dict[str, object]:
    """A URL's query read by the standard library, `k[]` pairs gathered into a list under `k`."""
    result: dict[str, object] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.endswith("[]"):
            listed = result.setdefault(key[:-2], [])
            assert isinstance(listed, list)
            listed.append(value)
        else:
            result[key] = value
    return result


def tampered_url(wire: HttpRequest, old: str, new: str) -> HttpRequest:
    assert old in wire.target
    return replace(wire, target=wire.target.replace(old, new, 1))


# --- Peatio ---------------------------------------------------------------------------


@given(scalars, st.lists(values, max_size=3), st.randoms(use_true_random=False), st.lists(st.integers(0, 8), max_size=3))
def test_peatio_payload_is_invariant_under_any_reordering_of_params(
    params: dict[str, str], array: list[str], rng: random.Random, slots: list[int]
) -> None:
    pairs = list(params.items())
    shuffled = list(pairs)
    rng.shuffle(shuffled)
    first, second = peatio_get(with_array(pairs, array, [])), peatio_get(with_array(shuffled, array, slots))
    assert first.stages.string_to_sign == second.stages.string_to_sign
    assert first.stages.signature == second.stages.signature


@given(scalars, values, values)
def test_peatio_payload_depends_on_the_order_of_array_elements(params: dict[str, str], first: str, second: str) -> None:
    assume(first != second)
    pairs = list(params.items())
    forward = peatio_get([*pairs, ("list[]", first), ("list[]", second)])
    backward = peatio_get([*pairs, ("list[]", second), ("list[]", first)])
    assert forward.stages.string_to_sign != backward.stages.string_to_sign


@given(scalars)
def test_peatio_signing_is_deterministic(params: dict[str, str]) -> None:
    assert peatio_get(list(params.items())) == peatio_get(list(params.items()))


@given(scalars)
def test_peatio_verifier_accepts_what_the_reference_signs(params: dict[str, str]) -> None:
    wire = peatio_get(list(params.items())).wire
    assert rejection_of(peatio.verify, wire, CREDENTIALS, TONCE) is None


@given(st.dictionaries(names, st.text(alphabet=string.ascii_letters, min_size=1, max_size=6), min_size=1, max_size=4))
def test_peatio_verifier_rejects_a_changed_value(params: dict[str, str]) -> None:
    wire = peatio_get(list(params.items())).wire
    key, value = next(iter(params.items()))
    changed = tampered_url(wire, f"&{key}={value}", f"&{key}={value}Z")
    rejection = rejection_of(peatio.verify, changed, CREDENTIALS, TONCE)
    assert rejection is not None and rejection.code == 2005


# --- MAX --------------------------------------------------------------------------------


@given(scalars, st.sampled_from(["compact", "python", "sorted"]))
def test_max_payload_decodes_to_exactly_params_nonce_and_path(params: dict[str, str], style: str) -> None:
    signed = max_get(list(params.items()), {"json": style})
    decoded = json.loads(base64.b64decode(signed.wire.header("X-MAX-PAYLOAD") or "", validate=True))
    assert decoded == {**params, "nonce": NONCE, "path": "/api/v3/orders"}


@given(st.dictionaries(names, st.integers(-(10**12), 10**12) | values | st.lists(values, max_size=2), max_size=5))
def test_max_post_payload_is_the_body_plus_path(params: dict[str, object]) -> None:
    body = {**params, "nonce": NONCE}
    data = {"scheme": "max-v2", "credentials": MAX_KEY, "method": "POST", "path": "/api/v3/orders", "body": {"json": body}}
    signed = sign(request_from_mapping({**data, "timestamp": NONCE}))
    decoded = json.loads(base64.b64decode(signed.stages.payload or "", validate=True))
    assert decoded == {**body, "path": "/api/v3/orders"}
    assert json.loads(signed.wire.body or "") == body


@given(scalars, st.lists(values, max_size=3), st.lists(st.integers(0, 8), max_size=3))
def test_max_get_query_and_payload_always_agree(params: dict[str, str], array: list[str], slots: list[int]) -> None:
    signed = max_get(with_array(list(params.items()), array, slots))
    decoded = json.loads(base64.b64decode(signed.stages.payload or "", validate=True))
    assert decoded.pop("path") == urlsplit(signed.wire.target).path
    assert grouped_query(signed.wire.target) == {key: str(value) if key == "nonce" else value for key, value in decoded.items()}


@given(scalars, st.sampled_from(["compact", "python", "sorted"]))
def test_max_signing_is_deterministic(params: dict[str, str], style: str) -> None:
    assert max_get(list(params.items()), {"json": style}) == max_get(list(params.items()), {"json": style})


@given(scalars, st.sampled_from(["compact", "python", "sorted"]))
def test_max_verifier_accepts_what_the_reference_signs(params: dict[str, str], style: str) -> None:
    wire = max_get(list(params.items()), {"json": style}).wire
    assert rejection_of(max_v2.verify, wire, CREDENTIALS, NONCE) is None


@given(st.dictionaries(names, st.text(alphabet=string.ascii_letters, min_size=1, max_size=6), min_size=1, max_size=4))
def test_max_verifier_rejects_a_query_that_no_longer_matches_the_payload(params: dict[str, str]) -> None:
    wire = max_get(list(params.items())).wire
    key, value = next(iter(params.items()))
    changed = tampered_url(wire, f"{key}={value}&", f"{key}={value}Z&")
    rejection = rejection_of(max_v2.verify, changed, CREDENTIALS, NONCE)
    assert rejection is not None and rejection.code == 2014


# --- refused input ---------------------------------------------------------------------


REFUSED: dict[str, dict[str, object]] = {
    "max float in body": {"method": "POST", "path": "/api/v3/orders", "body": {"json": {"price": 0.1, "nonce": NONCE}}},
    "max nonce missing": {"method": "GET", "path": "/api/v3/orders", "query": [["market", "btctwd"]]},
    "max nonce differs": {"method": "GET", "path": "/api/v3/orders", "query": [["nonce", "1"]]},
    "max repeated key": {"method": "GET", "path": "/api/v3/orders", "query": [["a", "1"], ["a", "2"], ["nonce", str(NONCE)]]},
    "max unknown json option": {"method": "GET", "path": "/a", "query": [["nonce", str(NONCE)]], "options": {"json": "pretty"}},
    "max query on a POST": {"method": "POST", "path": "/a", "query": [["nonce", str(NONCE)]]},
    "max path in body": {"method": "POST", "path": "/a", "body": {"json": {"path": "/a", "nonce": NONCE}}},
}
PEATIO_REFUSED: dict[str, dict[str, object]] = {
    "peatio json body": {"method": "POST", "path": "/api/v2/orders", "body": {"json": {"access_key": "xxx"}}},
    "peatio tonce missing": {"method": "GET", "path": "/api/v2/orders", "query": [["access_key", "xxx"]]},
    "peatio wrong access key": {"method": "GET", "path": "/a", "query": [["access_key", "other"], ["tonce", str(TONCE)]]},
    "peatio repeated scalar": {"method": "GET", "path": "/a", "query": [*AUTH, ["a", "1"], ["a", "2"]]},
    "peatio signature given": {"method": "GET", "path": "/a", "query": [*AUTH, ["signature", "x"]]},
    "peatio unknown encoding": {"method": "GET", "path": "/a", "query": AUTH, "options": {"encoding": "x"}},
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_max_refuses_unclear_input_with_signing_error(case: str) -> None:
    with pytest.raises(SigningError):
        sign(request_from_mapping({"scheme": "max-v2", "credentials": MAX_KEY, "timestamp": NONCE, **REFUSED[case]}))


@pytest.mark.parametrize("case", sorted(PEATIO_REFUSED))
def test_peatio_refuses_unclear_input_with_signing_error(case: str) -> None:
    data = {"scheme": "peatio-v2", "credentials": PEATIO_KEY, "timestamp": TONCE, **PEATIO_REFUSED[case]}
    with pytest.raises(SigningError):
        sign(request_from_mapping(data))
