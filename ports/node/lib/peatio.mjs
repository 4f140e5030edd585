// Peatio API v2 (`peatio-v2`): payload `METHOD|/api/v2/path|canonical_query`, HMAC-SHA256.
//
// Rules: Peatio API v2 docs (hpyhacking/peatio app/views/documents/api_v2.en.html.slim) ("How to signature"), the open-source
// server hpyhacking/peatio (app/api/api_v2/auth/authenticator.rb), which ran on
// Rails 4.2 and Rack 1.6, docs/rules/peatio.md, and the vectors in
// vectors/peatio/. `access_key`, `tonce` (ms) and `signature` are ordinary
// parameters; there are no auth headers. The server parses the parameters into
// a nested hash (Rack) and signs Rails' `to_query` of it, unescaped, so the port
// does the same: parse the flat pairs as Rack does, then write them as Rails does.

import { formEncode, hmacSha256Hex, percentEncode } from "./encoding.mjs";
import { byCodePoint } from "./json.mjs";
import { Refusal, formParams, option, requireTimestamp } from "./request.mjs";

export const BASE_URL = "https://peatio.example";

const UNSIGNED_PARAMS = ["signature", "format", "route_info"];
const RACK_NAME = /^[[\]]*([^[\]]+)\]*/;
// Python's `.` is any character but "\n"; JavaScript's `.` also stops at "\r", U+2028 and U+2029.
const RACK_ARRAY_OF_HASHES = [/^\[\]\[([^[\]]+)\]$/, /^\[\]([^\n]+)$/];

// --- parameters, as Rack 1.6 parses them ------------------------------------------

/** Rack's `params_hash_has_key?`: does the hash already hold the (possibly nested) key? */
function rackHasKey(params, key) {
  if (key.includes("[]")) return false;
  let node = params;
  for (const part of key.split(/[[\]]+/).filter(Boolean)) {
    if (!(node instanceof Map) || !node.has(part)) return false;
    node = node.get(part);
  }
  return true;
}

function listUnder(params, key, name) {
  if (!params.has(key)) params.set(key, []);
  if (!Array.isArray(params.get(key))) throw new Refusal(`params.${name}`, `${key} is both a value and an array`);
  return params.get(key);
}

/**
 * One `name=value` pair added as Rack 1.6 `normalize_params` adds it: `k` sets,
 * `k[]` appends, `k[sub]` descends into a hash, and `k[][sub]` adds to the last
 * hash of the array unless it already has `sub` (then a new hash starts).
 * A scalar sent twice is refused, where Rack would silently keep the last.
 */
function rackNormalize(params, name, value) {
  const match = RACK_NAME.exec(name);
  if (match === null) return;
  const [whole, key] = match;
  const after = name.slice(whole.length);
  if (after === "") {
    if (params.has(key)) throw new Refusal(`params.${name}`, "is sent twice; Rack would keep only the last value");
    params.set(key, value);
  } else if (after === "[") {
    params.set(name, value);
  } else if (after === "[]") {
    listUnder(params, key, name).push(value);
  } else {
    const child = RACK_ARRAY_OF_HASHES.map((pattern) => pattern.exec(after)).find(Boolean)?.[1];
    if (child !== undefined) {
      const listed = listUnder(params, key, name);
      const last = listed.at(-1);
      if (last instanceof Map && !rackHasKey(last, child)) {
        rackNormalize(last, child, value);
      } else {
        const fresh = new Map();
        rackNormalize(fresh, child, value);
        listed.push(fresh);
      }
      return;
    }
    if (!params.has(key)) params.set(key, new Map());
    if (!(params.get(key) instanceof Map)) throw new Refusal(`params.${name}`, `${key} is both a value and a hash`);
    rackNormalize(params.get(key), after, value);
  }
}

/** Flat pairs as the nested params hash a Rails 4.2 app sees (Rack 1.6 `parse_nested_query`). */
function rackParams(pairs) {
  const params = new Map();
  for (const [key, value] of pairs) rackNormalize(params, key, value);
  return params;
}

function peatioFormParams(request) {
  return formParams(request, "Peatio v2 signs query and form parameters (body.form) only");
}

/** Every query and form parameter: access_key and tonce sent and right, no signature yet, no key in both places. */
function signedParams(request) {
  const query = rackParams(request.query);
  const form = rackParams(peatioFormParams(request));
  const both = [...query.keys()].filter((key) => form.has(key)).sort(byCodePoint);
  if (both.length > 0) throw new Refusal(`params.${both[0]}`, "is sent in both the query and the form; Rack keeps the form's");
  const params = new Map([...query, ...form]);
  if (params.has("signature")) throw new Refusal("params.signature", "is added by the signer; leave it out of the input");
  if (params.get("access_key") !== request.credentials.apiKey) {
    throw new Refusal("params.access_key", "must be sent, equal to credentials.api_key");
  }
  if (params.get("tonce") !== requireTimestamp(request)) throw new Refusal("params.tonce", "must be sent, equal to input.timestamp (epoch ms)");
  return params;
}

// --- the signature ---------------------------------------------------------------------

/** Ruby 2.x `CGI.escape`: UTF-8 bytes, `A-Za-z0-9 _ . -` kept, space as `+`, and `~` escaped too. */
function cgiEscape(text) {
  return formEncode(text).replaceAll("~", "%7E");
}

/**
 * Rails 4.2 `to_query`: a hash writes each entry under `key[sub]` (the bare key
 * at the top), drops empty hashes and arrays, and sorts the resulting strings
 * as whole strings; an array writes each element under `key[]` in order, an
 * empty one as `key[]=`; a scalar is `CGI.escape(key)=CGI.escape(value)`.
 */
function toQuery(value, key) {
  if (value instanceof Map) {
    const parts = [...value]
      .filter(([, item]) => !((item instanceof Map && item.size === 0) || (Array.isArray(item) && item.length === 0)))
      .map(([sub, item]) => toQuery(item, key ? `${key}[${sub}]` : sub));
    return parts.sort(byCodePoint).join("&");
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return toQuery(null, `${key}[]`);
    return value.map((item) => toQuery(item, `${key}[]`)).join("&");
  }
  return `${cgiEscape(key)}=${cgiEscape(value ?? "")}`;
}

/**
 * `URI.unescape(params.to_param)` without `route_info`, `signature` and
 * `format` (authenticator.rb `canonical_query`): every `%XX` decoded, `+` left
 * as it is, so a space and a literal `+` both read `+` (peatio-v2-0006).
 */
function canonicalQuery(params) {
  const kept = new Map([...params].filter(([key]) => !UNSIGNED_PARAMS.includes(key)));
  return decodeURIComponent(toQuery(kept, ""));
}

/** `payload = METHOD|/api/v2/path|canonical_query`, the path without its query and with `.json` kept. */
function stringToSign(method, path, query) {
  return `${method}|${path}|${query}`;
}

/** `HMAC-SHA256(payload, secret_key).to_hex`: the secret is the key, lower-case hex. */
function signature(secret, message) {
  return hmacSha256Hex(secret, message);
}

/** Pairs as sent: form encoding (or percent with `encoding: percent`), the `[` and `]` of keys literal. */
function encodePairs(pairs, encoding) {
  const escape = encoding === "percent" ? percentEncode : formEncode;
  const keepBrackets = (key) => escape(key).replaceAll("%5B", "[").replaceAll("%5D", "]");
  return pairs.map(([key, value]) => `${keepBrackets(key)}=${escape(value)}`).join("&");
}

/** `signature` among `pairs`: appended (`last`, the docs' example URL) or before them (`first`); the server
 * reads it by name (`@params[:signature]`, hpyhacking/peatio app/api/api_v2/auth/authenticator.rb). */
function withSignature(pairs, sig, position) {
  return position === "first" ? [["signature", sig], ...pairs] : [...pairs, ["signature", sig]];
}

/** `signature` among the parameters of the form body if there is one, else of the query (see `withSignature`). */
function wire(request, sig, encoding, position) {
  const queryPairs = request.body === null ? withSignature(request.query, sig, position) : request.query;
  const query = encodePairs(queryPairs, encoding);
  const url = BASE_URL + request.path + (query ? `?${query}` : "");
  if (request.body === null) return { method: request.method, url, headers: {}, body: null };
  const body = encodePairs(withSignature(peatioFormParams(request), sig, position), encoding);
  return { method: request.method, url, headers: { "Content-Type": "application/x-www-form-urlencoded" }, body };
}

export function sign(request) {
  const encoding = option(request, "encoding", "form");
  const position = option(request, "signature_position", "last");
  const query = canonicalQuery(signedParams(request));
  const message = stringToSign(request.method, request.path, query);
  const sig = signature(request.credentials.secret, message);
  return {
    stages: { canonical_query: query, string_to_sign: message, signature: sig },
    wire: wire(request, sig, encoding, position),
  };
}
