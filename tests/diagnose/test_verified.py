""" "Your request verifies": a request the verifier accepts, refused by the exchange, gets the code's documented
non-signing causes from the scheme's data file, each with its public source."""

from __future__ import annotations

import pytest

from signing.registry import SCHEMES
from sigvec.codec import wire_from_mapping
from sigvec.diagnose import diagnose
from sigvec.diagnose.verified import CAUSES_DIR, documented_codes
from tests.diagnose.test_diagnose import EXAMPLES, vector_context
from tests.support.corpus import repo_vectors

CAUSE_FILES = sorted(CAUSES_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", CAUSE_FILES, ids=[path.stem for path in CAUSE_FILES])
def test_every_causes_file_is_a_known_scheme_and_every_cause_names_a_public_source(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path) and path.stem in SCHEMES
    codes = documented_codes(path.stem)
    assert codes
    for code in codes.values():
        assert code.causes and all(cause.source.startswith("https://") for cause in code.causes)


def test_a_verified_request_refused_with_a_documented_code_lists_its_causes_and_sources() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0003")
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, "700006", examples=EXAMPLES)
    assert diagnosis.verdict.accepted and diagnosis.found
    assert diagnosis.message.startswith("your request verifies: its signature, clock and key are right")
    assert "IP allow-list (https://mexcdevelop.github.io/apidocs/spot_v3_en/ (Error Code))" in diagnosis.message


def test_a_verified_request_refused_with_an_undocumented_code_says_only_that_it_verifies() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "coinex-v2-0001")
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, "9999", examples=EXAMPLES)
    assert diagnosis.message.endswith("sigvec knows no documented cause of 9999 for coinex-v2")


def test_a_rejected_request_is_diagnosed_whatever_error_the_exchange_gave() -> None:
    vector = next(vector for vector in repo_vectors() if vector.id == "mexc-spot-v3-0004")
    request, context = vector_context(vector)
    diagnosis = diagnose(wire_from_mapping(vector.expected["wire"]), vector.scheme, context, request, "700006", examples=EXAMPLES)
    assert not diagnosis.verdict.accepted and diagnosis.matches[0].classes == ("StrayAmpersand",)
