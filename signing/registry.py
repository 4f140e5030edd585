"""Every scheme the reference knows: adding an exchange adds one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signing import bitunix, coinex, mexc, peatio
from signing import max as maicoin
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
        Scheme("coinex-v2", "CoinEx", coinex.sign_v2, coinex.verify_v2),
        Scheme("coinex-v2-sha256-legacy", "CoinEx", coinex.sign_v2_legacy, coinex.verify_v2_legacy),
        Scheme("coinex-v1", "CoinEx", coinex.sign_v1, coinex.verify_v1),
        Scheme("coinex-perpetual-v1", "CoinEx", coinex.sign_perpetual_v1, coinex.verify_perpetual_v1),
        Scheme("bitunix", "Bitunix", bitunix.sign, bitunix.verify),
        Scheme("max-v2", "MAX", maicoin.sign, maicoin.verify),
        Scheme("peatio-v2", "Peatio", peatio.sign, peatio.verify),
    )
}


def scheme_named(name: str) -> Scheme:
    if name not in SCHEMES:
        raise SigningError("scheme", f"unknown scheme {name!r}; known: {', '.join(sorted(SCHEMES))}")
    return SCHEMES[name]


def sign(request: Request) -> Signed:
    """Sign `request` with the scheme it names."""
    return scheme_named(request.scheme).sign(request)
