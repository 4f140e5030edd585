"""The pytest plugin, as a client author meets it: one test per applicable vector, named by its ID."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from tests.support.corpus import REPO, vectors_of

pytest_plugins = ["pytester"]

SIGNER = '''
from sigvec.codec import wire_to_mapping
from signing.model import request_from_mapping
from signing.registry import sign

SIGVEC_IMPLEMENTATION = {"name": "mysigner", "language": "python", "schemes": ["max-v2"]}


def sign_for_sigvec(data):
    signed = sign(request_from_mapping(data))
    return {"wire": wire_to_mapping(signed.wire), "stages": signed.stages.to_mapping()}


def garbled(data):
    wire = sign_for_sigvec(data)["wire"]
    signature = wire["headers"]["X-MAX-SIGNATURE"]
    return {**wire, "headers": {**wire["headers"], "X-MAX-SIGNATURE": signature[:-1] + ("1" if signature[-1] == "0" else "0")}}
'''
MAX_VECTORS = len(vectors_of("max-v2"))
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
"""Plugins the inner runs do without: hypothesis's terminal summary alone costs seconds per run."""
NO_FUZZ = "--sigvec-fuzz-examples=0"
"""For the tests of the corpus items: no sigvec_fuzz test."""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(mysigner=SIGNER)
    return pytester


def configured(project: pytest.Pytester, signer: str, known: str | None = None) -> pytest.Pytester:
    lines = ["[pytest]", f"sigvec_signer = mysigner:{signer}"] + ([f"sigvec_known_failures = {known}"] if known else [])
    project.makeini("\n".join(lines) + "\n")
    return project


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    plugins = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert plugins.get("sigvec") == "sigvec.pytest_plugin"


def test_each_applicable_vector_is_one_test_named_by_its_id(project: pytest.Pytester) -> None:
    result = configured(project, "sign_for_sigvec").runpytest("-v", NO_FUZZ, *QUIET)
    result.assert_outcomes(passed=MAX_VECTORS)
    result.stdout.fnmatch_lines(["sigvec::max-v2-0001 PASSED*", "sigvec::max-v2-0012 PASSED*"])


def test_a_failing_vector_shows_the_verdict_and_the_stage_diff(project: pytest.Pytester) -> None:
    result = configured(project, "garbled").runpytest("-k", "max-v2-0001", NO_FUZZ, *QUIET)
    result.assert_outcomes(failed=1, deselected=MAX_VECTORS - 1)
    result.stdout.fnmatch_lines(["max-v2-0001 (max-v2, valid): fail", "*rejects it with*", "wire.headers differs at character *"])


def test_a_failing_vectors_message_carries_its_diagnosis(project: pytest.Pytester) -> None:
    result = configured(project, "garbled").runpytest("-k", "max-v2-0001", NO_FUZZ, *QUIET)
    result.stdout.fnmatch_lines(["*diagnosis: your client's signature differs in one character from the one MAX computes*"])


def test_known_failures_are_strict_xfail(project: pytest.Pytester) -> None:
    project.makefile(".yaml", known="max-v2-0001: {reason: garbled}\nmax-v2-0002: {reason: garbled}\n")
    selected = "max-v2-0001 or max-v2-0002 or max-v2-0003"
    garbled = configured(project, "garbled", "known.yaml").runpytest("-k", selected, NO_FUZZ, *QUIET)
    garbled.assert_outcomes(xfailed=2, failed=1, deselected=MAX_VECTORS - 3)
    correct = configured(project, "sign_for_sigvec", "known.yaml").runpytest(NO_FUZZ, *QUIET)
    correct.assert_outcomes(failed=2, passed=MAX_VECTORS - 2)
    correct.stdout.fnmatch_lines(["*XPASS(strict)*garbled*"])


def test_a_configured_known_failures_file_that_does_not_exist_yet_expects_no_failure(project: pytest.Pytester) -> None:
    result = configured(project, "sign_for_sigvec", "sigvec-known-failures.yaml").runpytest(NO_FUZZ, *QUIET)
    result.assert_outcomes(passed=MAX_VECTORS)
    result.stdout.fnmatch_lines(["sigvec: no known-failures file at *sigvec-known-failures.yaml: no vector is expected to fail"])


def test_the_command_line_option_names_the_signer_without_an_ini(project: pytest.Pytester) -> None:
    project.runpytest("--sigvec-signer", "mysigner:sign_for_sigvec", NO_FUZZ, *QUIET).assert_outcomes(passed=MAX_VECTORS)


def test_a_fuzz_test_per_declared_scheme_passes_a_conforming_signer(project: pytest.Pytester) -> None:
    result = configured(project, "sign_for_sigvec").runpytest("-v", "-k", "sigvec_fuzz", "--sigvec-fuzz-examples=30", *QUIET)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*sigvec_fuzz::max-v2 PASSED*"])


def test_a_fuzz_failure_shows_its_minimal_input_its_diagnosis_and_the_seed(project: pytest.Pytester) -> None:
    result = configured(project, "garbled").runpytest("-k", "sigvec_fuzz", "--sigvec-fuzz-examples=30", *QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*minimal input:*", "*diagnosis:*", "*replay with sigvec fuzz --seed *"])


def test_a_fuzz_failure_a_listed_known_failure_already_shows_is_an_xfail(project: pytest.Pytester) -> None:
    project.makefile(".yaml", known="max-v2-0013: {reason: flips the signature's last digit}\n")
    result = configured(project, "garbled", "known.yaml").runpytest("-k", "sigvec_fuzz", "--sigvec-fuzz-examples=30", *QUIET)
    result.assert_outcomes(xfailed=1)


def test_without_a_signer_the_plugin_adds_no_tests(project: pytest.Pytester) -> None:
    assert project.runpytest(*QUIET).ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_signer_that_cannot_be_imported_is_a_usage_error(project: pytest.Pytester) -> None:
    result = configured(project, "missing").runpytest(*QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*sigvec: --python: 'mysigner' has no function 'missing'*"])


def test_the_installed_plugin_loads_itself_in_a_fresh_interpreter(project: pytest.Pytester) -> None:
    configured(project, "sign_for_sigvec").runpytest_subprocess(NO_FUZZ, *QUIET).assert_outcomes(passed=MAX_VECTORS)


def test_an_unused_plugin_does_not_import_the_gate() -> None:
    code = "import sys, sigvec.pytest_plugin; print(sorted(m for m in sys.modules if m.startswith(('sigvec.gate', 'signing'))))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


SERVER_TEST = """
import http.client
from urllib.parse import urlsplit


def test_a_request_reaches_the_server(sigvec_server):
    base = urlsplit(sigvec_server.base_url("max-v2"))
    assert (base.hostname, base.path) == ("127.0.0.1", "/max-v2")
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    connection.request("GET", base.path + "/api/v2/members/me.json?nonce=1")
    response = connection.getresponse()
    response.read()
    (arrival,) = sigvec_server.drain()
    assert (arrival.scheme, arrival.received.target) == ("max-v2", "/api/v2/members/me.json?nonce=1")
    assert response.status == arrival.status == arrival.verdict.rejection.http_status
"""


def test_the_plugin_offers_the_sigvec_server_fixture_without_a_signer(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_client=SERVER_TEST)
    pytester.runpytest(*QUIET).assert_outcomes(passed=1)


def test_the_sigvec_server_fixture_comes_from_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_client=SERVER_TEST)
    result = pytester.runpytest("-p", "no:sigvec", *QUIET)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'sigvec_server' not found*"])


def test_an_unused_plugin_does_not_load_the_server() -> None:
    code = "import sys, sigvec.pytest_plugin; print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'sigvec.serve.'))))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded == "['sigvec.serve.fixture']\n"


def test_the_plugin_runs_the_corpus_named_by_sigvec_vectors(project: pytest.Pytester) -> None:
    root = project.path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    for path in root.rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("max-v2-0", "max-v2-9"), encoding="utf-8")
    result = configured(project, "garbled").runpytest("-v", "--sigvec-vectors", str(root), NO_FUZZ, *QUIET)
    assert sum(result.parseoutcomes().get(kind, 0) for kind in ("passed", "failed")) == MAX_VECTORS
    result.stdout.fnmatch_lines(["sigvec::max-v2-9001 FAILED*", "*diagnosis:*see vector max-v2-9*"])
    result.stdout.no_fnmatch_line("*max-v2-0[0-9][0-9][0-9]*")
