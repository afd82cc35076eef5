"""A screen that skips two steps of Textual's in which it would redo what it has just done (issue 14).

Both fell in the main screen's first second, whose UI-loop steps must stay under 50 ms (bench/tui.py):

- Textual restyles every widget when a screen resumes. On the first resume that follows the mount, which applied
  every style a moment earlier: 17 ms of the first frame's step.
- The first resume lays the screen out and draws all of it in one UI-loop step (45-50 ms on the main screen). The
  layout is done here, and the first frame drawn in the loop's next turn: two steps of 15 and 30 ms.
- A screen gets a Resize event for itself after its first layout, and its handler lays out and draws the whole
  screen again, at the size it was just laid out at: a 38 ms step of its own.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.screen import Screen


class FrugalScreen(Screen):
    _resumed = False

    async def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Handlers run subclass first: Screen's own (which restyles, lays out if the size changed, and asks for a
        # frame) reads the event after this one.
        if self._resumed:
            return
        self._resumed = True
        event.refresh_styles = False
        if self.is_attached:
            self._refresh_layout(self.app.size)
            await asyncio.sleep(0)

    def on_resize(self, event: events.Resize) -> None:
        if event.size == self.outer_size:  # laid out at this size already (a real resize changes it)
            event.prevent_default()  # Screen's handler, next in line, would lay out again
