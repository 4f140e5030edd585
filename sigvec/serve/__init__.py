"""The verifying mock exchange: `sigvec serve`, and `MockExchange` for Python tests and the gate's capture mode."""

from sigvec.serve.app import DIAGNOSIS_HEADER, Exchange
from sigvec.serve.mock import MockExchange
from sigvec.serve.service import Service, Settings, run
from sigvec.serve.state import Clock, ServeError

__all__ = ["DIAGNOSIS_HEADER", "Clock", "Exchange", "MockExchange", "ServeError", "Service", "Settings", "run"]
