"""The corpus in ccxt's static request test format: one `<exchange>.json` per exchange.

ccxt keeps its offline request tests in `ts/src/test/static/request/<exchange>.json`
(ccxt/ccxt): per file the exchange id, the keys its comparison skips
(`skipKeys`), how bodies are read (`outputType`: `json`, `urlencoded` or
`both`), test credentials, and per method a list of entries with the exact
`url` and body (`output`, null when everything is in the URL).

sigvec vectors are about endpoints, not ccxt's unified methods, so `methods`
is keyed by scheme and each entry's `method` names the endpoint (`POST /api/v3/order`);
its `description` starts with the vector ID and its `input` holds the
vector's input. ccxt's comparison functions read only `url`, `output` and the
file's `skipKeys` and `outputType`, which carry the vector's exact wire request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from signing.registry import scheme_named
from sigvec.corpus import Corpus, Vector


def exchange_id(vector: Vector) -> str:
    """ccxt's id for the vector's exchange: the registry's exchange name in lower case."""
    return scheme_named(vector.scheme).exchange.lower()


def body_kind(body: str | None) -> str | None:
    """How ccxt reads a body: `json` for JSON text, `urlencoded` for anything else, None for no body."""
    if body is None:
        return None
    return "json" if body.lstrip().startswith(("{", "[")) else "urlencoded"


def output_type(vectors: Iterable[Vector]) -> str:
    """`json` or `urlencoded` when every body is of that kind, `both` when they are mixed."""
    kinds = {kind for vector in vectors if (kind := body_kind(vector.expected["wire"]["body"]))}
    return kinds.pop() if len(kinds) == 1 else "both" if kinds else "json"


def wire_keys(vector: Vector) -> set[str]:
    """The parameter names in the vector's wire URL query and form body."""
    wire = vector.expected["wire"]
    texts = [urlsplit(wire["url"]).query]
    if body_kind(wire["body"]) == "urlencoded":
        texts.append(wire["body"])
    return {part.split("=", 1)[0] for text in texts for part in text.split("&") if part}


def input_keys(vector: Vector) -> set[str]:
    body = vector.input.get("body") or {}
    return {str(pair[0]) for pair in [*(vector.input.get("query") or []), *(body.get("form") or [])]}


def skip_keys(vectors: Iterable[Vector]) -> list[str]:
    """Keys that change from run to run: the clock and nonce parameters, and whatever signing adds (the signature).

    What signing adds is read off the reference requests only: an invalid
    vector's wire may carry a parameter its input never had (unsigned content
    slipped in), which is the bug it records, not something signing adds.
    """
    keys: set[str] = set()
    for vector in vectors:
        scheme = scheme_named(vector.scheme)
        keys |= {carrier.name for carrier in (scheme.clock, scheme.nonce) if carrier and carrier.where in ("param", "payload")}
        if vector.result != "invalid":
            keys |= wire_keys(vector) - input_keys(vector)
    return sorted(keys)


def verdict_text(vector: Vector) -> str:
    """The vector's result, and for an invalid one whose fault it is: `valid`, `invalid, client fault`."""
    fault = vector.contract.fault
    return f"{vector.result}, {fault} fault" if fault else vector.result


def entry(vector: Vector) -> dict[str, Any]:
    wire = vector.expected["wire"]
    endpoint = f"{vector.input['method']} {vector.input['path']}"
    return {
        "description": f"{vector.id} ({verdict_text(vector)}): {vector.data.get('description', '')}".rstrip(),
        "method": endpoint,
        "url": wire["url"],
        "input": [dict(vector.input)],
        "output": wire["body"],
    }


def exchange_document(exchange: str, vectors: list[Vector]) -> dict[str, Any]:
    credentials: Mapping[str, str] = vectors[0].input["credentials"]
    methods: dict[str, list[dict[str, Any]]] = {}
    for vector in vectors:
        methods.setdefault(vector.scheme, []).append(entry(vector))
    return {
        "exchange": exchange,
        "skipKeys": skip_keys(vectors),
        "outputType": output_type(vectors),
        "options": {},
        "apiKey": credentials["api_key"],
        "secret": credentials["secret"],
        "methods": methods,
    }


def ccxt_static(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """Per ccxt exchange id, the static request test document for that exchange's vectors."""
    grouped: dict[str, list[Vector]] = {}
    for vector in corpus.vectors():
        grouped.setdefault(exchange_id(vector), []).append(vector)
    return {exchange: exchange_document(exchange, vectors) for exchange, vectors in sorted(grouped.items())}


def write_ccxt_static(corpus: Corpus, out: Path) -> list[Path]:
    """Write `<out>/<exchange>.json` for every exchange; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for exchange, document in ccxt_static(corpus).items():
        path = out / f"{exchange}.json"
        path.write_text(json.dumps(document, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
