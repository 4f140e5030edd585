"""The signer and the verifier agree, for every scheme: whatever `sign()` accepts, `verify()` accepts at the input's own time.

Inputs are drawn around each valid vector of the corpus: a window, a clock,
a nonce, credentials, a path, parameters and a body changed to values a
careless caller passes (negative, zero, huge, empty, any text). Whatever the
verifier would refuse, the signer must refuse first with one `SigningError`
line naming the field.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signing.model import Request, SigningError, request_from_mapping
from signing.registry import SCHEMES, sign, verify
from signing.server import MemoryReplayStore, ServerContext, StaticKeys
from tests.support.corpus import repo_corpus, repo_vectors


def seeds(scheme: str) -> list[dict[str, Any]]:
    """The inputs of the scheme's valid vectors (of all its vectors when none is valid, as for a legacy scheme)."""
    vectors = [vector for vector in repo_vectors() if vector.scheme == scheme]
    return [dict(vector.input) for vector in vectors if vector.result == "valid"] or [dict(vector.input) for vector in vectors]


VALID = {scheme: seeds(scheme) for scheme in SCHEMES}
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
NUMBERS = st.one_of(
    st.sampled_from([-1, 0, 1, 59_999, 60_000, 60_001, 10**15, 10**19, -(10**13)]), st.integers(-(10**20), 10**20)
)
SCALARS = st.one_of(TEXT, st.integers(-(10**6), 10**6), st.booleans(), st.none())


@st.composite
def inputs(draw: st.DrawFn, scheme: str) -> dict[str, Any]:
    """A valid vector's input of `scheme` with some of its fields changed."""
    data = dict(draw(st.sampled_from(VALID[scheme])))
    if draw(st.booleans()):
        data["window"] = draw(NUMBERS)
    if draw(st.booleans()):
        data["timestamp"] = draw(NUMBERS)
    if draw(st.booleans()):
        data["nonce"] = draw(TEXT)
    if draw(st.booleans()):
        data["credentials"] = {**data["credentials"], draw(st.sampled_from(["api_key", "secret"])): draw(TEXT)}
    if draw(st.booleans()):
        data["path"] = data["path"] + draw(TEXT)
    if draw(st.booleans()):
        data["method"] = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
    if draw(st.booleans()):
        data["query"] = [*(data.get("query") or []), [draw(TEXT), draw(TEXT)]]
    body = data.get("body")
    if draw(st.booleans()) and isinstance(body, dict) and isinstance(body.get("json"), dict):
        data["body"] = {"json": {**body["json"], draw(TEXT): draw(SCALARS)}}
    elif draw(st.booleans()) and isinstance(body, dict) and isinstance(body.get("form"), list):
        data["body"] = {"form": [*body["form"], [draw(TEXT), draw(TEXT)]]}
    elif draw(st.booleans()):
        data["body"] = draw(st.sampled_from([None, {"json_text": "{}"}, {"json": {"a": 1}}, {"form": [["a", "1"]]}]))
    return data


def chosen_window_bounds(scheme: str) -> list[tuple[int, int | None]]:
    """The window bounds the reference's declared choices (rules.yaml) put on `scheme`: where the documents state no
    bound, the reference signs a window past it as one reading (coinex-v2-window-cap, vector coinex-v2-0030) and its
    verifier answers the other, so there the two may disagree."""
    choices = repo_corpus().rules.get("choices", {}).values()
    return [(bound["from"], bound.get("to")) for choice in choices if scheme in choice.get("schemes", [])
            for bound in choice.get("bounds", []) if bound.get("field") == "window"]


def past_a_chosen_bound(request: Request) -> bool:
    window = request.window
    return window is not None and any(window >= low and (high is None or window <= high)
                                      for low, high in chosen_window_bounds(request.scheme))


def sign_or_refuse(data: dict[str, Any]) -> Any:
    """The signed request, or None when the input is refused with a one-line `SigningError`."""
    try:
        return sign(request_from_mapping(data))
    except SigningError as error:
        assert "\n" not in str(error)
        return None


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_the_signer_accepts_the_verifier_accepts_at_the_input_s_own_time(scheme: str, data: st.DataObject) -> None:
    drawn = data.draw(inputs(scheme))
    signed = sign_or_refuse(drawn)
    if signed is None:
        return
    request = request_from_mapping(drawn)
    keys = StaticKeys({request.credentials.api_key: request.credentials.secret})
    context = ServerContext(request.timestamp or 0, keys, MemoryReplayStore())
    verdict = verify(signed.wire, context, scheme)
    assert verdict.accepted or past_a_chosen_bound(request), (verdict.step, verdict.rejection)


@pytest.mark.parametrize(
    ("scheme", "window"),
    [("mexc-futures-v1", 0), ("mexc-futures-v1", -1), ("mexc-futures-v1", 10**19), ("coinex-v2", -1), ("coinex-v2", 10**19)],
)
def test_a_window_the_verifier_refuses_is_refused_by_the_signer(scheme: str, window: int) -> None:
    with pytest.raises(SigningError, match=r"^window: "):
        sign(request_from_mapping({**VALID[scheme][0], "window": window}))
