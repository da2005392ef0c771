"""A seeded generator of a realistic demo data set in the contract's input format."""
