"""The terminal edge: the clausewatch command line, the console chat, and the demo."""
