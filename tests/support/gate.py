"""Clients and corpus views for the gate's tests: a correct client, clients with one known bug each."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from signing.model import request_from_mapping
from signing.registry import sign, verify
from sigvec.check import context_for
from sigvec.codec import wire_from_mapping, wire_to_mapping
from sigvec.corpus import Vector


@dataclasses.dataclass(frozen=True)
class Said:
    """What a test's diagnoser says about a failing request (the judge's `Explanation`): a message and flags."""

    message: str
    flags: tuple[str, ...] = ()


def edited(vectors: list[Vector], vector_id: str, **fields: Any) -> list[Vector]:
    """`vectors` with one vector's data fields replaced."""
    return [dataclasses.replace(v, data={**v.data, **fields}) if v.id == vector_id else v for v in vectors]


def reference_client(data: Mapping[str, Any]) -> dict[str, Any]:
    """A correct client: the reference signer, giving every stage and the wire request."""
    signed = sign(request_from_mapping(data))
    return {"wire": wire_to_mapping(signed.wire), "stages": signed.stages.to_mapping()}


def reference_wire(data: Mapping[str, Any]) -> dict[str, Any]:
    """A correct client that gives only the wire request."""
    return wire_to_mapping(sign(request_from_mapping(data)).wire)


def _with_signature_of(data: Mapping[str, Any], signed_input: Mapping[str, Any]) -> dict[str, Any]:
    """The request for `data`, sent as given, but carrying the signature and stages computed over `signed_input`."""
    sent, signed = sign(request_from_mapping(data)), sign(request_from_mapping(signed_input))
    wire = wire_to_mapping(sent.wire)
    for part in ("url", "body"):
        if wire[part]:
            wire[part] = wire[part].replace(sent.stages.signature, signed.stages.signature)
    return {"wire": wire, "stages": signed.stages.to_mapping()}


def sorting_client(data: Mapping[str, Any]) -> dict[str, Any]:
    """Bug: signs the query and form parameters sorted by key, but sends them in the order given."""
    signed_input = dict(data)
    if data.get("query"):
        signed_input["query"] = sorted(data["query"])
    if data.get("body", {}).get("form"):
        signed_input["body"] = {"form": sorted(data["body"]["form"])}
    return _with_signature_of(data, signed_input)


def mixed_placement(data: Mapping[str, Any]) -> bool:
    """Does the request carry parameters both in the query and in the form body?"""
    return bool(data.get("query")) and bool((data.get("body") or {}).get("form"))


def ampersand_client(data: Mapping[str, Any]) -> dict[str, Any]:
    """Bug: joins the query and the form body with "&" in the string to sign (MEXC concatenates them directly)."""
    signed = sign(request_from_mapping(data))
    stages = signed.stages.to_mapping()
    if not mixed_placement(data):
        return {"wire": wire_to_mapping(signed.wire), "stages": stages}
    joined = {**data, "query": [*data["query"], *data["body"]["form"]], "body": None}
    buggy = _with_signature_of(data, joined)
    return {
        "wire": buggy["wire"],
        "stages": {**stages, "string_to_sign": buggy["stages"]["string_to_sign"], "signature": buggy["stages"]["signature"]},
    }


def garbled_client(data: Mapping[str, Any]) -> dict[str, Any]:
    """Bug: the signature's last hex digit is wrong on the wire (a client that mangles what it signed)."""
    signed = sign(request_from_mapping(data))
    signature = signed.stages.signature
    wrong = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    wire = wire_to_mapping(signed.wire)
    wire["headers"] = {name: value.replace(signature, wrong) for name, value in wire["headers"].items()}
    for part in ("url", "body"):
        if wire[part]:
            wire[part] = wire[part].replace(signature, wrong)
    return wire


def rejected_before_the_signature(vector: Vector) -> bool:
    """Is this a request-fault vector whose error the reference server answers even to a garbled signature
    (it checks that step before the signature)?"""
    error = vector.contract.error
    if vector.contract.fault != "request" or error is None or vector.server_time is None:
        return False
    received = wire_from_mapping(garbled_client(vector.input))
    rejection = verify(received, context_for(vector, vector.server_time), vector.scheme).rejection
    return rejection is not None and rejection.code == error.code


def garbled_failures(vectors: list[Vector], scheme: str) -> list[str]:
    """The vectors of `scheme` a client that garbles every signature fails: all but the request-fault ones the
    server rejects before it checks the signature."""
    return [v.id for v in vectors if v.scheme == scheme and not rejected_before_the_signature(v)]
