#!/usr/bin/env node
// The sigvec gate harness for the Node port: protocol version 1, JSON lines on stdin and stdout.
//
//   {"cmd":"start","version":1}  ->  {"version":1,"implementation":{...}}
//   {"cmd":"sign","seq":S,"id":ID,"input":{...},"base_url":URL}
//                                ->  {"seq":S,"wire":{...},"stages":{...}} | {"seq":S,"refused":{...}}
//                                    | {"seq":S,"skipped":{...}} | {"seq":S,"errored":{...}}
//   {"cmd":"stop"}               ->  exit, no reply
//
// Returned-wire mode: the wire URL uses the scheme's real base URL, as in a
// vector's expected.wire; `base_url` (for capture mode) is not used. The clock
// and nonce are the input's `timestamp` and `nonce`, so nothing is read from a
// clock or a random source. Run it through the gate:
//   sigvec gate --harness "node ports/node/harness.mjs"

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

import { JsonNumber, parseJson } from "./lib/json.mjs";
import { Refusal, requestFrom } from "./lib/request.mjs";
import { SCHEMES, declaredOptions, sign } from "./lib/schemes.mjs";

const PROTOCOL_VERSION = 1;
const PACKAGE = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

function implementation() {
  return {
    name: PACKAGE.name,
    language: "javascript",
    version: PACKAGE.version,
    schemes: Object.keys(SCHEMES),
    options: declaredOptions(),
  };
}

/** The reply to one `sign` command: exactly one of wire (with stages), refused, skipped or errored. */
function answer(command) {
  const seq = command.get("seq") instanceof JsonNumber ? Number(command.get("seq").text) : null;
  const input = command.get("input");
  const scheme = input instanceof Map ? input.get("scheme") : undefined;
  if (typeof scheme === "string" && !(scheme in SCHEMES)) {
    return { seq, skipped: { message: `the Node port does not implement ${scheme}` } };
  }
  try {
    const { stages, wire } = sign(requestFrom(input));
    return { seq, wire, stages };
  } catch (error) {
    if (error instanceof Refusal) return { seq, refused: { message: error.message } };
    return { seq, errored: { message: `${error.name}: ${error.message}`, traceback: error.stack ?? "" } };
  }
}

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  let command;
  try {
    command = parseJson(line);
  } catch (error) {
    process.stderr.write(`not a JSON command (${error.message}): ${line.slice(0, 80)}\n`);
    continue;
  }
  const cmd = command instanceof Map ? command.get("cmd") : undefined;
  if (cmd === "start") {
    if (command.get("version")?.toString() !== String(PROTOCOL_VERSION)) {
      process.stderr.write(`this harness speaks protocol version ${PROTOCOL_VERSION}\n`);
      process.exitCode = 2;
      break;
    }
    reply({ version: PROTOCOL_VERSION, implementation: implementation() });
  } else if (cmd === "sign") {
    reply(answer(command));
  } else if (cmd === "stop") {
    break;
  } else {
    process.stderr.write(`unknown command: ${line.slice(0, 80)}\n`);
  }
}
