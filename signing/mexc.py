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
from signing.encoding import compact_json, join_pairs, percent_encode, raw, sorted_by_key, split_pairs
from signing.model import (
    Credentials,
    FormBody,
    JsonBody,
    Param,
    Rejection,
    Request,
    Signed,
    SigningError,
    Stages,
    WireRequest,
    outside_window,
)

SPOT_BASE_URL = "https://api.mexc.com"
FUTURES_BASE_URL = "https://contract.mexc.com"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
DEFAULT_FUTURES_WINDOW_S = 10


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


def verify_spot(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    """Check a spot request as the server does: key, recvWindow, timing, then signature.

    Timing: "if (timestamp < serverTime + 1000 && serverTime - timestamp <=
    recvWindow) process request, else reject". recvWindow "cannot go beyond
    60,000"; exactly 60000 is accepted here, though error 700005 reads "must
    less than 60000" (see vector flags RecvWindowBound).
    """
    api_key = wire.header("X-MEXC-APIKEY")
    if not api_key:
        return spot_rejection(400, "api key required")
    if api_key != credentials.api_key:
        return spot_rejection(10072, "invalid access key")
    received_query, received_body = split_pairs(wire.url.partition("?")[2]), split_pairs(wire.body or "")
    query, query_sig = server_canonical(received_query)
    body, body_sig = server_canonical(received_body)
    sent = dict(received_body) | dict(received_query)
    window_text = sent.get("recvWindow", str(DEFAULT_RECV_WINDOW_MS))
    if not window_text.isdigit() or int(window_text) > MAX_RECV_WINDOW_MS:
        return spot_rejection(700005, "recvWindow must less than 60000")
    timestamp_text = sent.get("timestamp", "")
    in_window = timestamp_text.isdigit() and (
        int(timestamp_text) < server_time + 1000 and server_time - int(timestamp_text) <= int(window_text)
    )
    if not in_window:
        return spot_rejection(700003, "Timestamp for this request is outside of the recvWindow")
    sent_sig = query_sig if query_sig is not None else body_sig
    if sent_sig != signature(credentials.secret, string_to_sign(query, body)):
        return spot_rejection(700002, "Signature for this request is not valid.")
    return None


def verify_futures(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    """Check a contract request: key, Request-Time against Recv-Window (seconds, at most 60), signature."""
    if wire.header("ApiKey") != credentials.api_key:
        return futures_rejection(401, "Unauthorized")
    request_time = wire.header("Request-Time") or ""
    if not request_time.isdigit():
        return futures_rejection(10073, "invalid Request-Time")
    window_text = wire.header("Recv-Window") or str(DEFAULT_FUTURES_WINDOW_S)
    window_s = min(int(window_text), 60) if window_text.isdigit() else DEFAULT_FUTURES_WINDOW_S
    if outside_window(request_time, server_time, window_s * 1000):
        return futures_rejection(513, "Invalid request, the request time is outside the window")
    if wire.method in ("GET", "DELETE"):
        pieces = [piece for piece in wire.url.partition("?")[2].split("&") if piece]
        param_string = "&".join(sorted(pieces, key=lambda piece: unquote(piece.partition("=")[0])))
    else:
        param_string = wire.body or ""
    expected = signature(credentials.secret, f"{credentials.api_key}{request_time}{param_string}")
    if wire.header("Signature") != expected:
        return futures_rejection(602, "Signature verification failed!")
    return None
