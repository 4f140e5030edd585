// JSON read and written with exact numbers and exact key order.
//
// The gate sends each vector's input as JSON, and JSON bodies are signed as
// exact text, so two things JavaScript's JSON.parse loses must be kept:
// - a number's text: `1.50` is not `1.5`, `1.0` is a float the reference
//   refuses (README.md, "Porting a signer"), and integers may exceed 2^53;
// - key order: a plain object moves integer-like keys ("1") to the front,
//   while the reference keeps every key where it was sent.
// So numbers are read as `JsonNumber` (their source text) and objects as `Map`.

export class JsonNumber {
  constructor(text) {
    this.text = text;
  }

  /** True for a JSON integer literal (no fraction, no exponent): Python reads it as an int. */
  get isInteger() {
    return /^-?[0-9]+$/.test(this.text);
  }

  /**
   * The number as Python writes the value it reads: `str(int)` for an integer
   * (so `-0` is `0`), `format(Decimal(text), "f")` otherwise (positional, never
   * an exponent, trailing zeros kept), which is how the reference writes a
   * Decimal into JSON (signing/encoding.py `dump_json`).
   */
  toString() {
    if (this.isInteger) return BigInt(this.text).toString();
    const [, sign, whole, fraction = "", exponent = "0"] = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(this.text);
    const digits = (whole + fraction).replace(/^0+(?=.)/, "");
    const scale = Number(exponent) - fraction.length;
    if (scale >= 0) return sign + digits + "0".repeat(digits === "0" ? 0 : scale);
    const point = digits.length + scale;
    const positional = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${"0".repeat(-point)}${digits}`;
    return sign + positional;
  }

  /** Numeric equality with an integer given as decimal text (`1700000000000.0` equals `1700000000000`). */
  equalsInteger(integerText) {
    const text = this.toString();
    const [whole, fraction = ""] = text.split(".");
    return /^0*$/.test(fraction) && BigInt(whole) === BigInt(integerText);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL = /true|false|null/y;
const SPACE = /[ \t\n\r]*/y;

/** Parse JSON text: objects become `Map`s in source order (a repeated key keeps its first place and last value, as Python's dict does), numbers `JsonNumber`s. */
export function parseJson(text) {
  let at = 0;
  const match = (pattern) => {
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (found) at = pattern.lastIndex;
    return found?.[0];
  };
  const fail = (what) => {
    throw new SyntaxError(`${what} at offset ${at}`);
  };
  const expect = (character) => {
    match(SPACE);
    if (text[at] !== character) fail(`expected '${character}'`);
    at += 1;
  };
  // The members of an object or array up to `close`, each read by `member`, separated by commas.
  const members = (close, member) => {
    at += 1;
    match(SPACE);
    if (text[at] === close) {
      at += 1;
      return;
    }
    for (;;) {
      member();
      match(SPACE);
      if (text[at] !== ",") break;
      at += 1;
    }
    expect(close);
  };
  const value = () => {
    match(SPACE);
    const next = text[at];
    if (next === "{") {
      const object = new Map();
      members("}", () => {
        match(SPACE);
        const key = match(STRING) ?? fail("expected a string key");
        expect(":");
        object.set(JSON.parse(key), value());
      });
      return object;
    }
    if (next === "[") {
      const array = [];
      members("]", () => array.push(value()));
      return array;
    }
    if (next === '"') return JSON.parse(match(STRING) ?? fail("malformed string"));
    const literal = match(LITERAL);
    if (literal !== undefined) return JSON.parse(literal);
    const number = match(NUMBER);
    if (number !== undefined) return new JsonNumber(number);
    return fail("unexpected character");
  };
  const result = value();
  match(SPACE);
  if (at !== text.length) fail("trailing text");
  return result;
}

/** Compare two strings by Unicode code point, as Python's `sorted` does (JavaScript's default compares UTF-16 units). */
export function byCodePoint(a, b) {
  const left = Array.from(a, (c) => c.codePointAt(0));
  const right = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    if (left[i] !== right[i]) return left[i] - right[i];
  }
  return left.length - right.length;
}

const ESCAPES = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/**
 * A string as a JSON literal, as Python's json.dumps writes it: the quote, the
 * backslash and control characters escaped, everything else raw (a lone
 * surrogate too, so that it is refused when the text becomes UTF-8); with
 * `asciiOnly` (`ensure_ascii`), every UTF-16 unit outside space to `~` as a
 * lower-case `\uXXXX` escape.
 */
function stringLiteral(text, asciiOnly) {
  const unsafe = asciiOnly ? /["\\\u0000-\u001f\u007f-\uffff]/g : /["\\\u0000-\u001f]/g;
  return `"${text.replace(unsafe, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

/**
 * JSON text of a value read by `parseJson` (or built of Maps, arrays, strings,
 * booleans, null and JsonNumbers), as the reference's `dump_json` writes it:
 * `itemSeparator` between members, `keySeparator` after keys, keys in order
 * or sorted by code point, non-ASCII raw or escaped.
 */
export function writeJson(value, { itemSeparator = ",", keySeparator = ":", sortKeys = false, asciiOnly = false } = {}) {
  const write = (item) => {
    if (item instanceof Map) {
      const keys = sortKeys ? [...item.keys()].sort(byCodePoint) : [...item.keys()];
      return `{${keys.map((key) => `${stringLiteral(key, asciiOnly)}${keySeparator}${write(item.get(key))}`).join(itemSeparator)}}`;
    }
    if (Array.isArray(item)) return `[${item.map(write).join(itemSeparator)}]`;
    if (item instanceof JsonNumber) return item.toString();
    if (typeof item === "string") return stringLiteral(item, asciiOnly);
    return JSON.stringify(item); // true, false, null
  };
  return write(value);
}
