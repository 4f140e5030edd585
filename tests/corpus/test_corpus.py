"""The corpus, run against the reference (one test per vector, so a failure names it), and the loader's rules."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from signing.model import SigningError
from signing.registry import SCHEMES, sign
from sigvec.check import check_vector, context_for
from sigvec.codec import wire_to_mapping
from sigvec.corpus import Corpus, CorpusError, Vector, load_corpus, read_corpus
from sigvec.lint import lint
from tests.support.corpus import REPO, edited, repo_vectors, vector_named, vector_param


@pytest.mark.parametrize("vector", [vector_param(vector) for vector in repo_vectors()])
def test_reference_and_verifier_agree_with_the_vector(vector: Vector) -> None:
    assert check_vector(vector).problems == []


def test_corpus_passes_lint(corpus: Corpus) -> None:
    assert lint(corpus) == []


def test_the_vector_schema_is_a_valid_json_schema_2020_12(corpus: Corpus) -> None:
    Draft202012Validator.check_schema(corpus.schema)
    assert corpus.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_flag_in_use_is_defined_and_every_defined_flag_is_used(corpus: Corpus) -> None:
    used = {flag for vector in corpus.vectors() for flag in vector.flags}
    assert used <= set(corpus.flags)
    assert set(corpus.flags) <= used


def reference_sends_expected_wire(vector: Vector) -> bool:
    """Does a correct client, given this input, send exactly `expected.wire` (or refuse the input)?"""
    try:
        own = sign(vector.request)
    except SigningError:
        return True
    return wire_to_mapping(own.wire) == wire_to_mapping(vector.expected_signed.wire)


def test_the_request_fault_vectors_are_exactly_those_a_correct_client_sends_as_recorded(corpus: Corpus) -> None:
    invalid = [vector for vector in corpus.vectors() if vector.result == "invalid"]
    request_faults = {vector.id for vector in invalid if vector.contract.fault == "request"}
    assert request_faults == {vector.id for vector in invalid if reference_sends_expected_wire(vector)}
    assert {"bitunix-0002", "mexc-spot-v3-0019", "mexc-spot-v3-0020"} <= request_faults
    assert {vector.contract.fault for vector in invalid} == {"client", "request"}


def test_options_yaml_declares_exactly_the_registry_options(corpus: Corpus) -> None:
    written = {
        scheme: {name: (list(option["values"]), option["default"]) for name, option in options.items()}
        for scheme, options in corpus.options.items()
    }
    declared = {
        scheme.name: {option.name: (list(option.values), option.default) for option in scheme.options}
        for scheme in SCHEMES.values()
        if scheme.options
    }
    assert written == declared


def test_every_acceptable_vector_names_its_alternatives_or_the_server_outcomes(corpus: Corpus) -> None:
    for vector in corpus.vectors():
        if vector.result == "acceptable":
            assert vector.contract.alternatives or vector.contract.server_outcomes, vector.id


def test_the_option_of_a_group_selects_one_member_per_value() -> None:
    group = [vector_named(member) for member in vector_named("max-v2-0006").contract.alternatives.members]  # type: ignore[union-attr]
    assert [member.contract.option_value("json") for member in group] == ["compact", "python", "sorted"]


def corpus_copy(tmp_path: Path) -> Path:
    root = tmp_path / "vectors"
    shutil.copytree(REPO / "vectors", root)
    return root


def test_lint_refuses_a_valid_vector_that_needs_a_non_default_option_outside_a_group(tmp_path: Path) -> None:
    group = "  alternatives: {option: query_encoding, members: [coinex-v2-0008, coinex-v2-0009]}\n"
    root = edited(edited(corpus_copy(tmp_path), "coinex/v2.yaml", group, ""), "coinex/v2.yaml", group, "")
    problems = lint(read_corpus(root))
    assert any("coinex-v2-0009: a valid vector needs the non-default option query_encoding=percent" in p for p in problems)


def test_lint_refuses_a_group_whose_members_disagree(tmp_path: Path) -> None:
    three, two = "members: [max-v2-0005, max-v2-0006, max-v2-0007]", "members: [max-v2-0005, max-v2-0006]"
    root = edited(corpus_copy(tmp_path), "max/max.yaml", three, two)
    assert any("max-v2-0005: alternatives: member max-v2-0006 must list the same group" in p for p in lint(read_corpus(root)))


def test_lint_refuses_an_options_yaml_that_differs_from_the_registry(tmp_path: Path) -> None:
    root = edited(corpus_copy(tmp_path), "options.yaml", "default: compact", "default: sorted")
    assert "options.yaml: max-v2: differs from the registry's options (signing/registry.py)" in lint(read_corpus(root))


def test_lint_catches_a_comment_that_truncates_an_unquoted_value(tmp_path: Path) -> None:
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", "description: Doc example 2,", "description: Doc example 2 #and 3,")
    problems = lint(read_corpus(root))
    assert any(p.startswith("mexc/spot.yaml: line ") and "quote the value" in p for p in problems)


def test_lint_refuses_signed_with_on_a_vector_whose_fault_is_not_the_client(tmp_path: Path) -> None:
    valid = "  result: valid\n"
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", valid, valid + '  signed_with: {secret_suffix: " "}\n')
    problems = lint(read_corpus(root))
    assert any("mexc-spot-v3-0001: signed_with: only a client-fault vector" in p for p in problems)


def test_lint_refuses_a_swapped_hmac_on_a_signature_that_is_no_hmac(tmp_path: Path) -> None:
    swapped = "- id: mexc-spot-v3-0037\n"
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", swapped, swapped + "  algorithm: {name: sha256}\n")
    problems = lint(read_corpus(root))
    assert any("mexc-spot-v3-0037: signed_with.hmac: only an hmac-sha256 signature" in p for p in problems)


def test_an_invalid_vector_without_fault_breaks_the_schema(tmp_path: Path) -> None:
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", "  fault: client\n", "")
    with pytest.raises(CorpusError, match=r"mexc/spot.yaml: vectors\[3\]"):
        load_corpus(root)


def test_the_loader_refuses_yaml_aliases(tmp_path: Path) -> None:
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", "flags: [DocExample]\n", "flags: &a [*a]\n")
    with pytest.raises(CorpusError, match=r"mexc/spot.yaml: aliases"):
        load_corpus(root)


def test_the_loader_refuses_duplicate_keys(tmp_path: Path) -> None:
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", "  result: valid\n", "  result: valid\n  result: invalid\n")
    with pytest.raises(CorpusError, match=r"mexc/spot.yaml: duplicate key 'result' at line"):
        load_corpus(root)


def test_the_loader_refuses_a_binary_file(tmp_path: Path) -> None:
    root = corpus_copy(tmp_path)
    (root / "mexc" / "blob.yaml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CorpusError, match=r"mexc/blob.yaml: not UTF-8 text"):
        load_corpus(root)


def test_the_loader_refuses_a_missing_flags_file(tmp_path: Path) -> None:
    root = corpus_copy(tmp_path)
    (root / "flags.yaml").unlink()
    with pytest.raises(CorpusError, match=r"flags.yaml: missing"):
        load_corpus(root)


def test_the_loader_refuses_a_list_shaped_flags_file(tmp_path: Path) -> None:
    root = corpus_copy(tmp_path)
    (root / "flags.yaml").write_text("- DocExample\n")
    with pytest.raises(CorpusError, match=r"flags.yaml: must be a mapping"):
        load_corpus(root)


def test_the_loader_refuses_an_invalid_schema(tmp_path: Path) -> None:
    root = corpus_copy(tmp_path)
    (root / "schema.json").write_text('{"type": 5}')
    with pytest.raises(CorpusError, match=r"schema.json: not a valid JSON Schema"):
        load_corpus(root)


def test_the_loader_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"is not a folder"):
        load_corpus(tmp_path / "nowhere")


def test_a_schema_error_never_quotes_the_offending_value(tmp_path: Path) -> None:
    root = edited(corpus_copy(tmp_path), "mexc/spot.yaml", "secret: 45d0b3c26f2644f19bfb98b07741b2f5}", "secret: 987654321987}")
    with pytest.raises(CorpusError) as raised:
        load_corpus(root)
    assert "987654321987" not in str(raised.value)
    assert "credentials.secret" in str(raised.value)


def test_server_state_seen_nonces_are_already_used_when_the_request_arrives(tmp_path: Path) -> None:
    root = edited(
        corpus_copy(tmp_path),
        "max/max.yaml",
        "  result: valid\n",
        '  result: valid\n  server_state: {seen_nonces: ["1700000000000"]}\n',
    )
    vector = load_corpus(root).by_id()["max-v2-0001"]
    context = context_for(vector, 1700000000000)
    assert context.replay is not None
    assert context.replay.record("xxx", "1700000000000", 1700000000000, 10_000) == "seen"
    assert context.replay.record("xxx", "1700000000001", 1700000000000, 10_000) == "new"


def test_a_client_must_match_the_group_member_its_declared_option_selects(corpus: Corpus) -> None:
    by_id = corpus.by_id()
    python_style = by_id["max-v2-0006"].contract
    assert python_style.targets(by_id, {"json": "sorted"}) == ([by_id["max-v2-0006"], by_id["max-v2-0007"]], by_id["max-v2-0007"])
    assert python_style.targets(by_id, {})[1] == by_id["max-v2-0005"]
    ungrouped = by_id["mexc-spot-v3-0002"]
    assert ungrouped.contract.targets(by_id, {"json": "sorted"}) == ([ungrouped], ungrouped)


def test_a_member_that_names_no_option_value_is_selected_only_by_the_scheme_default(corpus: Corpus) -> None:
    compact = vector_named("max-v2-0005")
    unnamed = dataclasses.replace(compact, data={**compact.data, "input": {**compact.input, "options": {}}})
    by_id = {**corpus.by_id(), unnamed.id: unnamed}
    python_style = by_id["max-v2-0006"].contract
    assert [v.id for v in python_style.targets(by_id, {"json": "sorted"})[0]] == ["max-v2-0006", "max-v2-0007"]
    assert [v.id for v in python_style.targets(by_id, {"json": "compact"})[0]] == ["max-v2-0006", "max-v2-0005"]


def test_an_acceptable_vector_without_server_outcomes_must_be_accepted_in_the_default_reading() -> None:
    default_reading = vector_named("coinex-v2-0014").contract
    assert default_reading.expected_outcomes == default_reading.client_outcomes == ("accept",)
    assert not default_reading.allows(4006)


def test_the_reference_server_says_nothing_about_a_reading_it_does_not_follow() -> None:
    other_reading = vector_named("coinex-v2-0015").contract
    assert other_reading.expected_outcomes is None
    assert other_reading.client_outcomes == ("accept",)


def test_a_vector_whose_wire_headers_are_pairs_breaks_the_one_wire_form(tmp_path: Path) -> None:
    root = corpus_copy(tmp_path)
    text = (root / "max" / "max.yaml").read_text(encoding="utf-8")
    mapping = next(line for line in text.splitlines() if line.strip().startswith("headers: {"))
    edited(root, "max/max.yaml", mapping, "      headers: [[X-MAX-ACCESSKEY, xxx]]")
    problems = lint(read_corpus(root))
    assert 'max/max.yaml: vectors[0].expected.wire.headers: must satisfy type "object"' in problems


def test_the_wire_form_of_a_vector_is_the_one_wire_schema(corpus: Corpus) -> None:
    assert corpus.wire_schema is not None
    assert corpus.schema["$defs"]["wire"]["allOf"][0] == {"$ref": corpus.wire_schema["$id"]}


def test_the_corpus_builds_its_vectors_once_so_each_input_is_parsed_once(corpus: Corpus) -> None:
    first, again = corpus.vectors(), corpus.vectors()
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert corpus.by_id()[first[0].id].request is first[0].request
