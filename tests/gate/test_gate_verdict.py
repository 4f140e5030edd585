"""The gate's verdicts, by the client contract, at the exact and the accepted level."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from signing.http import HttpRequest
from signing.model import request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec import Refused, Skipped
from sigvec.codec import wire_to_mapping
from sigvec.corpus import Vector
from sigvec.gate.adapters import InProcessAdapter
from sigvec.gate.diff import SECRET_NOT_SHOWN, StageDiff, request_difference
from sigvec.gate.judge import Judge
from sigvec.gate.protocol import Answer, implementation_from_mapping
from sigvec.gate.results import GateRun, VectorVerdict
from sigvec.gate.run import run_gate
from tests.support.corpus import repo_corpus, repo_vectors
from tests.support.gate import (
    Said,
    ampersand_client,
    edited,
    garbled_client,
    mixed_placement,
    reference_client,
    reference_wire,
    sorting_client,
)

Client = Callable[[Mapping[str, Any]], Mapping[str, Any]]
BY_ID = {vector.id: vector for vector in repo_vectors()}


def gate(
    client: Client,
    schemes: list[str] | None = None,
    vectors: list[Vector] | None = None,
    options: Mapping[str, Mapping[str, str]] | None = None,
) -> GateRun:
    implementation = {
        "name": client.__name__,
        "language": "python",
        "schemes": schemes or sorted(SCHEMES),
        "options": options or {},
    }
    return run_gate(InProcessAdapter(client, implementation), repo_corpus(), vectors=vectors or repo_vectors())


def judge(vector_id: str, answer: Answer, vectors: list[Vector] | None = None) -> VectorVerdict:
    implementation = implementation_from_mapping({"name": "t", "language": "python", "schemes": sorted(SCHEMES)})
    corpus = {vector.id: vector for vector in vectors or repo_vectors()}
    return Judge(implementation, corpus).judge(corpus[vector_id], answer)


def failing(run: GateRun) -> list[str]:
    return [verdict.id for verdict in run.verdicts if not verdict.passed]


def test_a_correct_in_process_client_is_100_percent_exact_and_accepted() -> None:
    run = gate(reference_client)
    total = run.total()
    assert total.vectors == len(repo_vectors())
    assert (total.exact_percent, total.accepted_percent) == (100, 100)
    assert run.succeeded


def test_a_client_giving_only_the_wire_request_is_judged_on_the_wire_alone() -> None:
    assert gate(reference_wire).total().exact_percent == 100


def sorting_reorders(data: Mapping[str, Any]) -> bool:
    """Does sorting by key change the order of the query or of the form body?"""
    query, form = list(data.get("query") or []), list((data.get("body") or {}).get("form") or [])
    return sorted(query) != query or sorted(form) != form


def test_a_client_that_signs_sorted_but_sends_as_given_fails_exactly_the_vectors_whose_order_sorting_changes() -> None:
    run = gate(sorting_client, schemes=["mexc-spot-v3"])
    reordered = [
        vector.id
        for vector in repo_vectors()
        if vector.scheme == "mexc-spot-v3" and vector.contract.fault != "request" and sorting_reorders(vector.input)
    ]
    assert failing(run) == reordered
    first = run.verdicts[0]
    assert first.diff is not None and first.diff.stage == "string_to_sign"
    assert first.server == "700002"


def test_a_client_that_joins_query_and_body_with_an_ampersand_fails_exactly_the_mixed_placement_vectors() -> None:
    run = gate(ampersand_client, schemes=["mexc-spot-v3"])
    mixed = [
        vector.id
        for vector in repo_vectors()
        if vector.scheme == "mexc-spot-v3" and vector.contract.fault != "request" and mixed_placement(vector.input)
    ]
    assert mixed and failing(run) == mixed


def test_a_failing_mixed_placement_vector_shows_the_string_to_sign_diff_at_the_ampersand() -> None:
    verdicts = {verdict.id: verdict for verdict in gate(ampersand_client, schemes=["mexc-spot-v3"]).verdicts}
    assert verdicts["mexc-spot-v3-0003"].diff == StageDiff(
        "string_to_sign",
        "symbol=BTCUSDT&side=BUY&type=LIMITquantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
        34,
    )


def test_producing_the_buggy_request_a_client_fault_vector_records_is_named_as_such() -> None:
    run = gate(ampersand_client, schemes=["mexc-spot-v3"])
    recording = [
        vector.id
        for vector in repo_vectors()
        if vector.scheme == "mexc-spot-v3" and "StrayAmpersand" in vector.flags and vector.contract.fault == "client"
    ]
    verdicts = {verdict.id: verdict for verdict in run.verdicts}
    assert recording and all("known buggy request" in verdicts[vector_id].message for vector_id in recording)


def test_the_stage_diff_marks_the_differing_characters_under_the_actual_value() -> None:
    lines = StageDiff("string_to_sign", "a=1&b=2", "a=1&b=3", 6).lines()
    assert lines[1:] == ["  expected: a=1&b=2", "  actual:   a=1&b=3", "                  ^"]


def test_the_stage_diff_of_a_long_value_is_cut_around_the_difference() -> None:
    expected = "x" * 200 + "A" + "y" * 200
    lines = StageDiff("body", expected, expected.replace("A", "B"), 200).lines()
    assert lines[1].startswith("  expected: ...") and lines[1].endswith("...")
    assert lines[3].index("^") == lines[2].index("B")


def test_a_secret_bearing_stage_is_never_shown_in_a_diff() -> None:
    vector = BY_ID["coinex-v1-0001"]
    answer = reference_client(vector.input)
    secret = vector.input["credentials"]["secret"]
    wrong = answer["stages"]["string_to_sign"].replace(secret, secret.lower())
    verdict = judge(vector.id, Answer("wire", wire=answer["wire"], stages={**answer["stages"], "string_to_sign": wrong}))
    assert verdict.diff is not None and verdict.diff.stage == "string_to_sign"
    assert verdict.diff.expected == verdict.diff.actual == SECRET_NOT_SHOWN
    assert secret not in str(verdict.to_mapping()) and secret.lower() not in "\n".join(verdict.explanation())


def test_refusing_a_valid_input_fails() -> None:
    verdict = judge("mexc-spot-v3-0002", Answer("refused", message="no"))
    assert (verdict.status, verdict.exact, verdict.accepted) == ("fail", False, False)


def test_refusing_a_request_fault_input_is_refused_ok_and_neither_exact_nor_accepted() -> None:
    verdict = judge("mexc-spot-v3-0020", Answer("refused", message="timestamp in seconds"))
    assert (verdict.status, verdict.exact, verdict.accepted) == ("refused-ok", False, False)


def test_refusing_a_client_fault_input_fails() -> None:
    assert judge("mexc-spot-v3-0004", Answer("refused", message="no")).status == "fail"


def test_a_request_fault_vector_signed_without_the_pinned_clock_fails() -> None:
    vector = BY_ID["mexc-spot-v3-0020"]
    fresh = {**vector.input, "timestamp": vector.server_time}
    fresh["query"] = [[key, str(vector.server_time) if key == "timestamp" else value] for key, value in vector.input["query"]]
    verdict = judge(vector.id, Answer("wire", wire=reference_wire(fresh)))
    assert verdict.status == "fail" and verdict.server == "accept"


def reversed_parameters(data: Mapping[str, Any]) -> dict[str, Any]:
    """The same request with its query or form parameters in reverse order: not byte-identical, still correct."""
    if data.get("query"):
        return {**data, "query": data["query"][::-1]}
    return {**data, "body": {"form": data["body"]["form"][::-1]}}


@pytest.mark.parametrize("vector_id", ["mexc-spot-v3-0029", "peatio-v2-0021"])
def test_a_request_fault_vector_is_judged_by_a_server_holding_its_server_state(vector_id: str) -> None:
    """mexc-spot-v3-0029's server does not hold its key (known_keys); peatio-v2-0021's has seen its nonce."""
    vector = BY_ID[vector_id]
    assert vector.data["server_state"] and vector.contract.error is not None
    verdict = judge(vector.id, Answer("wire", wire=reference_wire(reversed_parameters(vector.input))))
    assert (verdict.status, verdict.exact, verdict.server) == ("pass", False, str(vector.contract.error.code))


def test_a_request_the_server_accepts_that_is_not_byte_identical_passes_at_the_accepted_level_only() -> None:
    vector = BY_ID["mexc-spot-v3-0002"]
    resorted = {**vector.input, "query": sorted(vector.input["query"])}
    verdict = judge(vector.id, Answer("wire", wire=reference_wire(resorted)))
    assert (verdict.status, verdict.exact, verdict.accepted, verdict.server) == ("pass", False, True, "accept")
    assert verdict.diff is not None and verdict.diff.stage == "wire.url"


def test_extra_headers_do_not_break_exactness() -> None:
    wire = reference_wire(BY_ID["max-v2-0001"].input)
    verdict = judge("max-v2-0001", Answer("wire", wire={**wire, "headers": {**wire["headers"], "User-Agent": "client/1"}}))
    assert verdict.exact


def test_an_exact_answer_with_header_pairs_is_judged_by_one_comparison_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    wire = BY_ID["mexc-spot-v3-0001"].expected["wire"]
    monkeypatch.setattr("sigvec.gate.judge.wire_from_mapping", lambda *_, **__: pytest.fail("the answer was parsed"))
    pairs = [list(pair) for pair in wire["headers"].items()]
    verdict = judge("mexc-spot-v3-0001", Answer("wire", wire={**wire, "headers": pairs}))
    assert (verdict.status, verdict.exact) == ("pass", True)


def test_header_pairs_repeating_a_name_are_judged_as_a_server_reads_them_the_first_one_winning() -> None:
    wire = BY_ID["mexc-spot-v3-0001"].expected["wire"]
    pairs = [["X-MEXC-APIKEY", "another key"], *[list(pair) for pair in wire["headers"].items()]]
    verdict = judge("mexc-spot-v3-0001", Answer("wire", wire={**wire, "headers": pairs}))
    assert not verdict.exact  # the first of a repeated header wins, as a server reads it


def test_an_accepted_request_carrying_other_parameters_fails() -> None:
    vector = BY_ID["mexc-spot-v3-0002"]
    other = {**vector.input, "query": [[k, "2" if k == "quantity" else v] for k, v in vector.input["query"]]}
    verdict = judge(vector.id, Answer("wire", wire=reference_wire(other)))
    assert verdict.status == "fail" and verdict.server == "accept" and "not the same request" in verdict.message


def test_a_malformed_wire_answer_is_errored_naming_the_field() -> None:
    verdict = judge("mexc-spot-v3-0002", Answer("wire", wire={"method": "GET", "url": "", "headers": {}, "body": None}))
    assert verdict.status == "errored" and "wire.url" in verdict.message


def test_the_client_error_and_skip_answers_carry_through() -> None:
    assert judge("max-v2-0001", Answer("errored", message="boom", traceback="tb")).traceback == "tb"
    skipped = judge("max-v2-0001", Answer("skipped", message="no GET support", issue_url="https://example.invalid/1"))
    assert (skipped.status, skipped.issue_url) == ("skipped", "https://example.invalid/1")


def compact_only(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A MAX client that implements only the compact JSON reading."""
    return reference_client({**data, "options": {}})


def test_an_alternatives_member_is_passed_by_the_reading_the_client_declares() -> None:
    members = BY_ID["max-v2-0006"].data["alternatives"]["members"]
    run = gate(compact_only, schemes=["max-v2"], options={"max-v2": {"json": "compact"}})
    verdicts = {verdict.id: verdict for verdict in run.verdicts}
    assert all(verdicts[member].exact for member in members)


def test_without_a_group_a_reading_the_client_does_not_implement_is_not_exact() -> None:
    ungrouped = [dataclasses.replace(v, data={k: x for k, x in v.data.items() if k != "alternatives"}) for v in repo_vectors()]
    verdicts = {verdict.id: verdict for verdict in gate(compact_only, schemes=["max-v2"], vectors=ungrouped).verdicts}
    assert not verdicts["max-v2-0006"].exact


def test_a_member_the_declared_reading_does_not_select_is_shown_against_the_selected_one() -> None:
    group = {"option": "json", "members": ["max-v2-0005", "max-v2-0006"]}
    vectors = edited(edited(repo_vectors(), "max-v2-0005", alternatives=group), "max-v2-0006", alternatives=group)
    implementation = implementation_from_mapping(
        {"name": "t", "language": "python", "schemes": ["max-v2"], "options": {"max-v2": {"json": "compact"}}}
    )
    corpus = {vector.id: vector for vector in vectors}
    targets, shown = Judge(implementation, corpus).targets(corpus["max-v2-0006"])
    assert [t.id for t in targets] == ["max-v2-0006", "max-v2-0005"] and shown.id == "max-v2-0005"


def received(query: str = "", body: bytes = b"", method: str = "GET", path: str = "/p") -> HttpRequest:
    return HttpRequest(method, f"{path}?{query}" if query else path, (), body)


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (received("a=1&b=x%20y&signature=S"), received("b=x+y&a=1&signature=T"), True),
        (received("a=1"), received("a=2"), False),
        (received("a=1"), received("a=1", method="POST"), False),
        (received(path="/a%2Fb"), received(path="/a/b"), True),
        (received(body=b'{"a":1,"b":[1,2]}'), received(body=b'{"b": [1, 2], "a": 1}'), True),
        (received(body=b'{"a":1}'), received(body=b'{"a":2}'), False),
        (received(body=b'{"a":true,"b":[false]}'), received(body=b'{"a":1,"b":[0]}'), False),
        (received(body=b"a=1&signature=S"), received(body=b"signature=T&a=1"), True),
        (received("a=1"), received(body=b"a=1", method="GET"), False),
    ],
)
def test_the_same_request_is_compared_decoded_with_the_signature_aside(
    expected: HttpRequest, actual: HttpRequest, same: bool
) -> None:
    assert (request_difference(expected, actual, "S") is None) is same


@pytest.mark.parametrize(
    ("expected", "actual", "flags"),
    [
        (received("timestamp=1"), received("recvWindow=5000&timestamp=1"), ("AddedParameter",)),
        (received("a=1&timestamp=1"), received("timestamp=1"), ("AddedParameter",)),
        (received("recvWindow=60000"), received("recvWindow=5000"), ("AddedParameter",)),
        (received("a=&timestamp=1"), received("timestamp=1"), ("EmptyValue",)),
        (received("a=%2B"), received("a=+"), ("ReservedCharEncoding",)),
        (received("a=%2F"), received("a=%252F"), ("ReservedCharEncoding",)),
        (received("a=%C3%A9"), received("a=%E9"), ("Utf8Encoding",)),
        (received("a=caf%C3%A9"), received("a=caf%C3%83%C2%A9"), ("Utf8Encoding",)),
        (received("a=caf%C3%A9"), received("a=tea"), ("AddedParameter",)),
        (received("a=caf%C3%A9"), received("a=caf%25C3%25A9"), ("ReservedCharEncoding",)),
        (received("a=1"), received("a=1.0"), ("NumberText",)),
        (received("a=1", method="POST"), received(body=b"a=1", method="POST"), ("MixedPlacement",)),
        (received(path="/api/v2/orders.json"), received(path="/api/v2/orders"), ("ExtensionInPath",)),
        (received(body=b'{"a":"1"}'), received(body=b'{"a":1}'), ("NumberText",)),
        (received(body=b'{"a":1}'), received(body=b'{"a":1,"b":2}'), ("AddedParameter",)),
        (received(body=b'{"a":"x"}'), received(body=b'{"a":"y"}'), ("JsonBody",)),
        (received(body=b'{"a":true}'), received(body=b'{"a":1}'), ("BooleanText",)),
        (received(body=b"{}", method="POST"), received(method="POST"), ("JsonBody",)),
        (received("a=1"), received("a=1", method="POST"), ()),
    ],
    ids=[
        "added",
        "left-out",
        "overwritten",
        "empty-left-out",
        "plus-sent-raw",
        "escaped-twice",
        "not-utf-8",
        "utf-8-read-as-latin-1",
        "non-ascii-overwritten",
        "non-ascii-escaped-twice",
        "number-text",
        "moved-to-the-body",
        "path-extension",
        "json-number-as-string",
        "json-member-added",
        "json-value",
        "json-boolean-as-number",
        "json-body-left-out",
        "method",
    ],
)
def test_another_request_the_server_accepts_is_flagged_by_what_differs(
    expected: HttpRequest, actual: HttpRequest, flags: tuple[str, ...]
) -> None:
    difference = request_difference(expected, actual, "S")
    assert difference is not None and difference.flags == flags


def test_an_accepted_request_that_is_not_the_same_carries_the_flags_of_the_difference_in_its_report_line() -> None:
    vector = BY_ID["mexc-spot-v3-0021"]
    other = {**vector.input, "query": [["recvWindow", "5000"], *vector.input["query"]]}
    verdict = judge(vector.id, Answer("wire", wire=reference_wire(other)))
    assert (verdict.status, verdict.server, verdict.flags) == ("fail", "accept", ("AddedParameter",))
    assert verdict.to_mapping()["flags"] == ["AddedParameter"]


def test_a_rejected_request_the_diagnosis_does_not_explain_carries_no_flags_of_what_else_differs() -> None:
    """Flags name the failure: a difference names it only where the server's answer is one the contract allows."""
    implementation = implementation_from_mapping({"name": "t", "language": "python", "schemes": ["mexc-spot-v3"]})
    judge = Judge(implementation, BY_ID, diagnoser=lambda vector, received, context, verdict: Said("unexplained"))
    vector = BY_ID["mexc-spot-v3-0021"]
    other = {**vector.input, "query": [["recvWindow", "5000"], *vector.input["query"]]}
    wrong_key = {**other, "credentials": {**other["credentials"], "secret": other["credentials"]["secret"][::-1]}}
    verdict = judge.judge(vector, Answer("wire", wire=reference_wire(wrong_key)))
    assert (verdict.status, verdict.server, verdict.flags) == ("fail", "700002", ())


def test_a_client_fault_vector_is_judged_against_the_reference_request_for_its_input() -> None:
    vector = BY_ID["mexc-spot-v3-0004"]
    signed = sign(request_from_mapping(vector.input))
    verdict = judge(vector.id, Answer("wire", wire=wire_to_mapping(signed.wire), stages=signed.stages.to_mapping()))
    assert (verdict.status, verdict.exact) == ("pass", True)


def test_a_rejected_request_carries_the_diagnosis_of_the_diagnoser_given_and_its_flags() -> None:
    implementation = implementation_from_mapping({"name": "t", "language": "python", "schemes": ["max-v2"]})
    judge = Judge(
        implementation,
        BY_ID,
        diagnoser=lambda vector, received, context, verdict: Said(f"{vector.id} sent to {received.path}", ("HexCase",)),
    )
    vector = BY_ID["max-v2-0001"]
    verdict = judge.judge(vector, Answer("wire", wire=garbled_client(vector.input)))
    assert (verdict.diagnosis, verdict.flags) == ("max-v2-0001 sent to /api/v2/members/me.json", ("HexCase",))
    assert "diagnosis: max-v2-0001 sent to /api/v2/members/me.json" in verdict.explanation()
    assert verdict.to_mapping()["flags"] == ["HexCase"]


def test_a_passing_request_is_not_diagnosed() -> None:
    implementation = implementation_from_mapping({"name": "t", "language": "python", "schemes": ["max-v2"]})
    judge = Judge(implementation, BY_ID, diagnoser=lambda vector, received, context, verdict: Said("never"))
    assert judge.judge(BY_ID["max-v2-0001"], Answer("wire", wire=reference_wire(BY_ID["max-v2-0001"].input))).diagnosis is None


@pytest.mark.parametrize("stages", [{"signature": 5}, {"digest": None}, {"wire": BY_ID["mexc-spot-v3-0001"].expected["wire"]}])
def test_the_expected_wire_with_a_malformed_stage_is_errored_not_passed(stages: dict[str, Any]) -> None:
    verdict = judge("mexc-spot-v3-0001", Answer("wire", wire=BY_ID["mexc-spot-v3-0001"].expected["wire"], stages=stages))
    assert (verdict.status, verdict.message.split(":")[0]) == ("errored", "the client's answer is malformed")


def test_a_malformed_wire_is_reported_before_malformed_stages() -> None:
    wire = {**BY_ID["mexc-spot-v3-0001"].expected["wire"], "method": "PATCH"}
    malformed: Any = {"bogus": 1}
    verdict = judge("mexc-spot-v3-0001", Answer("wire", wire=wire, stages=malformed))
    assert verdict.status == "errored"
    assert "wire.method" in verdict.message


def test_a_diff_headline_shows_what_each_side_has_and_says_the_end_where_one_stops() -> None:
    diff = StageDiff("wire.url", "https://x/a?b=1&c=2", "https://x/a?b=1", 15)
    assert diff.headline() == "wire.url differs at character 15: expected '&c=2', actual the end"


def test_an_in_process_signer_that_raises_skipped_skips_the_vector_with_its_reason() -> None:
    def query_only(data: Mapping[str, Any]) -> Mapping[str, Any]:
        raise Skipped("no form bodies here", "https://example.invalid/issues/1")

    (verdict,) = gate(query_only, vectors=[BY_ID["mexc-spot-v3-0003"]]).verdicts
    assert (verdict.status, verdict.message) == ("skipped", "no form bodies here")


def test_an_in_process_signer_that_raises_refused_refuses_the_input() -> None:
    def careful(data: Mapping[str, Any]) -> Mapping[str, Any]:
        raise Refused("a timestamp in seconds")

    (verdict,) = gate(careful, vectors=[BY_ID["mexc-spot-v3-0020"]]).verdicts
    assert verdict.status == "refused-ok"
