"""The mock exchange's state: the request clock read where each scheme carries it, keys, answers from data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.http import MAX_CLOCK_DIGITS, HttpRequest
from signing.registry import SCHEMES
from signing.server import clock_value
from sigvec.serve.answers import load_answers
from sigvec.serve.service import settings_from
from sigvec.serve.state import Clock, ServeError, clock_from_text, corpus_keys, key_stores
from tests.support.corpus import repo_corpus


def test_the_request_clock_reads_a_header_carrier() -> None:
    received = HttpRequest("GET", "/v2/spot/order", headers=(("X-COINEX-TIMESTAMP", "1700000000123"),))
    assert Clock("request").now_ms(received, "coinex-v2") == 1700000000123


def test_the_request_clock_reads_a_param_carrier_from_the_query_or_the_form_body() -> None:
    in_query = HttpRequest("GET", "/api/v3/account?recvWindow=5000&timestamp=1700000000001")
    in_body = HttpRequest("POST", "/api/v3/order", body=b"symbol=BTCUSDT&timestamp=1700000000002")
    assert Clock("request").now_ms(in_query, "mexc-spot-v3") == 1700000000001
    assert Clock("request").now_ms(in_body, "mexc-spot-v3") == 1700000000002


def test_the_request_clock_reads_a_payload_carrier_from_the_json_body() -> None:
    received = HttpRequest("POST", "/api/v2/orders", body=b'{"market":"btctwd","nonce":1700000000003}')
    assert Clock("request").now_ms(received, "max-v2") == 1700000000003


def test_the_request_clock_falls_back_to_real_time_when_the_request_carries_no_whole_number() -> None:
    received = HttpRequest("GET", "/api/v3/account?timestamp=17e11")
    assert Clock("request").now_ms(received, "mexc-spot-v3") > 1_700_000_000_000


def test_a_fixed_clock_ignores_the_request() -> None:
    received = HttpRequest("GET", "/api/v3/account?timestamp=1")
    assert clock_from_text("fixed:1700000000000").now_ms(received, "mexc-spot-v3") == 1700000000000


@pytest.mark.parametrize("text", ["fixed:", "fixed:-1", "fixed:1.5", "now", "FIXED:1"])
def test_a_clock_setting_other_than_real_request_or_fixed_ms_is_refused(text: str) -> None:
    with pytest.raises(ServeError, match=r"^--clock: "):
        clock_from_text(text)


def test_a_key_file_key_is_known_to_every_scheme_with_its_secret_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("mine: {secret_env: SIGVEC_SERVE_SECRET}\n", encoding="utf-8")
    monkeypatch.setenv("SIGVEC_SERVE_SECRET", "s3")
    stores = key_stores(corpus_keys(repo_corpus()), settings_from("127.0.0.1", 0, path, "real", False, {}, None).keys)
    assert all(stores[scheme].secret("mine") == "s3" for scheme in SCHEMES)


def test_the_corpus_test_keys_are_known_to_their_scheme_only() -> None:
    stores = key_stores(corpus_keys(repo_corpus()), {})
    assert stores["mexc-spot-v3"].secret("mx0aBYs33eIilxBWC5") is not None
    assert stores["max-v2"].secret("mx0aBYs33eIilxBWC5") is None


def test_a_key_file_naming_an_unset_variable_is_refused_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("mine: {secret_env: SIGVEC_SERVE_UNSET}\n", encoding="utf-8")
    monkeypatch.delenv("SIGVEC_SERVE_UNSET", raising=False)
    with pytest.raises(ServeError, match=r"^SIGVEC_SERVE_UNSET: the environment variable holding the secret is unset or empty$"):
        settings_from("127.0.0.1", 0, path, "real", False, {}, None)


def test_a_key_file_mapping_schemes_to_secrets_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("max-v2: {k: s}\n", encoding="utf-8")
    with pytest.raises(ServeError, match=r"^--keys: entry 1: must be API key: \{secret_env: VARIABLE\}, nothing else$"):
        settings_from("127.0.0.1", 0, path, "real", False, {}, None)


def test_every_scheme_has_answers_and_a_not_found_shape() -> None:
    answers = load_answers()
    assert set(answers) == set(SCHEMES)
    assert all(answer.not_found.status == 404 for answer in answers.values())


@pytest.mark.parametrize(
    ("scheme", "method", "path"),
    [("max-v2", "GET", "/api/v2/members/me"), ("peatio-v2", "GET", "/api/v2/members/me"),
     ("mexc-spot-v3", "POST", "/api/v3/order"), ("mexc-spot-v3", "DELETE", "/api/v3/order"),
     ("mexc-spot-v3", "GET", "/api/v3/account"), ("coinex-v2", "POST", "/v2/spot/order"),
     ("coinex-v2", "POST", "/v2/spot/cancel-order"), ("coinex-v2", "GET", "/v2/assets/spot/balance"),
     ("bitunix", "POST", "/api/v1/futures/trade/place_order"), ("max-v2", "POST", "/api/v2/orders")],
)
def test_order_cancel_balance_and_members_me_have_success_bodies(scheme: str, method: str, path: str) -> None:
    answers = load_answers()[scheme]
    assert answers.for_accepted(method, path) != answers.not_found


@pytest.mark.parametrize(("port", "scheme_ports"), [(-1, False), (65536, False), (65530, True)])
def test_a_port_outside_the_tcp_range_is_refused(port: int, scheme_ports: bool) -> None:
    with pytest.raises(ServeError, match=r"^--port: must be 0 \(any free port\) or a port up to "):
        settings_from("127.0.0.1", port, None, "real", scheme_ports, {}, None)


def test_the_request_clock_reads_no_more_digits_than_a_verifier_does() -> None:
    """One limit, `MAX_CLOCK_DIGITS`: a clock the verifiers refuse is no clock for the mock server either."""
    longest = "1" * MAX_CLOCK_DIGITS
    assert clock_value(longest) is not None and clock_value(longest + "0") is None
    at_limit = HttpRequest("GET", f"/api/v3/account?timestamp={longest}")
    past_it = HttpRequest("GET", f"/api/v3/account?timestamp={longest}0")
    assert Clock("request").now_ms(at_limit, "mexc-spot-v3") == int(longest)
    assert Clock("request").now_ms(past_it, "mexc-spot-v3") < 10**MAX_CLOCK_DIGITS
