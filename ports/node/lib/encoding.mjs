// Encoders shared by the schemes, as in the reference's signing/encoding.py.

import { createHash, createHmac } from "node:crypto";

import { byCodePoint } from "./json.mjs";
import { Refusal } from "./request.mjs";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The UTF-8 bytes of `text`. A lone surrogate has no UTF-8 form: it is refused
 * (Node's Buffer and crypto would silently write U+FFFD instead, and the
 * signature would cover bytes nobody asked for; the Python reference raises).
 */
export function utf8(text) {
  const bad = LONE_SURROGATE.exec(text);
  if (bad) throw new Refusal("input", `U+${bad[0].charCodeAt(0).toString(16).toUpperCase()} is a lone surrogate, which has no UTF-8 form`);
  return Buffer.from(text, "utf8");
}

/**
 * RFC 3986 percent-encoding of UTF-8 bytes, upper-case hex, space as `%20`:
 * only `A-Z a-z 0-9 - . _ ~` stay literal (RFC 3986, section 2.3).
 * encodeURIComponent also leaves `! ' ( ) *` literal, so those are escaped here.
 * A lone surrogate has no UTF-8 form and is refused.
 */
export function percentEncode(text) {
  utf8(text);
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** HTML form encoding (`application/x-www-form-urlencoded`): as percentEncode, but a space is `+`. */
export function formEncode(text) {
  return percentEncode(text).replaceAll("%20", "+");
}

/** No encoding at all: the text as given. */
export function raw(text) {
  return text;
}

/** `k=v` pairs joined by `&`, keys and values each through `encode`. */
export function joinPairs(pairs, encode = raw) {
  return pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join("&");
}

/** Pairs sorted by key alone, by code point; the sort is stable, so a repeated key keeps its values' order. */
export function sortedByKey(pairs) {
  return [...pairs].sort(([a], [b]) => byCodePoint(a, b));
}

const bytes = (data) => (typeof data === "string" ? utf8(data) : data);

/** Lower-case hex HMAC-SHA256. `key` and `message` are strings (as UTF-8) or Buffers. */
export function hmacSha256Hex(key, message) {
  return createHmac("sha256", bytes(key)).update(bytes(message)).digest("hex");
}

/** Lower-case hex SHA-256. `message` is a string (as UTF-8) or a Buffer. */
export function sha256Hex(message) {
  return createHash("sha256").update(bytes(message)).digest("hex");
}

/** Lower-case hex MD5. `message` is a string (as UTF-8). */
export function md5Hex(message) {
  return createHash("md5").update(utf8(message)).digest("hex");
}
