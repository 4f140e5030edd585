"""The bug-class catalogue (`bugclasses.yaml`), loaded once, and how a class edits a construction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from sigvec.diagnose.construction import (
    CHARACTER_SETS,
    Construction,
    Escaping,
    Json,
    JsonStyle,
    Omitted,
    Pairs,
    Part,
    Rendering,
    moved_parts,
)

CATALOGUE_FILE = Path(__file__).with_name("bugclasses.yaml")
RENDERING_FIELDS = frozenset(f.name for f in fields(Rendering)) - {"escaping"}
FLIPS = {"hex_case": {"lower": "upper", "upper": "lower"}, "text_encoding": {"utf-8": "latin-1", "latin-1": "utf-8"}}


@dataclass(frozen=True)
class BugClass:
    """One known way to get a signature wrong: a named edit of the reference's construction."""

    name: str
    flags: tuple[str, ...]
    says: str
    edit: Mapping[str, Any]
    sibling: bool = False
    read_twice: str | None = None
    """The scheme's carrier (`clock` or `nonce`, a `Scheme` field) the client read twice, signing one value and
    sending another."""
    fragment: bool = False
    signature: str | None = None
    sent: str | None = None
    needs_intended: bool = False
    axes: Mapping[str, str] = field(default_factory=dict)
    encoder: str | None = None
    fix: str = ""
    reports: Mapping[str, str] = field(default_factory=dict)

    def reported(self, exchange: str) -> str:
        """The public threads for this class that concern `exchange` or any exchange, as a parenthesis."""
        threads = [self.reports[name] for name in (exchange, "*") if name in self.reports]
        return f" ({'; '.join(threads)})" if threads else ""

    @property
    def is_edit(self) -> bool:
        """Whether the search re-signs this class as an edit of the construction (the others are found otherwise)."""
        return not (self.sibling or self.read_twice or self.fragment or self.signature or self.sent)

    @property
    def edits_sent(self) -> bool:
        """Whether this class can change the query or body the client sends (an edit of the `sent` or `both` side,
        or of where it sends them)."""
        return bool({"sent", "both", "send_placement"} & set(self.edit))

    def apply(self, construction: Construction) -> Construction:
        if self.signature is not None:
            return replace(construction, signature_typo=True)
        return edited(construction, self.edit)

    def touches(self, construction: Construction, signs_payload: bool) -> bool:
        """Does the construction have a part this class edits? (If not, the class cannot apply.)"""
        edit = self.edit
        if self.signature is not None:
            return True
        if "payload" in edit:
            return signs_payload
        if "secret" in edit or "swap" in edit:
            return True
        if "clock_text" in edit:
            return construction.clock_value is not None
        if "send_placement" in edit:
            return moved_parts(construction.sent, edit["send_placement"]) is not None
        if "joiner" in edit:
            return construction.pieces[1:4:2] == ("params", "body")
        if "separator" in edit:
            return any(edit["separator"][0] in piece for piece in construction.pieces[::2])
        sides = [(edit.get(side), parts) for side, parts in (("signed", construction.signed), ("sent", construction.sent))]
        sides += [(edit.get("both"), construction.signed), (edit.get("both"), construction.sent)]
        return any(changes and edits_some(parts, changes) for changes, parts in sides) or bool(set(edit) & set(FLIPS))


@dataclass(frozen=True)
class Catalogue:
    classes: tuple[BugClass, ...]
    option_flags: Mapping[str, tuple[str, ...]]
    steps: Mapping[str, Mapping[str, Any]]
    changed_part_flags: Mapping[str, tuple[str, ...]]
    vector_properties: frozenset[str]
    encoders: Mapping[str, Encoder]

    def named(self, name: str) -> BugClass:
        return next(bug for bug in self.classes if bug.name == name)


@dataclass(frozen=True)
class Encoder:
    """One way to write parameter text (`encoders:` in the catalogue): a setting of the encoder axes."""

    name: str
    says: str
    escaping: Escaping


ENCODING_FLAGS = ("SpaceEncoding", "ReservedCharEncoding", "Utf8Encoding")


def character_set(text: str) -> frozenset[str]:
    return CHARACTER_SETS.get(text, frozenset(text))


def encoder_from(name: str, entry: Mapping[str, Any]) -> Encoder:
    escaping = Escaping(
        space=entry.get("space", "%20"),
        literal=character_set(entry.get("literal", "")),
        non_ascii_literal=entry.get("non_ascii") == "literal",
        lower_hex=bool(entry.get("lower_hex", False)),
        escaped=character_set(entry.get("escaped", "")),
        charset=entry.get("charset", "utf-8"),
        double=bool(entry.get("double", False)),
    )
    return Encoder(name, entry["says"], escaping)


def encoder_classes(encoders: Mapping[str, Encoder], axes: Mapping[str, Mapping[str, str]]) -> tuple[BugClass, ...]:
    """Every encoder as a setting of each encoder axis: the signed text, the sent text, or both. An encoder writes
    keys as it writes values: the `[` `]` a scheme keeps literal in keys are escaped unless the encoder keeps them
    (Python's `urlencode` sends `list%5B%5D=`)."""
    classes = []
    for axis, entry in axes.items():
        side = entry["side"]
        for encoder in encoders.values():
            settings = {"sign_encoder": encoder.name, "send_encoder": encoder.name} if side == "both" else {axis: encoder.name}
            classes.append(
                BugClass(
                    f"{axis}={encoder.name}",
                    ENCODING_FLAGS,
                    entry["says"],
                    {side: {"escaping": encoder.escaping, "key_literal": frozenset()}},
                    axes=settings,
                    encoder=encoder.name,
                    fix=entry.get("fix", ""),
                )
            )
    return tuple(classes)


@cache
def catalogue() -> Catalogue:
    """The catalogue shipped beside this module."""
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    encoders = {name: encoder_from(name, entry) for name, entry in data["encoders"].items()}
    classes = tuple(
        BugClass(
            name,
            tuple(entry.get("flags", ())),
            entry["says"],
            entry.get("edit", {}),
            bool(entry.get("sibling", False)),
            entry.get("read_twice"),
            bool(entry.get("fragment", False)),
            entry.get("signature"),
            entry.get("sent"),
            bool(entry.get("needs_intended", False)),
            dict(entry.get("axes", {})),
            fix=entry.get("fix", ""),
            reports=dict(entry.get("reports", {})),
        )
        for name, entry in data["classes"].items()
    ) + encoder_classes(encoders, data["encoder_axes"])
    options = {name: tuple(flags) for name, flags in data.get("options", {}).items()}
    changed = {name: tuple(flags) for name, flags in data.get("changed_part_flags", {}).items()}
    properties = frozenset(data.get("vector_properties", ()))
    return Catalogue(classes, options, data.get("steps", {}), changed, properties, encoders)


JSON_KEYS = frozenset({"json", "strip_spaces"})


def edits_some(parts: Mapping[str, Part], changes: Mapping[str, Any]) -> bool:
    """Whether `changes` reach one of `parts`: parameter lists, JSON bodies, or a body to leave out."""
    if changes.get("omit_body") and ("body" in parts or any(isinstance(part, Json) for part in parts.values())):
        return True
    kinds = {type(part) for part in parts.values()}
    return (Json in kinds and bool(set(changes) & JSON_KEYS)) or (Pairs in kinds and bool(set(changes) - JSON_KEYS))


def edited_rendering(rendering: Rendering, changes: Mapping[str, Any]) -> Rendering:
    """`rendering` with the parameter-list changes of an edit (the search asks for the same few many times)."""
    return cached_rendering(rendering, tuple(sorted((key, value) for key, value in changes.items() if key not in NOT_RENDERING)))


NOT_RENDERING = frozenset({"json", "strip_spaces", "omit_body"})


@lru_cache(maxsize=4096)
def cached_rendering(rendering: Rendering, items: tuple[tuple[str, Any], ...]) -> Rendering:
    changes = dict(items)
    escaping = changes.get("escaping", rendering.escaping)
    literal = escaping.literal
    if "literal_add" in changes:
        literal = literal | CHARACTER_SETS[changes["literal_add"]]
    if "literal_remove" in changes:
        literal = literal - CHARACTER_SETS[changes["literal_remove"]]
    escaping = replace(
        escaping,
        space=changes.get("space", escaping.space),
        literal=literal,
        non_ascii_literal=changes["non_ascii"] == "literal" if "non_ascii" in changes else escaping.non_ascii_literal,
        lower_hex=bool(changes.get("lower_hex", escaping.lower_hex)),
    )
    return replace(rendering, escaping=escaping, **{key: value for key, value in changes.items() if key in RENDERING_FIELDS})


def edited_part(part: Part, changes: Mapping[str, Any], is_body: bool) -> Part:
    if is_body and changes.get("omit_body"):
        return Omitted()
    if isinstance(part, Pairs):
        return Pairs(part.pairs, edited_rendering(part.rendering, changes), part.every)
    if isinstance(part, Json):
        if "json" in changes:
            part = replace(part, style=replace(part.style or JsonStyle(), **changes["json"]))
        if "strip_spaces" in changes:
            part = replace(part, strip_spaces=bool(changes["strip_spaces"]))
    return part


def edited_side(parts: Mapping[str, Part], changes: Mapping[str, Any] | None) -> dict[str, Part]:
    """Every part of one side edited alike; `omit_body` drops the body, or a params segment that is the JSON body."""
    if not changes:
        return dict(parts)
    return {name: edited_part(part, changes, name == "body" or isinstance(part, Json)) for name, part in parts.items()}


def edited(construction: Construction, edit: Mapping[str, Any]) -> Construction:
    """`construction` with one class's `edit` applied (see the keys in bugclasses.yaml)."""
    both = edit.get("both")
    signed = edited_side(edited_side(construction.signed, both), edit.get("signed"))
    sent = edited_side(edited_side(construction.sent, both), edit.get("sent"))
    result = replace(construction, signed=signed, sent=sent)
    if "joiner" in edit:
        result = replace(result, joiner=edit["joiner"])
    if "separator" in edit:
        old, new = edit["separator"]
        result = replace(result, separator=(old, new))
    for name, flips in FLIPS.items():
        if edit.get(name) == "flip":
            result = replace(result, **{name: flips.get(getattr(result, name), getattr(result, name))})
    if "payload" in edit:
        result = replace(result, payload=replace(result.payload, **edit["payload"]))
    if "secret" in edit:
        result = replace(result, secret_suffix=SECRET_SUFFIXES[edit["secret"]])
    if edit.get("swap"):
        result = replace(result, swapped=True)
    if edit.get("clock_text") == "seconds":
        result = replace(result, clock_seconds=True)
    if "send_placement" in edit:
        result = replace(result, sent=moved_parts(result.sent, edit["send_placement"]) or result.sent)
    return result


SECRET_SUFFIXES = {"trailing-newline": "\n", "trailing-space": " "}
