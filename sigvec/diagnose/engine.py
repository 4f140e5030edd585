"""The diagnosis engine: which known bug makes the server reject this request.

`diagnose` runs the reference verifier; for a signature rejection it rebuilds
the reference's construction of the intended request, re-signs it under each
bug class alone and then in pairs, and names every class (or pair) that
reproduces the client's signature and sent parameters byte for byte. It never
guesses: when nothing reproduces the request it says so, with the last stage
that still matched. Other rejections are explained by the check that fired.
Pure: no clock, no I/O beyond the packaged catalogue and corpus, read once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations
from typing import Any

from signing.encoding import dump_json, split_pairs
from signing.http import HttpRequest, json_or_none
from signing.model import JsonBody, Request, Signed, SigningError
from signing.registry import SCHEMES, Carrier, Scheme, scheme_named, sign, verify
from signing.server import ServerContext, Verdict
from sigvec.corpus import Vector
from sigvec.diagnose.catalogue import ENCODING_FLAGS, BugClass, catalogue
from sigvec.diagnose.checks import by_check, by_step, clock_diagnosis, fragment_cut, misplaced_signature, missing_key
from sigvec.diagnose.construction import Construction, Escaping, Json, Pairs, Rendering
from sigvec.diagnose.examples import Examples
from sigvec.diagnose.recover import recovered_request
from sigvec.diagnose.reference import Reference, reference_for, sent_parts, without_param
from sigvec.diagnose.result import Diagnosis, Match, citation, fix_clause, found, phrase, rejection_note
from sigvec.diagnose.verified import verified_message
from sigvec.wire import read_carrier


@dataclass(frozen=True)
class Client:
    """What the client sent that diagnosis compares: its signature and its query and body without it."""

    signature: str | None
    parts: dict[str, str]


def diagnose(
    received: HttpRequest,
    scheme: str,
    context: ServerContext,
    intended: Request | None = None,
    error: str | None = None,
    *,
    examples: Examples,
    verdict: Verdict | None = None,
    options: Mapping[str, str] | None = None,
) -> Diagnosis:
    """Why the server rejects `received` (or that it accepts it); see the module docstring.

    `error`: the code the exchange answered, if known; when the verifier
    accepts the request, its documented non-signing causes are listed.
    `verdict` is the server's verdict on `received` in `context` when the caller already has it (the gate's
    capture mode gets it from the loopback server), so that the request is not verified a second time.
    `options`: with no `intended` request, the scheme options the client declares (nothing on the wire says them).
    """
    surface = scheme_named(scheme)
    if verdict is None:
        verdict = verify(received, context, scheme)
    if verdict.accepted:
        return Diagnosis(verdict, None, (), True, verified_message(surface, error))
    cut = fragment_cut(verdict, received, surface, intended, examples) if intended is not None else None
    if cut is not None:
        return cut
    api_key = read_carrier(received, surface.api_key)
    if not api_key:
        return missing_key(verdict, received, surface, examples)
    secret = context.keys.secret(api_key)
    if secret is None and intended is None:
        return by_step(verdict, "key", surface, api_key, examples)
    if verdict.step == "replay":
        return by_step(verdict, "replay", surface, read_carrier(received, surface.nonce) or "", examples)
    if verdict.step == "window":
        return clock_diagnosis(verdict, received, surface, context, examples)
    typo = one_character_off(verdict, received, surface, examples)
    if typo is not None:
        return found(verdict, (typo,))
    try:
        request = intended if intended is not None else recovered_request(received, surface, secret or "", options)
        reference = reference_for(surface, request)
    except SigningError as error:
        if verdict.step != "signature":
            return by_check(verdict, received, surface, context, examples)
        return Diagnosis(verdict, verdict.step, (), False, f"the request cannot be rebuilt for diagnosis: {error}")
    client = Client(read_carrier(received, reference.carrier), sent_parts(received, reference.carrier))
    if client.signature is None and reference.carrier is not None:
        return misplaced_signature(verdict, reference, received, examples)
    reference_received = reference.signed.wire
    reference_parts = sent_parts(reference_received, reference.carrier)
    same_signature = client.signature == reference.signed.stages.signature and same_authentication(
        surface, received, reference_received
    )
    if same_signature and client.parts == reference_parts:
        return by_check(verdict, received, surface, context, examples)
    matches = search(reference, client, received, verdict, same_signature, intended is not None, examples)
    if matches:
        return found(verdict, matches)
    if verdict.step != "signature":
        return by_check(verdict, received, surface, context, examples)
    return nothing_reproduces(verdict, reference, client, reference_parts)


def same_authentication(scheme: Scheme, received: HttpRequest, reference: HttpRequest) -> bool:
    """Whether the request carries the reference's clock and nonce values."""
    return all(read_carrier(received, carrier) == read_carrier(reference, carrier) for carrier in (scheme.clock, scheme.nonce))


# --- the search ------------------------------------------------------------------------


def search(
    reference: Reference,
    client: Client,
    received: HttpRequest,
    verdict: Verdict,
    same_signature: bool,
    intended_given: bool,
    examples: Examples,
) -> tuple[Match, ...]:
    """Every class alone that reproduces the client's request; if none, every pair that does.

    `same_signature`: the client's signature (and clock and nonce) are the
    reference's own, so what it sent may have changed after signing.
    """
    bugs = catalogue()
    singles = list(sent_matches(reference, client, verdict, examples)) if same_signature else []
    edits: list[BugClass] = []
    sent_by: dict[str, tuple[str | None, str | None]] = {}
    alone: dict[str, Construction] = {}
    produced_by: dict[str, tuple[str | None, str | None, str | None]] = {}
    base = reference.construction
    wanted = (client.signature, client.parts["query"], client.parts["body"])
    if base is not None:
        baseline = fingerprint(reference, base)
        characters = parameter_characters(base)
        for bug in bugs.classes:
            if not bug.is_edit or not bug.touches(base, reference.signs_payload):
                continue
            if bug.encoder is not None and not encoder_changes(bug, base, characters):
                continue
            construction = bug.apply(base)
            produced = fingerprint(reference, construction)
            if produced == baseline:
                continue
            edits.append(bug)
            sent_by[bug.name], alone[bug.name], produced_by[bug.name] = produced[1:], construction, produced
            if produced == wanted:
                singles.append(edit_match(reference, (bug,), construction, examples))
    singles += resigned_matches(reference, client, examples)
    if intended_given:
        singles += read_twice_matches(reference, client, received, examples)
    if singles or base is None:
        return tuple(sorted(singles, key=lambda match: deviation(match, base)))
    pairs: list[Match] = []
    for first, second in combinations(distinct(edits, produced_by, reference.construction), 2):
        if set(first.axes) & set(second.axes) or not sends_wanted(first, second, sent_by, baseline[1:], wanted[1:]):
            continue
        construction = second.apply(alone[first.name])
        if fingerprint(reference, construction) == wanted:
            pairs.append(edit_match(reference, (first, second), construction, examples))
    return tuple(pairs)


def distinct(
    edits: list[BugClass], produced_by: dict[str, tuple[str | None, str | None, str | None]], base: Construction | None
) -> list[BugClass]:
    """One class per distinct result alone, the plainest encoder first: classes that write these parameters
    identically (two encoders that agree on every character present) are one setting for the pair search."""
    kept: dict[tuple[str | None, ...], str] = {}
    for bug in sorted(edits, key=lambda bug: class_deviation(bug, base)):
        kept.setdefault(produced_by[bug.name], bug.name)
    chosen = set(kept.values())
    return [bug for bug in edits if bug.name in chosen]


def deviation(match: Match, base: Construction | None) -> int:
    """Where a match's encoders stand in the catalogue's table (listed from the plainest reading): among classes
    that give the same bytes, the plainest is named first. Other classes come before any encoder."""
    named = {bug.name: bug for bug in catalogue().classes}
    return sum(class_deviation(named[name], base) for name in match.classes if name in named)


def class_deviation(bug: BugClass, base: Construction | None) -> int:
    """0 for a class other than an encoder; for an encoder, 1 + its place in the catalogue's table."""
    if bug.encoder is None:
        return 0
    return 1 + list(catalogue().encoders).index(bug.encoder)


def parameter_characters(construction: Construction) -> frozenset[str]:
    """Every character of the parameter keys and values the construction writes, on either side."""
    parts = [*construction.signed.values(), *construction.sent.values()]
    return frozenset(
        char for part in parts if isinstance(part, Pairs) for pair in (*part.pairs, *part.every) for char in "".join(pair)
    )


def encoder_changes(bug: BugClass, base: Construction, characters: frozenset[str]) -> bool:
    """Whether an encoder class writes some character of these parameters unlike the side it replaces (if it
    writes them all alike, the request is the reference's and the class is not tried)."""
    mine = catalogue().encoders[bug.encoder or ""].escaping
    sides = [base.signed, base.sent] if "both" in bug.edit else [base.signed if "signed" in bug.edit else base.sent]
    renderings = [part.rendering for side in sides for part in side.values() if isinstance(part, Pairs)]
    theirs = {escaping for rendering in renderings for escaping in (rendering.escaping, rendering.key_escaping())}
    return any(writes_differently(mine, other, characters) for other in theirs)


@lru_cache(maxsize=1024)
def writes_differently(mine: Escaping, theirs: Escaping, characters: frozenset[str]) -> bool:
    return any(mine.encode(char) != theirs.encode(char) for char in characters)


def sends_wanted(
    first: BugClass,
    second: BugClass,
    sent_by: dict[str, tuple[str | None, str | None]],
    baseline: tuple[str | None, str | None],
    wanted: tuple[str | None, str | None],
) -> bool:
    """Whether the pair can still send the client's query and body (the bound on the pair search).

    A class that does not edit the sent parts leaves them as the other member
    makes them: with no such editor they stay the reference's, with one they
    are that class's own, already computed alone. Only two editors together
    need the pair itself re-signed.
    """
    editors = [bug for bug in (first, second) if bug.edits_sent]
    if not editors:
        return baseline == wanted
    if len(editors) == 1:
        return sent_by[editors[0].name] == wanted
    return True


def fingerprint(reference: Reference, construction: Construction) -> tuple[str | None, str | None, str | None]:
    return (
        reference.outcome(construction).signature,
        construction.sent_text("query"),
        construction.sent_text("body"),
    )


def first_stage(scheme: Scheme, reference: dict[str, str], attempt: dict[str, str]) -> str:
    """The first of the scheme's stages where the attempt's value differs from the reference's; `wire` if none does."""
    for name in scheme.stages:
        if name in reference and name in attempt and reference[name] != attempt[name]:
            return name
    return "wire"


def edit_match(reference: Reference, bugs: tuple[BugClass, ...], construction: Construction, examples: Examples) -> Match:
    """The match for classes that together give `construction`: one sentence per class, in the order of the stage
    where each alone first leaves the reference's bytes, each with its own evidence."""
    base = reference.construction
    assert base is not None
    mapping = reference.signed.stages.to_mapping()
    stage = first_stage(reference.scheme, mapping, reference.outcome(construction).stages)
    alone = {bug.name: bug.apply(base) for bug in bugs}
    order = {name: index for index, name in enumerate((*reference.scheme.stages, "wire"))}
    stages = {bug.name: first_stage(reference.scheme, mapping, reference.outcome(alone[bug.name]).stages) for bug in bugs}
    ordered = sorted(bugs, key=lambda bug: order.get(stages[bug.name], len(order)))
    flags = tuple(dict.fromkeys(flag for bug in ordered for flag in class_flags(bug, base, alone[bug.name])))
    sentences = [sentence(reference, bug, base, alone[bug.name]) for bug in ordered]
    axes = tuple((axis, setting) for bug in ordered for axis, setting in bug.axes.items())
    message = ". ".join(text if not index else text[:1].upper() + text[1:] for index, text in enumerate(sentences))
    message += citation(flags, reference.scheme, examples)
    class_stages = tuple(stages[bug.name] for bug in ordered)
    return Match(tuple(bug.name for bug in ordered), flags, stage, message, axes, class_stages)


def sentence(reference: Reference, bug: BugClass, base: Construction, attempt: Construction) -> str:
    """One class's sentence: what the client did against the scheme's own rule, the bytes, and the fix."""
    if bug.encoder is None:
        says = phrase(bug.says, reference.scheme)
    else:
        encoders = catalogue().encoders
        says = phrase(
            bug.says,
            reference.scheme,
            encoder=encoders[bug.encoder].says,
            signs=encoder_named(rendering_of(base.signed)),
            sends=encoder_named(rendering_of(base.sent)),
        )
    fix = fix_clause(bug.fix, reference.scheme)
    return says + evidence(reference, base, attempt) + fix + bug.reported(reference.scheme.exchange)


def rendering_of(parts: dict[str, Any]) -> Rendering | None:
    """The rendering of the first parameter list among `parts`."""
    return next((part.rendering for part in parts.values() if isinstance(part, Pairs)), None)


def encoder_named(rendering: Rendering | None) -> str:
    """The catalogue's words for the escaping the reference uses (a plain phrase where no encoder is the same),
    and the characters it keeps literal in keys alone (a scheme's Rack-style `[` `]`), where there are any."""
    escaping = rendering.escaping if rendering is not None else None
    encoders = catalogue().encoders.values()
    named = next((encoder.says for encoder in encoders if encoder.escaping == escaping), "its own escaping")
    kept = rendering.key_literal - rendering.escaping.literal if rendering is not None else frozenset()
    return f"{named}, `{''.join(sorted(kept))}` kept in keys" if kept else named


def class_flags(bug: BugClass, base: Construction, attempt: Construction) -> tuple[str, ...]:
    """A class's flags; for an encoder, those of the characters it writes differently in this request."""
    if bug.encoder is None:
        return bug.flags
    found: set[str] = set()
    for side in ("signed", "sent"):
        before, after = getattr(base, side), getattr(attempt, side)
        for name, part in before.items():
            other = after.get(name)
            if not isinstance(part, Pairs) or not isinstance(other, Pairs):
                continue
            mine, theirs = part.rendering, other.rendering
            mine_keys, theirs_keys = mine.key_escaping(), theirs.key_escaping()
            for key, value in part.pairs:
                found.update(symptom(char) for char in set(value) if mine.escaping.encode(char) != theirs.escaping.encode(char))
                found.update(symptom(char) for char in set(key) if mine_keys.encode(char) != theirs_keys.encode(char))
    return tuple(flag for flag in ENCODING_FLAGS if flag in found)


def symptom(char: str) -> str:
    """The flag of a character two encoders write differently."""
    if char == " ":
        return "SpaceEncoding"
    return "Utf8Encoding" if char > "\x7f" else "ReservedCharEncoding"


def resigned_matches(reference: Reference, client: Client, examples: Examples) -> list[Match]:
    """The scheme's other option values, and its sibling schemes, signed by the reference itself."""
    bugs = catalogue()
    scheme, request = reference.scheme, reference.request
    candidates: list[tuple[str, tuple[str, ...], str, Request]] = []
    for option in scheme.options:
        current = request.options.get(option.name, option.default)
        for value in option.values:
            if value != current:
                flags = bugs.option_flags.get(option.name, ())
                says = f"your client signs with {option.name} `{value}`; {scheme.exchange}'s server follows `{current}`"
                options = {**request.options, option.name: value}
                candidates.append((f"option {option.name}={value}", flags, says, replace(request, options=options)))
    sibling = bugs.named("SiblingScheme")
    for other in SCHEMES.values():
        if other.name != scheme.name and other.exchange == scheme.exchange and same_surface(scheme, other):
            says = sibling.says.format(sibling=other.name, exchange=scheme.exchange, scheme=scheme.name)
            options = {name: value for name, value in request.options.items() if other.option(name) is not None}
            candidates.append((sibling.name, sibling.flags, says, replace(request, scheme=other.name, options=options)))
    matches = []
    for name, flags, says, variant in candidates:
        try:
            signed = sign(variant)
        except SigningError:
            continue
        unchanged = Client(reference.signed.stages.signature, sent_parts(reference.signed.wire, reference.carrier))
        if not resigned_reproduces(reference, signed, unchanged) and resigned_reproduces(reference, signed, client):
            stage = first_stage(scheme, reference.signed.stages.to_mapping(), signed.stages.to_mapping())
            matches.append(Match((name,), flags, stage, f"{says}{citation(flags, scheme, examples)}"))
    return matches


def same_surface(scheme: Scheme, other: Scheme) -> bool:
    return (other.stages, other.api_key, other.clock) == (scheme.stages, scheme.api_key, scheme.clock)


def resigned_reproduces(reference: Reference, signed: Signed, client: Client) -> bool:
    parts = sent_parts(signed.wire, reference.carrier)
    return signed.stages.signature == client.signature and parts == client.parts


def read_twice_matches(reference: Reference, client: Client, received: HttpRequest, examples: Examples) -> list[Match]:
    """The reference's own request and signature, sent with a clock or nonce value other than the one signed: each
    class with `read_twice` names the scheme's carrier read twice (a nonce that is the scheme's clock is the clock's)."""
    matches = []
    for bug in catalogue().classes:
        carrier = getattr(reference.scheme, bug.read_twice) if bug.read_twice else None
        if carrier is None or (bug.read_twice != "clock" and carrier == reference.scheme.clock):
            continue
        match = read_twice(bug, carrier, reference, client, received, examples)
        if match is not None:
            matches.append(match)
    return matches


def read_twice(
    bug: BugClass, carrier: Carrier, reference: Reference, client: Client, received: HttpRequest, examples: Examples
) -> Match | None:
    """`bug` when the request differs from the reference's only in `carrier`'s value, the signature being the reference's."""
    scheme = reference.scheme
    reference_received = reference.signed.wire
    sent_value, signed_value = read_carrier(received, carrier), read_carrier(reference_received, carrier)
    others = [other for other in (scheme.clock, scheme.nonce) if other is not None and other != carrier]
    if (
        client.signature != reference.signed.stages.signature
        or sent_value in (None, signed_value)
        or any(read_carrier(received, other) != read_carrier(reference_received, other) for other in others)
        or without_carrier(carrier, client.parts) != without_carrier(carrier, sent_parts(reference_received, reference.carrier))
    ):
        return None
    fix = fix_clause(bug.fix, scheme)
    says = f"{phrase(bug.says, scheme)}: signed {signed_value}, sent {sent_value}{fix}{bug.reported(scheme.exchange)}"
    message = f"{says}{citation(bug.flags, scheme, examples)}"
    return Match((bug.name,), bug.flags, "wire", message, tuple(bug.axes.items()))


def without_carrier(carrier: Carrier, parts: dict[str, str]) -> dict[str, str]:
    """The sent parts without `carrier`'s parameter (or JSON body member), where the scheme sends it as one."""
    if carrier.where == "header":
        return parts
    body = json_or_none(parts["body"])
    if isinstance(body, dict):
        return {"query": without_param(parts["query"], carrier.name), "body": dump_json({**body, carrier.name: None})}
    return {name: without_param(text, carrier.name) for name, text in parts.items()}


def one_character_off(verdict: Verdict, received: HttpRequest, scheme: Scheme, examples: Examples) -> Match | None:
    """The signature differs in one character from the one the server rebuilt (`verdict.stages`) over what it received."""
    expected = verdict.stages.signature if verdict.stages is not None else None
    carrier = scheme.signature
    sent = read_carrier(received, carrier) if expected and verdict.step == "signature" else None
    if not expected or sent is None or len(sent) != len(expected):
        return None
    if sum(mine != theirs for mine, theirs in zip(sent, expected, strict=True)) != 1:
        return None
    bug = next(bug for bug in catalogue().classes if bug.signature == "one-character")
    message = phrase(bug.says, scheme) + bug.reported(scheme.exchange) + citation(bug.flags, scheme, examples)
    return Match((bug.name,), bug.flags, "signature", message, tuple(bug.axes.items()))


def json_pairs(text: str) -> list[tuple[str, str]] | None:
    """A JSON object's members as (key, JSON text of the value), in order; None when `text` is not an object
    (read by the one JSON-body reader, `signing.http.json_or_none`)."""
    value = json_or_none(text)
    return [(key, dump_json(item)) for key, item in value.items()] if isinstance(value, dict) else None


def change_kind(signed: list[tuple[str, str]], sent: list[tuple[str, str]]) -> str | None:
    """How `sent` differs from `signed`: reordered, a parameter duplicated, values changed, or added where none was."""
    if signed == sent:
        return None
    if not signed:
        return "unsigned"
    if sorted(signed) == sorted(sent):
        return "reordered"
    remaining = iter(sent)
    if all(pair in remaining for pair in signed) and {key for key, _ in sent} == {key for key, _ in signed}:
        return "duplicated"
    if [key for key, _ in signed] == [key for key, _ in sent]:
        return "values"
    return None


def sent_matches(reference: Reference, client: Client, verdict: Verdict, examples: Examples) -> tuple[Match, ...]:
    """The reference's own signature over the intended request, sent with one part changed after signing."""
    bugs = catalogue()
    reference_parts = sent_parts(reference.signed.wire, reference.carrier)
    changed = [name for name in ("query", "body") if reference_parts[name] != client.parts[name]]
    if len(changed) != 1:
        return ()
    part = changed[0]
    json_body = part == "body" and isinstance(reference.request.body, JsonBody)
    if json_body:
        signed, sent = json_pairs(reference_parts[part]), json_pairs(client.parts[part])
    else:
        signed, sent = list(split_pairs(reference_parts[part])), list(split_pairs(client.parts[part]))
    kind = None if signed is None or sent is None else change_kind(signed, sent)
    if kind == "unsigned" and verdict.step != "consistency":
        return ()
    bug = next((bug for bug in bugs.classes if kind is not None and bug.sent == kind), None)
    if bug is None:
        return ()
    compared = "payload" if reference.signs_payload else "json" if json_body else None
    flags = tuple(dict.fromkeys((*bug.flags, *bugs.changed_part_flags.get(compared or "", ()))))
    detail = f": signed `{excerpt(reference_parts[part], 0, 60)}`, sent `{excerpt(client.parts[part], 0, 60)}`"
    if reference.request.credentials.secret in reference_parts[part] + client.parts[part]:
        detail = ""
    message = (
        phrase(bug.says, reference.scheme)
        + detail
        + bug.reported(reference.scheme.exchange)
        + citation(flags, reference.scheme, examples)
    )
    return (Match((bug.name,), flags, "wire", message, tuple(bug.axes.items())),)


# --- messages --------------------------------------------------------------------------


def pieces_of(parts: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """Decoded key -> `k=v` as written, over the named parts that are parameter lists."""
    found: dict[str, str] = {}
    for name in names:
        part = parts.get(name)
        if isinstance(part, Pairs):
            for key, encoded_key, value in part.rendering.encoded_pairs(part.pairs):
                found.setdefault(key, f"{encoded_key}={value}")
    return found


def evidence(reference: Reference, base: Construction, attempt: Construction) -> str:
    """The first parameter the client wrote differently, as signed and as sent; or the order it signed them in."""
    secret = reference.request.credentials.secret
    signed, sent = pieces_of(attempt.signed, ("params", "body")), pieces_of(attempt.sent, ("query", "body"))
    ref_signed, ref_sent = pieces_of(base.signed, ("params", "body")), pieces_of(base.sent, ("query", "body"))
    for key in dict.fromkeys([*ref_signed, *ref_sent, *signed, *sent]):
        mine, theirs = (signed.get(key), sent.get(key)), (ref_signed.get(key), ref_sent.get(key))
        if mine == theirs or any(secret in (text or "") for text in (*mine, *theirs)):
            continue
        return difference(mine, theirs, reference.scheme.exchange)
    order, ref_order = list(signed), list(ref_signed)
    if order != ref_order and set(order) == set(ref_order):
        exchange = reference.scheme.exchange
        return f": your client signed the keys in the order {', '.join(order)}; {exchange} signs {', '.join(ref_order)}"
    return json_evidence(base, attempt, secret)


def json_evidence(base: Construction, attempt: Construction, secret: str) -> str:
    """Where a JSON body the client signed differs from the one it sent, shown around the first difference."""
    signed = next((part.text() for part in attempt.signed.values() if isinstance(part, Json)), None)
    sent = attempt.sent_text("body")
    reference_signed = next((part.text() for part in base.signed.values() if isinstance(part, Json)), None)
    if signed is None or sent is None or signed == sent or signed == reference_signed == sent or secret in signed + sent:
        return ""
    differs = (index for index, (mine, theirs) in enumerate(zip(signed, sent, strict=False)) if mine != theirs)
    start = max(0, next(differs, min(len(signed), len(sent))) - 12)
    return f": your client signed `{excerpt(signed, start)}` but sent `{excerpt(sent, start)}`"


def excerpt(text: str, start: int, length: int = 40) -> str:
    return ("…" if start else "") + text[start : start + length] + ("…" if len(text) > start + length else "")


def difference(mine: tuple[str | None, str | None], theirs: tuple[str | None, str | None], exchange: str) -> str:
    """One parameter as the client signed and sent it, against the reference's signed and sent forms."""
    (signed, sent), (ref_signed, ref_sent) = mine, theirs
    if signed and sent and signed != sent:
        return f": your client signed `{signed}` but sent `{sent}`"
    if signed != ref_signed and sent != ref_sent and signed:
        return f": your client signed and sent `{signed}`; {exchange} expects `{ref_sent or ref_signed}`"
    if signed != ref_signed and signed:
        return f": your client signed `{signed}`; {exchange} signs `{ref_signed}`"
    if sent and ref_signed:
        return f": your client signed `{ref_signed}` but sent `{sent}`"
    return ""


def closest_stage(reference: Reference, verdict: Verdict) -> str | None:
    """The last stage, in the scheme's order, where what the server rebuilt from the request (`verdict.stages`)
    still equals the reference's; the signature itself is what failed, so it is not compared."""
    rebuilt = verdict.stages.to_mapping() if verdict.stages is not None else {}
    intended = reference.signed.stages.to_mapping()
    closest = None
    for name in reference.scheme.stages:
        if name == "signature" or name not in rebuilt or name not in intended:
            continue
        if rebuilt[name] != intended[name]:
            break
        closest = name
    return closest


def nothing_reproduces(verdict: Verdict, reference: Reference, client: Client, reference_parts: dict[str, str]) -> Diagnosis:
    """Say plainly that no known class reproduces the request, and how far it still agrees with the reference."""
    same_wire = client.parts == reference_parts
    closest = closest_stage(reference, verdict) or ("wire" if same_wire else None)
    where = (
        f"the request matches the reference up to its {closest}"
        if closest
        else "the request differs from the reference already in what it sends"
    )
    hint = (
        "; the parameters sent are the reference's, so the string to sign or the secret differs"
        " (wrong credentials are the last explanation)"
        if same_wire
        else "; the query or body sent differs from the reference's"
    )
    message = f"no known bug class reproduces this signature: {where}{hint}{rejection_note(verdict)}"
    return Diagnosis(verdict, verdict.step, (), False, message, (), closest)


def diagnose_both(
    received: HttpRequest,
    scheme: str,
    context: ServerContext,
    intended: Request | None,
    error: str | None = None,
    *,
    examples: Examples,
    verdict: Verdict | None = None,
) -> Diagnosis:
    """The diagnosis from both starting points: the intended request, then the parameters read off the wire.

    A client that moves parameters to the other placement, sorts them or adds
    one differs from the intended request before any bug applies, so the
    search from the intended request finds nothing; the search from the wire
    (what `sigvec explain` does) still names the bug. The first that names
    classes wins, so the gate never knows less than `explain`.
    """
    from_input = diagnose(received, scheme, context, intended, error, examples=examples, verdict=verdict)
    if intended is None or from_input.matches or from_input.verdict.accepted or sends_as_intended(received, scheme, intended):
        return from_input
    from_wire = diagnose(
        received, scheme, context, None, error, examples=examples, verdict=from_input.verdict, options=intended.options
    )
    return from_wire if from_wire.matches else from_input


def sends_as_intended(received: HttpRequest, scheme: str, intended: Request) -> bool:
    """Whether the request sends the intended request's query and body as the reference does: the parameters read
    off the wire are then the intended ones in the reference's order, and a second search would repeat the first."""
    try:
        signed = sign(intended)
    except SigningError:
        return False
    carrier = scheme_named(scheme).signature
    return sent_parts(received, carrier) == sent_parts(signed.wire, carrier)


@dataclass(frozen=True)
class VectorDiagnoser:
    """The gate's `Diagnoser`: the diagnosis (its message and flags) of a client's request made from a vector's input,
    citing example vectors from `examples` (the corpus the gate runs); it searches from the input and from the wire."""

    examples: Examples

    def __call__(self, vector: Vector, received: HttpRequest, context: ServerContext, verdict: Verdict | None) -> Diagnosis:
        """`verdict`, when given, is the one the capture server already reached with `context`; diagnosis
        reuses it and runs without the replay store, so the nonce is neither recorded twice nor taken for a replay."""
        context = replace(context, replay=None)
        return diagnose_both(received, vector.scheme, context, vector.request, examples=self.examples, verdict=verdict)
