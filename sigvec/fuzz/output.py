"""What `sigvec fuzz` says about each failure it shrank: the minimal input, the stages expected and sent with
the differing bytes marked, the diagnosis, a ready-to-commit vector, and a curl line against `sigvec serve`.

The client's stages are those it answered with; a client that gives none has
them rebuilt from the diagnosis (the bug classes it names, applied to the
reference's construction), and kept only when they reproduce the signature the
client sent. A vector is emitted only where the corpus format can hold it
(`no_vector_reason`), and the report says why when it cannot.
Secrets never appear: the input is shown without its secret, and a stage the
scheme declares secret-bearing is never quoted.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from signing.model import STAGE_NAMES, SigningError, request_from_mapping
from signing.registry import scheme_named
from sigvec.codec import wire_to_mapping
from sigvec.diagnose.catalogue import catalogue
from sigvec.diagnose.reference import reference_for
from sigvec.fuzz.runner import Finding
from sigvec.gate.diff import SECRET_NOT_SHOWN, StageDiff, compared_headers
from sigvec.gate.results import KnownFailure
from sigvec.wire import read_carrier

SERVE_PORT = 8080
SECRET_SHOWN_AS = "<test secret>"


def shown_input(vector_input: Mapping[str, Any]) -> dict[str, Any]:
    """The input as printed: everything but the secret."""
    credentials = {**vector_input["credentials"], "secret": SECRET_SHOWN_AS}
    return {**vector_input, "credentials": credentials}


def client_stages(finding: Finding) -> dict[str, str]:
    """The client's stages: as it answered them, else rebuilt from the diagnosis (see the module docstring)."""
    given = dict(finding.answer.stages or {})
    if "string_to_sign" in given and "signature" in given:
        return given
    diagnosis, received = finding.diagnosis, finding.received
    if diagnosis is None or received is None or not diagnosis.matches:
        return {}
    scheme = scheme_named(finding.scheme)
    bugs = {bug.name: bug for bug in catalogue().classes}
    try:
        reference = reference_for(scheme, request_from_mapping(finding.input))
    except SigningError:
        return {}
    construction = reference.construction
    names = diagnosis.matches[0].classes
    if construction is None or not all(name in bugs and bugs[name].is_edit for name in names):
        return {}
    for name in names:
        construction = bugs[name].apply(construction)
    stages = reference.outcome(construction).stages
    sent = read_carrier(received, scheme.signature)
    return stages if sent is not None and stages.get("signature") == sent else {}


def differing(name: str, expected: str, actual: str, secret_stages: Sequence[str]) -> StageDiff | None:
    if expected == actual:
        return None
    at = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), min(len(expected), len(actual)))
    if name in secret_stages:
        return StageDiff(name, SECRET_NOT_SHOWN, SECRET_NOT_SHOWN, at)
    return StageDiff(name, expected, actual, at)


def stage_diffs(finding: Finding) -> list[StageDiff]:
    """Every stage, then wire part, where the client's request leaves the reference's, each with its bytes marked."""
    expected = finding.vector.expected
    scheme = scheme_named(finding.scheme)
    actual = client_stages(finding)
    diffs = [
        differing(name, str(expected[name]), actual[name], scheme.secret_stages)
        for name in STAGE_NAMES
        if name in expected and name in actual
    ]
    wire = recorded_wire(finding)
    if wire is not None:
        diffs += [differing(f"wire.{part}", str(expected["wire"].get(part) or ""), str(wire.get(part) or ""), ())
                  for part in ("method", "url", "body")]
    return [diff for diff in diffs if diff is not None]


NO_WIRE = "the client made no request to record"
ACCEPTED = (
    "the server accepts this request, and a fault: client vector records a request the server rejects with its error"
    " code (vectors/schema.json, fault)"
)
NO_STAGES = (
    "the client gave no stages and the diagnosis does not rebuild them, and a vector records the client's string to"
    " sign and signature (vectors/schema.json, expected), which the test suite recomputes the signature from"
)


def recorded_wire(finding: Finding) -> dict[str, Any] | None:
    """The client's request as a vector's `expected.wire`: the wire it answered with, or in capture mode the request
    that arrived (under the exchange's base URL), with only the headers exactness compares (`compared_headers`:
    User-Agent, Host and the like are not part of the contract); None when it made no request."""
    answer = finding.answer
    if answer.kind != "wire":
        return None
    if answer.wire is not None:
        return dict(answer.wire)
    if answer.request is None:
        return None
    compared = compared_headers(finding.vector.expected_signed.wire, answer.request, scheme_named(finding.scheme))
    kept = {name.lower() for name in compared}
    wire = wire_to_mapping(answer.request)
    wire["headers"] = {name: value for name, value in wire["headers"].items() if name.lower() in kept}
    return wire


def no_vector_reason(finding: Finding) -> str | None:
    """Why the corpus format cannot record this finding as a `fault: client` vector, or None when it can."""
    diagnosis = finding.diagnosis
    if recorded_wire(finding) is None:
        return NO_WIRE
    if diagnosis is None or diagnosis.verdict.rejection is None:
        return ACCEPTED
    return None if client_stages(finding) else NO_STAGES


def vector_mapping(finding: Finding, vector_id: str, source: str) -> dict[str, Any] | None:
    """A vector in the corpus format recording the client's request as a known bug (`fault: client`), or None
    when the format cannot hold it (`no_vector_reason`)."""
    if no_vector_reason(finding) is not None:
        return None
    stages, diagnosis, wire = client_stages(finding), finding.diagnosis, recorded_wire(finding)
    assert diagnosis is not None and diagnosis.verdict.rejection is not None and wire is not None  # no_vector_reason
    scheme = scheme_named(finding.scheme)
    rejection = diagnosis.verdict.rejection
    url = str(wire["url"])
    if not url.startswith("https://"):
        url = scheme.base_url.rstrip("/") + "/" + url.split("://", 1)[-1].partition("/")[2]
    headers = wire.get("headers") or {}
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    expected: dict[str, Any] = {name: stages[name] for name in STAGE_NAMES if name in stages}
    expected["wire"] = {"method": wire["method"], "url": url, "headers": dict(pairs), "body": wire.get("body")}
    error = {"code": rejection.code, "reason": f"{diagnosis.message.split(':')[0]}."}
    if diagnosis.verdict.step:
        error["step"] = diagnosis.verdict.step
    bug = (diagnosis.matches[0].message if diagnosis.matches else diagnosis.message).split(":")[0]
    return {
        "id": vector_id,
        "description": f"Found by sigvec fuzz and shrunk to this input: {bug}.",
        "result": "invalid",
        "fault": "client",
        "flags": list(diagnosis.flags),
        "provenance": {
            "source": source,
            "confirmed_by": ["openssl", "cryptography"],
            "note": "The expected stages are the client's, rebuilt by the diagnosis; the test suite recomputes the"
            " signature from the string to sign with openssl and cryptography's HMAC.",
        },
        "error": error,
        "input": dict(finding.input),
        "expected": expected,
    }


def next_vector_id(scheme: str, taken: Sequence[str]) -> str:
    """The next free ID of a scheme's sequence, after every ID in `taken` (the corpus's and the released ones)."""
    numbers = [int(vector_id.rsplit("-", 1)[1]) for vector_id in taken if vector_id.rsplit("-", 1)[0] == scheme]
    return f"{scheme}-{max(numbers, default=0) + 1:04d}"


def curl_command(finding: Finding, port: int = SERVE_PORT) -> str | None:
    """A `sigvec serve` line and a curl line that sends the client's request to it, as received (None without one)."""
    received = finding.received
    if received is None:
        return None
    timestamp = finding.input["timestamp"]
    url = f"http://127.0.0.1:{port}/{finding.scheme}{received.origin}"
    parts = ["curl", "-sS", "-g", "-X", received.method, shlex.quote(url)]
    for name, value in received.headers:
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if received.body:
        parts += ["--data-binary", shlex.quote(received.body.decode("utf-8", "replace"))]
    return f"sigvec serve --port {port} --clock fixed:{timestamp} &\n" + " ".join(parts)


def finding_lines(finding: Finding, vector_id: str | None = None, known: KnownFailure | None = None) -> list[str]:
    """A finding as a person reads it."""
    shown = yaml.safe_dump(shown_input(finding.input), allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
    lines = [
        f"{finding.scheme}: {finding.title}",
        "minimal input:",
        *("  " + line for line in shown.splitlines()),
        f"verdict: {finding.verdict.status}: {finding.verdict.message}",
    ]
    for diff in stage_diffs(finding):
        lines += diff.lines()
    if finding.diagnosis is not None:
        lines.append(f"diagnosis: {finding.diagnosis.message}")
    if finding.flags and (finding.diagnosis is None or not finding.diagnosis.flags):  # a diagnosis cites its own
        lines.append(f"flags: {', '.join(finding.flags)}")
    if known is not None:
        lines.append(f"known failure: {known.reason}" + (f" ({known.issue})" if known.issue else ""))
    curl = curl_command(finding)
    if curl is not None:
        lines += ["reproduce against sigvec serve:", *("  " + line for line in curl.splitlines())]
    if vector_id is not None:
        lines.append(f"vector: {vector_id}.yaml, ready to append to the scheme's vector file")
    reason = no_vector_reason(finding)
    if reason is not None:
        lines.append(f"no vector: {reason}")
    return lines


def vector_yaml(vector: Mapping[str, Any]) -> str:
    """A vector as a YAML list item, ready to append to a scheme's vector file."""
    text: str = yaml.safe_dump([dict(vector)], allow_unicode=True, sort_keys=False, width=200)
    return text
