"""The fuzzer's oracle: a finding's diagnosis is the gate's, searched from the input and then from the wire."""

from __future__ import annotations

import hashlib
import hmac

from signing.http import HttpRequest
from sigvec.diagnose.examples import Examples
from sigvec.fuzz.oracle import diagnosis_of, reference_case
from tests.support.corpus import repo_vectors

MEXC_SPOT_KEYS = {"api_key": "mx0aBYs33eIilxBWC5", "secret": "45d0b3c26f2644f19bfb98b07741b2f5"}


def test_a_finding_is_diagnosed_from_the_wire_where_the_input_alone_names_no_class() -> None:
    # a client that adds a `recvWindow` of its own (no class from the input) and signs and sends `*` unescaped
    given = {"scheme": "mexc-spot-v3", "method": "GET", "path": "/api/v3/account", "timestamp": 1500000000000}
    case = reference_case({**given, "credentials": MEXC_SPOT_KEYS, "query": [["timestamp", "1500000000000"], ["symbol", "*"]]})
    query = "recvWindow=5000&symbol=*&timestamp=1500000000000"
    signature = hmac.new(MEXC_SPOT_KEYS["secret"].encode(), query.encode(), hashlib.sha256).hexdigest()
    sent = HttpRequest.from_text(
        "GET", f"/api/v3/account?{query}&signature={signature}", (("X-MEXC-APIKEY", "mx0aBYs33eIilxBWC5"),)
    )
    diagnosis = diagnosis_of(case, sent, Examples.of(repo_vectors()))
    assert diagnosis.matches[0].classes == ("encoder=raw",)
    assert "your client signed and sent `symbol=*`; MEXC expects `symbol=%2A`" in diagnosis.message
