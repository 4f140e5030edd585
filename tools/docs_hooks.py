"""MkDocs hooks for the documentation site (mkdocs.yml): the home page and the pictures, made at build time.

- The home page is the README, its `docs/` links made relative to the site.
- The pictures are real runs, never drawn by hand: `sigvec check` over the
  corpus, and `sigvec gate` on a client with a planted bug (it signs its
  parameters sorted and sends them as given), as the terminal shows them and as
  its Markdown step summary renders. Each run's output is drawn by rich's SVG
  export into `assets/`, where the pages show it.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.text import Text

REPO = Path(__file__).resolve().parents[1]
PLANTED_BUG = '''\
import hashlib, hmac
from urllib.parse import urlencode
from sigvec.harness import query_params

SIGVEC_IMPLEMENTATION = {"name": "my-client", "language": "python", "version": "0.3.0", "schemes": ["mexc-spot-v3"]}

def sign(data):
    pairs = query_params(data, None)
    signed = urlencode(sorted(pairs))  # the planted bug: signs the parameters sorted, sends them as given
    signature = hmac.new(data["credentials"]["secret"].encode(), signed.encode(), hashlib.sha256).hexdigest()
    url = f"https://api.mexc.com{data['path']}?{urlencode(pairs)}&signature={signature}"
    return {"method": data["method"], "url": url, "headers": {"X-MEXC-APIKEY": data["credentials"]["api_key"]}, "body": None}
'''
PICTURE_LINES = 24
"""The terminal pictures show the first lines of a run: the table and the first failures."""
SUMMARY_SECTIONS = 2
"""The Markdown picture shows the totals, the table and this many vectors that did not pass."""


def sigvec(*argv: str, cwd: Path) -> str:
    """The output of one real sigvec command, run by this Python (the one that has sigvec installed)."""
    done = subprocess.run([sys.executable, "-m", "sigvec", *argv], cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"sigvec {' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def svg(title: str, renderable: Text | Markdown) -> str:
    """The renderable drawn as a terminal window by rich's SVG export."""
    console = Console(record=True, width=120, file=io.StringIO(), force_terminal=True, color_system="truecolor")
    console.print(renderable)
    return console.export_svg(title=title)


def first_lines(text: str, count: int) -> str:
    lines = text.splitlines()
    return "\n".join(lines[:count] + (["..."] if len(lines) > count else []))


def first_sections(markdown: str, count: int) -> str:
    """The summary up to its `count`+1-th vector section (`#### `), the rest cut."""
    parts = markdown.split("\n#### ")
    return "\n#### ".join(parts[: count + 1]) + ("\n\n..." if len(parts) > count + 1 else "")


def pictures() -> dict[str, str]:
    """Every picture the pages show, by file name under assets/."""
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        (project / "my_signer.py").write_text(PLANTED_BUG, encoding="utf-8")
        check = sigvec("check", cwd=REPO)
        gate = sigvec("gate", "--python", "my_signer:sign", "--markdown", "summary.md", cwd=project)
        summary = (project / "summary.md").read_text(encoding="utf-8")
    return {
        "sigvec-check.svg": svg("sigvec check", Text(check)),
        "sigvec-gate.svg": svg("sigvec gate --python my_signer:sign", Text(first_lines(gate, PICTURE_LINES))),
        "sigvec-summary.svg": svg("the Markdown step summary", Markdown(first_sections(summary, SUMMARY_SECTIONS))),
    }


def home_page() -> str:
    """The README as the site's home page: its links into docs/ made relative to the site."""
    return (REPO / "README.md").read_text(encoding="utf-8").replace("](docs/", "](")


def on_files(files: Any, config: Any) -> Any:
    """Add the generated home page and pictures to the site's files."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, "index.md", content=home_page()))
    for name, picture in pictures().items():
        files.append(File.generated(config, f"assets/{name}", content=picture))
    return files
