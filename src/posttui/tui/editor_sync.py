"""Editing the draft in ``$EDITOR``, and picking up any change made to the draft file outside the app.

The review keeps the draft on disk (:class:`posttui.workflow.DraftFile`); this module runs the user's editor on
it (suspending the app) and watches the file with watchfiles, so a save from any program reloads and re-checks
the draft. The app's own writes are ignored, and nothing is reloaded while a model call runs.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from ..errors import PosttuiError


class EditorSync:
    """The link between a main screen and its review's draft file."""

    def __init__(self, screen):
        self.screen = screen
        self._watching = False

    @property
    def draft_file(self):
        return self.screen.review.draft_file

    def edit(self) -> None:
        """Open the draft in ``$VISUAL``/``$EDITOR`` (default ``vi``), then reload it."""
        screen, app = self.screen, self.screen.app
        if self.draft_file is None:
            return
        try:
            self.draft_file.write(screen.editor.text)
        except PosttuiError as exc:
            screen.notify(f"Could not write the draft file: {exc}", severity="error")
            return
        command = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi") + [str(self.draft_file.path)]
        try:
            if app.is_headless:
                subprocess.run(command, check=False)
            else:
                with app.suspend():
                    subprocess.run(command, check=False)
        except OSError as exc:
            screen.notify(f"Could not start the editor {command[0]!r}: {exc}. Set $EDITOR.", severity="error")
            return
        self.reload()
        self.watch()

    def reload(self) -> None:
        """Take the file's text when someone else changed it: a new version, shown and checked."""
        screen = self.screen
        if self.draft_file is None or screen.busy:
            return
        try:
            text = self.draft_file.changed(screen.editor.text)
        except PosttuiError as exc:
            screen.notify(str(exc), severity="error")
            return
        if text is None:
            return
        screen.review.edit(text)
        screen.show_text(text)
        screen.notify(f"Reloaded the draft from {self.draft_file.path.name} and checked it again.")

    def preload(self) -> None:
        """Import the watcher's modules (in a worker thread): watchfiles and anyio's asyncio backend take 60-100 ms
        to import, which the first :meth:`watch`, at the end of a stream, otherwise spends on the UI loop."""
        if self.draft_file is None:
            return
        try:
            import anyio._backends._asyncio  # noqa: F401 - what awatch loads on first use
            import anyio.to_thread  # noqa: F401
            import watchfiles  # noqa: F401
        except ImportError:  # watching is then reported by watch(), where it fails
            pass

    def watch(self) -> None:
        """Start watching the draft file (once; the watcher lives as long as the screen)."""
        if self.draft_file is None or self._watching:
            return
        self._watching = True
        self.screen.run_worker(self._watch(), group="watch", exclusive=True, exit_on_error=False)

    async def _watch(self) -> None:
        try:
            async for _ in self.draft_file.changes():
                self.reload()
        finally:
            self._watching = False
