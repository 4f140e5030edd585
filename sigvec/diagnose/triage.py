"""`sigvec triage`: diagnose failing requests as a user has them, with no vector.

Four inputs are read, each into the same `Captured` requests: raw HTTP/1.1, a
`curl` command line (as a browser's "Copy as cURL" writes it, or the `> `
lines of `curl -v`), a HAR file (one request per entry) and a vcrpy or
pytest-recording cassette (one per interaction). Each request is diagnosed
from the parameters read off the wire, as `sigvec explain` does; the error
code is `--error`, else the one the recorded response carries. The input is
only read, never rewritten, and every secret-looking value in it (the API key,
the signature, cookies, authorisation headers) is masked in what is printed.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from signing.http import HttpRequest
from signing.registry import Scheme
from signing.server import KeyStore, MemoryReplayStore, ServerContext
from sigvec.diagnose.engine import diagnose
from sigvec.diagnose.examples import Examples
from sigvec.diagnose.result import Diagnosis
from sigvec.keys import request_clock
from sigvec.wire import METHODS, WireFormatError, read_carrier, request_from_http

MASK = "[redacted]"
SECRET_HEADER_WORDS = ("key", "sign", "token", "auth", "cookie", "secret", "passphrase", "session")
CURL_FLAGS_WITH_VALUE = frozenset(
    {"-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--url",
     "-b", "--cookie", "-A", "--user-agent", "-e", "--referer", "-u", "--user", "-o", "--output", "-m", "--max-time",
     "--connect-timeout", "-x", "--proxy", "--data-urlencode", "-F", "--form"}
)  # fmt: skip
CURL_DATA = ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii")


@dataclass(frozen=True)
class Captured:
    """One request read from the input, where it was found (`label`), and the error code its response carries."""

    label: str
    received: HttpRequest
    error: str | None = None


def received_at(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> HttpRequest:
    """The one place a triage input becomes the request a server receives (origin-form target, header pairs, body)."""
    if method not in METHODS:
        raise WireFormatError("method", f"must be one of {', '.join(METHODS)}; got {method!r}")
    if not url.startswith(("/", "?")) and "://" not in url:
        raise WireFormatError("url", "must be an absolute URL or an origin-form target (/path?query)")
    return HttpRequest(method, url, tuple(headers), body).with_origin()


def error_in(body: str) -> str | None:
    """The exchange's error code in a response body: a top-level `code`, or `error.code`; None for none or success."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    code = data.get("code")
    if code is None and isinstance(data.get("error"), dict):
        code = data["error"].get("code")
    return None if code in (None, 0, "0", 200, "200") else str(code)


# --- the four inputs ----------------------------------------------------------------------------


def from_curl(text: str) -> Captured:
    """A curl command line: method, URL, `-H` headers, data and cookies; `-G` moves the data into the query."""
    try:
        words = shlex.split(text.replace("\\\r\n", " ").replace("\\\n", " "))
    except ValueError as error:
        raise WireFormatError("curl", f"cannot be split into words ({error})") from None
    if not words or words[0] != "curl":
        raise WireFormatError("curl", "must start with the word curl")
    method, url, headers, data, get = None, None, [], [], False
    index = 1
    while index < len(words):
        word = words[index]
        value = words[index + 1] if word in CURL_FLAGS_WITH_VALUE and index + 1 < len(words) else None
        if word in CURL_FLAGS_WITH_VALUE and value is None:
            raise WireFormatError(f"curl {word}", "needs a value")
        if word in ("-X", "--request"):
            method = value
        elif word in ("-H", "--header"):
            name, colon, header_value = (value or "").partition(":")
            if not colon:
                raise WireFormatError(f"curl {word}", "must be 'Name: value'")
            headers.append((name.strip(), header_value.strip()))
        elif word in CURL_DATA:
            data.append(value or "")
        elif word in ("-b", "--cookie"):
            headers.append(("Cookie", value or ""))
        elif word == "--url":
            url = value
        elif word in ("-G", "--get"):
            get = True
        elif not word.startswith("-") and url is None:
            url = word
        index += 2 if value is not None else 1
    if url is None:
        raise WireFormatError("curl", "names no URL")
    body = "&".join(data)
    if get and body:
        url, body = url + ("&" if "?" in url else "?") + body, ""
    method = method or ("POST" if body else "GET")
    return Captured("curl", received_at(method.upper(), url, headers, body.encode("utf-8", "surrogateescape")))


def from_curl_trace(text: str) -> Captured:
    """The `> ` lines `curl -v` prints: the request line and headers as sent (curl does not print the body)."""
    head = [line[2:] for line in text.splitlines() if line.startswith("> ")]
    return Captured("curl -v", request_from_http("\r\n".join(head).encode("latin-1", "replace") + b"\r\n\r\n"))


def from_har(data: Mapping[str, Any]) -> list[Captured]:
    """Every entry of a HAR file: its request, and the error code its response's JSON body carries."""
    entries = data.get("log", {}).get("entries") if isinstance(data.get("log"), Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise WireFormatError("har.log.entries", "must be a non-empty list")
    found = []
    for number, entry in enumerate(entries, start=1):
        where = f"har.log.entries[{number}]"
        request = entry.get("request") if isinstance(entry, Mapping) else None
        if not isinstance(request, Mapping) or not isinstance(request.get("url"), str):
            raise WireFormatError(f"{where}.request", "must hold method, url and headers")
        headers = [(str(item.get("name")), str(item.get("value"))) for item in request.get("headers", ())]
        headers = [(name, value) for name, value in headers if not name.startswith(":")]
        text = (request.get("postData") or {}).get("text") or ""
        content = ((entry.get("response") or {}).get("content") or {}).get("text") or ""
        received = received_at(str(request.get("method", "")).upper(), request["url"], headers, text.encode())
        found.append(Captured(f"entry {number}: {received.method} {received.path}", received, error_in(content)))
    return found


def cassette_text(value: Any) -> str:
    """A cassette body: null, the text, `{string: text}`, or bytes (YAML `!!binary`)."""
    if isinstance(value, Mapping):
        value = value.get("string")
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return "" if value is None else str(value)


def from_cassette(data: Mapping[str, Any]) -> list[Captured]:
    """Every interaction of a vcrpy / pytest-recording cassette; headers there map a name to a list of values."""
    interactions = data.get("interactions")
    if not isinstance(interactions, list) or not interactions:
        raise WireFormatError("cassette.interactions", "must be a non-empty list")
    found = []
    for number, interaction in enumerate(interactions, start=1):
        request = interaction.get("request") if isinstance(interaction, Mapping) else None
        if not isinstance(request, Mapping) or not isinstance(request.get("uri"), str):
            raise WireFormatError(f"cassette.interactions[{number}].request", "must hold method, uri and headers")
        headers = [
            (str(name), str(value))
            for name, values in (request.get("headers") or {}).items()
            for value in (values if isinstance(values, list) else [values])
        ]
        body = cassette_text(request.get("body")).encode("utf-8", "surrogateescape")
        response = cassette_text((interaction.get("response") or {}).get("body"))
        received = received_at(str(request.get("method", "")).upper(), request["uri"], headers, body)
        found.append(Captured(f"interaction {number}: {received.method} {received.path}", received, error_in(response)))
    return found


def captured_requests(raw: bytes) -> list[Captured]:
    """The requests in `raw`, whichever of the four inputs it is (told apart by how it starts)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WireFormatError("input", f"is not UTF-8 (byte {error.start})") from None
    stripped = text.lstrip()
    if stripped.startswith("curl"):
        return [from_curl(stripped)]
    if any(line.startswith("> ") for line in stripped.splitlines()):
        return [from_curl_trace(stripped)]
    if stripped.split(" ", 1)[0] in METHODS:
        return [Captured("request", request_from_http(raw.lstrip()))]
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            raise WireFormatError("har", "is not JSON") from None
        if isinstance(data, Mapping) and "log" in data:
            return from_har(data)
    else:
        try:
            data = yaml.safe_load(stripped)
        except yaml.YAMLError:
            raise WireFormatError("cassette", "is not YAML") from None
        if isinstance(data, Mapping) and "interactions" in data:
            return from_cassette(data)
    raise WireFormatError("input", "must be raw HTTP, a curl command line, a HAR file or a vcrpy cassette")


# --- diagnosis and masking ----------------------------------------------------------------------


def secret_values(received: HttpRequest, scheme: Scheme) -> set[str]:
    """Values that must not be echoed: the API key, the signature, and every header whose name looks secret."""
    values = {read_carrier(received, scheme.api_key) or "", read_carrier(received, scheme.signature) or ""}
    values |= {value for name, value in received.headers if any(word in name.lower() for word in SECRET_HEADER_WORDS)}
    return {value for value in values if len(value) >= 4}


def masked(text: str, secrets: set[str]) -> str:
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


@dataclass(frozen=True)
class Triaged:
    """One request's diagnosis, ready to print: the secrets of its input masked."""

    label: str
    diagnosis: Diagnosis
    secrets: frozenset[str]

    def text(self) -> str:
        return masked(f"{self.label}: {self.diagnosis.message}", set(self.secrets))

    def to_mapping(self) -> dict[str, Any]:
        data = json.loads(masked(json.dumps(self.diagnosis.to_mapping(), ensure_ascii=False), set(self.secrets)))
        return {"request": masked(self.label, set(self.secrets)), **data}


def triage(
    raw: bytes, scheme: Scheme, keys: KeyStore, server_time: int | None, error: str | None, examples: Examples
) -> list[Triaged]:
    """Diagnose every request in `raw` under `scheme` at `server_time` (default: each request's own clock)."""
    results = []
    for captured in captured_requests(raw):
        now = server_time if server_time is not None else request_clock(captured.received, scheme)
        context = ServerContext(now, keys, MemoryReplayStore())
        diagnosis = diagnose(captured.received, scheme.name, context, None, error or captured.error, examples=examples)
        results.append(Triaged(captured.label, diagnosis, frozenset(secret_values(captured.received, scheme))))
    return results
