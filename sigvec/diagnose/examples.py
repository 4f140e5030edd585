"""Which corpus vector shows a flag: diagnosis messages point a person at one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sigvec.corpus import Vector


@dataclass(frozen=True)
class Examples:
    """(id, scheme, flags) of every invalid vector of the corpus loaded at the edge, in corpus order.

    Diagnosis cites only these: it never loads a corpus of its own, so `--vectors` decides which IDs it names.
    """

    invalid: tuple[tuple[str, str, frozenset[str]], ...] = ()

    @classmethod
    def of(cls, vectors: Iterable[Vector]) -> Examples:
        return cls(tuple((vector.id, vector.scheme, frozenset(vector.flags)) for vector in vectors if vector.result == "invalid"))

    def example_vector(self, flags: tuple[str, ...], scheme: str) -> str | None:
        """An invalid vector of `scheme` carrying every one of `flags`, with the fewest other flags; None if there is
        none (another scheme's vector would show another scheme's rule)."""
        wanted = frozenset(flags)
        found = [
            (len(have - wanted), vector_id)
            for vector_id, vector_scheme, have in self.invalid
            if vector_scheme == scheme and wanted <= have
        ]
        return min(found)[1] if found else None


NO_EXAMPLES = Examples()
