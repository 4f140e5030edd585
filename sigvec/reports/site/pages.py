"""The site's pages as HTML text: every value from a report goes through `text()` (HTML-escaped) or `link()`.

Pages are plain HTML and one style sheet, with no script: tables for the figures, headings and lists for the
rest, every colour paired with text, links relative so the site opens from the file system.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from html import escape
from itertools import accumulate
from urllib.parse import urlsplit

from sigvec.gate.score import score
from sigvec.reports.escape import visible
from sigvec.reports.jsonl import FAILING, Diff, VerdictLine
from sigvec.reports.site.model import COUNTING_RULE, PASSING, ClientRun, History

PALETTE_SIZE = 10
"""Bug classes get colours c0..c9 of the style sheet, most common class first; the rest share the last one."""


def text(value: object) -> str:
    """`value` as HTML text: control characters and lone surrogates shown as escapes (`sigvec.reports.escape.visible`,
    so every page encodes as UTF-8), then HTML-escaped."""
    return escape(visible(str(value)), quote=True)


def link(href: str, label: str) -> str:
    """A link inside the site (`href` is built here, never read from a report)."""
    return f'<a href="{text(href)}">{text(label)}</a>'


def outside_link(url: str | None) -> str:
    """A report's URL as a link when it is http(s), else as text: no other scheme from a report becomes a link."""
    if not url:
        return ""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{text(url)}" rel="noreferrer">{text(url)}</a>'
    return text(url)


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "x"


def unique_names(names: Iterable[str]) -> dict[str, str]:
    """Each name's file name (its slug), stable across builds; a slug two names share gets a number after it."""
    files: dict[str, str] = {}
    taken = {"index"}  # each folder's index.html
    for name in names:
        base = candidate = slug(name)
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        files[name] = candidate
    return files


@dataclass(frozen=True)
class Site:
    """Every page's file name, chosen once so that links and files agree."""

    runs: tuple[ClientRun, ...]
    classes: dict[str, list[tuple[ClientRun, VerdictLine]]]
    histories: tuple[History, ...]

    @cached_property
    def run_files(self) -> dict[str, str]:
        return unique_names(run.title for run in self.runs)

    @cached_property
    def class_files(self) -> dict[str, str]:
        return unique_names(self.classes)

    def run_page(self, run: ClientRun) -> str:
        return f"runs/{self.run_files[run.title]}.html"

    @staticmethod
    def vector_page(vector: str) -> str:
        return f"vectors/{slug(vector)}.html"

    def class_page(self, name: str) -> str:
        return f"classes/{self.class_files[name]}.html"

    def colour(self, name: str) -> str:
        return f"c{min(list(self.classes).index(name), PALETTE_SIZE - 1)}"

    def vectors(self) -> list[tuple[str, str, str]]:
        """(vector, scheme, result) of every vector any run has, by vector ID."""
        seen = {verdict.id: (verdict.id, verdict.scheme, verdict.result) for run in self.runs for verdict in run.verdicts}
        return sorted(seen.values(), key=lambda item: item[0])

    def schemes(self) -> list[str]:
        return sorted({scheme for run in self.runs for scheme in run.schemes})


def page(title: str, depth: int, body: str, footer: str, here: str | None = None) -> str:
    """A whole page; `here` is its own path when it is one of the navigation's pages (marked as the current one)."""
    root = "../" * depth
    nav = " ".join(
        link(root + href, label).replace("<a ", '<a aria-current="page" ', 1) if href == here else link(root + href, label)
        for href, label in (
            ("index.html", "Matrix"),
            ("vectors/index.html", "Vectors"),
            ("classes/index.html", "Bug classes"),
            ("history.html", "History"),
        )
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{text(title)} · sigvec conformance</title>
<link rel="stylesheet" href="{root}style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="brand">sigvec conformance</p><nav aria-label="Site">{nav}</nav></header>
<main id="main">
<h1>{text(title)}</h1>
{body}
</main>
<footer><p>{footer}</p></footer>
</body>
</html>
"""


def scrolling(table: str, label: str) -> str:
    """A wide table in a region that scrolls sideways at phone width and can take the keyboard focus to do so."""
    return f'<div class="scroll" role="region" aria-label="{text(label)}" tabindex="0">{table}</div>'


def status_badge(verdict: VerdictLine) -> str:
    kind = "ok" if verdict.status in PASSING else "bad" if verdict.status in FAILING else "skip"
    return f'<span class="status {kind}">{text(verdict.verdict_text)}</span>'


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def class_bar(site: Site, verdicts: Sequence[VerdictLine]) -> str:
    """The failing vectors' bug classes as coloured segments, with the same counts in text for readers without colour."""
    counts: dict[str, int] = {}
    for verdict in verdicts:
        for name in verdict.bug_classes:
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return ""
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: list(site.classes).index(item[0]))
    segments = "".join(
        f'<span class="seg {site.colour(name)}" style="width:{100 * count / total:.1f}%"></span>' for name, count in ordered
    )
    words = "; ".join(f"{count} {name}" for name, count in ordered)
    return f'<span class="bar" aria-hidden="true">{segments}</span><span class="visually-hidden">failures: {text(words)}</span>'


def shares_cell(site: Site, verdicts: Sequence[VerdictLine], href: str) -> str:
    if not verdicts:
        return '<td class="none"><span aria-hidden="true">&ndash;</span><span class="visually-hidden">not implemented</span></td>'
    shares = score(verdicts)
    beside = [f"{shares.run} of {shares.vectors} run"]
    beside += [f"{count} {word}" for count, word in ((shares.skipped, "skipped"), (shares.errored, "errored"),
                                                       (shares.refused, "refused")) if count]
    return (
        f'<td><a href="{text(href)}"><span class="share">exact {shares.exact_percent}%</span><br>'
        f'<span class="share">accepted {shares.accepted_percent}%</span></a>'
        f'<small>{text(" · ".join(beside))}</small>{class_bar(site, verdicts)}</td>'
    )


def legend(site: Site, depth: int) -> str:
    if not site.classes:
        return "<p>No failing vector in any run.</p>"
    root = "../" * depth
    items = "".join(
        f'<li><span class="swatch {site.colour(name)}" aria-hidden="true"></span>'
        f"{link(root + site.class_page(name), name)} ({len(pairs)} failing vectors in "
        f"{len({run.title for run, _ in pairs})} runs)</li>"
        for name, pairs in site.classes.items()
    )
    return f'<ul class="legend">{items}</ul>'


def footer(runs: Sequence[ClientRun]) -> str:
    versions = sorted({f"sigvec {run.sigvec_version}, corpus {run.corpus_version}" for run in runs})
    return text(f"Built by `sigvec report --html` from {len(runs)} gate reports ({'; '.join(versions)}).")


def matrix_page(site: Site) -> str:
    schemes = site.schemes()
    head = "".join(f'<th scope="col">{text(scheme)}</th>' for scheme in schemes)
    rows = []
    for run in site.runs:
        cells = "".join(shares_cell(site, run.of_scheme(scheme), f"{site.run_page(run)}#scheme-{slug(scheme)}")
                        for scheme in schemes)
        total = score(run.verdicts)
        rows.append(
            f'<tr><th scope="row">{link(site.run_page(run), run.name)}<small>{text(run.version)} · '
            f"{text(run.language)}</small></th><td>exact {total.exact_percent}%<small>accepted "
            f"{total.accepted_percent}% · {total.run} run</small></td>{cells}</tr>"
        )
    table = (
        f'<table class="matrix"><caption>Clients (name, language, version) by signature scheme</caption>'
        f'<thead><tr><th scope="col">client</th><th scope="col">all schemes</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    body = (
        f'<p class="rule"><strong>How it counts.</strong> {text(COUNTING_RULE)}</p>'
        f"{scrolling(table, 'The matrix')}"
        "<p>A dash: the client does not implement the scheme. Each client links to its run's page: every vector's verdict, "
        "the stage diff, the diagnosis, the known-failure reason and the upstream issue.</p>"
        f"<h2>Why vectors fail: bug classes</h2><p>The coloured bars in the matrix show the failing vectors of each "
        f"cell by bug class (the flags the gate's diagnosis names), in these colours:</p>{legend(site, 0)}"
    )
    return page("Client conformance matrix", 0, body, footer(site.runs), "index.html")


def marked(value: str, spans: Iterable[tuple[int, int]]) -> str:
    """`value` escaped, with each (start, end) span wrapped in <mark>; an empty span is a visible gap marker."""
    out, last = [], 0
    for start, end in spans:
        out.append(text(value[last:start]))
        out.append(f"<mark>{text(value[start:end])}</mark>" if end > start else '<mark class="gap" title="missing here"></mark>')
        last = end
    out.append(text(value[last:]))
    return "".join(out)


def line_spans(expected: str, actual: str, e_at: int, a_at: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Within one pair of lines: the part between their common prefix and common suffix, offset to the whole value."""
    prefix = next((i for i, (x, y) in enumerate(zip(expected, actual, strict=False)) if x != y), min(len(expected), len(actual)))
    suffix = 0
    while suffix < min(len(expected), len(actual)) - prefix and expected[-1 - suffix] == actual[-1 - suffix]:
        suffix += 1
    return (e_at + prefix, e_at + len(expected) - suffix), (a_at + prefix, a_at + len(actual) - suffix)


def differing_spans(expected: str, actual: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where the two values differ. Lines are aligned first (a header block, a body); in each pair of differing lines
    the part between their common prefix and suffix is marked, so a changed signature is one mark, not a scatter of
    hex digits that happen to match; a line only one side has is marked whole, with a gap marker on the other."""
    e_lines, a_lines = expected.splitlines(keepends=True), actual.splitlines(keepends=True)
    e_starts = [0, *accumulate(len(line) for line in e_lines)]
    a_starts = [0, *accumulate(len(line) for line in a_lines)]
    e_spans: list[tuple[int, int]] = []
    a_spans: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, e_lines, a_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                e_span, a_span = line_spans(e_lines[i], a_lines[j], e_starts[i], a_starts[j])
                e_spans.append(e_span)
                a_spans.append(a_span)
            elif i < i2:
                e_spans.append((e_starts[i], e_starts[i + 1]))
                a_spans.append((a_starts[j2], a_starts[j2]))
            else:
                a_spans.append((a_starts[j], a_starts[j + 1]))
                e_spans.append((e_starts[i2], e_starts[i2]))
    return merged(e_spans), merged(a_spans)


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, one gap marker per place."""
    return sorted(set(spans))


def diff_block(diff: Diff) -> str:
    expected, actual = differing_spans(diff.expected, diff.actual)
    return (
        f'<figure class="diff"><figcaption>Stage <code>{text(diff.stage)}</code> differs from character {diff.at}; '
        f"the differing characters are marked.</figcaption>"
        f'<p class="label">expected (the reference)</p><pre>{marked(diff.expected, expected)}</pre>'
        f'<p class="label">actual (the client)</p><pre>{marked(diff.actual, actual)}</pre></figure>'
    )


def details(site: Site, verdict: VerdictLine, depth: int) -> str:
    """A vector's verdict in full: message, server outcome, diagnosis, known-failure reason, issue, stage diff."""
    root = "../" * depth
    rows = [("verdict", status_badge(verdict)), ("result", text(verdict.result)), ("message", text(verdict.message))]
    if verdict.server:
        rows.append(("reference verifier", text(verdict.server)))
    if verdict.diagnosis:
        rows.append(("diagnosis", text(verdict.diagnosis)))
    if verdict.bug_classes:
        rows.append(("bug class", ", ".join(link(root + site.class_page(name), name) for name in verdict.bug_classes)))
    if verdict.known_reason:
        rows.append(("known failure", text(verdict.known_reason)))
    if verdict.issue:
        rows.append(("upstream issue", outside_link(verdict.issue)))
    listing = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    output = "".join(
        f"<details><summary>{name}</summary><pre>{text(value)}</pre></details>"
        for name, value in (("the client's traceback", verdict.traceback), ("the harness's stderr", verdict.stderr))
        if value
    )
    return f"<dl>{listing}</dl>{output}" + (diff_block(verdict.diff) if verdict.diff else "")


def notable(verdict: VerdictLine) -> bool:
    """A verdict with more to say than "pass, byte-identical": it gets a details section on its run's page."""
    return verdict.status != "pass" or verdict.diff is not None or not verdict.exact


def run_page(site: Site, run: ClientRun) -> str:
    facts = [("language", text(run.language)), ("version", text(run.version))]
    if run.homepage:
        facts.append(("homepage", outside_link(run.homepage)))
    if run.issues:
        facts.append(("issues", outside_link(run.issues)))
    facts += [("run started", text(run.started)), ("sigvec", text(run.sigvec_version)),
              ("corpus", text(run.corpus_version)), ("report", text(run.source))]
    about = "<dl>" + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts) + "</dl>"
    sections = []
    for scheme in run.schemes:
        verdicts = run.of_scheme(scheme)
        shares = score(verdicts)
        rows = "".join(
            f'<tr id="v-{slug(v.id)}"><th scope="row">{link("../" + site.vector_page(v.id), v.id)}</th>'
            f"<td>{status_badge(v)}</td><td>{yes_no(v.counts_exact)}</td><td>{yes_no(v.counts_accepted)}</td>"
            f"<td>{link(f'#d-{slug(v.id)}', 'details') if notable(v) else ''}</td></tr>"
            for v in verdicts
        )
        table = (
            f"<table><caption>Every vector of {text(scheme)}</caption><thead><tr><th scope=\"col\">vector</th>"
            f'<th scope="col">verdict</th><th scope="col">exact</th><th scope="col">accepted</th><th scope="col">'
            f"<span class=\"visually-hidden\">details</span></th></tr></thead><tbody>{rows}</tbody></table>"
        )
        sections.append(
            f'<section id="scheme-{slug(scheme)}"><h2>{text(scheme)}</h2><p>exact {shares.exact_percent}%, '
            f"accepted {shares.accepted_percent}% of {shares.run} vectors run ({shares.vectors} in the scheme; "
            f"{shares.skipped} skipped, {shares.errored} errored, {shares.refused} refused).</p>"
            f"{scrolling(table, f'Vectors of {scheme}')}</section>"
        )
    explained = "".join(
        f'<section id="d-{slug(v.id)}" class="vector"><h3>{link("../" + site.vector_page(v.id), v.id)}</h3>'
        f"{details(site, v, 1)}</section>"
        for v in run.verdicts
        if notable(v)
    )
    failing = [v for v in run.verdicts if v.status in FAILING]
    rows = "".join(
        f'<tr><th scope="row">{link(f"#d-{slug(v.id)}", v.id)}</th><td>{status_badge(v)}</td>'
        f"<td>{', '.join(link('../' + site.class_page(name), name) for name in v.bug_classes)}</td>"
        f"<td>{text(v.known_reason or v.message)}</td><td>{outside_link(v.issue)}</td></tr>"
        for v in failing
    )
    table = (
        '<table><caption>Failing vectors</caption><thead><tr><th scope="col">vector</th><th scope="col">verdict</th>'
        '<th scope="col">bug class</th><th scope="col">what goes wrong</th><th scope="col">upstream issue</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    glance = scrolling(table, "Failing vectors") if failing else "<p>No failing vector.</p>"
    body = (
        f"{about}{glance}{''.join(sections)}<h2>Every vector that is not a plain pass</h2>"
        + (explained or "<p>None: every vector passes.</p>")
    )
    return page(f"{run.name} {run.version} ({run.language})", 1, body, footer([run]))


def vector_page(site: Site, vector: str, scheme: str, result: str) -> str:
    rows = []
    for run in site.runs:
        verdict = next((v for v in run.verdicts if v.id == vector), None)
        if verdict is None:
            continue
        why = verdict.diagnosis or verdict.known_reason or verdict.message
        rows.append(
            f'<tr><th scope="row">{link("../" + site.run_page(run) + f"#v-{slug(vector)}", run.title)}</th>'
            f"<td>{status_badge(verdict)}</td><td>{yes_no(verdict.counts_exact)}</td>"
            f"<td>{yes_no(verdict.counts_accepted)}</td><td>{text(why)}</td></tr>"
        )
    table = (
        f'<table><caption>Client runs that have {text(vector)}</caption><thead><tr><th scope="col">client run</th>'
        f'<th scope="col">verdict</th><th scope="col">exact</th><th scope="col">accepted</th><th scope="col">why</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    body = f"<p>Scheme {text(scheme)}; result {text(result)}.</p>{scrolling(table, f'Runs of {vector}')}"
    return page(vector, 1, body, footer(site.runs))


def vectors_index(site: Site) -> str:
    rows = []
    for vector, scheme, result in site.vectors():
        verdicts = [v for run in site.runs for v in run.verdicts if v.id == vector]
        passing = sum(v.status in PASSING for v in verdicts)
        failing = sum(v.status in FAILING for v in verdicts)
        rows.append(
            f'<tr><th scope="row">{link(site.vector_page(vector).removeprefix("vectors/"), vector)}</th>'
            f"<td>{text(scheme)}</td><td>{text(result)}</td><td>{passing}</td><td>{failing}</td></tr>"
        )
    table = (
        '<table><caption>Every vector in the reports</caption><thead><tr><th scope="col">vector</th>'
        '<th scope="col">scheme</th><th scope="col">result</th><th scope="col">runs passing</th>'
        f'<th scope="col">runs failing</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    return page("Vectors", 1, scrolling(table, "Vectors"), footer(site.runs), "vectors/index.html")


def class_page(site: Site, name: str) -> str:
    by_run: dict[ClientRun, list[VerdictLine]] = {}
    for run, verdict in site.classes[name]:
        by_run.setdefault(run, []).append(verdict)
    items = "".join(
        f"<li>{link('../' + site.run_page(run), run.title)}: "
        + ", ".join(link("../" + site.run_page(run) + f"#d-{slug(v.id)}", v.id) for v in verdicts)
        + "</li>"
        for run, verdicts in by_run.items()
    )
    body = (
        f'<p><span class="swatch {site.colour(name)}" aria-hidden="true"></span>{len(site.classes[name])} failing vectors '
        f"in {len(by_run)} client runs.</p><ul>{items}</ul>"
    )
    return page(f"Bug class: {name}", 1, body, footer(site.runs))


def classes_index(site: Site) -> str:
    body = (
        "<p>A bug class is a corpus flag the gate's diagnosis names for a failing request; a failure it names no "
        f"flag for is listed as such, and an errored vector sent nothing.</p>{legend(site, 1)}"
    )
    return page("Bug classes", 1, body, footer(site.runs), "classes/index.html")


def history_section(history: History) -> str:
    versions = [run.version for run in history.runs]
    first = history.first_regressions()
    if first:
        summary = "".join(
            f"<li>First bad release <strong>{text(version)}</strong>: {len(vectors)} vectors that passed in the release "
            f"before fail from here ({', '.join(link(Site.vector_page(vector), vector) for vector in vectors)}).</li>"
            for version, vectors in first.items()
        )
        summary = f"<ul>{summary}</ul>"
    else:
        summary = "<p>No regression: no vector goes from passing to failing between consecutive releases.</p>"
    changed = [vector for vector in history.vectors() if history.changes(vector)]
    head = "".join(f'<th scope="col">{text(version)}</th>' for version in versions)
    rows = []
    for vector in changed:
        cells = []
        for run in history.runs:
            verdict = history.verdict(run, vector)
            cells.append(f"<td>{status_badge(verdict)}</td>" if verdict else '<td class="none">not run</td>')
        change = history.changes(vector)[0]
        mark = " (regression)" if change.regression else ""
        rows.append(
            f'<tr><th scope="row">{link(Site.vector_page(vector), vector)}</th>{"".join(cells)}'
            f"<td>{text(change.version)}{mark}</td></tr>"
        )
    steady = len(history.vectors()) - len(changed)
    table = (
        f"<table><caption>Vectors whose verdict changed between releases of {text(history.name)}</caption><thead><tr>"
        f'<th scope="col">vector</th>{head}<th scope="col">first changed in</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return (
        f'<section id="client-{slug(history.name)}"><h2>{text(history.name)} ({text(", ".join(versions))})</h2>{summary}'
        + (scrolling(table, f"History of {history.name}") if changed else "")
        + f"<p>{steady} vectors have the same verdict in every release.</p></section>"
    )


def history_page(site: Site) -> str:
    intro = (
        "<p>The same client over several releases, oldest first. A vector's verdict is its status, with exactness for "
        "a pass; a regression is a vector that passes in one release and fails or errors in the next.</p>"
    )
    sections = "".join(history_section(history) for history in site.histories)
    body = intro + (sections or "<p>No client has reports of two releases.</p>")
    return page("History", 0, body, footer(site.runs), "history.html")
