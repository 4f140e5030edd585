#!/usr/bin/env node
// The sigvec gate harness for the Node port: protocol versions 1 and 2, JSON lines on stdin and stdout.
//
//   {"cmd":"start","version":1}  ->  {"version":1,"implementation":{...}}
//   {"cmd":"start","version":1,"max_version":2}
//                                ->  {"version":2,"implementation":{...},"pipeline":64}
//   {"cmd":"sign","seq":S,"id":ID,"input":{...},"base_url":URL}
//                                ->  {"seq":S,"wire":{...},"stages":{...}} | {"seq":S,"refused":{...}}
//                                    | {"seq":S,"skipped":{...}} | {"seq":S,"errored":{...}}
//   {"cmd":"stop"}               ->  exit, no reply
//
// Version 2 (offered by the start command's max_version) adds pipelining: the harness declares how many
// `sign` commands may be outstanding, and answers them in the order received. Signing is synchronous, so
// every line is answered as it is read, and the gate keeps up to PIPELINE commands in flight.
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
const PIPELINED_VERSION = 2;
/** How many `sign` commands a version 2 gate may keep outstanding. */
const PIPELINE = 64;
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

/** The start reply: version 2 with a pipeline when the gate offers it (`max_version`), else version 1. */
function started(command) {
  const offered = command.get("max_version");
  if (offered instanceof JsonNumber && Number(offered.text) >= PIPELINED_VERSION) {
    return { version: PIPELINED_VERSION, implementation: implementation(), pipeline: PIPELINE };
  }
  return { version: PROTOCOL_VERSION, implementation: implementation() };
}

// Each line is answered as soon as it is read (a stream: with version 2, many commands are in flight).
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let stopped = false;
function stop() {
  stopped = true;
  lines.close();
}

lines.on("line", (line) => {
  if (stopped || line.trim() === "") return;
  let command;
  try {
    command = parseJson(line);
  } catch (error) {
    process.stderr.write(`not a JSON command (${error.message}): ${line.slice(0, 80)}\n`);
    return;
  }
  const cmd = command instanceof Map ? command.get("cmd") : undefined;
  if (cmd === "start") {
    if (command.get("version")?.toString() !== String(PROTOCOL_VERSION)) {
      process.stderr.write(`this harness speaks protocol version ${PROTOCOL_VERSION}\n`);
      process.exitCode = 2;
      stop();
      return;
    }
    reply(started(command));
  } else if (cmd === "sign") {
    reply(answer(command));
  } else if (cmd === "stop") {
    stop();
  } else {
    process.stderr.write(`unknown command: ${line.slice(0, 80)}\n`);
  }
});
