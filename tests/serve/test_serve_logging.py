"""`sigvec serve` logs one line per request that goes wrong, and a traceback only for a real server error."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sigvec.serve import MockExchange, Settings
from tests.support.serve import start

MALFORMED = b"GET /max-v2/api/v2/members/me HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
SLOW_BODY = b"POST /max-v2/api/v2/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"


@pytest.fixture
def server() -> Iterator[MockExchange]:
    with MockExchange(Settings(body_timeout=0.3, idle_timeout=2.0)) as running:
        yield running


def exchange_raw(port: int, data: bytes) -> bytes:
    """Send `data` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def serve_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith("sigvec.serve")]


def test_a_malformed_request_is_one_warning_line_without_a_traceback(
    server: MockExchange, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sigvec.serve")
    assert exchange_raw(server.service.port, MALFORMED).startswith(b"HTTP/1.0 400 ")
    time.sleep(0.2)
    (record,) = serve_records(caplog)
    assert (record.levelname, record.exc_info) == ("WARNING", None)
    assert record.getMessage().startswith("- - - -> 400: malformed HTTP from 127.0.0.1: Invalid character in Content-Length")


def test_a_body_too_slow_is_one_warning_line_naming_method_path_and_reason(
    server: MockExchange, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sigvec.serve")
    assert exchange_raw(server.service.port, SLOW_BODY).startswith(b"HTTP/1.1 408 ")
    time.sleep(0.8)
    (record,) = serve_records(caplog)
    assert (record.levelname, record.exc_info) == ("WARNING", None)
    assert record.getMessage().startswith('max-v2 POST /api/v2/orders -> 408: {"sigvec":"request body not received in time"')


def test_a_rejected_request_is_one_info_line_with_its_code_and_step(
    server: MockExchange, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sigvec.serve")
    requests.get(server.base_url("max-v2") + "/api/v2/members/me?\x1b", timeout=5)
    (record,) = serve_records(caplog)
    assert record.levelname == "INFO"
    assert record.getMessage() == "max-v2 GET /api/v2/members/me?%1B -> 401: 2001 at request: authorization failed"


def test_the_log_level_flag_chooses_what_sigvec_serve_writes_to_stderr(tmp_path: Path) -> None:
    stderr = {}
    for level in ("warning", "error"):
        process, address = start(tmp_path, "--log-level", level)
        try:
            exchange_raw(int(address.rsplit(":", 1)[1]), MALFORMED)
            requests.get(f"{address}/nowhere", timeout=5)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        assert process.stderr is not None
        stderr[level] = process.stderr.read()
    assert stderr["warning"].splitlines()[:2] == [
        "sigvec serve: WARNING - - - -> 400: malformed HTTP from 127.0.0.1: Invalid character in Content-Length:",
        'sigvec serve: WARNING - GET /nowhere -> 404: {"sigvec":"no scheme named by the first path segment",'
        '"schemes":["mexc-spot-v3","mexc-futures-v1","coinex-v2","coinex-v2-sha256-legacy","coinex-v1",'
        '"coinex-perpetual-v1","bitunix","max-v2","peatio-v2"]}',
    ]
    assert "Traceback" not in stderr["warning"]
    assert stderr["error"] == "sigvec serve: stopped\n"


def test_an_unknown_log_level_is_bad_usage() -> None:
    done = subprocess.run([sys.executable, "-m", "sigvec.cli", "serve", "--log-level", "loud"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "--log-level" in done.stderr
