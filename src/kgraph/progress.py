"""Progress messages on a terminal, silence in a pipe."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def step(message: str, enabled: bool | None = None) -> Iterator[None]:
    """Print ``message…`` before a long step and its duration after, on stderr,
    only when stderr is a terminal (or ``enabled`` forces it)."""
    show = sys.stderr.isatty() if enabled is None else enabled
    start = time.perf_counter()
    if show:
        print(f"{message}…", end="", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        if show:
            print(f" done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
