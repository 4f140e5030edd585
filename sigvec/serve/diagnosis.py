"""The one seam where a rejection gets its diagnosis, for the `X-Sigvec-Diagnosis` header and the record."""

from __future__ import annotations

from dataclasses import replace

from signing.http import HttpRequest
from signing.server import ServerContext, Verdict
from sigvec.diagnose import diagnose
from sigvec.diagnose.examples import Examples


def diagnosis_text(
    received: HttpRequest, scheme: str, context: ServerContext, verdict: Verdict, examples: Examples
) -> str | None:
    """One line saying why `received` was rejected (`sigvec.diagnose`), or None when it was accepted.

    Diagnosis reuses `verdict` rather than verifying again, and gets the context without the replay store, so
    that nothing in it records the nonce a second time (or trips on it). A replay rejection keeps the check's
    own step and reason.
    """
    if verdict.rejection is None:
        return None
    if verdict.step == "replay":
        return f"{verdict.step}: {verdict.rejection.code} {verdict.rejection.reason}"
    return diagnose(received, scheme, replace(context, replay=None), examples=examples, verdict=verdict).message
