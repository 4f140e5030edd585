"""The one vector loader: reads `vectors/`, validates it, and gives typed vectors with their client contract.

Nothing else reads `vectors/`. `load_corpus` refuses a corpus that does not
follow `schema.json` (or whose flags or options files are malformed) with a
`CorpusError` naming the file and the place; `read_corpus` reads without
judging, for `sigvec lint`, which reports every problem.

YAML is read with `sigvec.codec.StrictLoader`, which refuses aliases (no
self-reference, no alias bombs) and duplicate keys (the second would silently win).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from signing.model import Request, Signed, SigningError, Stages
from signing.registry import scheme_named
from signing.server import Step
from sigvec.codec import parse_yaml, request_from_input, signed_from_mapping
from sigvec.wire import WireFormatError

ALGORITHM_DEFAULTS = {"hex_case": "lower", "text_encoding": "utf-8"}
Result = Literal["valid", "invalid", "acceptable"]
ServerOutcome = int | Literal["accept"]


class CorpusError(ValueError):
    """A corpus that cannot be used: one line naming the file (and the place in it) and the rule."""


# --- YAML ---------------------------------------------------------------------------


def load_yaml(path: Path, name: str) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CorpusError(f"{name}: missing") from None
    except UnicodeDecodeError as error:
        raise CorpusError(f"{name}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise CorpusError(f"{name}: cannot be read ({error.strerror})") from None
    try:
        return parse_yaml(text)
    except ValueError as error:
        raise CorpusError(f"{name}: {error}") from None


# --- typed vectors ------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedError:
    code: int
    reason: str
    step: Step | None = None


@dataclass(frozen=True)
class Alternatives:
    """A group of readings the sources leave open; a client matches any one member."""

    option: str | None
    members: tuple[str, ...]


@dataclass(frozen=True)
class ClientOutcome:
    """What the judge found about a client's request for a vector's input, for `Contract.refuses` to rule on.

    `outcome` and `step`: the reference server's answer to it and the step that decided a rejection;
    `sent_expected`: its wire request is a target's `expected.wire` (`Contract.targets`);
    `difference`: where it is not the same request as the target shown (method, path, parameters and body, decoded,
    the signature aside), None when it is;
    `signed_as_expected`: it carries the signature a target's expected request carries.
    """

    outcome: ServerOutcome
    step: Step | None
    sent_expected: bool
    difference: str | None
    signed_as_expected: bool


@dataclass(frozen=True)
class Contract:
    """What a client given the vector's input must do (docs/reference/contract.md).

    - valid: reproduce every stage it exposes and the wire request; the verifier accepts it.
    - invalid, fault `client`: never produce `expected.wire`; what it produces is accepted.
    - invalid, fault `request`: any request is rejected with the error code; refusing the input passes.
    - acceptable: match any member of `alternatives` (the one its option value selects), and/or the
      server may answer any of `server_outcomes` (default: `accept`) to `expected.wire`; a listed error code
      passes for another request only as `refuses` allows (at `rejection_step`, with the expected signature).

    The one place that reads the contract: the judge, `sigvec check`, the plugin and lint ask it, and nothing
    else reads the vector's raw data for it. `options` are the option values the vector's input names.
    """

    id: str
    scheme: str
    result: Result
    fault: Literal["client", "request"] | None
    error: ExpectedError | None
    alternatives: Alternatives | None
    server_outcomes: tuple[ServerOutcome, ...]
    options: Mapping[str, str]
    rejection_step: Step | None = None
    """The step at which a server answering a listed error code rejects (`rejection_step`; None: not named)."""

    @property
    def expected_outcomes(self) -> tuple[ServerOutcome, ...] | None:
        """What the reference server may answer to `expected.wire`; None when any answer is allowed.

        `server_outcomes` when listed; the error code for an invalid vector (its expected request is a buggy
        client's, or a faulty request); else `accept` (the default: docs/reference/contract.md). The one
        exception is a member of an option group signed under another reading than the scheme's default: the
        reference server follows the default reading, so its answer to that member says nothing.
        """
        if self.server_outcomes:
            return self.server_outcomes
        if self.result == "invalid":
            return () if self.error is None else (self.error.code,)
        if self.result == "acceptable" and self.alternatives is not None and self.alternatives.option is not None:
            option = self.alternatives.option
            if self.option_value(option) != self.default_value(option):
                return None
        return ("accept",)

    @property
    def client_outcomes(self) -> tuple[ServerOutcome, ...]:
        """What the server may answer to a client's own request for the input: the error code for a request fault,
        `server_outcomes` for an acceptable vector that lists them, else `accept` (a client fault's fix is accepted)."""
        if self.fault == "request":
            return () if self.error is None else (self.error.code,)
        if self.result == "acceptable" and self.server_outcomes:
            return self.server_outcomes
        return ("accept",)

    def step_of(self, outcome: ServerOutcome) -> Step | None:
        """The step the vector names for error code `outcome`: `rejection_step` for a listed code, else the error's step."""
        if outcome == "accept":
            return None
        if outcome in self.server_outcomes:
            return self.rejection_step
        return self.error.step if self.error is not None and self.error.code == outcome else None

    def refuses(self, client: ClientOutcome) -> str | None:
        """Why a client's request does not pass at the accepted level, or None when it does.

        The server's answer must be one of `client_outcomes`. A request that is a target's expected request then
        passes. Any other must be the same request; with `accept` it passes, and a request fault's code passes
        (the fault is the input's). An acceptable vector's listed error code is the answer to the request the
        vector records, so it passes for another request only when that request is rejected at the step the
        vector names (`rejection_step`) and carries the expected signature: a rejection at the signature step
        says only that the signature is wrong, and one before it never checked the signature.
        """
        allowed = self.client_outcomes
        if client.outcome not in allowed:
            return f"the contract wants {' or '.join(str(outcome) for outcome in allowed)}"
        if client.sent_expected:
            return None
        if client.difference is not None:
            return f"it is not the same request: {client.difference}"
        if client.outcome == "accept" or self.fault == "request":
            return None
        named = self.step_of(client.outcome)
        if named is None or named == "signature":
            return f"{client.outcome} passes only for the request this vector records"
        if client.step != named:
            return f"{client.outcome} passes only as a rejection at step {named}, not {client.step}"
        if not client.signed_as_expected:
            return f"it is rejected at step {named}, before the signature is checked, and its signature is not the expected one"
        return None

    def allows(self, outcome: ServerOutcome) -> bool:
        """Whether the server may answer `outcome` (`accept` or an error code) to `expected.wire`."""
        allowed = self.expected_outcomes
        return allowed is None or outcome in allowed

    def default_value(self, name: str) -> str:
        """The scheme's default value of option `name`, from the registry ('' for an option it does not have)."""
        option = scheme_named(self.scheme).option(name)
        return option.default if option is not None else ""

    def option_value(self, name: str) -> str:
        """The value of option `name` the vector is signed under: its input's, else the scheme's default."""
        return self.options.get(name, self.default_value(name))

    def targets(self, vectors: Mapping[str, Vector], declared: Mapping[str, str]) -> tuple[list[Vector], Vector]:
        """The vectors whose expected request is right for a client declaring `declared` options given this
        vector's input, and the one a failure is shown against: the vector itself, then the members of its group
        that the client's value of the group's option selects (its declared value, else the scheme's default;
        every member when the group names no option). Shown: the first selected member, else the vector."""
        itself = vectors[self.id]
        if self.alternatives is None:
            return [itself], itself
        members = [vectors[member] for member in self.alternatives.members if member in vectors and member != self.id]
        option = self.alternatives.option
        if option is None:
            return [itself, *members], itself
        wanted = declared.get(option, self.default_value(option))
        selected = [member for member in members if member.contract.option_value(option) == wanted]
        return [itself, *selected], (selected[0] if selected else itself)


@dataclass(frozen=True)
class Vector:
    """One test vector. `data` is the mapping as written (with the file's algorithm merged in);
    the typed views below are what tools use."""

    data: Mapping[str, Any]
    file: str

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def scheme(self) -> str:
        return str(self.data["input"]["scheme"])

    @property
    def result(self) -> Result:
        value: Result = self.data["result"]
        return value

    @property
    def flags(self) -> list[str]:
        return list(self.data.get("flags", []))

    @property
    def choices(self) -> list[str]:
        """The reference's choices (rules.yaml) this vector's answer rests on, where the exchange's documents are silent."""
        return list(self.data.get("choices", []))

    @property
    def input(self) -> Mapping[str, Any]:
        value: Mapping[str, Any] = self.data["input"]
        return value

    @property
    def expected(self) -> Mapping[str, Any]:
        value: Mapping[str, Any] = self.data["expected"]
        return value

    @property
    def provenance(self) -> Mapping[str, Any]:
        value: Mapping[str, Any] = self.data["provenance"]
        return value

    @property
    def algorithm(self) -> dict[str, str]:
        return {**ALGORITHM_DEFAULTS, **self.data["algorithm"]}

    @property
    def signed_with(self) -> Mapping[str, Any]:
        """How a client-fault vector's wrong signature was made (`signed_with`, vectors/schema.json); empty when the
        algorithm was applied to the secret and the string to sign."""
        value: Mapping[str, Any] = self.data.get("signed_with") or {}
        return value

    @property
    def server_time(self) -> int | None:
        value = self.data.get("server_time", self.input.get("timestamp"))
        return int(value) if value is not None else None

    @property
    def is_erratum(self) -> bool:
        return self.provenance.get("reproduces") is False

    @cached_property
    def request(self) -> Request:
        """The input as the reference's `Request` (checked when the corpus loads)."""
        return request_from_input(self.input)

    @cached_property
    def expected_signed(self) -> Signed:
        """The expected stages and wire request (checked when the corpus loads)."""
        return signed_from_mapping(self.expected, "expected")

    @property
    def expected_stages(self) -> Stages:
        return self.expected_signed.stages

    @cached_property
    def contract(self) -> Contract:
        error = self.data.get("error")
        group = self.data.get("alternatives")
        return Contract(
            id=self.id,
            scheme=self.scheme,
            result=self.result,
            fault=self.data.get("fault"),
            error=ExpectedError(error["code"], error["reason"], error.get("step")) if error else None,
            alternatives=Alternatives(group["option"], tuple(group["members"])) if group else None,
            server_outcomes=tuple(self.data.get("server_outcomes", ())),
            options=dict(self.input.get("options") or {}),
            rejection_step=self.data.get("rejection_step"),
        )


# --- the corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: dict[str, Any]
    flags: dict[str, Any]
    options: dict[str, Any]
    schema: dict[str, Any]
    wire_schema: dict[str, Any] | None = None
    """`wire.schema.json`, the one wire form, which `schema.json` refers to."""
    rules: dict[str, Any] = field(default_factory=dict)
    """rules.yaml: what each scheme's documents state (codes, bounds) and the choices the reference made where they are silent."""

    def schema_registry(self) -> Registry[Any]:
        """The schemas `schema.json` refers to by `$id`: the wire form's."""
        return schema_registry(self.wire_schema)

    def vectors(self) -> tuple[Vector, ...]:
        """Every vector in corpus order, built once: each keeps its parsed input, expected request and contract."""
        return self._vectors

    @cached_property
    def _vectors(self) -> tuple[Vector, ...]:
        built = []
        for name, content in self.files.items():
            if not isinstance(content, Mapping):
                continue
            for vector in content.get("vectors") or []:
                algorithm = {**content.get("algorithm", {}), **vector.get("algorithm", {})}
                built.append(Vector({**vector, "algorithm": algorithm}, name))
        return tuple(built)

    def by_id(self) -> dict[str, Vector]:
        return dict(self._by_id)

    @cached_property
    def _by_id(self) -> dict[str, Vector]:
        return {vector.id: vector for vector in self._vectors}

    def group(self, vector: Vector) -> list[Vector]:
        """The members of `vector`'s alternatives group, in the order listed (just `vector` without one)."""
        alternatives = vector.contract.alternatives
        if alternatives is None:
            return [vector]
        by_id = self.by_id()
        return [by_id[member] for member in alternatives.members if member in by_id]


def is_sigvec_checkout(folder: Path) -> bool:
    """Whether `folder` is a source checkout of this project: its pyproject names sigvec and it has a corpus."""
    pyproject = folder / "pyproject.toml"
    if not (folder / "vectors" / "schema.json").is_file() or not pyproject.is_file():
        return False
    try:
        return 'name = "sigvec"' in pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def source_checkout() -> Path | None:
    """The `vectors/` of the sigvec source checkout in use, if there is one.

    Inside a checkout (the working directory or any folder above it), the
    checkout's `vectors/` wins: a maintainer's edits are what `check` runs and
    what `lint --record-ids` releases, even when sigvec was installed
    non-editable (whose copy of the corpus is frozen at install time). Else an
    editable install finds `vectors/` beside the package.
    """
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if is_sigvec_checkout(folder):
            return folder / "vectors"
    beside = Path(__file__).resolve().parents[1]
    return beside / "vectors" if is_sigvec_checkout(beside) else None


def installed_root() -> Path | None:
    spec = importlib.util.find_spec("sigvec_vectors")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_root() -> Path:
    """The corpus to use by default: the source checkout's `vectors/` when there is one, else the installed copy."""
    root = source_checkout() or installed_root()
    if root is None:
        raise CorpusError("vectors: the packaged corpus sigvec_vectors is not installed; pass --vectors")
    return root


def default_root() -> Path:
    """`$SIGVEC_VECTORS` if set, else the packaged corpus."""
    override = os.environ.get("SIGVEC_VECTORS")
    return Path(override) if override else packaged_root()


def read_corpus(root: Path | None = None) -> Corpus:
    """Every file of the corpus below `root`, read but not judged (for lint). Unreadable files raise `CorpusError`."""
    root = root or default_root()
    if not root.is_dir():
        raise CorpusError(f"vectors: {root} is not a folder")
    if not (root / "schema.json").is_file():
        raise CorpusError(f"vectors: {root} holds no schema.json; point it at a vectors/ folder")
    special = {"flags.yaml", "options.yaml", "rules.yaml"}
    files = {}
    for path in sorted(root.rglob("*.yaml")):
        name = path.relative_to(root).as_posix()
        if name not in special:
            files[name] = load_yaml(path, name)
    wire_schema = read_schema(root / WIRE_SCHEMA, WIRE_SCHEMA) if (root / WIRE_SCHEMA).is_file() else None
    flags = load_yaml(root / "flags.yaml", "flags.yaml")
    options = load_yaml(root / "options.yaml", "options.yaml") if (root / "options.yaml").exists() else {}
    rules = load_yaml(root / "rules.yaml", "rules.yaml") if (root / "rules.yaml").exists() else {}
    schema = read_schema(root / "schema.json", "schema.json")
    flags_or_none = flags if isinstance(flags, dict) else {}
    return Corpus(
        root,
        files,
        flags_or_none,
        options if isinstance(options, dict) else {},
        schema,
        wire_schema,
        rules if isinstance(rules, dict) else {},
    )


WIRE_SCHEMA = "wire.schema.json"


def read_schema(path: Path, name: str) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CorpusError(f"{name}: not valid JSON") from None
    if not isinstance(schema, dict):
        raise CorpusError(f"{name}: must be a JSON object")
    return schema


def schema_registry(wire_schema: Mapping[str, Any] | None) -> Registry[Any]:
    """A registry holding the wire form's schema under its `$id` (empty without one)."""
    registry: Registry[Any] = Registry()
    if wire_schema is None or not isinstance(wire_schema.get("$id"), str):
        return registry
    with_wire: Registry[Any] = registry.with_resource(wire_schema["$id"], Resource.from_contents(dict(wire_schema)))
    return with_wire


def place(path: Any) -> str:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return where.lstrip(".") or "(file)"


def schema_problems(corpus: Corpus) -> list[str]:
    """One line per place a vector file breaks `schema.json` (the offending value is never quoted)."""
    try:
        Draft202012Validator.check_schema(corpus.schema)
    except SchemaError as broken:
        return [f"schema.json: not a valid JSON Schema 2020-12 (at {place(broken.absolute_path)})"]
    validator = Draft202012Validator(corpus.schema, registry=corpus.schema_registry())
    problems = []
    try:
        for name, content in corpus.files.items():
            for error in sorted(validator.iter_errors(content), key=lambda e: [str(part) for part in e.absolute_path]):
                problems.append(f"{name}: {place(error.absolute_path)}: {schema_rule(error)}")
    except Unresolvable as missing:
        return [f"schema.json: refers to {missing.ref}, which this corpus does not hold (wire.schema.json)"]
    return problems


def schema_rule(error: Any) -> str:
    """What a schema error asks for, without quoting the offending value (it may be a secret)."""
    if error.validator in ("required", "additionalProperties", "dependentRequired"):
        return str(error.message)
    wanted = json.dumps(error.validator_value, ensure_ascii=False)
    return f"must satisfy {error.validator} {wanted if len(wanted) <= 80 else wanted[:77] + '...'}"


def shape_problems(corpus: Corpus) -> list[str]:
    """flags.yaml and options.yaml must be mappings; every vector's input and expected values must load."""
    problems = []
    for name in ("flags.yaml", "options.yaml", "rules.yaml"):
        content = load_yaml(corpus.root / name, name) if (corpus.root / name).exists() else {}
        if not isinstance(content, dict):
            problems.append(f"{name}: must be a mapping of names to definitions")
    for vector in corpus.vectors():
        try:
            vector.request  # noqa: B018 - building it is the check
            vector.expected_signed  # noqa: B018
        except (SigningError, WireFormatError) as refused:
            problems.append(f"{vector.file}: {vector.id}: {refused}")
    return problems


def load_corpus(root: Path | None = None) -> Corpus:
    """The corpus below `root` (default: `default_root()`), refused with a `CorpusError` unless it is valid."""
    corpus = read_corpus(root)
    problems = schema_problems(corpus)
    problems = problems or shape_problems(corpus)
    if problems:
        more = f" (and {len(problems) - 1} more; run sigvec lint)" if len(problems) > 1 else ""
        raise CorpusError(f"vectors: {problems[0]}{more}")
    return corpus
