// sigvec's harness kit for Node: the client side of the sigvec gate protocol, versions 1 and 2, the
// counterpart of the Python kit `sigvec.harness`. Node built-ins only; one file, written out by
//   sigvec kit node > sigvec-kit.mjs
//
// A harness reads one JSON command per line on stdin and answers on stdout, one JSON line per
// `start` and `sign`; `stop` ends it with no reply. A client harness supplies its implementation
// metadata and an async function that turns a `sign` command into an answer ({wire} or
// {sent: true}) or throws Refused or Skipped; any other error becomes `errored`. A harness that answers
// with the wire request may pass `{ pipeline: N }` (protocol version 2): commands are answered in the order
// received, and a gate that speaks version 2 then keeps N of them in flight.
// Also here: reading a vector's input in the shapes Node clients take, the contract's rule for a
// query-string client (queryParams), and the loopback check for capture mode (loopbackBase).

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

export const PROTOCOL_VERSION = 1;
export const PIPELINED_VERSION = 2;

/** The client refused the input. */
export class Refused extends Error {}

/** The client cannot express this vector; `issueUrl` points at the reason, if there is one. */
export class Skipped extends Error {
  constructor(message, issueUrl = null) {
    super(message);
    this.issueUrl = issueUrl;
  }
}

/** The reply to one `sign` command. */
export async function answer(command, handle) {
  const seq = command.seq ?? null;
  try {
    return { seq, ...(await handle(command)) };
  } catch (error) {
    if (error instanceof Refused) return { seq, refused: { message: error.message } };
    if (error instanceof Skipped) {
      return { seq, skipped: { message: error.message, ...(error.issueUrl ? { issue_url: error.issueUrl } : {}) } };
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { seq, errored: { message, traceback: error?.stack ?? message } };
  }
}

/** The version of package `name` installed in the node_modules beside the harness at `harnessUrl`. */
export function installedVersion(harnessUrl, name) {
  return JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, harnessUrl), "utf8")).version;
}

/** Answer gate commands until `stop` or end of input; with `pipeline`, declare it to a gate that speaks version 2. */
export async function serve(implementation, handle, { pipeline = null } = {}) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const command = JSON.parse(line);
    let reply;
    if (command.cmd === "start") {
      if (command.version !== PROTOCOL_VERSION) {
        process.stderr.write(`harness speaks protocol version ${PROTOCOL_VERSION}, not ${command.version}\n`);
        process.exit(1);
      }
      reply = { version: PROTOCOL_VERSION, implementation };
      if (pipeline !== null && (command.max_version ?? PROTOCOL_VERSION) >= PIPELINED_VERSION) {
        reply = { version: PIPELINED_VERSION, implementation, pipeline };
      }
    } else if (command.cmd === "sign") {
      reply = await answer(command, handle);
    } else {
      break;
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
  }
  lines.close();
}

/** The query parameters, in order, as [name, value] text pairs. */
export function queryPairs(input) {
  return (input.query ?? []).map(([name, value]) => [String(name), String(value)]);
}

/** Which body the vector carries: form, json, json_text, text, or null. */
export function bodyKind(input) {
  return input.body ? Object.keys(input.body)[0] : null;
}

/** The form body parameters, in order, as [name, value] text pairs. */
export function formPairs(input) {
  return input.body.form.map(([name, value]) => [String(name), String(value)]);
}

/** The JSON body as a value, key order kept (`json_text` is parsed: the client re-serialises it). */
export function jsonBody(input) {
  if ("json" in input.body) return input.body.json;
  if ("json_text" in input.body) return JSON.parse(input.body.json_text);
  throw new Skipped(`the vector's body is ${bodyKind(input)}; this client sends JSON bodies only`);
}

/** Pairs as an object, for clients that take one; a repeated name cannot be expressed. */
export function asObject(pairs, where) {
  const result = {};
  for (const [name, value] of pairs) {
    if (Object.hasOwn(result, name)) throw new Skipped(`${where} repeats ${JSON.stringify(name)}; this client takes parameters as an object`);
    result[name] = value;
  }
  return result;
}

/** The pairs without those the client adds itself, which must agree with them. */
export function dropAdded(pairs, added) {
  return pairs.filter(([name, value]) => {
    if (!Object.hasOwn(added, name)) return true;
    if (value !== added[name]) {
      throw new Skipped(`the vector's ${name}=${JSON.stringify(value)} differs from what the client adds (${JSON.stringify(added[name])})`);
    }
    return false;
  });
}

/** Why a query-string client skips a form-body vector (the contract's one rule; the Python kit says the same). */
export const QUERY_ONLY_FORM = "the client sends every parameter in the query string; it cannot send a form body";

/**
 * The query parameters a caller hands a client that puts every parameter in the query string. A
 * vector with a form body is skipped, never sent with its form parameters moved into the query.
 * The clock parameter (`timestamp` on MEXC spot) is the client's own work: pin its clock instead.
 */
export function queryParams(input, clockParam = null) {
  if (bodyKind(input) === "form") throw new Skipped(QUERY_ONLY_FORM);
  return queryPairs(input).filter(([name]) => name !== clockParam);
}

/** The command's `base_url` without a trailing slash; an Error unless it is a loopback address (a harness never reaches the network). */
export function loopbackBase(command) {
  const url = String(command.base_url).replace(/\/+$/, "");
  const host = new URL(url).hostname;
  if (host !== "localhost" && !host.startsWith("127.") && host !== "[::1]") {
    throw new Error(`base_url ${url} is not a loopback address; this harness sends only to the gate's loopback server`);
  }
  return url;
}

/** The vector's clock reading, which the harness pins the client's time source to. */
export function pinnedTimestamp(input) {
  if (!Number.isInteger(input.timestamp)) throw new Skipped("the vector has no timestamp to pin the client's clock to");
  return input.timestamp;
}
