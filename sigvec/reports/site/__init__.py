"""`sigvec report --html OUT REPORT.jsonl ...`: a static conformance site built from JSON-lines reports alone.

The pages: the matrix (index.html), one per client run (runs/), one per vector (vectors/), one per bug class
(classes/) and the history of every client with reports of two releases or more (history.html). They open from
the file system and make no request outside the site.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from sigvec.reports.jsonl import ReportError
from sigvec.reports.site import pages
from sigvec.reports.site.model import bug_classes, histories, read_reports

__all__ = ["ReportError", "build_site"]


def build_site(out: Path, reports: Sequence[Path]) -> list[Path]:
    """Write the site for `reports` into `out` (created if missing); the pages written. Raises ReportError for a
    report that does not follow the report-line schema, before anything is written."""
    if not reports:
        raise ReportError("no report given: name one or more JSON-lines reports of `sigvec gate --json`")
    runs = read_reports(reports)
    site = pages.Site(tuple(runs), bug_classes(runs), tuple(histories(runs)))
    vectors = site.vectors()
    written = {
        "index.html": pages.matrix_page(site),
        "history.html": pages.history_page(site),
        "vectors/index.html": pages.vectors_index(site),
        "classes/index.html": pages.classes_index(site),
        **{site.run_page(run): pages.run_page(site, run) for run in runs},
        **{site.vector_page(vector): pages.vector_page(site, vector, scheme, result) for vector, scheme, result in vectors},
        **{site.class_page(name): pages.class_page(site, name) for name in site.classes},
    }
    written["style.css"] = files("sigvec.reports.site").joinpath("style.css").read_text(encoding="utf-8")
    for folder in ("runs", "vectors", "classes"):  # pages of an earlier build of this site, whose runs may be gone
        for stale in (out / folder).glob("*.html"):
            stale.unlink()
    paths = []
    for name, content in written.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
