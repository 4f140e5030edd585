"""The harness protocol v1: every message has a JSON Schema, and the gate and the Python kit sigvec.harness both keep to it."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import sigvec.harness as kit
from signing.model import STAGE_NAMES
from sigvec.gate.protocol import (
    MESSAGES,
    ProtocolError,
    is_plain_wire_reply,
    read_sign_reply,
    read_start_reply,
    schema,
    sign_command,
    start_command,
    stop_command,
    validate,
)
from tests.support.corpus import repo_vectors

IMPLEMENTATION = {
    "name": "demo",
    "language": "python",
    "schemes": ["mexc-spot-v3"],
    "options": {"coinex-v2": {"query_encoding": "form"}},
}
WIRE = {
    "method": "GET",
    "url": "https://api.mexc.com/api/v3/account?timestamp=1",
    "headers": {"X-MEXC-APIKEY": "k"},
    "body": None,
}


@pytest.mark.parametrize("message", MESSAGES)
def test_every_message_schema_is_a_valid_draft_2020_12_schema(message: str) -> None:
    Draft202012Validator.check_schema(schema(message))


def test_the_gate_sends_commands_that_follow_their_schemas() -> None:
    validate("start", start_command())
    validate("stop", stop_command())
    for seq, vector in enumerate(repo_vectors(), start=1):
        validate("sign", sign_command(seq, vector.id, vector.input, "https://api.example.invalid"))


def converse(handle: Any, *commands: Mapping[str, Any]) -> list[Any]:
    """The replies the Python kit (sigvec.harness) writes for `commands`."""
    stdout = io.StringIO()
    kit.serve(IMPLEMENTATION, handle, io.StringIO("".join(json.dumps(c) + "\n" for c in commands)), stdout)
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


def sign_with(handle: Any) -> Any:
    start, reply = converse(
        handle, start_command(), sign_command(7, "mexc-spot-v3-0001", {}, "http://127.0.0.1:1"), stop_command()
    )
    validate("start-reply", start)
    validate("sign-reply", reply)
    return reply


def test_the_python_kit_answers_start_with_the_implementation() -> None:
    (start,) = converse(lambda command: {}, start_command())
    assert read_start_reply(start).options == IMPLEMENTATION["options"]


def test_the_python_kit_answers_a_wire_request_with_the_seq() -> None:
    assert sign_with(lambda command: {"wire": WIRE, "stages": {"signature": "ab"}}) == {
        "seq": 7,
        "wire": WIRE,
        "stages": {"signature": "ab"},
    }


def raise_(error: Exception) -> Any:
    def handle(command: Mapping[str, Any]) -> Any:
        raise error

    return handle


def test_the_python_kit_turns_refused_skipped_and_crashes_into_their_replies() -> None:
    assert sign_with(raise_(kit.Refused("float")))["refused"] == {"message": "float"}
    assert (
        sign_with(raise_(kit.Skipped("no GET", "https://example.invalid/1")))["skipped"]["issue_url"]
        == "https://example.invalid/1"
    )
    errored = sign_with(raise_(KeyError("x")))["errored"]
    assert errored["message"] == "KeyError: 'x'" and "Traceback" in errored["traceback"]


def test_the_python_kit_answers_capture_mode() -> None:
    assert sign_with(lambda command: {"sent": True}) == {"seq": 7, "sent": True}


@pytest.mark.parametrize(
    "reply",
    [
        {"seq": 1, "wire": WIRE, "refused": {"message": "both"}},
        {"wire": WIRE},
        {"seq": 1, "sent": False},
        {"seq": 1, "wire": {**WIRE, "body": 3}},
        {"seq": 1, "wire": WIRE, "stages": {"string_to_sing": "x"}},
        {"seq": 1, "skipped": {}},
        [],
        {"seq": 1, "wire": {**WIRE, "method": "PATCH"}},
        {"seq": 1, "wire": {**WIRE, "method": ["GET"]}},
        {"seq": 1, "wire": {**WIRE, "url": ""}},
        {"seq": 0, "wire": WIRE},
        {"seq": True, "wire": WIRE},
        {"seq": 1, "wire": {**WIRE, "headers": {"X-MEXC-APIKEY": 1}}},
        {"seq": 1, "wire": {**WIRE, "extra": "x"}},
        {"seq": 1, "wire": WIRE, "stages": {"signature": 1}},
    ],
)
def test_a_reply_that_breaks_the_schema_is_errored_naming_the_rule(reply: object) -> None:
    answer = read_sign_reply(reply, 1)
    assert answer.kind == "errored" and answer.message.startswith("the harness broke the protocol: sign-reply")


PLAIN_REPLY = {"seq": 1, "wire": WIRE, "stages": {"signature": "ab"}}
EDITED = [
    ("seq",),
    ("sent",),
    ("wire",),
    ("wire", "method"),
    ("wire", "url"),
    ("wire", "body"),
    ("wire", "extra"),
    ("wire", "headers"),
    ("wire", "headers", "X-MEXC-APIKEY"),
    ("stages",),
    ("stages", "signature"),
    ("stages", "string_to_sing"),
]
DELETED = object()
EDITS = st.one_of(
    st.sampled_from(["GET", "PATCH", "", "x", 0, 1, True, None, [], [["a", "b"]], {}, 1.0, DELETED]), st.text(max_size=2)
)


def edited(reply: dict[str, Any], path: tuple[str, ...], value: object) -> None:
    """`reply` with the value at `path` replaced by `value` (or deleted), where the path still leads to a mapping."""
    parent: object = reply
    for name in path[:-1]:
        parent = parent.get(name) if isinstance(parent, dict) else None
    if isinstance(parent, dict):
        if value is DELETED:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value


@given(st.lists(st.tuples(st.sampled_from(EDITED), EDITS), max_size=2))
def test_every_reply_the_plain_check_lets_through_the_schema_accepts(edits: list[tuple[tuple[str, ...], object]]) -> None:
    reply = copy.deepcopy(PLAIN_REPLY)
    for path, value in edits:
        edited(reply, path, value)
    if is_plain_wire_reply(reply):
        validate("sign-reply", reply)


def test_the_corpus_wire_requests_answered_with_their_stages_are_plain_replies() -> None:
    for vector in repo_vectors():
        stages = {name: value for name, value in vector.expected.items() if name in STAGE_NAMES}
        assert is_plain_wire_reply({"seq": 1, "wire": dict(vector.expected["wire"]), "stages": stages}), vector.id


def test_a_start_reply_without_schemes_is_refused() -> None:
    with pytest.raises(ProtocolError, match="schemes"):
        read_start_reply({"version": 1, "implementation": {"name": "x", "language": "go"}})


def test_a_start_reply_in_another_protocol_version_is_refused() -> None:
    with pytest.raises(ProtocolError, match="version"):
        read_start_reply({"version": 3, "implementation": IMPLEMENTATION})
