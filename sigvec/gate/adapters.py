"""How the gate reaches a client: the `Adapter` interface, and the in-process adapter for Python signers.

`--python module:function` names a function that takes a vector's input
mapping and returns the wire mapping `{method, url, headers, body}` (or
`{"wire": {...}, "stages": {...}}` to have its stages compared too). Refusing
is explicit: the function raises `sigvec.Refused`, or an exception type its
module declares in `SIGVEC_REFUSES` (a tuple of exception classes); any other
exception is a crash, answered `errored` with its traceback. A vector the
function cannot express raises `sigvec.Skipped` (the vector is skipped with
its reason), as a harness does. The module may
declare what it implements in `SIGVEC_IMPLEMENTATION`, shaped like the
`implementation` of a start reply; without it the function is taken to
implement every scheme with the default option readings. No subprocess and no JSON: the fastest way to gate a Python client.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from signing.model import MAPPINGS
from signing.registry import SCHEMES
from sigvec import Refused, Skipped
from sigvec.gate.protocol import PROTOCOL_VERSION, Answer, Implementation, ProtocolError, read_start_reply

Signer = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class Adapter(Protocol):
    """A client the gate can run: started once, asked once per vector, stopped once."""

    def start(self) -> Implementation: ...

    def sign(self, seq: int, vector_id: str, vector_input: Mapping[str, Any], base_url: str) -> Answer: ...

    def stop(self) -> None: ...


class AdapterError(ValueError):
    """A `--python` target that cannot be used: one line naming what is wrong."""


Refusals = tuple[type[BaseException], ...]


def load_signer(target: str) -> tuple[Signer, Mapping[str, Any] | None, Refusals]:
    """The function named by `module:function`, its module's `SIGVEC_IMPLEMENTATION` if it has one, and the
    exception types its module declares as refusals in `SIGVEC_REFUSES` (none without it).

    The current directory is importable, as with `python -m`.
    """
    module_name, colon, function_name = target.partition(":")
    if not colon or not module_name or not function_name:
        raise AdapterError(f"--python: {target!r} must be module:function, e.g. mypkg.signing:sign")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise AdapterError(f"--python: cannot import {module_name!r} ({error})") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise AdapterError(f"--python: {module_name!r} has no function {function_name!r}")
    declared = getattr(module, "SIGVEC_IMPLEMENTATION", None)
    if declared is not None and not isinstance(declared, Mapping):
        raise AdapterError(f"--python: {module_name}.SIGVEC_IMPLEMENTATION must be a mapping")
    refuses = getattr(module, "SIGVEC_REFUSES", ())
    if not isinstance(refuses, tuple) or not all(isinstance(kind, type) and issubclass(kind, Exception) for kind in refuses):
        raise AdapterError(f"--python: {module_name}.SIGVEC_REFUSES must be a tuple of exception classes")
    return function, declared, refuses


class InProcessAdapter:
    """A Python signing function called directly, one vector at a time."""

    def __init__(
        self, signer: Signer, implementation: Mapping[str, Any] | None = None, name: str = "python", refuses: Refusals = ()
    ) -> None:
        self.signer = signer
        self.declared = implementation or {"name": name, "language": "python", "schemes": sorted(SCHEMES)}
        self.refuses: Refusals = (Refused, *refuses)

    @classmethod
    def from_target(cls, target: str) -> InProcessAdapter:
        signer, declared, refuses = load_signer(target)
        return cls(signer, declared, name=target, refuses=refuses)

    def start(self) -> Implementation:
        try:
            return read_start_reply({"version": PROTOCOL_VERSION, "implementation": dict(self.declared)})
        except ProtocolError as error:
            raise AdapterError(f"--python: SIGVEC_IMPLEMENTATION: {error}") from None

    def sign(self, seq: int, vector_id: str, vector_input: Mapping[str, Any], base_url: str) -> Answer:
        try:
            result = self.signer(vector_input)
        except Skipped as error:
            return Answer("skipped", message=str(error), issue_url=error.issue_url)
        except self.refuses as error:
            return Answer("refused", message=f"{type(error).__name__}: {error}")
        except Exception as error:  # a crash is a verdict, not the gate's end
            message = f"the signer raised {type(error).__name__}: {error}"
            return Answer("errored", message=message, traceback=traceback.format_exc())
        if isinstance(result, MAPPINGS) and "wire" in result:
            return Answer("wire", wire=result["wire"], stages=result.get("stages"))
        return Answer("wire", wire=result)

    def stop(self) -> None:
        """Nothing to release."""
