// The schemes this port signs, each with its options vocabulary (vectors/options.yaml, signing/registry.py).
// Every value of every option is implemented; `default` is the reading declared to the gate.

import * as bitunix from "./bitunix.mjs";
import * as coinex from "./coinex.mjs";
import * as max from "./max.mjs";
import * as mexc from "./mexc.mjs";
import * as peatio from "./peatio.mjs";
import { Refusal } from "./request.mjs";

const option = (values, fallback) => ({ values, default: fallback });

export const SCHEMES = {
  "mexc-spot-v3": { sign: mexc.signSpot, options: {} },
  "mexc-futures-v1": { sign: mexc.signFutures, options: { query_encoding: option(["percent", "raw"], "percent") } },
  bitunix: { sign: bitunix.sign, options: { query_format: option(["concat", "key=value"], "concat") } },
  "max-v2": {
    sign: max.sign,
    options: { json: option(["compact", "python", "sorted"], "compact"), base64: option(["standard", "urlsafe"], "standard") },
  },
  "coinex-v2": {
    sign: coinex.signV2,
    options: { text_encoding: option(["latin-1", "utf-8"], "latin-1"), query_encoding: option(["form", "percent"], "form") },
  },
  "coinex-v2-sha256-legacy": {
    sign: coinex.signV2Legacy,
    options: { text_encoding: option(["latin-1", "utf-8"], "latin-1"), query_encoding: option(["form", "percent"], "form") },
  },
  "coinex-v1": { sign: coinex.signV1, options: {} },
  "coinex-perpetual-v1": { sign: coinex.signPerpetualV1, options: { param_order: option(["sorted", "as-given"], "sorted") } },
  "peatio-v2": {
    sign: peatio.sign,
    options: { encoding: option(["form", "percent"], "form"), signature_position: option(["last", "first"], "last") },
  },
};

/** Sign `request` with its scheme, refusing an option the scheme does not have or a value it does not know. */
export function sign(request) {
  const scheme = SCHEMES[request.scheme];
  for (const [name, value] of request.options) {
    const known = scheme.options[name];
    if (known === undefined) {
      const names = Object.keys(scheme.options).join(", ") || "none";
      throw new Refusal(`options.${name}`, `is not an option of ${request.scheme}; its options are: ${names}`);
    }
    if (!known.values.includes(value)) throw new Refusal(`options.${name}`, `must be one of ${known.values.join(", ")}; got '${value}'`);
  }
  return scheme.sign(request);
}

/** Per scheme, the option readings declared in the start reply: each option's default. */
export function declaredOptions() {
  return Object.fromEntries(
    Object.entries(SCHEMES).map(([name, scheme]) => [
      name,
      Object.fromEntries(Object.entries(scheme.options).map(([option, spec]) => [option, spec.default])),
    ]),
  );
}
