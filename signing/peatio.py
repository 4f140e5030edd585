"""Peatio API v2: scheme `peatio-v2`.

Rules: the Peatio API v2 docs, "How to signature" (`hpyhacking/peatio`
`app/views/documents/api_v2.en.html.slim`), the open-source server `hpyhacking/peatio`
`app/api/api_v2/auth/{authenticator,middleware,utils}.rb` and
`app/api/api_v2/errors.rb`, and the summary `docs/rules/peatio.md`.

payload = `METHOD|/api/v2/path|canonical_query`; signature = lower-case hex
HMAC-SHA256(secret, payload). `access_key`, `tonce` (epoch ms) and
`signature` are ordinary query or form parameters; there are no auth headers.

How a request is given: `query` and `body.form` hold the flat wire pairs in
the order sent, exact text, bracket keys included (`orders[][price]`), with
`access_key` (equal to the credentials' key) and `tonce` (equal to
`input.timestamp`) among them and no `signature`. The module parses them the
way Rack 1.6 does (`Rack::Utils.parse_nested_query`, what the Rails 4.2 server
ran) into the nested params hash, and `canonical_query` runs the Rails 4
`to_query` emulation of `signing.rails` over it. A key sent twice without
`[]`, or in both the query and the form, is refused (Rack would keep the last
one silently). JSON bodies are not signed by Peatio v2 and are refused.

Options (`input.options`):
- `encoding`: how the wire writes values. `form` (default): space as `+`.
  `percent`: space as `%20`. Either way `[` and `]` in keys stay literal and
  the canonical query is the same, since the server decodes before it signs.
- `signature_position`: where `signature` goes among the parameters it
  travels with. `last` (default): appended, as the docs' example URL has it.
  `first`: before them. The server reads `params[:signature]` by name and
  leaves it out of the payload (hpyhacking/peatio
  `app/api/api_v2/auth/authenticator.rb`), so both sign the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from signing.digests import hmac_sha256_hex
from signing.encoding import compact_json, form_encode, join_pairs, keeping_brackets, percent_encode
from signing.http import HttpRequest
from signing.model import Param, Rejection, Request, Signed, SigningError, Stages
from signing.rails import Params, int_within, rack_params, ruby_to_i, to_query, uri_unescape
from signing.server import (
    ServerContext,
    Verdict,
    accept,
    body_text,
    received_pairs,
    record_nonce,
    reject,
    signatures_match,
    well_formed,
)

BASE_URL = "https://peatio.example"
TONCE_WINDOW_MS = 30000
TONCE_CACHE_TTL_MS = 61000
UNSIGNED_PARAMS = ("signature", "format", "route_info")
ENCODINGS = ("form", "percent")
SIGNATURE_POSITIONS = ("last", "first")


# --- the client's side -----------------------------------------------------------------


def form_pairs(request: Request) -> tuple[Param, ...]:
    return request.form_params("Peatio v2 signs query and form parameters (body.form) only")


def signed_params(request: Request) -> Params:
    """Every query and form parameter, checked: access_key and tonce present and right, no signature yet."""
    query, form = rack_params(request.query), rack_params(form_pairs(request))
    both = sorted(set(query) & set(form))
    if both:
        raise SigningError(f"params.{both[0]}", "is sent in both the query and the form; Rack keeps the form's")
    params = {**query, **form}
    if "signature" in params:
        raise SigningError("params.signature", "is added by the signer; leave it out of the input")
    if params.get("access_key") != request.credentials.api_key:
        raise SigningError("params.access_key", "must be sent, equal to credentials.api_key")
    if params.get("tonce") != str(request.require_timestamp()):
        raise SigningError("params.tonce", "must be sent, equal to input.timestamp (epoch ms)")
    return params


# --- the signature ---------------------------------------------------------------------


def canonical_query(params: Params) -> str:
    """Rails 4 `to_query` of every parameter but `signature` and `format`, then `URI.unescape`.

    Server: `authenticator.rb` `canonical_query` selects the params without
    `route_info`, `signature` and `format` and returns `URI.unescape(hash.to_param)`
    (hpyhacking/peatio). Escaped `k=v` strings are sorted as whole strings, so
    `a-b`, `a1`, `a`, `a_b`, `ab` is the order; `%XX` is decoded at the end but
    `+` is not, so a space and a literal `+` both read `+` (`docs/rules/peatio.md`).
    """
    kept = {key: value for key, value in params.items() if key not in UNSIGNED_PARAMS}
    return uri_unescape(to_query(kept, ""))


def string_to_sign(method: str, path: str, query: str) -> str:
    """`payload = METHOD|/api/v2/path|canonical_query` (docs; `authenticator.rb` `payload`).

    The path is the request path without the query string, `.json` kept.
    Before 2014-04 the separator was a newline (`docs/rules/peatio.md`, History).
    """
    return f"{method}|{path}|{query}"


def signature(secret: str, message: str) -> str:
    """`hash = HMAC-SHA256(payload, secret_key).to_hex` (the v2 docs): the secret is the key, hex lower case."""
    return hmac_sha256_hex(secret.encode(), message.encode("utf-8", "surrogateescape"))


def encode_pairs(pairs: tuple[Param, ...], encoding: str) -> str:
    """Pairs as sent: values form- or percent-encoded, keys likewise with `[` and `]` literal."""
    escape = percent_encode if encoding == "percent" else form_encode
    return join_pairs(pairs, escape, encode_key=keeping_brackets(escape))


def with_signature(pairs: tuple[Param, ...], sig: str, position: str) -> tuple[Param, ...]:
    """`signature` among `pairs`: appended (`last`, the docs' example URL) or before them (`first`); the server
    reads it by name (`@params[:signature]`, hpyhacking/peatio app/api/api_v2/auth/authenticator.rb)."""
    return (("signature", sig), *pairs) if position == "first" else (*pairs, ("signature", sig))


def wire_request(request: Request, sig: str, encoding: str, position: str) -> HttpRequest:
    """`signature` among the parameters of the form body if there is one, else of the query (see `with_signature`)."""
    form = form_pairs(request)
    query_pairs = request.query if request.body is not None else with_signature(request.query, sig, position)
    query = encode_pairs(query_pairs, encoding)
    url = f"{BASE_URL}{request.path}" + (f"?{query}" if query else "")
    if request.body is None:
        return HttpRequest.from_text(request.method, url, (), None)
    body = encode_pairs(with_signature(form, sig, position), encoding)
    return HttpRequest.from_text(request.method, url, (("Content-Type", "application/x-www-form-urlencoded"),), body)


def sign(request: Request) -> Signed:
    encoding = request.option("encoding", "form", ENCODINGS)
    position = request.option("signature_position", "last", SIGNATURE_POSITIONS)
    query = canonical_query(signed_params(request))
    message = string_to_sign(request.method, request.path, query)
    sig = signature(request.credentials.secret, message)
    wire = wire_request(request, sig, encoding, position)
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire)


# --- the server's side -------------------------------------------------------------


def rejection(code: int, message: str, http_status: int = 401) -> Rejection:
    """`{"error":{"code":N,"message":"..."}}`, HTTP 401 for auth errors, 400 for 1001 (`app/api/api_v2/errors.rb`)."""
    return Rejection(code, message, http_status, compact_json({"error": {"code": code, "message": message}}))


def received_params(received: HttpRequest) -> Params | None:
    """Query and form body parsed as Rack does (`+` as space, last scalar wins), form over query; None if malformed."""
    query_pairs, form_pairs = received_pairs(received.query), received_pairs(body_text(received))
    if query_pairs is None or form_pairs is None:
        return None
    try:
        query = rack_params(query_pairs, strict=False)
        form = rack_params(form_pairs, strict=False)
    except SigningError:
        return None
    return {**query, **form}


@dataclass(frozen=True)
class AuthParams:
    access_key: str
    tonce: str
    signature: str
    params: Params


def auth_params(params: Params) -> AuthParams | None:
    """The three auth parameters as text (None, so 2001, if any is missing), the tonce through `String#to_i`."""
    values = [params.get(name) for name in ("access_key", "tonce", "signature")]
    if not all(isinstance(value, str) and value for value in values):
        return None
    access_key, tonce, sent_sig = (str(value) for value in values)
    return AuthParams(access_key, ruby_to_i(tonce), sent_sig, params)


def verify(received: HttpRequest, context: ServerContext) -> Verdict:
    """Check one request as Peatio's server does, in its order (`docs/rules/peatio.md`, "Server checks").

    2001 when an auth parameter is missing; 2008 for an unknown key; then the
    tonce: checked against the replay store (2006) and recorded there under
    (access key, tonce) for 61 s *before* the window and signature checks, as
    the server does, so a request with a bad signature or a stale tonce still
    uses up its tonce; then the window (2007: within ±30 s of the server's
    whole-second clock; a non-numeric tonce is 0); then the signature (2005).
    Without a replay store in the context, the replay step is skipped. When
    the key's space in the store is full, the request is refused with 2006 too
    (Peatio documents no rate-limit error): a live tonce is never forgotten.
    Disabled, expired and out-of-scope keys (2009-2011) are not modelled.
    Malformed text or parameters Rack refuses are 1001 (HTTP 400).

    Not applicable: a query reordered after signing (`to_query` sorts, so any
    order is accepted).
    """
    params = received_params(received) if well_formed(received) else None
    if params is None:
        return reject(rejection(1001, "Invalid request parameters", 400), "request")
    auth = auth_params(params)
    if auth is None:
        return reject(rejection(2001, "Authorization failed"), "request")
    secret = context.keys.secret(auth.access_key)
    if secret is None:
        return reject(rejection(2008, f"The access key {auth.access_key} does not exist."), "key")
    if record_nonce(context, auth.access_key, auth.tonce, TONCE_CACHE_TTL_MS) != "new":
        return reject(rejection(2006, f"The tonce {auth.tonce} has already been used by access key {auth.access_key}."), "replay")
    now = context.now_ms // 1000 * 1000
    if not int_within(auth.tonce, now - TONCE_WINDOW_MS, now + TONCE_WINDOW_MS):
        return reject(rejection(2007, f"The tonce {auth.tonce} is invalid, current timestamp is {now}."), "window")
    query = canonical_query(auth.params)
    message = string_to_sign(received.method, received.path, query)
    stages = Stages(canonical_query=query, string_to_sign=message, signature=signature(secret, message))
    if not signatures_match(auth.signature, stages.signature):
        return reject(rejection(2005, f"Signature {auth.signature} is incorrect."), "signature", stages)
    return accept(stages)
