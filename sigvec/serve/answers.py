"""What the mock exchange answers to an accepted request, read from the data files in `answers/`.

Each file names the schemes it answers for, the success body of each endpoint
it knows (method and paths) and the exchange's own not-found answer. Adding an
exchange adds a file; nothing here knows any exchange.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from signing.encoding import compact_json


@dataclass(frozen=True)
class Reply:
    """An HTTP status and the exact JSON body text."""

    status: int
    body: str


@dataclass(frozen=True)
class SchemeAnswers:
    """One scheme's success answers by (method, path), and its not-found answer."""

    routes: Mapping[tuple[str, str], Reply]
    not_found: Reply

    def for_accepted(self, method: str, path: str) -> Reply:
        """The success body of the endpoint, or the exchange's not-found answer when it is not one the mock knows."""
        return self.routes.get((method, path), self.not_found)


def answer_from(data: Mapping[str, Any]) -> Reply:
    return Reply(int(data.get("status", 200)), compact_json(data["body"]))


def scheme_answers_from(data: Mapping[str, Any]) -> SchemeAnswers:
    routes = {
        (route["method"], path): answer_from(route)
        for route in data.get("routes", [])
        for path in route["paths"]
    }
    return SchemeAnswers(routes, answer_from(data["not_found"]))


def load_answers() -> dict[str, SchemeAnswers]:
    """Every scheme's answers, from the packaged `answers/*.yaml` files."""
    answers: dict[str, SchemeAnswers] = {}
    for entry in sorted(resources.files("sigvec.serve").joinpath("answers").iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            for scheme in data["schemes"]:
                answers[scheme] = scheme_answers_from(data)
    return answers
