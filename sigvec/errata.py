"""`sigvec errata`: docs/errata.md, generated from the corpus.

Three sections, each built from the corpus so that a new vector is listed as
soon as it carries the flag or names the choice:
- documentation errata: vectors flagged DocErratum or DocContradiction, with
  their source, what the document says, what is true, and the vector ID;
- scheme weaknesses: vectors flagged SchemeWeakness (two requests that sign
  the same, or unsigned parts of a request);
- the reference's choices (`vectors/rules.yaml`): each rule the documents do
  not state, the readings they allow, the reference's pick and why, and every
  vector that rests on it.
Regenerate with `sigvec errata > docs/errata.md`; a test fails when the
committed file is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sigvec.corpus import Corpus, Vector

ERRATA_FLAGS = ("DocErratum", "DocContradiction")
WEAKNESS_FLAG = "SchemeWeakness"
HEADER = """# Errata, scheme weaknesses and the reference's choices

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


def choice_entry(name: str, choice: Mapping[str, Any], vectors: list[str]) -> list[str]:
    return [
        f"### {name} ({', '.join(choice.get('schemes') or [])})",
        "",
        f"- Rule: {flat(choice['rule'])}",
        f"- The documents allow: {flat(choice['readings'])}",
        f"- The reference picks: {flat(choice['pick'])}",
        f"- Why: {flat(choice['why'])}",
        f"- Vectors: {', '.join(vectors) if vectors else 'none yet'}",
        "",
    ]


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
    lines += [
        "## The reference's choices",
        "",
        "Rules the exchanges' documents do not state, where the reference had to pick an answer (`vectors/rules.yaml`).",
        "A vector resting on one names it in `choices`; where the documents allow several answers, the vector is",
        "`acceptable` with those outcomes, so that no client fails on the reference's pick alone.",
        "",
    ]
    for name, choice in sorted((corpus.rules.get("choices") or {}).items()):
        lines += choice_entry(name, choice, [vector.id for vector in vectors if name in vector.choices])
    return "\n".join(lines).rstrip("\n") + "\n"
