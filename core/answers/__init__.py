"""Answering questions about what tracked terms say: parsing the question, the versions in force, evidence,
the verdict and its wording."""
