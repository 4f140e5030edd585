// Gate harness for max-exchange-api-node 3.0.2 (npm, MAX's official Node client): MAX API v3.
//
// Capture mode. The client's REST host is hard-coded, so `globalThis.fetch` is wrapped to rewrite
// https://max-api.maicoin.com to the command's base_url; `Date.now`, which it reads as the nonce,
// is pinned to the vector's timestamp. A new client per vector: the client bumps a nonce equal to
// its previous one by 1, which would otherwise carry over from one vector to the next.
// The client keeps its generic request helper private, so each vector goes through the typed
// method for its endpoint (table below). Its Zod schemas drop parameters they do not declare, and
// it snake_cases the declared ones; a vector parameter with no declared argument is Skipped.

import { MAX } from "max-exchange-api-node";
import { Skipped, installedVersion, asObject, bodyKind, dropAdded, jsonBody, pinnedTimestamp, queryPairs, serve } from "./sigvec-kit.mjs";

const HOST = "https://max-api.maicoin.com";
const PREFIX = "/api/v3";

const IMPLEMENTATION = {
  name: "max-exchange-api-node",
  language: "javascript",
  version: installedVersion(import.meta.url, "max-exchange-api-node"),
  homepage: "https://github.com/maicoin/max-exchange-api-node",
  issues: "https://github.com/maicoin/max-exchange-api-node/issues",
  source: "https://github.com/maicoin/max-exchange-api-node",
  schemes: ["max-v2"],
  options: { "max-v2": { json: "sorted", base64: "standard" } },
};

// [method, path pattern, typed call, its arguments: wire name -> [argument name, type]]
const ENDPOINTS = [
  [
    "GET",
    /^\/wallet\/(spot|m)\/orders\/open$/,
    (rest, match, args) => (match[1] === "spot" ? rest.spotWallet : rest.mWallet).getOpenOrders(args),
    { market: ["market", "string"], timestamp: ["timestamp", "number"], order_by: ["orderBy", "string"], limit: ["limit", "number"] },
  ],
  [
    "POST",
    /^\/withdrawal$/,
    (rest, match, args) => rest.submitWithdrawal(args),
    { withdraw_address_uuid: ["withdrawAddressUuid", "string"], amount: ["amount", "string"] },
  ],
];

/** The vector's parameters (query for GET, JSON body otherwise), less the nonce the client adds. */
function wireParams(input, timestamp) {
  if (input.method === "GET") {
    if (bodyKind(input) !== null) throw new Skipped("the client's GET carries no body");
    return asObject(dropAdded(queryPairs(input), { nonce: String(timestamp) }), "the query");
  }
  if (queryPairs(input).length) throw new Skipped(`the client's ${input.method} carries no query string`);
  const body = { ...jsonBody(input) };
  if (body.nonce !== undefined && String(body.nonce) !== String(timestamp)) {
    throw new Skipped(`the vector's nonce ${body.nonce} differs from the clock the client reads it from (${timestamp})`);
  }
  delete body.nonce;
  return body;
}

/** The typed method's arguments for the wire parameters. */
function argumentsFor(params, declared, endpoint) {
  const args = {};
  for (const [name, value] of Object.entries(params)) {
    if (!Object.hasOwn(declared, name)) throw new Skipped(`the client's typed call for ${endpoint} declares no ${name} (its schema would drop it)`);
    const [argument, type] = declared[name];
    args[argument] = type === "number" ? Number(value) : value;
  }
  return args;
}

async function handle(command) {
  const input = command.input;
  if (!input.path.startsWith(PREFIX + "/")) throw new Skipped(`the client speaks only ${PREFIX}, not ${input.path}`);
  const path = input.path.slice(PREFIX.length);
  const found = ENDPOINTS.map(([method, pattern, call, declared]) => [method === input.method && pattern.exec(path), call, declared]).find(([match]) => match);
  if (!found) throw new Skipped(`the client has no typed call for ${input.method} ${input.path}`);
  const [match, call, declared] = found;
  const timestamp = pinnedTimestamp(input);
  const args = argumentsFor(wireParams(input, timestamp), declared, `${input.method} ${input.path}`);
  const rest = new MAX({ accessKey: input.credentials.api_key, secretKey: input.credentials.secret }).rest;
  const base = command.base_url.replace(/\/$/, "");
  const realFetch = globalThis.fetch;
  const realNow = Date.now;
  let sent = false;
  globalThis.fetch = async (url, init) => {
    if (!String(url).startsWith(HOST + "/")) throw new Error(`the client addressed ${url}, not ${HOST}`);
    const response = await realFetch(base + String(url).slice(HOST.length), init);
    sent = true;
    return response;
  };
  Date.now = () => timestamp;
  try {
    await call(rest, match, args);
  } catch (error) {
    if (!sent) throw error; // otherwise the client rejected the server's answer; the request went out
  } finally {
    globalThis.fetch = realFetch;
    Date.now = realNow;
  }
  return { sent: true };
}

await serve(IMPLEMENTATION, handle);
