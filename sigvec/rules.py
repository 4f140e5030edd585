"""rules.yaml: what each scheme's documents state, the choices the reference made where they are silent, and the
lint rules that hold the corpus to them.

- A vector whose expected outcome uses an error code at a verifier step the
  scheme's documents do not tie it to, or whose clock or window falls in a
  range a choice claims, must name that choice in its `choices` field.
- Every documented code and every choice is well formed; each scheme's rule
  page exists and states each documented code.
- A relative file path cited in a vector, flags.yaml, options.yaml or
  rules.yaml names a file of this repository that exists; another
  repository's file is cited as `owner/name path`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sigvec.corpus import Corpus, Vector

CHOICE_FIELDS = ("schemes", "rule", "readings", "pick", "why")
BOUND_FIELDS = ("ahead", "behind", "window")
CITED_FILE = re.compile(
    r"(?<![\w./:@#-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?:md|py|mjs|js|ts|rb|go|java|cs|yaml|yml|json|txt|toml|ini|slim))(?![\w/-])"
)
"""A file named by a relative path: one of this repository's, unless another repository's name comes just before it."""
FOREIGN_REPOSITORY = re.compile(r"\b[\w.-]+/[\w.-]+`?\)?[\s:/,(`]*$")
"""Text just before a path that names another repository (`owner/name path`): the path is that repository's."""


def documented(corpus: Corpus, scheme: str) -> Mapping[str, Any]:
    return (corpus.rules.get("documented") or {}).get(scheme) or {}


def choices(corpus: Corpus) -> Mapping[str, Mapping[str, Any]]:
    return corpus.rules.get("choices") or {}


def outcomes(vector: Vector, verdict_code: int | None, verdict_step: str | None) -> set[tuple[int, str | None]]:
    """The (error code, verifier step) pairs a vector's answer rests on: its `error`, its non-accept
    `server_outcomes` (at its `rejection_step`, if named), and the reference verifier's answer to its expected request."""
    pairs: set[tuple[int, str | None]] = set()
    error = vector.data.get("error")
    if error:
        pairs.add((int(error["code"]), error.get("step")))
    step = vector.data.get("rejection_step")
    pairs.update((int(outcome), step) for outcome in vector.data.get("server_outcomes", []) if outcome != "accept")
    if verdict_code is not None:
        pairs.add((verdict_code, verdict_step))
    return pairs


def bound_values(vector: Vector) -> dict[str, int]:
    """`ahead`, `behind` (ms between input.timestamp and server_time) and `window`, where the vector has them."""
    values = {}
    timestamp, server_time = vector.input.get("timestamp"), vector.data.get("server_time")
    if isinstance(timestamp, int) and isinstance(server_time, int):
        values["ahead"], values["behind"] = timestamp - server_time, server_time - timestamp
    if isinstance(vector.input.get("window"), int):
        values["window"] = int(vector.input["window"])
    return values


def in_range(value: int, bound: Mapping[str, Any]) -> bool:
    return bool(int(bound["from"]) <= value and ("to" not in bound or value <= int(bound["to"])))


def rules_problems(corpus: Corpus, repository: Path) -> list[str]:
    """rules.yaml is well formed, covers every scheme of the corpus, and each rule page states its documented codes."""
    problems = []
    schemes = sorted({vector.scheme for vector in corpus.vectors()})
    for scheme in schemes:
        entry = documented(corpus, scheme)
        where = f"rules.yaml: documented.{scheme}"
        if not entry:
            problems.append(f"{where}: missing; every scheme states its documented codes and bounds, with their source")
            continue
        if not entry.get("source") or not isinstance(entry.get("codes"), Mapping):
            problems.append(f"{where}: needs source and codes")
            continue
        page = repository / str(entry.get("page", ""))
        if not entry.get("page") or not page.is_file():
            problems.append(f"{where}: page {entry.get('page')!r} is not a file of this repository")
            continue
        text = page.read_text(encoding="utf-8")
        problems += [f"{where}: code {code} is not stated on {entry['page']}" for code in entry["codes"] if str(code) not in text]
    for name, choice in choices(corpus).items():
        where = f"rules.yaml: choices.{name}"
        if not isinstance(choice, Mapping) or any(not choice.get(key) for key in CHOICE_FIELDS):
            problems.append(f"{where}: needs {', '.join(CHOICE_FIELDS)}")
            continue
        for bound in choice.get("bounds") or []:
            if not isinstance(bound, Mapping) or bound.get("field") not in BOUND_FIELDS or not isinstance(bound.get("from"), int):
                problems.append(f"{where}: a bound needs field ({', '.join(BOUND_FIELDS)}) and an integer from")
    return problems


def choice_problems(corpus: Corpus, verdicts: Mapping[str, tuple[int | None, str | None]]) -> list[str]:
    """Every choice a vector names is declared for its scheme, and a vector resting on an undeclared choice is refused.

    `verdicts` maps a vector ID to the reference verifier's (code, step) for its expected request."""
    problems = []
    declared = choices(corpus)
    for vector in corpus.vectors():
        where = f"{vector.file}: {vector.id}"
        named = set(vector.choices)
        for name in sorted(named):
            choice = declared.get(name)
            if choice is None:
                problems.append(f"{where}: choice {name} is not declared in rules.yaml")
            elif vector.scheme not in (choice.get("schemes") or []):
                problems.append(f"{where}: choice {name} is not declared for {vector.scheme}")
        applicable = {name: choice for name, choice in declared.items() if vector.scheme in (choice.get("schemes") or [])}
        codes = {int(code): steps for code, steps in (documented(corpus, vector.scheme).get("codes") or {}).items()}
        for code, step in sorted(outcomes(vector, *verdicts.get(vector.id, (None, None))), key=str):
            if code in codes and (step is None or step in codes[code]):
                continue
            claiming = sorted(name for name, choice in applicable.items() if _claims(choice, code, step))
            if not named & set(claiming):
                at = f" at step {step}" if step else ""
                hint = f"name the choice {' or '.join(claiming)}" if claiming else "declare the choice in rules.yaml"
                problems.append(
                    f"{where}: error code {code}{at} is not documented for {vector.scheme} "
                    f"({documented(corpus, vector.scheme).get('page', 'its rule page')}); {hint}"
                )
        values = bound_values(vector)
        for name, choice in sorted(applicable.items()):
            bounds = [bound for bound in choice.get("bounds") or [] if bound["field"] in values]
            crossed = [bound for bound in bounds if in_range(values[bound["field"]], bound)]
            if crossed and name not in named:
                problems.append(
                    f"{where}: its {crossed[0]['field']} rests on the choice {name} (an undocumented bound); name it in choices"
                )
    return problems


def _claims(choice: Mapping[str, Any], code: int, step: str | None) -> bool:
    steps = {int(key): value for key, value in (choice.get("codes") or {}).items()}.get(code)
    return steps is not None and (step is None or step in steps)


def citations(text: str) -> Iterable[str]:
    """The paths of this repository's files that `text` cites: every relative file path not led by another
    repository's `owner/name`."""
    for match in CITED_FILE.finditer(text):
        if not FOREIGN_REPOSITORY.search(text[max(0, match.start() - 120) : match.start()]):
            yield match.group(1)


def citation_problems(where: str, text: str, repository: Path, folder: Path | None = None) -> list[str]:
    """A citation in `text` of a file that does not exist in the repository, or beside the citing page in
    `folder` (another repository's file is cited with that repository's name before its path: `owner/name path`)."""
    return [
        f"{where}: cites {path}, which is not a file of this repository (cite another repository's file as owner/name path)"
        for path in dict.fromkeys(citations(text))
        if not (repository / path).is_file() and not (folder is not None and (folder / path).is_file())
    ]


def strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def corpus_citation_problems(corpus: Corpus, repository: Path) -> list[str]:
    """Citations in the vectors (everything but their input and expected values), flags, options and rules."""
    problems = []
    for vector in corpus.vectors():
        cited = {key: value for key, value in vector.data.items() if key not in ("input", "expected")}
        problems += citation_problems(f"{vector.file}: {vector.id}", "\n".join(strings(cited)), repository)
    for name, content in (("flags.yaml", corpus.flags), ("options.yaml", corpus.options), ("rules.yaml", corpus.rules)):
        problems += citation_problems(name, "\n".join(strings(content)), repository)
    return problems
