"""Client history: gate reports of several published releases of some clients, kept as data under docs/history/.

    python tools/history.py                   # install every release below, run the gate, write docs/history/
    python tools/history.py --only bitunix-bitunix

Each release in `RELEASES` is installed from PyPI into `build/history/<folder>-<version>/` (a venv inside the
clone), with the pins of the client folder's `requirements.txt` and only the client's own pin changed to that
release: its dependencies stay the ones the pinned release is tested with. Then

    sigvec gate --harness "<venv>/bin/python clients/<folder>/harness.py" --json docs/history/<folder>/<version>.jsonl

runs it, with the folder's known-failures file for that release where there is one (`known-failures-<v>.yaml`,
or `known-failures.yaml` for the release `requirements.txt` pins), so the report carries the known reason and
upstream issue; other releases run without one, and their failures show the diagnosis only. A release's
verdicts differing from a known-failures file is what the history records, so the gate's exit code 1 is
expected here; only a missing report is an error. Paths inside the clone (in tracebacks) are written relative
to it. The site (`sigvec report --html`) reads these reports like any other and shows, per client, the first
release where each vector changed verdict.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RELEASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "mexc-pymexc": ("pymexc", ("1.3.0", "1.3.1")),
    "bitunix-bitunix": ("bitunix", ("0.1.0", "0.1.1", "0.1.2")),
    "coinex-coinex-py": ("coinex.py", ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4")),
}
"""Client folder -> (its PyPI package, the published releases to run, oldest first)."""


@dataclass(frozen=True)
class Release:
    folder: Path
    package: str
    version: str

    @property
    def label(self) -> str:
        return f"{self.folder.name}-{self.version}"

    def pins(self) -> str:
        """The folder's requirements with the client's own pin set to this release."""
        own = re.compile(rf"^{re.escape(self.package)}==\S+$", re.IGNORECASE | re.MULTILINE)
        base = (self.folder / "requirements.txt").read_text(encoding="utf-8")
        if not own.search(base):
            raise SystemExit(f"{self.folder / 'requirements.txt'}: no pin {self.package}==<version> to replace")
        return own.sub(f"{self.package}=={self.version}", base)

    def known_failures(self) -> Path | None:
        """The known-failures file written for this release, if any."""
        own = self.folder / f"known-failures-{self.version}.yaml"
        if own.is_file():
            return own
        pinned = f"{self.package}=={self.version}".lower()
        requirements = (self.folder / "requirements.txt").read_text(encoding="utf-8").lower().splitlines()
        return self.folder / "known-failures.yaml" if pinned in requirements else None


def releases(only: Sequence[str]) -> list[Release]:
    chosen = [folder for folder in RELEASES if not only or folder in only]
    unknown = sorted(set(only) - set(RELEASES))
    if unknown:
        raise SystemExit(f"--only: no history kept for {', '.join(unknown)} (known: {', '.join(RELEASES)})")
    found = []
    for folder in chosen:
        package, versions = RELEASES[folder]
        found += [Release(REPO / "clients" / folder, package, version) for version in versions]
    return found


def install(release: Release, venv: Path) -> None:
    """A venv with exactly the release's pins, from PyPI by name (kept as it is when its recorded pins are the
    same), and the harness kit from this checkout's built wheel (dist/, made by tools/build-release), as
    clients/pip-venv installs it."""
    wheels = sorted((REPO / "dist").glob("sigvec-*.whl"))
    if not wheels:
        raise SystemExit("tools/history.py: no sigvec wheel in dist/; run tools/build-release first")
    pins = release.pins()
    recorded = venv / "pins.txt"
    environment = os.environ | {"PIP_NO_CACHE_DIR": "1", "PIP_USER": "0", "PYTHONNOUSERSITE": "1"}
    pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "--no-deps"]
    if not ((venv / "bin" / "python").is_file() and recorded.is_file() and recorded.read_text(encoding="utf-8") == pins):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        requirements = venv / "requirements.txt"
        requirements.write_text(pins, encoding="utf-8")
        subprocess.run([*pip, "-r", str(requirements)], check=True, env=environment)
        recorded.write_text(pins, encoding="utf-8")
    subprocess.run([*pip, "--force-reinstall", str(wheels[-1])], check=True, env=environment)


def run_gate(release: Release, venv: Path, report: Path) -> None:
    harness = shlex.join([str(venv / "bin" / "python"), str(release.folder / "harness.py")])
    command = [sys.executable, "-m", "sigvec.cli", "gate", "--harness", harness, "--json", str(report)]
    known = release.known_failures()
    if known is not None:
        command += ["--known-failures", str(known)]
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if not report.is_file():
        raise SystemExit(f"{release.label}: the gate wrote no report (exit {done.returncode}): {done.stderr[-2000:]}")
    # Tracebacks name files by absolute path: keep the paths inside the clone relative to it, so the data does not
    # depend on where the clone was.
    report.write_text(report.read_text(encoding="utf-8").replace(f"{REPO}/", ""), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", action="append", default=[], metavar="FOLDER", help="only this client folder (repeatable)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "history", help="where the reports go")
    parser.add_argument("--venvs", type=Path, default=REPO / "build" / "history", help="where the releases are installed")
    args = parser.parse_args(argv)
    for release in releases(args.only):
        venv = args.venvs / release.label
        start = time.monotonic()
        install(release, venv)
        installed = time.monotonic()
        run_gate(release, venv, args.out / release.folder.name / f"{release.version}.jsonl")
        print(f"{release.label}: installed in {installed - start:.0f} s, gate run in {time.monotonic() - installed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
