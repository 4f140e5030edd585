"""Which corpus vector shows a flag: diagnosis messages point a person at one."""

from __future__ import annotations

from functools import cache

from sigvec.corpus import load_corpus


@cache
def invalid_vectors() -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(id, scheme, flags) of every invalid vector, in corpus order; none when no corpus can be found."""
    try:
        vectors = list(load_corpus().vectors())
    except OSError:
        return ()
    return tuple((vector.id, vector.scheme, frozenset(vector.flags)) for vector in vectors if vector.result == "invalid")


def example_vector(flags: tuple[str, ...], scheme: str) -> str | None:
    """An invalid vector carrying every one of `flags`: of `scheme` if there is one, with the fewest other flags."""
    wanted = frozenset(flags)
    found = [
        (vector_scheme != scheme, len(have - wanted), vector_id)
        for vector_id, vector_scheme, have in invalid_vectors()
        if wanted <= have
    ]
    return min(found)[2] if found else None
