"""The package's one exception type: a message a user can act on."""

from __future__ import annotations


class KgraphError(Exception):
    """Something the user can fix: bad input, a missing file, an unknown name.

    ``str()`` gives the whole message: what is wrong, where, and what to do.
    The CLI prints it on one line (or a few) and exits non-zero without a
    traceback.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n  hint: {hint}")
