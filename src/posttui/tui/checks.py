"""Checking the draft while the user types: off the UI thread, at most one check at a time, the latest wins."""

from __future__ import annotations

import asyncio


class CheckScheduler:
    """Runs the review's checker on the editor's text soon after a change and hands the findings to the screen.

    A request made while a check runs is remembered (only the latest), so typing never queues a backlog, and a
    result that no longer matches the editor is dropped and the check run again."""

    def __init__(self, screen):
        self.screen = screen
        self._wanted: tuple[bool] | None = None
        self._running = False

    @property
    def idle(self) -> bool:
        """No check runs and none is pending."""
        return not self._running and self._wanted is None

    def request(self, *, partial: bool = False, delay: float = 0.3) -> None:
        self._wanted = (partial,)
        if self._running or not self.screen.review.checker_ready:
            return
        self._running = True
        self.screen.run_worker(self._loop(delay), group="check", exit_on_error=False)

    async def _loop(self, delay: float) -> None:
        screen = self.screen
        try:
            while self._wanted is not None:
                if delay:
                    await asyncio.sleep(delay)
                partial = self._wanted[0]
                self._wanted = None
                text = screen.editor.text
                findings = await asyncio.to_thread(screen.review.checker.check, text, partial=partial)
                if screen.editor.text == text:
                    screen.review.show_findings(text, findings, partial=partial)
                    screen.show_findings(text, findings)
                elif self._wanted is None:
                    self._wanted = (partial,)
        finally:
            self._running = False
