"""Every scheme the reference knows: adding an exchange adds one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signing import mexc
from signing.model import Credentials, Rejection, Request, Signed, SigningError, WireRequest

Signer = Callable[[Request], Signed]
Verifier = Callable[[WireRequest, Credentials, int], "Rejection | None"]


@dataclass(frozen=True)
class Scheme:
    name: str
    exchange: str
    sign: Signer
    verify: Verifier


SCHEMES: dict[str, Scheme] = {
    scheme.name: scheme
    for scheme in (
        Scheme("mexc-spot-v3", "MEXC", mexc.sign_spot, mexc.verify_spot),
        Scheme("mexc-futures-v1", "MEXC", mexc.sign_futures, mexc.verify_futures),
    )
}


def scheme_named(name: str) -> Scheme:
    if name not in SCHEMES:
        raise SigningError("scheme", f"unknown scheme {name!r}; known: {', '.join(sorted(SCHEMES))}")
    return SCHEMES[name]


def sign(request: Request) -> Signed:
    """Sign `request` with the scheme it names."""
    return scheme_named(request.scheme).sign(request)
