"""Lint the corpus: schema, flags, and the ID policy (never renumbered, never reused)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from jsonschema import Draft202012Validator

from sigvec.corpus import Corpus, Vector

RELEASED_IDS = "released-ids.txt"
FLAG_FIELDS = ("bug_type", "description", "effect")
SIGNATURE_ORACLES = ("openssl", "cryptography")


def fingerprint(vector: Vector) -> str:
    """A short hash of a vector's input: an ID stays bound to the request it was released for."""
    text = json.dumps(vector.input, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_released(root: Path) -> dict[str, str]:
    path = root / RELEASED_IDS
    if not path.exists():
        return {}
    lines = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {parts[0]: parts[1] for parts in lines if parts and not parts[0].startswith("#")}


def schema_problems(corpus: Corpus) -> list[str]:
    validator = Draft202012Validator(corpus.schema)
    problems = []
    for name, content in corpus.files.items():
        for error in sorted(validator.iter_errors(content), key=lambda e: list(e.absolute_path)):
            where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
            problems.append(f"{name}: {where.lstrip('.') or '(file)'}: {error.message}")
    return problems


def flag_problems(corpus: Corpus) -> list[str]:
    problems = [
        f"flags.yaml: {flag}: needs {', '.join(FLAG_FIELDS)}"
        for flag, definition in corpus.flags.items()
        if not isinstance(definition, dict) or any(not definition.get(key) for key in FLAG_FIELDS)
    ]
    for vector in corpus.vectors():
        undefined = [flag for flag in vector.flags if flag not in corpus.flags]
        problems += [f"{vector.file}: {vector.id}: flag {flag} is not defined in flags.yaml" for flag in undefined]
    return problems


def vector_problems(vector: Vector) -> list[str]:
    problems = []
    if not vector.id.startswith(f"{vector.scheme}-"):
        problems.append(f"{vector.file}: {vector.id}: an ID starts with its scheme ({vector.scheme}-)")
    missing = [oracle for oracle in SIGNATURE_ORACLES if oracle not in vector.provenance.get("confirmed_by", [])]
    if missing:
        problems.append(f"{vector.file}: {vector.id}: provenance.confirmed_by lacks {', '.join(missing)}")
    if vector.provenance.get("reproduces") is False and "DocErratum" not in vector.flags:
        problems.append(f"{vector.file}: {vector.id}: a documented value that does not reproduce needs flag DocErratum")
    return problems


def id_problems(corpus: Corpus) -> list[str]:
    vectors = list(corpus.vectors())
    counts = Counter(vector.id for vector in vectors)
    problems = [f"{vector_id}: duplicate ID ({count} vectors)" for vector_id, count in counts.items() if count > 1]
    current = {vector.id: fingerprint(vector) for vector in vectors}
    for vector_id, released in read_released(corpus.root).items():
        if vector_id not in current:
            problems.append(f"{vector_id}: released ID is missing; IDs are never renumbered or removed")
        elif current[vector_id] != released:
            problems.append(f"{vector_id}: input changed since release; IDs are never reused, give the new input a new ID")
    return problems


def lint(corpus: Corpus) -> list[str]:
    problems = schema_problems(corpus)
    if problems:
        return problems
    problems += flag_problems(corpus)
    for vector in corpus.vectors():
        problems += vector_problems(vector)
    return problems + id_problems(corpus)


def unreleased(corpus: Corpus) -> list[Vector]:
    released = read_released(corpus.root)
    return [vector for vector in corpus.vectors() if vector.id not in released]


def record_ids(corpus: Corpus) -> list[str]:
    """Append every vector not yet in released-ids.txt; return their IDs."""
    new = unreleased(corpus)
    path = corpus.root / RELEASED_IDS
    header = "# id  input-fingerprint: IDs listed here are released and never renumbered or reused"
    lines = [] if path.exists() else [header]
    lines += [f"{vector.id} {fingerprint(vector)}" for vector in new]
    if lines:
        with path.open("a", encoding="utf-8") as stream:
            stream.write("".join(f"{line}\n" for line in lines))
    return [vector.id for vector in new]
