"""The draft on disk, for ``$EDITOR`` and any other program: written whenever the session's text changes, and
read back when someone else changes it (editors save by rename, so the folder is watched, not the file)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from ..errors import PosttuiError
from ..files import write_file


class DraftFile:
    """``DATA/drafts/POST_NAME.md`` (or any path): the session's current text, kept in step both ways."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._own: str | None = None
        """The text posttui itself wrote last: the watcher ignores it (the user may have typed on since)."""

    @classmethod
    def for_post(cls, data_dir: str | Path, post_name: str) -> "DraftFile":
        from ..safenames import safe_join

        return cls(safe_join(Path(data_dir) / "drafts", f"{post_name}.md"))

    def write(self, text: str) -> None:
        """Put ``text`` on disk (only when it differs); raises :class:`~posttui.errors.PosttuiError`."""
        self._own = text
        try:
            if self.path.is_file() and self.path.read_text(encoding="utf-8") == text:
                return
        except (OSError, UnicodeDecodeError):
            pass
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PosttuiError(f"cannot create the drafts folder ({exc.strerror})", path=self.path.parent) from None
        write_file(self.path, text, overwrite=True)

    def changed(self, current: str) -> str | None:
        """The file's text when someone else changed it (not ``current``, not posttui's own write), else None."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise PosttuiError(f"cannot read the draft back: {exc}", path=self.path) from None
        if text == current or text == self._own:
            return None
        self._own = text
        return text

    async def changes(self) -> AsyncIterator[None]:
        """Yield whenever the file may have changed (created, modified, replaced, deleted); runs until cancelled."""
        from watchfiles import awatch

        target = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        async for _ in awatch(self.path.parent, watch_filter=lambda change, p: p == target, debounce=200, step=50):
            yield None
