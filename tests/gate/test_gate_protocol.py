"""The harness protocol v1: every message has a JSON Schema, and the gate and the Python kit sigvec.harness both keep to it."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import sigvec.harness as kit
from sigvec.gate.protocol import (
    MESSAGES,
    ProtocolError,
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
    ],
)
def test_a_reply_that_breaks_the_schema_is_errored_naming_the_rule(reply: object) -> None:
    answer = read_sign_reply(reply, 1)
    assert answer.kind == "errored" and answer.message.startswith("the harness broke the protocol: sign-reply")


def test_a_start_reply_without_schemes_is_refused() -> None:
    with pytest.raises(ProtocolError, match="schemes"):
        read_start_reply({"version": 1, "implementation": {"name": "x", "language": "go"}})


def test_a_start_reply_in_another_protocol_version_is_refused() -> None:
    with pytest.raises(ProtocolError, match="version"):
        read_start_reply({"version": 3, "implementation": IMPLEMENTATION})
