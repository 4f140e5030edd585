"""CoinEx API v2 (`coinex-v2`) and its pre-2024 form (`coinex-v2-sha256-legacy`).

Rules: the CoinEx API v2 "Integration Guide",
https://docs.coinex.com/api/v2/guide (headers, time window),
docs.coinex.com/api/v2/authorization (the prepared string and its
Python pseudocode). The byte-level summary is `docs/rules/coinex.md`. The
legacy v1 schemes live in `signing.coinex_v1`.

Options (`Request.options`), each optional:
- `text_encoding`: `latin-1` (default) or `utf-8`. How the secret and the
  prepared string become bytes. The docs' pseudocode encodes both as latin-1;
  a character above U+00FF cannot be latin-1 and is refused with a
  `SigningError` naming the field. Percent-encoded queries are ASCII and
  unaffected; only raw non-ASCII in a JSON body (or the path) differs.
- `query_encoding`: `form` (default) or `percent`. How the query is written in
  the URL: `form` is what the docs' demo's `urlencode` writes (space as `+`),
  `percent` is RFC 3986 (space as `%20`). Either way the signature covers the
  query exactly as it appears in the URL.
"""

from __future__ import annotations

from collections.abc import Callable

from signing.digests import hmac_sha256_hex, sha256_hex
from signing.encoding import Encoder, compact_json, form_encode, join_pairs, percent_encode
from signing.http import MAX_CLOCK_DIGITS, HttpRequest
from signing.model import JsonBody, Rejection, Request, Signed, SigningError, Stages
from signing.server import (
    ServerContext,
    Verdict,
    accept,
    body_text,
    clock_value,
    reject,
    signatures_match,
    sole_header,
    well_formed,
)

BASE_URL = "https://api.coinex.com"
DEFAULT_WINDOW_MS = 5000
MAX_WINDOW_MS = 60_000
MAX_FUTURE_MS = 5000
NO_BODY_METHODS = ("GET", "DELETE")
TEXT_ENCODINGS = ("latin-1", "utf-8")
QUERY_ENCODERS: dict[str, Encoder] = {"form": form_encode, "percent": percent_encode}

Signature = Callable[[str, str, str], str]


# --- the client's side ------------------------------------------------------------


def text_encoding(request: Request) -> str:
    return request.option("text_encoding", "latin-1", TEXT_ENCODINGS)


def encoded(field_name: str, text: str, encoding: str) -> bytes:
    """`text` as bytes in `encoding`, or a `SigningError` naming the field.

    The docs' pseudocode: `bytes(secret_key, 'latin-1')` and
    `bytes(prepared_str, 'latin-1')`. Latin-1 covers U+0000 to U+00FF only.
    The error names the character, except in the secret, of which it says nothing.
    """
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        if field_name == "credentials.secret":
            raise SigningError(field_name, f"cannot be encoded as {encoding}") from None
        bad = text[error.start]
        raise SigningError(field_name, f"U+{ord(bad):04X} cannot be encoded as {encoding}; use text_encoding utf-8") from None


def canonical_query(request: Request) -> str:
    """The query exactly as it appears in the URL, in the order given; CoinEx does not sort.

    request_path includes "?" plus the query string "if applicable"
    (docs.coinex.com/api/v2/authorization); the demo builds it with
    `urlencode(params)` in insertion order (docs/rules/coinex.md).
    """
    encoder = QUERY_ENCODERS[request.option("query_encoding", "form", tuple(QUERY_ENCODERS))]
    return join_pairs(request.query, encoder)


def request_path(request: Request, query: str) -> str:
    """The path including `/v2`, plus `?` and the query when there is one."""
    return f"{request.path}?{query}" if query else request.path


def request_body(request: Request) -> str:
    """The exact body text sent: empty for GET and DELETE, else the JSON body as given.

    "if there is no request body in some methods (GET/DELETE), it can be
    omitted" (docs.coinex.com/api/v2/authorization).
    """
    if request.body is None:
        return ""
    if request.method in NO_BODY_METHODS:
        raise SigningError("body", f"CoinEx {request.method} requests carry no body; use query")
    if not isinstance(request.body, JsonBody):
        raise SigningError("body", "CoinEx v2 bodies are JSON (body.json or body.json_text)")
    return request.body.text


def string_to_sign(method: str, path_with_query: str, body: str, timestamp: str) -> str:
    """`prepared_str = method + request_path + body(optional) + timestamp`, no separators.

    timestamp is the X-COINEX-TIMESTAMP header value (docs.coinex.com/api/v2/authorization).
    """
    return f"{method}{path_with_query}{body}{timestamp}"


def signature(secret: str, message: str, encoding: str) -> str:
    """Lower-case hex HMAC-SHA256 keyed with the secret_key, 64 characters.

    docs.coinex.com/api/v2/authorization: HMAC-SHA256 with secret_key as the
    key, "lowercase hexadecimal format with a length of 64 characters".
    """
    return hmac_sha256_hex(encoded("credentials.secret", secret, encoding), encoded("string_to_sign", message, encoding))


def legacy_signature(secret: str, message: str, encoding: str) -> str:
    """Pre-2024: lower-case hex SHA-256 of `prepared_str + secret_key` (plain hash, not HMAC).

    The demos in `coinexcom/coinex_api_demo` until 2024-04, and ccxt's CoinEx v2
    up to 4.5.85 (docs/rules/coinex.md, "What a widely used client does instead").
    """
    return sha256_hex(encoded("string_to_sign", message, encoding) + encoded("credentials.secret", secret, encoding))


def window_time(window: int) -> str:
    """X-COINEX-WINDOWTIME in ms, as digits a server reads: 0 or more, at most 19 digits; a negative one is refused.

    A window above this reference's cap (`MAX_WINDOW_MS`, choice coinex-v2-window-cap) is still signed: the docs
    state no largest window, so such a request is one reading of them (vector coinex-v2-0030), which the
    reference's verifier answers 4004.
    """
    if not 0 <= window < 10**MAX_CLOCK_DIGITS:
        raise SigningError("window", "must be 0 or more ms, of at most 19 digits (X-COINEX-WINDOWTIME)")
    return str(window)


def wire_request(request: Request, query: str, body: str, sig: str) -> HttpRequest:
    """Headers X-COINEX-KEY, X-COINEX-SIGN, X-COINEX-TIMESTAMP and the optional X-COINEX-WINDOWTIME (ms).

    The Integration Guide ("Public Parameter"): X-COINEX-TIMESTAMP is required; X-COINEX-WINDOWTIME
    is optional, default 5000 milliseconds.
    """
    headers = [
        ("X-COINEX-KEY", request.credentials.api_key),
        ("X-COINEX-SIGN", sig),
        ("X-COINEX-TIMESTAMP", str(request.require_timestamp())),
    ]
    if request.window is not None:
        headers.append(("X-COINEX-WINDOWTIME", window_time(request.window)))
    if body:
        headers.append(("Content-Type", "application/json"))
    return HttpRequest.from_text(request.method, BASE_URL + request_path(request, query), tuple(headers), body or None)


def sign_prepared(request: Request, sign_with: Signature) -> Signed:
    encoding = text_encoding(request)
    query, body = canonical_query(request), request_body(request)
    encoded("path", request.path, encoding)
    encoded("body", body, encoding)
    message = string_to_sign(request.method, request_path(request, query), body, str(request.require_timestamp()))
    sig = sign_with(request.credentials.secret, message, encoding)
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire_request(request, query, body, sig))


def sign_v2(request: Request) -> Signed:
    return sign_prepared(request, signature)


def sign_v2_legacy(request: Request) -> Signed:
    return sign_prepared(request, legacy_signature)


# --- the server's side ------------------------------------------------------------------


def rejection(code: int, message: str) -> Rejection:
    """CoinEx's error body, `{"code": N, "data": {}, "message": "..."}`, with HTTP 200 (Integration Guide)."""
    return Rejection(code, message, 200, compact_json({"code": code, "data": {}, "message": message}))


def window_ms(received: HttpRequest) -> int | None:
    """X-COINEX-WINDOWTIME in ms: 5000 when absent (Integration Guide); None (4004) when malformed or above the cap.

    The header is not signed, so an uncapped window would let anyone revive an
    old captured request by adding `X-COINEX-WINDOWTIME: 999999999999`. The docs
    state no maximum; this reference caps it at 60000 ms (the legacy ±60 s rule).
    """
    values = received.header_values("X-COINEX-WINDOWTIME")
    if not values:
        return DEFAULT_WINDOW_MS
    window = clock_value(values[0], canonical=True) if len(values) == 1 else None
    return window if window is not None and window <= MAX_WINDOW_MS else None


def fresh(timestamp: int, window: int, now_ms: int) -> bool:
    """Sent at most `window` ms ago (Integration Guide), and at most `MAX_FUTURE_MS` ahead of the server clock.

    The docs say nothing about the future; an unbounded future, together with
    the missing separator between query and timestamp, would let trailing
    query digits move into the timestamp. 5000 ms (the default window) is this
    reference's bound.
    """
    return -MAX_FUTURE_MS <= now_ms - timestamp <= window


def verify_prepared(received: HttpRequest, context: ServerContext, sign_with: Signature) -> Verdict:
    """Key, then the time window, then the signature, over the request exactly as received.

    The timestamp must be canonical text (ASCII digits, no leading zero): the
    prepared string ends `query + timestamp` with no separator, so
    `order_id=13400` at `T` and `order_id=1340` at `0T` would otherwise sign
    alike. The server is taken to decode as the docs' pseudocode does
    (latin-1); that is what `text_encoding` vectors are `acceptable` about.

    Not applicable: a replayed nonce (v2 defines none; the timestamp window is
    the only freshness rule, so no replay store is consulted).
    """
    if not well_formed(received):
        return reject(rejection(4004, "parameter error"), "request")
    api_key = sole_header(received, "X-COINEX-KEY")
    if not api_key:
        return reject(rejection(4005, "abnormal access_id"), "request")
    secret = context.keys.secret(api_key)
    if secret is None:
        return reject(rejection(4005, "abnormal access_id"), "key")
    timestamp_text = sole_header(received, "X-COINEX-TIMESTAMP")
    timestamp = clock_value(timestamp_text, canonical=True)
    window = window_ms(received)
    if timestamp_text is None or timestamp is None or window is None:
        return reject(rejection(4004, "parameter error"), "request")
    if not fresh(timestamp, window, context.now_ms):
        return reject(rejection(4010, "expired request"), "window")
    message = string_to_sign(received.method, received.origin, body_text(received), timestamp_text)
    try:
        expected = sign_with(secret, message, "latin-1")
    except SigningError:
        return reject(rejection(4006, "signature verification failed"), "signature", Stages(string_to_sign=message))
    stages = Stages(canonical_query=received.query, string_to_sign=message, signature=expected)
    if not signatures_match(sole_header(received, "X-COINEX-SIGN"), expected):
        return reject(rejection(4006, "signature verification failed"), "signature", stages)
    return accept(stages)


def verify_v2(received: HttpRequest, context: ServerContext) -> Verdict:
    return verify_prepared(received, context, signature)


def verify_v2_legacy(received: HttpRequest, context: ServerContext) -> Verdict:
    return verify_prepared(received, context, legacy_signature)
