"""sigvec's reference signers: pure, standard library only, one module per exchange."""

from signing.model import Request, Signed, SigningError, request_from_mapping
from signing.registry import SCHEMES, sign

__all__ = ["SCHEMES", "Request", "Signed", "SigningError", "request_from_mapping", "sign"]
