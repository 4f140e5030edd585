"""`sigvec.strategies`: the documented example works in a client's own Hypothesis tests, the inputs cover every
cell of each scheme's table (character class x placement x method) by construction, and the seeded source
`sigvec fuzz` searches with builds the very input Hypothesis builds from the same choices."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes

from signing.model import SigningError, request_from_mapping
from signing.registry import SCHEMES, scheme_named, sign
from sigvec import strategies
from sigvec.fuzz.oracle import reference_case
from sigvec.fuzz.runner import database_key, input_seed, replayable
from sigvec.fuzz.strategies import PIECES, SeededChoices, build_input
from tests.support import planted_clients

FIXED = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
SEARCH = settings(FIXED, max_examples=2000, phases=[Phase.generate])


@FIXED
@given(strategies.inputs("mexc-spot-v3"))
def test_the_documented_example_passes_a_conforming_client(vector_input: dict[str, object]) -> None:
    verdict = strategies.judge(vector_input, planted_clients.conforming(vector_input))
    assert verdict.passed, "\n".join(verdict.explanation())


def test_the_documented_example_fails_a_client_that_writes_a_space_as_plus() -> None:
    @FIXED
    @given(strategies.inputs("mexc-spot-v3"))
    def client_test(vector_input: dict[str, object]) -> None:
        verdict = strategies.judge(vector_input, planted_clients.space_as_plus(vector_input))
        assert verdict.passed, "\n".join(verdict.explanation())

    with pytest.raises(AssertionError, match="700002"):
        client_test()


def test_an_input_the_reference_refuses_is_skipped_with_the_reason() -> None:
    text = '{"note":"€"}'
    vector_input = {
        "scheme": "coinex-v2", "credentials": {"api_key": "k", "secret": "s"}, "method": "POST",
        "path": "/v2/spot/order", "body": {"json_text": text}, "timestamp": 1700000000000,
    }
    verdict = strategies.judge(vector_input, {"method": "POST", "url": "https://x", "headers": {}, "body": text})
    assert verdict.status == "skipped" and "latin-1" in verdict.message


def test_every_character_class_is_among_the_pieces_of_every_value() -> None:
    assert all(text in PIECES for texts in strategies.CHARACTER_CLASSES.values() for text in texts if text)
    assert find(strategies.values(), lambda value: value == "") == ""


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_placement_of_every_route_carries_drawn_values(scheme: str) -> None:
    """With the test above, every cell of the table is drawn by construction: each part of each placement of each
    route carries values, and every value may hold any class."""
    for route in scheme_named(scheme).surface.routes:
        for placement in route.placements:
            parts = placement.split("+")

            def carries_values(vector_input: dict[str, object], method: str = route.method, parts: list[str] = parts) -> bool:
                return vector_input["method"] == method and all(
                    any(cell[1] == part for cell in strategies.cells_of(vector_input)) for part in parts
                )

            assert find(strategies.inputs(scheme), carries_values, settings=SEARCH)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_the_reference_accepts_its_own_request_for_nearly_every_generated_input(scheme: str) -> None:
    judged: list[bool] = []

    @settings(FIXED, max_examples=200)
    @given(strategies.inputs(scheme))
    def draw(vector_input: dict[str, object]) -> None:
        case = reference_case(vector_input)
        judged.append(case.vector is not None and case.vector.result == "valid")

    draw()
    assert sum(judged) >= 0.9 * len(judged)


def test_a_drawn_input_is_a_vector_input_the_reference_reads() -> None:
    @FIXED
    @given(strategies.inputs("peatio-v2"))
    def draw(vector_input: dict[str, object]) -> None:
        try:
            sign(request_from_mapping(vector_input))
        except SigningError as refused:
            assert refused.field.startswith("params.")  # only a key in both query and form, which Rack cannot carry

    draw()


def replayed(scheme: str, choices: list[int | bool]) -> dict[str, object]:
    """The input the public strategy builds from `choices`, saved and replayed as `sigvec fuzz` hands Hypothesis a
    failure: under the scheme's database key, in the reuse phase."""
    database = InMemoryExampleDatabase()
    database.save(database_key(scheme), choices_to_bytes(choices))
    drawn: list[dict[str, object]] = []

    @settings(database=database, phases=[Phase.reuse], deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategies.inputs(scheme))
    def replay(vector_input: dict[str, object]) -> None:
        drawn.append(vector_input)

    replayable(replay, 0, scheme)
    replay()
    return drawn[0]


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_the_seeded_source_and_hypothesis_build_the_same_input_from_the_same_choices(scheme: str) -> None:
    for seed in range(60):
        source = SeededChoices(seed)
        built = build_input(source, scheme)
        assert replayed(scheme, source.made) == built, seed


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_the_inputs_of_a_run_cover_every_cell_of_the_table(scheme: str) -> None:
    """`sigvec fuzz` draws every cell by construction with its seeded source too: 2,000 inputs of one run cover them."""
    inputs = [build_input(SeededChoices(input_seed(1, scheme, index)), scheme) for index in range(2000)]
    assert strategies.table(scheme) <= set().union(*(strategies.cells_of(vector_input) for vector_input in inputs))
