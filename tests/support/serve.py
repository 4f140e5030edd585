"""The mock exchange from a test: `sigvec serve` as a process, and three real HTTP clients sending one wire request
to it (requests, httpx and curl)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import requests

from signing.http import HttpRequest
from tests.support.tools import require_tool


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    diagnosis: str | None


Sender = Callable[[str, HttpRequest], Reply]


def send_requests(base_url: str, received: HttpRequest) -> Reply:
    """requests, with the prepared URL set to the exact target (requests would otherwise re-quote it)."""
    with requests.Session() as session:
        prepared = session.prepare_request(
            requests.Request(received.method, base_url, headers=dict(received.headers), data=received.body or None)
        )
        prepared.url = base_url + received.origin
        response = session.send(prepared, timeout=10)
        return Reply(response.status_code, response.text, response.headers.get("X-Sigvec-Diagnosis"))


def send_httpx(base_url: str, received: HttpRequest) -> Reply:
    with httpx.Client(timeout=10) as client:
        response = client.request(
            received.method, base_url + received.origin, headers=list(received.headers), content=received.body or None
        )
        return Reply(response.status_code, response.text, response.headers.get("X-Sigvec-Diagnosis"))


def send_curl(base_url: str, received: HttpRequest) -> Reply:
    """curl with the target as given (`--path-as-is`, `--globoff`), each header, and the body bytes from stdin."""
    command = [require_tool("curl"), "-sS", "--path-as-is", "--globoff", "-X", received.method, "-o", "-",
               "-D", "/dev/stderr", "-w", "\n%{http_code}"]
    for name, value in received.headers:
        command += ["-H", f"{name}: {value}"]
    if received.body:
        command += ["--data-binary", "@-"]
    command.append(base_url + received.origin)
    done = subprocess.run(command, input=received.body, capture_output=True, timeout=20, check=True)
    body, _, status = done.stdout.decode("utf-8").rpartition("\n")
    head = [line.partition(":") for line in done.stderr.decode("latin-1").splitlines()]
    diagnosis = next((value.strip() for name, _, value in head if name.lower() == "x-sigvec-diagnosis"), None)
    return Reply(int(status), body, diagnosis)


SENDERS: dict[str, Sender] = {"requests": send_requests, "httpx": send_httpx, "curl": send_curl}


def start(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """The server process and its printed base address (it listens on a free port)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sigvec.cli", "serve", "--port", "0", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("sigvec serve: listening on "), first + (process.stderr.read() if process.stderr else "")
    return process, first.rsplit(" ", 1)[1].strip()
