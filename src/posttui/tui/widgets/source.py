"""The LaTeX source pane: a read-only TextArea highlighted lazily, one line at a time as it is drawn.

Textual ships no LaTeX grammar. Lexing a 0.5 MB source up front with Pygments takes seconds, so instead the
highlight map is a dictionary that computes a line's ranges (commands, comments, math, braces) with one regular
expression the first time that line is rendered: opening and scrolling cost only what is on screen.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rich.style import Style
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

LATEX_THEME = TextAreaTheme(
    name="posttui-latex",
    syntax_styles={
        "tex.comment": Style(color="#6c7a89", italic=True),
        "tex.section": Style(color="#ff8700", bold=True),
        "tex.cite": Style(color="#5fd7af", bold=True),
        "tex.command": Style(color="#5fafff"),
        "tex.math": Style(color="#d7af5f"),
        "tex.brace": Style(color="#af87d7"),
    },
)

_TOKEN = re.compile(
    r"(?P<comment>(?<!\\)%.*$)"
    r"|(?P<section>\\(?:part|chapter|(?:sub)*section|paragraph|title|begin|end)\*?)"
    r"|(?P<cite>\\(?:[a-zA-Z]*cite[a-zA-Z]*|ref|eqref|cref|Cref|label)\*?)"
    r"|(?P<command>\\(?:[a-zA-Z@]+|.))"
    r"|(?P<math>\$\$?(?:[^$\\]|\\.)*\$?\$)"
    r"|(?P<brace>[{}\[\]])"
)
_NAMES = {"comment": "tex.comment", "section": "tex.section", "cite": "tex.cite", "command": "tex.command",
          "math": "tex.math", "brace": "tex.brace"}


def latex_line_highlights(line: str) -> list[tuple[int, int | None, str]]:
    """(start byte, end byte, style name) ranges for one line of LaTeX."""
    out: list[tuple[int, int | None, str]] = []
    if not line:
        return out
    ascii_only = line.isascii()
    for m in _TOKEN.finditer(line):
        kind = m.lastgroup
        s, e = m.start(), m.end()
        if not ascii_only:
            s, e = len(line[:s].encode()), len(line[:e].encode())
        out.append((s, e, _NAMES[kind]))
    return out


class _LazyHighlights(defaultdict):
    """Highlight map that computes a line when it is first asked for (the TextArea asks per rendered line)."""

    def __init__(self, view: "LatexView"):
        super().__init__(list)
        self.view = view

    def __missing__(self, row: int):
        doc = self.view.document
        value = latex_line_highlights(doc.get_line(row)) if 0 <= row < doc.line_count else []
        self[row] = value
        return value

    def __bool__(self) -> bool:  # the renderer skips highlighting when the map is empty
        return True


class LatexView(TextArea):
    """Read-only, highlighted LaTeX source with line numbers."""

    DEFAULT_CSS = """
    LatexView { border: none; }
    """

    def __init__(self, text: str = "", **kwargs):
        super().__init__(text, read_only=True, show_line_numbers=True, soft_wrap=False, **kwargs)
        self._highlights = _LazyHighlights(self)
        self.register_theme(LATEX_THEME)
        self.theme = LATEX_THEME.name

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights.clear()
