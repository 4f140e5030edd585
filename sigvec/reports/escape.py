"""Text a report quotes (from a harness, a client or a request), made safe for the place it is written to.

Every report quotes text it does not control: a harness's stderr, a
client's signature, a refusal message. Each writer passes that text through
the function for its target:

- `visible`: the terminal; every control character (C0, DEL, C1), every
  Unicode format control that reorders text (bidi overrides and isolates),
  every lone surrogate and every non-character is written as its Python
  escape (`\\x1b`, `\\u202e`, `\\ud800`), so nothing reaches the terminal as
  an escape sequence and the text always encodes as UTF-8;
- `xml_text`: XML 1.0; the same, plus every character outside XML 1.0's
  `Char` production (NUL, most C0, lone surrogates, U+FFFE and U+FFFF),
  so the document always parses (ElementTree escapes the markup itself);
- `markdown_inline`: Markdown outside a code block, on one line; shown as by
  `one_line`, then every character that opens or closes HTML, an entity, a
  code span, emphasis, a link, an image, a table cell or strikethrough
  backslash-escaped (CommonMark section 2.4), so none can start in it;
- `markdown_fence`: a fenced code block whose fence is longer than any run
  of backticks in its lines (CommonMark section 4.5), so no line can close it.
"""

from __future__ import annotations

import re

_ELSEWHERE = r"\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
"""DEL and C1 controls, bidi marks, overrides and isolates, non-characters, surrogates."""
_UNSAFE = re.compile(rf"[\x00-\x08\x0b-\x1f{_ELSEWHERE}]")
"""What a terminal or an XML 1.0 document must not receive as is: tab and line feed are the only controls kept."""
_UNSAFE_IN_A_LINE = re.compile(rf"[\x00-\x1f{_ELSEWHERE}]")
"""The same, and line feed too: for text that must stay on one line."""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&!|~#])")
_BACKTICK_RUN = re.compile("`+")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control, reordering or unencodable character shown as its escape; line feeds and tabs kept."""
    return _UNSAFE.sub(_escaped, text)


def one_line(text: str) -> str:
    """`visible`, with line feeds and carriage returns shown as escapes too."""
    return _UNSAFE_IN_A_LINE.sub(_escaped, text)


def xml_text(text: str) -> str:
    """`text` as XML 1.0 character data or an attribute value (ElementTree escapes `&`, `<`, `>` and quotes)."""
    return visible(text)


def markdown_inline(text: str) -> str:
    """`text` as literal Markdown inline text: on one line, every character that could start markup backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def markdown_fence(lines: list[str], info: str = "text") -> list[str]:
    """`lines` as a fenced code block whose fence no line can close, each line (split at line feeds) `visible`."""
    shown = [visible(part) for line in lines for part in line.split("\n")]
    longest = max((len(run) for line in shown for run in _BACKTICK_RUN.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *shown, fence]
