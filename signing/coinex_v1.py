"""CoinEx legacy schemes: spot v1 (`coinex-v1`) and perpetual v1 (`coinex-perpetual-v1`).

Rules: the legacy wiki of `coinexcom/coinex_exchange_api`
("012security_authorization", "050id_verification") and its demo
`python2.7/demo.py`. The byte-level summary is `docs/rules/coinex.md`; API
v2 lives in `signing.coinex_v2`.

Both string to sign end with `&secret_key=SECRET`, so the secret is part of
that stage (the registry declares it a secret stage). Nothing this module
raises or prints quotes the string to sign or any part of the secret: the
signature hashes the parameter text and the secret as separately encoded
bytes, and an encoding error names the parameter, never the secret.

Option (`Request.options`), perpetual only: `param_order`, `sorted` (default)
or `as-given`. The perpetual docs say to sort the parameters, but their own
example string (`market=BTCUSD&type=buy&price=680&amount=1.0&timestamp=...`)
is not sorted, and its documented signature reproduces only in that order.
`as-given` lets a vector record the documented example exactly as printed;
the verifier follows the stated rule (sorted).
"""

from __future__ import annotations

from signing.coinex_v2 import BASE_URL, NO_BODY_METHODS, rejection
from signing.digests import md5_hex, sha256_hex
from signing.encoding import form_encode, join_pairs, sorted_by_key
from signing.http import HttpRequest
from signing.model import FormBody, Param, Request, Signed, SigningError, Stages
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

TONCE_WINDOW_MS = 60_000
SECRET_SEPARATOR = "&secret_key="
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


# --- the client's side ------------------------------------------------------------


def legacy_params(request: Request) -> tuple[Param, ...]:
    """The signed parameters: the query, or the form body of a perpetual POST."""
    if request.body is None:
        return request.query
    if request.query or not isinstance(request.body, FormBody) or request.method in NO_BODY_METHODS:
        raise SigningError("body", "this reference signs legacy CoinEx parameters from the query, or a form body alone")
    return request.body.params


def required_param(params: tuple[Param, ...], name: str, value: str) -> None:
    sent = dict(params)
    if sent.get(name) != value:
        raise SigningError("query", f"the {name} parameter must be sent and equal {value!r}; got {sent.get(name)!r}")


def with_secret(params_text: str, secret: str) -> str:
    """Sorted raw `k=v&...` with `&secret_key=SECRET` appended (legacy wiki, "012security_authorization")."""
    return f"{params_text}{SECRET_SEPARATOR}{secret}"


def secret_suffixed_bytes(params_text: str, secret: str) -> bytes:
    """The UTF-8 bytes of `with_secret(params_text, secret)`, each part encoded on its own.

    A lone surrogate in the parameters is refused naming the parameters; one
    in the secret is refused without quoting any of it.
    """
    try:
        head = params_text.encode()
    except UnicodeEncodeError as error:
        raise SigningError("query", f"character {error.start} is a lone surrogate, which is not UTF-8 text") from None
    try:
        tail = secret.encode()
    except UnicodeEncodeError:
        raise SigningError("credentials.secret", "is not UTF-8 text") from None
    return head + SECRET_SEPARATOR.encode() + tail


def v1_canonical_query(request: Request) -> str:
    """All parameters, `access_id` and `tonce` (ms) included, sorted by key, raw `k=v` joined by `&`.

    Legacy wiki "012security_authorization": "Request parameters should include
    access_id and all parameters need to be signed", sorted alphabetically; the
    values are not URL-encoded (`python2.7/demo.py` joins `key + '=' + str(value)`).
    """
    params = legacy_params(request)
    required_param(params, "access_id", request.credentials.api_key)
    required_param(params, "tonce", str(request.require_timestamp()))
    return join_pairs(sorted_by_key(params))


def v1_signature(params_text: str, secret: str) -> str:
    """Upper-case hex MD5 of the string to sign, which ends with the secret.

    Legacy wiki: "Use MD5 algorithm to encrypt the signature string, convert
    encrypted result to uppercase" (CoinEx.Net#14: lower case is rejected).
    """
    return md5_hex(secret_suffixed_bytes(params_text, secret)).upper()


def legacy_wire_request(request: Request, headers: list[tuple[str, str]], params: tuple[Param, ...]) -> HttpRequest:
    """The parameters form-encoded (as urllib3's `fields=` does) in the query, or in a form body for POST, whose
    form `Content-Type` takes the place of any other (a request carries one)."""
    encoded_params = join_pairs(params, form_encode)
    if isinstance(request.body, FormBody):
        form_headers = (*(pair for pair in headers if pair[0] != "Content-Type"), ("Content-Type", FORM_CONTENT_TYPE))
        return HttpRequest.from_text(request.method, BASE_URL + request.path, form_headers, encoded_params)
    url = BASE_URL + request.path + (f"?{encoded_params}" if encoded_params else "")
    return HttpRequest.from_text(request.method, url, tuple(headers), None)


def sign_v1(request: Request) -> Signed:
    query = v1_canonical_query(request)
    sig = v1_signature(query, request.credentials.secret)
    headers = [("authorization", sig), ("Content-Type", "application/json")]
    wire = legacy_wire_request(request, headers, legacy_params(request))
    stages = Stages(canonical_query=query, string_to_sign=with_secret(query, request.credentials.secret), signature=sig)
    return Signed(stages, wire)


def perpetual_params(request: Request) -> tuple[Param, ...]:
    """The parameters in signing order: sorted by key, or as given (option `param_order`)."""
    params = legacy_params(request)
    required_param(params, "timestamp", str(request.require_timestamp()))
    order = request.option("param_order", "sorted", ("sorted", "as-given"))
    return sorted_by_key(params) if order == "sorted" else params


def perpetual_signature(params_text: str, secret: str) -> str:
    """Lower-case hex SHA-256 of the string to sign, which ends with the secret (docs/rules/coinex.md)."""
    return sha256_hex(secret_suffixed_bytes(params_text, secret))


def sign_perpetual_v1(request: Request) -> Signed:
    params = perpetual_params(request)
    query = join_pairs(params)
    sig = perpetual_signature(query, request.credentials.secret)
    headers = [("Authorization", sig), ("AccessId", request.credentials.api_key)]
    wire = legacy_wire_request(request, headers, params)
    stages = Stages(canonical_query=query, string_to_sign=with_secret(query, request.credentials.secret), signature=sig)
    return Signed(stages, wire)


# --- the server's side ------------------------------------------------------------------
#
# Codes as third-party v1 clients list them from the v1 and perpetual error
# tables (viabtc.github.io/coinex_api_en_doc; the tables themselves were not
# consulted): spot 2 invalid argument, 24 AccessID does not exist, 25
# signature error, 227 tonce outside ±60 s; perpetual 4004, 4005, 4006, 4010.


def unsigned_query(received: HttpRequest) -> bool:
    """Does a form POST also carry a query string?

    Only one of the two is signed (the form body of a POST, else the query),
    so the other would be content the signature does not cover: refused.
    """
    return bool(received.body and received.query)


def received_params(received: HttpRequest) -> tuple[Param, ...] | None:
    """The parameters a legacy server reads: the decoded form body of a POST, else the decoded query; None if malformed."""
    if not well_formed(received):
        return None
    return received_pairs(body_text(received) or received.query)


def verify_v1(received: HttpRequest, context: ServerContext) -> Verdict:
    """Legacy spot v1: access_id, tonce within ±60 s ("050id_verification"), then the upper-case MD5.

    Not applicable: a replayed nonce (the tonce is a clock, not a one-time
    nonce, so no replay store is consulted), and a query reordered after
    signing (the server sorts every key itself).
    """
    params = received_params(received)
    if params is None:
        return reject(rejection(2, "Invalid argument"), "request")
    if unsigned_query(received):
        return reject(rejection(25, "Signature error"), "consistency")
    sent = dict(params)
    secret = context.keys.secret(sent.get("access_id", ""))
    if secret is None:
        return reject(rejection(24, "AccessID does not exist"), "key")
    tonce = clock_value(sent.get("tonce"))
    if tonce is None or abs(context.now_ms - tonce) > TONCE_WINDOW_MS:
        return reject(rejection(227, "The timestamp is wrong, the timestamp must be within ±60s of the server time"), "window")
    query = join_pairs(sorted_by_key(params))
    stages = Stages(canonical_query=query, string_to_sign=with_secret(query, secret), signature=v1_signature(query, secret))
    if not signatures_match(sole_header(received, "authorization"), stages.signature):
        return reject(rejection(25, "Signature error"), "signature", stages)
    return accept(stages)


def verify_perpetual_v1(received: HttpRequest, context: ServerContext) -> Verdict:
    """Perpetual v1: AccessId, timestamp, then SHA-256 over the sorted parameters (the stated rule).

    The docs state no window; ±60 s (the spot v1 tonce rule) is assumed.
    Not applicable, as for spot v1: a replayed nonce, and a reordered query.
    """
    params = received_params(received)
    if params is None:
        return reject(rejection(4004, "parameter error"), "request")
    access_id = sole_header(received, "AccessId")
    if not access_id:
        return reject(rejection(4005, "access_id not exists"), "request")
    secret = context.keys.secret(access_id)
    if secret is None:
        return reject(rejection(4005, "access_id not exists"), "key")
    if unsigned_query(received):
        return reject(rejection(4006, "authorization fail"), "consistency")
    timestamp = clock_value(dict(params).get("timestamp"))
    if timestamp is None or abs(context.now_ms - timestamp) > TONCE_WINDOW_MS:
        return reject(rejection(4010, "time check error"), "window")
    query = join_pairs(sorted_by_key(params))
    sig = perpetual_signature(query, secret)
    stages = Stages(canonical_query=query, string_to_sign=with_secret(query, secret), signature=sig)
    if not signatures_match(sole_header(received, "Authorization"), sig):
        return reject(rejection(4006, "authorization fail"), "signature", stages)
    return accept(stages)
