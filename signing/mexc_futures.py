"""MEXC futures/contract v1 (`mexc-futures-v1`): HMAC-SHA256 of `accessKey + Request-Time + paramString`.

Rules: `mexcdevelop/apidocs` branch `contract_v1_en`, "Access and
authentication"; the byte-level summary is `docs/rules/mexc.md`, Futures.

Inputs: `timestamp` is `Request-Time` in ms; `window` is the `Recv-Window`
header, in seconds. One option, `query_encoding` (`percent`, the default, or
`raw`), for GET and DELETE values.
"""

from __future__ import annotations

from urllib.parse import unquote

from signing.digests import hmac_sha256_hex
from signing.encoding import compact_json, join_pairs, percent_encode, raw, sorted_by_key
from signing.http import MAX_CLOCK_DIGITS, MAX_PARAMS, HttpRequest
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

BASE_URL = "https://contract.mexc.com"
DEFAULT_WINDOW_S = 10
MAX_WINDOW_S = 60


# --- the client's side ---------------------------------------------------------


def signature(secret: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 keyed with the secret key (contract v1 docs, "Signature")."""
    return hmac_sha256_hex(secret.encode(), message.encode())


def futures_param_string(request: Request) -> str:
    """The signed parameter string (`paramString`) of a contract request.

    Contract v1 docs, "Signature": for GET and DELETE the business parameters
    are sorted by key and joined as `k=v&k=v`; for POST the parameter string
    is the JSON body exactly as sent, unsorted; with no parameters it is the
    empty string. Values are percent-encoded, as the docs' Java example does,
    so that the signed text is the query the URL carries. `options.query_encoding:
    raw` signs and sends raw values instead, as the official Go demo does; the
    docs do not settle it (vectors flagged FuturesEncodingUnclear).
    """
    if request.method in ("GET", "DELETE"):
        if request.body is not None:
            raise SigningError("body", f"MEXC futures {request.method} requests carry no body; use query")
        encode = raw if request.option("query_encoding", "percent", ("percent", "raw")) == "raw" else percent_encode
        return join_pairs(sorted_by_key(request.query), encode)
    if request.query:
        raise SigningError("query", f"MEXC futures {request.method} requests carry their parameters as a JSON body")
    if request.body is None:
        return ""
    if not isinstance(request.body, JsonBody):
        raise SigningError("body", "MEXC futures POST bodies are JSON (body.json or body.json_text)")
    return request.body.text


def futures_string_to_sign(request: Request, param_string: str) -> str:
    """`accessKey + Request-Time + paramString`, with no separators (contract v1 docs, "Signature")."""
    return f"{request.credentials.api_key}{request.require_timestamp()}{param_string}"


def recv_window(window: int) -> str:
    """`Recv-Window` in seconds, 1 or more (the server reads more than 60 as 60): 0 or less, or 20 digits, is answered 600."""
    if not 1 <= window < 10**MAX_CLOCK_DIGITS:
        raise SigningError("window", "must be 1 or more seconds, of at most 19 digits (Recv-Window)")
    return str(window)


def futures_wire_request(request: Request, param_string: str, sig: str) -> HttpRequest:
    """Headers `ApiKey`, `Request-Time`, `Signature`, `Content-Type` and the optional `Recv-Window` (seconds)."""
    headers = [
        ("ApiKey", request.credentials.api_key),
        ("Request-Time", str(request.require_timestamp())),
        ("Signature", sig),
        ("Content-Type", "application/json"),
    ]
    if request.window is not None:
        headers.append(("Recv-Window", recv_window(request.window)))
    in_query = request.method in ("GET", "DELETE") and param_string
    url = f"{BASE_URL}{request.path}" + (f"?{param_string}" if in_query else "")
    body = param_string if request.method not in ("GET", "DELETE") and param_string else None
    return HttpRequest.from_text(request.method, url, tuple(headers), body)


def sign(request: Request) -> Signed:
    param_string = futures_param_string(request)
    message = futures_string_to_sign(request, param_string)
    sig = signature(request.credentials.secret, message)
    stages = Stages(canonical_query=param_string, string_to_sign=message, signature=sig)
    return Signed(stages, futures_wire_request(request, param_string, sig))


# --- the server's side ---------------------------------------------------------


def futures_rejection(code: int, message: str) -> Rejection:
    return Rejection(code, message, 200, compact_json({"success": False, "code": code, "message": message}))


def futures_window_s(received: HttpRequest) -> int | None:
    """`Recv-Window` in seconds: absent means 10; the docs' "maximum 60" caps it; anything else is None (600)."""
    text = received.header_values("Recv-Window")
    if not text:
        return DEFAULT_WINDOW_S
    window = clock_value(text[0], canonical=True) if len(text) == 1 else None
    return None if window is None or window == 0 else min(window, MAX_WINDOW_S)


def received_param_string(received: HttpRequest) -> str | None:
    """GET and DELETE: the query's `k=v` pieces as sent, sorted by decoded key; POST: the body as sent.

    None (600) when the query has more than `MAX_PARAMS` pieces.
    """
    if received.method in ("GET", "DELETE"):
        if received.query.count("&") >= MAX_PARAMS:
            return None
        pieces = [piece for piece in received.query.split("&") if piece]
        return "&".join(sorted(pieces, key=lambda piece: unquote(piece.partition("=")[0])))
    return body_text(received)


def verify(received: HttpRequest, context: ServerContext) -> Verdict:
    """Check a contract request: key, Request-Time against Recv-Window (seconds, at most 60), signature.

    A POST or PUT signs its JSON body alone; a query string on one would be
    content the signature does not cover, so it is refused (602, step
    `consistency`): the contract rules put POST parameters in the body only.
    A malformed `Recv-Window` or non-UTF-8 text is 600 "Parameter error".

    Not applicable: a replayed nonce (no nonce is sent; error 603 "repeated
    request" is listed without a rule saying what repeats, so no replay store
    is consulted), and a query reordered after signing (the server sorts GET
    parameters itself, so any order is accepted).
    """
    if not well_formed(received):
        return reject(futures_rejection(600, "Parameter error"), "request")
    api_key = sole_header(received, "ApiKey")
    if not api_key:
        return reject(futures_rejection(401, "Unauthorized"), "request")
    secret = context.keys.secret(api_key)
    if secret is None:
        return reject(futures_rejection(401, "Unauthorized"), "key")
    request_time = sole_header(received, "Request-Time")
    timestamp = clock_value(request_time, canonical=True)
    if timestamp is None:
        return reject(futures_rejection(10073, "invalid Request-Time"), "request")
    window_s, param_string = futures_window_s(received), received_param_string(received)
    if window_s is None or param_string is None:
        return reject(futures_rejection(600, "Parameter error"), "request")
    if abs(context.now_ms - timestamp) > window_s * 1000:
        return reject(futures_rejection(513, "Invalid request, the request time is outside the window"), "window")
    message = f"{api_key}{request_time}{param_string}"
    stages = Stages(canonical_query=param_string, string_to_sign=message, signature=signature(secret, message))
    if received.method not in ("GET", "DELETE") and received.query:
        return reject(futures_rejection(602, "Signature verification failed!"), "consistency", stages)
    if not signatures_match(sole_header(received, "Signature"), stages.signature):
        return reject(futures_rejection(602, "Signature verification failed!"), "signature", stages)
    return accept(stages)
