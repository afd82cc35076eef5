"""The one way posttui reads a file of a paper bundle: a regular file, inside the bundle, of bounded size.

A folder bundle is someone else's files, like an archive, so it gets the same refusals tarballs already apply:
a symbolic link that leaves the bundle is not followed (its target would reach the prompt, the model and the
public ``prompts/content`` file), a FIFO, device or socket is never opened for reading (a FIFO named ``main.tex``
hangs, ``/dev/zero`` never ends), and a file larger than the cap is refused before it is read. The file is
opened without blocking and checked again on the open descriptor, so a name swapped after the check gains nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from ..errors import PosttuiError, SourceError
from ..yamlio import load_yaml

MAX_SIDECAR_BYTES = 32 * 1024 * 1024
"""Cap for the small files beside a source (metadata, group file, homepage): far above any real one."""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def file_kind(mode: int) -> str:
    """What a file is, for messages: ``a named pipe (FIFO)``, ``a character device``, ..."""
    return next((name for test, name in _KINDS if test(mode)), "a regular file")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_file_bytes(
    path: str | Path,
    *,
    root: str | Path | None = None,
    max_bytes: int = MAX_SIDECAR_BYTES,
    error: type[PosttuiError] = SourceError,
) -> bytes:
    """The bytes of the regular file ``path``; ``error`` (naming the file and the problem) for anything else.

    With ``root`` (the bundle folder), a symbolic link is followed only when its target stays inside ``root``.
    """
    path = Path(path)
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
        target = path
        if link:
            target = path.resolve(strict=True)
            if root is not None and not _inside(target, Path(root).resolve()):
                raise error(
                    f"is a symbolic link to {target}, outside the bundle; links out of a bundle are not followed",
                    path=path,
                    hint="copy the file into the bundle instead of linking to it (or name it on the command line, "
                    "e.g. --group or --site)",
                )
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(target, flags)
    except PosttuiError:
        raise
    except FileNotFoundError:
        raise error("does not exist (or is a link to nothing)", path=path) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on older Pythons
        raise error(f"cannot be read: {getattr(exc, 'strerror', None) or exc}", path=path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"is {file_kind(info.st_mode)}, not a file; posttui reads only regular files",
                path=path,
                hint="replace it with the file itself",
            )
        if info.st_size > max_bytes:
            raise _too_big(path, max_bytes, error)
        chunks = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # it grew while being read
            raise _too_big(path, max_bytes, error)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", path=path) from None
    finally:
        os.close(fd)


def _too_big(path: Path, max_bytes: int, error: type[PosttuiError]) -> PosttuiError:
    return error(
        f"is larger than the {max_bytes:,}-byte cap for a file of a paper source",
        path=path,
        hint="raise max_archive_bytes in the config if this file is genuine",
    )


def read_yaml_file(
    path: str | Path, *, root: str | Path | None = None, error: type[PosttuiError] = SourceError
) -> Any:
    """A YAML file of a bundle (UTF-8), read through :func:`read_file_bytes` and parsed safely."""
    return parse_yaml_bytes(read_file_bytes(path, root=root, error=error), path, error=error)


def parse_yaml_bytes(data: bytes, name: str | Path, *, error: type[PosttuiError] = SourceError) -> Any:
    """YAML from the bytes of a file called ``name`` (a path, or ``archive:member``), UTF-8, parsed safely."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", path=name) from None
    return load_yaml(text, name, error=error)
