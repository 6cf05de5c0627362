"""The pipeline a tracked document goes through: fetch, extract, check the page, version, and the check cycle
that runs them in order."""
