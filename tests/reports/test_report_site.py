"""`sigvec report --html`: a static site read only from JSON-lines reports that follow the report-line schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sigvec.cli import main
from sigvec.reports.jsonl import ERRORED_CLASS, UNDIAGNOSED_CLASS
from sigvec.reports.site import ReportError, build_site
from sigvec.reports.site.model import read_report
from sigvec.reports.site.pages import differing_spans
from tests.support.corpus import REPO


def metadata(name: str = "democlient", version: str = "1.0.0", started: str = "2026-12-01T14:00:00Z") -> dict[str, Any]:
    implementation = {"name": name, "language": "python", "version": version, "schemes": ["mexc-spot-v3"]}
    return {
        "sigvec_version": "0.1.0",
        "corpus": {"version": "0.1.0", "sha256": "0" * 64, "vectors": 6},
        "started": started,
        "start_reply": {"version": 1, "implementation": implementation},
    }


def verdict(number: int, status: str, exact: bool = False, accepted: bool = False, **extra: Any) -> dict[str, Any]:
    return {"id": f"mexc-spot-v3-{number:04d}", "scheme": "mexc-spot-v3", "result": "valid", "status": status, "exact": exact,
            "accepted": accepted, "expectation": "ok", "message": extra.pop("message", ""), **extra}


LINES = [
    verdict(1, "pass", exact=True, accepted=True),
    verdict(2, "pass", accepted=True),
    verdict(3, "refused-ok", exact=True, accepted=True),
    verdict(4, "fail", message="the server rejects it", diagnosis="space as %20 (flag SpaceEncoding)", flags=["SpaceEncoding"]),
    verdict(5, "errored", message="ImportError"),
    verdict(6, "skipped", message="cannot send a form body"),
]


def report(path: Path, lines: list[dict[str, Any]], **about: str) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in [metadata(**about), *lines]), encoding="utf-8")
    return path


def pages(site: Path) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8") for path in site.rglob("*.html")}


def test_a_client_that_signs_nothing_scores_zero(tmp_path: Path) -> None:
    refusing = [verdict(number, "refused-ok", exact=True, accepted=True) for number in (1, 2)]
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", refusing)])
    matrix = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "exact 0%</span><br><span class=\"share\">accepted 0%" in matrix


def test_the_matrix_page_states_the_counting_rule_and_shows_skipped_and_errored_beside(tmp_path: Path) -> None:
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", LINES)])
    matrix = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "a refusal or an error is neither" in matrix
    assert "exact 20%" in matrix and "accepted 40%" in matrix  # of 5 run: 1 exact pass; 2 passes (the refusal counts in neither)
    assert "5 of 6 run · 1 skipped · 1 errored · 1 refused" in matrix


def test_a_line_that_breaks_the_schema_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    bad = report(tmp_path / "bad.jsonl", [LINES[0], {**LINES[1], "status": "maybe"}])
    with pytest.raises(ReportError, match=r"bad\.jsonl:3: status does not follow the report-line schema: 'maybe' is not one of"):
        build_site(tmp_path / "site", [bad])
    assert not (tmp_path / "site").exists()


def test_a_report_without_its_metadata_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(LINES[0]) + "\n", encoding="utf-8")
    with pytest.raises(ReportError, match="first line must be the run's metadata"):
        build_site(tmp_path / "site", [path])


def test_the_cli_reports_a_bad_report_on_one_line_with_exit_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    assert main(["report", "--html", str(tmp_path / "site"), str(path)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"sigvec report: error: {path}:1: not JSON (Expecting value)"]


def test_every_text_from_a_report_is_html_escaped(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>&\"'"
    diff = {"stage": "wire.url", "expected": "a<b", "actual": hostile, "at": 0}
    lines = [verdict(4, "fail", message=hostile, diagnosis=hostile, diff=diff, known_failure={"reason": hostile})]
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", lines, name=hostile, version=hostile)])
    for name, text in pages(tmp_path / "site").items():
        assert "<script" not in text, name
    run_page = next(text for name, text in pages(tmp_path / "site").items() if name.startswith("runs/"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#x27;" in run_page


def test_only_http_urls_from_a_report_become_links(tmp_path: Path) -> None:
    lines = [verdict(4, "fail", known_failure={"reason": "r", "issue": "javascript:alert(1)"}),
             verdict(5, "fail", known_failure={"reason": "r", "issue": "https://github.com/o/r/issues/1"})]
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", lines)])
    run_page = (tmp_path / "site" / "runs" / "democlient-1.0.0.html").read_text(encoding="utf-8")
    assert 'href="javascript' not in run_page and "<dd>javascript:alert(1)</dd>" in run_page
    assert '<a href="https://github.com/o/r/issues/1" rel="noreferrer">' in run_page


def test_every_link_inside_the_site_is_relative(tmp_path: Path) -> None:
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", LINES)])
    for name, text in pages(tmp_path / "site").items():
        for href in re.findall(r'(?:href|src)="([^"]*)"', text):
            assert not href.startswith(("/", "file:")), (name, href)


def test_a_failure_s_bug_class_is_the_flags_its_line_carries_or_what_stands_in() -> None:
    lines = [*LINES, verdict(7, "fail", diagnosis="no known bug class"), verdict(8, "fail", flags=["JsonBody"], diagnosis="x")]
    run = read_report("".join(json.dumps(line) + "\n" for line in [metadata(), *lines]), "r")
    classes = {v.id: v.bug_classes for v in run.verdicts if v.bug_classes}
    assert classes == {"mexc-spot-v3-0004": ("SpaceEncoding",), "mexc-spot-v3-0005": (ERRORED_CLASS,),
                       "mexc-spot-v3-0007": (UNDIAGNOSED_CLASS,), "mexc-spot-v3-0008": ("JsonBody",)}


def test_a_flag_cited_only_in_the_diagnosis_text_is_not_read_back_out_of_it() -> None:
    lines = [verdict(4, "fail", diagnosis="space as %20 (flag SpaceEncoding; see vector x-0001)")]
    run = read_report("".join(json.dumps(line) + "\n" for line in [metadata(), *lines]), "r")
    assert run.verdicts[0].bug_classes == (UNDIAGNOSED_CLASS,)


def test_each_bug_class_has_a_page_listing_the_clients_that_have_it(tmp_path: Path) -> None:
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", LINES)])
    page = (tmp_path / "site" / "classes" / "SpaceEncoding.html").read_text(encoding="utf-8")
    assert 'href="../runs/democlient-1.0.0.html#d-mexc-spot-v3-0004">mexc-spot-v3-0004</a>' in page


def test_a_stage_diff_marks_the_differing_part_of_each_differing_line() -> None:
    expected = "Content-Type: application/json\nsign: 40e8\ntimestamp: 1"
    actual = "Content-Type: \nsign: 6b61\ntimestamp: 1"
    e_spans, a_spans = differing_spans(expected, actual)
    assert [expected[a:b] for a, b in e_spans] == ["application/json", "40e8"]
    assert [actual[a:b] for a, b in a_spans] == ["", "6b61"]


def test_a_line_only_one_side_has_is_marked_whole() -> None:
    e_spans, a_spans = differing_spans("a: 1\nb: 2\n", "a: 1\n")
    assert (e_spans, a_spans) == ([(5, 10)], [(5, 5)])


def test_of_two_reports_of_one_release_the_one_started_last_is_shown(tmp_path: Path) -> None:
    old = report(tmp_path / "old.jsonl", [verdict(1, "fail")], started="2026-12-01T10:00:00Z")
    new = report(tmp_path / "new.jsonl", [verdict(1, "pass", exact=True, accepted=True)], started="2026-12-02T10:00:00Z")
    build_site(tmp_path / "site", [new, old])
    assert "exact 100%" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_history_names_the_first_release_where_a_vector_regresses(tmp_path: Path) -> None:
    releases = {"1.0.0": "pass", "1.2.0": "pass", "1.10.0": "errored", "1.11.0": "errored"}
    paths = [report(tmp_path / f"{v}.jsonl", [verdict(1, status, accepted=True), verdict(2, "pass")], version=v)
             for v, status in releases.items()]
    build_site(tmp_path / "site", list(reversed(paths)))
    history = (tmp_path / "site" / "history.html").read_text(encoding="utf-8")
    assert "democlient (1.0.0, 1.2.0, 1.10.0, 1.11.0)" in history
    assert "First bad release <strong>1.10.0</strong>: 1 vectors" in history
    assert 'from here (<a href="vectors/mexc-spot-v3-0001.html">mexc-spot-v3-0001</a>)' in history
    assert "<td>1.10.0 (regression)</td>" in history
    assert "1 vectors have the same verdict in every release." in history


def test_the_committed_history_shows_bitunix_first_breaking_in_0_1_1(tmp_path: Path) -> None:
    """docs/history holds real gate runs of published releases (tools/history.py): bitunix 0.1.0 signs its GET
    requests, 0.1.1 crashes on every GET with parameters."""
    build_site(tmp_path / "site", sorted((REPO / "docs" / "history").glob("*/*.jsonl")))
    history = (tmp_path / "site" / "history.html").read_text(encoding="utf-8")
    section = history[history.index('id="client-bitunix"') : history.index('id="client-coinex.py"')]
    assert "First bad release <strong>0.1.1</strong>" in section
    assert "First bad release <strong>1.3.1</strong>" in history[history.index('id="client-pymexc"') :]


def test_the_cli_writes_the_matrix_history_and_a_page_per_run_vector_and_class(tmp_path: Path) -> None:
    assert main(["report", "--html", str(tmp_path / "site"), str(report(tmp_path / "r.jsonl", LINES))]) == 0
    written = set(pages(tmp_path / "site"))
    assert {"index.html", "history.html", "vectors/index.html", "classes/index.html", "runs/democlient-1.0.0.html"} <= written
    assert {f"vectors/mexc-spot-v3-{n:04d}.html" for n in range(1, 7)} <= written
    assert (tmp_path / "site" / "style.css").is_file()


def test_a_run_page_lists_each_failing_vector_with_its_reason_and_upstream_issue(tmp_path: Path) -> None:
    known = {"reason": "signs sorted pairs, not the JSON body", "issue": "https://github.com/o/r/issues/1"}
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", [*LINES, verdict(7, "fail", known_failure=known)])])
    run_page = (tmp_path / "site" / "runs" / "democlient-1.0.0.html").read_text(encoding="utf-8")
    glance = run_page[run_page.index("<caption>Failing vectors</caption>") : run_page.index("</table>")]
    assert [int(n) for n in re.findall(r'href="#d-mexc-spot-v3-(\d+)"', glance)] == [4, 5, 7]
    assert "<td>signs sorted pairs, not the JSON body</td>" in glance and "https://github.com/o/r/issues/1</a>" in glance


def test_a_vector_page_shows_which_clients_pass_and_fail_it_and_why(tmp_path: Path) -> None:
    failing = report(tmp_path / "a.jsonl", [LINES[3]], name="alpha")
    passing = report(tmp_path / "b.jsonl", [verdict(4, "pass", exact=True, accepted=True)], name="beta")
    build_site(tmp_path / "site", [failing, passing])
    page = (tmp_path / "site" / "vectors" / "mexc-spot-v3-0004.html").read_text(encoding="utf-8")
    alpha, beta = page.index(">alpha 1.0.0</a>"), page.index(">beta 1.0.0</a>")
    assert 'class="status bad">fail<' in page[alpha:beta] and "space as %20 (flag SpaceEncoding" in page[alpha:beta]
    assert 'class="status ok">pass (exact)<' in page[beta:]


def test_the_navigation_marks_the_page_the_reader_is_on(tmp_path: Path) -> None:
    build_site(tmp_path / "site", [report(tmp_path / "r.jsonl", LINES)])
    for name, label in (("index.html", "Matrix"), ("history.html", "History"), ("vectors/index.html", "Vectors")):
        nav = re.search(r"<nav.*?</nav>", (tmp_path / "site" / name).read_text(encoding="utf-8"))
        assert nav is not None and re.findall(r'<a aria-current="page" href="[^"]*">([^<]*)</a>', nav.group()) == [label]
