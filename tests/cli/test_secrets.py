"""A canary secret pushed through every command and error path appears in no output, not even in part.

The one exception is `sigvec vectors`, whose purpose is to export the corpus
as written, declared test credentials included.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from signing.registry import SCHEMES
from sigvec.cli import main
from tests.support.corpus import REPO, repo_vectors, vector_named

CANARY = "CaNaRy7f3e9QXZ"
NUMERIC_CANARY = "918273645546372819"
LEGACY_SECRET = "B51068CF10B34E7789C374AB932696A05E0A629BE7BFC62F"


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str = "") -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8", "surrogatepass")), encoding="utf-8"))
    main(argv)
    captured = capsys.readouterr()
    return captured.out + captured.err


def pieces(secret: str, size: int = 6) -> list[str]:
    """Every run of `size` characters of the secret: no part of it may show."""
    return [secret[index : index + size] for index in range(len(secret) - size + 1)]


def assert_absent(secret: str, output: str) -> None:
    leaked = [piece for piece in pieces(secret) if piece in output]
    assert leaked == [], f"parts of the secret leaked: {leaked}"


def one_input_per_scheme() -> list[Any]:
    chosen: dict[str, Any] = {}
    for vector in repo_vectors():
        if vector.result != "invalid":
            chosen.setdefault(vector.scheme, vector)
    return [pytest.param(vector, id=name) for name, vector in chosen.items()]


def with_secret(vector_input: Any, secret: object) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(dict(vector_input)))
    data["credentials"]["secret"] = secret
    return data


@pytest.mark.parametrize("vector", one_input_per_scheme())
def test_sign_prints_no_part_of_the_secret(
    vector: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_absent(CANARY, run(monkeypatch, capsys, ["sign"], json.dumps(with_secret(vector.input, CANARY))))


def test_every_scheme_is_covered_by_the_sign_canary() -> None:
    assert {param.id for param in one_input_per_scheme()} == set(SCHEMES)


@pytest.mark.parametrize(
    "secret",
    [CANARY + "\u2603", int(NUMERIC_CANARY), [CANARY], CANARY + "\ud800"],
    ids=["not-latin-1", "number", "list", "lone-surrogate"],
)
def test_sign_errors_about_the_secret_quote_no_part_of_it(
    secret: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = run(monkeypatch, capsys, ["sign"], json.dumps(with_secret(vector_named("coinex-v2-0001").input, secret)))
    assert "error" in output
    assert_absent(CANARY, output)
    assert_absent(NUMERIC_CANARY, output)


def test_a_sign_error_elsewhere_quotes_no_part_of_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = with_secret(vector_named("coinex-v1-0002").input, CANARY)
    data["query"][0][1] = 1.5
    output = run(monkeypatch, capsys, ["sign"], json.dumps(data))
    assert "float" in output
    assert_absent(CANARY, output)


def canary_corpus(tmp_path: Path) -> Path:
    """A corpus whose coinex-v1 vectors use the canary secret, with one string to sign broken so check fails on it."""
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    legacy = root / "coinex" / "v1.yaml"
    text = legacy.read_text(encoding="utf-8").replace(LEGACY_SECRET, CANARY)
    broken = f"\n    string_to_sign: access_id=4DA36FFC61334695A66F8D29020EB589&tonce=1513746038205&secret_key={CANARY}"
    assert broken in text
    legacy.write_text(text.replace(broken, broken.replace("tonce=15", "tonce=95"), 1), encoding="utf-8")
    return root


@pytest.mark.parametrize("form", [[], ["--format", "json"]], ids=["text", "json"])
def test_check_reports_a_failing_secret_bearing_stage_without_the_secret(
    form: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = run(monkeypatch, capsys, ["check", *form, "--vectors", str(canary_corpus(tmp_path))])
    assert "coinex-v1-000" in output and "string_to_sign: expected" in output
    assert_absent(CANARY, output)


@pytest.mark.parametrize("command", ["check", "lint", "vectors"])
def test_a_schema_error_on_a_numeric_secret_quotes_no_part_of_it(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = canary_corpus(tmp_path)
    legacy = root / "coinex" / "v1.yaml"
    legacy.write_text(
        legacy.read_text(encoding="utf-8").replace(f"secret: {CANARY}", f"secret: {NUMERIC_CANARY}", 1), encoding="utf-8"
    )
    output = run(monkeypatch, capsys, [command, "--vectors", str(root)])
    assert "credentials.secret" in output
    assert_absent(NUMERIC_CANARY, output)


@pytest.mark.parametrize("tamper", [False, True], ids=["accepted", "rejected"])
def test_verify_prints_no_part_of_the_secret(
    tamper: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = vector_named("coinex-v1-0001")
    wire = dict(vector.expected["wire"])
    if tamper:
        wire["url"] = wire["url"].replace("tonce=1513746038205", "tonce=1513746038206")
    monkeypatch.setenv("SIGVEC_CANARY", CANARY)
    argv = [
        "verify",
        "--scheme",
        vector.scheme,
        "--api-key",
        vector.input["credentials"]["api_key"],
        "--secret-env",
        "SIGVEC_CANARY",
    ]
    assert_absent(CANARY, run(monkeypatch, capsys, argv, json.dumps(wire)))
