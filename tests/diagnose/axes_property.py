"""Generated clients for the axes property: a request of any scheme with one awkward value in any placement, and
one or two axis deviations applied to the reference's construction; diagnosis must name them, or settings that
give the same bytes. Shared by tests/test_diagnose_axes.py and tools/bench_diagnose.py (which prints the shares)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from signing.encoding import dump_json
from signing.model import FormBody, JsonBody, JsonValue, Request, SigningError, request_from_mapping
from signing.registry import SCHEMES, scheme_named
from sigvec.diagnose import BugClass, catalogue
from sigvec.diagnose.reference import Reference, reference_for
from tests.diagnose.test_diagnose import (
    REFERENCES,
    client_diagnosis,
    names_the_cut,
    sends_a_fragment,
    sent_bytes,
)
from tests.support.corpus import repo_vectors

ALPHABET = "aZ09 +%&=:,()!*'/~?#@[]$;\u00e9\u4ed8\u20ac"
WORDS = ("true", "False", "151", "0.00001", "")
"""Values whose text a client may rewrite: booleans, whole and decimal numbers, the empty value."""
AXIS_CLASSES = [bug for bug in catalogue().classes if bug.is_edit]
PLACEMENTS = ("query", "form", "json")
INTEGER, DECIMAL = re.compile(r"-?[1-9]\d*|0"), re.compile(r"-?\d+\.\d+")


def bases() -> list[tuple[str, Request, int]]:
    """One request per scheme, all nine: the population's for a scheme that signs parameters; for the others (a
    payload scheme, and a scheme with no valid vector) the first valid or acceptable vector of the scheme."""
    found = [(name, reference.request, now) for name, reference, now in REFERENCES if name.endswith("+''")]
    covered = {request.scheme for _, request, _ in found}
    for vector in repo_vectors():
        if vector.scheme not in covered and vector.result in ("valid", "acceptable"):
            covered.add(vector.scheme)
            found.append((vector.id, request_from_mapping(vector.input), vector.server_time or 0))
    assert covered == set(SCHEMES), sorted(set(SCHEMES) - covered)
    return found


BASES = bases()


def placed(request: Request, value: str, placement: str) -> Request:
    """The base request with its added `note` parameter set to `value`, in the query, the form body or a JSON body."""
    params = [*request.query, *(request.body.params if isinstance(request.body, FormBody) else ())]
    params = [(key, item) for key, item in params if key != "note"] + [("note", value)]
    clock = scheme_named(request.scheme).clock
    carriers = {clock.name} if clock.where == "param" else set()
    if placement == "query":
        return replace(request, query=tuple(params), body=None)
    request = replace(request, method="POST")
    if placement == "form":
        return replace(request, query=(), body=FormBody(tuple(params)))
    kept = tuple(pair for pair in params if pair[0] in carriers)
    value_map = {key: json_scalar(item) if key in (clock.name, "note") else item for key, item in params if key not in carriers}
    return replace(request, query=kept, body=JsonBody(value_map, dump_json(value_map)))


def json_scalar(text: str) -> JsonValue:
    """`text` as the JSON scalar a client holds in a JSON body: a whole or decimal number, a boolean, or the text."""
    if text in ("true", "false"):
        return text == "true"
    if INTEGER.fullmatch(text):
        return int(text)
    return Decimal(text) if DECIMAL.fullmatch(text) else text


@dataclass(frozen=True)
class Outcome:
    """One generated client: what it was given, and whether diagnosis named it (or a byte-identical setting)."""

    case: str
    applied: tuple[str, ...]
    named: bool
    message: str


def reference_of(request: Request) -> Reference | None:
    try:
        reference = reference_for(scheme_named(request.scheme), request)
    except SigningError:
        return None
    return reference if reference.construction is not None else None


def diagnosed(reference: Reference, bugs: tuple[BugClass, ...], now: int, case: str) -> Outcome | None:
    """Diagnose the client that applies `bugs` in turn; None when it sends what the reference sends or is accepted.
    A client that sends a raw `#` in the query is named by the cut there (the rest is a fragment, never sent)."""
    construction = reference.construction
    assert construction is not None
    for bug in bugs:
        construction = bug.apply(construction)
    diagnosis = client_diagnosis(reference, construction, now)
    if diagnosis is None:
        return None
    wanted = sent_bytes(reference, construction)
    names = tuple(bug.name for bug in bugs)
    if sends_a_fragment(construction):
        return Outcome(case, names, names_the_cut(diagnosis), diagnosis.message)
    return Outcome(
        case, names, any(same_bytes(reference, match.classes, wanted) for match in diagnosis.matches), diagnosis.message
    )


def same_bytes(reference: Reference, classes: tuple[str, ...], wanted: tuple[str | None, dict[str, str]]) -> bool:
    """Whether a match's classes, applied to the reference, send the client's signature and parts; a match of
    classes that are not edits (an option, a sibling scheme, a change after signing) reproduces them by its search."""
    named = {bug.name: bug for bug in AXIS_CLASSES}
    if not all(name in named for name in classes):
        return True
    assert reference.construction is not None
    construction = reference.construction
    for name in classes:
        construction = named[name].apply(construction)
    return sent_bytes(reference, construction) == wanted


def generated(rng: random.Random, deviations: int) -> Outcome | None:
    """One generated client with `deviations` distinct axis settings, or None where it does not apply."""
    name, request, now = rng.choice(BASES)
    value = rng.choice(WORDS) if rng.random() < 0.25 else "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))
    placement = rng.choice(PLACEMENTS)
    reference = reference_of(placed(request, value, placement))
    if reference is None:
        return None
    assert reference.construction is not None
    touching = [bug for bug in AXIS_CLASSES if bug.touches(reference.construction, reference.signs_payload)]
    bugs = tuple(rng.sample(touching, deviations))
    if deviations == 2 and set(bugs[0].axes) & set(bugs[1].axes):
        return None
    return diagnosed(reference, bugs, now, f"{name} note={value!r} in {placement}")


def share(count: int, deviations: int, seed: int = 17) -> tuple[int, int, list[Outcome]]:
    """(named, applicable, misses) over `count` generated clients with `deviations` axis settings each."""
    rng = random.Random(seed + deviations)
    outcomes = [outcome for outcome in (generated(rng, deviations) for _ in range(count)) if outcome is not None]
    misses = [outcome for outcome in outcomes if not outcome.named]
    return len(outcomes) - len(misses), len(outcomes), misses
