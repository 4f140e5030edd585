"""The Node.js reference port (`ports/node/`) passes the corpus by the client contract, exactly, on every scheme it declares.

The port's harness is driven as the gate drives it: JSON lines over stdin and
stdout, one `sign` command per vector, in one bounded run; in protocol version 1
here, and through the gate itself in version 2, pipelined.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signing.model import STAGE_NAMES, SigningError, request_from_mapping
from signing.registry import SCHEMES, sign
from sigvec.codec import wire_to_mapping
from sigvec.corpus import Vector
from sigvec.gate.harness import SubprocessHarness
from sigvec.gate.protocol import start_command
from sigvec.gate.run import run_gate
from tests.support.corpus import REPO, repo_corpus, repo_vectors, vector_param
from tests.support.tools import require_tool

HARNESS = REPO / "ports" / "node" / "harness.mjs"
Reply = dict[str, Any]


def run_harness(inputs: Sequence[Mapping[str, Any]], start: Reply | None = None) -> tuple[Reply, list[Reply]]:
    """The start reply and one reply per input, from one run of the harness (start, sign each, stop); the start
    command is version 1's unless `start` is given."""
    commands = [start or {"cmd": "start", "version": 1}]
    commands += [{"cmd": "sign", "seq": seq, "id": f"case-{seq}", "input": data, "base_url": "http://127.0.0.1:9"}
                 for seq, data in enumerate(inputs, start=1)]
    commands.append({"cmd": "stop"})
    stdin = "".join(json.dumps(command) + "\n" for command in commands)
    command = [require_tool("node"), str(HARNESS)]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=60, check=True)
    # Lines end at "\n" only: str.splitlines would also split inside a JSON string at U+0085 or U+2028.
    start, *replies = (json.loads(line) for line in done.stdout.split("\n") if line)
    assert [reply["seq"] for reply in replies] == list(range(1, len(inputs) + 1)), done.stderr
    return start, replies


@pytest.fixture(scope="module")
def corpus_run() -> tuple[Reply, dict[str, Reply]]:
    """The whole corpus through the harness once: the start reply and each vector's reply by ID."""
    start, replies = run_harness([vector.input for vector in repo_vectors()])
    return start, {vector.id: reply for vector, reply in zip(repo_vectors(), replies, strict=True)}


def reference_wire(vector: Vector) -> dict[str, Any] | None:
    """The wire the Python reference sends for the vector's input, or None if it refuses the input."""
    try:
        return wire_to_mapping(sign(request_from_mapping(vector.input)).wire)
    except SigningError:
        return None


def is_request_fault(vector: Vector) -> bool:
    """The contract's `fault`, read off the reference: a request is at fault when a correct client sends expected.wire."""
    return reference_wire(vector) == dict(vector.expected["wire"])


def expected_stages(vector: Vector) -> dict[str, str]:
    return {name: vector.expected[name] for name in STAGE_NAMES if name in vector.expected}


DECLARED = (
    "mexc-spot-v3", "mexc-futures-v1", "bitunix", "max-v2",
    "coinex-v2", "coinex-v2-sha256-legacy", "coinex-v1", "coinex-perpetual-v1", "peatio-v2",
)
READINGS = [vector_param(v) for v in repo_vectors() if v.scheme in DECLARED and v.result in ("valid", "acceptable")]
INVALID = [v for v in repo_vectors() if v.scheme in DECLARED and v.result == "invalid"]
REQUEST_FAULTS = [vector_param(v) for v in INVALID if is_request_fault(v)]
CLIENT_FAULTS = [vector_param(v) for v in INVALID if not is_request_fault(v)]


def test_the_port_declares_the_schemes_this_test_holds_it_to(corpus_run: tuple[Reply, dict[str, Reply]]) -> None:
    start, _ = corpus_run
    assert start["implementation"]["schemes"] == list(DECLARED)


def test_the_start_reply_speaks_protocol_1_and_declares_only_known_option_readings(
    corpus_run: tuple[Reply, dict[str, Reply]],
) -> None:
    start, _ = corpus_run
    implementation = start["implementation"]
    assert (start["version"], implementation["name"], implementation["language"]) == (1, "sigvec-node-port", "javascript")
    for scheme, options in implementation["options"].items():
        for name, value in options.items():
            option = SCHEMES[scheme].option(name)
            assert option is not None and value in option.values, (scheme, name, value)


def test_a_gate_that_offers_version_2_is_answered_in_version_2_with_a_pipeline() -> None:
    start, _ = run_harness([], start_command())
    assert (start["version"], start["pipeline"], start["implementation"]["schemes"]) == (2, 64, list(DECLARED))


def test_the_gate_drives_the_port_pipelined_and_it_passes_every_vector_it_declares() -> None:
    harness = SubprocessHarness([require_tool("node"), str(HARNESS)])
    run = run_gate(harness, repo_corpus())
    assert run.implementation.pipeline == 64
    assert {verdict.scheme for verdict in run.verdicts} == set(DECLARED)
    assert [verdict.id for verdict in run.verdicts if not verdict.passed] == []


@pytest.mark.parametrize("vector", READINGS)
def test_a_valid_or_acceptable_vector_is_reproduced_stage_by_stage_and_on_the_wire(
    vector: Vector, corpus_run: tuple[Reply, dict[str, Reply]]
) -> None:
    reply = corpus_run[1][vector.id]
    assert "wire" in reply, reply
    assert reply["stages"] == expected_stages(vector)
    assert reply["wire"] == vector.expected["wire"]


@pytest.mark.parametrize("vector", REQUEST_FAULTS)
def test_a_request_fault_vector_is_refused_or_signed_as_a_correct_client_signs_it(
    vector: Vector, corpus_run: tuple[Reply, dict[str, Reply]]
) -> None:
    reply = corpus_run[1][vector.id]
    if "refused" not in reply:
        assert (reply["stages"], reply["wire"]) == (expected_stages(vector), vector.expected["wire"]), reply


@pytest.mark.parametrize("vector", CLIENT_FAULTS)
def test_a_client_fault_vector_is_never_given_the_buggy_wire(vector: Vector, corpus_run: tuple[Reply, dict[str, Reply]]) -> None:
    reply = corpus_run[1][vector.id]
    if "refused" not in reply:
        assert reply["wire"] != vector.expected["wire"]
        assert reply["wire"] == reference_wire(vector)


SPOT_INPUT: dict[str, Any] = {
    "scheme": "mexc-spot-v3",
    "credentials": {"api_key": "mx0aBYs33eIilxBWC5", "secret": "45d0b3c26f2644f19bfb98b07741b2f5"},
    "method": "GET",
    "path": "/api/v3/account",
    "query": [["timestamp", "1700000000000"]],
    "timestamp": 1700000000000,
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"query": [["price", 0.1], ["timestamp", "1700000000000"]]}, "query[0].value: a float"),
        ({"query": [["flag", True], ["timestamp", "1700000000000"]]}, "query[0].value: a bool"),
        ({"timestamp": None}, "timestamp: scheme mexc-spot-v3 signs a timestamp"),
        ({"options": {"json": "compact"}}, "options.json: is not an option of mexc-spot-v3"),
        ({"method": "get"}, "method: must be upper case"),
        ({"query": [["memo", "a\udc80"], ["timestamp", "1700000000000"]]}, "input: U+DC80 is a lone surrogate"),
    ],
    ids=["float", "bool", "no-timestamp", "foreign-option", "lower-case-method", "lone-surrogate"],
)
def test_input_without_one_obvious_reading_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    _, (reply,) = run_harness([SPOT_INPUT | change])
    assert reply["refused"]["message"].startswith(field)


def test_a_scheme_the_port_does_not_implement_is_skipped() -> None:
    _, (reply,) = run_harness([SPOT_INPUT | {"scheme": "example-v9"}])
    assert reply["skipped"]["message"] == "the Node port does not implement example-v9"


def test_a_float_inside_exact_json_text_is_kept_as_written() -> None:
    body = '{"market":"btctwd","price":1.50,"volume":1e-2,"nonce":1700000000000}'
    data = {"scheme": "max-v2", "credentials": {"api_key": "xxx", "secret": "yyy"}, "method": "POST",
            "path": "/api/v2/orders", "body": {"json_text": body}, "timestamp": 1700000000000}
    _, (reply,) = run_harness([data])
    assert reply["stages"]["payload_json"] == sign(request_from_mapping(data)).stages.payload_json
    written = '{"market":"btctwd","price":1.50,"volume":0.01,"nonce":1700000000000,"path":"/api/v2/orders"}'
    assert reply["stages"]["payload_json"] == written


# --- differential: generated requests, the port against the reference ----------------

CLOCK = 1700000000000
KEY = {"api_key": "sigvecTESTKEY", "secret": "sigvec0test0secret"}
# Parameters a scheme needs among those sent (its clock, its nonce, its key), added to generated requests.
REQUIRED_PARAMS = {
    "mexc-spot-v3": [["timestamp", str(CLOCK)]],
    "max-v2": [["nonce", str(CLOCK)]],
    "coinex-v1": [["access_id", KEY["api_key"]], ["tonce", str(CLOCK)]],
    "coinex-perpetual-v1": [["timestamp", str(CLOCK)]],
    "peatio-v2": [["access_key", KEY["api_key"]], ["tonce", str(CLOCK)]],
}

text = st.text(st.characters(exclude_categories=()), max_size=8)  # lone surrogates included
# Plain, array, nested and malformed keys (Rack, MAX), or any text.
names = st.one_of(st.sampled_from(["a", "b", "x y", "state[]", "o[][p]", "o[][q]", "h[k]", "a["]), text.filter(bool))
pairs = st.lists(st.tuples(names, text).map(list), max_size=4)
json_objects = st.dictionaries(text, st.one_of(text, st.integers(), st.lists(text, max_size=2)), max_size=4)


@st.composite
def generated_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A request for a declared scheme: any method, query and body, with the parameters its scheme needs."""
    scheme = draw(st.sampled_from(DECLARED))
    data: dict[str, Any] = {
        "scheme": scheme,
        "credentials": KEY,
        "method": draw(st.sampled_from(["GET", "POST", "DELETE"])),
        "path": "/api/v2/" + draw(st.sampled_from(["order", "orders.json", "a b/é"])),
        "query": draw(pairs),
        "timestamp": CLOCK,
        "nonce": "n0nce",
        "window": 5000,
    }
    body_kind = draw(st.sampled_from([None, "form", "json", "json_text"]))
    required = REQUIRED_PARAMS.get(scheme, [])
    if body_kind == "form":
        data["body"] = {"form": draw(pairs) + required}
    elif body_kind is None:
        data["query"] = data["query"] + required
    else:
        value = draw(json_objects) | {name: int(value) if name == "nonce" else value for name, value in required}
        indent = draw(st.sampled_from([None, 1]))
        data["body"] = {"json": value} if body_kind == "json" else {"json_text": json.dumps(value, indent=indent)}
    options = SCHEMES[scheme].options
    data["options"] = {option.name: draw(st.sampled_from(option.values)) for option in options if draw(st.booleans())}
    return data


@settings(max_examples=10, deadline=None)
@given(st.lists(generated_inputs(), min_size=20, max_size=20))
def test_the_port_signs_or_refuses_generated_requests_exactly_as_the_reference_does(inputs: list[dict[str, Any]]) -> None:
    _, replies = run_harness(inputs)
    for data, reply in zip(inputs, replies, strict=True):
        try:
            signed = sign(request_from_mapping(data))
        except (SigningError, UnicodeEncodeError):  # the reference raises UnicodeEncodeError for a lone surrogate
            assert "refused" in reply, (data, reply)
            continue
        assert (reply.get("stages"), reply.get("wire")) == (signed.stages.to_mapping(), wire_to_mapping(signed.wire)), data
