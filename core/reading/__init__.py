"""Reading legal language: the AI-training statements a text makes, the judgment of a change, the AI
data-use profile, and their measurement."""

READER_VERSION = 24
"""The revision of the rules that read AI-training language, judge a change and make a profile.

Raise it whenever a rule changes what they produce: every stored verdict and profile keeps the version
that made it, ``clausewatch db upgrade`` counts the stale ones and ``clausewatch rejudge`` recomputes them.
(Profiles were stamped 1-3 by the profile reader alone before this covered all three.)"""
