"""Where a client's request leaves the reference's: the diff text, shown around the first difference, and the
"same request" comparison (`request_difference`), with the bug classes a difference shows.

A stage the scheme declares secret-bearing is never shown (`SECRET_NOT_SHOWN`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, unquote

from signing.http import NOT_JSON, HttpRequest
from signing.model import STAGE_NAMES, Signed
from signing.registry import Scheme

WIRE_PARTS = ("wire.method", "wire.url", "wire.headers", "wire.body")
SECRET_NOT_SHOWN = "<not shown: this stage carries the secret>"
DIFF_CONTEXT = 40


@dataclass(frozen=True)
class StageDiff:
    """The first stage (or wire part) where the client's request leaves the reference's.

    `at` is the index of the first differing character. A stage the scheme
    declares secret-bearing is never carried: both values are `SECRET_NOT_SHOWN`.
    """

    stage: str
    expected: str
    actual: str
    at: int

    @property
    def redacted(self) -> bool:
        return self.expected == SECRET_NOT_SHOWN

    def lines(self) -> list[str]:
        """The diff as text: both values around the first difference, with the differing characters marked."""
        if self.redacted:
            return [f"{self.stage} differs at character {self.at} ({SECRET_NOT_SHOWN[1:-1]})"]
        start = max(0, self.at - DIFF_CONTEXT)
        expected, actual = _window(self.expected, start), _window(self.actual, start)
        span = _differing_span(self.expected, self.actual)
        marker = " " * (self.at - start + (3 if start else 0)) + "^" * max(1, min(span, 2 * DIFF_CONTEXT))
        return [
            f"{self.stage} differs at character {self.at}:",
            f"  expected: {expected}",
            f"  actual:   {actual}",
            f"            {marker}",
        ]

    def headline(self) -> str:
        """The diff in one line: where, and what each side has from there on (a few characters of each)."""
        if self.redacted:
            return self.lines()[0]
        expected, actual = _excerpt(self.expected, self.at), _excerpt(self.actual, self.at)
        return f"{self.stage} differs at character {self.at}: expected {expected}, actual {actual}"

    def to_mapping(self) -> dict[str, Any]:
        return {"stage": self.stage, "expected": self.expected, "actual": self.actual, "at": self.at}


HEADLINE_EXCERPT = 24


def _excerpt(text: str, at: int) -> str:
    """The text from `at` on, quoted and cut to HEADLINE_EXCERPT characters; `the end` when nothing is left."""
    rest = text[at:]
    if not rest:
        return "the end"
    return repr(rest[:HEADLINE_EXCERPT]) + ("..." if len(rest) > HEADLINE_EXCERPT else "")


def _window(text: str, start: int) -> str:
    shown = text[start : start + 3 * DIFF_CONTEXT]
    return ("..." if start else "") + shown + ("..." if start + 3 * DIFF_CONTEXT < len(text) else "")


def _differing_span(expected: str, actual: str) -> int:
    """How many characters of `actual` differ, between the common prefix and the common suffix."""
    prefix = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), min(len(expected), len(actual)))
    suffix = 0
    while suffix < min(len(expected), len(actual)) - prefix and expected[-1 - suffix] == actual[-1 - suffix]:
        suffix += 1
    return len(actual) - prefix - suffix


def part_value(stages: Mapping[str, str], wire: HttpRequest, part: str, headers: Sequence[str]) -> str | None:
    """A stage or wire part of a request, laid out for comparison: for headers, one `Name: value` line per
    compared header (matched case-insensitively, the first of a repeated header), for the body its text."""
    if part == "wire.headers":
        return "\n".join(f"{key}: {wire.header(key) or ''}" for key in headers)
    if part == "wire.method":
        return wire.method
    if part == "wire.url":
        return wire.target
    if part == "wire.body":
        return wire.text or ""
    return stages.get(part)


def compared_headers(expected: HttpRequest, sent: HttpRequest, scheme: Scheme) -> list[str]:
    """The headers exactness compares: every header the reference sends, and every header the scheme sets
    (`Scheme.headers`) that the client sends; others (User-Agent, Host, Content-Length) are not part of the contract."""
    names = {name.lower(): name for name in scheme.headers if sent.header(name) is not None}
    names.update({name.lower(): name for name, _ in expected.headers})
    return sorted(names.values())


def first_difference(reference: Signed, stages: Mapping[str, str], wire: HttpRequest, scheme: Scheme) -> StageDiff | None:
    """The first stage the client gives (`stages`), then wire part, where its request differs from `reference`."""
    headers = compared_headers(reference.wire, wire, scheme)
    reference_stages = reference.stages.to_mapping()
    for part in (*(name for name in STAGE_NAMES if name in stages), *WIRE_PARTS):
        want = part_value(reference_stages, reference.wire, part, headers)
        got = part_value(stages, wire, part, headers) or ""
        if want != got:
            want = want or ""
            at = next((i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), min(len(want), len(got)))
            if part in scheme.secret_stages:
                return StageDiff(part, SECRET_NOT_SHOWN, SECRET_NOT_SHOWN, at)
            return StageDiff(part, want, got, at)
    return None


Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class RequestDifference:
    """Where a client's request is not the same request as the reference's (decoded, the signature aside), and the
    bug classes the difference shows, as corpus flags (vectors/flags.yaml); none when it shows no known class."""

    text: str
    flags: tuple[str, ...] = ()


def request_difference(expected: HttpRequest, actual: HttpRequest, signature: str | None) -> RequestDifference | None:
    """Where `actual` is not the same request as `expected`: same method, path, parameters and body content,
    compared decoded, the signature parameter aside (docs/reference/contract.md, the accepted level); None if it is."""
    if expected.method != actual.method:
        return RequestDifference(f"method: expected {expected.method}, sent {actual.method}")
    want_path, sent_path = unquote(expected.path), unquote(actual.path)
    if want_path != sent_path:
        extension = want_path.removesuffix(".json") == sent_path.removesuffix(".json")
        return RequestDifference(f"path: expected {want_path}, sent {sent_path}", ("ExtensionInPath",) if extension else ())
    want_query, want_form = expected.view.query_pairs, expected.view.form_pairs
    signed = {key for key, value in want_query + want_form if value == signature}

    def content(params: Pairs) -> list[tuple[str, str]]:
        return sorted(pair for pair in params if pair[0] not in signed)

    want, sent = content(want_query), content(actual.view.query_pairs)
    if want != sent:
        flags = parameter_flags(want, sent, content(want_form), content(actual.view.form_pairs))
        return RequestDifference(f"query parameters: expected {want}, sent {sent}", flags)
    want_json, sent_json = expected.view.json, actual.view.json
    if want_json is not NOT_JSON or sent_json is not NOT_JSON:
        if same_json(want_json, sent_json):
            return None
        return RequestDifference("body: the JSON content differs", json_flags(want_json, sent_json))
    want, sent = content(want_form), content(actual.view.form_pairs)
    if want == sent:
        return None
    flags = parameter_flags(want, sent, content(want_query), content(actual.view.query_pairs))
    return RequestDifference(f"body parameters: expected {want}, sent {sent}", flags)


def parameter_flags(want: Pairs, sent: Pairs, want_elsewhere: Pairs, sent_elsewhere: Pairs) -> tuple[str, ...]:
    """The flags of a difference between two parameter lists of one part (the query or the form body), given the
    other part of each request: a pair moved to the other part is MixedPlacement; a value sent as other text of the
    same value is its encoding's flag (`value_flags`); an empty value left out is EmptyValue; a parameter added,
    left out or given another value is AddedParameter."""
    missing, added = Counter(want) - Counter(sent), Counter(sent) - Counter(want)
    added_values = {key: value for key, value in added}
    flags: list[str] = []
    for key, value in missing:
        if key in added_values:
            flags += value_flags(value, added_values.pop(key))
        elif (key, value) in sent_elsewhere:
            flags.append("MixedPlacement")
        else:
            flags.append("EmptyValue" if value == "" else "AddedParameter")
    for key, value in added_values.items():
        flags.append("MixedPlacement" if (key, value) in want_elsewhere else "AddedParameter")
    return tuple(dict.fromkeys(flags))


def value_flags(want: str, sent: str) -> tuple[str, ...]:
    """The flag of a value that arrives as other text: a `+` sent raw (read as a space) or an escape decoded or
    escaped twice is ReservedCharEncoding, non-ASCII text written in other bytes than UTF-8 (its ASCII characters
    the same) Utf8Encoding, a number written as other text of the same number NumberText; any other value is the
    client's own, AddedParameter."""
    if sent in (want.replace("+", " "), quote(want, safe=""), unquote(want)):
        return ("ReservedCharEncoding",)
    if not want.isascii() and ascii_part(want) == ascii_part(sent):
        return ("Utf8Encoding",)
    return ("NumberText",) if same_number(want, sent) else ("AddedParameter",)


def ascii_part(text: str) -> str:
    """The ASCII characters of `text`: what survives when its other characters are written in the wrong bytes
    (latin-1 read as UTF-8 gives U+FFFD, UTF-8 read as latin-1 gives `Ã©` for `é`)."""
    return "".join(character for character in text if character.isascii())


def same_number(want: object, sent: object) -> bool:
    """Whether two values (text or JSON numbers) are the same number written differently (`1` and `1.0`, `"5"` and `5`)."""
    try:
        return want != sent and Decimal(str(want)) == Decimal(str(sent))
    except InvalidOperation:
        return False


def same_json(want: object, sent: object) -> bool:
    """Whether two JSON values are the same value (docs/reference/contract.md, "the same request"): equal, and a
    boolean never the same as a number, though Python holds `True == 1`."""
    if isinstance(want, dict) and isinstance(sent, dict):
        return want.keys() == sent.keys() and all(same_json(want[key], sent[key]) for key in want)
    if isinstance(want, list) and isinstance(sent, list):
        return len(want) == len(sent) and all(same_json(a, b) for a, b in zip(want, sent, strict=True))
    return isinstance(want, bool) == isinstance(sent, bool) and want == sent


def json_flags(want: object, sent: object) -> tuple[str, ...]:
    """The flags of a difference in JSON body content: members added or left out are AddedParameter, a number
    sent as a string of the same number (or the reverse) NumberText, a boolean sent as another type BooleanText;
    any other difference JsonBody."""
    if not isinstance(want, dict) or not isinstance(sent, dict):
        return ("JsonBody",)
    flags = ["AddedParameter"] if want.keys() != sent.keys() else []
    for key in want.keys() & sent.keys():
        if not same_json(want[key], sent[key]):
            flags.append(json_value_flag(want[key], sent[key]))
    return tuple(dict.fromkeys(sorted(flags)))


def json_value_flag(want: object, sent: object) -> str:
    """The flag of one JSON member sent as another value (see `json_flags`)."""
    if isinstance(want, bool) != isinstance(sent, bool):
        return "BooleanText"
    return "NumberText" if same_number(want, sent) else "JsonBody"
