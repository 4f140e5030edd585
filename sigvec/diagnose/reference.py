"""The reference's side of a diagnosis: its signed request, where each value travels, and its construction.

Everything is learnt from the registry (`Scheme`: carriers, stages,
algorithm) and from the reference's own output; nothing here names an
exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from signing.http import HttpRequest
from signing.model import FormBody, JsonBody, Param, Request, Signed
from signing.registry import Carrier, Scheme, sign
from sigvec.diagnose.construction import (
    Construction,
    Json,
    Outcome,
    Pairs,
    Part,
    Verbatim,
    base64_text,
    finish,
    inferred_rendering,
    payload_text,
)


def carrier_holding(received: HttpRequest, value: str) -> Carrier | None:
    header = next((name for name, item in received.headers if item == value), None)
    if header is not None:
        return Carrier("header", header)
    params = received.view.query_pairs + received.view.form_pairs
    param = next((key for key, item in params if item == value), None)
    return Carrier("param", param) if param is not None else None


def without_param(text: str, name: str | None) -> str:
    """`k=v&...` text with every piece whose decoded key is `name` removed, the rest byte for byte."""
    if name is None or not text:
        return text
    return "&".join(piece for piece in text.split("&") if unquote_plus(piece.partition("=")[0]) != name)


def sent_parts(received: HttpRequest, carrier: Carrier | None) -> dict[str, str]:
    """The wire's query and body text, without the signature parameter."""
    name = carrier.name if carrier is not None and carrier.where == "param" else None
    body = received.body.decode("utf-8", "surrogateescape")
    return {"query": without_param(received.query, name), "body": without_param(body, name)}


@dataclass(frozen=True)
class Reference:
    """The reference's signed request and, where its string to sign can be modelled, its construction."""

    scheme: Scheme
    request: Request
    signed: Signed
    carrier: Carrier | None
    construction: Construction | None

    @property
    def signs_payload(self) -> bool:
        stages = self.signed.stages
        return "payload_json" in self.scheme.stages and stages.payload is not None and stages.payload == stages.string_to_sign

    def outcome(self, construction: Construction) -> Outcome:
        """The stages and signature `construction` produces under the scheme's algorithm."""
        stages: dict[str, str] = {}
        if self.signs_payload and self.signed.stages.payload_json is not None:
            text = payload_text(self.signed.stages.payload_json, construction.payload, self.request.path, self.scheme.clock.name)
            message = base64_text(text, construction.payload.urlsafe)
            stages.update(payload_json=text, payload=message)
        else:
            message = construction.message()
            params = construction.segment_text("params")
            if params is not None:
                stages["canonical_query"] = params
        stages["string_to_sign"] = message
        secret = self.request.credentials.secret + construction.secret_suffix
        digest, signature = finish(
            self.scheme.algorithm, secret, message, construction.text_encoding, construction.hex_case, construction.swapped
        )
        if digest is not None:
            stages["digest"] = digest
        if signature is not None and construction.signature_typo:
            signature = signature[:-1] + ("1" if signature.endswith("0") else "0")
        if signature is not None:
            stages["signature"] = signature
        return Outcome(stages, signature)


def effective(scheme: Scheme, request: Request, field: str, declared: str) -> str:
    """An algorithm field (`text_encoding`, `hex_case`), unless the scheme has an option of that name and the request sets it."""
    option = scheme.option(field)
    return request.options.get(field, option.default) if option is not None else declared


def reference_for(scheme: Scheme, request: Request) -> Reference:
    """Sign `request` with the reference, and recover the construction that reproduces its signature, if any."""
    signed = sign(request)
    carrier = scheme.signature
    sent = sent_parts(signed.wire, carrier)
    construction = Construction(
        pieces=(signed.stages.string_to_sign or "",),
        signed={},
        sent=sent_construction(request, sent),
        text_encoding=effective(scheme, request, "text_encoding", scheme.algorithm.text_encoding),
        hex_case=effective(scheme, request, "hex_case", scheme.algorithm.hex_case),
    )
    modelled = with_segments(construction, request, signed, sent["body"])
    reference = Reference(scheme, request, signed, carrier, modelled)
    if reference.outcome(modelled).signature != signed.stages.signature:
        return Reference(scheme, request, signed, carrier, None)
    return reference


def form_pairs(request: Request) -> tuple[Param, ...]:
    return request.body.params if isinstance(request.body, FormBody) else ()


def pairs_part(sources: tuple[tuple[Param, ...], ...], text: str) -> Part:
    """The parameters of the first source that a candidate rendering writes as `text`; failing that, those whose
    keys `text` holds, with every parameter kept beside them (the scheme's rule drops the others from this text)."""
    for pairs in sources:
        if pairs:
            rendering = inferred_rendering(pairs, text)
            if rendering is not None:
                return Pairs(pairs, rendering)
    for pairs in sources:
        kept = tuple(pair for pair in pairs if f"{pair[0]}=" in text)
        if kept and len(kept) < len(pairs):
            rendering = inferred_rendering(kept, text)
            if rendering is not None:
                return Pairs(kept, rendering, pairs)
    return Verbatim(text)


def sent_construction(request: Request, sent: dict[str, str]) -> dict[str, Part]:
    parts: dict[str, Part] = {"query": pairs_part((request.query,), sent["query"]) if sent["query"] else Verbatim("")}
    if isinstance(request.body, JsonBody):
        parts["body"] = Json(request.body.value, request.body.text)
    elif isinstance(request.body, FormBody):
        parts["body"] = pairs_part((request.body.params,), sent["body"])
    else:
        parts["body"] = Verbatim(sent["body"])
    return parts


def with_segments(construction: Construction, request: Request, signed: Signed, body_text: str) -> Construction:
    """Cut the string to sign at the canonical query and at the body text, where each occurs in it."""
    message = signed.stages.string_to_sign or ""
    canonical = signed.stages.canonical_query or ""
    spans: list[tuple[int, int, str]] = []
    parts: dict[str, Part] = {}
    if canonical and canonical in message:
        start = message.find(canonical)
        spans.append((start, start + len(canonical), "params"))
        if isinstance(request.body, JsonBody) and canonical == request.body.text:
            parts["params"] = Json(request.body.value, request.body.text)
        else:
            form = form_pairs(request)
            parts["params"] = pairs_part((request.query, form, request.query + form), canonical)
    body_is_params = isinstance(parts.get("params"), Json)
    if body_text and not body_is_params:
        after = spans[0][1] if spans else 0
        start = message.find(body_text, after)
        if start < 0 and not spans:
            start = message.find(body_text)
        if start >= 0:
            spans.append((start, start + len(body_text), "body"))
            if isinstance(request.body, JsonBody):
                parts["body"] = Json(request.body.value, request.body.text)
            else:
                parts["body"] = pairs_part((form_pairs(request),), body_text)
    pieces: list[str] = []
    position = 0
    for start, end, name in sorted(spans):
        if start < position:
            continue
        pieces += [message[position:start], name]
        position = end
    pieces.append(message[position:])
    clock = str(request.timestamp) if request.timestamp is not None else None
    return Construction(
        tuple(pieces),
        parts,
        construction.sent,
        text_encoding=construction.text_encoding,
        hex_case=construction.hex_case,
        clock_value=clock if clock is not None and len(clock) > 3 and clock in message else None,
    )
