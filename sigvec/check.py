"""Run the corpus against the reference: every stage, the wire request, and the verifier.

- valid: the reference reproduces every stage and the wire request, and the
  verifier accepts that request.
- acceptable: the reference reproduces every stage and the wire request; what
  the server does with it is what the sources disagree on, so it is reported,
  not judged.
- invalid: the verifier rejects the recorded wire request with the recorded
  error code.
Every vector whose provenance has documented values must agree with them
exactly when it says they reproduce, and must differ when it says they do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from signing.model import STAGE_NAMES, Credentials, Rejection, SigningError, received_from_wire, request_from_mapping
from signing.registry import sign, verify
from signing.server import MemoryReplayStore, ServerContext, StaticKeys
from sigvec.corpus import Vector
from sigvec.wire import wire_from_mapping


@dataclass
class Outcome:
    vector: Vector
    problems: list[str] = field(default_factory=list)
    rejection: Rejection | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


def stage_differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """One line per stage (and wire part) that differs, naming it."""
    problems = []
    for name in (*STAGE_NAMES, "wire"):
        if name == "wire":
            for part in ("method", "url", "headers", "body"):
                want, got = expected["wire"][part], actual["wire"][part]
                if want != got:
                    problems.append(f"wire.{part}: expected {want!r}, reference gives {got!r}")
        elif expected.get(name) != actual.get(name):
            problems.append(f"{name}: expected {expected.get(name)!r}, reference gives {actual.get(name)!r}")
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


def server_context(vector: Vector, credentials: Credentials, server_time: int) -> ServerContext:
    """The server a vector describes: its clock, the input's key (unless `server_state.known_keys` leaves it out),
    and the nonces `server_state.seen_nonces` says it has already seen from that key."""
    state = vector.data.get("server_state") or {}
    known = state.get("known_keys")
    keys = {} if known is not None and credentials.api_key not in known else {credentials.api_key: credentials.secret}
    replay = MemoryReplayStore()
    for nonce in state.get("seen_nonces", []):
        replay.first_use(credentials.api_key, str(nonce), server_time, SEEN_NONCE_TTL_MS)
    return ServerContext(server_time, StaticKeys(keys), replay)


def check_vector(vector: Vector) -> Outcome:
    outcome = Outcome(vector, documented_differences(vector))
    try:
        request = request_from_mapping(vector.input)
        credentials = request.credentials
        if vector.result == "invalid":
            wire = wire_from_mapping(vector.expected["wire"])
        else:
            actual = sign(request).to_mapping()
            outcome.problems += stage_differences(vector.expected, actual)
            wire = wire_from_mapping(actual["wire"])
    except SigningError as error:
        outcome.problems.append(f"reference refused the input: {error}")
        return outcome
    server_time = vector.server_time
    if server_time is None:
        outcome.problems.append("no server_time and no input.timestamp: the verifier has no clock")
        return outcome
    verdict = verify(received_from_wire(wire), server_context(vector, credentials, server_time), request.scheme)
    outcome.rejection = verdict.rejection
    if vector.result == "valid" and outcome.rejection is not None:
        outcome.problems.append(f"verifier rejects the signed request: {outcome.rejection.code} {outcome.rejection.reason}")
    if vector.result == "invalid":
        want = vector.data["error"]["code"]
        got = outcome.rejection.code if outcome.rejection else None
        if got != want:
            outcome.problems.append(f"verifier should reject with {want}, but answers {got if got is not None else 'accept'}")
        elif vector.data["error"].get("step", verdict.step) != verdict.step:
            outcome.problems.append(f"verifier rejects at step {verdict.step}, not {vector.data['error']['step']}")
    allowed = vector.data.get("server_outcomes")
    answer = outcome.rejection.code if outcome.rejection else "accept"
    if vector.result == "acceptable" and allowed is not None and answer not in allowed:
        outcome.problems.append(f"verifier answers {answer}, which server_outcomes does not list ({allowed})")
    return outcome


@dataclass
class SchemeSummary:
    scheme: str
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.counts["vectors"] += 1
        self.counts["passed" if outcome.passed else "failed"] += 1
        self.counts["errata"] += outcome.vector.is_erratum
        self.counts["acceptable"] += outcome.vector.result == "acceptable"


def summarise(outcomes: Iterable[Outcome]) -> list[SchemeSummary]:
    summaries: dict[str, SchemeSummary] = {}
    for outcome in outcomes:
        summaries.setdefault(outcome.vector.scheme, SchemeSummary(outcome.vector.scheme)).add(outcome)
    return [summaries[name] for name in sorted(summaries)]
