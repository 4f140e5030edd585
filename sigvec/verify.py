"""`sigvec verify`: check one wire request the way the exchange's server does, and say why.

The request is the JSON wire form (`{method, url, headers, body}`, as in a
vector's `expected.wire`) or raw HTTP/1.1 bytes. Secrets never come from the
command line: `--secret-env VAR` names an environment variable, and a key file
maps each API key to the environment variable holding its secret:

    # keys.yaml
    mx0aBYs33eIilxBWC5: {secret_env: MEXC_SECRET}
    other-key: {secret_env: OTHER_SECRET}

so that the file itself can be committed or shared. Without `--server-time`
the server clock is the request's own clock value, read from where the
scheme's registry entry says it travels (`Scheme.clock`), so only the
signature and consistency checks can fail.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from signing.encoding import split_pairs
from signing.model import Received, SigningError
from signing.registry import Carrier, Scheme, scheme_named, verify
from signing.server import MemoryReplayStore, ServerContext, StaticKeys, Verdict
from sigvec.codec import bounded, parse_document, parser_depth
from sigvec.wire import WireFormatError, received_from_http, received_from_mapping

UNIT_MS = {"ms": 1, "s": 1000}


class VerifierCrash(Exception):
    """The verifier raised instead of answering: a defect of the reference, reported on one line."""


def guarded_verify(received: Received, context: ServerContext, scheme: str) -> Verdict:
    """`verify`, with any exception turned into `VerifierCrash` naming its type (a verifier must never raise)."""
    try:
        return verify(received, context, scheme)
    except Exception as error:
        raise VerifierCrash(f"verifier raised {type(error).__name__} instead of answering") from None


class VerifyInputError(ValueError):
    """Bad input to `sigvec verify`: one line naming the field and the rule."""


@dataclass(frozen=True)
class KeySource:
    """Where each API key's secret is read from: api key -> environment variable name."""

    variables: Mapping[str, str]

    def secrets(self, environ: Mapping[str, str]) -> StaticKeys:
        secrets = {}
        for api_key, variable in self.variables.items():
            value = environ.get(variable)
            if not value:
                raise VerifyInputError(f"{variable}: the environment variable holding the secret is unset or empty")
            secrets[api_key] = value
        return StaticKeys(secrets)


def key_file(path: Path) -> KeySource:
    """A key file: a mapping of API key to `{secret_env: VAR}` (YAML or JSON)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError:
        raise VerifyInputError(f"--keys: {path} cannot be read") from None
    except UnicodeDecodeError:
        raise VerifyInputError(f"--keys: {path} is not UTF-8 text") from None
    try:
        data = parse_document(text)
    except ValueError as error:
        raise VerifyInputError(f"--keys: {error}") from None
    if not isinstance(data, Mapping) or not data:
        raise VerifyInputError("--keys: must be a mapping of API key to {secret_env: VARIABLE}")
    variables: dict[str, str] = {}
    for api_key, entry in data.items():
        variable = entry.get("secret_env") if isinstance(entry, Mapping) else None
        if not isinstance(api_key, str) or not isinstance(variable, str) or not variable or set(entry) != {"secret_env"}:
            raise VerifyInputError(f"--keys: entry {len(variables) + 1}: must be API key: {{secret_env: VARIABLE}}, nothing else")
        variables[api_key] = variable
    return KeySource(variables)


def read_request(raw: bytes, http: bool) -> Received:
    """The request as the server receives it; anything unreadable is a `WireFormatError`."""
    if http:
        return received_from_http(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WireFormatError("stdin", f"is not UTF-8 (byte {error.start})") from None
    try:
        with parser_depth():
            data = json.loads(text)
    except RecursionError:
        raise WireFormatError("stdin", "JSON nested too deeply") from None
    except ValueError:
        raise WireFormatError("stdin", "must be the JSON wire form {method, url, headers, body}") from None
    try:
        bounded(data, "wire")
    except SigningError as error:
        raise WireFormatError(error.field, error.rule) from None
    return received_from_mapping(data)


def carried_text(received: Received, carrier: Carrier, scheme: Scheme) -> str | None:
    """The text of the value `carrier` points at in `received`, or None when it is absent."""
    if carrier.where == "header":
        return received.header(carrier.name)
    if carrier.where == "param":
        body = received.body.decode("utf-8", "replace")
        return dict(split_pairs(received.query) + split_pairs(body)).get(carrier.name)
    for header in scheme.headers:
        value = payload_field(received.header(header), carrier.name)
        if value is not None:
            return value
    return None


def payload_field(header_value: str | None, name: str) -> str | None:
    """Field `name` of a base64 JSON payload header, as text; None unless the header is one."""
    if not header_value:
        return None
    try:
        decoded = json.loads(base64.b64decode(header_value, validate=True))
    except (binascii.Error, ValueError, RecursionError):
        return None
    value = decoded.get(name) if isinstance(decoded, dict) else None
    return str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def request_clock(received: Received, scheme: Scheme) -> int:
    """The request's own clock value in ms, read through the scheme's clock carrier."""
    carrier = scheme.clock
    text = carried_text(received, carrier, scheme)
    where = f"{carrier.where} {carrier.name}"
    if text is None:
        raise VerifyInputError(f"{where}: the request carries no clock value; pass --server-time")
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise VerifyInputError(f"{where}: not whole {carrier.unit} in ASCII digits; pass --server-time")
    return int(text) * UNIT_MS.get(carrier.unit, 1)


def verify_request(
    raw: bytes, scheme_name: str, keys: KeySource, environ: Mapping[str, str], server_time: int | None, http: bool
) -> Verdict:
    """Read `raw`, and check it as `scheme_name`'s server does at `server_time` (default: the request's clock)."""
    scheme = scheme_named(scheme_name)
    received = read_request(raw, http)
    now = server_time if server_time is not None else request_clock(received, scheme)
    context = ServerContext(now, keys.secrets(environ), MemoryReplayStore())
    return guarded_verify(received, context, scheme.name)
