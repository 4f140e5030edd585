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
        """An invalid vector carrying every one of `flags`: of `scheme` if there is one, with the fewest other flags."""
        wanted = frozenset(flags)
        found = [
            (vector_scheme != scheme, len(have - wanted), vector_id)
            for vector_id, vector_scheme, have in self.invalid
            if wanted <= have
        ]
        return min(found)[2] if found else None


NO_EXAMPLES = Examples()
