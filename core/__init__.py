"""clausewatch core: the platform-neutral domain (fetch, extract, version, diff, judge, alert).

Nothing in this package imports from ``bots``; adapters depend on the core, never the reverse.
"""
