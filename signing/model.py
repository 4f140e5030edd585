"""The request and stage model shared by every exchange scheme.

A `Request` holds every input a signer needs; nothing is read from a clock or a
random source. A `Signed` holds every intermediate stage and the exact wire
request. Parameter values are the exact text that is sent: a value without a
single obvious text form (float, bool, None, a nested value in a form field) is
refused with a `SigningError` that names the field.

The records made on every signature (`Request` and its parts, and the
outputs `Stages`, `Signed` and the `signing.http.HttpRequest` it sends) are values: nothing changes one
after it is made (`dataclasses.replace` makes a changed copy). They are
slotted but not frozen, because a frozen dataclass's `__init__` sets each
field through `object.__setattr__`: frozen, building a `Request` took 2.1 µs
instead of 0.8, and the three outputs of `sign()` 1.2 times a bare HMAC
instead of 0.4 (mexc-spot-v3, measured as `tools/bench_sign.py` measures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from itertools import chain
from typing import Any, TypeAlias

from signing.encoding import compact_json
from signing.http import MAX_CLOCK_DIGITS, HttpRequest

MAPPINGS = (dict, Mapping)
"""For `isinstance`: a mapping, `dict` tried first by an exact type check, which costs a tenth of the `Mapping` ABC's."""

JsonValue: TypeAlias = "bool | int | Decimal | str | list[JsonValue] | dict[str, JsonValue] | None"
Param = tuple[str, str]


def last_value(params: Sequence[Param], name: str) -> str | None:
    """The value of the last parameter named `name` (as `dict(params)` would keep it), or None."""
    for key, value in reversed(params):
        if key == name:
            return value
    return None


class SigningError(ValueError):
    """Input the reference refuses. `field` names where, `rule` says why."""

    def __init__(self, field_name: str, rule: str) -> None:
        super().__init__(f"{field_name}: {rule}")
        self.field = field_name
        self.rule = rule


@dataclass(slots=True)
class Credentials:
    """What a client holds: the API key, the secret, and a passphrase for exchanges that issue one.

    Neither the secret nor the passphrase appears in `repr`.
    """

    api_key: str
    secret: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)


CREDENTIAL_FIELDS = ("api_key", "secret", "passphrase")


@dataclass(slots=True)
class FormBody:
    """`application/x-www-form-urlencoded` body parameters, in the order sent."""

    params: tuple[Param, ...]


@dataclass(slots=True)
class JsonBody:
    """A JSON body: `text` is the exact body sent, `value` what it decodes to."""

    value: JsonValue
    text: str


@dataclass(slots=True)
class TextBody:
    """A body sent verbatim, with no structure the signer may rely on."""

    text: str


Body: TypeAlias = "FormBody | JsonBody | TextBody"


@dataclass(slots=True)
class Request:
    scheme: str
    method: str
    path: str
    credentials: Credentials
    query: tuple[Param, ...] = ()
    body: Body | None = None
    timestamp: int | None = None
    nonce: str | None = None
    window: int | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    def option(self, name: str, default: str, allowed: Sequence[str]) -> str:
        """An option value, refused unless it is one of `allowed`."""
        value = self.options.get(name, default)
        if value not in allowed:
            raise SigningError(f"options.{name}", f"must be one of {', '.join(allowed)}; got {value!r}")
        return value

    def form_params(self, scheme_rule: str) -> tuple[Param, ...]:
        """The form body's parameters (none without a body); any other body is refused with `scheme_rule`."""
        if self.body is None:
            return ()
        if not isinstance(self.body, FormBody):
            raise SigningError("body", scheme_rule)
        return self.body.params

    def require_timestamp(self) -> int:
        """The timestamp, which a server reads as at most 19 ASCII digits: a negative or longer one is refused."""
        if self.timestamp is None:
            raise SigningError("timestamp", f"scheme {self.scheme} signs a timestamp; none was given")
        if not 0 <= self.timestamp < 10**MAX_CLOCK_DIGITS:
            raise SigningError("timestamp", "must be an epoch time of 0 to 19 digits")
        return self.timestamp

    def require_nonce(self) -> str:
        if self.nonce is None:
            raise SigningError("nonce", f"scheme {self.scheme} signs a nonce; none was given")
        return self.nonce


@dataclass(slots=True)
class Stages:
    """Every intermediate value of a signature; a scheme fills those it has. A signing output (see the module notes).

    `string_to_sign` is left out of `repr`: in some schemes (coinex-v1,
    coinex-perpetual-v1) it ends with the secret.
    """

    canonical_query: str | None = None
    payload_json: str | None = None
    payload: str | None = None
    string_to_sign: str | None = field(default=None, repr=False)
    digest: str | None = None
    signature: str = ""

    def to_mapping(self) -> dict[str, str]:
        return {name: value for name in STAGE_NAMES if (value := getattr(self, name)) is not None}


@dataclass(slots=True)
class Signed:
    """What `sign()` returns: every stage and the wire request. A signing output (see the module notes)."""

    stages: Stages
    wire: HttpRequest


@dataclass(frozen=True)
class Rejection:
    """What the exchange's server answers when it refuses a request."""

    code: int
    reason: str
    http_status: int
    body: str


STAGE_NAMES = tuple(f.name for f in fields(Stages))


def is_text(text: str) -> bool:
    """False when `text` holds a lone surrogate, which has no UTF-8 bytes to send or sign."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


SENDABLE_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")
"""A path as it goes on the request line (RFC 3986 section 3.3, `pchar` and `/`): the reference sends it unchanged."""


def sendable(field_name: str, text: str) -> str:
    """`text`, refused when it holds a lone surrogate (`is_text`).

    The error gives the position only, never the text, since the field may be a secret.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise SigningError(field_name, f"character {error.start} is a lone surrogate, which is not text") from None
    return text


def param_text(field_name: str, value: object) -> str:
    """The one text form of a parameter value, or a `SigningError`.

    Strings are sent as they are. Integers and Decimals have one obvious text
    form (a Decimal is written positionally, never with an exponent). A float
    may print as `1e-05` or `0.00001`, a bool as `true` or `True`, and None as
    nothing at all, so they are refused rather than guessed.
    """
    if isinstance(value, str):
        return sendable(field_name, value)
    if isinstance(value, bool):
        raise SigningError(field_name, "a bool has no single text form; send the exact text, e.g. 'true'")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise SigningError(field_name, "a Decimal must be finite")
        return format(value, "f")
    if isinstance(value, float):
        raise SigningError(field_name, "a float has no single text form (1e-05 or 0.00001?); send a string or Decimal")
    if value is None:
        raise SigningError(field_name, "None has no text form; leave the parameter out or send ''")
    raise SigningError(field_name, f"a {type(value).__name__} cannot be a parameter value; send one string")


def params_from(field_name: str, raw: object) -> tuple[Param, ...]:
    """Ordered (key, value) pairs from a list of two-item lists (or tuples)."""
    if raw is None:
        return ()
    if isinstance(raw, MAPPINGS):
        raise SigningError(field_name, "must be a list of [key, value] pairs, so that order is explicit")
    if not isinstance(raw, (list, tuple)):
        raise SigningError(field_name, "must be a list of [key, value] pairs")
    pairs = []
    for index, pair in enumerate(raw):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise SigningError(f"{field_name}[{index}]", "must be a [key, value] pair")
        key, value = pair
        if not isinstance(key, str) or not key:
            raise SigningError(f"{field_name}[{index}].key", "must be a non-empty string")
        if not isinstance(value, str):
            value = param_text(f"{field_name}[{index}].value", value)
        pairs.append((key, value))
    if not is_text("".join(chain.from_iterable(pairs))):
        for index, (key, value) in enumerate(pairs):  # only to name the field that holds the lone surrogate
            sendable(f"{field_name}[{index}].key", key)
            sendable(f"{field_name}[{index}].value", value)
    return tuple(pairs)


def json_value(field_name: str, value: object) -> JsonValue:
    """A JSON value with no floats (every number keeps one exact text form) and no lone surrogates."""
    if isinstance(value, str):
        return sendable(field_name, value)
    if value is None or isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, float):
        raise SigningError(field_name, "a float has no single JSON text form; use body.json_text with the exact text")
    if isinstance(value, MAPPINGS):
        result: dict[str, JsonValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SigningError(field_name, f"JSON object keys must be strings; got {key!r}")
            result[sendable(field_name, key)] = json_value(f"{field_name}.{key}", item)
        return result
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [json_value(f"{field_name}[{index}]", item) for index, item in enumerate(value)]
    raise SigningError(field_name, f"a {type(value).__name__} is not a JSON value")


def shallow_json_value(field_name: str, value: object) -> JsonValue:
    """`json_value`, refusing with a `SigningError` a value nested too deeply to walk."""
    try:
        return json_value(field_name, value)
    except RecursionError:
        raise SigningError(field_name, "is nested too deeply") from None


def body_from(raw: object) -> Body | None:
    """A body from exactly one of `form`, `json`, `json_text` or `text`."""
    if raw is None:
        return None
    kinds = ("form", "json", "json_text", "text")
    if not isinstance(raw, MAPPINGS) or len(raw) != 1 or next(iter(raw)) not in kinds:
        raise SigningError("body", f"must be a mapping with exactly one of {', '.join(kinds)}")
    kind, content = next(iter(raw.items()))
    if kind == "form":
        return FormBody(params_from("body.form", content))
    if kind == "json":
        value = shallow_json_value("body.json", content)
        try:
            return JsonBody(value, compact_json(value))
        except RecursionError:  # written in C, it nests deeper than the walk in Python; near the limit it may not
            raise SigningError("body.json", "is nested too deeply") from None
    if not isinstance(content, str):
        raise SigningError(f"body.{kind}", "must be the exact body text")
    sendable(f"body.{kind}", content)
    if kind == "text":
        return TextBody(content)
    try:
        decoded = json.loads(content, parse_float=Decimal)
    except ValueError as error:
        raise SigningError("body.json_text", f"is not valid JSON ({error.args[0]})") from None
    except RecursionError:
        raise SigningError("body.json_text", "is nested too deeply to parse") from None
    return JsonBody(shallow_json_value("body.json_text", decoded), content)


def _optional_int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SigningError(name, "must be an integer (milliseconds unless the scheme says otherwise)")
    return value


def _required_text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise SigningError(name, "is required and must be a non-empty string")
    return value


INPUT_KEYS = frozenset(
    {"scheme", "credentials", "method", "path", "query", "body", "timestamp", "nonce", "window", "options"}
)


def request_from_mapping(data: object) -> Request:
    """Build a `Request` from a vector's `input` mapping, refusing anything unclear."""
    if not isinstance(data, MAPPINGS):
        raise SigningError("input", "must be a mapping")
    if not INPUT_KEYS.issuperset(data):
        unknown = sorted(set(data) - INPUT_KEYS)[0]
        raise SigningError(unknown, f"is not an input field; known fields are {', '.join(sorted(INPUT_KEYS))}")
    credentials = data.get("credentials")
    if not isinstance(credentials, MAPPINGS):
        raise SigningError("credentials", "must be a mapping with api_key and secret")
    if not set(CREDENTIAL_FIELDS).issuperset(credentials):
        unknown = sorted(set(credentials) - set(CREDENTIAL_FIELDS))[0]
        raise SigningError(f"credentials.{unknown}", f"is not a credential field; known: {', '.join(CREDENTIAL_FIELDS)}")
    passphrase = credentials.get("passphrase")
    if passphrase is not None and (not isinstance(passphrase, str) or not passphrase):
        raise SigningError("credentials.passphrase", "must be a non-empty string when given")
    api_key = credentials.get("api_key")
    secret = credentials.get("secret")
    if not isinstance(api_key, str) or not api_key:
        raise SigningError("credentials.api_key", "must be a non-empty string")
    if not isinstance(secret, str) or not secret:
        raise SigningError("credentials.secret", "must be a non-empty string")
    sendable("credentials.api_key", api_key)
    sendable("credentials.secret", secret)
    if passphrase is not None:
        sendable("credentials.passphrase", passphrase)
    nonce = data.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise SigningError("nonce", "must be a string, exactly as sent")
    if nonce is not None:
        sendable("nonce", nonce)
    options = data.get("options") or {}
    if not isinstance(options, MAPPINGS) or not all(isinstance(v, str) for v in options.values()):
        raise SigningError("options", "must be a mapping of option names to strings")
    method = _required_text(data, "method")
    if method != method.upper():
        raise SigningError("method", "must be upper case, as sent on the request line")
    path = sendable("path", _required_text(data, "path"))
    if not path.startswith("/") or "?" in path:
        raise SigningError("path", "must start with '/' and carry no query string; use query")
    if not SENDABLE_PATH.fullmatch(path):
        raise SigningError("path", "must be sendable as written: RFC 3986 path characters, and % only before two hex digits")
    return Request(
        scheme=_required_text(data, "scheme"),
        method=method,
        path=path,
        credentials=Credentials(api_key, secret, passphrase),
        query=params_from("query", data.get("query")),
        body=body_from(data.get("body")),
        timestamp=_optional_int(data, "timestamp"),
        nonce=nonce,
        window=_optional_int(data, "window"),
        options=dict(options),
    )
