"""The request a client meant, read back from what the server received (for `sigvec explain`, with no vector)."""

from __future__ import annotations

from collections.abc import Mapping

from signing.http import HttpRequest
from signing.model import Body, Credentials, FormBody, Request, SigningError, body_from
from signing.registry import Carrier, Scheme
from sigvec.wire import read_carrier


def number(carrier: Carrier, text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        raise SigningError(carrier.name, f"must be a whole number as received; got {text!r}")
    return int(text)


def recovered_request(received: HttpRequest, scheme: Scheme, secret: str, options: Mapping[str, str] | None = None) -> Request:
    """The parameters as received, decoded; the signature parameter dropped; clock, nonce and window read from their carriers;
    `options` the scheme options the client declares (the wire does not carry them).

    A body that reads as JSON is kept as its exact text; any other body is a
    form. Header carriers fill the request's clock, nonce and window;
    parameter carriers stay among the parameters, where the scheme expects them.
    """
    carrier = scheme.signature
    signature_name = carrier.name if carrier.where == "param" else None
    text = received.body.decode("utf-8", "surrogateescape")
    query = tuple(pair for pair in received.view.query_pairs if pair[0] != signature_name)
    body: Body | None = None
    if text.lstrip().startswith(("{", "[")):
        body = body_from({"json_text": text})
    elif text:
        body = FormBody(tuple(pair for pair in received.view.form_pairs if pair[0] != signature_name))
    nonce = read_carrier(received, scheme.nonce)
    window = scheme.window if scheme.window is not None and scheme.window.where == "header" else None
    return Request(
        scheme=scheme.name,
        method=received.method,
        path=received.path,
        credentials=Credentials(read_carrier(received, scheme.api_key) or "", secret),
        query=query,
        body=body,
        timestamp=number(scheme.clock, read_carrier(received, scheme.clock)),
        nonce=nonce,
        window=number(window, read_carrier(received, window)) if window is not None else None,
        options=dict(options or {}),
    )
