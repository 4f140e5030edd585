// CoinEx API v2 (`coinex-v2`), its pre-2024 form (`coinex-v2-sha256-legacy`),
// legacy spot v1 (`coinex-v1`) and legacy perpetual v1 (`coinex-perpetual-v1`).
//
// Rules: CoinEx API v2 Integration Guide (https://docs.coinex.com/api/v2/guide) (headers, time window),
// docs.coinex.com/api/v2/authorization (the prepared string and its Python
// pseudocode), the legacy wiki of coinexcom/coinex_exchange_api
// ("012security_authorization"), docs/rules/coinex.md and the vectors in
// vectors/coinex/.

import { formEncode, hmacSha256Hex, joinPairs, md5Hex, percentEncode, sha256Hex, sortedByKey, utf8 } from "./encoding.mjs";
import { Refusal, inRange, option, requireTimestamp } from "./request.mjs";

export const BASE_URL = "https://api.coinex.com";

const NO_BODY = ["GET", "DELETE"];
const QUERY_ENCODERS = { form: formEncode, percent: percentEncode };

/**
 * Text as bytes in the `text_encoding` option: `latin-1` (default; the docs'
 * pseudocode `bytes(secret_key, 'latin-1')`) covers U+0000 to U+00FF only, and
 * text beyond it is refused, naming the field; `utf-8` refuses lone surrogates alone.
 */
function encoded(field, text, encoding) {
  if (encoding === "utf-8") return utf8(text);
  const bad = /[^\u0000-\u00ff]/u.exec(text);
  if (bad) {
    const codePoint = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new Refusal(field, `U+${codePoint} cannot be encoded as ${encoding}; use text_encoding utf-8`);
  }
  return Buffer.from(text, "latin1");
}

/**
 * The query exactly as it appears in the URL, in the order given (CoinEx does
 * not sort): `query_encoding: form` (default; the demo's urlencode, space as
 * `+`) or `percent` (space as `%20`). coinex-v2-0008/0009.
 */
function canonicalQuery(request) {
  return joinPairs(request.query, QUERY_ENCODERS[option(request, "query_encoding", "form")]);
}

/** request_path: the path, plus `?` and the query "if applicable". */
function requestPath(request, query) {
  return query ? `${request.path}?${query}` : request.path;
}

/** The exact body text: empty for GET and DELETE ("it can be omitted"), else the JSON body as given. */
function requestBody(request) {
  if (request.body === null) return "";
  if (NO_BODY.includes(request.method)) throw new Refusal("body", `CoinEx ${request.method} requests carry no body; use query`);
  if (request.body.kind !== "json") throw new Refusal("body", "CoinEx v2 bodies are JSON (body.json or body.json_text)");
  return request.body.text;
}

/** `prepared_str = method + request_path + body(optional) + timestamp`, no separators. */
function stringToSign(method, pathWithQuery, body, timestamp) {
  return `${method}${pathWithQuery}${body}${timestamp}`;
}

/** v2: lower-case hex HMAC-SHA256 keyed with the secret_key, 64 characters. */
function hmacSignature(secret, message, encoding) {
  return hmacSha256Hex(encoded("credentials.secret", secret, encoding), encoded("string_to_sign", message, encoding));
}

/** Pre-2024 (the demos until 2024-04, ccxt up to 4.5.85): lower-case hex SHA-256 of `prepared_str + secret_key`, no HMAC. */
function legacySignature(secret, message, encoding) {
  return sha256Hex(Buffer.concat([encoded("string_to_sign", message, encoding), encoded("credentials.secret", secret, encoding)]));
}

/** Headers X-COINEX-KEY, X-COINEX-SIGN, X-COINEX-TIMESTAMP, X-COINEX-WINDOWTIME (ms) when given, Content-Type with a body. */
function wire(request, query, body, sig) {
  const headers = {
    "X-COINEX-KEY": request.credentials.apiKey,
    "X-COINEX-SIGN": sig,
    "X-COINEX-TIMESTAMP": requireTimestamp(request),
  };
  if (request.window !== null) {
    if (!inRange(request.window, 0n, 10n ** 19n)) {
      throw new Refusal("window", "must be 0 or more ms, of at most 19 digits (X-COINEX-WINDOWTIME)");
    }
    headers["X-COINEX-WINDOWTIME"] = request.window;
  }
  if (body) headers["Content-Type"] = "application/json";
  return { method: request.method, url: BASE_URL + requestPath(request, query), headers, body: body || null };
}

function signPrepared(request, signWith) {
  const encoding = option(request, "text_encoding", "latin-1");
  const query = canonicalQuery(request);
  const body = requestBody(request);
  encoded("path", request.path, encoding);
  encoded("body", body, encoding);
  const message = stringToSign(request.method, requestPath(request, query), body, requireTimestamp(request));
  const sig = signWith(request.credentials.secret, message, encoding);
  return {
    stages: { canonical_query: query, string_to_sign: message, signature: sig },
    wire: wire(request, query, body, sig),
  };
}

export function signV2(request) {
  return signPrepared(request, hmacSignature);
}

export function signV2Legacy(request) {
  return signPrepared(request, legacySignature);
}

// --- legacy spot v1 and perpetual v1 --------------------------------------------------

/** The signed parameters: the query, or the form body of a POST, never both. */
function legacyParams(request) {
  if (request.body === null) return request.query;
  if (request.query.length > 0 || request.body.kind !== "form" || NO_BODY.includes(request.method)) {
    throw new Refusal("body", "this port signs legacy CoinEx parameters from the query, or a form body alone");
  }
  return request.body.params;
}

/** A parameter the scheme needs among those sent, equal to `value` (the last one sent counts). */
function requireParam(params, name, value) {
  const sent = new Map(params).get(name);
  if (sent !== value) throw new Refusal("query", `the ${name} parameter must be sent and equal '${value}'; got '${sent}'`);
}

/** Raw `k=v&...` with `&secret_key=SECRET` appended ("012security_authorization"). */
function withSecret(paramsText, secret) {
  return `${paramsText}&secret_key=${secret}`;
}

/** The parameters form-encoded in the order given: in the query, or as a form body for a POST. */
function legacyWire(request, headers, params) {
  const encodedParams = joinPairs(params, formEncode);
  if (request.body?.kind === "form") {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return { method: request.method, url: BASE_URL + request.path, headers, body: encodedParams };
  }
  const url = BASE_URL + request.path + (encodedParams ? `?${encodedParams}` : "");
  return { method: request.method, url, headers, body: null };
}

/**
 * v1: every parameter, `access_id` and `tonce` (ms) included, sorted by key,
 * raw `k=v` joined by `&`; the values are not URL-encoded (python2.7/demo.py).
 */
function v1CanonicalQuery(request) {
  const params = legacyParams(request);
  requireParam(params, "access_id", request.credentials.apiKey);
  requireParam(params, "tonce", requireTimestamp(request));
  return joinPairs(sortedByKey(params));
}

/** v1: upper-case hex MD5 of the string to sign, which ends with the secret ("convert encrypted result to uppercase"). */
function v1Signature(message) {
  return md5Hex(message).toUpperCase();
}

export function signV1(request) {
  const query = v1CanonicalQuery(request);
  const message = withSecret(query, request.credentials.secret);
  const sig = v1Signature(message);
  const headers = { authorization: sig, "Content-Type": "application/json" };
  return {
    stages: { canonical_query: query, string_to_sign: message, signature: sig },
    wire: legacyWire(request, headers, legacyParams(request)),
  };
}

/**
 * Perpetual v1: the parameters, `timestamp` included, sorted by key
 * (`param_order: sorted`, the stated rule) or as given (`as-given`, the only
 * order in which the docs' own example reproduces; coinex-perpetual-v1-0001).
 */
function perpetualParams(request) {
  const params = legacyParams(request);
  requireParam(params, "timestamp", requireTimestamp(request));
  return option(request, "param_order", "sorted") === "sorted" ? sortedByKey(params) : params;
}

/** Perpetual v1: lower-case hex SHA-256 of the string to sign, which ends with the secret. */
function perpetualSignature(message) {
  return sha256Hex(message);
}

export function signPerpetualV1(request) {
  const params = perpetualParams(request);
  const query = joinPairs(params);
  const message = withSecret(query, request.credentials.secret);
  const sig = perpetualSignature(message);
  const headers = { Authorization: sig, AccessId: request.credentials.apiKey };
  return {
    stages: { canonical_query: query, string_to_sign: message, signature: sig },
    wire: legacyWire(request, headers, params),
  };
}
