"""`python -m sigvec`: the same command line as `sigvec`."""

from sigvec.cli import main

raise SystemExit(main())
