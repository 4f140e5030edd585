"""Rejections explained by the check that fired: the key, the clock and window, the request's own fields,
a missing signature, content the signature does not cover; each message from the catalogue's `steps`."""

from __future__ import annotations

from signing.encoding import split_pairs
from signing.http import HttpRequest
from signing.model import Param, Request, SigningError
from signing.registry import SCHEMES, Scheme, sign
from signing.server import ServerContext, Verdict
from sigvec.diagnose.catalogue import catalogue
from sigvec.diagnose.examples import Examples
from sigvec.diagnose.reference import Reference, carrier_holding
from sigvec.diagnose.result import Diagnosis, Match, citation, fix_clause, phrase, rejection_note
from sigvec.wire import read_carrier, received_params

SECONDS_SLACK_MS = 60_000


def by_step(verdict: Verdict, entry_name: str, scheme: Scheme, value: str, examples: Examples, detail: str = "") -> Diagnosis:
    """The diagnosis the catalogue's `steps` entry gives for a check that fired, with `value` in its message."""
    entry = catalogue().steps[entry_name]
    flags = tuple(entry.get("flags", ()))
    message = phrase(entry["says"], scheme, value=value) + detail + citation(flags, scheme, examples) + rejection_note(verdict)
    return Diagnosis(verdict, verdict.step, (), True, message, flags)


def by_check(verdict: Verdict, received: HttpRequest, scheme: Scheme, context: ServerContext, examples: Examples) -> Diagnosis:
    """No class explains the request, or its signature is right: the check that refused it is the diagnosis."""
    step = verdict.step
    if step == "key":
        values = dict.fromkeys(value for key, value in received_params(received) if key == scheme.api_key.name)
        if scheme.api_key.where != "header" and len(values) > 1:
            return by_step(verdict, "key_repeated", scheme, f"{scheme.api_key.name} ({', '.join(values)})", examples)
        return by_step(verdict, "key", scheme, read_carrier(received, scheme.api_key) or "", examples)
    if step == "consistency":
        return by_step(verdict, "consistency" if "payload_json" in scheme.stages else "unsigned", scheme, "", examples)
    if step == "request":
        return request_check(verdict, received, scheme, examples)
    if step == "window":
        return clock_diagnosis(verdict, received, scheme, context, examples)
    return Diagnosis(
        verdict, step, (), True, f"the signature is right; {scheme.exchange} refused the request{rejection_note(verdict)}"
    )


def request_check(verdict: Verdict, received: HttpRequest, scheme: Scheme, examples: Examples) -> Diagnosis:
    """The request check fired: a window value that is not a number, a timestamp with a leading zero, or a field missing."""
    window = read_carrier(received, scheme.window)
    if window is not None and not window.isdigit():
        return by_step(verdict, "window_value", scheme, window, examples)
    clock = read_carrier(received, scheme.clock) or ""
    if clock.isdigit() and len(clock) > 1 and clock.startswith("0"):
        return by_step(verdict, "clock_text", scheme, clock, examples)
    return by_step(verdict, "request", scheme, "", examples)


def clock_diagnosis(
    verdict: Verdict, received: HttpRequest, scheme: Scheme, context: ServerContext, examples: Examples
) -> Diagnosis:
    """A time rejection: seconds for milliseconds, a window beyond the limit, or a clock that is off."""
    text = read_carrier(received, scheme.clock) or ""
    if not text.isdigit():
        return by_step(verdict, "request", scheme, text, examples)
    timestamp, now = int(text), context.now_ms
    skew = now - timestamp
    if abs(now - timestamp * 1000) <= SECONDS_SLACK_MS < abs(skew):
        return by_step(verdict, "seconds", scheme, text, examples)
    window_text = read_carrier(received, scheme.window) if scheme.window is not None else None
    if scheme.window is not None and window_text and window_text.isdigit():
        window_ms = int(window_text) * (1000 if scheme.window.unit == "s" else 1)
        if 0 <= skew <= window_ms:
            return by_step(verdict, "window", scheme, f"{scheme.window.name}={window_text}", examples)
    entry = catalogue().steps["clock"]
    direction = "behind" if skew > 0 else "ahead of"
    message = phrase(
        entry["says"], scheme, skew=f"{abs(skew) / 1000:.3f}".rstrip("0").rstrip("."), direction=direction
    ) + rejection_note(verdict)
    return Diagnosis(verdict, verdict.step, (), True, message, tuple(entry.get("flags", ())))


def missing_key(verdict: Verdict, received: HttpRequest, scheme: Scheme, examples: Examples) -> Diagnosis:
    """No API key where the scheme carries it: a sibling scheme's authentication sent instead, or none at all."""
    for other in SCHEMES.values():
        if other.exchange == scheme.exchange and other.name != scheme.name and read_carrier(received, other.api_key):
            bug = catalogue().named("SiblingScheme")
            says = phrase(bug.says, scheme, sibling=other.name)
            wanted = f"; {scheme.name} carries the API key in {scheme.api_key.where} {scheme.api_key.name}"
            match = Match((bug.name,), bug.flags, "wire", f"{says}{wanted}{citation(bug.flags, scheme, examples)}")
            return Diagnosis(verdict, verdict.step, (match,), True, match.message + rejection_note(verdict), bug.flags)
    return by_step(verdict, "request", scheme, "", examples)


def misplaced_signature(verdict: Verdict, reference: Reference, received: HttpRequest, examples: Examples) -> Diagnosis:
    """No signature where the scheme carries it: say where the reference's signature turned up instead, if anywhere."""
    wanted = reference.carrier
    assert wanted is not None
    holder = carrier_holding(received, reference.signed.stages.signature)
    where = f" (it is in {holder.where} {holder.name})" if holder is not None else ""
    return by_step(verdict, "missing_signature", reference.scheme, f"{wanted.where} {wanted.name}", examples, where)


def fragment_cut(
    verdict: Verdict, received: HttpRequest, scheme: Scheme, intended: Request, examples: Examples
) -> Diagnosis | None:
    """The intended query holds a `#` and the server received it cut there: a raw `#` starts a URL fragment, which
    no HTTP client sends (RFC 3986, section 3.5), so everything after it, the signature too where it follows, is lost.
    The query is cut in the order the reference sends it (a scheme that sorts sends another order than given), or
    in the order sorted by key, as a client that sorts its parameters before sending them does (ccxt's `keysort`)."""
    if not any("#" in key + value for key, value in intended.query):
        return None
    signature = scheme.signature.name if scheme.signature.where == "param" else None
    try:
        sent = tuple(pair for pair in sign(intended).wire.view.query_pairs if pair[0] != signature)
    except SigningError:
        return None
    arrived = tuple(pair for pair in received.view.query_pairs if pair[0] != signature)
    by_key = tuple(sorted(sent, key=lambda pair: pair[0]))
    axes: tuple[tuple[str, str], ...]
    if arrived in cut_at_fragment(sent):
        sorted_note, axes = "", ()
    elif arrived in cut_at_fragment(by_key):
        sorted_note, axes = " (it sent the parameters sorted by key)", (("send_order", "key"),)
    else:
        return None
    bug = next(bug for bug in catalogue().classes if bug.fragment)
    shown = f"`{received.query}`" if received.query else "no query at all"
    message = (
        f"{phrase(bug.says, scheme)}: it received {shown}{sorted_note}{fix_clause(bug.fix, scheme)}"
        f"{bug.reported(scheme.exchange)}{citation(bug.flags, scheme, examples)}"
    )
    match = Match((bug.name,), bug.flags, "wire", message, (*bug.axes.items(), *axes))
    return Diagnosis(verdict, verdict.step, (match,), True, message + rejection_note(verdict), bug.flags)


def cut_at_fragment(pairs: tuple[Param, ...]) -> tuple[tuple[Param, ...], ...]:
    """The parameters a server reads from `pairs` sent with a raw `#` and cut there: as the values were meant
    (the rest escaped) and as the raw text before the `#` decodes."""
    head = "&".join(f"{key}={value}" for key, value in pairs).partition("#")[0]
    literal = tuple((key, value) for key, _, value in (piece.partition("=") for piece in head.split("&") if piece))
    return (split_pairs(head), literal)
