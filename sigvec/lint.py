"""Lint the corpus: schema, flags, options, the client contract, YAML pitfalls, the ID policy (never renumbered or
reused), declared choices and followable citations (`sigvec.rules`)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import yaml

from signing.registry import SCHEMES
from sigvec.check import check_vector
from sigvec.corpus import Corpus, Vector, is_sigvec_checkout, schema_problems, shape_problems
from sigvec.rules import choice_problems, corpus_citation_problems, rules_problems

RELEASED_IDS = "released-ids.txt"
FLAG_FIELDS = ("bug_type", "description", "effect")
SIGNATURE_ORACLES = ("openssl", "cryptography")


def input_fingerprint(vector: Vector) -> str:
    """A short hash of a vector's input: an ID stays bound to the request it was released for."""
    text = json.dumps(vector.input, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_released(root: Path) -> dict[str, str]:
    path = root / RELEASED_IDS
    if not path.exists():
        return {}
    lines = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {parts[0]: parts[1] for parts in lines if parts and not parts[0].startswith("#")}


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
    return problems + signed_with_problems(vector)


def signed_with_problems(vector: Vector) -> list[str]:
    """`signed_with` tells how a buggy client made its signature: only a client-fault vector has one, and
    only an HMAC has a key and a message to swap (vectors/schema.json)."""
    signed_with = vector.signed_with
    where = f"{vector.file}: {vector.id}: signed_with"
    if not signed_with:
        return []
    if vector.contract.fault != "client":
        return [f"{where}: only a client-fault vector records how a client's wrong signature was made"]
    if "hmac" in signed_with and vector.algorithm["name"] != "hmac-sha256":
        return [f"{where}.hmac: only an hmac-sha256 signature has a key and a message to swap"]
    return []


def id_problems(corpus: Corpus) -> list[str]:
    vectors = list(corpus.vectors())
    counts = Counter(vector.id for vector in vectors)
    problems = [f"{vector_id}: duplicate ID ({count} vectors)" for vector_id, count in counts.items() if count > 1]
    current = {vector.id: input_fingerprint(vector) for vector in vectors}
    for vector_id, released in read_released(corpus.root).items():
        if vector_id not in current:
            problems.append(f"{vector_id}: released ID is missing; IDs are never renumbered or removed")
        elif current[vector_id] != released:
            problems.append(f"{vector_id}: input changed since release; IDs are never reused, give the new input a new ID")
    return problems


def option_problems(corpus: Corpus) -> list[str]:
    """Every option a vector sets is in the scheme's vocabulary; a `valid` vector that needs a
    non-default value belongs to an alternatives group selected by that option."""
    problems = []
    for vector in corpus.vectors():
        vocabulary = corpus.options.get(vector.scheme) or {}
        group = vector.contract.alternatives
        for name, value in (vector.input.get("options") or {}).items():
            option = vocabulary.get(name)
            if not isinstance(option, dict) or value not in (option.get("values") or {}):
                problems.append(f"{vector.file}: {vector.id}: option {name}={value} is not in options.yaml for {vector.scheme}")
            elif vector.result == "valid" and value != option.get("default") and (group is None or group.option != name):
                problems.append(
                    f"{vector.file}: {vector.id}: a valid vector needs the non-default option {name}={value}; "
                    f"put it in an alternatives group with option {name}"
                )
    return problems


def vocabulary_problems(corpus: Corpus) -> list[str]:
    """options.yaml declares exactly the registry's options: names, values in order, and defaults."""
    declared = {
        scheme.name: {option.name: (list(option.values), option.default) for option in scheme.options}
        for scheme in SCHEMES.values()
        if scheme.options
    }
    written = {}
    for scheme, options in corpus.options.items():
        if not isinstance(options, dict):
            return [f"options.yaml: {scheme}: must be a mapping of option names to definitions"]
        entry = {}
        for name, option in options.items():
            if not isinstance(option, dict) or not isinstance(option.get("values"), dict):
                return [f"options.yaml: {scheme}.{name}: needs default and values (each with meaning and sources)"]
            values = option["values"].items()
            missing = [value for value, about in values if not isinstance(about, dict) or not about.get("sources")]
            if missing:
                return [f"options.yaml: {scheme}.{name}: value {missing[0]} needs its sources"]
            entry[name] = (list(option["values"]), option.get("default"))
        written[scheme] = entry
    if written == declared:
        return []
    differing = sorted(name for name in {*written, *declared} if written.get(name) != declared.get(name))
    return [f"options.yaml: {name}: differs from the registry's options (signing/registry.py)" for name in differing]


def alternatives_problems(corpus: Corpus) -> list[str]:
    """Each group lists the same members on every member, all of one scheme, and its option tells them apart."""
    problems = []
    by_id = corpus.by_id()
    for vector in corpus.vectors():
        group = vector.contract.alternatives
        if group is None:
            continue
        where = f"{vector.file}: {vector.id}: alternatives"
        if vector.id not in group.members:
            problems.append(f"{where}: members must include this vector")
        members = [by_id.get(member) for member in group.members]
        for member_id, member in zip(group.members, members, strict=True):
            if member is None:
                problems.append(f"{where}: member {member_id} does not exist")
            elif member.contract.alternatives != group or member.scheme != vector.scheme:
                problems.append(f"{where}: member {member_id} must list the same group, in the same scheme")
        if group.option is not None and all(members):
            values = [member.contract.option_value(group.option) for member in members if member]
            if len(set(values)) != len(values):
                problems.append(f"{where}: option {group.option} must select one member per value; values {values}")
    return problems


def comment_problems(corpus: Corpus) -> list[str]:
    """A plain (unquoted) YAML value followed by ` #` on its line loses the rest as a comment: quote it."""
    problems = []
    for name in sorted({*corpus.files, "flags.yaml", "options.yaml", "rules.yaml"}):
        path = corpus.root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken) and token.plain:
                end = token.end_mark
                rest = lines[end.line][end.column :] if end.line < len(lines) else ""
                if rest.lstrip().startswith("#"):
                    problems.append(f"{name}: line {end.line + 1}: ' #' ends an unquoted value here; quote the value")
    return problems


def lint(corpus: Corpus) -> list[str]:
    problems = schema_problems(corpus) + shape_problems(corpus) + comment_problems(corpus)
    if problems:
        return problems
    problems += flag_problems(corpus) + vocabulary_problems(corpus) + option_problems(corpus) + alternatives_problems(corpus)
    for vector in corpus.vectors():
        problems += vector_problems(vector)
    return problems + id_problems(corpus) + declaration_problems(corpus)


def declaration_problems(corpus: Corpus) -> list[str]:
    """Every undocumented choice a vector rests on is named; in a checkout, every rule page and citation exists."""
    verdicts = {}
    for vector in corpus.vectors():
        verdict = check_vector(vector).verdict
        rejection = verdict.rejection if verdict is not None else None
        verdicts[vector.id] = (rejection.code, verdict.step) if verdict is not None and rejection is not None else (None, None)
    problems = choice_problems(corpus, verdicts)
    repository = corpus.root.parent
    if is_sigvec_checkout(repository):
        problems = rules_problems(corpus, repository) + problems + corpus_citation_problems(corpus, repository)
    return problems


def unreleased(corpus: Corpus) -> list[Vector]:
    released = read_released(corpus.root)
    return [vector for vector in corpus.vectors() if vector.id not in released]


def record_ids(corpus: Corpus) -> list[str]:
    """Append every vector not yet in released-ids.txt; return their IDs."""
    new = unreleased(corpus)
    path = corpus.root / RELEASED_IDS
    header = "# id  input-fingerprint: IDs listed here are released and never renumbered or reused"
    lines = [] if path.exists() else [header]
    lines += [f"{vector.id} {input_fingerprint(vector)}" for vector in new]
    if lines:
        with path.open("a", encoding="utf-8") as stream:
            stream.write("".join(f"{line}\n" for line in lines))
    return [vector.id for vector in new]
