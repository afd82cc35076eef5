"""One ``rich_style`` per frame for views that draw their own rows.

Textual recomputes :attr:`Widget.rich_style` (walking every ancestor's background) on each access; a view asking
for it once per row spent ~0.2 ms a row, a sizeable part of the main screen's first frame (issue 14).
"""

from __future__ import annotations

from rich.style import Style


class FrameStyle:
    """Mixin for a Widget: :attr:`line_style` is :attr:`rich_style`, computed once per :meth:`render_lines`."""

    _frame_style: Style | None = None

    def render_lines(self, crop):
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    @property
    def line_style(self) -> Style:
        """The widget's style (the frame's, while one is drawn)."""
        return self.rich_style if self._frame_style is None else self._frame_style
