// MAX (MaiCoin) REST v2 and v3 (`max-v2`; v3 signs the same way).
//
// Rules: MAX REST API v2 docs (https://max-api.maicoin.com/api/v2) (authentication), the official Node SDK
// maicoin/max-exchange-api-node src/rest/rest.ts, docs/rules/max.md and the
// vectors in vectors/max/. Payload = base64 of the UTF-8 JSON of the request's
// parameters plus `nonce` plus `path`; signature = hex HMAC-SHA256 of the payload.

import { formEncode, hmacSha256Hex, utf8 } from "./encoding.mjs";
import { JsonNumber, writeJson } from "./json.mjs";
import { Refusal, option, requireTimestamp } from "./request.mjs";

export const BASE_URL = "https://max-api.maicoin.com";

/** The payload key of an array query key (`state[]` is `state`), or null for a plain key. */
function arrayKey(key) {
  return key.endsWith("[]") ? key.slice(0, -2) : null;
}

/**
 * GET pairs as the payload holds them: `k[]` pairs become one list under `k`,
 * at the place of the first (`"state":["wait","done"]`, max-v2-0003); query
 * values stay strings, only `nonce` is an integer (max-v2-0002).
 */
function queryObject(pairs) {
  const result = new Map();
  for (const [key, value] of pairs) {
    const name = arrayKey(key) || key;
    if (name.includes("[") || name.includes("]") || name === "path") {
      throw new Refusal(`query.${key}`, "MAX query keys are plain names or name[] arrays, and never path");
    }
    if (arrayKey(key) !== null) {
      if (result.has(name) && !Array.isArray(result.get(name))) throw new Refusal(`query.${key}`, `${name} is sent both as a value and as an array`);
      if (!result.has(name)) result.set(name, []);
      result.get(name).push(value);
    } else if (result.has(name)) {
      throw new Refusal(`query.${key}`, "is sent twice; a repeated parameter must be an array (key[])");
    } else {
      result.set(name, name === "nonce" && /^[0-9]+$/.test(value) ? new JsonNumber(value) : value);
    }
  }
  return result;
}

/** The parameters, nonce included, in the order sent: the query of a GET, the JSON object body of any other method. */
function paramsObject(request) {
  let params;
  if (request.method === "GET") {
    if (request.body !== null) throw new Refusal("body", "a MAX GET carries its parameters in the query, not in a body");
    params = queryObject(request.query);
  } else {
    if (request.query.length > 0) throw new Refusal("query", `a MAX ${request.method} carries its parameters as a JSON body`);
    if (request.body?.kind !== "json" || !(request.body.value instanceof Map)) {
      throw new Refusal("body", `a MAX ${request.method} body is a JSON object (body.json or body.json_text)`);
    }
    params = new Map(request.body.value);
    if (params.has("path")) throw new Refusal("body.path", "path belongs to the payload only, never to the body");
  }
  const nonce = requireTimestamp(request);
  const sent = params.get("nonce");
  if (!(sent instanceof JsonNumber) || !sent.equalsInteger(nonce)) {
    throw new Refusal("nonce", `the request must carry nonce ${nonce} (input.timestamp) as an integer parameter`);
  }
  return params;
}

/** Parameters, then `path` last (the v2 docs: `body = {path, nonce, ...}`; key order is free, the server signs the header as received). */
function payloadObject(request) {
  return new Map([...paramsObject(request), ["path", request.path]]);
}

/**
 * The payload object as JSON text. `json: compact` (default): no whitespace,
 * keys in order, UTF-8 (JSON.stringify, the v2 docs' example). `python`: Python
 * json.dumps defaults, `", "` and `": "`, `\uXXXX` escapes. `sorted`: compact
 * with keys sorted (the official Node v3 SDK). max-v2-0005 to -0007.
 */
function payloadJson(value, style) {
  if (style === "python") return writeJson(value, { itemSeparator: ", ", keySeparator: ": ", asciiOnly: true });
  return writeJson(value, { sortKeys: style === "sorted" });
}

/** Standard padded base64 of the UTF-8 JSON; `base64: urlsafe` uses `-` and `_` (max-v2-0012). */
function payload(jsonText, alphabet) {
  const standard = utf8(jsonText).toString("base64");
  return alphabet === "urlsafe" ? standard.replaceAll("+", "-").replaceAll("/", "_") : standard;
}

/** What is HMACed is the payload string itself (the v2 docs: `createHmac('sha256', secret_key).update(payload)`). */
function stringToSign(payloadText) {
  return payloadText;
}

/** Lower-case hex HMAC-SHA256 keyed with the secret (the v2 docs: `.digest('hex')`). */
function signature(secret, message) {
  return hmacSha256Hex(secret, message);
}

/** GET parameters as sent: form encoding, order kept, the `[]` of array keys literal (`state[]=wait`). */
function queryString(pairs) {
  const keepBrackets = (key) => formEncode(key).replaceAll("%5B", "[").replaceAll("%5D", "]");
  return pairs.map(([key, value]) => `${keepBrackets(key)}=${formEncode(value)}`).join("&");
}

/** Headers X-MAX-ACCESSKEY, X-MAX-PAYLOAD, X-MAX-SIGNATURE (the v2 docs); the query, or the JSON body exactly as given. */
function wire(request, payloadText, sig) {
  const headers = {
    "X-MAX-ACCESSKEY": request.credentials.apiKey,
    "X-MAX-PAYLOAD": payloadText,
    "X-MAX-SIGNATURE": sig,
  };
  const query = queryString(request.query);
  const url = BASE_URL + request.path + (query ? `?${query}` : "");
  if (request.body?.kind === "json") {
    headers["Content-Type"] = "application/json";
    return { method: request.method, url, headers, body: request.body.text };
  }
  return { method: request.method, url, headers, body: null };
}

export function sign(request) {
  const style = option(request, "json", "compact");
  const alphabet = option(request, "base64", "standard");
  const text = payloadJson(payloadObject(request), style);
  const encoded = payload(text, alphabet);
  const message = stringToSign(encoded);
  const sig = signature(request.credentials.secret, message);
  return {
    stages: { payload_json: text, payload: encoded, string_to_sign: message, signature: sig },
    wire: wire(request, encoded, sig),
  };
}
