"""The verdict on one vector, by the client contract, at two levels: exact and accepted.

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
  A byte-identical request is accepted by construction: `sigvec check` proves
  the verifier accepts every expected request it must accept.
A verdict is `pass` when the client meets the accepted level; `exact` is
reported beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import unquote

from signing.http import NOT_JSON, HttpRequest
from signing.model import MAPPINGS, STAGE_NAMES, Signed, SigningError
from signing.registry import Scheme, scheme_named, sign, verify
from signing.server import ServerContext, Verdict
from sigvec.check import context_for
from sigvec.codec import wire_from_mapping
from sigvec.corpus import Vector
from sigvec.gate.protocol import Answer, Implementation
from sigvec.gate.score import Score, score
from sigvec.wire import WireFormatError

Status = Literal["pass", "fail", "refused-ok", "skipped", "errored"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "refused-ok", "skipped", "errored")
WIRE_PARTS = ("wire.method", "wire.url", "wire.headers", "wire.body")
SECRET_NOT_SHOWN = "<not shown: this stage carries the secret>"
BYTE_IDENTICAL = "byte-identical to the reference"
DIFF_CONTEXT = 40

Diagnoser = Callable[[Vector, HttpRequest, ServerContext, "Verdict | None"], "str | None"]
"""Names the bug behind a failing request (the diagnosis engine plugs in here), given the server's verdict on it
when there is one already (capture mode), so that it is not verified again."""


@dataclass(frozen=True)
class StageDiff:
    """The first stage (or wire part) where the client's request leaves the reference's.

    `at` is the index of the first differing character. A stage the scheme
    declares secret-bearing is never carried: both values are `SECRET_NOT_SHOWN`.
    """

    stage: str
    expected: str
    actual: str
    at: int

    @property
    def redacted(self) -> bool:
        return self.expected == SECRET_NOT_SHOWN

    def lines(self) -> list[str]:
        """The diff as text: both values around the first difference, with the differing characters marked."""
        if self.redacted:
            return [f"{self.stage} differs at character {self.at} ({SECRET_NOT_SHOWN[1:-1]})"]
        start = max(0, self.at - DIFF_CONTEXT)
        expected, actual = _window(self.expected, start), _window(self.actual, start)
        span = _differing_span(self.expected, self.actual)
        marker = " " * (self.at - start + (3 if start else 0)) + "^" * max(1, min(span, 2 * DIFF_CONTEXT))
        return [
            f"{self.stage} differs at character {self.at}:",
            f"  expected: {expected}",
            f"  actual:   {actual}",
            f"            {marker}",
        ]

    def to_mapping(self) -> dict[str, Any]:
        return {"stage": self.stage, "expected": self.expected, "actual": self.actual, "at": self.at}


def _window(text: str, start: int) -> str:
    shown = text[start : start + 3 * DIFF_CONTEXT]
    return ("..." if start else "") + shown + ("..." if start + 3 * DIFF_CONTEXT < len(text) else "")


def _differing_span(expected: str, actual: str) -> int:
    """How many characters of `actual` differ, between the common prefix and the common suffix."""
    prefix = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), min(len(expected), len(actual)))
    suffix = 0
    while suffix < min(len(expected), len(actual)) - prefix and expected[-1 - suffix] == actual[-1 - suffix]:
        suffix += 1
    return len(actual) - prefix - suffix


@dataclass(frozen=True)
class KnownFailure:
    reason: str
    issue: str | None = None


@dataclass(slots=True)
class VectorVerdict:
    """What the gate concluded for one vector. A value, slotted but not frozen: one is made per vector, and a
    frozen dataclass sets each field through `object.__setattr__` (see `signing.model`)."""

    id: str
    scheme: str
    result: str
    status: Status
    exact: bool
    accepted: bool
    message: str = ""
    diff: StageDiff | None = None
    server: str | None = None
    diagnosis: str | None = None
    stderr: str | None = None
    traceback: str | None = None
    issue_url: str | None = None
    known_failure: KnownFailure | None = None

    @property
    def passed(self) -> bool:
        return self.status in ("pass", "refused-ok")

    @property
    def expectation(self) -> Literal["ok", "known", "unexpected-pass", "unexpected"]:
        """`unexpected` (a failure or error nobody listed) and `unexpected-pass` (a listed one that passes) fail the run."""
        failing = self.status in ("fail", "errored")
        if self.known_failure is None:
            return "unexpected" if failing else "ok"
        if self.passed:
            return "unexpected-pass"
        return "known"

    def explanation(self) -> list[str]:
        """What a person reads about this verdict: the message, the stage diff, the diagnosis, the client's traceback,
        the harness's stderr."""
        lines = [self.message]
        if self.expectation == "unexpected-pass":
            lines.insert(0, "listed as a known failure, but it passes: remove it from the known-failures file")
        elif self.known_failure is not None:
            lines.insert(
                0,
                f"known failure: {self.known_failure.reason}"
                + (f" ({self.known_failure.issue})" if self.known_failure.issue else ""),
            )
        if self.diff is not None:
            lines += self.diff.lines()
        if self.diagnosis:
            lines.append(f"diagnosis: {self.diagnosis}")
        if self.traceback:
            lines += ["traceback:", *("  " + line for line in self.traceback.rstrip().splitlines())]
        if self.stderr:
            lines += ["harness stderr:", *("  " + line for line in self.stderr.rstrip().splitlines()[-20:])]
        return lines

    def with_known_failure(self, known: KnownFailure) -> VectorVerdict:
        return replace(self, known_failure=known)

    def to_mapping(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "scheme": self.scheme,
            "result": self.result,
            "status": self.status,
            "exact": self.exact,
            "accepted": self.accepted,
            "expectation": self.expectation,
            "message": self.message,
        }
        optional = {
            "diff": self.diff.to_mapping() if self.diff else None,
            "server": self.server,
            "diagnosis": self.diagnosis,
            "stderr": self.stderr,
            "traceback": self.traceback,
            "issue_url": self.issue_url,
            "known_failure": (
                {"reason": self.known_failure.reason} | ({"issue": self.known_failure.issue} if self.known_failure.issue else {})
            )
            if self.known_failure
            else None,
        }
        return data | {key: value for key, value in optional.items() if value is not None}


def fault_of(vector: Vector) -> str | None:
    """Where an invalid vector's fault lies, `client` or `request`; None for other results."""
    return vector.contract.fault


def server_context(vector: Vector) -> ServerContext | None:
    """The reference server's state for one vector, as `sigvec check` builds it: the vector's clock, its test key
    (unless `server_state.known_keys` leaves it out), a fresh replay store holding `server_state.seen_nonces`."""
    if vector.server_time is None:
        return None
    return context_for(vector, vector.server_time)


def outcome_of(
    received: HttpRequest, vector: Vector, context: ServerContext | None, verdict: Verdict | None = None
) -> tuple[str, str]:
    """The verifier's outcome (`accept` or the error code) and, for a rejection, its reason; from `verdict` when the
    server already reached one (capture mode), else by verifying."""
    if context is None:
        return "no-server-time", "the vector has no server_time and no input.timestamp"
    rejection = (verdict or verify(received, context, vector.scheme)).rejection
    return ("accept", "") if rejection is None else (str(rejection.code), rejection.reason)


def request_difference(expected: HttpRequest, actual: HttpRequest, signature: str | None) -> str | None:
    """Where `actual` is not the same request as `expected`, decoded, the signature parameter aside; None if it is."""
    if expected.method != actual.method:
        return f"method: expected {expected.method}, sent {actual.method}"
    if unquote(expected.path) != unquote(actual.path):
        return f"path: expected {unquote(expected.path)}, sent {unquote(actual.path)}"
    want_query, want_form = expected.view.query_pairs, expected.view.form_pairs
    signed = {key for key, value in want_query + want_form if value == signature}

    def content(params: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        return sorted(pair for pair in params if pair[0] not in signed)

    want, got = content(want_query), content(actual.view.query_pairs)
    if want != got:
        return f"query parameters: expected {want}, sent {got}"
    want_json, got_json = expected.view.json, actual.view.json
    if want_json is not NOT_JSON or got_json is not NOT_JSON:
        return None if want_json == got_json else "body: the JSON content differs"
    want, got = content(want_form), content(actual.view.form_pairs)
    return None if want == got else f"body parameters: expected {want}, sent {got}"


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


def part_value(stages: Mapping[str, str], wire: HttpRequest, part: str, headers: Sequence[str]) -> str | None:
    """A stage or wire part of a request, laid out for comparison: for headers, one `Name: value` line per
    compared header (matched case-insensitively, the first of a repeated header), for the body its text."""
    if part == "wire.headers":
        return "\n".join(f"{key}: {wire.header(key) or ''}" for key in headers)
    if part == "wire.method":
        return wire.method
    if part == "wire.url":
        return wire.target
    if part == "wire.body":
        return wire.text or ""
    return stages.get(part)


def compared_headers(expected: HttpRequest, sent: HttpRequest, scheme: Scheme) -> list[str]:
    """The headers exactness compares: every header the reference sends, and every header the scheme sets
    (`Scheme.headers`) that the client sends; others (User-Agent, Host, Content-Length) are not part of the contract."""
    names = {name.lower(): name for name in scheme.headers if sent.header(name) is not None}
    names.update({name.lower(): name for name, _ in expected.headers})
    return sorted(names.values())


def first_difference(reference: Signed, client: ClientRequest, scheme: Scheme) -> StageDiff | None:
    """The first stage the client gives, then wire part, where it differs from `reference`."""
    headers = compared_headers(reference.wire, client.wire, scheme)
    stages = reference.stages.to_mapping()
    for part in (*(name for name in STAGE_NAMES if name in client.stages), *WIRE_PARTS):
        want = part_value(stages, reference.wire, part, headers)
        got = part_value(client.stages, client.wire, part, headers) or ""
        if want != got:
            want = want or ""
            at = next((i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), min(len(want), len(got)))
            if part in scheme.secret_stages:
                return StageDiff(part, SECRET_NOT_SHOWN, SECRET_NOT_SHOWN, at)
            return StageDiff(part, want, got, at)
    return None


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
        return any(
            wire == target.expected["wire"]
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
                    diff=None if closest is None else first_difference(closest, client, scheme),
                    message=f"produces the known buggy request this vector records (flags: {', '.join(vector.flags) or 'none'})",
                )
                received = client.received or client.wire
                return self._diagnosed(known_bug, vector, received, server_context(vector), client.verdict)
        else:
            targets, shown = self.targets(vector)
            references = [target.expected_signed for target in targets]
            closest = shown.expected_signed
        exact = any(_matches(reference, client, scheme) for reference in references)
        diff = None if exact or closest is None else first_difference(closest, client, scheme)
        if exact:
            return VectorVerdict(**base, status="pass", exact=True, accepted=True, message=BYTE_IDENTICAL)
        received = client.received or client.wire
        context = server_context(vector)
        outcome, reason = outcome_of(received, vector, context, client.verdict)
        allowed = [str(outcome) for outcome in vector.contract.client_outcomes]
        if outcome not in allowed:
            verdict = VectorVerdict(
                **base,
                status="fail",
                exact=False,
                accepted=False,
                diff=diff,
                server=outcome,
                message=_rejected_message(outcome, reason, allowed),
            )
            return self._diagnosed(verdict, vector, received, context, client.verdict)
        difference = None
        if closest is not None:
            difference = request_difference(closest.wire, received, closest.stages.signature)
        same = difference is None
        return VectorVerdict(
            **base,
            status="pass" if same else "fail",
            exact=False,
            accepted=same,
            diff=diff,
            server=outcome,
            message=f"the server answers {outcome}; "
            + ("not byte-identical to the reference" if same else f"but it is not the same request: {difference}"),
        )

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
        return replace(verdict, diagnosis=diagnosis)


SECRET_HIDDEN = "<secret>"


def _hidden(text: str | None, secret: str) -> str | None:
    """A client's own text (its stderr, error message or traceback) with the vector's secret replaced: a client
    may quote its secret when it crashes, and a report never does."""
    if text is None or not secret:
        return text
    return text.replace(secret, SECRET_HIDDEN)


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


def _rejected_message(outcome: str, reason: str, allowed: Sequence[str]) -> str:
    answered = "accepts it" if outcome == "accept" else f"rejects it with {outcome}" + (f" ({reason})" if reason else "")
    return f"the server {answered}; the contract wants {' or '.join(allowed)}"


@dataclass(frozen=True)
class Tally:
    """Counts over a set of verdicts: each status, the score (`sigvec.gate.score`, the one way of counting), and
    the run's expectations."""

    statuses: Mapping[Status, int]
    score: Score
    known: int
    unexpected: int
    unexpected_passes: int

    @classmethod
    def of(cls, verdicts: Sequence[VectorVerdict]) -> Tally:
        return cls(
            statuses={status: sum(v.status == status for v in verdicts) for status in STATUSES},
            score=score(verdicts),
            known=sum(v.expectation == "known" for v in verdicts),
            unexpected=sum(v.expectation == "unexpected" for v in verdicts),
            unexpected_passes=sum(v.expectation == "unexpected-pass" for v in verdicts),
        )

    @property
    def vectors(self) -> int:
        return self.score.vectors

    @property
    def run(self) -> int:
        return self.score.run

    @property
    def exact(self) -> int:
        return self.score.exact

    @property
    def accepted(self) -> int:
        return self.score.accepted

    @property
    def exact_percent(self) -> int:
        return self.score.exact_percent

    @property
    def accepted_percent(self) -> int:
        return self.score.accepted_percent


@dataclass(frozen=True)
class GateRun:
    """One run of the gate: who was judged, on which corpus, and every verdict in corpus order."""

    implementation: Implementation
    verdicts: Sequence[VectorVerdict]
    started: str
    corpus: Mapping[str, Any]
    sigvec_version: str

    @property
    def succeeded(self) -> bool:
        """True iff no failure or error is unexpected and no known failure passes."""
        return all(verdict.expectation in ("ok", "known") for verdict in self.verdicts)

    def total(self) -> Tally:
        return Tally.of(self.verdicts)

    def by_scheme(self) -> dict[str, Tally]:
        schemes = sorted({verdict.scheme for verdict in self.verdicts})
        return {scheme: Tally.of([v for v in self.verdicts if v.scheme == scheme]) for scheme in schemes}
