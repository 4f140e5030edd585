"""`sigvec fuzz`: property-based conformance for any client, beyond the fixed corpus.

`strategies` draws inputs from each scheme's declared surface (public as
`sigvec.strategies`), `oracle` judges a client's answer to one as the gate
judges a vector, `runner` drives Hypothesis over a gate adapter and shrinks
each distinct failure, and `output` writes what a failure needs to be fixed
and kept: the minimal input, the diff, the diagnosis, a vector and a curl line.
`command` is `sigvec fuzz`.
"""
