// Gate harness for mexc-api-sdk 1.0.3 (npm, MEXC's official Node SDK): MEXC spot v3.
//
// Capture mode only: the SDK sends through sync-request, which runs the HTTP request in a child
// process, so nothing in this process can see or stop it; the loopback server records it. The
// SDK reads its clock once, in this process (`Date.now()` in `signRequest`), and hands the child
// only the finished URL, so pinning `Date.now` here pins the request. `config.baseURL` is the
// command's base_url + /api/v3. Vectors go through the SDK's generic
// `signRequest(method, path, params)`, which puts every parameter in the query and appends
// `timestamp` last.

import { createRequire } from "node:module";
import { Skipped, installedVersion, asObject, bodyKind, dropAdded, loopbackBase, pinnedTimestamp, queryParams, serve } from "./sigvec-kit.mjs";

const require = createRequire(import.meta.url);
const { Spot } = require("mexc-api-sdk");

const PREFIX = "/api/v3";

const IMPLEMENTATION = {
  name: "mexc-api-sdk",
  language: "javascript",
  version: installedVersion(import.meta.url, "mexc-api-sdk"),
  homepage: "https://github.com/mxcdevelop/mexc-api-sdk",
  issues: "https://github.com/mxcdevelop/mexc-api-sdk/issues",
  source: "https://github.com/mxcdevelop/mexc-api-sdk",
  schemes: ["mexc-spot-v3"],
  options: {},
};

/** The SDK's params object: the query parameters in order, less the timestamp it appends. It puts every
 * parameter in the query, so a vector with a body is skipped (the contract's rule for a query-string client). */
function paramsFor(input, timestamp) {
  const kind = bodyKind(input);
  if (kind !== null && kind !== "form") throw new Skipped(`the SDK sends every parameter in the query; a ${kind} body cannot be expressed`);
  return asObject(dropAdded(queryParams(input), { timestamp: String(timestamp) }), "the query");
}

async function handle(command) {
  const input = command.input;
  if (!input.path.startsWith(PREFIX + "/")) throw new Skipped(`the SDK's requests are under ${PREFIX}, not ${input.path}`);
  const timestamp = pinnedTimestamp(input);
  const params = paramsFor(input, timestamp);
  const client = new Spot(input.credentials.api_key, input.credentials.secret);
  client.config.baseURL = loopbackBase(command) + PREFIX;
  const realNow = Date.now;
  Date.now = () => timestamp;
  try {
    client.signRequest(input.method, input.path.slice(PREFIX.length), params); // returns once the child has the answer
  } finally {
    Date.now = realNow;
  }
  return { sent: true };
}

await serve(IMPLEMENTATION, handle);
