"""The specifications of sigvec, in folders that mirror what they guard."""
