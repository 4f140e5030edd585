"""Bitunix OpenAPI (`bitunix`): two rounds of SHA-256 (not HMAC).

Rules: the Bitunix OpenAPI quick start,
https://openapidoc.bitunix.com/doc/common/introduction.html (headers, the
60-second rule, GET parameters in the query string, POST parameters as a
JSON body), the futures
doc openapidoc.bitunix.com/doc/common/sign.html, the older spot doc
api-doc.bitunix.com/en_us/sign, and the demos in `BitunixOfficial/open-api`.
The byte-level summary is `docs/rules/bitunix.md`.

Wire query: GET parameters go in the URL in the order given, form-encoded
(space as `+`), as the PHP demo's `http_build_query` does
(`Demo/PHP/open_api_http_future_private.php`). The signature does not cover
that text: it covers the decoded keys and values, sorted and concatenated.

Options (`Request.options`), each optional:
- `query_format`: `concat` (default) or `key=value`. The futures doc writes
  queryParams as `id1uid200`; the spot doc writes the same example as
  `id=1uid=200`. `key=value` reproduces the spot doc and exists only to record
  that contradiction; the verifier follows the futures doc.
"""

from __future__ import annotations

from signing.digests import sha256_hex
from signing.encoding import compact_json, form_encode, join_pairs, sorted_by_key
from signing.http import HttpRequest
from signing.model import (
    JsonBody,
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
    reject,
    signatures_match,
    sole_header,
    well_formed,
)

BASE_URL = "https://fapi.bitunix.com"
WINDOW_MS = 60_000
QUERY_FORMATS = ("concat", "key=value")


def canonical_query(query: tuple[Param, ...], query_format: str = "concat") -> str:
    """queryParams: sorted ascending by key, each key followed directly by its value.

    Futures doc, sign.html: `id=1&uid=200` becomes `id1uid200`, with no `=`, no
    `&` and no URL encoding (docs/rules/bitunix.md). The spot doc prints
    `id=1uid=200` instead (`query_format` `key=value`).
    """
    separator = "=" if query_format == "key=value" else ""
    return "".join(f"{key}{separator}{value}" for key, value in sorted_by_key(query))


def request_body(request: Request) -> str:
    """The exact JSON text sent; empty for GET.

    The doc asks for compact JSON ("remove all spaces") and says the body sent
    must be identical to the one signed. Spaces inside string values are kept:
    the signed body is exactly the body sent (docs/rules/bitunix.md).
    """
    if request.body is None:
        return ""
    if request.method == "GET":
        raise SigningError("body", "Bitunix GET parameters go in the query string (docs/rules/bitunix.md)")
    if not isinstance(request.body, JsonBody):
        raise SigningError("body", "Bitunix POST parameters are a JSON body (body.json or body.json_text)")
    return request.body.text


def string_to_sign(nonce: str, timestamp: str, api_key: str, query_params: str, body: str) -> str:
    """`nonce + timestamp + apiKey + queryParams + body`, no separators (futures doc, sign.html)."""
    return f"{nonce}{timestamp}{api_key}{query_params}{body}"


def digest(message: str) -> str:
    """First round: lower-case hex SHA-256 of the UTF-8 string to sign."""
    return sha256_hex(message.encode())


def signature(inner: str, secret: str) -> str:
    """Second round: `sign = sha256_hex(digest + secretKey)`, lower-case hex."""
    return sha256_hex(f"{inner}{secret}".encode())


def wire_request(request: Request, sig: str, body: str) -> HttpRequest:
    """Headers api-key, nonce, timestamp (ms) and sign, and Content-Type application/json (the quick start, "API Validation")."""
    headers = (
        ("api-key", request.credentials.api_key),
        ("nonce", request.require_nonce()),
        ("timestamp", str(request.require_timestamp())),
        ("sign", sig),
        ("Content-Type", "application/json"),
    )
    query = join_pairs(request.query, form_encode)
    url = BASE_URL + request.path + (f"?{query}" if query else "")
    return HttpRequest.from_text(request.method, url, headers, body or None)


def sign(request: Request) -> Signed:
    query_params = canonical_query(request.query, request.option("query_format", "concat", QUERY_FORMATS))
    body = request_body(request)
    message = string_to_sign(
        request.require_nonce(), str(request.require_timestamp()), request.credentials.api_key, query_params, body
    )
    inner = digest(message)
    sig = signature(inner, request.credentials.secret)
    stages = Stages(canonical_query=query_params, string_to_sign=message, digest=inner, signature=sig)
    return Signed(stages, wire_request(request, sig, body))


# --- the server's side ------------------------------------------------------------------


def rejection(code: int, msg: str) -> Rejection:
    """Bitunix's error body, `{"code": N, "msg": "...", "data": null}` (codes: `Demo/Python/error_codes.py`)."""
    return Rejection(code, msg, 200, compact_json({"code": code, "msg": msg, "data": None}))


def verify(received: HttpRequest, context: ServerContext) -> Verdict:
    """Key, then the 60-second rule, then both rounds over the request as received.

    The docs list no code for an unknown key or a stale timestamp: an unknown
    key is answered with 10007 (sign error, step `key`, so that it is told
    apart from a wrong signature) and a timestamp more than 60 s from server
    time with 10002 (Parameter Error). Both choices are this reference's.

    Replay: the `nonce` header is "a random string" signed with the request;
    the docs never say the server remembers it, so no replay store is
    consulted.

    The string to sign has no separators, a property of the scheme (vectors
    flagged SchemeWeakness): `id=1&uid=200` and `id=1uid200` sign alike, and
    no verifier can tell them apart. One variant it can close: a nonce ending
    in `0` shortened while the timestamp gains a leading `0`. The timestamp
    must therefore be canonical text (ASCII digits, no leading zero), else
    10002; the docs do not say, so this is the reference's choice.

    Not applicable here: a query reordered after signing is accepted, since
    the server sorts the parameters itself.
    """
    query = received_pairs(received.query) if well_formed(received) else None
    if query is None:
        return reject(rejection(10002, "Parameter Error"), "request")
    api_key = sole_header(received, "api-key")
    if not api_key:
        return reject(rejection(10003, "api-key can't be empty"), "request")
    secret = context.keys.secret(api_key)
    if secret is None:
        return reject(rejection(10007, "Signature Error"), "key")
    nonce, timestamp_text = sole_header(received, "nonce"), sole_header(received, "timestamp")
    timestamp = clock_value(timestamp_text, canonical=True)
    if nonce is None or timestamp_text is None or timestamp is None:
        return reject(rejection(10002, "Parameter Error"), "request")
    if abs(context.now_ms - timestamp) > WINDOW_MS:
        return reject(rejection(10002, "Parameter Error"), "window")
    query_params = canonical_query(query)
    message = string_to_sign(nonce, timestamp_text, api_key, query_params, body_text(received))
    inner = digest(message)
    stages = Stages(canonical_query=query_params, string_to_sign=message, digest=inner, signature=signature(inner, secret))
    if not signatures_match(sole_header(received, "sign"), stages.signature):
        return reject(rejection(10007, "Signature Error"), "signature", stages)
    return accept(stages)
