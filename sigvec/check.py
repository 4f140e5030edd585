"""Run the corpus against the reference: every stage, the wire request, the verifier, and the contract.

- valid: the reference reproduces every stage and the wire request, and the
  verifier accepts that request.
- acceptable: the reference reproduces every stage and the wire request; the
  verifier's answer is judged only where the vector lists `server_outcomes`
  (and a listed error code must come at the vector's `rejection_step`).
- invalid, fault `request`: the reference reproduces the recorded (faulty)
  request, and the verifier rejects it with the recorded error code (and step,
  when the vector names one).
- invalid, fault `client`: the verifier rejects the recorded wire request with
  the recorded error code, and the reference's own request for the input is a
  different one that the verifier accepts.
Every vector whose provenance has documented values must agree with them
exactly when it says they reproduce, and must differ when it says they do not.

Problem lines never quote a secret-bearing stage (`Scheme.secret_stages`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from signing.model import STAGE_NAMES, Signed, SigningError
from signing.registry import scheme_named, sign
from signing.server import MemoryReplayStore, ServerContext, StaticKeys, Verdict
from sigvec.codec import secret_free, secret_free_error, wire_to_mapping
from sigvec.corpus import ServerOutcome, Vector
from sigvec.verify import VerifierCrash, guarded_verify


@dataclass
class VectorCheck:
    vector: Vector
    problems: list[str] = field(default_factory=list)
    verdict: Verdict | None = None

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def server_answer(self) -> ServerOutcome | None:
        """`accept`, the rejection's code, or None when the verifier never ran."""
        if self.verdict is None:
            return None
        return self.verdict.rejection.code if self.verdict.rejection else "accept"


def stage_differences(vector: Vector, actual: Signed) -> list[str]:
    """One line per stage (and wire part) that differs, naming it; secret-bearing stages are named, not quoted."""
    expected = vector.expected_signed
    secret_stages = scheme_named(vector.scheme).secret_stages
    secret = vector.request.credentials.secret
    problems = []
    for name in STAGE_NAMES:
        want, got = getattr(expected.stages, name), getattr(actual.stages, name)
        if want != got:
            shown = [None if text is None else secret_free(name, text, secret, secret_stages) for text in (want, got)]
            problems.append(f"{name}: expected {shown[0]!r}, reference gives {shown[1]!r}")
    want_wire, got_wire = wire_to_mapping(expected.wire), wire_to_mapping(actual.wire)
    for part in ("method", "url", "headers", "body"):
        if want_wire[part] != got_wire[part]:
            problems.append(f"wire.{part}: expected {want_wire[part]!r}, reference gives {got_wire[part]!r}")
    return problems


def documented_differences(vector: Vector) -> list[str]:
    provenance = vector.provenance
    documented = provenance.get("documented")
    if not documented:
        return []
    differing = [name for name, value in documented.items() if vector.expected.get(name) != value]
    if provenance["reproduces"] and differing:
        return [f"provenance: documented {name} does not match expected, yet reproduces is true" for name in differing]
    if not provenance["reproduces"] and not differing:
        return ["provenance: every documented value matches expected, yet reproduces is false"]
    return []


SEEN_NONCE_TTL_MS = 86_400_000


def context_for(vector: Vector, server_time: int) -> ServerContext:
    """A fresh server for one verification: the vector's clock; the input's key unless `server_state.known_keys`
    leaves it out; a replay store holding `server_state.seen_nonces` from that key (recorded a day before they
    expire)."""
    credentials = vector.request.credentials
    state = vector.data.get("server_state") or {}
    known = state.get("known_keys")
    keys = {} if known is not None and credentials.api_key not in known else {credentials.api_key: credentials.secret}
    replay = MemoryReplayStore()
    for nonce in state.get("seen_nonces", []):
        replay.record(credentials.api_key, nonce, server_time, SEEN_NONCE_TTL_MS)
    return ServerContext(server_time, StaticKeys(keys), replay)


def verdict_problems(vector: Vector, verdict: Verdict) -> list[str]:
    contract = vector.contract
    answer: ServerOutcome = verdict.rejection.code if verdict.rejection else "accept"
    if contract.allows(answer):
        named = contract.step_of(answer)
        if named is not None and verdict.step != named:
            return [f"verifier rejects at step {verdict.step}, the vector says {named}"]
        return []
    if contract.result == "valid":
        reason = verdict.rejection.reason if verdict.rejection else ""
        return [f"verifier rejects the signed request: {answer} {reason}"]
    if contract.server_outcomes:
        allowed = ", ".join(str(item) for item in contract.server_outcomes)
        return [f"verifier answers {answer}; the vector allows only {allowed}"]
    want = contract.error.code if contract.error else None
    return [f"verifier should reject with {want}, but answers {answer}"]


def client_fault_problems(vector: Vector, server_time: int) -> list[str]:
    """A client-fault vector's input, signed by the reference, is a different request, and it is accepted."""
    try:
        own = sign(vector.request)
    except SigningError as error:
        return [f"fault client: the reference refuses the input ({secret_free_error(error)})"]
    problems = []
    if wire_to_mapping(own.wire) == wire_to_mapping(vector.expected_signed.wire):
        problems.append("fault client: the reference itself produces expected.wire; the fault is in the request")
    own_verdict = guarded_verify(own.wire, context_for(vector, server_time), vector.scheme)
    if not own_verdict.accepted:
        problems.append("fault client: the verifier rejects the reference's own request for this input")
    return problems


def check_vector(vector: Vector) -> VectorCheck:
    outcome = VectorCheck(vector, documented_differences(vector))
    server_time = vector.server_time
    if server_time is None:
        outcome.problems.append("no server_time and no input.timestamp: the verifier has no clock")
        return outcome
    if vector.contract.fault != "client":
        try:
            outcome.problems += stage_differences(vector, sign(vector.request))
        except SigningError as error:
            if vector.contract.fault != "request":  # refusing a faulty request is allowed by the contract
                outcome.problems.append(f"reference refused the input: {secret_free_error(error)}")
                return outcome
    try:
        if vector.contract.fault == "client":
            outcome.problems += client_fault_problems(vector, server_time)
        outcome.verdict = guarded_verify(
            vector.expected_signed.wire, context_for(vector, server_time), vector.scheme
        )
    except VerifierCrash as crash:
        outcome.problems.append(str(crash))
        return outcome
    outcome.problems += verdict_problems(vector, outcome.verdict)
    return outcome


@dataclass
class SchemeSummary:
    scheme: str
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: VectorCheck) -> None:
        self.counts["vectors"] += 1
        self.counts["passed" if outcome.passed else "failed"] += 1
        self.counts["errata"] += outcome.vector.is_erratum
        self.counts["acceptable"] += outcome.vector.result == "acceptable"


def summarise(outcomes: Iterable[VectorCheck]) -> list[SchemeSummary]:
    summaries: dict[str, SchemeSummary] = {}
    for outcome in outcomes:
        summaries.setdefault(outcome.vector.scheme, SchemeSummary(outcome.vector.scheme)).add(outcome)
    return [summaries[name] for name in sorted(summaries)]
