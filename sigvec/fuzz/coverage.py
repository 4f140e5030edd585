"""`sigvec coverage`: per scheme, the table of character class x placement x method, and the cells the fixed
corpus covers (a vector of the scheme carries that class in a value sent that way by that method).

`sigvec fuzz` draws every cell of every table by construction (`sigvec.strategies`); the table shows where
the fixed corpus alone leaves a client untested.
"""

from __future__ import annotations

from collections.abc import Iterable

from signing.registry import SCHEMES
from sigvec.corpus import Corpus, Vector
from sigvec.fuzz.strategies import CHARACTER_CLASSES, Cell, cells_of, table

COVERED, HOLE = "x", "."


def corpus_cells(vectors: Iterable[Vector]) -> set[Cell]:
    """The cells the vectors' inputs cover."""
    return {cell for vector in vectors for cell in cells_of(vector.input)}


def scheme_table(scheme: str, covered: set[Cell]) -> list[str]:
    """One scheme's table as text lines: a row per character class, a column per method and placement."""
    cells = table(scheme)
    columns = sorted({(method, placement) for _, placement, method in cells})
    headers = [f"{method} {placement}" for method, placement in columns]
    width = max(len(name) for name in CHARACTER_CLASSES)
    holes = len(cells - covered)
    lines = [f"{scheme}: the corpus covers {len(cells) - holes} of {len(cells)} cells ({COVERED} covered, {HOLE} not)"]
    lines.append(" " * width + "  " + "  ".join(headers))
    for name in CHARACTER_CLASSES:
        marks = [(COVERED if (name, placement, method) in covered else HOLE).center(len(header))
                 for (method, placement), header in zip(columns, headers, strict=True)]
        lines.append(f"{name:<{width}}  " + "  ".join(marks))
    return lines


def report(corpus: Corpus, schemes: Iterable[str] = ()) -> str:
    """Every scheme's table (or those named), from the corpus's vectors."""
    vectors = list(corpus.vectors())
    chosen = list(schemes) or [name for name in SCHEMES if SCHEMES[name].surface.routes]
    blocks = ["\n".join(scheme_table(name, corpus_cells(v for v in vectors if v.scheme == name))) for name in chosen]
    footer = "sigvec fuzz draws every cell of every table (sigvec.strategies): run it to cover the holes."
    return "\n\n".join([*blocks, footer]) + "\n"
