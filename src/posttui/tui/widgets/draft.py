"""The draft editor: a TextArea that shows every checker finding in place.

Textual has no public API for arbitrary highlight ranges, so :meth:`DraftEditor._build_highlight_map` (private,
pinned by ``textual>=8.2,<9``) appends ``lint.<severity>`` ranges after the syntax ranges. Those columns are
UTF-8 byte offsets; findings carry character offsets, converted here per line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.cache import LRUCache
from textual.content import Content
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection, TextAreaTheme

from ..direct_keys import TextAreaKeys

LINT_STYLES = {
    "lint.error": Style(color="#ff5f5f", bold=True, underline=True, bgcolor="#3a1414"),
    "lint.warning": Style(color="#ffd75f", underline=True, bgcolor="#2e2a10"),
    "lint.info": Style(color="#87afff", italic=True, underline=True),
    "lint.pending": Style(color="#8a8a8a", italic=True),
}

DRAFT_THEME = TextAreaTheme(
    name="posttui-draft",
    syntax_styles={
        **LINT_STYLES,
        "heading": Style(color="#ff8700", bold=True),
        "heading.marker": Style(color="#af5f00", bold=True),
        "link": Style(color="#5fafff", underline=True),
        "link.uri": Style(color="#5fafff", underline=True),
        "link.label": Style(color="#87d7ff"),
        "text.literal": Style(color="#d7af87"),
        "punctuation.delimiter": Style(color="#8a8a8a"),
        "punctuation.special": Style(color="#8a8a8a"),
        "list.marker": Style(color="#d7af5f", bold=True),
        "string.escape": Style(color="#af87d7"),
    },
)
"""Markdown syntax (tree-sitter captures of textual's markdown query) under the lint styles, which are appended
after the syntax ranges and so drawn on top."""


def markdown_language() -> str | None:
    """``"markdown"`` when the tree-sitter grammar is installed (a dependency; without it: plain text)."""
    from textual._tree_sitter import get_language

    return "markdown" if get_language("markdown") is not None else None


@dataclass(frozen=True)
class Mark:
    """One highlighted range in editor coordinates (row, character columns, end exclusive)."""

    row: int
    start: int
    end_row: int
    end: int
    severity: str


def offsets_to_location(text: str, starts: list[int], offset: int) -> tuple[int, int]:
    """(row, character column) of a character offset, given the offsets where lines start."""
    import bisect

    offset = max(0, min(offset, len(text)))
    row = bisect.bisect_right(starts, offset) - 1
    return row, offset - starts[row]


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def marks_for(text: str, findings) -> list[Mark]:
    """Editor ranges for findings (character offsets ``start``/``end`` into ``text``)."""
    starts = line_starts(text)
    marks = []
    for f in findings:
        sev = str(getattr(f.severity, "value", f.severity))
        r0, c0 = offsets_to_location(text, starts, f.start)
        r1, c1 = offsets_to_location(text, starts, max(f.end, f.start))
        if (r0, c0) == (r1, c1):  # an insertion point: show one character (or the line end) so it is visible
            line_end = (starts[r0 + 1] - 1) if r0 + 1 < len(starts) else len(text)
            c1 = min(c0 + 1, line_end - starts[r0]) if line_end - starts[r0] > c0 else c0
        marks.append(Mark(r0, c0, r1, c1, sev))
    return marks


class DraftEditor(TextAreaKeys, TextArea):
    """The Markdown draft with problems highlighted (errors red, warnings yellow, info blue)."""

    DEFAULT_CSS = """
    DraftEditor { border: none; padding: 0 1; }
    """

    def __init__(self, text: str = "", **kwargs):
        self._rows: LRUCache[tuple, Strip] = LRUCache(1024)
        """Rows drawn, by :meth:`_row_key`: kept through edits and restyles, emptied when the text is rewrapped."""
        self._in_frame = False
        """A frame is being drawn (:meth:`render_lines`): :meth:`_look` is the same for all its rows."""
        self._frame_look: tuple | None = None
        """:meth:`_look` of the frame being drawn, once its first row asked for it."""
        super().__init__(text, language=markdown_language(), soft_wrap=True, show_line_numbers=True,
                         tab_behavior="focus", **kwargs)
        self.register_theme(DRAFT_THEME)
        self.theme = DRAFT_THEME.name
        self._marks: list[Mark] = []
        self._placeholder_rows: tuple[str, int, int] = ("", 0, 0)
        """(placeholder, width, how many rows it wraps to): see :meth:`render_line`."""

    def on_mount(self) -> None:
        from ..keymap import key_of  # the keys the user has now (keys.toml), not the defaults

        self.placeholder = (f"No draft yet: {key_of(self.app, 'generate')} writes one (or type, or paste). "
                            f"{key_of(self.app, 'help')} lists every key.")

    def render_line(self, y: int) -> Strip:
        """A row as TextArea draws it, from a cache that outlives edits (see :meth:`_row_key`).

        TextArea re-wraps the placeholder for every row it draws (27 wraps per frame of an empty editor, ~5 ms of
        the main screen's first frame, issue 14): rows below the placeholder's own are drawn without it here."""
        if self.placeholder and not self.text:
            placeholder, width = self.placeholder, self.content_size.width
            if self._placeholder_rows[:2] != (placeholder, width):
                self._placeholder_rows = (placeholder, width, len(Content.from_text(placeholder).wrap(width)))
            if y >= self._placeholder_rows[2]:
                return self._render_line(y)  # what TextArea draws there (a blank row of an empty document)
            return super().render_line(y)
        key = self._row_key(y)
        if key is None:
            return super().render_line(y)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = self._render_line(y)
        return row

    def _row_key(self, y: int) -> tuple | None:
        """What row ``y`` shows, as a cache key that stays valid through edits elsewhere in the draft.

        TextArea keys its own row cache by the row's place on screen and the whole selection, and empties it on
        every edit: every chunk of a stream (which moves the cursor) redrew every row in view (0.3-0.5 ms each,
        8-15 ms a frame of the draft, issue 14). This key holds what ``_render_line`` reads: the line, which of its
        wrapped sections, its text and highlights (syntax and findings), the part of the selection on it, the
        cursor (and whether the draft is read-only, which only the cursor shows) and matching bracket when on it,
        the styles rows are drawn with (:meth:`_look`), and what shapes every row (size, scroll, options, gutter,
        wrap and tab widths). None: a row TextArea draws its own way (no soft wrap, or past the end)."""
        if not self.soft_wrap:
            return None
        scroll_x, scroll_y = self.scroll_offset
        wrapped = self.wrapped_document
        rows = wrapped._offset_to_line_info
        if scroll_y + y >= len(rows):
            return None
        line_index, section = rows[scroll_y + y]
        start, end = self.selection
        top, bottom = (start, end) if start <= end else (end, start)
        selected = ((top if top[0] == line_index else None, bottom if bottom[0] == line_index else None)
                    if start != end and top[0] <= line_index <= bottom[0] else None)
        bracket = self._matching_bracket_location
        cursor = ((end[1], start == end, bracket is not None, self._draw_cursor, self.has_focus, self.suggestion,
                   self.read_only, self._theme.cursor_style) if end[0] == line_index else None)
        return (
            self.size, scroll_x, line_index, section, self.document[line_index],
            tuple(self._highlights.get(line_index, ())), selected, cursor,
            bracket if bracket is not None and bracket[0] == line_index and start == end else None,
            self._look(), self.match_cursor_bracket, self.show_line_numbers, self.show_cursor,
            self.hide_suggestion_on_blur, self.line_number_start, self.gutter_width, self.indent_width,
            wrapped._width, self.highlight_cursor_line,
        )

    def render_lines(self, crop):
        self._frame_look = None  # (TextArea.render_lines fills its theme from the CSS before the rows are drawn)
        self._in_frame = True
        try:
            return super().render_lines(crop)
        finally:
            self._in_frame, self._frame_look = False, None

    def _look(self) -> tuple:
        """The styles rows are drawn with: the theme as TextArea filled it from the CSS (the draft's own style is
        its base), and the suggestion's; the cursor's style is in the cursor row's key. In the key instead of
        emptying the rows on every restyle: the draft is read-only while a draft streams, and each switch restyled
        it and redrew every row in view (7-12 ms of the frame that ends a stream, issue 14), though only the cursor
        looks different."""
        if self._frame_look is not None:
            return self._frame_look
        theme = self._theme
        look = (theme.name, theme.base_style, theme.gutter_style, theme.cursor_line_style,  # (the cursor's: above)
                theme.cursor_line_gutter_style, theme.bracket_matching_style, theme.selection_style,
                tuple(theme.syntax_styles.items()),
                self.get_component_rich_style("text-area--suggestion") if self.suggestion else None)
        if self._in_frame:
            self._frame_look = look
        return look

    def _rewrap_and_refresh_virtual_size(self) -> None:
        self._rows.clear()
        super()._rewrap_and_refresh_virtual_size()

    @property
    def vertical_scrollbar(self):
        """Textual's scrollbar, with its CSS from the start. Textual applies a new scrollbar's CSS only when the
        draft is next restyled, and its size rule then lays the whole screen out again: that restyle is the end of
        the first stream (the draft leaves read-only mode), where it drew every pane twice (issue 14). The bar is
        drawn with the draft's styles either way."""
        new = self._vertical_scrollbar is None
        bar = super().vertical_scrollbar
        if new:
            self.app.stylesheet.apply(bar)
        return bar

    # ----- findings ---------------------------------------------------------------------------------------------
    def show_findings(self, findings, text: str | None = None) -> None:
        """Highlight findings computed on ``text`` (default: the current text). The same marks again change
        nothing: every edit rebuilds the highlights with the marks there are, so they are in place already (a
        streamed draft is checked every few chunks; a rebuild queries the whole syntax tree)."""
        marks = marks_for(self.text if text is None else text, findings)
        if marks == self._marks:
            return
        self._marks = marks
        self._build_highlight_map()
        self.refresh()

    @property
    def marks(self) -> list[Mark]:
        return list(self._marks)

    def _build_highlight_map(self) -> None:
        super()._build_highlight_map()
        marks = getattr(self, "_marks", None)
        if not marks:
            return
        highlights = self._highlights
        doc = self.document
        line_count = doc.line_count
        for m in marks:
            if m.row >= line_count:
                continue
            name = f"lint.{m.severity}"
            if m.row == m.end_row:
                line = doc.get_line(m.row)
                highlights[m.row].append((_byte_col(line, m.start), _byte_col(line, m.end), name))
                continue
            line = doc.get_line(m.row)
            highlights[m.row].append((_byte_col(line, m.start), None, name))
            for row in range(m.row + 1, min(m.end_row, line_count)):
                highlights[row].append((0, None, name))
            if m.end_row < line_count:
                highlights[m.end_row].append((0, _byte_col(doc.get_line(m.end_row), m.end), name))

    # ----- navigation -------------------------------------------------------------------------------------------
    def jump_to(self, text: str, start: int, end: int, *, focus: bool = True) -> None:
        """Select the span of a finding (character offsets into ``text``) and scroll it to the middle; ``focus``
        off leaves the focus where it is (the Problems list keeps it, so its fix key never types over the span)."""
        starts = line_starts(text)
        a = offsets_to_location(text, starts, start)
        b = offsets_to_location(text, starts, max(start, end))
        self.selection = Selection(a, b)
        self.scroll_cursor_visible(center=True)
        if focus:
            self.focus()

    def load_text(self, text: str) -> None:
        """``TextArea.load_text``, but a document that already holds ``text`` is kept (its history is still
        cleared, and ``Changed`` still posted). At the end of every stream the editor holds the streamed draft:
        rebuilding it wrapped a 20 KB draft twice, 56 ms of one UI-loop step (bench/tui.py)."""
        if text and text == self.text:
            self.history.clear()
            self.post_message(self.Changed(self).set_sender(self))
            self.update_suggestion()
            return
        super().load_text(text)

    def append_text(self, chunk: str) -> None:
        """Add streamed text at the end without moving the user's view unless they follow the end."""
        self.insert(chunk, self.document.end, maintain_selection_offset=False)


def _byte_col(line: str, col: int) -> int:
    return len(line[: max(0, col)].encode("utf-8"))
