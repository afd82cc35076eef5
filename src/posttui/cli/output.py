"""Standard output that fails with a message, not a traceback.

A command's output may go to a full disk (``> /dev/full``), a device that fails, or a terminal whose encoding
cannot show the text (``PYTHONIOENCODING=ascii``). :func:`guarded_stdout` turns those failures into an
:class:`OutputError` (a PosttuiError, so the CLI prints one line and exits 2), and makes sure the final flush
happens while that is still possible, not in the interpreter's shutdown where it would print a traceback.
Text is never silently changed: a post written to stdout is either written as it is or the command fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any, Iterator

from ..errors import PosttuiError


class OutputError(PosttuiError):
    """Standard output cannot take what a command writes."""


class _Guarded:
    """A stream wrapper whose write/flush failures become :class:`OutputError`."""

    def __init__(self, stream: Any, name: str = "standard output"):
        self._stream = stream
        self._name = name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    @property
    def buffer(self) -> "_Guarded":
        return _Guarded(self._stream.buffer, self._name)

    def _call(self, method: str, *args):
        try:
            return getattr(self._stream, method)(*args)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): handled by the CLI's caller
        except UnicodeEncodeError as exc:
            encoding = getattr(self._stream, "encoding", None) or "unknown"
            shown = exc.object[exc.start : exc.end].encode("unicode_escape").decode("ascii")
            raise OutputError(
                f"cannot write `{shown}` to {self._name}: its encoding is {encoding}",
                hint="use a UTF-8 terminal or locale (e.g. LANG=C.UTF-8), or set PYTHONIOENCODING=utf-8",
            ) from None
        except OSError as exc:
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise OutputError(f"cannot write to {self._name}: {reason}",
                              hint="send the output somewhere with room (or --out FILE where there is one)") from None

    def write(self, data):
        return self._call("write", data)

    def writelines(self, lines):
        return self._call("writelines", lines)

    def flush(self):
        return self._call("flush")


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """Run a command with a guarded ``sys.stdout``; flush it before leaving. After a failure the rest of the
    output is dropped (stdout is pointed at the null device), so the interpreter's own flush at exit stays
    quiet."""
    original = sys.stdout
    if original is None:
        yield
        return
    sys.stdout = _Guarded(original)  # type: ignore[assignment]
    try:
        yield
        sys.stdout.flush()
    except OutputError:
        _drop_pending(original)
        raise
    finally:
        sys.stdout = original


def _drop_pending(stream: Any) -> None:
    """Discard what is still buffered for a stream that cannot take it (the documented idiom for a closed pipe:
    point the descriptor at the null device, which only ever reads as empty and accepts every write)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
