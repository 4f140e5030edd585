"""MEXC: spot v3 (`mexc-spot-v3`) and futures/contract v1 (`mexc-futures-v1`).

Spot rules: seed `001_c368e9ce9f3e1c60.txt` ("General Info", section SIGNED),
also `mexcdevelop/apidocs` branch `spot_v3_en`, `source/index.html.md`.
Futures rules: `mexcdevelop/apidocs` branch `contract_v1_en`, "Access and
authentication". The byte-level summary is `shared/specs/mexc.md`.

Inputs: `timestamp` is the clock in ms. Spot requests also carry it as their
`timestamp` parameter, placed where the caller puts it, and must agree with it;
`recvWindow` is an ordinary parameter. Futures take `window` as the
`Recv-Window` header, in seconds, and one option, `query_encoding`
(`percent`, the default, or `raw`), for GET and DELETE values.
"""

from __future__ import annotations

from urllib.parse import unquote

from signing.digests import hmac_sha256_hex
from signing.encoding import compact_json, join_pairs, percent_encode, raw, sorted_by_key
from signing.model import (
    FormBody,
    JsonBody,
    Param,
    Received,
    Rejection,
    Request,
    Signed,
    SigningError,
    Stages,
    WireRequest,
)
from signing.server import (
    MAX_PARAMS,
    ServerContext,
    Verdict,
    accept,
    body_text,
    clock_value,
    received_pairs,
    reject,
    signatures_match,
    sole_header,
    well_formed,
)

SPOT_BASE_URL = "https://api.mexc.com"
FUTURES_BASE_URL = "https://contract.mexc.com"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
DEFAULT_FUTURES_WINDOW_S = 10
MAX_FUTURES_WINDOW_S = 60


# --- spot v3 -----------------------------------------------------------------


def encode_params(params: tuple[Param, ...]) -> str:
    """Parameters as sent: order kept, UTF-8 percent-encoded, upper-case hex, space as `%20`.

    "if there are special symbols such as comma in the parameter value, these
    symbols need to be URL encoded when signing, and encode only support
    uppercase" (seed, SIGNED). The docs never say `+` or `%20` for a space; the
    official Go demo and ccxt send `%20`, and the signature covers what is sent.
    """
    return join_pairs(params, percent_encode)


def form_params(request: Request) -> tuple[Param, ...]:
    return request.form_params("MEXC spot v3 signs form bodies (body.form) only")


def timestamp_param(request: Request) -> str:
    """The `timestamp` parameter, which must equal the request's clock value.

    "A SIGNED endpoint also requires a parameter, timestamp, to be sent which
    should be the millisecond timestamp of when the request was created and
    sent." If it is sent in both places, "the query string parameter will be used".
    """
    clock = request.require_timestamp()
    sent = dict(form_params(request)) | dict(request.query)
    if "timestamp" not in sent:
        raise SigningError("query", "MEXC SIGNED endpoints require a timestamp parameter in the query or body")
    if sent["timestamp"] != str(clock):
        raise SigningError("timestamp", f"the timestamp parameter {sent['timestamp']!r} must equal the request timestamp")
    return sent["timestamp"]


def canonical_query(request: Request) -> str:
    """The query string exactly as it appears in the URL, before `signature` is added."""
    return encode_params(request.query)


def request_body(request: Request) -> str:
    """The form body exactly as sent, before `signature` is added."""
    return encode_params(form_params(request))


def string_to_sign(query: str, body: str) -> str:
    """`totalParams`: "the query string concatenated with the request body".

    There is no `&` between the two: "Note that the signature is different in
    example 3. There is no & between "LIMIT" and "quantity=1"." (seed).
    """
    return query + body


def signature(secret: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 with the secretKey as key and totalParams as value.

    "The signature is support lowercase only." (seed, SIGNED)
    """
    return hmac_sha256_hex(secret.encode(), message.encode())


def with_signature(encoded: str, sig: str) -> str:
    return f"{encoded}&signature={sig}" if encoded else f"signature={sig}"


def wire_request(request: Request, query: str, body: str, sig: str) -> WireRequest:
    """The request as sent, `signature` appended where the request puts its parameters.

    A request with a form body carries `signature` at the end of the body (doc
    examples 1 and 3); one without carries it at the end of the query (example 2).
    """
    headers: list[tuple[str, str]] = [("X-MEXC-APIKEY", request.credentials.api_key)]
    if isinstance(request.body, FormBody):
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        body_text: str | None = with_signature(body, sig)
    else:
        query, body_text = with_signature(query, sig), None
    url = f"{SPOT_BASE_URL}{request.path}" + (f"?{query}" if query else "")
    return WireRequest(request.method, url, tuple(headers), body_text)


def sign_spot(request: Request) -> Signed:
    timestamp_param(request)
    query, body = canonical_query(request), request_body(request)
    message = string_to_sign(query, body)
    sig = signature(request.credentials.secret, message)
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire_request(request, query, body, sig))


# --- futures v1 ----------------------------------------------------------------


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


def futures_wire_request(request: Request, param_string: str, sig: str) -> WireRequest:
    """Headers `ApiKey`, `Request-Time`, `Signature`, `Content-Type` and the optional `Recv-Window` (seconds)."""
    headers = [
        ("ApiKey", request.credentials.api_key),
        ("Request-Time", str(request.require_timestamp())),
        ("Signature", sig),
        ("Content-Type", "application/json"),
    ]
    if request.window is not None:
        headers.append(("Recv-Window", str(request.window)))
    in_query = request.method in ("GET", "DELETE") and param_string
    url = f"{FUTURES_BASE_URL}{request.path}" + (f"?{param_string}" if in_query else "")
    body = param_string if request.method not in ("GET", "DELETE") and param_string else None
    return WireRequest(request.method, url, tuple(headers), body)


def sign_futures(request: Request) -> Signed:
    param_string = futures_param_string(request)
    message = futures_string_to_sign(request, param_string)
    sig = signature(request.credentials.secret, message)
    stages = Stages(canonical_query=param_string, string_to_sign=message, signature=sig)
    return Signed(stages, futures_wire_request(request, param_string, sig))


# --- the server's side ---------------------------------------------------------
#
# Replay: neither MEXC scheme documents a one-time nonce (spot has none; the
# futures error 603 "repeated request" is listed without a rule saying what
# repeats), so no replay store is consulted.


def spot_rejection(code: int, msg: str, http_status: int = 400) -> Rejection:
    return Rejection(code, msg, http_status, compact_json({"code": code, "msg": msg}))


def futures_rejection(code: int, message: str) -> Rejection:
    return Rejection(code, message, 200, compact_json({"success": False, "code": code, "message": message}))


def server_canonical(received: tuple[Param, ...]) -> tuple[str, str | None]:
    """Received (decoded) parameters as the server re-encodes them, without `signature`, and the signature sent.

    The server decodes each key and value (`+` as a space) and encodes it again
    as `percent_encode` does. That is why a space sent as `+` (ccxt#21337), a
    raw `(` (mexc-api-sdk#22) or a lower-case `%2c` is rejected with 700002
    even when the client signed exactly what it sent.
    """
    unsigned = tuple(pair for pair in received if pair[0] != "signature")
    sent_signature = next((value for key, value in received if key == "signature"), None)
    return encode_params(unsigned), sent_signature


def spot_in_window(timestamp: int | None, window_ms: int, now_ms: int) -> bool:
    """"if (timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)" (seed, timing security).

    So a timestamp up to 999 ms ahead is accepted, 1000 ms ahead is not, and one
    exactly recvWindow old is accepted.
    """
    return timestamp is not None and timestamp < now_ms + 1000 and now_ms - timestamp <= window_ms


def verify_spot(received: Received, context: ServerContext) -> Verdict:
    """Check a spot request as the server does: key, recvWindow, timing, then signature.

    recvWindow "cannot go beyond 60,000"; exactly 60000 is accepted here, though
    error 700005 reads "must less than 60000" (see vector flags RecvWindowBound).
    A text that is not UTF-8 is 700008 ("Illegal characters found in parameter").
    """
    if not well_formed(received):
        return reject(spot_rejection(700008, "Illegal characters found in parameter"), "request")
    api_key = sole_header(received, "X-MEXC-APIKEY")
    if not api_key:
        return reject(spot_rejection(400, "api key required"), "request")
    secret = context.keys.secret(api_key)
    if secret is None:
        return reject(spot_rejection(10072, "invalid access key"), "key")
    received_query, received_body = received_pairs(received.query), received_pairs(body_text(received))
    if received_query is None or received_body is None:
        return reject(spot_rejection(33333, "param is error"), "request")
    query, query_sig = server_canonical(received_query)
    body, body_sig = server_canonical(received_body)
    sent = dict(received_body) | dict(received_query)
    window_ms = clock_value(sent.get("recvWindow", str(DEFAULT_RECV_WINDOW_MS)))
    if window_ms is None or window_ms > MAX_RECV_WINDOW_MS:
        return reject(spot_rejection(700005, "recvWindow must less than 60000"), "window")
    if not spot_in_window(clock_value(sent.get("timestamp")), window_ms, context.now_ms):
        return reject(spot_rejection(700003, "Timestamp for this request is outside of the recvWindow"), "window")
    message = string_to_sign(query, body)
    stages = Stages(canonical_query=query, string_to_sign=message, signature=signature(secret, message))
    sent_sig = query_sig if query_sig is not None else body_sig
    if not signatures_match(sent_sig, stages.signature):
        return reject(spot_rejection(700002, "Signature for this request is not valid."), "signature", stages)
    return accept(stages)


def futures_window_s(received: Received) -> int | None:
    """`Recv-Window` in seconds: absent means 10; the docs' "maximum 60" caps it; anything else is None (600)."""
    text = received.header_values("Recv-Window")
    if not text:
        return DEFAULT_FUTURES_WINDOW_S
    window = clock_value(text[0], canonical=True) if len(text) == 1 else None
    return None if window is None or window == 0 else min(window, MAX_FUTURES_WINDOW_S)


def received_param_string(received: Received) -> str | None:
    """GET and DELETE: the query's `k=v` pieces as sent, sorted by decoded key; POST: the body as sent.

    None (600) when the query has more than `MAX_PARAMS` pieces.
    """
    if received.method in ("GET", "DELETE"):
        if received.query.count("&") >= MAX_PARAMS:
            return None
        pieces = [piece for piece in received.query.split("&") if piece]
        return "&".join(sorted(pieces, key=lambda piece: unquote(piece.partition("=")[0])))
    return body_text(received)


def verify_futures(received: Received, context: ServerContext) -> Verdict:
    """Check a contract request: key, Request-Time against Recv-Window (seconds, at most 60), signature.

    A POST or PUT signs its JSON body alone; a query string on one would be
    content the signature does not cover, so it is refused (602, step
    `consistency`): the contract rules put POST parameters in the body only.
    A malformed `Recv-Window` or non-UTF-8 text is 600 "Parameter error".
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
