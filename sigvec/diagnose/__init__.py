"""Diagnosis: which known bug makes a server reject a request (`diagnose`), from the bug-class catalogue."""

from sigvec.diagnose.catalogue import BugClass, catalogue
from sigvec.diagnose.engine import VectorDiagnoser, diagnose, diagnose_both
from sigvec.diagnose.result import Diagnosis, Match

__all__ = ["BugClass", "Diagnosis", "Match", "VectorDiagnoser", "catalogue", "diagnose", "diagnose_both"]
