"""Where things are in a draft: the template regions, and inside the narrative the Markdown structure.

Two layers, both keyed by character offsets into the draft (see :mod:`posttui.rules.base` for the convention):

* :func:`posttui.postformat.layout` finds the skeleton (the one post parser, shared with the revision code):
  an optional wrapping code fence, a preamble, the front matter, the header image line, the BEGIN/END markers,
  the narrative between them and the tail (footer) after END. It works on any prefix of a post.
* :class:`Segment` is one group of blocks of the narrative (split at blank lines outside code fences). Its block
  structure comes from markdown-it-py (headings, lists, fences, HTML blocks); its inline structure (code spans,
  math, links, images, raw HTML, bare URLs) from a scanner that records exact spans, which markdown-it's inline
  tokens do not carry. Segments only depend on their own text, so a streaming checker re-parses only the ones
  that changed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

from ..postformat import BEGIN_MARKER, END_MARKER, FENCE_RE, FM_DELIM_RE, Layout, iter_lines, layout



class Positions:
    """Offset -> (line, column), both 1-based."""

    def __init__(self, text: str, previous: "Positions | None" = None):
        """``previous``: the positions of a prefix of ``text`` (its line starts are reused)."""
        if previous is not None and previous.length <= len(text):
            starts = previous.starts[:-1] if len(previous.starts) > 1 else [0]
        else:
            starts = [0]
        find = text.find
        i = find("\n", starts[-1])
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts
        self.length = len(text)

    def line_col(self, offset: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.starts, offset) - 1
        return idx + 1, offset - self.starts[idx] + 1


class SpanIndex:
    """Whether an offset lies inside one of many (possibly overlapping) spans, in logarithmic time: rules ask it
    for every candidate in a segment that may hold thousands of links or fixes."""

    def __init__(self, spans):
        ordered = sorted((s, e) for s, e, *_ in spans)
        self.starts = [s for s, _ in ordered]
        self.reach: list[int] = []
        furthest = -1
        for _, e in ordered:
            furthest = max(furthest, e)
            self.reach.append(furthest)

    def __call__(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and self.reach[i] > offset


# ----------------------------------------------------------------------------------------------------------------
# The narrative: segments, blocks and inline elements
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    start: int
    end: int
    label_start: int
    label_end: int
    url: str
    url_start: int
    url_end: int
    image: bool = False
    kind: str = "inline"
    """``inline`` ([label](url)), ``auto`` (<url>) or ``bare`` (a URL written as text)."""

    def label(self, text: str) -> str:
        return text[self.label_start : self.label_end]


@dataclass(frozen=True)
class Html:
    start: int
    end: int
    tag: str
    """Lower-case tag name ('' for comments)."""
    closing: bool
    attrs: str


@dataclass
class SegmentInfo:
    """The structure of one segment, with offsets relative to the segment's start."""

    blocks: list[tuple[str, int, int]]
    """(kind, start, end): paragraph, heading, list, fence, code, html, quote, table, hr."""
    code: list[tuple[int, int]]
    math: list[tuple[int, int]]
    links: list[Link]
    html: list[Html]
    math_errors: list[tuple[int, int, str]]
    link_errors: list[tuple[int, int, str]]
    definitions: list[Link]
    """Reference definitions (``[id]: url``, kind ``definition``): markdown-it drops them, kramdown honours them."""
    liquid: list[tuple[int, int, bool]]
    """Liquid tags and outputs (``{% %}``, ``{{ }}``) outside ``{% raw %}``, anywhere (Jekyll runs Liquid before
    Markdown, so code is no shelter): (start, end, True when only the opener is there, never closed)."""
    masked: str
    """The segment text with code (fences and spans), link destinations and HTML tags blanked out."""
    prose: str
    """``masked`` with math blanked out too: what a reader sees as running text."""
    words: int
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    """Values document rules derive from this segment alone (kept with the cached parse while streaming)."""


@dataclass
class Segment:
    start: int
    text: str
    info: SegmentInfo

    @property
    def end(self) -> int:
        return self.start + len(self.text)


_md = MarkdownIt("commonmark")
_LONE_CR_RE = re.compile(r"\r(?!\n)")
_md.disable("inline")
_md.disable("text_join")

_BLOCK_KINDS = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "fence": "fence",
    "code_block": "code",
    "html_block": "html",
    "blockquote_open": "quote",
    "table_open": "table",
    "hr": "hr",
}


def split_segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at blank lines outside code fences into (start, end) ranges."""
    out: list[tuple[int, int]] = []
    seg_start = None
    fence = ""
    for ls, le, nxt in iter_lines(text, start, end):
        line = text[ls:le]
        if fence:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence) and len(line) - len(
                line.lstrip()
            ) < 4:
                fence = ""
            continue
        if not line.strip():
            if seg_start is not None:
                out.append((seg_start, ls))
                seg_start = None
            continue
        if seg_start is None:
            seg_start = ls
        if "`" in line or "~" in line:
            m = FENCE_RE.match(line)
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = m.group(1)
    if seg_start is not None:
        out.append((seg_start, end))
    return out


@lru_cache(maxsize=4096)
def parse_segment(text: str) -> SegmentInfo:
    """Block and inline structure of one segment (cached by text: streaming re-parses only changed segments)."""
    line_starts = Positions(text).starts
    nlines = len(line_starts)

    def off(line: int) -> int:
        return line_starts[line] if line < nlines else len(text)

    blocks: list[tuple[str, int, int]] = []
    if not _BLOCK_START_RE.search(text):
        # Fast path: no line can start anything but a paragraph, so markdown-it would find exactly one.
        end = len(text) - 1 if text.endswith("\n") else len(text)
        blocks.append(("paragraph", 0, end))
    # markdown-it turns a lone CR into a line break, which would shift its line map against ``line_starts``;
    # a space of the same length keeps the two aligned (CRLF is already one line either way).
    md_text = _LONE_CR_RE.sub(" ", text) if "\r" in text else text
    for tok in _md.parse(md_text) if not blocks else ():
        kind = _BLOCK_KINDS.get(tok.type)
        if kind and tok.map:
            if kind == "paragraph" and tok.level > 0:
                continue
            end = off(tok.map[1])
            if end > 0 and end <= len(text) and text[end - 1 : end] == "\n":
                end -= 1
            blocks.append((kind, off(tok.map[0]), end))
    code = [(s, e) for kind, s, e in blocks if kind == "fence"]
    scanner = _InlineScanner(text)
    pos = 0
    for s, e in code:
        if s > pos:
            scanner.scan(pos, s)
        pos = e
    if pos < len(text):
        scanner.scan(pos, len(text))
    if any(kind == "html" for kind, _, _ in blocks):
        scanner.raw_html_blocks([(s, e) for kind, s, e in blocks if kind == "html"])
    code_all = sorted(code + scanner.code)
    masked = _mask(text, sorted(code_all + scanner.hidden))
    prose = _mask(masked, scanner.math) if scanner.math else masked
    words = len(prose.split())  # whitespace-separated tokens of the visible text (code, URLs, math blanked)
    return SegmentInfo(
        blocks=blocks,
        code=code_all,
        math=scanner.math,
        links=scanner.links,
        html=scanner.html,
        math_errors=scanner.math_errors,
        link_errors=scanner.link_errors,
        definitions=_definitions(text, code_all),
        liquid=_liquid(text),
        masked=masked,
        prose=prose,
        words=words,
    )


_DEFINITION_RE = re.compile(
    r"^ {0,3}\[(?!\^)((?:[^\[\]\\\n]|\\.){1,999})\]:[ \t]*(?:\n[ \t]*)?(<[^<>\n]*>|\S+)", re.M
)
_LIQUID_OPEN_RE = re.compile(r"\{[{%]")
_LIQUID_RAW_RE = re.compile(r"\{%-?\s*raw\s*-?%\}")
_LIQUID_ENDRAW_RE = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def _definitions(text: str, code: list[tuple[int, int]]) -> list[Link]:
    """Reference definitions outside code (footnotes ``[^1]:`` are not links)."""
    if "]:" not in text:
        return []
    in_code = SpanIndex(code)
    found = []
    for m in _DEFINITION_RE.finditer(text):
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip(" "))
        if in_code(start):
            continue
        url, url_start = m.group(2), m.start(2)
        if url.startswith("<"):
            url, url_start = url[1:-1], url_start + 1
        found.append(Link(start, m.end(), m.start(1), m.end(1), url, url_start, url_start + len(url),
                          kind="definition"))
    return found


def _liquid(text: str) -> list[tuple[int, int, bool]]:
    """Liquid's own tokenizer (``{%.*?%}|{{.*?}}?``, then a lone ``{{``/``{%`` is an unterminated tag), skipping
    ``{% raw %}...{% endraw %}``. Linear: a closer missing once is missing for every later opener too."""
    if "{" not in text:
        return []
    found: list[tuple[int, int, bool]] = []
    missing_from: dict[str, int] = {}
    pos = 0
    while True:
        m = _LIQUID_OPEN_RE.search(text, pos)
        if not m:
            return found
        s = m.start()
        opener = m.group()
        if opener == "{%":
            raw = _LIQUID_RAW_RE.match(text, s)
            if raw:
                end_raw = _LIQUID_ENDRAW_RE.search(text, raw.end())
                if end_raw:
                    pos = end_raw.end()
                    continue
        closer = "%}" if opener == "{%" else "}"
        e = -1 if missing_from.get(closer, len(text) + 1) <= s + 2 else text.find(closer, s + 2)
        if e == -1:
            missing_from[closer] = s + 2
            found.append((s, s + 2, True))
            pos = s + 2
            continue
        e += len(closer)
        if opener == "{{" and text.startswith("}", e):
            e += 1
        found.append((s, e, False))
        pos = e


_BLOCK_START_RE = re.compile(
    r"^(?: {4}| {0,3}\t| {0,3}(?:#{1,6}(?:[ \t]|$)|>|[*+\-](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|<|```|~~~"
    r"|(?:[*_\-][ \t]*){3,}$|=+[ \t]*$|-+[ \t]*$))",
    re.M,
)
"""A line start that could open something other than a paragraph (heading, quote, list, HTML, fence, rule,
setext underline, table, indented code)."""


_NOT_NL_RE = re.compile(r"[^\n]")
_NON_SPACE_RE = re.compile(r"\S")
_LABEL_STOP_RE = re.compile(r"\\|`+|[\[\]]|\n(?=[ \t]*\n)")
_DEST_STOP_RE = re.compile(r"\\|[()]|\n(?=[ \t]*\n)")
_CLOSERS: dict[int, re.Pattern] = {}
_MATH_CLOSERS = {"(": re.compile(r"\\\)"), "[": re.compile(r"\\\]")}
_DISPLAY_DOLLARS_RE = re.compile(r"\$\$")
_COMMENT_END_RE = re.compile(r"-->")
_MAX_LABEL_NESTING = 3
"""How deep links inside link labels are recognised (``[![badge](src)](href)`` needs two); deeper brackets are
text (still scanned for code, math and HTML), so hostile nesting costs linear time and bounded recursion."""


def _closing_backticks(n: int) -> re.Pattern:
    pat = _CLOSERS.get(n)
    if pat is None:
        pat = _CLOSERS[n] = re.compile(rf"(?<!`)`{{{n}}}(?!`)")
    return pat


def _mask(text: str, ranges: list[tuple[int, ...]]) -> str:
    if not ranges:
        return text
    parts = []
    pos = 0
    for r in sorted(ranges):
        s, e = r[0], r[1]
        if e <= pos:
            continue
        s = max(s, pos)
        parts.append(text[pos:s])
        chunk = text[s:e]
        parts.append(_NOT_NL_RE.sub(" ", chunk) if "\n" in chunk else " " * len(chunk))
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


_SPECIAL_RE = re.compile(r"\\.|`+|\$\$?|!?\[|\]\(|<|(?<![\w(<\[/=\"'])https?://", re.S)
_QUICK_RE = re.compile(r"[\\`$\[\]!<]|https?://")
"""Where a special construct may start; _SPECIAL_RE (anchored) then says which (a plain search with the
look-behind alternative is several times slower)."""
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
_STRICT_TAG_RE = re.compile(
    r"<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>"
)
"""An open or closing tag exactly as CommonMark defines raw HTML: only such a tag hides what its quotes hold."""
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto|javascript|data):[^<>\s]*)>", re.I)
_BARE_URL_RE = re.compile(r"https?://[^\s<>\"'`\]]+")


class _InlineScanner:
    """Records code spans, math, links, raw HTML and malformed constructs with exact spans."""

    def __init__(self, text: str):
        self.text = text
        self.code: list[tuple[int, int]] = []
        self.math: list[tuple[int, int]] = []
        self.links: list[Link] = []
        self.html: list[Html] = []
        self.hidden: list[tuple[int, int]] = []
        self.math_errors: list[tuple[int, int, str]] = []
        self.link_errors: list[tuple[int, int, str]] = []
        self._found: dict[tuple[re.Pattern, int], tuple[int, re.Match | None]] = {}
        self._closes: dict[tuple[str, int], tuple[int, int]] = {}

    def _first(self, pattern: re.Pattern, start: int, end: int) -> re.Match | None:
        """``pattern.search(text, start, end)``, remembered: when many openers ask for the same closer (a run of
        unclosed ``\\(`` or backticks), each later question is answered from the first one's search."""
        known = self._found.get((pattern, end))
        if known is not None and known[0] <= start and (known[1] is None or known[1].start() >= start):
            return known[1]
        found = pattern.search(self.text, start, end)
        self._found[(pattern, end)] = (start, found)
        return found

    def _close_of(self, kind: str, start: int, end: int) -> int:
        """Where the ``[`` (kind ``label``) or ``(`` (kind ``dest``) just before ``start`` is closed, or -1 when
        a blank line or ``end`` comes first. Escapes and code spans do not count. One pass answers for every
        bracket it meets (a stack), so a draft full of unclosed brackets costs linear time, not quadratic."""
        known = self._closes.get((kind, start))
        if known is not None:
            close, searched_to = known
            if close != -1:
                return close if close < end else -1
            if searched_to >= end:
                return -1
        opener, closer, stop = ("[", "]", _LABEL_STOP_RE) if kind == "label" else ("(", ")", _DEST_STOP_RE)
        text = self.text
        stack = [start]
        i = start
        while True:
            m = stop.search(text, i, end)
            if not m:
                break
            i = m.start()
            ch = m.group()[0]
            if ch == "\\":
                i += 2
                continue
            if ch == "`":
                run = m.end()
                cm = self._first(_closing_backticks(run - i), run, end)
                i = cm.end() if cm else run
                continue
            if ch == opener:
                stack.append(i + 1)
            elif ch == closer:
                self._closes[(kind, stack.pop())] = (i, end)
                if not stack:
                    return i
            else:  # a blank line ends the paragraph
                break
            i += 1
        for left_open in stack:
            self._closes[(kind, left_open)] = (-1, end)
        return -1

    def scan(self, start: int, end: int, depth: int = 0) -> None:
        text = self.text
        pos = start
        quick = _QUICK_RE.search
        special = _SPECIAL_RE.match
        while True:
            q = quick(text, pos, end)
            if not q:
                return
            m = special(text, q.start(), end)
            if not m:
                pos = q.start() + 1
                continue
            tok = m.group()
            s = m.start()
            c = tok[0]
            if c == "\\":
                nxt = tok[1]
                if nxt in "([":
                    close = "\\)" if nxt == "(" else "\\]"
                    cm = self._first(_MATH_CLOSERS[nxt], s + 2, end)
                    if cm is None:
                        self.math_errors.append((s, s + 2, f"`{tok}` opens math that is never closed with `{close}`"))
                        pos = s + 2
                    else:
                        self.math.append((s, cm.end()))
                        pos = cm.end()
                    continue
                if nxt in ")]":
                    self.math_errors.append((s, s + 2, f"`{tok}` closes math that was never opened"))
                pos = m.end()
                continue
            if c == "`":
                n = len(tok)
                close = self._first(_closing_backticks(n), m.end(), end)
                if close:
                    self.code.append((s, close.end()))
                    pos = close.end()
                else:
                    pos = m.end()
                continue
            if c == "$":
                pos = self._math_dollar(s, tok, end)
                continue
            if c == "<":
                pos = self._angle(s, end)
                continue
            if tok == "](":
                self.link_errors.append((s, s + 2, "`](` without a matching `[`: the link's label is not opened"))
                pos = s + 2
                continue
            if c == "h":
                um = _BARE_URL_RE.match(text, s, end)
                if um is None:  # a scheme with nothing after it ("https://" at the end of a chunk): plain text
                    pos = text.index("//", s) + 2
                    continue
                url = um.group(0).rstrip(".,;:!?)")
                if url.count("(") > url.count(")") and text[s + len(url) : s + len(url) + 1] == ")":
                    url += ")"
                e = s + len(url)
                self.links.append(Link(s, e, s, e, url, s, e, kind="bare"))
                self.hidden.append((s, e))
                pos = e
                continue
            # "[" or "!["
            if depth >= _MAX_LABEL_NESTING:  # too deep to be a real link: text (still scanned for HTML, math...)
                pos = m.end()
                continue
            pos = self._link(s, tok == "![", end, depth)

    def _math_dollar(self, s: int, tok: str, end: int) -> int:
        text = self.text
        if tok == "$$":
            cm = self._first(_DISPLAY_DOLLARS_RE, s + 2, end)
            if cm is None:
                self.math_errors.append((s, s + 2, "`$$` opens display math that is never closed"))
                return s + 2
            self.math.append((s, cm.end()))
            return cm.end()
        i = s + 1
        while True:
            e = text.find("$", i, end)
            if e == -1:
                self.math_errors.append((s, s + 1, "`$` opens inline math that is never closed"))
                return s + 1
            if text[e - 1] == "\\":
                i = e + 1
                continue
            break
        self.math.append((s, e + 1))
        return e + 1

    def _angle(self, s: int, end: int) -> int:
        text = self.text
        if text.startswith("<!--", s):
            closer = self._first(_COMMENT_END_RE, s + 4, end)
            if closer is not None:
                e = closer.end()
                self.html.append(Html(s, e, "", False, ""))
                self.hidden.append((s, e))
                # Renderers disagree on what ends a comment (``--`` inside, ``<!--->``): tags inside count too.
                inner = text.find("<", s + 4, closer.start())
                while inner != -1:
                    tm = _HTML_TAG_RE.match(text, inner, closer.start())
                    if tm:
                        self.html.append(Html(inner, tm.end(), tm.group(2).lower(), bool(tm.group(1)), tm.group(3)))
                    inner = text.find("<", inner + 1, closer.start())
                return e
            elif not text[text.rfind("\n", 0, s) + 1 : s].strip(" "):
                e = end  # an HTML block: the page (and a browser) takes the rest as the comment
            else:
                return s + 1  # inline, never closed: CommonMark shows "<!--" as text and parses what follows
            self.html.append(Html(s, e, "", False, ""))
            self.hidden.append((s, e))
            return e
        am = _AUTOLINK_RE.match(text, s, end)
        if am:
            e = am.end()
            self.links.append(Link(s, e, s + 1, e - 1, am.group(1), s + 1, e - 1, kind="auto"))
            self.hidden.append((s, e))
            return e
        hm = _HTML_TAG_RE.match(text, s, end)
        if hm:
            e = hm.end()
            self.html.append(Html(s, e, hm.group(2).lower(), bool(hm.group(1)), hm.group(3)))
            self.hidden.append((s, e))
            if not _STRICT_TAG_RE.fullmatch(hm.group(0)):
                return s + 1  # not a tag to CommonMark (``<a/x="<script>">``): what is inside may still be one
            return e
        return s + 1

    def raw_html_blocks(self, ranges: list[tuple[int, int]]) -> None:
        """Every tag inside an HTML block. A page leaves such a block raw (CommonMark, and kramdown without
        ``parse_block_html``), so backticks, dollars or brackets there hide nothing: a ``<div>`` line followed by
        a backquoted ``<a href="javascript:...">`` is a live link, not a code span."""
        text = self.text
        known = {tag.start for tag in self.html}
        added = False
        for s, e in ranges:
            for m in _HTML_TAG_RE.finditer(text, s, e):
                if m.start() not in known:
                    self.html.append(Html(m.start(), m.end(), m.group(2).lower(), bool(m.group(1)), m.group(3)))
                    added = True
        if added:
            self.html.sort(key=lambda tag: tag.start)

    def _link(self, s: int, image: bool, end: int, depth: int) -> int:
        text = self.text
        label_start = s + (2 if image else 1)
        close = self._close_of("label", label_start, end)
        if close == -1:
            return label_start
        if text[close + 1 : close + 2] != "(":
            gap = re.match(r"[ \t]+\((?:https?://|/|#)", text[close + 1 : close + 40])
            if gap:
                self.link_errors.append(
                    (s, close + 1 + gap.end(), "space between `]` and `(`: remove it so the link renders")
                )
            return label_start
        # Destination: balanced parentheses, optional <...>, optional title.
        dest_end = self._close_of("dest", close + 2, end)
        if dest_end == -1:
            stop = text.find("\n", close + 2, end)
            stop = end if stop == -1 else stop
            kind = "image" if image else "link"
            self.link_errors.append((s, stop, f"{kind} `(` is never closed with `)`"))
            self._scan_label(label_start, close, depth)
            return close + 2
        raw = text[close + 2 : dest_end]
        url = raw.strip()
        tm = re.match(r"^(\S+)\s+(\"[^\"]*\"|'[^']*'|\([^)]*\))$", url, re.S)
        if tm:
            url = tm.group(1)
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        elif re.search(r"\s", url):
            self.link_errors.append(
                (s, dest_end + 1, "the link target contains spaces (a missing `)`?): Markdown will not render it")
            )
            self._scan_label(label_start, close, depth)
            return close + 2
        url_start = close + 2 + raw.find(url) if url else close + 2
        self.links.append(
            Link(s, dest_end + 1, label_start, close, url, url_start, url_start + len(url), image=image)
        )
        self.hidden.append((close + 1, dest_end + 1))
        # Inline elements inside the label (code, math, nested images).
        self._scan_label(label_start, close, depth)
        return dest_end + 1

    def _scan_label(self, start: int, end: int, depth: int) -> None:
        self.scan(start, end, depth + 1)


@dataclass
class Document:
    """A parsed draft: its layout, positions, and the narrative's segments."""

    text: str
    layout: Layout
    segments: list[Segment]
    positions: Positions | None = None
    reused: int = 0
    """How many leading segments are the very objects of the previous parse (``parse_document(text, previous)``):
    text was only appended, so those segments, and anything derived from them alone, still hold."""
    folds: dict = field(default_factory=dict, repr=False)
    """key -> (count, value): a document rule's fold over the first ``count`` segments (see :func:`fold_settled`),
    carried from the previous parse while those segments are reused."""

    def at_end(self, offset: int) -> bool:
        """True when only white space follows ``offset`` (``offset >= len(text.rstrip())``, without the copy)."""
        return _NON_SPACE_RE.search(self.text, offset) is None

    def line_col(self, offset: int) -> tuple[int, int]:
        if self.positions is None:
            self.positions = Positions(self.text)
        return self.positions.line_col(offset)

    @property
    def narrative(self) -> tuple[int, int]:
        return self.layout.narrative


@lru_cache(maxsize=8192)
def url_identifier(url: str):
    """:func:`posttui.ids.identifier_of_url`, memoised (rules ask about the same URLs on every re-check)."""
    from ..ids import identifier_of_url

    return identifier_of_url(url)


def link_identifiers(info: "SegmentInfo") -> list:
    """The segment's links (``[label](url)`` and ``<url>``, not images) that point at a DOI or arXiv id, with
    that identifier."""
    found = info.memo.get("identifiers")
    if found is None:
        found = []
        for link in info.links:
            if link.image or link.kind == "bare":  # bare URLs are text in kramdown, not links
                continue
            ident = url_identifier(link.url)
            if ident:
                found.append((link, ident))
        info.memo["identifiers"] = found
    return found


def parse_document(text: str, previous: Document | None = None) -> Document:
    """Parse a draft. ``previous`` is the parse of an earlier state of which ``text`` is an extension (text was
    only appended, as while streaming): its complete segments are reused and only the tail is split again."""
    lay = layout(text, previous.layout if previous is not None else None)
    ns, ne = lay.narrative
    segments: list[Segment] = []
    start = ns
    if previous is not None and previous.segments and previous.layout.narrative[0] == ns:
        kept = previous.segments[:-1]
        if kept and kept[-1].end > ne:  # the narrative got shorter (an END marker completed): keep what fits
            kept = kept[: next(i for i, seg in enumerate(kept) if seg.end > ne)]
        segments.extend(kept)
        start = previous.segments[len(segments)].start if segments else ns
    reused = len(segments)
    for s, e in split_segments(text, start, ne):
        seg_text = text[s:e]
        segments.append(Segment(s, seg_text, parse_segment(seg_text)))
    doc = Document(text, lay, segments, reused=reused)
    if previous is not None:
        if previous.positions is not None:
            doc.positions = Positions(text, previous.positions)
        if reused:
            doc.folds = {key: fold for key, fold in previous.folds.items() if fold[0] <= reused}
    return doc


def fold_settled(doc: Document, key, extend, initial):
    """``extend(value, segments)`` applied to ``initial`` and every segment but the last (the one still streaming),
    as a document rule's running total. The value of the segments the previous parse already folded is carried
    over, so a streaming check extends it by the newly settled segments only; a fresh parse folds them all.
    ``key`` names the fold and everything it depends on besides the segments; ``extend`` returns a new value and
    never changes the one it is given (the previous parse may hold it)."""
    upto = len(doc.segments) - 1
    count, value = doc.folds.get(key, (0, initial))
    if count > upto:
        count, value = 0, initial
    if upto > count:
        value = extend(value, doc.segments[count:upto])
        doc.folds[key] = (upto, value)
    return value
