"""The options and inputs shared by the commands that judge one captured request (`verify`, `explain`).

Secrets never come from the command line: `--secret-env VAR` names the
environment variable holding the secret of `--api-key`, and `--keys FILE`
maps each API key to such a variable, so that the file can be shared:

    # keys.yaml
    mx0aBYs33eIilxBWC5: {secret_env: MEXC_SECRET}

The request is the JSON wire form on stdin (`{method, url, headers, body}`,
as in a vector's `expected.wire`) or, with `--http`, raw HTTP/1.1. Without
`--server-time` the server's clock is the request's own clock value, read
where the scheme's registry entry says it travels (`Scheme.clock`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from signing.http import HttpRequest
from signing.model import SigningError
from signing.registry import SCHEMES, Scheme
from signing.server import StaticKeys
from sigvec.codec import bounded, parse_document, parser_depth, wire_from_mapping
from sigvec.wire import WireFormatError, read_carrier, request_from_http, request_time_ms


class KeyInputError(ValueError):
    """Bad keys, clock or request input: one line naming the option or field and the rule."""


def add_key_options(command: argparse.ArgumentParser, requests: str = "the request") -> None:
    """`--scheme`, the key options and `--server-time`, for a command that judges `requests`."""
    command.add_argument("--scheme", required=True, choices=sorted(SCHEMES))
    command.add_argument("--api-key", help=f"the API key {requests} should carry")
    command.add_argument("--secret-env", help="the environment variable holding that key's secret (never the secret)")
    command.add_argument("--keys", type=Path, help="a YAML or JSON file: API key -> {secret_env: VARIABLE}")
    command.add_argument("--server-time", type=int, help=f"the server clock in ms (default: the clock value {requests} carries)")


def add_request_options(command: argparse.ArgumentParser) -> None:
    """The key options (`add_key_options`) and `--http`, for a command that reads one request."""
    add_key_options(command)
    command.add_argument("--http", action="store_true", help="stdin is a raw HTTP/1.1 request, not the JSON wire form")


@dataclass(frozen=True)
class KeySource:
    """API key -> the environment variable holding its secret."""

    variables: Mapping[str, str]

    def secrets(self, environ: Mapping[str, str]) -> StaticKeys:
        secrets = {}
        for api_key, variable in self.variables.items():
            value = environ.get(variable)
            if not value:
                raise KeyInputError(f"{variable}: the environment variable holding the secret is unset or empty")
            secrets[api_key] = value
        return StaticKeys(secrets)


def key_file(path: Path) -> KeySource:
    """A key file: a mapping of API key to `{secret_env: VARIABLE}`, in YAML or JSON."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError:
        raise KeyInputError(f"--keys: {path} cannot be read") from None
    except UnicodeDecodeError:
        raise KeyInputError(f"--keys: {path} is not UTF-8 text") from None
    try:
        data = parse_document(text)
    except ValueError as error:
        raise KeyInputError(f"--keys: {error}") from None
    if not isinstance(data, Mapping) or not data:
        raise KeyInputError("--keys: must be a mapping of API key to {secret_env: VARIABLE}")
    variables: dict[str, str] = {}
    for api_key, entry in data.items():
        variable = entry.get("secret_env") if isinstance(entry, Mapping) else None
        if not isinstance(api_key, str) or not isinstance(variable, str) or not variable or set(entry) != {"secret_env"}:
            raise KeyInputError(f"--keys: entry {len(variables) + 1}: must be API key: {{secret_env: VARIABLE}}, nothing else")
        variables[api_key] = variable
    return KeySource(variables)


def key_source(args: argparse.Namespace) -> KeySource:
    """The key source the options name: `--keys FILE`, or `--api-key` with `--secret-env`."""
    if args.keys is not None:
        if args.api_key is not None or args.secret_env is not None:
            raise KeyInputError("--keys: give either --keys or --api-key with --secret-env, not both")
        return key_file(args.keys)
    if args.api_key is None or args.secret_env is None:
        raise KeyInputError("--api-key: give --api-key with --secret-env (the variable holding the secret), or --keys FILE")
    return KeySource({args.api_key: args.secret_env})


def read_request(raw: bytes, http: bool) -> HttpRequest:
    """The request as a server receives it, from the JSON wire form or raw HTTP; else a `WireFormatError`."""
    if http:
        return request_from_http(raw)
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
    return wire_from_mapping(data)


def request_clock(received: HttpRequest, scheme: Scheme) -> int:
    """The request's own clock value in ms, read through the scheme's clock carrier; else a `KeyInputError`."""
    carrier = scheme.clock
    now_ms = request_time_ms(received, carrier)
    if now_ms is not None:
        return now_ms
    where = f"{carrier.where} {carrier.name}"
    if read_carrier(received, carrier) is None:
        raise KeyInputError(f"{where}: the request carries no clock value; pass --server-time")
    raise KeyInputError(f"{where}: must be whole {carrier.unit} in ASCII digits; pass --server-time")
