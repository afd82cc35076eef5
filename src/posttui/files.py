"""The one way posttui writes a file: atomically, durably, and never over something that is not a plain file.

Every file posttui writes (posts, prompts, images, drafts, ``--out`` files, ``check --fix``, the arXiv cache,
unpacked bundles) goes through :func:`write_file`:

* a regular file is written to a temporary file in the same folder, flushed and fsynced, then moved into place
  (the folder is fsynced too), so a crash leaves the old file or the new one, never a torn one;
* without ``overwrite`` an existing file is never touched: the final step is a hard link, which fails when the
  name exists, so even a file that appeared a moment ago is safe;
* a character device or a FIFO (``/dev/null``, ``/dev/stdout``, a pipe) is written *through*: it is opened and
  written, never replaced by a regular file;
* a symbolic link, a block device, a socket or a directory is refused with a message that says what to do.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import WriteError

NEW_FILE_MODE = 0o644
"""Mode of a newly created file (a replaced file keeps its own mode)."""


def explain_os_error(exc: OSError) -> tuple[str, str]:
    """A short reason and a hint for an OS error met while writing."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied", "make the folder writable for you, or write somewhere else"
    if exc.errno == errno.EROFS:
        return "the file system is read-only", "write into a writable copy instead"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device", "free some disk space and try again; nothing was replaced"
    if exc.errno == errno.EDQUOT:
        return "disk quota exceeded", "free some space and try again; nothing was replaced"
    if exc.errno == errno.EISDIR:
        return "a directory is in the way", "move the directory aside"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long", "use a shorter name"
    if exc.errno == errno.ENOENT:
        return "the folder does not exist", "create the folder first, or write somewhere else"
    return exc.strerror or str(exc), "check the path and try again"


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _kind(path: Path) -> tuple[str, os.stat_result | None]:
    """What is at ``path`` without following a final symlink: missing, file, link, dir, chardev, fifo, other."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing", None
    except OSError as exc:
        reason, hint = explain_os_error(exc)
        raise WriteError(f"cannot look at the file: {reason}", path=path, hint=hint) from None
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "file", st
    if stat.S_ISLNK(mode):
        return "link", st
    if stat.S_ISDIR(mode):
        return "dir", st
    if stat.S_ISCHR(mode):
        return "chardev", st
    if stat.S_ISFIFO(mode):
        return "fifo", st
    return "other", st


def _write_through(path: Path, payload: bytes, kind: str) -> None:
    """Write into a character device or FIFO as it is (never replacing it)."""
    flags = os.O_WRONLY | (os.O_NONBLOCK if kind == "fifo" else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise WriteError("is a pipe with no reader", path=path, hint="start the reading program first") from None
        reason, hint = explain_os_error(exc)
        raise WriteError(f"cannot write: {reason}", path=path, hint=hint) from None
    try:
        if kind == "fifo":
            os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        reason, hint = explain_os_error(exc)
        raise WriteError(f"cannot write: {reason}", path=path, hint=hint) from None
    finally:
        os.close(fd)


def ensure_writable(path: str | Path, *, overwrite: bool = False) -> tuple[str, os.stat_result | None]:
    """Refuse now what :func:`write_file` would refuse (so a command can say so before any costly work);
    returns what is at ``path`` (``missing``, ``file``, ``chardev`` or ``fifo``) and its stat."""
    path = Path(path)
    kind, st = _kind(path)
    if kind == "link":
        raise WriteError("is a symbolic link; posttui does not write through links", path=path,
                         hint=f"write to the file it points to ({os.path.realpath(path)}) instead")
    if kind == "dir":
        raise WriteError("is a directory, cannot write the file here", path=path, hint="move the directory aside")
    if kind == "other":
        raise WriteError("is a special file (device or socket); refusing to replace it", path=path,
                         hint="write to a regular file instead")
    if kind == "file" and not overwrite:
        raise WriteError("already exists; not overwritten", path=path, hint="use --force to replace it")
    return kind, st


def write_file(path: str | Path, data: str | bytes, *, overwrite: bool = False) -> bool:
    """Write ``data`` to ``path`` (strings as UTF-8, byte for byte); return True if a file was replaced.

    Raises :class:`~posttui.errors.WriteError` (naming the file, the reason and what to do) when the target exists
    and ``overwrite`` is off, is a link, directory, block device or socket, or when the write fails.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    kind, st = ensure_writable(path, overwrite=overwrite)
    if kind in ("chardev", "fifo"):
        _write_through(path, payload, kind)
        return False
    existed = kind == "file"
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        reason, hint = explain_os_error(exc)
        raise WriteError(f"cannot write into this folder: {reason}", path=directory, hint=hint) from None
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else NEW_FILE_MODE)
            if overwrite:
                os.replace(tmp, path)
            else:
                _link_new(tmp, path)
        except WriteError:
            raise
        except OSError as exc:
            reason, hint = explain_os_error(exc)
            raise WriteError(f"cannot write: {reason}", path=path, hint=hint) from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    _fsync_dir(directory)
    return existed


def _link_new(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` only if that name is free (a hard link fails when it exists)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise WriteError("appeared while saving (another program wrote it); not overwritten", path=path,
                         hint="look at both versions, then use --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # File systems without hard links: an exclusive create is the next best guarantee.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
        except FileExistsError:
            raise WriteError("appeared while saving; not overwritten", path=path) from None
        with os.fdopen(fd, "wb") as handle, open(tmp, "rb") as source:
            handle.write(source.read())
            handle.flush()
            os.fsync(handle.fileno())
