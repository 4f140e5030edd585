"""The one seam where a rejection gets its diagnosis, for the `X-Sigvec-Diagnosis` header and the record."""

from __future__ import annotations

from signing.model import Received
from signing.server import ServerContext, Verdict


def diagnosis_text(received: Received, scheme: str, context: ServerContext, verdict: Verdict) -> str | None:
    """One line saying why `received` was rejected, or None when it was accepted.

    For now this is the check that decided and the exchange's reason; the
    diagnosis engine (`sigvec.diagnose`) replaces it here and nowhere else.
    """
    if verdict.rejection is None:
        return None
    return f"{verdict.step}: {verdict.rejection.code} {verdict.rejection.reason}"
