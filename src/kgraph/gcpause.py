"""Pause Python's cyclic garbage collector during bulk work.

Parsing, reasoning and indexing make millions of small objects (terms,
triples, index entries) that never form cycles.  Each time enough of them pile
up the collector walks every live object again, which at half a million
triples costs several seconds and frees nothing.  Reference counting still
frees everything as usual; the collector resumes afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (nestable)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
