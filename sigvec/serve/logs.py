"""What `sigvec serve` logs: one line per request that goes wrong, and a traceback only for a real server error.

- A request the server cuts off or cannot route (404, 408, 413) and a
  request that is not HTTP at all (aiohttp's 400) are `WARNING`, one line
  each: method, path (as sent, escaped, cut to `PATH_SHOWN` characters), the
  status and the reason. aiohttp would log each malformed request, and the
  lingering read after each 408, with a full traceback; `one_line_http_errors`
  turns the first into one line and drops the second (its 408 is logged).
- A request the verifier rejects is `INFO` (its code, step and reason); an
  accepted one is `DEBUG`.
- An exception in sigvec's own handler is `ERROR`, with its traceback.

`sigvec serve --log-level` chooses the level shown (default `warning`).
"""

from __future__ import annotations

import logging
import sys

from aiohttp.http_exceptions import HttpProcessingError

from sigvec.reports.escape import one_line
from sigvec.serve.app import Arrival, BodyTimeout

LEVELS = ("debug", "info", "warning", "error")
PATH_SHOWN = 200
log = logging.getLogger("sigvec.serve")
http_log = logging.getLogger("sigvec.serve.http")
"""The logger aiohttp's request handler is given (instead of `aiohttp.server`)."""


def configure(level: str) -> None:
    """Write `sigvec.serve`'s records at `level` and above to stderr, one line each (tracebacks under errors).

    The handler checks the level too: a record `one_line_http_errors` lowers from ERROR to WARNING has already
    passed the logger's check at ERROR."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sigvec serve: %(levelname)s %(message)s"))
    handler.setLevel(level.upper())
    log.addHandler(handler)
    log.setLevel(level.upper())
    log.propagate = False


def one_line_http_errors(record: logging.LogRecord) -> bool:
    """A filter for aiohttp's records: malformed HTTP becomes one `WARNING` line; the read after a 408 is dropped."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, BodyTimeout):
        return False
    if isinstance(error, HttpProcessingError):
        reason = one_line(str(error.message).strip().split("\n", 1)[0])
        peer = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        record.msg, record.args = "- - - -> %s: malformed HTTP from %s: %s", (error.code, peer, reason)
        record.exc_info, record.exc_text = None, None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
    return True


http_log.addFilter(one_line_http_errors)


def log_exchange(exchange: Arrival) -> None:
    """One line for a request: WARNING when sigvec answered it itself, INFO when rejected, DEBUG when accepted."""
    verdict = exchange.verdict
    if verdict is None:
        level, reason = logging.WARNING, exchange.body
    elif verdict.rejection is not None:
        level, reason = logging.INFO, f"{verdict.rejection.code} at {verdict.step}: {verdict.rejection.reason}"
    else:
        level, reason = logging.DEBUG, "accepted"
    if log.isEnabledFor(level):
        received = exchange.received
        path = one_line(received.origin[:PATH_SHOWN]) + ("..." if len(received.origin) > PATH_SHOWN else "")
        log.log(level, "%s %s %s -> %s: %s", exchange.scheme or "-", one_line(received.method), path, exchange.status,
                one_line(reason))
