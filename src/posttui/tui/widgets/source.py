"""The LaTeX source pane: read-only, highlighted lazily, one line at a time as it is drawn.

Lexing a 0.5 MB source up front (Pygments, or tree-sitter's LaTeX grammar: 73 ms to parse 0.5 MB and 1.8 s for
10 MB, plus a 184 MB grammar pack) costs seconds on the UI loop, and a TextArea holding 10 MB re-wraps and re-sums
every line while it draws. So the pane is a :class:`~.lineview.LineView` (only visible lines drawn) and a line's
ranges (commands, comments, math, braces) come from one regular expression the first time that line is shown.
"""

from __future__ import annotations

import re

from rich.style import Style

from .lineview import LineView

LATEX_STYLES = {
    "tex.comment": Style(color="#6c7a89", italic=True),
    "tex.section": Style(color="#ff8700", bold=True),
    "tex.cite": Style(color="#5fd7af", bold=True),
    "tex.command": Style(color="#5fafff"),
    "tex.math": Style(color="#d7af5f"),
    "tex.brace": Style(color="#af87d7"),
}

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


class LatexView(LineView):
    """Read-only, highlighted LaTeX source with line numbers, however big (see :mod:`.lineview`)."""

    def __init__(self, text: str = "", **kwargs):
        super().__init__(text, highlighter=latex_line_highlights, styles=LATEX_STYLES, **kwargs)
