"""sigvec's tooling: the corpus loader, the checker, the gate, the harness kits and the command line."""

__version__ = "1.1.0"


class Refused(Exception):
    """Raised by an in-process signer (`sigvec gate --python`, the pytest plugin) to refuse a vector's input.

    Refusing is an answer: the gate judges it by the vector's contract. Any
    other exception is the signer crashing, and the verdict is `errored`, with
    its traceback. A signer whose own refusals are another exception type
    declares it in its module as `SIGVEC_REFUSES = (MyRefusal, ...)`. The harness kit's
    `Refused` (`sigvec.harness`) is this class.
    """


class Skipped(Exception):
    """A signer or harness cannot express the vector it was given (for example a form body for a query-string client).

    The gate records the vector as skipped, with this message and, when given,
    `issue_url` (where the limitation is tracked).
    """

    def __init__(self, message: str, issue_url: str | None = None) -> None:
        super().__init__(message)
        self.issue_url = issue_url
