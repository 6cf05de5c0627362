"""clausewatch's tests; a package so that the stand-ins under tests/standins import by name."""
