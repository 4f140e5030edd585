"""sigvec's tooling: the corpus loader, the checker and the command line."""

__version__ = "0.1.0"
