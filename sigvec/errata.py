"""`sigvec errata`: docs/errata.md, generated from the corpus.

Two sections, each built from a flag so that a new vector is listed as soon
as it carries the flag:
- documentation errata: vectors flagged DocErratum or DocContradiction, with
  their source, what the document says, what is true, and the vector ID;
- scheme weaknesses: vectors flagged SchemeWeakness (two requests that sign
  the same, or unsigned parts of a request).
Regenerate with `sigvec errata > docs/errata.md`; a test fails when the
committed file is stale.
"""

from __future__ import annotations

from sigvec.corpus import Corpus, Vector

ERRATA_FLAGS = ("DocErratum", "DocContradiction")
WEAKNESS_FLAG = "SchemeWeakness"
HEADER = """# Errata and scheme weaknesses

Generated from `vectors/` by `sigvec errata > docs/errata.md`; do not edit by hand.
Each entry names the vector that pins it down.
"""


def flat(text: str) -> str:
    return " ".join(str(text).split())


def code(text: str) -> str:
    """`text` as inline Markdown code (backticks inside are matched with a longer fence)."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def erratum_entry(vector: Vector) -> list[str]:
    provenance = vector.provenance
    kinds = " and ".join(flag for flag in vector.flags if flag in ERRATA_FLAGS)
    lines = [f"### {vector.id} ({kinds})", "", f"- Source: {flat(provenance['source'])}"]
    documented = provenance.get("documented") or {}
    for name, value in documented.items():
        lines.append(f"- The document says: {name} = {code(str(value))}")
        truth = vector.expected.get(name)
        verdict = "the same (it reproduces)" if truth == value else code(str(truth))
        lines.append(f"- True: {name} = {verdict}")
    if "acceptable_because" in vector.data:
        lines.append(f"- The documents disagree: {flat(vector.data['acceptable_because'])}")
    lines.append(f"- This corpus: {vector.result}. {flat(vector.data['description'])}")
    if provenance.get("note"):
        lines.append(f"- Note: {flat(provenance['note'])}")
    return [*lines, ""]


def weakness_entry(vector: Vector) -> list[str]:
    lines = [
        f"### {vector.id} ({vector.scheme})",
        "",
        f"- {flat(vector.data['description'])}",
        f"- Source: {flat(vector.provenance['source'])}",
    ]
    if vector.provenance.get("note"):
        lines.append(f"- Note: {flat(vector.provenance['note'])}")
    return [*lines, ""]


def errata_markdown(corpus: Corpus) -> str:
    vectors = sorted(corpus.vectors(), key=lambda vector: vector.id)
    errata = [vector for vector in vectors if set(vector.flags) & set(ERRATA_FLAGS)]
    weaknesses = [vector for vector in vectors if WEAKNESS_FLAG in vector.flags]
    lines = [HEADER, "## Documentation errata", ""]
    for vector in errata:
        lines += erratum_entry(vector)
    lines += ["## Scheme weaknesses", "", "Properties of the schemes themselves: no client can avoid them.", ""]
    for vector in weaknesses:
        lines += weakness_entry(vector)
    return "\n".join(lines).rstrip("\n") + "\n"
