"""Names taken from input (post names, featured ids, archive members) made safe to use as paths.

Every name that comes from a file, an archive or the network goes through :func:`check_name` (one path component)
before it becomes a path, and :func:`safe_join` joins it under a folder. They refuse what could leave the folder
or break the file system: separators, ``..``, drive letters, NUL and other control characters, and names too long
for a file name once posttui adds its suffixes and temporary-file prefixes. :func:`printable` (from
:mod:`posttui.errors`) shows such a name in a message without letting it drive the terminal, and
:func:`post_name` builds the site's ``DATE-ID`` stem from a date and an id.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from .errors import PosttuiError, SourceError, is_control
from .ids import ARXIV_ID_RE

MAX_NAME_BYTES = 200
"""Longest name (UTF-8 bytes) accepted for one path component. File systems allow 255; posttui adds up to ~20
bytes around a stem (``.NAME.md.XXXXXXXX.tmp``, ``.posttui-NAME.lock``), so 200 leaves room for all of them."""

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HINT = "names taken from a source must be plain file names (no '/', '..', control characters; at most 200 bytes)"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be one path component, or None when it can."""
    if not isinstance(name, str) or not name:
        return "is empty"
    if "\x00" in name:
        return "holds a NUL byte"
    if any(is_control(c) for c in name):
        return "holds control characters"
    if name in (".", ".."):
        return f"is {name!r}, which names a folder"
    if "/" in name or "\\" in name:
        return "holds a path separator ('/' or '\\')"
    if len(name) > 1 and name[1] == ":":
        return "starts with a drive letter"
    size = len(name.encode("utf-8", errors="surrogatepass"))
    if size > MAX_NAME_BYTES:
        return f"is {size} bytes long; a file name may have at most {MAX_NAME_BYTES}"
    return None


def _refuse(what: str, name: str, problem: str, path, error: type[PosttuiError], hint: str | None):
    shown = name if len(name) <= 80 else f"{name[:60]}...{name[-10:]}"
    return error(f"{what} {shown!r} {problem}", path=path, hint=hint or _HINT)  # repr: control characters escaped


def check_name(
    name: str,
    *,
    what: str = "name",
    path: str | Path | None = None,
    error: type[PosttuiError] = SourceError,
    hint: str | None = None,
) -> str:
    """``name`` when it is a safe single path component; else ``error`` saying what is wrong (named by ``what``
    and ``path``, the file the name came from)."""
    problem = name_problem(name)
    if problem:
        raise _refuse(what, str(name), problem, path, error, hint)
    return name


def safe_join(
    folder: str | Path,
    name: str,
    *,
    what: str = "name",
    path: str | Path | None = None,
    error: type[PosttuiError] = SourceError,
    hint: str | None = None,
) -> Path:
    """``folder / name`` for a name that passed :func:`check_name`: the result is always directly inside
    ``folder``."""
    return Path(folder) / check_name(name, what=what, path=path, error=error, hint=hint)


def check_date(text: str, *, path: str | Path | None = None, error: type[PosttuiError] = SourceError) -> str:
    """``text`` when it is a real calendar date written YYYY-MM-DD (2024-02-30 is not)."""
    if not _DATE_RE.fullmatch(text or ""):
        raise error(
            f"the post date {text!r} is not a date written YYYY-MM-DD",
            path=path,
            hint="set 'published: YYYY-MM-DD' in the paper's metadata",
        )
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        raise error(
            f"the post date {text!r} is not a calendar date",
            path=path,
            hint="fix 'published:' in the paper's metadata (e.g. the last day of that month)",
        ) from None
    return text


def id_stem(ident: str) -> str:
    """An id as it appears in a file name: an old-style arXiv id's ``/`` becomes ``-``
    (``astro-ph/0601001`` -> ``astro-ph-0601001``); new-style ids and local slugs are unchanged."""
    if "/" in ident and ARXIV_ID_RE.match(ident):
        return ident.replace("/", "-")
    return ident


def post_name(date: str, ident: str, *, path: str | Path | None = None,
              error: type[PosttuiError] = SourceError) -> str:
    """The site's ``DATE-ID`` stem (``2025-01-31-2501.01234``), validated: a real date and an id that is safe
    as part of a file name."""
    check_date(date, path=path, error=error)
    return check_name(
        f"{date}-{id_stem(ident)}",
        what="post name",
        path=path,
        error=error,
        hint="the post name is DATE-ID; check the paper's arXiv id (or the featured id of a saved prompt)",
    )
