"""The gate's harness protocol, versions 1 and 2: its messages, their JSON Schemas, and the answers they carry.

JSON lines over a harness's stdin and stdout (the harness side is
`sigvec.harness`):
- `{"cmd":"start","version":1,"max_version":2}` is answered with `{"version":1,"implementation":{...}}`:
  the client's name, language, version, homepage, issues and source URLs, the
  schemes it implements and, per scheme, the option readings it implements.
  A version 2 harness may answer `{"version":2,"implementation":{...},"pipeline":N}`:
  it answers `sign` commands in the order received with up to N outstanding,
  and the gate and the fuzzer keep that many in flight. Version 1 harnesses
  (which read only `version`) keep working unchanged;
- `{"cmd":"sign","seq":S,"id":ID,"input":{...},"base_url":URL}` is answered with
  exactly one of `wire` (plus optional `stages`), `sent`, `refused`, `skipped`
  or `errored`, carrying the same `seq`. Refusing is explicit: `refused` is the
  client declining the input on purpose, and a crash is `errored`, with its traceback;
- `{"cmd":"stop"}` gets no reply.
Every message has a JSON Schema in `sigvec/gate/schemas/`; the gate validates
every reply against it, so a malformed reply is an `errored` verdict naming
the rule it breaks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft202012Validator

from signing.http import HttpRequest
from signing.server import Verdict
from sigvec.corpus import WIRE_SCHEMA, packaged_root, read_schema, schema_registry

PROTOCOL_VERSION = 1
"""The version every harness speaks, sent as the start command's `version`."""
MAX_PROTOCOL_VERSION = 2
"""The highest version the gate speaks, sent as `max_version`: 2 adds `pipeline` to the start reply."""
MESSAGES = ("start", "start-reply", "sign", "sign-reply", "stop", "known-failures")
AnswerKind = Literal["wire", "sent", "refused", "skipped", "errored"]


class ProtocolError(ValueError):
    """A message that breaks the protocol: `where` names the message, `rule` the broken rule."""

    def __init__(self, where: str, rule: str) -> None:
        super().__init__(f"{where}: {rule}")
        self.where = where
        self.rule = rule


def schema(message: str) -> dict[str, Any]:
    """The JSON Schema of one protocol message (a name from `MESSAGES`)."""
    text = resources.files("sigvec.gate").joinpath("schemas", f"{message}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def validator(message: str) -> Draft202012Validator:
    """The validator of one message; the wire form it refers to is the packaged corpus's `wire.schema.json`,
    the schema of the protocol's own version (not the data of whichever corpus a run uses)."""
    registry = schema_registry(read_schema(packaged_root() / WIRE_SCHEMA, WIRE_SCHEMA))
    return Draft202012Validator(schema(message), registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass(frozen=True)
class PlainWireReply:
    """What a `wire` reply of the plain shape holds, read off the sign-reply schema (and the wire schema it refers
    to): the wire's fields, its methods, the stage names."""

    wire_fields: frozenset[str]
    methods: frozenset[str]
    stage_names: frozenset[str]


@cache
def plain_wire_reply() -> PlainWireReply:
    wire_reply = schema("sign-reply")["oneOf"][0]["properties"]
    wire = schema("sign-reply")["$defs"]["wire"]
    wire_form = read_schema(packaged_root() / WIRE_SCHEMA, WIRE_SCHEMA)
    return PlainWireReply(
        frozenset(wire["required"]) | frozenset(wire["properties"]),
        frozenset(wire_form["$defs"]["method"]["enum"]),
        frozenset(wire_reply["stages"]["properties"]),
    )


def is_plain_wire_reply(reply: object) -> bool:
    """Does `reply` plainly follow the sign-reply schema as a `wire` reply of the common shape: `seq` a positive
    int, a wire with exactly its four fields (a listed method, a URL that is not empty, headers a mapping of text,
    the body text or null), stages (if any) mapping the schema's stage names to text, nothing else?

    Every reply this accepts, the schema accepts: `read_sign_reply` validates the rest against the schema, which
    names the rule a reply breaks. A harness answers thousands of replies a second, and this costs a few
    comparisons where the schema costs a walk through its references.
    """
    plain = plain_wire_reply()
    if type(reply) is not dict or not reply.keys() <= {"seq", "wire", "stages"}:
        return False
    seq, wire, stages = reply.get("seq"), reply.get("wire"), reply.get("stages", {})
    if type(seq) is not int or seq < 1 or type(wire) is not dict or wire.keys() != plain.wire_fields:
        return False
    url, headers, body = wire["url"], wire["headers"], wire["body"]
    return (
        type(wire["method"]) is str
        and wire["method"] in plain.methods
        and type(url) is str
        and url != ""
        and (body is None or type(body) is str)
        and type(headers) is dict
        and all(type(value) is str for value in headers.values())
        and type(stages) is dict
        and stages.keys() <= plain.stage_names
        and all(type(value) is str for value in stages.values())
    )


def validate(message: str, value: object) -> None:
    """Raise `ProtocolError` naming the first rule `value` breaks as a `message`, if any."""
    error = next(iter(sorted(validator(message).iter_errors(value), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "message"
        raise ProtocolError(f"{message} {where}", error.message)


@dataclass(frozen=True)
class Implementation:
    """What a client declares at `start`: who it is, the schemes it implements, the option readings it chose."""

    name: str
    language: str
    schemes: tuple[str, ...]
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    pipeline: int = 1
    """How many `sign` commands the harness takes outstanding (protocol version 2; 1 for version 1)."""

    def option(self, scheme: str, name: str) -> str | None:
        return self.options.get(scheme, {}).get(name)


def implementation_from_mapping(data: Mapping[str, Any]) -> Implementation:
    """An `Implementation` from the `implementation` object of a start reply (already validated)."""
    return Implementation(
        name=str(data["name"]),
        language=str(data["language"]),
        schemes=tuple(data["schemes"]),
        options={scheme: dict(values) for scheme, values in data.get("options", {}).items()},
        metadata=dict(data),
    )


def start_command() -> dict[str, Any]:
    return {"cmd": "start", "version": PROTOCOL_VERSION, "max_version": MAX_PROTOCOL_VERSION}


SignCommand = tuple[int, str, Mapping[str, Any], str]
"""A `sign` command's fields: seq, vector ID, input, base URL."""


def sign_command(seq: int, vector_id: str, vector_input: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    return {"cmd": "sign", "seq": seq, "id": vector_id, "input": dict(vector_input), "base_url": base_url}


def stop_command() -> dict[str, Any]:
    return {"cmd": "stop"}


def read_start_reply(reply: object) -> Implementation:
    """The implementation a start reply declares; `ProtocolError` if the reply breaks the schema."""
    validate("start-reply", reply)
    assert isinstance(reply, Mapping)
    return replace(implementation_from_mapping(reply["implementation"]), pipeline=int(reply.get("pipeline", 1)))


@dataclass(slots=True)
class Answer:
    """What a client did with one vector's input: exactly one `kind`, with what that kind carries.

    `wire` and `stages` come with `wire`; `message` with `refused`, `skipped`
    and `errored`; `issue_url` with `skipped`; `traceback` with `errored`.
    `stderr` is what the harness wrote to stderr while answering, if anything.
    A `sent` answer resolved by capture mode is a `wire` answer whose request is
    already typed in `request` (the exchange's base URL and the target that
    arrived), and that also carries `received`, the raw request the loopback server received (that is
    what gets verified), `verdict`, the loopback server's verdict on it (reused, never reached again), and in
    `message` what the capture noticed, if anything.
    A value, slotted but not frozen: one is made per vector (see `signing.model`).
    """

    kind: AnswerKind
    wire: Mapping[str, Any] | None = None
    stages: Mapping[str, str] | None = None
    message: str = ""
    issue_url: str | None = None
    traceback: str | None = None
    stderr: str | None = None
    request: HttpRequest | None = None
    received: HttpRequest | None = None
    verdict: Verdict | None = None


def errored(message: str, stderr: str | None = None) -> Answer:
    return Answer("errored", message=message, stderr=stderr or None)


def read_sign_reply(reply: object, seq: int) -> Answer:
    """The answer in a sign reply to command `seq`; a reply that breaks the protocol becomes `errored`."""
    try:
        if not is_plain_wire_reply(reply):
            validate("sign-reply", reply)
    except ProtocolError as error:
        return errored(f"the harness broke the protocol: {error}")
    assert isinstance(reply, Mapping)
    if reply["seq"] != seq:
        return errored(f"the harness answered seq {reply['seq']} to seq {seq}")
    if "wire" in reply:
        return Answer("wire", wire=reply["wire"], stages=reply.get("stages"))
    if "sent" in reply:
        return Answer("sent")
    if "refused" in reply:
        return Answer("refused", message=reply["refused"]["message"])
    if "skipped" in reply:
        return Answer("skipped", message=reply["skipped"]["message"], issue_url=reply["skipped"].get("issue_url"))
    return Answer(
        "errored", message=f"the client errored: {reply['errored']['message']}", traceback=reply["errored"].get("traceback")
    )
