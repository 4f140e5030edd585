"""The one seam where a rejection gets its diagnosis, for the `X-Sigvec-Diagnosis` header and the record."""

from __future__ import annotations

from dataclasses import replace

from signing.model import Received
from signing.server import ServerContext, Verdict
from sigvec.diagnose import diagnose


def diagnosis_text(received: Received, scheme: str, context: ServerContext, verdict: Verdict) -> str | None:
    """One line saying why `received` was rejected (`sigvec.diagnose`), or None when it was accepted.

    Diagnosis verifies the request again, so it gets the context without the
    replay store: with it, it would record the nonce a second time (or trip
    on it). A replay rejection therefore keeps the check's own step and reason.
    """
    if verdict.rejection is None:
        return None
    if verdict.step == "replay":
        return f"{verdict.step}: {verdict.rejection.code} {verdict.rejection.reason}"
    return diagnose(received, scheme, replace(context, replay=None)).message
