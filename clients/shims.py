"""Stand-ins that client harnesses put in place of a client's time source, and its capture-mode call: stdlib only."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class PinnedClock:
    """Stands in for a client module's `time`: `time()` reads as the pinned milliseconds."""

    def __init__(self, milliseconds: int) -> None:
        seconds = milliseconds / 1000
        while int(seconds * 1000) < milliseconds:  # float rounding must not take a millisecond off
            seconds = math.nextafter(seconds, math.inf)
        self.seconds = seconds

    def time(self) -> float:
        return self.seconds


def send_through(call: Callable[[], object], went_out: Callable[[], bool]) -> dict[str, Any]:
    """Make the client's call; once its request went out, the answer is `sent`, whatever the client made of the reply.

    The loopback server's answer is not the exchange's: a client that raises on
    it has still sent its request. A client that raises before sending has not.
    """
    try:
        call()
    except Exception:
        if not went_out():
            raise
    return {"sent": True}
