"""The diff text: where a client's request first leaves the reference's, shown around the first difference.

A stage the scheme declares secret-bearing is never shown (`SECRET_NOT_SHOWN`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from signing.http import HttpRequest
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
