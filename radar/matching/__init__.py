"""Matching: host profiles, product vectors, the fit of a pair, ranking and reasons."""
