"""Output files written atomically, with the permissions of any file the user makes.

``tempfile.mkstemp`` creates its file mode 0600 (private), and ``os.replace``
keeps that mode: a page or a GraphML file written that way could not be
served by a web server or read by a colleague.  Every output goes through
:func:`atomic_path`, which gives the finished file ``0666 & ~umask`` (0644
under the usual umask 022), as ``open()`` would.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_lock = threading.Lock()


def file_mode() -> int:
    """The mode ``open()`` would give a new file: 0666 less the process umask."""
    with _lock:   # the umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; when the block ends
    without an error it replaces ``path`` (mode as ``open()`` would give),
    otherwise it is removed and ``path`` is left as it was.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("<p>hi</p>", encoding="utf-8")
    >>> out.read_text(encoding="utf-8"), oct(out.stat().st_mode & 0o777) == oct(file_mode())
    ('<p>hi</p>', True)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The suffix stays last so that writers which pick a format by extension
    # (matplotlib's savefig) still see it.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text (``\\n`` line ends) so that readers never see a half-written file."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
