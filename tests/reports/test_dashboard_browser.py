"""The conformance site in a real browser: Debian's headless chromium loads every page of a site built from the
committed history reports (real gate runs of published releases, tools/history.py) and one report whose texts are
hostile HTML, through tools/browser/check-site.mjs (playwright-core driving /usr/bin/chromium, axe-core injected
from the local file). Screenshots go to build/dashboard-screenshots/, which CI leaves in the clone."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sigvec.reports.site import build_site
from tests.support.corpus import REPO
from tests.support.tools import missing, require_tool

BROWSER = REPO / "tools" / "browser"
SHOTS = REPO / "build" / "dashboard-screenshots"
SHOT_PAGES = ("index.html", "runs/pymexc-1.3.0.html#d-mexc-futures-v1-0004", "history.html")
HOSTILE = "<img src=x onerror=console.error(1)><script>console.error(2)</script>"


def hostile_report(path: Path) -> Path:
    implementation = {"name": HOSTILE, "language": HOSTILE, "version": HOSTILE, "homepage": "https://example.invalid/",
                      "schemes": ["max-v2"]}
    lines = [
        {"sigvec_version": "0", "corpus": {"version": "0", "sha256": "0" * 64, "vectors": 1}, "started": "2026-12-01T00:00:00Z",
         "start_reply": {"version": 1, "implementation": implementation}},
        {"id": "max-v2-0001", "scheme": "max-v2", "result": "valid", "status": "fail", "exact": False, "accepted": False,
         "expectation": "unexpected", "message": HOSTILE, "diagnosis": HOSTILE,
         "diff": {"stage": HOSTILE, "expected": HOSTILE, "actual": HOSTILE + "!", "at": 0}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = require_tool("node")
    require_tool("chromium")
    if not (BROWSER / "node_modules" / "playwright-core").is_dir() or not (BROWSER / "node_modules" / "axe-core").is_dir():
        missing("tools/browser/node_modules is not installed (tools/install-test-tools installs it)")
    scratch = tmp_path_factory.mktemp("dashboard")
    site = scratch / "site"
    build_site(site, [*sorted((REPO / "docs" / "history").glob("*/*.jsonl")), hostile_report(scratch / "hostile.jsonl")])
    SHOTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [node, str(BROWSER / "check-site.mjs"), str(site), str(SHOTS), *SHOT_PAGES],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout)
    result["expected_pages"] = len(list(site.rglob("*.html")))
    return result


def test_every_generated_page_is_loaded(checked: dict[str, Any]) -> None:
    assert checked["pages"] == checked["expected_pages"] > 100


def test_no_page_logs_a_console_error_even_with_hostile_report_text(checked: dict[str, Any]) -> None:
    assert checked["console"] == []


def test_no_page_requests_anything_outside_the_site(checked: dict[str, Any]) -> None:
    assert (checked["outside"], checked["failed"]) == ([], [])


def test_no_link_or_fragment_inside_the_site_is_broken(checked: dict[str, Any]) -> None:
    assert checked["broken"] == []


def test_axe_finds_no_serious_or_critical_accessibility_violation(checked: dict[str, Any]) -> None:
    assert [v for v in checked["violations"] if v["impact"] in ("serious", "critical")] == []


def test_no_page_is_wider_than_a_phone_screen(checked: dict[str, Any]) -> None:
    assert checked["overflow"] == []


def test_the_first_tab_reaches_the_skip_link_which_leads_into_the_content(checked: dict[str, Any]) -> None:
    assert checked["focus"] == {"first": "Skip to content", "nextInMain": True}


def test_screenshots_are_taken_at_desktop_and_phone_width(checked: dict[str, Any]) -> None:
    taken = {(shot["page"], shot["label"]): Path(shot["path"]) for shot in checked["shots"]}
    assert set(taken) == {(page, label) for page in SHOT_PAGES for label in ("desktop", "phone")}
    for (_, label), path in taken.items():
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == ((1280, 900) if label == "desktop" else (390, 844))
