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
        masked=masked,
        prose=prose,
        words=words,
    )


_BLOCK_START_RE = re.compile(
    r"^(?: {4}| {0,3}\t| {0,3}(?:#{1,6}(?:[ \t]|$)|>|[*+\-](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|<|```|~~~"
    r"|(?:[*_\-][ \t]*){3,}$|=+[ \t]*$|-+[ \t]*$))",
    re.M,
)
"""A line start that could open something other than a paragraph (heading, quote, list, HTML, fence, rule,
setext underline, table, indented code)."""


_NOT_NL_RE = re.compile(r"[^\n]")
_LABEL_STOP_RE = re.compile(r"\\|`+|[\[\]]|\n(?=[ \t]*\n)")
_DEST_STOP_RE = re.compile(r"\\|[()]|\n(?=[ \t]*\n)")
_CLOSERS: dict[int, re.Pattern] = {}


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

    def scan(self, start: int, end: int) -> None:
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
                    e = text.find(close, s + 2, end)
                    if e == -1:
                        self.math_errors.append((s, s + 2, f"`{tok}` opens math that is never closed with `{close}`"))
                        pos = s + 2
                    else:
                        self.math.append((s, e + 2))
                        pos = e + 2
                    continue
                if nxt in ")]":
                    self.math_errors.append((s, s + 2, f"`{tok}` closes math that was never opened"))
                pos = m.end()
                continue
            if c == "`":
                n = len(tok)
                close = _closing_backticks(n).search(text, m.end(), end)
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
            pos = self._link(s, tok == "![", end)

    def _math_dollar(self, s: int, tok: str, end: int) -> int:
        text = self.text
        if tok == "$$":
            e = text.find("$$", s + 2, end)
            if e == -1:
                self.math_errors.append((s, s + 2, "`$$` opens display math that is never closed"))
                return s + 2
            self.math.append((s, e + 2))
            return e + 2
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
            e = text.find("-->", s + 4, end)
            e = end if e == -1 else e + 3
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
            return e
        return s + 1

    def _link(self, s: int, image: bool, end: int) -> int:
        text = self.text
        label_start = s + (2 if image else 1)
        depth = 0
        i = label_start
        close = -1
        search = _LABEL_STOP_RE.search
        while True:
            m = search(text, i, end)
            if not m:
                break
            i = m.start()
            ch = m.group()[0]
            if ch == "\\":
                i += 2
                continue
            if ch == "`":
                run = m.end()
                cm = _closing_backticks(run - i).search(text, run, end)
                i = cm.end() if cm else run
                continue
            if ch == "[":
                depth += 1
            elif ch == "]":
                if depth == 0:
                    close = i
                    break
                depth -= 1
            else:  # a blank line ends the paragraph
                break
            i += 1
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
        j = close + 2
        depth = 0
        dest_end = -1
        search = _DEST_STOP_RE.search
        while True:
            m = search(text, j, end)
            if not m:
                break
            j = m.start()
            ch = m.group()[0]
            if ch == "\\":
                j += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    dest_end = j
                    break
                depth -= 1
            else:  # a blank line ends the paragraph
                break
            j += 1
        if dest_end == -1:
            stop = text.find("\n", close + 2, end)
            stop = end if stop == -1 else stop
            kind = "image" if image else "link"
            self.link_errors.append((s, stop, f"{kind} `(` is never closed with `)`"))
            self.scan(label_start, close)
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
            self.scan(label_start, close)
            return close + 2
        url_start = close + 2 + raw.find(url) if url else close + 2
        self.links.append(
            Link(s, dest_end + 1, label_start, close, url, url_start, url_start + len(url), image=image)
        )
        self.hidden.append((close + 1, dest_end + 1))
        # Inline elements inside the label (code, math, nested images).
        self.scan(label_start, close)
        return dest_end + 1


@dataclass
class Document:
    """A parsed draft: its layout, positions, and the narrative's segments."""

    text: str
    layout: Layout
    segments: list[Segment]
    positions: Positions | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        if self.positions is None:
            self.positions = Positions(self.text)
        return self.positions.line_col(offset)

    @property
    def narrative(self) -> tuple[int, int]:
        return self.layout.narrative

    def links(self):
        """Every link of the narrative as (segment, link) with absolute offsets available via segment.start."""
        for seg in self.segments:
            for link in seg.info.links:
                yield seg, link

    def reference_links(self):
        """(segment, link, (kind, id)) for every DOI/arXiv link of the narrative (inline or autolink)."""
        for seg in self.segments:
            for link, ident in link_identifiers(seg.info):
                yield seg, link, ident


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
    lay = layout(text)
    ns, ne = lay.narrative
    segments: list[Segment] = []
    start = ns
    if previous is not None and previous.segments and previous.layout.narrative[0] == ns:
        for seg in previous.segments[:-1]:
            if seg.end > ne:
                break
            segments.append(seg)
        start = previous.segments[len(segments)].start if segments else ns
    for s, e in split_segments(text, start, ne):
        seg_text = text[s:e]
        segments.append(Segment(s, seg_text, parse_segment(seg_text)))
    doc = Document(text, lay, segments)
    if previous is not None and previous.positions is not None:
        doc.positions = Positions(text, previous.positions)
    return doc
