"""What a diagnosis says: the classes that reproduce a request (`Match`), the verdict's explanation
(`Diagnosis`), and the pieces every message is made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from signing.registry import Scheme
from signing.server import Verdict
from sigvec.diagnose.examples import Examples


@dataclass(frozen=True)
class Match:
    """Classes that together reproduce the client's request, the first stage where it leaves the reference's, and why."""

    classes: tuple[str, ...]
    flags: tuple[str, ...]
    stage: str
    message: str
    axes: tuple[tuple[str, str], ...] = ()
    class_stages: tuple[str, ...] = ()
    """Per class, in `classes` order: the stage where it alone first leaves the reference's bytes."""

    def to_mapping(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "axes": dict(self.axes),
            "class_stages": dict(zip(self.classes, self.class_stages, strict=False)),
            "flags": list(self.flags),
            "stage": self.stage,
            "message": self.message,
        }


@dataclass(frozen=True)
class Diagnosis:
    """The verifier's verdict and what explains it.

    `found` is True when the rejection is explained (a class reproduces it,
    or another check fired) or the request is accepted; `message` is one line
    a person can act on; `closest_stage` is the last stage that still matched
    when nothing reproduces the client's signature.
    """

    verdict: Verdict
    step: str | None
    matches: tuple[Match, ...]
    found: bool
    message: str
    flags: tuple[str, ...] = ()
    closest_stage: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        rejection = self.verdict.rejection
        return {
            "accepted": self.verdict.accepted,
            "rejection": None if rejection is None else {"code": rejection.code, "reason": rejection.reason},
            "step": self.step,
            "found": self.found,
            "message": self.message,
            "flags": list(self.flags),
            "matches": [match.to_mapping() for match in self.matches],
            "closest_stage": self.closest_stage,
        }


SHOWN_ALTERNATIVES = 3


def found(verdict: Verdict, matches: tuple[Match, ...]) -> Diagnosis:
    """The diagnosis naming `matches`: the first one's message, the others listed after it."""
    flags = tuple(dict.fromkeys(flag for match in matches for flag in match.flags))
    others = [" + ".join(match.classes) for match in matches[1:]]
    shown = "; ".join(others[:SHOWN_ALTERNATIVES]) + (
        f"; and {len(others) - SHOWN_ALTERNATIVES} more" if len(others) > SHOWN_ALTERNATIVES else ""
    )
    also = f" (also reproduced by: {shown})" if others else ""
    return Diagnosis(verdict, verdict.step, matches, True, matches[0].message + also, flags)


def phrase(text: str, scheme: Scheme, **values: object) -> str:
    return text.format(exchange=scheme.exchange, scheme=scheme.name, **values)


def fix_clause(fix: str, scheme: Scheme) -> str:
    """A class's advice (`fix` in the catalogue) as the clause that closes its sentence; nothing where it has none."""
    return f"; fix: {phrase(fix, scheme)}" if fix else ""


def citation(flags: tuple[str, ...], scheme: Scheme, examples: Examples) -> str:
    """The flags, and a vector of the same scheme that shows them, if the corpus has one (never another scheme's)."""
    if not flags:
        return ""
    example = examples.example_vector(flags, scheme.name)
    see = f"; see vector {example}" if example else ""
    return f" (flag {', '.join(flags)}{see})"


def rejection_note(verdict: Verdict) -> str:
    rejection = verdict.rejection
    return "" if rejection is None else f" [{rejection.code}: {rejection.reason}]"
