// The request a vector's `input` describes, refused where it is unclear.
//
// The rules are the reference's signing/model.py `request_from_mapping`
// (README.md, "Porting a signer"): parameter values are the exact text sent;
// a float, a bool or null has no single text form and is refused, naming the
// field, rather than formatted silently. Integers have one form.

import { JsonNumber, parseJson, writeJson } from "./json.mjs";

/** Input the port refuses: the gate's `refused` verdict, with the field and the rule. */
export class Refusal extends Error {
  constructor(field, rule) {
    super(`${field}: ${rule}`);
    this.name = "Refusal";
  }
}

const INPUT_KEYS = ["scheme", "credentials", "method", "path", "query", "body", "timestamp", "nonce", "window", "options"];
const BODY_KINDS = ["form", "json", "json_text", "text"];

const isMap = (value) => value instanceof Map;

/** The one text form of a parameter value: a string as it is, an integer in decimal; anything else refused. */
function paramText(field, value) {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") throw new Refusal(field, "a bool has no single text form; send the exact text, e.g. 'true'");
  if (value instanceof JsonNumber) {
    if (value.isInteger) return value.toString();
    throw new Refusal(field, "a float has no single text form (1e-05 or 0.00001?); send a string");
  }
  if (value === null) throw new Refusal(field, "null has no text form; leave the parameter out or send ''");
  throw new Refusal(field, "cannot be a parameter value; send one string");
}

/** Ordered [key, value] pairs from a list of two-item lists; a mapping is refused because it hides the order. */
function paramsFrom(field, list) {
  if (list === null || list === undefined) return [];
  if (isMap(list)) throw new Refusal(field, "must be a list of [key, value] pairs, so that order is explicit");
  if (!Array.isArray(list)) throw new Refusal(field, "must be a list of [key, value] pairs");
  return list.map((pair, index) => {
    const where = `${field}[${index}]`;
    if (!Array.isArray(pair) || pair.length !== 2) throw new Refusal(where, "must be a [key, value] pair");
    const [key, value] = pair;
    if (typeof key !== "string" || key === "") throw new Refusal(`${where}.key`, "must be a non-empty string");
    return [key, paramText(`${where}.value`, value)];
  });
}

/** A JSON value with no floats, so that every number has one exact text form. */
function jsonValue(field, value) {
  if (value instanceof JsonNumber && !value.isInteger) {
    throw new Refusal(field, "a float has no single JSON text form; use body.json_text with the exact text");
  }
  if (isMap(value)) for (const [key, item] of value) jsonValue(`${field}.${key}`, item);
  if (Array.isArray(value)) value.forEach((item, index) => jsonValue(`${field}[${index}]`, item));
  return value;
}

/**
 * The body, from exactly one of `form` (pairs), `json` (a value, sent as
 * compact JSON), `json_text` (the exact JSON text sent) or `text` (verbatim).
 */
function bodyFrom(body) {
  if (body === null || body === undefined) return null;
  if (!isMap(body) || body.size !== 1 || !BODY_KINDS.includes([...body.keys()][0])) {
    throw new Refusal("body", `must be a mapping with exactly one of ${BODY_KINDS.join(", ")}`);
  }
  const [[kind, content]] = body;
  if (kind === "form") return { kind, params: paramsFrom("body.form", content) };
  if (kind === "json") {
    const value = jsonValue("body.json", content);
    return { kind, value, text: writeJson(value) };
  }
  if (typeof content !== "string") throw new Refusal(`body.${kind}`, "must be the exact body text");
  if (kind === "text") return { kind, text: content };
  let value;
  try {
    value = parseJson(content);
  } catch (error) {
    throw new Refusal("body.json_text", `is not valid JSON (${error.message})`);
  }
  return { kind: "json", value, text: content };
}

/** An optional integer (milliseconds unless the scheme says otherwise), kept as its decimal text. */
function optionalInteger(input, name) {
  const value = input.get(name);
  if (value === null || value === undefined) return null;
  if (!(value instanceof JsonNumber) || !value.isInteger) {
    throw new Refusal(name, "must be an integer (milliseconds unless the scheme says otherwise)");
  }
  return value.toString();
}

function requiredText(input, name) {
  const value = input.get(name);
  if (typeof value !== "string" || value === "") throw new Refusal(name, "is required and must be a non-empty string");
  return value;
}

/** A path as it goes on the request line (RFC 3986 section 3.3, `pchar` and `/`): sent unchanged. */
const SENDABLE_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/** A request from a vector's `input` (parsed by parseJson), refusing anything unclear. */
export function requestFrom(input) {
  if (!isMap(input)) throw new Refusal("input", "must be a mapping");
  const unknown = [...input.keys()].filter((key) => !INPUT_KEYS.includes(key)).sort();
  if (unknown.length > 0) throw new Refusal(unknown[0], `is not an input field; known fields are ${[...INPUT_KEYS].sort().join(", ")}`);
  const credentials = input.get("credentials");
  if (!isMap(credentials)) throw new Refusal("credentials", "must be a mapping with api_key and secret");
  const apiKey = credentials.get("api_key");
  const secret = credentials.get("secret");
  if (typeof apiKey !== "string" || apiKey === "") throw new Refusal("credentials.api_key", "must be a non-empty string");
  if (typeof secret !== "string" || secret === "") throw new Refusal("credentials.secret", "must be a non-empty string");
  const nonce = input.get("nonce") ?? null;
  if (nonce !== null && typeof nonce !== "string") throw new Refusal("nonce", "must be a string, exactly as sent");
  const options = input.get("options") ?? new Map();
  if (!isMap(options) || ![...options.values()].every((value) => typeof value === "string")) {
    throw new Refusal("options", "must be a mapping of option names to strings");
  }
  const method = requiredText(input, "method");
  if (method !== method.toUpperCase()) throw new Refusal("method", "must be upper case, as sent on the request line");
  const path = requiredText(input, "path");
  if (!path.startsWith("/") || path.includes("?")) throw new Refusal("path", "must start with '/' and carry no query string; use query");
  if (!SENDABLE_PATH.test(path)) {
    throw new Refusal("path", "must be sendable as written: RFC 3986 path characters, and % only before two hex digits");
  }
  return {
    scheme: requiredText(input, "scheme"),
    method,
    path,
    credentials: { apiKey, secret },
    query: paramsFrom("query", input.get("query")),
    body: bodyFrom(input.get("body")),
    timestamp: optionalInteger(input, "timestamp"),
    nonce,
    window: optionalInteger(input, "window"),
    options,
  };
}

/** The request's clock (decimal text of epoch milliseconds), required by every scheme the port signs. */
export function requireTimestamp(request) {
  if (request.timestamp === null) throw new Refusal("timestamp", `scheme ${request.scheme} signs a timestamp; none was given`);
  if (!inRange(request.timestamp, 0n, 10n ** 19n)) {
    throw new Refusal("timestamp", `must be an epoch time of 0 to 19 digits`);
  }
  return request.timestamp;
}

/** Is the integer `text` at least `low` and below `high` (BigInts)? */
export function inRange(text, low, high) {
  const value = BigInt(text);
  return value >= low && value < high;
}

/** The request's nonce, for schemes that sign one. */
export function requireNonce(request) {
  if (request.nonce === null) throw new Refusal("nonce", `scheme ${request.scheme} signs a nonce; none was given`);
  return request.nonce;
}

/** A form body's parameters (none without a body); any other body is refused with the scheme's rule. */
export function formParams(request, schemeRule) {
  if (request.body === null) return [];
  if (request.body.kind !== "form") throw new Refusal("body", schemeRule);
  return request.body.params;
}

/** The option's value given in the input, or the scheme's default. */
export function option(request, name, fallback) {
  return request.options.get(name) ?? fallback;
}
