"""Tools of the project: benchmarks, generators and oracles run from a checkout."""
