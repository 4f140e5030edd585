"""Reading a `sign` command's vector input the way client harnesses need it: stdlib only.

A client takes its parameters in its own shape (a dict, keyword arguments, a
JSON object), so a harness converts the vector's ordered pairs and body into
that shape here. Whatever a client's shape cannot carry (a repeated key in a
dict, an exact JSON body text the client re-serialises) is `Skipped` by the
harness with the reason, never silently changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from harness import Skipped

Pairs = list[tuple[str, str]]


def query_pairs(data: Mapping[str, Any]) -> Pairs:
    """The query parameters, in order, as (name, value) text pairs."""
    return [(str(name), str(value)) for name, value in data.get("query") or []]


def body_kind(data: Mapping[str, Any]) -> str | None:
    """Which body the vector carries: `form`, `json`, `json_text`, `text`, or None."""
    body = data.get("body")
    return next(iter(body)) if body else None


def form_pairs(data: Mapping[str, Any]) -> Pairs:
    """The form body parameters, in order, as (name, value) text pairs."""
    return [(str(name), str(value)) for name, value in data["body"]["form"]]


def json_body(data: Mapping[str, Any]) -> Any:
    """The JSON body as a value, key order kept (`json_text` is parsed: the client re-serialises it)."""
    body = data["body"]
    if "json" in body:
        return body["json"]
    if "json_text" in body:
        return json.loads(body["json_text"])
    raise Skipped(f"the vector's body is {body_kind(data)}; this client sends JSON bodies only")


def as_dict(pairs: Iterable[tuple[str, str]], where: str) -> dict[str, str]:
    """Pairs as a dict, for clients that take a mapping; a repeated name cannot be expressed."""
    result: dict[str, str] = {}
    for name, value in pairs:
        if name in result:
            raise Skipped(f"{where} repeats {name!r}; this client takes parameters as a mapping")
        result[name] = value
    return result


def drop_added(pairs: Pairs, added: Mapping[str, str]) -> Pairs:
    """The pairs without the ones the client adds itself (its key, its clock), which must agree with them.

    A vector lists every parameter that is signed; a client adds some of them
    on its own. A listed value the client would not produce (another key, a
    clock in another unit) cannot be expressed through the client.
    """
    kept: Pairs = []
    for name, value in pairs:
        if name in added:
            if value != added[name]:
                raise Skipped(f"the vector's {name}={value!r} differs from what the client adds ({added[name]!r})")
            continue
        kept.append((name, value))
    return kept


def pinned_timestamp(data: Mapping[str, Any]) -> int:
    """The vector's clock reading, which the harness pins the client's time source to."""
    timestamp = data.get("timestamp")
    if not isinstance(timestamp, int):
        raise Skipped("the vector has no timestamp to pin the client's clock to")
    return timestamp
