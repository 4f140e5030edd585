"""CoinEx: API v2 (`coinex-v2`), its pre-2024 form (`coinex-v2-sha256-legacy`),
legacy spot v1 (`coinex-v1`) and legacy perpetual v1 (`coinex-perpetual-v1`).

Rules: seed `003_5acf2f28af95af66.txt` (API v2 "Integration Guide": headers,
time window), docs.coinex.com/api/v2/authorization (the prepared string and its
Python pseudocode), the legacy wiki of `coinexcom/coinex_exchange_api`
("012security_authorization", "050id_verification") and the demos in
`coinexcom/coinex_exchange_api` (`python2.7/demo.py`). The byte-level summary
is `shared/specs/coinex.md`.

Options (`Request.options`), each optional:
- `text_encoding` (v2 and legacy v2): `latin-1` (default) or `utf-8`. How the
  secret and the prepared string become bytes. The docs' pseudocode encodes
  both as latin-1; a character above U+00FF cannot be latin-1 and is refused
  with a `SigningError` naming the field. Percent-encoded queries are ASCII and
  unaffected; only raw non-ASCII in a JSON body (or the path) differs.
- `query_encoding` (v2 and legacy v2): `form` (default) or `percent`. How the
  query is written in the URL: `form` is what the docs' demo's `urlencode`
  writes (space as `+`), `percent` is RFC 3986 (space as `%20`). Either way the
  signature covers the query exactly as it appears in the URL.
- `param_order` (perpetual v1): `sorted` (default) or `as-given`. The
  perpetual docs say to sort the parameters, but their own example string
  (`market=BTCUSD&type=buy&price=680&amount=1.0&timestamp=...`) is not sorted,
  and its documented signature reproduces only in that order. `as-given` lets
  a vector record the documented example exactly as printed instead of quietly
  re-sorting it; the verifier follows the stated rule (sorted).
"""

from __future__ import annotations

from collections.abc import Callable

from signing.digests import hmac_sha256_hex, md5_hex, sha256_hex
from signing.encoding import Encoder, compact_json, form_encode, join_pairs, percent_encode, sorted_by_key, split_pairs
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

BASE_URL = "https://api.coinex.com"
DEFAULT_WINDOW_MS = 5000
LEGACY_TONCE_WINDOW_MS = 60_000
NO_BODY_METHODS = ("GET", "DELETE")
TEXT_ENCODINGS = ("latin-1", "utf-8")
QUERY_ENCODERS: dict[str, Encoder] = {"form": form_encode, "percent": percent_encode}

Signature = Callable[[str, str, str], str]


# --- API v2 -------------------------------------------------------------------------


def text_encoding(request: Request) -> str:
    return request.option("text_encoding", "latin-1", TEXT_ENCODINGS)


def encoded(field_name: str, text: str, encoding: str) -> bytes:
    """`text` as bytes in `encoding`, or a `SigningError` naming the field.

    The docs' pseudocode: `bytes(secret_key, 'latin-1')` and
    `bytes(prepared_str, 'latin-1')`. Latin-1 covers U+0000 to U+00FF only.
    """
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = text[error.start]
        raise SigningError(field_name, f"U+{ord(bad):04X} cannot be encoded as {encoding}; use text_encoding utf-8") from None


def canonical_query(request: Request) -> str:
    """The query exactly as it appears in the URL, in the order given; CoinEx does not sort.

    request_path includes "?" plus the query string "if applicable"
    (docs.coinex.com/api/v2/authorization); the demo builds it with
    `urlencode(params)` in insertion order (shared/specs/coinex.md).
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
    up to 4.5.85 (shared/specs/coinex.md, "What a widely used client does instead").
    """
    return sha256_hex(encoded("string_to_sign", message, encoding) + encoded("credentials.secret", secret, encoding))


def wire_request(request: Request, query: str, body: str, sig: str) -> WireRequest:
    """Headers X-COINEX-KEY, X-COINEX-SIGN, X-COINEX-TIMESTAMP and the optional X-COINEX-WINDOWTIME (ms).

    Seed 003 ("Public Parameter"): X-COINEX-TIMESTAMP is required; X-COINEX-WINDOWTIME
    is optional, default 5000 milliseconds.
    """
    headers = [
        ("X-COINEX-KEY", request.credentials.api_key),
        ("X-COINEX-SIGN", sig),
        ("X-COINEX-TIMESTAMP", str(request.require_timestamp())),
    ]
    if request.window is not None:
        headers.append(("X-COINEX-WINDOWTIME", str(request.window)))
    if body:
        headers.append(("Content-Type", "application/json"))
    return WireRequest(request.method, BASE_URL + request_path(request, query), tuple(headers), body or None)


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


# --- legacy v1 (spot) and perpetual v1 ------------------------------------------------


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
    return f"{params_text}&secret_key={secret}"


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


def v1_signature(message: str) -> str:
    """Upper-case hex MD5 of the string to sign, which already ends with the secret.

    Legacy wiki: "Use MD5 algorithm to encrypt the signature string, convert
    encrypted result to uppercase" (CoinEx.Net#14: lower case is rejected).
    """
    return md5_hex(message.encode()).upper()


def legacy_wire_request(request: Request, headers: list[tuple[str, str]], params: tuple[Param, ...]) -> WireRequest:
    """The parameters form-encoded (as urllib3's `fields=` does) in the query, or in a form body for POST."""
    encoded_params = join_pairs(params, form_encode)
    if isinstance(request.body, FormBody):
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return WireRequest(request.method, BASE_URL + request.path, tuple(headers), encoded_params)
    url = BASE_URL + request.path + (f"?{encoded_params}" if encoded_params else "")
    return WireRequest(request.method, url, tuple(headers), None)


def sign_v1(request: Request) -> Signed:
    query = v1_canonical_query(request)
    message = with_secret(query, request.credentials.secret)
    sig = v1_signature(message)
    headers = [("authorization", sig), ("Content-Type", "application/json")]
    wire = legacy_wire_request(request, headers, legacy_params(request))
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire)


def perpetual_params(request: Request) -> tuple[Param, ...]:
    """The parameters in signing order: sorted by key, or as given (option `param_order`)."""
    params = legacy_params(request)
    required_param(params, "timestamp", str(request.require_timestamp()))
    order = request.option("param_order", "sorted", ("sorted", "as-given"))
    return sorted_by_key(params) if order == "sorted" else params


def perpetual_signature(message: str) -> str:
    """Lower-case hex SHA-256 of the string to sign, which already ends with the secret (shared/specs/coinex.md)."""
    return sha256_hex(message.encode())


def sign_perpetual_v1(request: Request) -> Signed:
    params = perpetual_params(request)
    query = join_pairs(params)
    message = with_secret(query, request.credentials.secret)
    sig = perpetual_signature(message)
    headers = [("Authorization", sig), ("AccessId", request.credentials.api_key)]
    wire = legacy_wire_request(request, headers, params)
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire)


# --- the server's side ------------------------------------------------------------------


def rejection(code: int, message: str) -> Rejection:
    """CoinEx's error body, `{"code": N, "data": {}, "message": "..."}`, with HTTP 200 (seed 003)."""
    return Rejection(code, message, 200, compact_json({"code": code, "data": {}, "message": message}))


def received_params(wire: WireRequest) -> tuple[Param, ...]:
    """The parameters a legacy server reads: the decoded query, or the decoded form body."""
    return split_pairs(wire.body if wire.body is not None else wire.url.partition("?")[2])


def verify_prepared(wire: WireRequest, credentials: Credentials, server_time: int, sign_with: Signature) -> Rejection | None:
    """Key, then the time window, then the signature, over the request exactly as received.

    Seed 003: a request "sent more than 5000 milliseconds (default value) ago"
    is invalid; X-COINEX-WINDOWTIME changes the window. The docs say nothing
    about future timestamps, so none is refused. The server is taken to decode
    as the docs' pseudocode does (latin-1); that is what `text_encoding`
    vectors are `acceptable` about.
    """
    if wire.header("X-COINEX-KEY") != credentials.api_key:
        return rejection(4005, "abnormal access_id")
    timestamp = wire.header("X-COINEX-TIMESTAMP") or ""
    window = wire.header("X-COINEX-WINDOWTIME") or str(DEFAULT_WINDOW_MS)
    if not timestamp.isdigit() or not window.isdigit() or server_time - int(timestamp) > int(window):
        return rejection(4010, "expired request")
    path_with_query = wire.url.removeprefix(BASE_URL)
    message = string_to_sign(wire.method, path_with_query, wire.body or "", timestamp)
    try:
        expected = sign_with(credentials.secret, message, "latin-1")
    except SigningError:
        return rejection(4006, "signature verification failed")
    if wire.header("X-COINEX-SIGN") != expected:
        return rejection(4006, "signature verification failed")
    return None


def verify_v2(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    return verify_prepared(wire, credentials, server_time, signature)


def verify_v2_legacy(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    return verify_prepared(wire, credentials, server_time, legacy_signature)


def verify_v1(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    """Legacy spot v1: access_id, tonce within ±60 s, then the upper-case MD5.

    Codes as third-party v1 clients list them from the v1 docs' error table
    (viabtc.github.io/coinex_api_en_doc; the table itself was not consulted):
    24 AccessID does not exist, 25 Signature error, 227 timestamp not within
    ±60 s of server time. The ±60 s
    rule is in the legacy wiki ("050id_verification").
    """
    params = received_params(wire)
    sent = dict(params)
    if sent.get("access_id") != credentials.api_key:
        return rejection(24, "AccessID does not exist")
    if outside_window(sent.get("tonce", ""), server_time, LEGACY_TONCE_WINDOW_MS):
        return rejection(227, "The timestamp is wrong, the timestamp must be within ±60s of the server time")
    expected = v1_signature(with_secret(join_pairs(sorted_by_key(params)), credentials.secret))
    if wire.header("authorization") != expected:
        return rejection(25, "Signature error")
    return None


def verify_perpetual_v1(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    """Perpetual v1: AccessId, timestamp, then SHA-256 over the sorted parameters (the stated rule).

    Codes as third-party v1 clients list them from the perpetual v1 error
    table (not consulted directly): 4005 access_id not exists, 4006 authorization fail, 4010 time
    check error. The docs state no window; ±60 s (the spot v1 tonce rule) is assumed.
    """
    if wire.header("AccessId") != credentials.api_key:
        return rejection(4005, "access_id not exists")
    params = received_params(wire)
    if outside_window(dict(params).get("timestamp", ""), server_time, LEGACY_TONCE_WINDOW_MS):
        return rejection(4010, "time check error")
    expected = perpetual_signature(with_secret(join_pairs(sorted_by_key(params)), credentials.secret))
    if wire.header("Authorization") != expected:
        return rejection(4006, "authorization fail")
    return None
