"""`sigvec vectors --format json`: the corpus for ports in other languages, with what a porter needs per scheme.

Each scheme's section is read from its registry entry (`signing.registry`)
and the options vocabulary (`vectors/options.yaml`): base URL, the headers it
sets, where the API key, clock, nonce and window travel and in which unit, the
signature algorithm, the stages it fills (and which carry the secret), and its
options, and what its documents state (`documented`: error codes and bounds,
from `vectors/rules.yaml`). Every vector carries its client contract (`fault`,
`alternatives`, `server_outcomes`) and the `choices` it rests on as written;
the choices are defined once, beside the flags.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from signing.registry import SCHEMES, Carrier, Scheme
from sigvec import __version__
from sigvec.corpus import Corpus


def carrier(value: Carrier | None) -> dict[str, str] | None:
    return None if value is None else {"where": value.where, "name": value.name, "unit": value.unit}


def scheme_section(scheme: Scheme, options: dict[str, Any], documented: dict[str, Any]) -> dict[str, Any]:
    return {
        "exchange": scheme.exchange,
        "base_url": scheme.base_url,
        "algorithm": asdict(scheme.algorithm),
        "stages": list(scheme.stages),
        "secret_stages": list(scheme.secret_stages),
        "credentials": list(scheme.credentials),
        "headers": list(scheme.headers),
        "api_key": carrier(scheme.api_key),
        "clock": carrier(scheme.clock),
        "nonce": carrier(scheme.nonce),
        "window": carrier(scheme.window),
        "options": options.get(scheme.name) or {},
        "documented": documented.get(scheme.name) or {},
    }


def export_document(corpus: Corpus) -> dict[str, Any]:
    return {
        "sigvec_version": __version__,
        "schemes": {
            name: scheme_section(scheme, corpus.options, corpus.rules.get("documented") or {}) for name, scheme in SCHEMES.items()
        },
        "flags": corpus.flags,
        "choices": corpus.rules.get("choices") or {},
        "vectors": [{**vector.data, "file": vector.file} for vector in corpus.vectors()],
    }
