"""The fuzzer's oracle: a finding's diagnosis is the gate's, searched from the input and then from the wire."""

from __future__ import annotations

from signing.http import HttpRequest
from sigvec.diagnose.examples import Examples
from sigvec.fuzz.oracle import diagnosis_of, reference_case
from tests.support.corpus import repo_vectors


def test_a_finding_is_diagnosed_from_the_wire_where_the_input_alone_names_no_class() -> None:
    # mexc-api-sdk 1.0.3, shrunk by `sigvec fuzz --seed 19`: its own timestamp appended last, and
    # `encodeURIComponent` signs and sends `symbol=*`; from the input, the moved order hides the encoder
    credentials = {"api_key": "mx0aBYs33eIilxBWC5", "secret": "45d0b3c26f2644f19bfb98b07741b2f5"}
    given = {"scheme": "mexc-spot-v3", "method": "GET", "path": "/api/v3/account", "timestamp": 1500000000000}
    case = reference_case({**given, "credentials": credentials, "query": [["timestamp", "1500000000000"], ["symbol", "*"]]})
    signature = "09de54508dd340f8ebbcdfa50cd22db9e7887dfd7bc3612b74bf2c4733177eb0"
    target = f"/api/v3/account?symbol=*&timestamp=1500000000000&signature={signature}"
    sent = HttpRequest.from_text("GET", target, (("X-MEXC-APIKEY", "mx0aBYs33eIilxBWC5"),))
    diagnosis = diagnosis_of(case, sent, Examples.of(repo_vectors()))
    assert ("encoder=encodeURIComponent",) in [match.classes for match in diagnosis.matches]
    assert "your client signed and sent `symbol=*`; MEXC expects `symbol=%2A`" in diagnosis.message
