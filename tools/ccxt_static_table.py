"""Which sigvec vectors ccxt's own static request test would catch, and which it would wave through.

Run it with the ccxt client's interpreter on the output of
`sigvec vectors --format ccxt-static --out DIR`:

    clients/mexc-ccxt/.venv/bin/python tools/ccxt_static_table.py DIR

Within each exchange file, vectors with the same input (options aside) but a
different wire request are paired: a reference member (`valid` or
`acceptable`) plays ccxt's stored fixture, a known client bug (an `invalid`
vector whose fault is the client's) plays the request a client computed.
Each pair goes through `assert_static_request_output`, the comparison
shipped in the ccxt wheel (`ccxt/test/tests_sync.py`), exactly as ccxt's
static request test calls it. "caught" means it raised (ccxt's runner
counts any exception as a failed test); "waved through" means ccxt's test
would pass a client that sends the other member's bytes.

ccxt's test helpers refuse to load from `site-packages` (they expect a git
checkout) and read `sys.argv`; the script imports ccxt through a symlinked
path and an empty argv, so the shipped code runs unchanged.
"""

from __future__ import annotations

import json
import re
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REFERENCE_RESULTS = ("valid", "acceptable")
DESCRIPTION = re.compile(r"^(?P<id>\S+) \((?P<result>\w+)(, (?P<fault>\w+) fault)?\)")


@dataclass(frozen=True)
class Row:
    exchange: str
    vector: str
    fixture: str
    caught: bool
    message: str


def load_ccxt_comparison(scratch: Path) -> tuple[Any, Any]:
    """ccxt's test class (with its language set) and a base exchange, imported from the installed wheel."""
    link = scratch / "ccxt-wheel"
    link.symlink_to(sysconfig.get_paths()["purelib"])
    sys.path[:0] = [str(link), str(link / "ccxt" / "test")]
    argv, sys.argv = sys.argv, sys.argv[:1]
    try:
        import ccxt  # type: ignore[import-not-found]
        import tests_helpers  # type: ignore[import-not-found]
        from tests_sync import testMainClass  # type: ignore[import-not-found]
    finally:
        sys.argv = argv
    comparison = testMainClass()
    comparison.lang = tests_helpers.get_lang()
    return comparison, ccxt.Exchange()


def entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entry of a ccxt-static document, with its vector ID, result and input key."""
    found = []
    for method_entries in document["methods"].values():
        for entry in method_entries:
            match = DESCRIPTION.match(entry["description"])
            if match is None:
                raise SystemExit(f"{document['exchange']}: description {entry['description']!r} does not start with a vector ID")
            inputs = {key: value for key, value in entry["input"][0].items() if key != "options"}
            key = json.dumps(inputs, sort_keys=True)
            found.append({**entry, "id": match["id"], "result": match["result"], "fault": match["fault"], "key": key})
    return found


def pairs(found: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(fixture, computed) pairs: same input, different wire; the fixture a reference member (valid or acceptable),
    the computed request a known client bug (an invalid vector whose fault is the client's). Request-fault vectors
    (a stale clock, an unknown key) are left out: their bytes are a correct client's, rightly passed."""
    return [
        (fixture, computed)
        for fixture in found
        for computed in found
        if fixture["key"] == computed["key"]
        and (fixture["url"], fixture["output"]) != (computed["url"], computed["output"])
        and fixture["result"] in REFERENCE_RESULTS
        and computed["fault"] == "client"
    ]


def compare(comparison: Any, exchange: Any, document: dict[str, Any], fixture: dict[str, Any], computed: dict[str, Any]) -> Row:
    try:
        comparison.assert_static_request_output(
            exchange, document["outputType"], document["skipKeys"],
            fixture["url"], computed["url"], fixture["output"], computed["output"],
        )
    except Exception as error:  # ccxt's runner counts any exception from the comparison as a failed test
        message = str(error).split(" computed:")[0] if isinstance(error, AssertionError) else type(error).__name__
        return Row(document["exchange"], computed["id"], fixture["id"], True, message)
    return Row(document["exchange"], computed["id"], fixture["id"], False, "")


def table(folder: Path, comparison: Any, exchange: Any) -> list[Row]:
    rows = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for fixture, computed in pairs(entries(document)):
            rows.append(compare(comparison, exchange, document, fixture, computed))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: tools/ccxt_static_table.py DIR  (DIR from sigvec vectors --format ccxt-static --out DIR)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        comparison, exchange = load_ccxt_comparison(Path(scratch))
        rows = table(Path(argv[0]), comparison, exchange)
    print(f"{'vector':<30}{'stored fixture':<30}{'ccxt static test':<18}assertion")
    for row in rows:
        print(f"{row.vector:<30}{row.fixture:<30}{'caught' if row.caught else 'waved through':<18}{row.message}")
    caught = sum(row.caught for row in rows)
    waved = {row.vector for row in rows if not row.caught}
    bugs = {row.vector for row in rows}
    print(f"{len(rows)} pairs: {caught} caught, {len(rows) - caught} waved through")
    print(f"{len(bugs)} known client bugs: {len(bugs - waved)} caught against every fixture, {len(waved)} waved through")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
