"""MEXC spot v3 (`mexc-spot-v3`): HMAC-SHA256 of the encoded query glued to the encoded form body.

Rules: the MEXC spot v3 docs, "General Info", section SIGNED
(https://mexcdevelop.github.io/apidocs/spot_v3_en/#general-info), also
`mexcdevelop/apidocs` branch `spot_v3_en`, `source/index.html.md`. The
byte-level summary is `docs/rules/mexc.md`; futures live in `signing.mexc_futures`.

Inputs: `timestamp` is the clock in ms. Requests also carry it as their
`timestamp` parameter, placed where the caller puts it, and must agree with it;
`recvWindow` is an ordinary parameter.
"""

from __future__ import annotations

from signing.digests import hmac_sha256_hex
from signing.encoding import compact_json, join_pairs, percent_encode
from signing.http import HttpRequest
from signing.model import FormBody, Param, Rejection, Request, Signed, SigningError, Stages, last_value
from signing.server import (
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

BASE_URL = "https://api.mexc.com"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
FORM_CONTENT_TYPE = ("Content-Type", "application/x-www-form-urlencoded")


# --- the client's side ---------------------------------------------------------


def encode_params(params: tuple[Param, ...]) -> str:
    """Parameters as sent: order kept, UTF-8 percent-encoded, upper-case hex, space as `%20`.

    "if there are special symbols such as comma in the parameter value, these
    symbols need to be URL encoded when signing, and encode only support
    uppercase" (General Info, SIGNED). The docs never say `+` or `%20` for a space; the
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
    sent = last_value(request.query, "timestamp")
    if sent is None:
        sent = last_value(form_params(request), "timestamp")
    if sent is None:
        raise SigningError("query", "MEXC SIGNED endpoints require a timestamp parameter in the query or body")
    if sent != str(clock):
        raise SigningError("timestamp", f"the timestamp parameter {sent!r} must equal the request timestamp")
    return sent


def canonical_query(request: Request) -> str:
    """The query string exactly as it appears in the URL, before `signature` is added."""
    return encode_params(request.query)


def request_body(request: Request) -> str:
    """The form body exactly as sent, before `signature` is added."""
    return encode_params(form_params(request))


def string_to_sign(query: str, body: str) -> str:
    """`totalParams`: "the query string concatenated with the request body".

    There is no `&` between the two: "Note that the signature is different in
    example 3. There is no & between "LIMIT" and "quantity=1"." (General Info).
    """
    return query + body


def signature(secret: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 with the secretKey as key and totalParams as value.

    "The signature is support lowercase only." (General Info, SIGNED)
    """
    return hmac_sha256_hex(secret.encode(), message.encode())


def with_signature(encoded: str, sig: str) -> str:
    return f"{encoded}&signature={sig}" if encoded else f"signature={sig}"


def wire_request(request: Request, query: str, body: str, sig: str) -> HttpRequest:
    """The request as sent, `signature` appended where the request puts its parameters.

    A request with a form body carries `signature` at the end of the body (doc
    examples 1 and 3); one without carries it at the end of the query (example 2).
    """
    api_key = ("X-MEXC-APIKEY", request.credentials.api_key)
    if isinstance(request.body, FormBody):
        url = f"{BASE_URL}{request.path}?{query}" if query else f"{BASE_URL}{request.path}"
        return HttpRequest.from_text(request.method, url, (api_key, FORM_CONTENT_TYPE), with_signature(body, sig))
    return HttpRequest.from_text(request.method, f"{BASE_URL}{request.path}?{with_signature(query, sig)}", (api_key,))


def sign(request: Request) -> Signed:
    timestamp_param(request)
    query, body = canonical_query(request), request_body(request)
    message = string_to_sign(query, body)
    sig = signature(request.credentials.secret, message)
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire_request(request, query, body, sig))


# --- the server's side ---------------------------------------------------------


def spot_rejection(code: int, msg: str, http_status: int = 400) -> Rejection:
    return Rejection(code, msg, http_status, compact_json({"code": code, "msg": msg}))


def server_canonical(received: tuple[Param, ...]) -> tuple[str, str | None]:
    """HttpRequest (decoded) parameters as the server re-encodes them, without `signature`, and the signature sent.

    The server decodes each key and value (`+` as a space) and encodes it again
    as `percent_encode` does. That is why a space sent as `+` (ccxt#21337), a
    raw `(` (mexc-api-sdk#22) or a lower-case `%2c` is rejected with 700002
    even when the client signed exactly what it sent.
    """
    unsigned = tuple(pair for pair in received if pair[0] != "signature")
    sent_signature = next((value for key, value in received if key == "signature"), None)
    return encode_params(unsigned), sent_signature


def spot_in_window(timestamp: int | None, window_ms: int, now_ms: int) -> bool:
    """"if (timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)" (General Info, Timing security).

    So a timestamp up to 999 ms ahead is accepted, 1000 ms ahead is not, and one
    exactly recvWindow old is accepted.
    """
    return timestamp is not None and timestamp < now_ms + 1000 and now_ms - timestamp <= window_ms


def verify(received: HttpRequest, context: ServerContext) -> Verdict:
    """Check a spot request as the server does: key, recvWindow, timing, then signature.

    recvWindow "cannot go beyond 60,000"; exactly 60000 is accepted here, though
    error 700005 reads "must less than 60000" (see vector flags RecvWindowBound).
    A text that is not UTF-8 is 700008 ("Illegal characters found in parameter");
    too many or too long parameters, 33333 ("param is error").

    Not applicable: a replayed nonce (spot has none; the timestamp window is
    the only freshness rule, so no replay store is consulted).
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
