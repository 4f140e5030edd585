"""Small MEXC clients written apart from `signing/` (urllib, hmac, json), each with one bug planted, or none.

They sign what `sigvec fuzz` hands them (a vector input mapping) and answer
with the wire mapping, as a `--python` signer does. `BUG` picks the bug; the
functions below are the `--python` targets, one per bug:
- `conforming`: no bug (an independent construction the fuzzer must pass);
- `space_as_plus`: a space is written `+` (form encoding) in what is signed and sent;
- `stray_ampersand`: query and body joined with `&` in the string to sign;
- `sorted_params`: parameters signed sorted by key, sent in the order given;
- `signed_raw`: the raw text signed, the encoded text sent;
- `json_reserialised`: the JSON body signed as given, sent re-serialised by `json.dumps`;
- `seconds`: the clock sent and signed in seconds;
- `wrong_secret`: signed with the secret reversed (no known bug class rebuilds it);
- `adds_window`: a `recvWindow=5000` of its own added to a request without one, signed and sent (the server accepts
  it, but it is not the request asked for).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

SIGVEC_IMPLEMENTATION = {"name": "planted", "language": "python", "schemes": ["mexc-spot-v3", "mexc-futures-v1"]}
SPOT_URL = "https://api.mexc.com"
FUTURES_URL = "https://contract.mexc.com"
UNRESERVED = "-._~"
Pairs = Sequence[tuple[str, str]]


def percent(text: str) -> str:
    return quote(text, safe=UNRESERVED)


def form(text: str) -> str:
    return quote_plus(text, safe=UNRESERVED)


def joined(pairs: Pairs, encode: Callable[[str], str]) -> str:
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def spot(vector_input: Mapping[str, Any], bug: str | None) -> dict[str, Any]:
    """MEXC spot v3: HMAC of the encoded query followed by the encoded form body; `signature` appended last."""
    credentials = vector_input["credentials"]
    query: Pairs = [(key, value) for key, value in vector_input.get("query") or []]
    body: Pairs = [(key, value) for key, value in (vector_input.get("body") or {}).get("form") or []]
    if bug == "adds_window" and "recvWindow" not in {key for key, _ in [*query, *body]}:
        query = [("recvWindow", "5000"), *query]
    encode = form if bug == "space_as_plus" else percent
    sent_query, sent_body = joined(query, encode), joined(body, encode)
    if bug == "sorted_params":
        message = joined(sorted(query), encode) + joined(sorted(body), encode)
    elif bug == "signed_raw":
        message = joined(query, str) + joined(body, str)
    elif bug == "stray_ampersand" and sent_query and sent_body:
        message = f"{sent_query}&{sent_body}"
    else:
        message = sent_query + sent_body
    secret = credentials["secret"][::-1] if bug == "wrong_secret" else credentials["secret"]
    signature = f"signature={hmac_hex(secret, message)}"
    headers = [["X-MEXC-APIKEY", credentials["api_key"]]]
    url = SPOT_URL + vector_input["path"]
    if "body" in vector_input:
        headers.append(["Content-Type", "application/x-www-form-urlencoded"])
        return {
            "method": vector_input["method"],
            "url": url + (f"?{sent_query}" if sent_query else ""),
            "headers": headers,
            "body": f"{sent_body}&{signature}" if sent_body else signature,
        }
    return {"method": vector_input["method"], "url": f"{url}?{sent_query}&{signature}" if sent_query else f"{url}?{signature}",
            "headers": headers, "body": None}


def futures(vector_input: Mapping[str, Any], bug: str | None) -> dict[str, Any]:
    """MEXC futures v1: HMAC of `accessKey + Request-Time + paramString`; GET sorted and encoded, POST the body."""
    credentials = vector_input["credentials"]
    clock = vector_input["timestamp"] // 1000 if bug == "seconds" else vector_input["timestamp"]
    method = vector_input["method"]
    url = FUTURES_URL + vector_input["path"]
    sent_body = None
    if method in ("GET", "DELETE"):
        params = joined(sorted(vector_input.get("query") or [], key=lambda pair: pair[0]), percent)
        if params:
            url += f"?{params}"
    else:
        params = (vector_input.get("body") or {}).get("json_text") or ""
        sent_body = json.dumps(json.loads(params)) if bug == "json_reserialised" and params else (params or None)
    headers = [
        ["ApiKey", credentials["api_key"]],
        ["Request-Time", str(clock)],
        ["Signature", hmac_hex(credentials["secret"], f"{credentials['api_key']}{clock}{params}")],
        ["Content-Type", "application/json"],
    ]
    if vector_input.get("window") is not None:
        headers.append(["Recv-Window", str(vector_input["window"])])
    return {"method": method, "url": url, "headers": headers, "body": sent_body}


def client(bug: str | None) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def sign(vector_input: Mapping[str, Any]) -> dict[str, Any]:
        if vector_input["scheme"] == "mexc-spot-v3":
            return spot(vector_input, bug)
        if vector_input["scheme"] == "mexc-futures-v1":
            return futures(vector_input, bug)
        raise ValueError(f"the planted clients sign MEXC only, not {vector_input['scheme']}")

    return sign


conforming = client(None)
space_as_plus = client("space_as_plus")
stray_ampersand = client("stray_ampersand")
sorted_params = client("sorted_params")
signed_raw = client("signed_raw")
json_reserialised = client("json_reserialised")
seconds = client("seconds")
adds_window = client("adds_window")
wrong_secret = client("wrong_secret")
