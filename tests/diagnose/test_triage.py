"""`sigvec triage`: a real failing request, no vector; raw HTTP, a curl line, a HAR file or a cassette in; exit 0
diagnosed or verified, 1 no known deviation reproduces it, 2 bad input; the input's secrets are never echoed."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from sigvec.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "triage"
MEXC = ["--scheme", "mexc-spot-v3", "--api-key", "mx0aBYs33eIilxBWC5", "--secret-env", "SIGVEC_MEXC_SECRET"]
COINEX = ["--scheme", "coinex-v2", "--api-key", "TESTCOINEXACCESSID0001", "--secret-env", "SIGVEC_COINEX_SECRET"]
STRAY_SIGNATURE = "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
STRAY_BODY = f"quantity=1&price=11&recvWindow=5000&timestamp=1644489390087&signature={STRAY_SIGNATURE}"
STRAY_URL = "https://api.mexc.com/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT"
SECRETS = ("45d0b3c26f2644f19bfb98b07741b2f5", "TESTCOINEXSECRETKEY00000000000001")


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: bytes = b""
) -> tuple[int, str, str]:
    monkeypatch.setenv("SIGVEC_MEXC_SECRET", SECRETS[0])
    monkeypatch.setenv("SIGVEC_COINEX_SECRET", SECRETS[1])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(["triage", *argv])
    captured = capsys.readouterr()
    assert not any(secret in captured.out + captured.err for secret in SECRETS)
    return code, captured.out, captured.err


def test_a_har_file_gets_one_block_per_entry_and_a_verified_entry_its_documented_causes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, [str(FIXTURES / "mexc-spot.har"), *MEXC])
    first, second = out.strip().split("\n\n")
    assert code == 0
    assert first.startswith("entry 1: POST /api/v3/order: your client joins query and body with `&`")
    assert second.startswith("entry 2: POST /api/v3/order: your request verifies")
    assert "IP allow-list" in second and "https://mexcdevelop.github.io/apidocs/spot_v3_en/" in second


def test_the_har_files_key_signature_and_cookie_are_never_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for output in ("text", "json"):
        _, out, _ = run(monkeypatch, capsys, [str(FIXTURES / "mexc-spot.har"), *MEXC, "--format", output])
        for secret in ("mx0aBYs33eIilxBWC5", STRAY_SIGNATURE, "c00kie-value-never-echoed"):
            assert secret not in out


def test_a_cassette_gets_one_block_per_interaction_and_stays_as_it_was(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = FIXTURES / "coinex-v2.yaml"
    before = cassette.read_bytes()
    code, out, _ = run(monkeypatch, capsys, [str(cassette), *COINEX, "--format", "json"])
    blocks = json.loads(out)
    assert code == 0 and cassette.read_bytes() == before
    assert [block["request"] for block in blocks] == [
        "interaction 1: GET /v2/assets/withdraw",
        "interaction 2: GET /v2/spot/pending-order",
    ]
    assert blocks[0]["flags"] == ["ReservedCharEncoding"] and blocks[0]["matches"][0]["axes"] == {"sign_encoder": "raw"}
    assert blocks[1]["flags"] == ["HexCase"]
    assert blocks[0]["rejection"]["code"] == 4006


def test_a_curl_line_copied_from_a_browser_is_diagnosed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = (
        f"curl '{STRAY_URL}' \\\n  -H 'X-MEXC-APIKEY: mx0aBYs33eIilxBWC5' \\\n"
        f"  -H 'content-type: application/x-www-form-urlencoded' \\\n  -b 'session=abcdef' \\\n  --data-raw '{STRAY_BODY}'"
    )
    code, out, _ = run(monkeypatch, capsys, MEXC, line.encode())
    assert code == 0 and out.startswith("curl: your client joins query and body with `&`")


def test_the_request_lines_of_curl_verbose_are_diagnosed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = (
        "*   Trying 203.0.113.9:443...\n"
        "> GET /v2/spot/pending-order?market=BTCUSDT&market_type=SPOT HTTP/1.1\n"
        "> Host: api.coinex.com\n"
        "> X-COINEX-KEY: TESTCOINEXACCESSID0001\n"
        "> X-COINEX-SIGN: 424535540E91A16E406CBAB4C3D8B1AFBDA2893035CFD11C54C876F2D6108B73\n"
        "> X-COINEX-TIMESTAMP: 1700490703564\n"
        ">\n"
        "< HTTP/1.1 200 OK\n"
    )
    code, out, _ = run(monkeypatch, capsys, COINEX, trace.encode())
    assert code == 0 and "your client writes the signature in the other hex case" in out


def test_raw_http_with_the_error_given_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = STRAY_BODY.replace(STRAY_SIGNATURE, "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592")
    raw = (
        "POST /api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT HTTP/1.1\r\nHost: api.mexc.com\r\n"
        f"X-MEXC-APIKEY: mx0aBYs33eIilxBWC5\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n{signed}"
    )
    code, out, _ = run(monkeypatch, capsys, [*MEXC, "--error", "700007"], raw.encode())
    assert code == 0 and out.startswith("request: your request verifies") and "permission" in out


def test_a_signature_no_deviation_reproduces_exits_1_with_the_closest_stage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = STRAY_BODY.replace(STRAY_SIGNATURE, "0" * 64)
    line = f"curl -X POST '{STRAY_URL}' -H 'X-MEXC-APIKEY: mx0aBYs33eIilxBWC5' -d '{forged}'"
    code, out, _ = run(monkeypatch, capsys, MEXC, line.encode())
    assert code == 1 and "no known bug class reproduces this signature" in out
    assert "the request matches the reference up to its string_to_sign" in out


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        (b'{"log": {"entries": [{"request": {"method": "GET"}}]}}', "har.log.entries[1].request"),
        (b"interactions: []\n", "cassette.interactions"),
        (b"curl -H 'X-MEXC-APIKEY: k'", "curl"),
        (b"just some words\n", "input"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: bytes, field: str
) -> None:
    code, out, err = run(monkeypatch, capsys, MEXC, stdin)
    assert code == 2 and not out and err.count("\n") == 1 and f"error: {field}" in err and "Traceback" not in err
