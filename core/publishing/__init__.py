"""Publishing what is recorded to other tools: the Atom feed of changes, the read-only API's records."""
