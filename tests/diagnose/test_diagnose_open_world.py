"""The gate never knows less than `explain`: a client-fault bug is named however the client places and orders
its parameters, since the gate's diagnosis also starts from the parameters read off the wire."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from signing.model import FormBody, JsonBody, Request, SigningError
from signing.registry import SCHEMES, scheme_named, sign
from sigvec.codec import wire_from_mapping
from sigvec.corpus import Vector
from sigvec.diagnose import VectorDiagnoser, catalogue, diagnose, diagnose_both
from sigvec.diagnose.reference import Reference, reference_for
from tests.diagnose.test_diagnose import (
    EXAMPLES,
    bug_flags,
    cited_from_other_schemes,
    client_fault,
    client_request,
    needs_intended,
    vector_context,
)
from tests.support.corpus import repo_vectors, vector_param

BODY_METHODS = ("POST", "PUT", "DELETE")


def moved(request: Request) -> Request:
    """The request with its parameters reversed and, where the method takes a body, moved to the other placement."""
    query, body = request.query[::-1], request.body
    if isinstance(body, FormBody):
        form = body.params[::-1]
        if not query:
            return replace(request, query=form, body=None)
        return replace(request, query=form, body=FormBody(query))
    if isinstance(body, JsonBody) and isinstance(body.value, dict):
        value = dict(reversed(list(body.value.items())))
        return replace(request, query=query, body=JsonBody(value, json.dumps(value, separators=(",", ":"), ensure_ascii=False)))
    if body is None and query and request.method in BODY_METHODS:
        return replace(request, query=(), body=FormBody(query))
    return replace(request, query=query)


def rebuildable(name: str) -> bool:
    bug = catalogue().named(name)
    return bug.is_edit or bug.signature is not None


def resent(reference: Reference, classes: tuple[str, ...]) -> Reference | None:
    """What a client with the in-place diagnosis's classes sends for `reference`'s request, or None where a class
    is not an edit of the construction, the scheme option or the sibling scheme it names."""
    request = reference.request
    construction = reference.construction
    for name in classes:
        if name.startswith("option "):
            option, _, value = name.removeprefix("option ").partition("=")
            request = replace(request, options={**request.options, option: value})
        elif name == "SiblingScheme" or construction is None or not rebuildable(name):
            return None
    variant = reference_for(scheme_named(reference.scheme.name), request) if request is not reference.request else reference
    if variant.construction is None:
        return None
    built = variant.construction
    for name in classes:
        if not name.startswith("option "):
            built = catalogue().named(name).apply(built)
    return replace(variant, construction=built)


def with_extra(request: Request) -> Request:
    """The request with one parameter more, first in its list (as a client that adds its own `recvWindow` does)."""
    if isinstance(request.body, FormBody):
        return replace(request, body=FormBody((EXTRA, *request.body.params)))
    return replace(request, query=(EXTRA, *request.query))


EXTRA = ("clientTag", "x 1")


def moved_requests(vector: Vector) -> list[Request]:
    """The vector's input moved and re-ordered, re-ordered alone, and both with a parameter added; each where
    the reference can sign it."""
    request, _ = vector_context(vector)
    found = []
    reordered = replace(moved(request), query=request.query[::-1], body=moved(replace(request, query=())).body)
    for variant in (moved(request), reordered, with_extra(moved(request)), with_extra(reordered)):
        try:
            sign(variant)
        except SigningError:
            continue
        if variant != request:
            found.append(variant)
    return found


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in repo_vectors() if client_fault(vector)])
def test_a_client_fault_moved_and_reordered_is_diagnosed_by_the_gate_as_in_place(vector: Vector) -> None:
    request, context = vector_context(vector)
    in_place = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    if needs_intended(in_place) or not in_place.matches:
        pytest.skip("only the intended request shows this class, or no class reproduces it in place")
    wanted = bug_flags(vector)
    tried = 0
    for variant in moved_requests(vector):
        reference = reference_for(SCHEMES[vector.scheme], variant)
        client = resent(reference, in_place.matches[0].classes)
        if client is None or client.construction is None:
            continue
        sent = client_request(reference, client.construction)
        diagnosis = diagnose_both(sent, vector.scheme, context, request, examples=EXAMPLES)
        if diagnosis.verdict.accepted:
            continue
        tried += 1
        assert diagnosis.matches, f"{variant}: {diagnosis.message}"
        assert set(diagnosis.flags) & wanted if wanted else not diagnosis.flags, diagnosis.message
    if not tried:
        pytest.skip("the class does not apply once the parameters move")


def test_the_wire_starting_point_is_needed_for_a_moved_request() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0004")
    request, context = vector_context(vector)
    assert isinstance(request.body, FormBody)
    variant = replace(request, query=request.query[::-1], body=FormBody(request.body.params[::-1]))
    reference = reference_for(SCHEMES[vector.scheme], variant)
    client = resent(reference, ("StrayAmpersand",))
    assert client is not None and client.construction is not None
    sent = client_request(reference, client.construction)
    assert not diagnose(sent, vector.scheme, context, request, examples=EXAMPLES).matches
    assert [match.classes for match in diagnose_both(sent, vector.scheme, context, request, examples=EXAMPLES).matches] == [
        ("StrayAmpersand",)
    ]
    gate_diagnosis = VectorDiagnoser(EXAMPLES)(vector, sent, context, None)
    assert gate_diagnosis.message.startswith("your client joins query and body with `&`")


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in repo_vectors() if vector.result == "invalid"])
def test_no_diagnosis_cites_another_schemes_rule_or_vector(vector: Vector) -> None:
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    for intended in (request, None):
        message = diagnose(received, vector.scheme, context, intended, examples=EXAMPLES).message
        assert not cited_from_other_schemes(message, vector.scheme), message


def test_a_coinex_client_declared_percent_is_told_its_own_reading_not_the_form_default() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-sha256-legacy-0003")
    request, context = vector_context(vector)
    declared = replace(request, scheme="coinex-v2", options={**request.options, "query_encoding": "percent"})
    reference = reference_for(SCHEMES["coinex-v2"], declared)
    assert reference.construction is not None
    built = catalogue().named("send_encoder=quote_plus").apply(reference.construction)
    diagnosis = diagnose(client_request(reference, built), "coinex-v2", context, declared, examples=EXAMPLES)
    named = [match.classes for match in diagnosis.matches]
    assert ("send_encoder=quote_plus",) in named and all(
        axis == "send_encoder" for match in diagnosis.matches for axis, _ in match.axes
    )
    assert "CoinEx expects them sent with RFC 3986 percent-encoding (space as `%20`" in diagnosis.message
    assert "signed `remark=rent%20for%20May` but sent `remark=rent+for+May`" in diagnosis.message
    assert "`+` where" not in diagnosis.message


def test_two_deviations_get_one_sentence_each_ordered_by_the_stage_where_each_first_shows() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0014")
    request, context = vector_context(vector)
    reference = reference_for(SCHEMES[vector.scheme], request)
    assert reference.construction is not None
    built = catalogue().named("sign_encoder=raw").apply(catalogue().named("HexCaseFlipped").apply(reference.construction))
    diagnosis = diagnose(client_request(reference, built), vector.scheme, context, request, examples=EXAMPLES)
    match = diagnosis.matches[0]
    assert match.classes == ("sign_encoder=raw", "HexCaseFlipped")
    assert match.class_stages == ("string_to_sign", "signature")
    assert set(diagnosis.flags) == {"Utf8Encoding", "SpaceEncoding", "HexCase"}
    first, second = diagnosis.message.split(". Your client ")
    assert first.startswith("your client signs the parameters written with no escaping (raw text)")
    assert "signed `remark=付款 café` but sent `remark=%E4%BB%98%E6%AC%BE%20caf%C3%A9`" in first
    assert second.startswith("writes the signature in the other hex case")


def test_a_value_with_a_space_and_non_ascii_text_signed_raw_is_one_bug_on_the_sign_encoder_axis() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0014")
    request, context = vector_context(vector)
    reference = reference_for(SCHEMES[vector.scheme], request)
    assert reference.construction is not None
    built = catalogue().named("sign_encoder=raw").apply(reference.construction)
    diagnosis = diagnose(client_request(reference, built), vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.matches[0].classes == ("sign_encoder=raw",) and diagnosis.matches[0].axes == (("sign_encoder", "raw"),)
    assert set(diagnosis.flags) == {"Utf8Encoding", "SpaceEncoding"}
