"""Diagnosis: which known bug makes a server reject a request, from the bug-class catalogue."""

from sigvec.diagnose.catalogue import BugClass, catalogue

__all__ = ["BugClass", "catalogue"]
