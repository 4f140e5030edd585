"""Peatio API v2: scheme `peatio-v2`.

Rules: seed `004_68c9dc82d9be3210.txt` (Peatio API v2 docs, "How to
signature"), the open-source server `hpyhacking/peatio`
`app/api/api_v2/auth/{authenticator,middleware,utils}.rb` and
`app/api/api_v2/errors.rb`, and the summary `shared/specs/peatio.md`.

payload = `METHOD|/api/v2/path|canonical_query`; signature = lower-case hex
HMAC-SHA256(secret, payload). `access_key`, `tonce` (epoch ms) and
`signature` are ordinary query or form parameters; there are no auth headers.

How a request is given: `query` and `body.form` hold the flat wire pairs in
the order sent, exact text, bracket keys included (`orders[][price]`), with
`access_key` (equal to the credentials' key) and `tonce` (equal to
`input.timestamp`) among them and no `signature`. The module parses them the
way Rack 1.6 does (`Rack::Utils.parse_nested_query`, what the Rails 4.2 server
ran) into the nested params hash, and `canonical_query` runs the Rails 4
`to_query` emulation of `signing.encoding` over it. A key sent twice without
`[]`, or in both the query and the form, is refused (Rack would keep the last
one silently). JSON bodies are not signed by Peatio v2 and are refused.

Options (`input.options`):
- `encoding`: how the wire writes values. `form` (default): space as `+`.
  `percent`: space as `%20`. Either way `[` and `]` in keys stay literal and
  the canonical query is the same, since the server decodes before it signs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from signing.digests import hmac_sha256_hex
from signing.encoding import (
    QueryValue,
    compact_json,
    form_encode,
    join_pairs,
    keeping_brackets,
    percent_encode,
    split_pairs,
    to_query,
    uri_unescape,
)
from signing.model import (
    Credentials,
    Param,
    Rejection,
    Request,
    Signed,
    SigningError,
    Stages,
    WireRequest,
)

BASE_URL = "https://peatio.example"
TONCE_WINDOW_MS = 30000
TONCE_CACHE_TTL_MS = 61000
UNSIGNED_PARAMS = ("signature", "format", "route_info")
ENCODINGS = ("form", "percent")
Params = dict[str, QueryValue]

RACK_NAME = re.compile(r"\A[\[\]]*([^\[\]]+)\]*")
RACK_ARRAY_OF_HASHES = (re.compile(r"\A\[\]\[([^\[\]]+)\]\Z"), re.compile(r"\A\[\](.+)\Z"))


# --- params, as Rack parses them ---------------------------------------------------


def rack_has_key(params: Params, key: str) -> bool:
    """Rack's `params_hash_has_key?`: does the hash already hold the (possibly nested) key?"""
    if "[]" in key:
        return False
    node: QueryValue = params
    for part in (part for part in re.split(r"[\[\]]+", key) if part):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def rack_normalize(params: Params, name: str, value: str, strict: bool) -> None:
    """One `name=value` pair added to `params` as Rack 1.6 `normalize_params` does.

    `k` sets a value, `k[]` appends to an array, `k[sub]` descends into a hash,
    and `k[][sub]` adds to the last hash of an array unless that hash already
    has `sub`, in which case a new hash starts. Type clashes raise. With
    `strict`, a scalar sent twice raises instead of the last one winning.
    """
    match = RACK_NAME.match(name)
    if match is None:
        return
    key, after = match.group(1), name[match.end() :]
    if after == "":
        if strict and key in params:
            raise SigningError(f"params.{name}", "is sent twice; Rack would keep only the last value")
        params[key] = value
    elif after == "[":
        params[name] = value
    elif after == "[]":
        listed = params.setdefault(key, [])
        if not isinstance(listed, list):
            raise SigningError(f"params.{name}", f"{key} is both a value and an array")
        listed.append(value)
    elif child := next((m.group(1) for m in (p.match(after) for p in RACK_ARRAY_OF_HASHES) if m), None):
        listed = params.setdefault(key, [])
        if not isinstance(listed, list):
            raise SigningError(f"params.{name}", f"{key} is both a value and an array")
        last = listed[-1] if listed else None
        if isinstance(last, dict) and not rack_has_key(last, child):
            rack_normalize(last, child, value, strict)
        else:
            fresh: Params = {}
            rack_normalize(fresh, child, value, strict)
            listed.append(fresh)
    else:
        nested = params.setdefault(key, {})
        if not isinstance(nested, dict):
            raise SigningError(f"params.{name}", f"{key} is both a value and a hash")
        rack_normalize(nested, after, value, strict)


def rack_params(pairs: tuple[Param, ...], strict: bool = True) -> Params:
    """Flat decoded pairs as the nested params hash a Rails 4.2 app sees (Rack 1.6 `parse_nested_query`)."""
    params: Params = {}
    for key, value in pairs:
        rack_normalize(params, key, value, strict)
    return params


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
    `+` is not, so a space and a literal `+` both read `+` (`shared/specs/peatio.md`).
    """
    kept = {key: value for key, value in params.items() if key not in UNSIGNED_PARAMS}
    return uri_unescape(to_query(kept, ""))


def string_to_sign(method: str, path: str, query: str) -> str:
    """`payload = METHOD|/api/v2/path|canonical_query` (docs; `authenticator.rb` `payload`).

    The path is the request path without the query string, `.json` kept.
    Before 2014-04 the separator was a newline (`shared/specs/peatio.md`, History).
    """
    return f"{method}|{path}|{query}"


def signature(secret: str, message: str) -> str:
    """`hash = HMAC-SHA256(payload, secret_key).to_hex` (seed): the secret is the key, hex lower case."""
    return hmac_sha256_hex(secret.encode(), message.encode("utf-8", "surrogateescape"))


def encode_pairs(pairs: tuple[Param, ...], encoding: str) -> str:
    """Pairs as sent: values form- or percent-encoded, keys likewise with `[` and `]` literal."""
    escape = percent_encode if encoding == "percent" else form_encode
    return join_pairs(pairs, escape, encode_key=keeping_brackets(escape))


def wire_request(request: Request, sig: str, encoding: str) -> WireRequest:
    """`signature` appended as the last parameter: of the form body if there is one, else of the query."""
    form = form_pairs(request)
    query_pairs = request.query if request.body is not None else (*request.query, ("signature", sig))
    query = encode_pairs(query_pairs, encoding)
    url = f"{BASE_URL}{request.path}" + (f"?{query}" if query else "")
    if request.body is None:
        return WireRequest(request.method, url, (), None)
    body = encode_pairs((*form, ("signature", sig)), encoding)
    return WireRequest(request.method, url, (("Content-Type", "application/x-www-form-urlencoded"),), body)


def sign(request: Request) -> Signed:
    encoding = request.option("encoding", "form", ENCODINGS)
    query = canonical_query(signed_params(request))
    message = string_to_sign(request.method, request.path, query)
    sig = signature(request.credentials.secret, message)
    return Signed(Stages(canonical_query=query, string_to_sign=message, signature=sig), wire_request(request, sig, encoding))


# --- the server's side -------------------------------------------------------------


def rejection(code: int, message: str) -> Rejection:
    """HTTP 401 with `{"error":{"code":N,"message":"..."}}` (`app/api/api_v2/errors.rb`)."""
    return Rejection(code, message, 401, compact_json({"error": {"code": code, "message": message}}))


def received_params(wire: WireRequest) -> Params | None:
    """Query and form body parsed as Rack does (`+` as space, last scalar wins), form over query; None if malformed."""
    try:
        query = rack_params(split_pairs(urlsplit(wire.url).query), strict=False)
        form = rack_params(split_pairs(wire.body or ""), strict=False)
    except SigningError:
        return None
    return {**query, **form}


def ruby_to_i(text: str) -> int:
    """Ruby `String#to_i`: the leading integer, 0 when there is none (so a non-numeric tonce is 0)."""
    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class AuthParams:
    access_key: str
    tonce: int
    signature: str
    params: Params


def auth_params(wire: WireRequest, credentials: Credentials) -> AuthParams | Rejection:
    """The three auth parameters (2001 if any is missing) and the key lookup (2008)."""
    params = received_params(wire)
    values = [params.get(name) if params else None for name in ("access_key", "tonce", "signature")]
    if params is None or not all(isinstance(value, str) and value for value in values):
        return rejection(2001, "Authorization failed")
    access_key, tonce, sent_sig = (str(value) for value in values)
    if access_key != credentials.api_key:
        return rejection(2008, f"The access key {access_key} does not exist.")
    return AuthParams(access_key, ruby_to_i(tonce), sent_sig, params)


def check_window_and_signature(
    wire: WireRequest, credentials: Credentials, auth: AuthParams, server_time: int
) -> Rejection | None:
    """Steps 6 and 7 of `shared/specs/peatio.md`: tonce within ±30 s of whole-second now, then the signature.

    `now` is the server's epoch seconds times 1000; a tonce below `now - 30000`
    or above `now + 30000` is 2007. The signature is compared with a plain `!=`.
    """
    now = server_time // 1000 * 1000
    if not now - TONCE_WINDOW_MS <= auth.tonce <= now + TONCE_WINDOW_MS:
        return rejection(2007, f"The tonce {auth.tonce} is invalid, current timestamp is {now}.")
    message = string_to_sign(wire.method, urlsplit(wire.url).path, canonical_query(auth.params))
    if auth.signature != signature(credentials.secret, message):
        return rejection(2005, f"Signature {auth.signature} is incorrect.")
    return None


def verify(wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
    """Check one request as Peatio's server does, without replay state: 2001, 2008, 2007, 2005.

    Disabled, expired and out-of-scope keys (2009-2011) are not modelled. Tonce
    reuse (2006) needs memory of earlier requests: see `TonceCache`.
    """
    auth = auth_params(wire, credentials)
    if isinstance(auth, Rejection):
        return auth
    return check_window_and_signature(wire, credentials, auth, server_time)


@dataclass
class TonceCache:
    """The server's tonce memory: (access_key, tonce) pairs kept for 61 s.

    A tonce is recorded before the window and signature checks, so a request
    with a bad signature still uses up its tonce (`shared/specs/peatio.md`, step 5).
    """

    seen: dict[tuple[str, int], int] = field(default_factory=dict)

    def verify(self, wire: WireRequest, credentials: Credentials, server_time: int) -> Rejection | None:
        auth = auth_params(wire, credentials)
        if isinstance(auth, Rejection):
            return auth
        self.seen = {key: at for key, at in self.seen.items() if server_time - at < TONCE_CACHE_TTL_MS}
        if (auth.access_key, auth.tonce) in self.seen:
            return rejection(2006, f"The tonce {auth.tonce} has already been used by access key {auth.access_key}.")
        self.seen[(auth.access_key, auth.tonce)] = server_time
        return check_window_and_signature(wire, credentials, auth, server_time)
