"""The one way of counting a gate run. The gate, every report, the badge, the client matrix and the pytest
plugin count with `score`; docs/how-to/gate-your-client.md states the same rule.

- A vector is *run* unless it was skipped (the client declared it cannot
  express it). An errored vector is run: a crash counts against the client,
  never out of the denominator.
- The shares are over the vectors run: *exact* counts the signed requests
  byte-identical to the reference; *accepted* counts the signed requests the
  reference verifier gives an allowed outcome and that are the same request
  (every exact one is accepted).
- A refusal signs nothing, so it is never exact and never accepted, even
  where refusing passes the vector (`refused-ok`).
- A share is a whole percentage rounded down, so that 100% means every one;
  with no vector run it is 0%. A client that signs nothing scores 0%.
- Skipped, errored and refused (`refused-ok`) vectors are shown beside the shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

SIGNED = ("pass", "fail")
"""The statuses of a vector for which the client signed a request that was judged."""


class Judged(Protocol):
    """What counting reads of one verdict (a gate verdict, or a line of its JSON-lines report)."""

    @property
    def status(self) -> str: ...

    @property
    def exact(self) -> bool: ...

    @property
    def accepted(self) -> bool: ...


def percent(part: int, whole: int) -> int:
    """A whole percentage rounded down, so that 100% means every one; 0 when `whole` is 0."""
    return 100 * part // whole if whole else 0


@dataclass(frozen=True)
class Score:
    """A run counted by the one rule (see the module's docstring)."""

    vectors: int
    skipped: int
    errored: int
    refused: int
    exact: int
    accepted: int

    @property
    def run(self) -> int:
        """The vectors run: every vector judged, but the skipped."""
        return self.vectors - self.skipped

    @property
    def exact_percent(self) -> int:
        return percent(self.exact, self.run)

    @property
    def accepted_percent(self) -> int:
        return percent(self.accepted, self.run)

    def summary(self) -> str:
        """One line: the shares over the vectors run, and what stands beside them."""
        return (
            f"{self.exact_percent}% exact, {self.accepted_percent}% accepted of {self.run} vectors run"
            f" ({self.skipped} skipped, {self.errored} errored, {self.refused} refused)"
        )


def score(verdicts: Iterable[Judged]) -> Score:
    """Count verdicts by the one rule: only a signed request can be exact or accepted."""
    listed = list(verdicts)
    signed = [verdict for verdict in listed if verdict.status in SIGNED]
    return Score(
        vectors=len(listed),
        skipped=sum(verdict.status == "skipped" for verdict in listed),
        errored=sum(verdict.status == "errored" for verdict in listed),
        refused=sum(verdict.status == "refused-ok" for verdict in listed),
        exact=sum(verdict.exact for verdict in signed),
        accepted=sum(verdict.accepted for verdict in signed),
    )
