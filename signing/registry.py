"""Every scheme the reference knows, and the surface each declares: adding an exchange adds one entry here.

A scheme declares what tools need to know about it without reading its
module: its base URL, its signature algorithm, the stages it fills, the
credential fields it needs, its options vocabulary, where its clock, nonce and
window travel, the headers it sets, and which stages carry the secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from signing import bitunix, coinex_v1, coinex_v2, max_v2, mexc_futures, mexc_spot, peatio
from signing.http import HttpRequest
from signing.model import CREDENTIAL_FIELDS, STAGE_NAMES, Request, Signed, SigningError
from signing.server import ServerContext, Verdict

Signer = Callable[[Request], Signed]
Verifier = Callable[[HttpRequest, ServerContext], Verdict]


@dataclass(frozen=True)
class Option:
    """One switch of a scheme's options vocabulary (`vectors/options.yaml` gives each value's sources)."""

    name: str
    values: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class Algorithm:
    """How the signature follows from the string to sign (the names of `vectors/schema.json`)."""

    name: str
    output: str = "hex"
    hex_case: str = "lower"
    text_encoding: str = "utf-8"


@dataclass(frozen=True)
class Carrier:
    """Where a value travels: `header`, `param` (query or form body, where the request puts it), or `payload`."""

    where: str
    name: str
    unit: str = "ms"


@dataclass(frozen=True)
class Route:
    """One kind of request a scheme signs: its method, a path, and where its parameters may go.

    Each placement is `query`, `form` (a form body), `json` (a JSON body), or
    two joined by `+` (`query+form`, `query+json`): the parameters split between them.
    """

    method: str
    path: str
    placements: tuple[str, ...]


@dataclass(frozen=True)
class Surface:
    """What a scheme's requests may carry, for generated inputs (`sigvec.strategies`): its routes, whether a JSON
    body may nest arrays and objects, whether repeated parameters are written `key[]`, and whether a plain key may
    repeat."""

    routes: tuple[Route, ...]
    nested_json: bool = False
    bracket_arrays: bool = False
    repeated_keys: bool = True


@dataclass(frozen=True)
class Scheme:
    """One signing scheme: its entry points and everything tools need to know about it without reading its module.

    `title` and `summary` are the README's scheme table row; `credentials`
    names the credential fields the scheme needs (`passphrase` among them for
    an exchange that has one).
    """

    name: str
    exchange: str
    sign: Signer
    verify: Verifier
    base_url: str
    algorithm: Algorithm
    stages: tuple[str, ...]
    api_key: Carrier
    clock: Carrier
    signature: Carrier
    """Where the signature travels (a header, or a query or form parameter); its hex case is the algorithm's."""
    headers: tuple[str, ...]
    credentials: tuple[str, ...] = ("api_key", "secret")
    options: tuple[Option, ...] = ()
    nonce: Carrier | None = None
    window: Carrier | None = None
    secret_stages: tuple[str, ...] = ()
    surface: Surface = Surface(())
    title: str = ""
    summary: str = ""

    def option(self, name: str) -> Option | None:
        return next((option for option in self.options if option.name == name), None)


STAGES_QUERY = ("canonical_query", "string_to_sign", "signature")
QUERY_ONLY = ("query",)

COINEX_V2_SURFACE: dict[str, Any] = {
    "base_url": coinex_v2.BASE_URL,
    "stages": STAGES_QUERY,
    "api_key": Carrier("header", "X-COINEX-KEY"),
    "clock": Carrier("header", "X-COINEX-TIMESTAMP"),
    "signature": Carrier("header", "X-COINEX-SIGN"),
    "window": Carrier("header", "X-COINEX-WINDOWTIME"),
    "headers": ("X-COINEX-KEY", "X-COINEX-SIGN", "X-COINEX-TIMESTAMP", "X-COINEX-WINDOWTIME", "Content-Type"),
    "options": (
        Option("text_encoding", coinex_v2.TEXT_ENCODINGS, "latin-1"),
        Option("query_encoding", tuple(coinex_v2.QUERY_ENCODERS), "form"),
    ),
    "surface": Surface(
        (
            Route("GET", "/v2/spot/pending-order", QUERY_ONLY),
            Route("DELETE", "/v2/spot/order", QUERY_ONLY),
            Route("POST", "/v2/spot/order", ("json", "query+json")),
        ),
        nested_json=True,
    ),
}
"""What CoinEx v2 and its pre-2024 form share: everything but the signature algorithm."""

SCHEMES: dict[str, Scheme] = {
    scheme.name: scheme
    for scheme in (
        Scheme(
            "mexc-spot-v3", "MEXC", mexc_spot.sign,
            mexc_spot.verify,
            title="MEXC spot v3", summary=(
                "HMAC-SHA256 hex of the encoded query string concatenated with the encoded form body (no `&` between them)"
            ),
            base_url=mexc_spot.BASE_URL, algorithm=Algorithm("hmac-sha256"), stages=STAGES_QUERY,
            api_key=Carrier("header", "X-MEXC-APIKEY"), clock=Carrier("param", "timestamp"),
            signature=Carrier("param", "signature"),
            window=Carrier("param", "recvWindow"), headers=("X-MEXC-APIKEY",),
            surface=Surface((
                Route("GET", "/api/v3/account", QUERY_ONLY),
                Route("DELETE", "/api/v3/order", QUERY_ONLY),
                Route("POST", "/api/v3/order", ("query", "form", "query+form")),
            )),
        ),
        Scheme(
            "mexc-futures-v1", "MEXC", mexc_futures.sign,
            mexc_futures.verify,
            title="MEXC futures v1", summary=(
                "HMAC-SHA256 hex of `accessKey + Request-Time + paramString`; "
                "GET parameters sorted, POST signs the JSON body as sent"
            ),
            base_url=mexc_futures.BASE_URL, algorithm=Algorithm("hmac-sha256"), stages=STAGES_QUERY,
            api_key=Carrier("header", "ApiKey"), clock=Carrier("header", "Request-Time"),
            signature=Carrier("header", "Signature"),
            window=Carrier("header", "Recv-Window", "s"),
            headers=("ApiKey", "Request-Time", "Signature", "Content-Type", "Recv-Window"),
            surface=Surface(
                (
                    Route("GET", "/api/v1/private/order/list/history_orders", QUERY_ONLY),
                    Route("DELETE", "/api/v1/private/order/cancel", QUERY_ONLY),
                    Route("POST", "/api/v1/private/order/submit", ("json",)),
                ),
                nested_json=True,
            ),
            options=(Option("query_encoding", ("percent", "raw"), "percent"),),
        ),
        Scheme(
            "coinex-v2", "CoinEx", coinex_v2.sign_v2,
            coinex_v2.verify_v2,
            title="CoinEx API v2", summary=(
                "HMAC-SHA256 hex of `METHOD + /v2 path?query (as sent) + body + timestamp`"
            ),
            algorithm=Algorithm("hmac-sha256", text_encoding="latin-1"), **COINEX_V2_SURFACE,
        ),
        Scheme(
            "coinex-v2-sha256-legacy", "CoinEx", coinex_v2.sign_v2_legacy,
            coinex_v2.verify_v2_legacy,
            title="CoinEx API v2, pre-2024", summary=(
                "SHA-256 hex of the same prepared string followed by the secret"
            ),
            algorithm=Algorithm("sha256-with-secret-suffix", text_encoding="latin-1"), **COINEX_V2_SURFACE,
        ),
        Scheme(
            "coinex-v1", "CoinEx", coinex_v1.sign_v1,
            coinex_v1.verify_v1,
            title="CoinEx spot v1", summary=(
                "upper-case MD5 hex of the sorted raw `k=v` pairs plus `&secret_key=SECRET`"
            ),
            base_url=coinex_v2.BASE_URL, algorithm=Algorithm("md5", hex_case="upper"), stages=STAGES_QUERY,
            api_key=Carrier("param", "access_id"), clock=Carrier("param", "tonce"),
            signature=Carrier("header", "authorization"),
            headers=("authorization", "Content-Type"), secret_stages=("string_to_sign",),
            surface=Surface((Route("GET", "/v1/balance/info", QUERY_ONLY), Route("DELETE", "/v1/order/pending", QUERY_ONLY))),
        ),
        Scheme(
            "coinex-perpetual-v1", "CoinEx", coinex_v1.sign_perpetual_v1,
            coinex_v1.verify_perpetual_v1,
            title="CoinEx perpetual v1", summary=(
                "lower-case SHA-256 hex of the sorted raw `k=v` pairs plus `&secret_key=SECRET`"
            ),
            base_url=coinex_v2.BASE_URL, algorithm=Algorithm("sha256"), stages=STAGES_QUERY,
            api_key=Carrier("header", "AccessId"), clock=Carrier("param", "timestamp"),
            signature=Carrier("header", "Authorization"),
            headers=("Authorization", "AccessId", "Content-Type"), secret_stages=("string_to_sign",),
            surface=Surface((
                Route("GET", "/perpetual/v1/order/pending", QUERY_ONLY),
                Route("POST", "/perpetual/v1/order/put_limit", ("form",)),
            )),
            options=(Option("param_order", ("sorted", "as-given"), "sorted"),),
        ),
        Scheme(
            "bitunix", "Bitunix", bitunix.sign,
            bitunix.verify,
            title="Bitunix", summary=(
                "`sha256(sha256(nonce + timestamp + apiKey + sortedKeyValue + body) + secret)`, both rounds recorded"
            ),
            base_url=bitunix.BASE_URL, algorithm=Algorithm("sha256-digest-then-secret"),
            stages=("canonical_query", "string_to_sign", "digest", "signature"),
            api_key=Carrier("header", "api-key"), clock=Carrier("header", "timestamp"),
            signature=Carrier("header", "sign"),
            nonce=Carrier("header", "nonce", "text"),
            headers=("api-key", "nonce", "timestamp", "sign", "Content-Type"),
            surface=Surface(
                (
                    Route("GET", "/api/v1/futures/account", QUERY_ONLY),
                    Route("POST", "/api/v1/futures/trade/place_order", ("json", "query+json")),
                ),
                nested_json=True,
            ),
            options=(Option("query_format", ("concat", "key=value"), "concat"),),
        ),
        Scheme(
            "max-v2", "MAX", max_v2.sign,
            max_v2.verify,
            title="MAX (MaiCoin) v2 and v3", summary=(
                "HMAC-SHA256 hex of the base64 payload (params + nonce + path as JSON)"
            ),
            base_url=max_v2.BASE_URL, algorithm=Algorithm("hmac-sha256"),
            stages=("payload_json", "payload", "string_to_sign", "signature"),
            api_key=Carrier("header", "X-MAX-ACCESSKEY"), clock=Carrier("payload", "nonce"),
            signature=Carrier("header", "X-MAX-SIGNATURE"),
            nonce=Carrier("payload", "nonce"),
            headers=("X-MAX-ACCESSKEY", "X-MAX-PAYLOAD", "X-MAX-SIGNATURE", "Content-Type"),
            surface=Surface(
                (Route("GET", "/api/v2/members/me.json", QUERY_ONLY), Route("POST", "/api/v2/orders", ("json",))),
                nested_json=True, bracket_arrays=True, repeated_keys=False,
            ),
            options=(
                Option("json", ("compact", "python", "sorted"), "compact"),
                Option("base64", ("standard", "urlsafe"), "standard"),
            ),
        ),
        Scheme(
            "peatio-v2", "Peatio", peatio.sign,
            peatio.verify,
            title="Peatio API v2", summary=(
                "HMAC-SHA256 hex of `METHOD|/api/v2/path|canonical_query` (Rails 4 `to_query`, then `URI.unescape`)"
            ),
            base_url=peatio.BASE_URL, algorithm=Algorithm("hmac-sha256"), stages=STAGES_QUERY,
            api_key=Carrier("param", "access_key"), clock=Carrier("param", "tonce"), nonce=Carrier("param", "tonce"),
            signature=Carrier("param", "signature"),
            headers=("Content-Type",),
            surface=Surface(
                (Route("GET", "/api/v2/markets", QUERY_ONLY), Route("POST", "/api/v2/orders", ("form", "query+form"))),
                bracket_arrays=True, repeated_keys=False,
            ),
            options=(
                Option("encoding", ("form", "percent"), "form"),
                Option("signature_position", peatio.SIGNATURE_POSITIONS, "last"),
            ),
        ),
    )
}


def scheme_named(name: str) -> Scheme:
    scheme = SCHEMES.get(name)
    if scheme is None:
        raise SigningError("scheme", f"unknown scheme {name!r}; known: {', '.join(sorted(SCHEMES))}")
    return scheme


def sign(request: Request) -> Signed:
    """Sign `request` with the scheme it names; an option the scheme does not declare is refused."""
    scheme = scheme_named(request.scheme)
    if request.options:
        check_options(scheme, request.options)
    return scheme.sign(request)


def check_options(scheme: Scheme, options: Mapping[str, str]) -> None:
    """Refuse an option `scheme` does not declare, or a value its `Option` does not list."""
    for name, value in options.items():
        option = scheme.option(name)
        if option is None:
            known = ", ".join(option.name for option in scheme.options) or "none"
            raise SigningError(f"options.{name}", f"is not an option of {scheme.name}; its options are: {known}")
        if value not in option.values:
            raise SigningError(f"options.{name}", f"must be one of {', '.join(option.values)}; got {value!r}")


def verify(received: HttpRequest, context: ServerContext, scheme: str) -> Verdict:
    """Check `received` as the named scheme's server does."""
    return scheme_named(scheme).verify(received, context)


def register(scheme: Scheme) -> Scheme:
    """Add a scheme to the registry, after checking its surface against what the tools support.

    This is how an exchange joins: its module, its vector file and one call
    (or one entry in `SCHEMES`). Refused with a `SigningError`: a name already
    taken, a stage the model does not have, an algorithm output other than
    hex or base64, credential fields other than api_key, secret and
    passphrase, or an option whose default is not one of its values.
    """
    problems = [
        f"the name {scheme.name!r} is taken" if scheme.name in SCHEMES else "",
        f"unknown stages {sorted(set(scheme.stages) - set(STAGE_NAMES))}" if not set(scheme.stages) <= set(STAGE_NAMES) else "",
        f"output {scheme.algorithm.output!r} is not hex or base64" if scheme.algorithm.output not in ("hex", "base64") else "",
        "credentials must include api_key and secret, and may add passphrase"
        if not {"api_key", "secret"} <= set(scheme.credentials) <= set(CREDENTIAL_FIELDS)
        else "",
        *(
            f"option {option.name}: default {option.default!r} is not one of its values"
            for option in scheme.options
            if option.default not in option.values
        ),
    ]
    problem = next((text for text in problems if text), None)
    if problem:
        raise SigningError("scheme", f"{scheme.name}: {problem}")
    SCHEMES[scheme.name] = scheme
    return scheme


def scheme_table() -> str:
    """The README's scheme table (between `<!-- schemes -->` markers), one row per registered scheme."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = [f"| `{scheme.name}` | {cell(scheme.title)} | {cell(scheme.summary)} |" for scheme in SCHEMES.values()]
    return "\n".join(["| scheme | exchange | signs |", "|---|---|---|", *rows])
