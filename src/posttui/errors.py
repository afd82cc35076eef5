"""posttui's exception families.

Every error a user can cause or meet carries a message that names the file (or id, or URL) and says what to do.
The CLI prints ``str(error)`` without a traceback and exits 2; the TUI shows it in a dialog.
"""

from __future__ import annotations

import os
import unicodedata

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
"""Invisible direction overrides: they make a name read differently from what it is."""


def is_control(char: str) -> bool:
    """A C0/C1 control character or an invisible direction override."""
    return unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters (but those in ``keep``) shown as escapes (``\x1b``), so a name taken from
    input (a file or archive member name) cannot drive the terminal when a message shows it."""
    if not any(is_control(c) and c not in keep for c in text):
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii") if is_control(c) and c not in keep else c for c in text
    )


class PosttuiError(Exception):
    """Base class: a problem the user can act on. Its text is terminal-safe: control characters in the path,
    message or hint (names taken from input) are shown escaped."""

    def __init__(self, message: str, *, path: str | os.PathLike | None = None, hint: str | None = None):
        self.path = str(path) if path is not None else None
        self.hint = hint
        self.message = message
        """The message alone (without the path and the hint)."""
        text = f"{printable(self.path)}: {message}" if self.path else message
        text = printable(text, keep="\n\t")
        if hint:
            text = f"{text}\n  hint: {printable(hint, keep=chr(10))}"
        super().__init__(text)


class SourceError(PosttuiError):
    """A paper source (file, directory, archive, arXiv id) cannot be read or understood."""


class ArchiveError(SourceError):
    """An archive is corrupt, truncated, too large or contains unsafe members."""


class MetadataError(SourceError):
    """Paper metadata (YAML or Atom XML) is malformed or incomplete."""


class LatexError(SourceError):
    """The TeX source cannot be assembled (no main file, missing or circular \\input)."""


class BibliographyError(SourceError):
    """A .bbl or .bib file cannot be parsed."""


class SavedPromptError(SourceError):
    """A saved prompt file does not have the structure the site's template produces."""


class GroupError(SourceError):
    """The group members file (or authors.yaml) is malformed."""


class FetchError(SourceError):
    """Downloading from arXiv failed (network down, HTTP error, error feed, unknown id)."""


class ConfigError(PosttuiError):
    """A configuration file or environment variable has an invalid value."""


class LLMError(PosttuiError):
    """A language-model call failed; ``partial`` keeps any text received before the failure, ``charge`` (a
    :class:`posttui.llm.base.Charge`, when known) what the failed call cost, so that billed failures are counted."""

    charge = None

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None, retry_after: float | None = None):
        self.partial = partial
        self.retry_after = retry_after
        super().__init__(message, hint=hint)


class WriteError(PosttuiError):
    """A file cannot be written, or posttui refused to (it exists, or is a link, directory or special file)."""


class SiteError(PosttuiError):
    """Writing into the Jekyll site failed or was refused (exists, read-only, unsafe path)."""


class SessionError(PosttuiError):
    """The session database cannot be opened or written."""
