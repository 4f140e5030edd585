"""Bad input never gives a traceback: exit 2 and one line naming the field (issue: a new user's trial)."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from sigvec.cli import main
from tests.support.corpus import REPO, vector_named


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: bytes = b""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def spot_input(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(dict(vector_named("mexc-spot-v3-0003").input)))
    return {**data, **changes}


def max_input(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(dict(vector_named("max-v2-0011").input)))
    return {**data, **changes}


def with_nested_body(depth: int) -> bytes:
    """MAX input whose JSON body is `depth` objects deep (built as text: json.dumps itself recurses)."""
    text = json.dumps(max_input(body={"json": "PLACEHOLDER"}))
    return text.replace('"PLACEHOLDER"', '{"a": ' * depth + '"x"' + "}" * depth).encode()


SIGN_CASES: list[tuple[str, bytes, str]] = [
    ("invalid-utf8", b'{"scheme": "\xff"}', "input: not UTF-8"),
    ("lone-surrogate", json.dumps(spot_input(path="/api/v3/\ud800")).encode(), "path: holds a lone surrogate"),
    ("body-1000-deep", with_nested_body(1000), "body: is nested deeper than 64 levels"),
    ("int-5000-digits", b'{"timestamp": ' + b"9" * 5000 + b"}", "input: a number has too many digits"),
    ("json-100000-deep", b"[" * 100_000 + b"]" * 100_000, "input: nested too deeply"),
    ("yaml-self-alias", b"a: &a [*a]\n", "input: not valid JSON or YAML: aliases"),
    ("yaml-alias-bomb", b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n", "aliases"),
    ("yaml-duplicate-key", b"scheme: mexc-spot-v3\nscheme: max-v2\n", "duplicate key 'scheme'"),
    ("json-text-huge-exponent", json.dumps(max_input(body={"json_text": '{"a": 1e999999999}'})).encode(), "body.json_text"),
    ("method-patch", json.dumps(spot_input(method="PATCH")).encode(), "method: must be one of GET, POST, PUT, DELETE"),
    ("negative-timestamp", json.dumps(spot_input(timestamp=-1)).encode(), "timestamp: must not be negative"),
]


@pytest.mark.parametrize(("stdin", "says"), [pytest.param(stdin, says, id=name) for name, stdin, says in SIGN_CASES])
def test_sign_refuses_bad_input_with_exit_2_and_one_line(
    stdin: bytes, says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, ["sign"], stdin)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert says in err and "Traceback" not in err


def test_sigvec_vectors_pointing_at_a_missing_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIGVEC_VECTORS", str(tmp_path / "missing"))
    code, _, err = run(monkeypatch, capsys, ["check"])
    assert code == 2 and "is not a folder" in err


@pytest.mark.parametrize("command", ["check", "lint", "vectors"])
@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("flags.yaml", b"- DocExample\n", "flags.yaml: must be a mapping"),
        ("mexc/junk.yaml", b"\x00\xff\xfe binary", "mexc/junk.yaml: not UTF-8"),
        ("schema.json", b'{"type": 12}', "schema.json: not a valid JSON Schema"),
        ("schema.json", b"{not json", "schema.json: not valid JSON"),
    ],
    ids=["list-flags", "binary-yaml", "invalid-schema", "broken-schema-json"],
)
def test_a_broken_corpus_exits_2_or_lints_one_line_per_problem(
    command: str,
    name: str,
    content: bytes,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    (root / name).write_bytes(content)
    code, out, err = run(monkeypatch, capsys, [command, "--vectors", str(root)])
    assert "Traceback" not in out + err
    if code == 1:
        assert command == "lint" and says in out
    else:
        assert code == 2 and says in err and err.count("\n") == 1


def test_a_corpus_without_flags_yaml_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    (root / "flags.yaml").unlink()
    code, _, err = run(monkeypatch, capsys, ["check", "--vectors", str(root)])
    assert code == 2 and "flags.yaml: missing" in err


def test_check_reports_a_verifier_crash_on_a_vector_as_a_failure_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    futures = root / "mexc" / "futures.yaml"
    vector = vector_named("mexc-futures-v1-0007")
    stamp = vector.expected["wire"]["headers"]["Request-Time"]
    text = futures.read_text(encoding="utf-8")
    marker = "- id: mexc-futures-v1-0007"
    head, tail = text.split(marker, 1)
    futures.write_text(head + marker + tail.replace(f'Request-Time: "{stamp}"', 'Request-Time: "\u00b2"', 1), encoding="utf-8")
    code, out, err = run(monkeypatch, capsys, ["check", "--vectors", str(root)])
    assert "Traceback" not in out + err
    assert code == 1 and "FAIL mexc-futures-v1-0007" in out
