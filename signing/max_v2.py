"""MAX (MaiCoin) REST v2 and v3: scheme `max-v2` (v3 signs the same way).

Rules: the MAX REST API v2 docs, https://max-api.maicoin.com/api/v2
(authentication), the
official Node SDK `maicoin/max-exchange-api-node` `src/rest/rest.ts`, and the
byte-level summary `docs/rules/max.md`.

Payload = base64 of the UTF-8 JSON of the request's parameters plus `nonce`
plus `path`; signature = lower-case hex HMAC-SHA256(secret, payload); both go
in headers with the access key.

How a request is given (explicit, so that the wire and the payload agree):
- The nonce is `input.timestamp` (epoch ms). The request must also carry it as
  an ordinary `nonce` parameter, where the client puts it: a `nonce` query
  pair (GET) or a `nonce` integer in the JSON body (POST, PUT, DELETE). Its
  position there is its position in the payload.
- GET: parameters are `query` pairs of exact text. A key ending in `[]` is an
  array (`state[]=wait&state[]=done`); in the payload it is one key without
  brackets holding the values in order (`"state":["wait","done"]`), at the
  place of its first pair. Query values stay JSON strings in the payload (the
  text sent); only `nonce` is an integer. A GET carries no body.
- POST, PUT, DELETE: parameters are a JSON object body (`body.json` or the
  exact `body.json_text`) that already holds `nonce`; it is sent as given, and
  the payload object is that object. There is no query.
- `path` is always the payload's last key: the request path with its
  `/api/v2` or `/api/v3` prefix and `.json` if the URL has it.

Options (`input.options`):
- `json`: how the payload object becomes text. `compact` (default): no
  whitespace, key order kept, UTF-8 (JavaScript `JSON.stringify`, the v2 docs'
  example). `python`: Python `json.dumps` defaults, `", "` and `": "`
  separators and `\\uXXXX` escapes (the docs' Python example). `sorted`:
  compact with keys sorted by code point (the official Node v3 SDK).
- `base64`: `standard` (default, padded) or `urlsafe` (`-` and `_`; whether
  the server accepts it is unknown, see `docs/rules/max.md`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from decimal import Decimal
from typing import Any

from signing.digests import hmac_sha256_hex
from signing.encoding import compact_json, dump_json, form_encode, join_pairs, keeping_brackets
from signing.http import HttpRequest, json_or_none
from signing.model import (
    JsonBody,
    JsonValue,
    Param,
    Rejection,
    Request,
    Signed,
    SigningError,
    Stages,
)
from signing.server import (
    ServerContext,
    Verdict,
    accept,
    body_text,
    clock_value,
    received_pairs,
    record_nonce,
    reject,
    signatures_match,
    sole_header,
    well_formed,
)

BASE_URL = "https://max-api.maicoin.com"
NONCE_WINDOW_MS = 30000
JSON_STYLES = ("compact", "python", "sorted")
BASE64_ALPHABETS = ("standard", "urlsafe")


def array_key(key: str) -> str | None:
    """The payload key of an array query key (`state[]` -> `state`), or None for a scalar key."""
    return key[:-2] if key.endswith("[]") else None


def query_object(pairs: tuple[Param, ...]) -> dict[str, JsonValue]:
    """Query pairs as the payload holds them: `k[]` pairs become one list under `k`.

    "Arrays are written in brackets: `state[]=wait&state[]=done`. In the JSON
    the same array is `"state":["wait","done"]`" (`docs/rules/max.md`).
    `nonce` becomes an integer; every other value stays the text sent.
    """
    result: dict[str, JsonValue] = {}
    for key, value in pairs:
        name = array_key(key) or key
        if "[" in name or "]" in name or name == "path":
            raise SigningError(f"query.{key}", "MAX query keys are plain names or name[] arrays, and never path")
        existing = result.get(name)
        if array_key(key) is not None:
            if name in result and not isinstance(existing, list):
                raise SigningError(f"query.{key}", f"{name} is sent both as a value and as an array")
            result.setdefault(name, [])
            listed = result[name]
            assert isinstance(listed, list)
            listed.append(value)
        elif name in result:
            raise SigningError(f"query.{key}", "is sent twice; a repeated parameter must be an array (key[])")
        else:
            nonce = clock_value(value) if name == "nonce" else None
            result[name] = value if nonce is None else nonce
    return result


def params_object(request: Request) -> dict[str, JsonValue]:
    """The request's parameters, nonce included, in the order they are sent."""
    if request.method == "GET":
        if request.body is not None:
            raise SigningError("body", "a MAX GET carries its parameters in the query, not in a body")
        params = query_object(request.query)
    else:
        if request.query:
            raise SigningError("query", f"a MAX {request.method} carries its parameters as a JSON body")
        if not isinstance(request.body, JsonBody) or not isinstance(request.body.value, dict):
            raise SigningError("body", f"a MAX {request.method} body is a JSON object (body.json or body.json_text)")
        params = dict(request.body.value)
        if "path" in params:
            raise SigningError("body.path", "path belongs to the payload only, never to the body")
    nonce = request.require_timestamp()
    sent = params.get("nonce")
    if isinstance(sent, bool) or sent != nonce:
        raise SigningError("nonce", f"the request must carry nonce {nonce} (input.timestamp) as an integer parameter")
    return params


def payload_object(request: Request) -> dict[str, JsonValue]:
    """Parameters plus `nonce` plus `path` (the v2 docs: `body = {path, nonce, ...}`); path goes last here."""
    return {**params_object(request), "path": request.path}


def payload_json(value: dict[str, JsonValue], style: str) -> str:
    """The payload object as JSON text in one of `JSON_STYLES` (see the module docstring).

    The server verifies the HMAC over the header as received and then decodes
    it, so each style is valid on its own bytes (`docs/rules/max.md`).
    """
    if style == "python":
        return dump_json(value, item_separator=", ", key_separator=": ", ensure_ascii=True)
    return dump_json(value, sort_keys=style == "sorted")


def payload(json_text: str, alphabet: str) -> str:
    """Standard base64 with padding of the UTF-8 JSON text (`docs/rules/max.md`, Payload); urlsafe on request."""
    encode = base64.urlsafe_b64encode if alphabet == "urlsafe" else base64.standard_b64encode
    return encode(json_text.encode()).decode("ascii")


def string_to_sign(payload_text: str) -> str:
    """What is HMACed is the payload string itself (the v2 docs: `createHmac('sha256', secret_key).update(payload)`)."""
    return payload_text


def signature(secret: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 keyed with the secret (the v2 docs: `.digest('hex')`)."""
    return hmac_sha256_hex(secret.encode(), message.encode())


def query_string(pairs: tuple[Param, ...]) -> str:
    """GET parameters as sent: form encoding (space as `+`), order kept, `[]` of array keys literal.

    The docs write `state[]=wait`; the Node SDK's `URLSearchParams` writes
    `state%5B%5D=wait`. A server decodes both to the same key.
    """
    return join_pairs(pairs, form_encode, encode_key=keeping_brackets(form_encode))


def wire_request(request: Request, payload_text: str, sig: str) -> HttpRequest:
    """Headers `X-MAX-ACCESSKEY`, `X-MAX-PAYLOAD`, `X-MAX-SIGNATURE` (the v2 docs); the query or the JSON body as given."""
    headers = [
        ("X-MAX-ACCESSKEY", request.credentials.api_key),
        ("X-MAX-PAYLOAD", payload_text),
        ("X-MAX-SIGNATURE", sig),
    ]
    query = query_string(request.query)
    url = f"{BASE_URL}{request.path}" + (f"?{query}" if query else "")
    if isinstance(request.body, JsonBody):
        headers.append(("Content-Type", "application/json"))
        return HttpRequest.from_text(request.method, url, tuple(headers), request.body.text)
    return HttpRequest.from_text(request.method, url, tuple(headers), None)


def sign(request: Request) -> Signed:
    style = request.option("json", "compact", JSON_STYLES)
    alphabet = request.option("base64", "standard", BASE64_ALPHABETS)
    text = payload_json(payload_object(request), style)
    encoded = payload(text, alphabet)
    message = string_to_sign(encoded)
    sig = signature(request.credentials.secret, message)
    stages = Stages(payload_json=text, payload=encoded, string_to_sign=message, signature=sig)
    return Signed(stages, wire_request(request, encoded, sig))


# --- the server's side ---------------------------------------------------------


def rejection(code: int, message: str) -> Rejection:
    """HTTP 401 with `{"error":{"code":N,"message":"..."},"success":false}` (`docs/rules/max.md`, Errors)."""
    return Rejection(code, message, 401, compact_json({"error": {"code": code, "message": message}, "success": False}))


def decode_payload(payload_text: str) -> tuple[str, dict[str, Any]] | None:
    """The payload header decoded (strict standard base64, UTF-8 JSON object) and its JSON text, or None (2015)."""
    try:
        text = base64.b64decode(payload_text, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    decoded = json_or_none(text)
    return (text, decoded) if isinstance(decoded, dict) else None


def as_text(value: object) -> object:
    """A payload value as it would appear in a query string, for the consistency check (inferred)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, list):
        return [as_text(item) for item in value]
    return value


def received_query(query: str) -> dict[str, object] | None:
    """A received query string as the server reads it: `k[]` pairs collected into a list under `k`; None if too long."""
    pairs = received_pairs(query)
    if pairs is None:
        return None
    result: dict[str, object] = {}
    for key, value in pairs:
        name = array_key(key)
        if name is None:
            result[key] = value
        else:
            existing = result.setdefault(name, [])
            if isinstance(existing, list):
                existing.append(value)
    return result


def consistent(received: HttpRequest, params: dict[str, Any]) -> bool:
    """Does the request carry exactly the payload's parameters, and nothing the payload lacks?

    The rule behind error 2014, "Payload is not consistent with body or wrong
    path in payload": GET's query equals the payload's parameters; any other
    method's JSON body equals them, and a query string, if it has one, holds
    only parameters the payload carries with the same text. The comparison of
    text and numbers is inferred (the server code is not public).
    """
    query = received_query(received.query)
    as_sent = {key: as_text(value) for key, value in params.items()}
    if query is None:
        return False
    if received.method == "GET":
        return query == as_sent
    extra = any(as_sent.get(key) != value for key, value in query.items())
    return not extra and same_json(json_or_none(body_text(received) or "{}"), params)


def same_json(left: object, right: object) -> bool:
    """Equal JSON values, a boolean never equal to a number (Python's `True == 1` is not followed); 1 and 1.0 are equal.

    The server compares the decoded body with the decoded payload; a JSON
    `true` where the payload signs `1` is another value (inferred: Ruby's
    `true == 1` is false, and the server code is not public).
    """
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(value, right[key]) for key, value in left.items())
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same_json(a, b) for a, b in zip(left, right, strict=True))
    return left == right


def verify(received: HttpRequest, context: ServerContext) -> Verdict:
    """Check a request as MAX's server does: key, HMAC over the header as received, decoding, nonce, replay, consistency.

    Nonce: "within 30 seconds difference of server time" (the v2 docs); exactly 30 s
    is accepted here (the boundary is not published). Replay: "each nonce can
    be used only once" (2006). The nonce is recorded, under the access key, by
    every request that passes the signature, payload and window checks (so a
    forged or stale request never uses up a nonce), for twice the window plus
    one ms: long enough that it cannot come back while still in the window.
    When the key's space in the replay store is full, the request is refused
    with 2006 as well (MAX documents no rate-limit error): a live nonce is
    never forgotten to make room.

    Not applicable: a query reordered after signing (the server compares the
    query with the payload as a mapping, so any order is accepted).
    """
    if not well_formed(received):
        return reject(rejection(2001, "authorization failed"), "request")
    access_key, payload_text, sent_sig = (
        sole_header(received, name) for name in ("X-MAX-ACCESSKEY", "X-MAX-PAYLOAD", "X-MAX-SIGNATURE")
    )
    if not access_key or not payload_text or not sent_sig:
        return reject(rejection(2001, "authorization failed"), "request")
    secret = context.keys.secret(access_key)
    if secret is None:
        return reject(rejection(2008, "The access key does not exist."), "key")
    message = string_to_sign(payload_text)
    stages = Stages(payload=payload_text, string_to_sign=message, signature=signature(secret, message))
    if not signatures_match(sent_sig, stages.signature):
        return reject(rejection(2005, "Signature is incorrect."), "signature", stages)
    decoded = decode_payload(payload_text)
    if decoded is None:
        return reject(rejection(2015, "payload is invalid"), "request", stages)
    stages = replace(stages, payload_json=decoded[0])
    params = dict(decoded[1])
    nonce = params.pop("nonce", None)
    if isinstance(nonce, bool) or not isinstance(nonce, int) or abs(context.now_ms - nonce) > NONCE_WINDOW_MS:
        return reject(rejection(2007, "invalid nonce"), "window", stages)
    if record_nonce(context, access_key, str(nonce), 2 * NONCE_WINDOW_MS + 1) != "new":
        return reject(rejection(2006, "The nonce has already been used by access key."), "replay", stages)
    path = params.pop("path", None)
    if path != received.path or not consistent(received, {**params, "nonce": nonce}):
        return reject(rejection(2014, "Payload is not consistent with body or wrong path in payload."), "consistency", stages)
    return accept(stages)
