"""JUnit XML: one testsuite per scheme, one testcase per vector, named by its ID.

Unexpected failures are `<failure>`, errors `<error>`; skipped vectors and
known failures are `<skipped>`; a known failure that passes is a `<failure>`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sigvec.gate.results import GateRun, VectorVerdict
from sigvec.reports.escape import xml_text


def _outcome(verdict: VectorVerdict) -> tuple[str, str] | None:
    """The child element (tag, message) a testcase gets, or None for a plain pass."""
    expectation = verdict.expectation
    if expectation == "unexpected-pass":
        return "failure", "a known failure now passes: remove it from the known-failures file"
    if expectation == "known":
        return "skipped", f"known failure: {verdict.known_failure.reason if verdict.known_failure else ''}"
    if verdict.status == "fail":
        return "failure", verdict.message
    if verdict.status == "errored":
        return "error", verdict.message
    if verdict.status == "skipped":
        return "skipped", verdict.message
    return None


def render(run: GateRun) -> str:
    total = run.total()
    suites = ET.Element("testsuites", name=xml_text(f"sigvec gate: {run.implementation.name}"), tests=str(total.vectors))
    failures = errors = skipped = 0
    for scheme, tally in run.by_scheme().items():
        suite = ET.SubElement(suites, "testsuite", name=scheme, tests=str(tally.vectors), timestamp=run.started[:19])
        counts = {"failure": 0, "error": 0, "skipped": 0}
        for verdict in (v for v in run.verdicts if v.scheme == scheme):
            case = ET.SubElement(suite, "testcase", name=verdict.id, classname=f"sigvec.{scheme}")
            outcome = _outcome(verdict)
            if outcome is not None:
                tag, message = outcome
                counts[tag] += 1
                child = ET.SubElement(case, tag, message=xml_text(message))
                if tag != "skipped":
                    child.text = xml_text("\n".join(verdict.explanation()))
            if verdict.stderr:
                ET.SubElement(case, "system-err").text = xml_text(verdict.stderr)
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", str(counts["skipped"]))
        failures, errors, skipped = failures + counts["failure"], errors + counts["error"], skipped + counts["skipped"]
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    suites.set("skipped", str(skipped))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
