"""Atomic file writes: a temp file beside the target, then a rename, so a failure never leaves a
partial file or damages the one already there. The only module below the CLI that writes files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from attrib.errors import AttribError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_target(path: str | Path, inputs: tuple[str | Path, ...] = ()) -> Path:
    """The file to write: `path`, or the file a symlink there points to. Refuses any of `inputs`,
    folders, missing parents and read-only files, each with a one-line message."""
    dst = Path(os.path.realpath(path))  # write through a symlink, never replace the link itself
    for src in inputs:
        src = Path(src)
        if str(src) == "-":
            continue
        if Path(os.path.realpath(src)) == dst or (
            dst.exists() and src.exists() and os.path.samefile(src, dst)
        ):
            raise AttribError(f"refusing to overwrite the input file {src} with the output")
    if dst.is_dir():
        raise AttribError(f"cannot write {path}: it is a directory")
    if not dst.parent.is_dir():
        raise AttribError(f"cannot write {path}: folder {dst.parent} does not exist")
    # Mode bits as well as access: root may write anything, but a 0444 file says "keep".
    if dst.exists() and (not dst.stat().st_mode & 0o222 or not os.access(dst, os.W_OK)):
        raise AttribError(f"cannot write {path}: the file is read-only")
    return dst


@contextlib.contextmanager
def atomic_writer(path: str | Path, inputs: tuple[str | Path, ...] = ()) -> Iterator[TextIO]:
    """A text handle whose content replaces `path` only when the block finishes without error."""
    dst = check_target(path, inputs)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    except OSError as exc:
        raise AttribError(f"cannot write {dst}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); an existing target keeps its mode, a new one
        # gets the mode a plain open() would give it.
        mode = dst.stat().st_mode & 0o7777 if dst.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, dst)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise AttribError(f"cannot write {dst}: {exc.strerror or exc}") from None
        raise


def write_text(path: str | Path, content: str, inputs: tuple[str | Path, ...] = ()) -> None:
    """Write `content` (with a final newline) to `path` atomically."""
    with atomic_writer(path, inputs) as fh:
        fh.write(content if content.endswith("\n") else content + "\n")


def write_bytes(path: str | Path, content: bytes, inputs: tuple[str | Path, ...] = ()) -> None:
    """Write binary `content` (a PNG picture) to `path` atomically."""
    with atomic_writer(path, inputs) as fh:
        fh.flush()
        fh.buffer.write(content)
