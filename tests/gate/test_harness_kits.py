"""The harness kits: `sigvec.harness` for Python and the Node kit shipped as package data, which say the same things."""

from __future__ import annotations

import json
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from sigvec import Refused, Skipped
from sigvec.cli import main
from sigvec.gate.protocol import start_command
from sigvec.harness import kit_text, loopback_base, node_kit, query_params
from sigvec.harness.inputs import QUERY_ONLY_FORM
from tests.support.corpus import REPO
from tests.support.tools import missing, require_tool

FORM_VECTOR = {"method": "POST", "path": "/api/v3/order", "query": [["symbol", "BTCUSDT"]], "body": {"form": [["side", "BUY"]]}}
QUERY_VECTOR = {"method": "GET", "path": "/api/v3/account", "query": [["recvWindow", "5000"], ["timestamp", "1700000000000"]]}


def node_eval(tmp_path: Path, script: str) -> str:
    """Run `script` as an ES module beside the kit written by `sigvec kit node`; its stdout."""
    (tmp_path / "sigvec-kit.mjs").write_text(node_kit(), encoding="utf-8")
    (tmp_path / "probe.mjs").write_text(script, encoding="utf-8")
    done = subprocess.run([require_tool("node"), "probe.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_sigvec_kit_node_prints_the_kit_shipped_in_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kit", "node"]) == 0
    assert capsys.readouterr().out == node_kit() == (REPO / "sigvec" / "harness" / "kit.mjs").read_text(encoding="utf-8")


def test_the_kits_refusal_and_skip_are_sigvecs_own() -> None:
    import sigvec.harness as kit

    assert (kit.Refused, kit.Skipped) == (Refused, Skipped)


def test_a_query_string_client_skips_a_form_body_vector_in_python() -> None:
    with pytest.raises(Skipped, match=QUERY_ONLY_FORM):
        query_params(FORM_VECTOR, None)


def test_a_query_string_client_gets_the_query_without_the_clock_it_adds_itself() -> None:
    assert query_params(QUERY_VECTOR, "timestamp") == [("recvWindow", "5000")]


def test_the_node_kit_applies_the_same_form_body_rule_with_the_same_words(tmp_path: Path) -> None:
    script = f"""
import {{ queryParams, Skipped }} from "./sigvec-kit.mjs";
try {{ queryParams({json.dumps(FORM_VECTOR)}); }} catch (error) {{ console.log(error instanceof Skipped, error.message); }}
console.log(JSON.stringify(queryParams({json.dumps(QUERY_VECTOR)}, "timestamp")));
"""
    assert node_eval(tmp_path, script) == f"true {QUERY_ONLY_FORM}\n" + '[["recvWindow","5000"]]\n'


@pytest.mark.parametrize("url", ["http://127.0.0.1:41873/", "http://localhost:8080", "http://[::1]:9000"])
def test_both_kits_accept_a_loopback_base_url_without_its_trailing_slash(url: str, tmp_path: Path) -> None:
    script = f'import {{ loopbackBase }} from "./sigvec-kit.mjs";\nconsole.log(loopbackBase({{ base_url: "{url}" }}));\n'
    assert node_eval(tmp_path, script) == loopback_base({"base_url": url}) + "\n" == url.rstrip("/") + "\n"


def test_both_kits_refuse_a_base_url_that_is_not_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a loopback address"):
        loopback_base({"base_url": "https://api.mexc.com"})
    script = """
import { loopbackBase } from "./sigvec-kit.mjs";
try { loopbackBase({ base_url: "https://api.mexc.com" }); } catch (error) { console.log(error.message); }
"""
    assert "is not a loopback address" in node_eval(tmp_path, script)


def node_start_reply(tmp_path: Path, command: dict[str, object], pipeline: int | None) -> dict[str, object]:
    """The Node kit's reply to one start command, from a harness that passes `pipeline` (or none) to `serve`."""
    (tmp_path / "sigvec-kit.mjs").write_text(node_kit(), encoding="utf-8")
    options = "" if pipeline is None else f", {{ pipeline: {pipeline} }}"
    serve = f"await serve({json.dumps(IMPLEMENTATION)}, async () => ({{}}){options});"
    script = f'import {{ serve }} from "./sigvec-kit.mjs";\n{serve}\n'
    (tmp_path / "harness.mjs").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [require_tool("node"), "harness.mjs"],
        cwd=tmp_path,
        input=json.dumps(command) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    reply: dict[str, object] = json.loads(done.stdout)
    return reply


IMPLEMENTATION = {"name": "x", "language": "javascript", "schemes": ["mexc-spot-v3"]}


@pytest.mark.parametrize(
    ("command", "pipeline", "expected"),
    [
        (start_command(), 64, {"version": 2, "implementation": IMPLEMENTATION, "pipeline": 64}),
        ({"cmd": "start", "version": 1}, 64, {"version": 1, "implementation": IMPLEMENTATION}),
        (start_command(), None, {"version": 1, "implementation": IMPLEMENTATION}),
    ],
    ids=["offered-and-declared", "not-offered", "not-declared"],
)
def test_the_node_kit_declares_a_pipeline_only_to_a_gate_that_speaks_version_2(
    tmp_path: Path, command: dict[str, object], pipeline: int | None, expected: dict[str, object]
) -> None:
    assert node_start_reply(tmp_path, command, pipeline) == expected


def test_an_unknown_kit_language_is_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["kit", "cobol"])
    assert exit_info.value.code == 2 and "invalid choice: 'cobol'" in capsys.readouterr().err


def built(pattern: str) -> Path:
    """The release file tools/build-release wrote into dist/ (missing: a failure in CI, a skip elsewhere)."""
    found = sorted((REPO / "dist").glob(pattern))
    if not found:
        missing(f"no dist/{pattern}: tools/build-release builds the release")
    return found[-1]


def test_the_built_wheel_carries_the_corpus_the_schemas_and_both_kits() -> None:
    wheel = built("sigvec-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = {f"sigvec_vectors/{path.relative_to(REPO / 'vectors').as_posix()}" for path in (REPO / "vectors").rglob("*.*")}
    schemas = {f"sigvec/{path.relative_to(REPO / 'sigvec').as_posix()}" for path in (REPO / "sigvec").rglob("schemas/*.json")}
    assert corpus and schemas and corpus | schemas <= names
    assert {"sigvec/harness/kit.mjs", "sigvec/harness/__init__.py", "sigvec/action.py"} <= names
    assert kit_text("node") == zipfile.ZipFile(wheel).read("sigvec/harness/kit.mjs").decode()


def test_the_built_sdist_carries_the_corpus_the_schemas_and_both_kits() -> None:
    with tarfile.open(built("sigvec-*.tar.gz")) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    kit = REPO / "sigvec" / "harness" / "kit.mjs"
    tracked = [*(REPO / "vectors").rglob("*.*"), *(REPO / "sigvec").rglob("schemas/*.json"), kit]
    assert {path.relative_to(REPO).as_posix() for path in tracked} <= names
