// Bitunix OpenAPI (`bitunix`): two rounds of SHA-256, not HMAC.
//
// Rules: Bitunix OpenAPI quick start (https://openapidoc.bitunix.com/doc/common/introduction.html) (headers, GET parameters in the query,
// POST parameters as a JSON body), the futures doc
// openapidoc.bitunix.com/doc/common/sign.html, docs/rules/bitunix.md and the
// vectors in vectors/bitunix/.

import { formEncode, joinPairs, sha256Hex, sortedByKey } from "./encoding.mjs";
import { Refusal, option, requireNonce, requireTimestamp } from "./request.mjs";

export const BASE_URL = "https://fapi.bitunix.com";

/**
 * queryParams: sorted by key, each key followed directly by its value, with no
 * `=`, no `&` and no URL encoding (`id=1&uid=200` becomes `id1uid200`).
 * `query_format: key=value` writes `id=1uid=200`, as the older spot doc prints it (bitunix-0003).
 */
function canonicalQuery(query, queryFormat) {
  const separator = queryFormat === "key=value" ? "=" : "";
  return sortedByKey(query).map(([key, value]) => `${key}${separator}${value}`).join("");
}

/** The exact JSON text sent, spaces inside values kept (the signed body is the body sent); empty for a GET. */
function requestBody(request) {
  if (request.body === null) return "";
  if (request.method === "GET") throw new Refusal("body", "Bitunix GET parameters go in the query string (docs/rules/bitunix.md)");
  if (request.body.kind !== "json") throw new Refusal("body", "Bitunix POST parameters are a JSON body (body.json or body.json_text)");
  return request.body.text;
}

/** `nonce + timestamp + apiKey + queryParams + body`, no separators (sign.html). */
function stringToSign(nonce, timestamp, apiKey, queryParams, body) {
  return `${nonce}${timestamp}${apiKey}${queryParams}${body}`;
}

/** First round: lower-case hex SHA-256 of the UTF-8 string to sign. */
function digest(message) {
  return sha256Hex(message);
}

/** Second round: `sign = sha256_hex(digest + secretKey)`. */
function signature(inner, secret) {
  return sha256Hex(inner + secret);
}

/** Headers api-key, nonce, timestamp (ms), sign, Content-Type; the query form-encoded in the order given (the PHP demo's http_build_query). */
function wire(request, sign, body) {
  const headers = {
    "api-key": request.credentials.apiKey,
    nonce: requireNonce(request),
    timestamp: requireTimestamp(request),
    sign,
    "Content-Type": "application/json",
  };
  const query = joinPairs(request.query, formEncode);
  const url = BASE_URL + request.path + (query ? `?${query}` : "");
  return { method: request.method, url, headers, body: body || null };
}

export function sign(request) {
  const queryParams = canonicalQuery(request.query, option(request, "query_format", "concat"));
  const body = requestBody(request);
  const message = stringToSign(requireNonce(request), requireTimestamp(request), request.credentials.apiKey, queryParams, body);
  const inner = digest(message);
  const sig = signature(inner, request.credentials.secret);
  return {
    stages: { canonical_query: queryParams, string_to_sign: message, digest: inner, signature: sig },
    wire: wire(request, sig, body),
  };
}
