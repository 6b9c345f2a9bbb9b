"""Exit codes shared by every command."""

OK = 0  # all good
VIOLATIONS = 1  # violations found, or a drill failed or deviated
ERROR = 2  # could not evaluate or run: bad input, missing tool, refused
