"""The judge: the verdict on one vector, by the client contract, at two levels: exact and accepted.

What a vector asks of a client given its `input`:
- `valid` and `acceptable`: reproduce the request. A vector in an
  `alternatives` group is matched by the vector itself or by the member its
  declared option selects (any member when the group names no option).
- `invalid` with `fault: client`: `expected` is a known buggy client's output.
  The client must not produce that wire request; what it produces is judged
  against the reference's request for the same input.
- `invalid` with `fault: request`: the request itself is at fault. Refusing
  the input is `refused-ok`; a signed request must get the vector's error code.

The two levels:
- **exact**: every stage the client gives and the wire request are byte-identical
  to the reference (the expected headers must be present with the same values;
  extra headers such as User-Agent are not part of the signature contract);
- **accepted**: the reference verifier answers an allowed outcome (accept; for
  `acceptable` vectors any of `server_outcomes`; for request faults the
  vector's error code), and the request is the same request: same method,
  path, parameters and body content, compared decoded, the signature aside.
  A listed error code of an `acceptable` vector passes only as the answer to
  the request the vector records (`Contract.refuses` rules; the judge asks).
  A byte-identical request is accepted by construction: `sigvec check` proves
  the verifier accepts every expected request it must accept.
A verdict is `pass` when the client meets the accepted level; `exact` is
reported beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from signing.http import HttpRequest
from signing.model import MAPPINGS, STAGE_NAMES, Signed, SigningError
from signing.registry import Scheme, scheme_named, sign, verify
from signing.server import ServerContext, Step, Verdict
from sigvec.check import context_for
from sigvec.codec import wire_from_mapping
from sigvec.corpus import ClientOutcome, ServerOutcome, Vector
from sigvec.gate.diff import first_difference, request_difference
from sigvec.gate.protocol import Answer, Implementation
from sigvec.gate.results import VectorVerdict
from sigvec.wire import WireFormatError, read_carrier

BYTE_IDENTICAL = "byte-identical to the reference"


class Explanation(Protocol):
    """What a diagnoser says about a failing request (`sigvec.diagnose.Diagnosis` is one): one line a person can act
    on, and the bug classes it names, as corpus flags."""

    @property
    def message(self) -> str: ...

    @property
    def flags(self) -> tuple[str, ...]: ...


Diagnoser = Callable[[Vector, HttpRequest, ServerContext, "Verdict | None"], "Explanation | None"]
"""Names the bug behind a failing request (the diagnosis engine plugs in here), given the server's verdict on it
when there is one already (capture mode), so that it is not verified again."""


def fault_of(vector: Vector) -> str | None:
    """Where an invalid vector's fault lies, `client` or `request`; None for other results."""
    return vector.contract.fault


def server_context(vector: Vector) -> ServerContext | None:
    """The reference server's state for one vector, as `sigvec check` builds it: the vector's clock, its test key
    (unless `server_state.known_keys` leaves it out), a fresh replay store holding `server_state.seen_nonces`."""
    if vector.server_time is None:
        return None
    return context_for(vector, vector.server_time)


NO_SERVER_TIME = "the vector has no server_time and no input.timestamp"


def outcome_of(
    received: HttpRequest, vector: Vector, context: ServerContext | None, verdict: Verdict | None = None
) -> tuple[ServerOutcome | None, str, Step | None]:
    """The verifier's outcome (`accept` or the error code; None without a server clock) and, for a rejection, its
    reason and the step that decided it; from `verdict` when the server already reached one (capture mode), else
    by verifying."""
    if context is None:
        return None, NO_SERVER_TIME, None
    answer = verdict or verify(received, context, vector.scheme)
    rejection = answer.rejection
    return ("accept", "", None) if rejection is None else (rejection.code, rejection.reason, answer.step)


@dataclass(slots=True)
class ClientRequest:
    """What a client answered with: its wire request and the stages it chose to expose; in capture mode also
    `received`, the raw request the loopback server received, which is what the verifier then reads.
    A value, slotted but not frozen, as `VectorVerdict` is."""

    wire: HttpRequest
    stages: Mapping[str, str]
    received: HttpRequest | None = None
    verdict: Verdict | None = None
    """In capture mode, the loopback server's verdict on `received`, reached with the vector's own server state:
    the judge and the diagnosis reuse it instead of verifying again."""


@dataclass(frozen=True)
class Judge:
    """Judges answers against the corpus for one implementation."""

    implementation: Implementation
    vectors: Mapping[str, Vector]
    diagnoser: Diagnoser | None = None
    _references: dict[str, list[Signed]] = field(default_factory=dict, repr=False, compare=False)

    def targets(self, vector: Vector) -> tuple[list[Vector], Vector]:
        """`Contract.targets` for this client's declared options."""
        return vector.contract.targets(self.vectors, self.implementation.options.get(vector.scheme, {}))

    def judge(self, vector: Vector, answer: Answer) -> VectorVerdict:
        secret = str((vector.input.get("credentials") or {}).get("secret") or "")
        stderr = _hidden(answer.stderr, secret)
        base: dict[str, Any] = {"id": vector.id, "scheme": vector.scheme, "result": vector.result, "stderr": stderr}
        if secret and secret in answer.message:
            answer = replace(answer, message=_hidden(answer.message, secret) or "")
        fault = fault_of(vector)
        if answer.kind in ("errored", "sent"):  # a `sent` answer reaches here only when capture could not resolve it
            return VectorVerdict(
                **base,
                status="errored",
                exact=False,
                accepted=False,
                message=answer.message,
                traceback=_hidden(answer.traceback, secret),
            )
        if answer.kind == "skipped":
            return VectorVerdict(
                **base, status="skipped", exact=False, accepted=False, message=answer.message, issue_url=answer.issue_url
            )
        if answer.kind == "refused":
            if fault == "request":
                return VectorVerdict(
                    **base,
                    status="refused-ok",
                    exact=False,
                    accepted=False,
                    message=f"refused a request-fault input: {answer.message}",
                )
            return VectorVerdict(
                **base, status="fail", exact=False, accepted=False, message=f"refused an input it must sign: {answer.message}"
            )
        try:
            if fault != "client" and self._sent_as_expected(vector, answer.wire, answer.stages):
                verdict = VectorVerdict(**base, status="pass", exact=True, accepted=True, message=BYTE_IDENTICAL)
            else:
                wire = answer.request or wire_from_mapping(answer.wire, header_pairs_allowed=True)
                client = ClientRequest(wire, _stages(answer.stages), answer.received, answer.verdict)
                verdict = self._judge_request(vector, fault, client, base)
        except (WireFormatError, ValueError) as error:
            return VectorVerdict(
                **base, status="errored", exact=False, accepted=False, message=f"the client's answer is malformed: {error}"
            )
        return replace(verdict, message=f"{verdict.message}; {answer.message}") if answer.message else verdict

    def _sent_as_expected(self, vector: Vector, wire: object, stages: object) -> bool:
        """Is the answer, as given, the very mapping a target vector expects, with its stages? Then it is exact, and
        needs no parsing: an exact client, the common case, is judged by one comparison of mappings per target.
        Only a stage name with the target's own text is equal here, so any malformed stage is left to `_stages` to refuse."""
        given = {} if stages is None else stages
        if not isinstance(given, MAPPINGS):
            return False
        targets, _ = self.targets(vector)
        written = _headers_written(wire)
        return any(
            written == target.expected["wire"]
            and all(
                name in STAGE_NAMES and value is not None and target.expected.get(name) == value for name, value in given.items()
            )
            for target in targets
        )

    def _judge_request(self, vector: Vector, fault: str | None, client: ClientRequest, base: Mapping[str, Any]) -> VectorVerdict:
        scheme = scheme_named(vector.scheme)
        if fault == "client":
            if vector.id not in self._references:
                self._references[vector.id] = _reference(vector)
            references = self._references[vector.id]
            closest = references[0] if references else None
            if _same_wire(vector.expected_signed.wire, client.wire, scheme):
                known_bug = VectorVerdict(
                    **base,
                    status="fail",
                    exact=False,
                    accepted=False,
                    diff=None if closest is None else first_difference(closest, client.stages, client.wire, scheme),
                    message=f"produces the known buggy request this vector records (flags: {', '.join(vector.flags) or 'none'})",
                )
                received = client.received or client.wire
                return self._diagnosed(known_bug, vector, received, server_context(vector), client.verdict)
        else:
            targets, shown = self.targets(vector)
            references = [target.expected_signed for target in targets]
            closest = shown.expected_signed
        exact = any(_matches(reference, client, scheme) for reference in references)
        diff = None if exact or closest is None else first_difference(closest, client.stages, client.wire, scheme)
        if exact:
            return VectorVerdict(**base, status="pass", exact=True, accepted=True, message=BYTE_IDENTICAL)
        received = client.received or client.wire
        context = server_context(vector)
        outcome, reason, step = outcome_of(received, vector, context, client.verdict)
        difference = None if closest is None else request_difference(closest.wire, received, closest.stages.signature)
        if outcome is None:
            refusal: str | None = "the verifier has no clock to judge it by"
        else:
            sent_signature = read_carrier(received, scheme.signature)
            refusal = vector.contract.refuses(
                ClientOutcome(
                    outcome=outcome,
                    step=step,
                    sent_expected=any(_same_wire(reference.wire, client.wire, scheme) for reference in references),
                    difference=None if difference is None else difference.text,
                    signed_as_expected=any(sent_signature == reference.stages.signature for reference in references),
                )
            )
        answer = "no-server-time" if outcome is None else str(outcome)
        if refusal is None:
            return VectorVerdict(
                **base,
                status="pass",
                exact=False,
                accepted=True,
                diff=diff,
                server=answer,
                message=f"the server answers {answer}; not byte-identical to the reference",
            )
        answered = "accepts it" if outcome == "accept" else f"rejects it with {answer}" + (f" ({reason})" if reason else "")
        verdict = VectorVerdict(
            **base,
            status="fail",
            exact=False,
            accepted=False,
            diff=diff,
            server=answer,
            message=f"the server {answered}; {refusal}",
        )
        if difference is not None and outcome in vector.contract.client_outcomes:
            # another request, answered as the contract allows: what differs is the failure, and its flags name it
            return replace(verdict, flags=difference.flags)
        if difference is not None and outcome == "accept":
            verdict = replace(verdict, flags=difference.flags)  # accepted against the contract: the difference says why
        return self._diagnosed(verdict, vector, received, context, client.verdict)

    def _diagnosed(
        self,
        verdict: VectorVerdict,
        vector: Vector,
        received: HttpRequest,
        context: ServerContext | None,
        server_verdict: Verdict | None,
    ) -> VectorVerdict:
        if self.diagnoser is None or context is None:
            return verdict
        diagnosis = self.diagnoser(vector, received, context, server_verdict)
        if diagnosis is None:
            return verdict
        return replace(verdict, diagnosis=diagnosis.message, flags=diagnosis.flags or verdict.flags)


SECRET_HIDDEN = "<secret>"


def _hidden(text: str | None, secret: str) -> str | None:
    """A client's own text (its stderr, error message or traceback) with the vector's secret replaced: a client
    may quote its secret when it crashes, and a report never does."""
    if text is None or not secret:
        return text
    return text.replace(secret, SECRET_HIDDEN)


def _headers_written(wire: object) -> object:
    """A wire mapping whose headers are [name, value] pairs (allowed at the protocol's edge) with them written as a
    vector writes them, a mapping, when each pair is two texts and no name repeats; anything else as it is (and
    then judged by parsing it)."""
    if not isinstance(wire, MAPPINGS) or not isinstance(wire.get("headers"), (list, tuple)):
        return wire
    pairs = wire["headers"]
    if not all(isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(t, str) for t in pair) for pair in pairs):
        return wire
    headers = dict(pairs)
    return {**wire, "headers": headers} if len(headers) == len(pairs) else wire


def _stages(raw: object) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, MAPPINGS) or not all(name in STAGE_NAMES and isinstance(value, str) for name, value in raw.items()):
        raise ValueError(f"stages must map stage names ({', '.join(STAGE_NAMES)}) to text")
    return dict(raw)


def _same_wire(want: HttpRequest, sent: HttpRequest, scheme: Scheme) -> bool:
    """Byte-identical method, URL and body, and the same compared headers (`compared_headers`): every expected
    header present with the same value, and no header the scheme sets that the expected request leaves out."""
    if (want.method, want.target, want.body) != (sent.method, sent.target, sent.body):
        return False
    want_headers = {name.lower(): value for name, value in want.headers}
    sent_headers = {name.lower(): value for name, value in reversed(sent.headers)}  # the first of a repeated header wins
    if any(sent_headers.get(name) != value for name, value in want_headers.items()):
        return False
    return all(name.lower() in want_headers for name in scheme.headers if name.lower() in sent_headers)


def _matches(reference: Signed, client: ClientRequest, scheme: Scheme) -> bool:
    stages = reference.stages
    stages_match = all(getattr(stages, name) == value for name, value in client.stages.items())
    return stages_match and _same_wire(reference.wire, client.wire, scheme)


def _reference(vector: Vector) -> list[Signed]:
    """The reference's own request for a client-fault vector's input (none if the reference refuses the input)."""
    try:
        return [sign(vector.request)]
    except SigningError:
        return []
