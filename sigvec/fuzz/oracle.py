"""The fuzzer's oracle: the gate's judge, generalised from a vector to a generated input.

`reference_case` signs a generated input with the reference and lets the
reference verifier answer the reference's own request, at the input's own
time, with the input's key and a fresh replay store. The result is a
synthetic `Vector`: `valid` when the verifier accepts that request, `invalid`
with `fault: request` and the verifier's code when it does not (an input the
scheme cannot carry). `judge_answer` then judges a client's answer for that
vector with the gate's `Judge`, exactly as it judges a corpus vector: the
verifier must accept the client's request (or reject it with the code the
reference's own request gets) and it must be the same request. An input the
reference refuses to sign is not judged at all: nothing is asked of the client.

This module is the seam between the fuzzer and the gate's judging: adapting to
a change in the judge touches this file only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from signing.http import HttpRequest
from signing.model import SigningError, request_from_mapping
from signing.registry import scheme_named, sign, verify
from signing.server import MemoryReplayStore, ServerContext, StaticKeys
from sigvec.codec import signed_to_mapping, wire_from_mapping
from sigvec.corpus import Vector
from sigvec.diagnose import Diagnosis, diagnose_both
from sigvec.diagnose.examples import Examples
from sigvec.gate.judge import Judge
from sigvec.gate.protocol import Answer, Implementation
from sigvec.gate.results import VectorVerdict
from sigvec.wire import WireFormatError

SYNTHETIC_FILE = "(generated)"


@dataclass(slots=True)
class Case:
    """One generated input and what the reference makes of it: a synthetic vector, or why it refuses the input."""

    input: Mapping[str, Any]
    vector: Vector | None
    refusal: str | None = None


def server_for(vector_input: Mapping[str, Any]) -> ServerContext:
    """A fresh server for one generated input: the input's clock, its key, an empty replay store."""
    credentials = vector_input["credentials"]
    keys = StaticKeys({credentials["api_key"]: credentials["secret"]})
    return ServerContext(int(vector_input["timestamp"]), keys, MemoryReplayStore())


def reference_case(vector_input: Mapping[str, Any]) -> Case:
    """The synthetic vector for `vector_input` (see the module docstring), or the reference's refusal."""
    try:
        signed = sign(request_from_mapping(vector_input))
    except SigningError as refused:
        return Case(vector_input, None, str(refused))
    scheme = scheme_named(str(vector_input["scheme"]))
    verdict = verify(signed.wire, server_for(vector_input), scheme.name)
    data: dict[str, Any] = {
        "id": f"{scheme.name}-0000",
        "description": "a generated input",
        "result": "valid",
        "flags": [],
        "provenance": {"source": "sigvec fuzz", "confirmed_by": []},
        "algorithm": {"name": scheme.algorithm.name},
        "input": vector_input,
        "expected": signed_to_mapping(signed),
    }
    if verdict.rejection is not None:
        rejection = verdict.rejection
        data.update(result="invalid", fault="request", error={"code": rejection.code, "reason": rejection.reason})
    return Case(vector_input, Vector(data, SYNTHETIC_FILE))


def judge_answer(implementation: Implementation, case: Case, answer: Answer) -> VectorVerdict:
    """The gate's verdict on a client's answer to a generated input the reference signs: the gate's judge, over
    a corpus of that one synthetic vector, with no diagnoser (the fuzzer diagnoses only the failures it keeps,
    with `diagnosis_of`)."""
    vector = case.vector
    assert vector is not None, "an input the reference refuses is not judged"
    return Judge(implementation, {vector.id: vector}).judge(vector, answer)


def received_of(answer: Answer) -> HttpRequest | None:
    """The request a server receives for a client's answer: the captured request, or the wire it answered with."""
    if answer.received is not None:
        return answer.received
    if answer.kind != "wire":
        return None
    try:
        return answer.request or wire_from_mapping(answer.wire, header_pairs_allowed=True)
    except WireFormatError:
        return None


def diagnosis_of(case: Case, received: HttpRequest, examples: Examples) -> Diagnosis:
    """Why the reference verifier rejects the client's request, by the diagnosis engine as the gate runs it (from
    the generated input, then from the parameters read off the wire), citing example vectors from `examples`: a
    finding never knows less than the gate or `sigvec explain` would about the same request."""
    context = replace(server_for(case.input), replay=None)
    return diagnose_both(received, str(case.input["scheme"]), context, request_from_mapping(case.input), examples=examples)


def judge_output(vector_input: Mapping[str, Any], output: Mapping[str, Any]) -> VectorVerdict:
    """The gate's verdict on what a client made of `vector_input`: its wire mapping, or `{"wire": ..., "stages": ...}`
    (`sigvec.strategies.judge`). An input the reference refuses to sign is `skipped`, with the reason."""
    case = reference_case(vector_input)
    scheme = str(vector_input["scheme"])
    if case.vector is None:
        message = f"the reference refuses this input, so it asks nothing of a client: {case.refusal}"
        return VectorVerdict(f"{scheme}-0000", scheme, "valid", "skipped", False, False, message)
    wire, stages = (output["wire"], output.get("stages")) if "wire" in output else (output, None)
    return judge_answer(Implementation("client", "any", (scheme,)), case, Answer("wire", wire=wire, stages=stages))
