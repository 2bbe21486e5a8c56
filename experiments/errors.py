"""Errors the command line reports in one line: bad input (exit 2) and failed runs (exit 1)."""


class UsageError(Exception):
    """Bad command-line input (an option, a scheduler address, a results folder in use)."""


class RunError(Exception):
    """Runs could not finish (a worker died, a run raised); finished runs are kept."""
