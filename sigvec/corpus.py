"""The one vector loader: reads `vectors/`, and nothing else does."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ALGORITHM_DEFAULTS = {"hex_case": "lower", "text_encoding": "utf-8"}


@dataclass(frozen=True)
class Vector:
    """One test vector, with the algorithm its file (or itself) declares."""

    data: Mapping[str, Any]
    file: str

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def scheme(self) -> str:
        return str(self.data["input"]["scheme"])

    @property
    def result(self) -> str:
        return str(self.data["result"])

    @property
    def flags(self) -> list[str]:
        return list(self.data.get("flags", []))

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
    def server_time(self) -> int | None:
        value = self.data.get("server_time", self.input.get("timestamp"))
        return int(value) if value is not None else None

    @property
    def is_erratum(self) -> bool:
        return self.provenance.get("reproduces") is False


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: dict[str, Any]
    flags: dict[str, Any]
    schema: dict[str, Any]

    def vectors(self) -> Iterator[Vector]:
        for name, content in self.files.items():
            for vector in content.get("vectors", []):
                algorithm = {**content.get("algorithm", {}), **vector.get("algorithm", {})}
                yield Vector({**vector, "algorithm": algorithm}, name)

    def by_id(self) -> dict[str, Vector]:
        return {vector.id: vector for vector in self.vectors()}


def packaged_root() -> Path:
    """The corpus shipped with the package: `vectors/` beside it in a source
    checkout or an editable install, else the installed `sigvec_vectors` data."""
    checkout = Path(__file__).resolve().parents[1] / "vectors"
    if (checkout / "schema.json").is_file():
        return checkout
    spec = importlib.util.find_spec("sigvec_vectors")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the packaged corpus sigvec_vectors is not installed; pass --vectors")
    return Path(next(iter(spec.submodule_search_locations)))


def default_root() -> Path:
    """`$SIGVEC_VECTORS` if set, else the corpus shipped with the package."""
    override = os.environ.get("SIGVEC_VECTORS")
    return Path(override) if override else packaged_root()


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def load_corpus(root: Path | None = None) -> Corpus:
    """Every `*.yaml` vector file below `root`, keyed by its path relative to `root`."""
    root = root or default_root()
    files = {
        path.relative_to(root).as_posix(): load_yaml(path)
        for path in sorted(root.rglob("*.yaml"))
        if path.name != "flags.yaml"
    }
    flags = load_yaml(root / "flags.yaml")
    schema = json.loads((root / "schema.json").read_text(encoding="utf-8"))
    return Corpus(root, files, flags, schema)
