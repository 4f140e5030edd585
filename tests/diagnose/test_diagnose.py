"""Diagnosis names the bug behind a rejected request: the corpus, a property over every class, and its edges."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing.http import HttpRequest
from signing.model import FormBody, Request, SigningError, request_from_mapping
from signing.registry import SCHEMES, scheme_named
from signing.server import ServerContext, StaticKeys
from sigvec.check import context_for as check_context
from sigvec.codec import wire_from_mapping
from sigvec.corpus import Vector
from sigvec.diagnose import BugClass, Diagnosis, VectorDiagnoser, catalogue, diagnose
from sigvec.diagnose.construction import Construction, Pairs
from sigvec.diagnose.examples import Examples
from sigvec.diagnose.reference import Reference, reference_for, sent_parts
from tests.support.corpus import repo_corpus, repo_vectors, vector_param

EDIT_CLASSES = [bug for bug in catalogue().classes if bug.is_edit or bug.signature]

EXAMPLES = Examples.of(repo_vectors())


def client_fault(vector: Vector) -> bool:
    return vector.result == "invalid" and vector.data["fault"] == "client"


def claimed_flags() -> set[str]:
    bugs = catalogue()
    claimed = {flag for bug in bugs.classes for flag in bug.flags}
    claimed |= {flag for flags in bugs.option_flags.values() for flag in flags}
    return claimed | {flag for step in bugs.steps.values() for flag in step.get("flags", ())}


def bug_flags(vector: Vector) -> set[str]:
    """The vector's flags that name a bug: every flag a class claims, and every other flag whose bug type is not
    one the catalogue lists as describing the vector or its scheme (`vector_properties`)."""
    claimed, properties = claimed_flags(), catalogue().vector_properties
    return {flag for flag in vector.flags if flag in claimed or repo_corpus().flags[flag]["bug_type"] not in properties}


def server_for(request: Request, now_ms: int) -> ServerContext:
    return ServerContext(now_ms, StaticKeys({request.credentials.api_key: request.credentials.secret}))


def vector_context(vector: Vector) -> tuple[Request, ServerContext]:
    request = request_from_mapping(vector.input)
    return request, server_for(request, vector.server_time or 0)


CLIENT_FAULT = [vector_param(vector) for vector in repo_vectors() if client_fault(vector)]
VALID = [vector_param(vector) for vector in repo_vectors() if vector.result == "valid"]


@pytest.mark.parametrize("vector", CLIENT_FAULT)
def test_every_client_fault_vector_is_diagnosed_as_exactly_its_flags(vector: Vector) -> None:
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.found, diagnosis.message
    assert set(diagnosis.flags) == bug_flags(vector), diagnosis.message


def needs_intended(diagnosis: Diagnosis) -> bool:
    """Whether only classes that the intended request alone shows explain the diagnosis (catalogue `needs_intended`)."""
    names = [name for match in diagnosis.matches for name in match.classes]
    return bool(names) and all(catalogue().named(name).needs_intended for name in names)


@pytest.mark.parametrize("vector", CLIENT_FAULT)
def test_a_client_fault_vector_is_diagnosed_from_its_wire_alone_unless_only_the_intended_request_shows_it(
    vector: Vector,
) -> None:
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    diagnosis = diagnose(received, vector.scheme, context, examples=EXAMPLES)
    wanted = bug_flags(vector)
    if needs_intended(diagnose(received, vector.scheme, context, request, examples=EXAMPLES)):
        assert not diagnosis.found or set(diagnosis.flags) & wanted, diagnosis.message
        return
    assert diagnosis.found, diagnosis.message
    assert set(diagnosis.flags) & wanted if wanted else not diagnosis.flags, diagnosis.message


REQUEST_FAULT = [
    vector_param(vector) for vector in repo_vectors() if vector.result == "invalid" and vector.data["fault"] == "request"
]


@pytest.mark.parametrize("vector", REQUEST_FAULT)
def test_a_request_fault_vector_is_diagnosed_by_the_check_that_fired_naming_none_but_its_flags(vector: Vector) -> None:
    request = request_from_mapping(vector.input)
    context = check_context(vector, vector.server_time or 0)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.found and not diagnosis.verdict.accepted, diagnosis.message
    assert diagnosis.step == vector.data["error"].get("step", diagnosis.step), diagnosis.message
    assert set(diagnosis.flags) <= bug_flags(vector), diagnosis.message


def client_request(reference: Reference, construction: Construction) -> HttpRequest:
    """What a client built by `construction` sends: the reference's request with its signature, payload and parts replaced."""
    outcome = reference.outcome(construction)
    wire = reference.signed.wire
    old_signature, new_signature = reference.signed.stages.signature, outcome.signature or ""
    replacements = {old_signature: new_signature}
    if reference.signed.stages.payload is not None and "payload" in outcome.stages:
        replacements[reference.signed.stages.payload] = outcome.stages["payload"]
    headers = tuple((name, replacements.get(value, value)) for name, value in wire.headers)
    query, body = construction.sent_text("query") or "", construction.sent_text("body") or ""
    carrier = reference.carrier
    if carrier is not None and carrier.where == "param":
        signature_piece = f"{carrier.name}={new_signature}"
        if f"{carrier.name}=" in wire.query:
            query = f"{query}&{signature_piece}" if query else signature_piece
        else:
            body = f"{body}&{signature_piece}" if body else signature_piece
    target = f"{wire.path}?{query}" if query else wire.path
    return HttpRequest(wire.method, target, headers, body.encode("utf-8", "surrogateescape"))


# Values no valid vector holds, added as one more parameter so that every class meets a request it changes.
EXTRA_VALUES = ("rent for May", "a:b,c(d)'e@f!g*h/i", "caf\u00e9", "\u20acuro", "", "0.00001", "1.50", "true", "False", "151")


def extended(request: Request, key: str, value: str) -> Request:
    if isinstance(request.body, FormBody):
        return replace(request, body=FormBody((*request.body.params, (key, value))))
    return replace(request, query=(*request.query, (key, value)))


def population() -> list[tuple[str, Request, int]]:
    """Every valid vector's request, and for one per scheme that signs parameters, variants with one extra parameter."""
    found: list[tuple[str, Request, int]] = []
    extended_schemes: set[str] = set()
    for vector in repo_vectors():
        if vector.result != "valid":
            continue
        request = request_from_mapping(vector.input)
        found.append((vector.id, request, vector.server_time or 0))
        reference = reference_for(scheme_named(vector.scheme), request)
        construction = reference.construction
        if construction is None or vector.scheme in extended_schemes or not isinstance(construction.signed.get("params"), Pairs):
            continue
        extended_schemes.add(vector.scheme)
        for value in EXTRA_VALUES:
            found.append((f"{vector.id}+{value!r}", extended(request, "note", value), vector.server_time or 0))
        found.append((f"{vector.id}+array", extended(extended(request, "ids[]", "1"), "ids[]", "2"), vector.server_time or 0))
    return found


def references() -> list[tuple[str, Reference, int]]:
    built = []
    for name, request, now in population():
        try:
            reference = reference_for(scheme_named(request.scheme), request)
        except SigningError:
            continue
        if reference.construction is not None:
            built.append((name, reference, now))
    return built


REFERENCES = references()


def sent_bytes(reference: Reference, construction: Construction) -> tuple[str | None, dict[str, str]]:
    received = client_request(reference, construction)
    return reference.outcome(construction).signature, sent_parts(received, reference.carrier)


def cited_from_other_schemes(message: str, scheme: str) -> list[str]:
    """What `message` cites that belongs to another scheme: another exchange's name, or another scheme's vector."""
    exchanges = {other.exchange for other in SCHEMES.values()} - {scheme_named(scheme).exchange}
    words = set(message.replace("(", " ").replace(")", " ").replace(";", " ").replace(",", " ").split())
    vectors = {vector.id: vector.scheme for vector in repo_vectors()}
    return [name for name in exchanges if name in words] + [word for word in words if vectors.get(word, scheme) != scheme]


def sends_a_fragment(construction: Construction) -> bool:
    """Whether the client sends a raw `#` in the query: the rest is a fragment, which no HTTP client sends, so the
    server receives the query cut at the `#` and diagnosis names that cut (QueryCutAtFragment), whatever the class."""
    return "#" in (construction.sent_text("query") or "")


def names_the_cut(diagnosis: Diagnosis) -> bool:
    """Whether the diagnosis names the query cut at a raw `#` alone (see `sends_a_fragment`)."""
    return [match.classes for match in diagnosis.matches] == [("QueryCutAtFragment",)]


def client_diagnosis(reference: Reference, construction: Construction, now: int) -> Diagnosis | None:
    """The diagnosis of the client built by `construction`; None when it sends what the reference sends (the
    construction does not apply to this request) or the server accepts what it sends."""
    assert reference.construction is not None
    signature, parts = sent_bytes(reference, construction)
    if signature is None or (signature, parts) == sent_bytes(reference, reference.construction):
        return None
    diagnosis = diagnose(
        client_request(reference, construction),
        reference.scheme.name,
        server_for(reference.request, now),
        reference.request,
        examples=EXAMPLES,
    )
    return None if diagnosis.verdict.accepted else diagnosis


def check_class_is_named(bug: BugClass, name: str, reference: Reference, now: int) -> bool:
    """Diagnose `bug` applied to `reference`; False when it does not apply or the server accepts the result."""
    assert reference.construction is not None
    construction = bug.apply(reference.construction)
    diagnosis = client_diagnosis(reference, construction, now)
    if diagnosis is None:
        return False
    if sends_a_fragment(construction):
        assert names_the_cut(diagnosis), f"{name}: {diagnosis.message}"
        return True
    names = {name for match in diagnosis.matches for name in match.classes}
    assert bug.name in names, f"{name}: {diagnosis.message}"
    assert all(len(match.classes) == 1 for match in diagnosis.matches), name
    assert not cited_from_other_schemes(diagnosis.message, reference.scheme.name), diagnosis.message
    for match in diagnosis.matches:
        if match.classes[0] in EDIT_NAMES:
            other = catalogue().named(match.classes[0])
            assert sent_bytes(reference, other.apply(reference.construction)) == sent_bytes(reference, construction), name
    return True


EDIT_NAMES = {bug.name for bug in EDIT_CLASSES}
# No reference joins query and body with `&`, so no request of the population can lose one; a server that sorts
# what it receives accepts any order sent, so sending the given order only completes a pair (pymexc's futures GET).
NEVER_REJECTED = {"MissingAmpersand", "SentAsGiven"}


@pytest.mark.parametrize("bug", [pytest.param(bug, id=bug.name) for bug in EDIT_CLASSES])
def test_every_class_applied_to_a_valid_request_is_named_with_only_byte_identical_classes(bug: BugClass) -> None:
    applied = sum(check_class_is_named(bug, name, reference, now) for name, reference, now in REFERENCES)
    assert bool(applied) != (bug.name in NEVER_REJECTED), f"{bug.name} was rejected {applied} times"


EXTENDABLE = [(name, reference.request, now) for name, reference, now in REFERENCES if name.endswith("+''")]


@settings(max_examples=150, deadline=None)
@given(
    base=st.sampled_from(EXTENDABLE),
    bug=st.sampled_from(EDIT_CLASSES),
    value=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10),
)
def test_any_value_under_any_class_is_named_with_only_byte_identical_classes(
    base: tuple[str, Request, int], bug: BugClass, value: str
) -> None:
    name, request, now = base
    try:
        reference = reference_for(scheme_named(request.scheme), replace_last_value(request, value))
    except SigningError:
        return
    if reference.construction is not None:
        check_class_is_named(bug, f"{name} with {value!r}", reference, now)


def replace_last_value(request: Request, value: str) -> Request:
    """The request with its added `note` parameter set to `value`."""
    if isinstance(request.body, FormBody):
        return replace(request, body=FormBody((*request.body.params[:-1], ("note", value))))
    return replace(request, query=(*request.query[:-1], ("note", value)))


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in repo_vectors() if vector.result == "invalid"])
def test_no_diagnosis_message_holds_the_secret(vector: Vector) -> None:
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    for intended in (request, None):
        diagnosis = diagnose(received, vector.scheme, context, intended, examples=EXAMPLES)
        assert request.credentials.secret not in str(diagnosis.to_mapping())


def test_an_accepted_request_is_diagnosed_as_accepted() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0002")
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.verdict.accepted and diagnosis.found and not diagnosis.matches


def test_a_signature_no_class_reproduces_is_reported_as_unexplained_with_the_closest_stage() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "max-v2-0002")
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    forged = replace(received, headers=tuple((n, "0" * 64 if n == "X-MAX-SIGNATURE" else v) for n, v in received.headers))
    diagnosis = diagnose(forged, vector.scheme, context, request, examples=EXAMPLES)
    assert not diagnosis.found and not diagnosis.matches
    assert diagnosis.message.startswith("no known bug class reproduces this signature")
    assert diagnosis.closest_stage == "string_to_sign"


def test_an_unknown_api_key_is_diagnosed_as_wrong_credentials() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-0001")
    request, _ = vector_context(vector)
    context = ServerContext(vector.server_time or 0, StaticKeys({"another-key": "another-secret"}))
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.step == "key" and "credentials" in diagnosis.message


def test_a_sibling_scheme_signature_is_named_from_the_registry() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-sha256-legacy-0001")
    request, context = vector_context(vector)
    current = replace(request, scheme="coinex-v2")
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), "coinex-v2", context, current, examples=EXAMPLES)
    assert [match.classes for match in diagnosis.matches] == [("SiblingScheme",)]
    assert "coinex-v2-sha256-legacy" in diagnosis.message


def test_another_reading_of_a_scheme_option_is_named_from_the_registry() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "bitunix-0003")
    request, context = vector_context(vector)
    default = replace(request, options={})
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, default, examples=EXAMPLES)
    assert ("option query_format=key=value",) in [match.classes for match in diagnosis.matches]


def test_seconds_for_milliseconds_is_diagnosed_by_the_window_check() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0020")
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.flags == ("SecondsForMilliseconds",)


def test_a_timestamp_sent_other_than_signed_is_named() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-0001")
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    later = str((request.timestamp or 0) + 1)
    moved = replace(received, headers=tuple((n, later if n == "X-COINEX-TIMESTAMP" else v) for n, v in received.headers))
    diagnosis = diagnose(moved, vector.scheme, context, request, examples=EXAMPLES)
    assert [match.classes for match in diagnosis.matches] == [("ClockReadTwice",)]


def test_the_diagnosis_mapping_is_json_ready() -> None:
    import json

    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0004")
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    mapping = diagnose(received, vector.scheme, context, request, examples=EXAMPLES).to_mapping()
    assert json.loads(json.dumps(mapping)) == mapping
    assert mapping["matches"][0]["classes"] == ["StrayAmpersand"] and mapping["matches"][0]["stage"] == "string_to_sign"


def test_a_sibling_schemes_authentication_on_the_wrong_path_is_named() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-futures-v1-0001")
    _, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), "mexc-spot-v3", context, examples=EXAMPLES)
    assert [match.classes for match in diagnosis.matches] == [("SiblingScheme",)]
    assert "mexc-futures-v1" in diagnosis.message and "X-MEXC-APIKEY" in diagnosis.message


def test_a_request_signed_with_another_secret_is_unexplained_and_points_at_the_credentials_last() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-0001")
    request, _ = vector_context(vector)
    context = ServerContext(vector.server_time or 0, StaticKeys({request.credentials.api_key: "a-different-secret"}))
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, examples=EXAMPLES)
    assert not diagnosis.found and "(wrong credentials are the last explanation)" in diagnosis.message


def test_the_gate_diagnoser_gives_the_message_and_the_flags_for_a_vector() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0004")
    _, context = vector_context(vector)
    diagnosis = VectorDiagnoser(EXAMPLES)(vector, wire_from_mapping(vector.expected["wire"]), context, None)
    assert diagnosis.message.startswith("your client joins query and body with `&`; MEXC concatenates them with no separator")
    assert set(diagnosis.flags) == bug_flags(vector)


def test_a_signature_sent_in_the_wrong_place_is_found_there() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-0001")
    request, context = vector_context(vector)
    received = wire_from_mapping(vector.expected["wire"])
    moved = replace(received, headers=tuple(("X-SIGN" if n == "X-COINEX-SIGN" else n, v) for n, v in received.headers))
    diagnosis = diagnose(moved, vector.scheme, context, request, examples=EXAMPLES)
    assert diagnosis.message.startswith("your request carries no signature in header X-COINEX-SIGN")
    assert "(it is in header X-SIGN)" in diagnosis.message


def test_two_bugs_at_once_are_named_as_a_pair() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0003")
    request, context = vector_context(vector)
    reference = reference_for(scheme_named(vector.scheme), request)
    assert reference.construction is not None
    both = catalogue().named("HexCaseFlipped").apply(catalogue().named("StrayAmpersand").apply(reference.construction))
    diagnosis = diagnose(client_request(reference, both), vector.scheme, context, request, examples=EXAMPLES)
    assert [match.classes for match in diagnosis.matches] == [("StrayAmpersand", "HexCaseFlipped")]
    assert diagnosis.matches[0].stage == "string_to_sign" and set(diagnosis.flags) == {
        "StrayAmpersand",
        "MixedPlacement",
        "HexCase",
    }


def test_a_body_re_serialised_after_signing_is_shown_where_the_two_part() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-futures-v1-0005")
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, examples=EXAMPLES)
    assert 'your client signed `{"symbol":"BTC_USDT","price"' in diagnosis.message
    assert 'but sent `{"symbol": "BTC_USDT", "price"' in diagnosis.message


def ordinary(piece: str, scheme: str) -> bool:
    """A query piece that carries none of the scheme's authentication values."""
    surface = scheme_named(scheme)
    carriers = {carrier.name for carrier in (surface.api_key, surface.clock, surface.nonce, surface.window) if carrier}
    return piece.partition("=")[0] not in carriers


def reordered(pieces: list[str], scheme: str) -> list[str]:
    return pieces[::-1]


def duplicated(pieces: list[str], scheme: str) -> list[str]:
    return [*pieces, next(piece for piece in pieces if ordinary(piece, scheme))]


def value_changed(pieces: list[str], scheme: str) -> list[str]:
    first = next(piece for piece in pieces if ordinary(piece, scheme))
    return [piece + "9" if piece == first else piece for piece in pieces]


SENT_CHANGES = {
    "ReorderedAfterSigning": reordered,
    "DuplicatedAfterSigning": duplicated,
    "ValuesChangedAfterSigning": value_changed,
}


def changed_after_signing(vector: Vector, change: str) -> HttpRequest | None:
    """The vector's request with its query changed by `change` after signing, or None where the change cannot apply."""
    received = wire_from_mapping(vector.expected["wire"])
    carrier = reference_for(scheme_named(vector.scheme), request_from_mapping(vector.input)).carrier
    name = carrier.name if carrier is not None and carrier.where == "param" else None
    pieces = [piece for piece in received.query.split("&") if piece and piece.partition("=")[0] != name]
    signature = [piece for piece in received.query.split("&") if name and piece.partition("=")[0] == name]
    if len(set(pieces)) < 2 or not any(ordinary(piece, vector.scheme) for piece in pieces):
        return None
    return received.with_origin(query="&".join([*SENT_CHANGES[change](pieces, vector.scheme), *signature]))


@pytest.mark.parametrize("change", SENT_CHANGES)
def test_a_query_changed_after_signing_is_named_on_every_valid_vector_the_server_then_rejects(change: str) -> None:
    named = 0
    for vector in repo_vectors():
        received = changed_after_signing(vector, change) if vector.result == "valid" else None
        if received is None:
            continue
        request, context = vector_context(vector)
        diagnosis = diagnose(received, vector.scheme, context, request, examples=EXAMPLES)
        if diagnosis.verdict.accepted:
            continue
        assert change in {name for match in diagnosis.matches for name in match.classes}, f"{vector.id}: {diagnosis.message}"
        named += 1
    assert named >= 5, f"only {named} valid vectors' requests are rejected after {change}"
