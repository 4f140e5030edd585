// MEXC spot v3 (`mexc-spot-v3`) and futures/contract v1 (`mexc-futures-v1`).
//
// Rules: the MEXC spot v3 docs, "General Info", section SIGNED
// (https://mexcdevelop.github.io/apidocs/spot_v3_en/#general-info); the
// contract v1 docs, "Access and authentication"; the byte-level summary docs/rules/mexc.md; the vectors in
// vectors/mexc/. The signature covers exactly the encoded text that is sent.

import { hmacSha256Hex, joinPairs, percentEncode, raw, sortedByKey } from "./encoding.mjs";
import { Refusal, formParams, inRange, option, requireTimestamp } from "./request.mjs";

export const SPOT_BASE_URL = "https://api.mexc.com";
export const FUTURES_BASE_URL = "https://contract.mexc.com";

// --- spot v3 -----------------------------------------------------------------------

/**
 * Parameters as sent: order kept, UTF-8 percent-encoded with upper-case hex,
 * space as `%20`. SIGNED: "these symbols need to be URL encoded when signing,
 * and encode only support uppercase" (vectors mexc-spot-v3-0005, -0007).
 */
function encodeParams(params) {
  return joinPairs(params, percentEncode);
}

function spotFormParams(request) {
  return formParams(request, "MEXC spot v3 signs form bodies (body.form) only");
}

/**
 * The `timestamp` parameter must be sent and equal the request's clock. SIGNED:
 * "A SIGNED endpoint also requires a parameter, timestamp"; sent in both the
 * query and the body, "the query string parameter will be used".
 */
function checkTimestampParam(request) {
  const clock = requireTimestamp(request);
  const sent = new Map([...spotFormParams(request), ...request.query]);
  if (!sent.has("timestamp")) throw new Refusal("query", "MEXC SIGNED endpoints require a timestamp parameter in the query or body");
  if (sent.get("timestamp") !== clock) {
    throw new Refusal("timestamp", `the timestamp parameter '${sent.get("timestamp")}' must equal the request timestamp`);
  }
}

/** totalParams is "the query string concatenated with the request body", with no `&` between them (SIGNED, example 3). */
function spotStringToSign(query, body) {
  return query + body;
}

/** Lower-case hex HMAC-SHA256, secretKey as key, totalParams as value: "The signature is support lowercase only." */
function spotSignature(secret, message) {
  return hmacSha256Hex(secret, message);
}

function withSignature(encoded, signature) {
  return encoded ? `${encoded}&signature=${signature}` : `signature=${signature}`;
}

/** `signature` goes last where the request puts its parameters: the form body if there is one (examples 1, 3), else the query (example 2). */
function spotWire(request, query, body, signature) {
  const headers = { "X-MEXC-APIKEY": request.credentials.apiKey };
  let bodyText = null;
  if (request.body?.kind === "form") {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    bodyText = withSignature(body, signature);
  } else {
    query = withSignature(query, signature);
  }
  const url = SPOT_BASE_URL + request.path + (query ? `?${query}` : "");
  return { method: request.method, url, headers, body: bodyText };
}

export function signSpot(request) {
  checkTimestampParam(request);
  const query = encodeParams(request.query);
  const body = encodeParams(spotFormParams(request));
  const message = spotStringToSign(query, body);
  const signature = spotSignature(request.credentials.secret, message);
  return {
    stages: { canonical_query: query, string_to_sign: message, signature },
    wire: spotWire(request, query, body, signature),
  };
}

// --- futures v1 --------------------------------------------------------------------

const NO_BODY = ["GET", "DELETE"];

/**
 * paramString. GET and DELETE: the parameters sorted by key, `k=v&k=v`, values
 * percent-encoded (the docs' Java example), or raw with `query_encoding: raw`
 * (the official Go demo; vectors mexc-futures-v1-0008/0009). POST: the JSON
 * body exactly as sent. No parameters: the empty string.
 */
function paramString(request) {
  if (NO_BODY.includes(request.method)) {
    if (request.body !== null) throw new Refusal("body", `MEXC futures ${request.method} requests carry no body; use query`);
    const encode = option(request, "query_encoding", "percent") === "raw" ? raw : percentEncode;
    return joinPairs(sortedByKey(request.query), encode);
  }
  if (request.query.length > 0) throw new Refusal("query", `MEXC futures ${request.method} requests carry their parameters as a JSON body`);
  if (request.body === null) return "";
  if (request.body.kind !== "json") throw new Refusal("body", "MEXC futures POST bodies are JSON (body.json or body.json_text)");
  return request.body.text;
}

/** `accessKey + Request-Time + paramString`, no separators ("Signature"). */
function futuresStringToSign(request, params) {
  return `${request.credentials.apiKey}${requireTimestamp(request)}${params}`;
}

/** Headers ApiKey, Request-Time, Signature, Content-Type, and Recv-Window (seconds) when given. */
function futuresWire(request, params, signature) {
  const headers = {
    ApiKey: request.credentials.apiKey,
    "Request-Time": requireTimestamp(request),
    Signature: signature,
    "Content-Type": "application/json",
  };
  if (request.window !== null) {
    if (!inRange(request.window, 1n, 10n ** 19n)) {
      throw new Refusal("window", `must be 1 or more seconds, of at most 19 digits (Recv-Window)`);
    }
    headers["Recv-Window"] = request.window;
  }
  const inQuery = NO_BODY.includes(request.method) && params;
  const url = FUTURES_BASE_URL + request.path + (inQuery ? `?${params}` : "");
  const body = !NO_BODY.includes(request.method) && params ? params : null;
  return { method: request.method, url, headers, body };
}

export function signFutures(request) {
  const params = paramString(request);
  const message = futuresStringToSign(request, params);
  const signature = hmacSha256Hex(request.credentials.secret, message);
  return {
    stages: { canonical_query: params, string_to_sign: message, signature },
    wire: futuresWire(request, params, signature),
  };
}
