"""PT020-PT021: LaTeX left in the prose. Citation commands become reference links; simple markup becomes
Markdown or Unicode. Code spans and fences are never judged; PT021 also leaves math alone."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from markdown_it import MarkdownIt

from .base import Fix, Hit, rule
from .markdown import SpanIndex

CITE_COMMANDS = (
    r"[Cc]ite(?:p|t|alt|alp|author|year|yearpar|num)?|[Pp]arencite|[Tt]extcite|[Aa]utocite|[Ff]ootcite"
    r"|[Ss]martcite|[Ss]upercite|nocite"
)
CITE_RE = re.compile(
    rf"\\(?P<cmd>{CITE_COMMANDS})(?P<star>\*?)(?![A-Za-z])"
    r"(?P<opts>(?:\s*\[[^\[\]\n]*\]){0,2})"
    r"(?:\s*\{(?P<keys>[^{}\n]*)\}|(?P<open>\s*\{[^{}\n]*$)|(?P<open2>\s*\{[^{}\n]*\n))?",
    re.M,
)
_OPT_RE = re.compile(r"\[([^\[\]\n]*)\]")

TEXTUAL = {"citet", "textcite", "Citet", "Textcite"}
ALT = {"citealt", "Citealt"}
BARE = {"citealp", "Citealp"}
AUTHOR = {"citeauthor", "Citeauthor"}
YEAR = {"citeyear", "citeyearpar"}


def render_citation(cmd: str, keys: list[str], pre: str, post: str, refs) -> tuple[str | None, list[str]]:
    """The Markdown that replaces a citation command, or (None, keys that cannot be rendered).

    Parenthetical forms become ``([id](url), [id](url))``; textual forms ``Author et al. ([id](url))``. A
    bibliography entry without DOI or arXiv id is written as text ("Cornish et al. 2019"), never as a link."""
    if cmd == "nocite":
        return "", []
    works = [refs.get(k) for k in keys]
    missing = [k for k, w in zip(keys, works) if w is None]
    if missing:
        return None, missing
    if cmd in AUTHOR:
        bad = [w.key for w in works if not w.authors_text]
        return (None, bad) if bad else ("; ".join(w.authors_text for w in works), [])
    if cmd in YEAR:
        bad = [w.key for w in works if not w.year]
        if bad:
            return None, bad
        years = ", ".join(w.year for w in works)
        return (f"({years})" if cmd == "citeyearpar" else years), []
    textual = cmd in TEXTUAL or cmd in ALT
    bad = [
        w.key for w in works if not w.links() and not (w.authors_text and w.year) or (textual and not w.authors_text)
    ]
    if bad:
        return None, bad
    if textual:
        parts = []
        for i, w in enumerate(works):
            inner = ", ".join(w.links()) if w.links() else w.year
            if cmd in ALT:
                parts.append(f"{w.authors_text} {inner}")
                continue
            if post and i == len(works) - 1:
                inner = f"{inner}, {post}"
            parts.append(f"{w.authors_text} ({inner})")
        body = "; ".join(parts)
        return (f"{pre} {body}" if pre else body), []
    items = [", ".join(w.links()) if w.links() else f"{w.authors_text} {w.year}" for w in works]
    body = ("; " if any(not w.links() for w in works) else ", ").join(items)
    if pre:
        body = f"{pre} {body}"
    if post:
        body = f"{body}, {post}"
    return (body if cmd in BARE else f"({body})"), []


@rule("PT020", "error", "LaTeX citation command left in the text", scope="segment", fix="replace by reference links")
def citation_commands(seg, ctx, opts):
    text = seg.info.masked
    if "\\" not in text:
        return
    for m in CITE_RE.finditer(text):
        s, e = m.span()
        cmd = m.group("cmd")
        shown = seg.text[s:e].strip()
        if len(shown) > 60:
            shown = shown[:57] + "..."
        if m.group("keys") is None:
            if m.group("open") is not None or m.group("open2") is not None:
                e = s + len(m.group(0).rstrip("\n"))
            yield Hit(s, e, f"LaTeX citation `{shown}` left in the text: write the reference as a Markdown link")
            continue
        keys = [k.strip() for k in m.group("keys").split(",") if k.strip()]
        opts_found = _OPT_RE.findall(m.group("opts") or "")
        pre, post = "", ""
        if len(opts_found) == 1:
            post = opts_found[0].strip()
        elif len(opts_found) == 2:
            pre, post = opts_found[0].strip(), opts_found[1].strip()
        replacement, unresolved = render_citation(cmd, keys, pre, post, ctx.references)
        if replacement is None:
            which = ", ".join(unresolved)
            known = [k for k in keys if k in ctx.references]
            why = "has no DOI or arXiv id" if all(k in ctx.references for k in unresolved) else "is not in the bibliography"
            yield Hit(
                s,
                e,
                f"LaTeX citation `{shown}` left in the text: {which} {why}; rewrite the sentence with a reference "
                f"link or drop the citation" + (f" (resolvable: {', '.join(known)})" if known else ""),
            )
            continue
        if s > 0 and replacement and replacement[0] == "(" and text[s - 1] not in " \t\n(":
            replacement = " " + replacement
        fitted = fitting_edit(seg.text, s, e, replacement)
        preview = replacement.strip()
        advice = f"write `{preview}`" if preview and len(preview) <= 120 else "use the reference's Markdown link"
        if not preview:
            advice = "remove it"
        yield Hit(
            m.start(),
            e,
            f"LaTeX citation `{shown}` left in the text: {advice}",
            Fix(*fitted, "replace the citation by its reference link(s)") if fitted else None,
        )


# ----- PT021 --------------------------------------------------------------------------------------------------
_REF_RE = re.compile(r"\\(ref|eqref|cref|Cref|autoref|pageref|label|url|href|footnote)\b\*?(?:\{([^{}\n]*)\})?")
_FORMAT_RE = re.compile(r"\\(emph|textit|textbf|textsc|texttt|underline|textrm|textsf|textup|textsl)\{([^{}\n]*)\}")
_ESCAPED_RE = re.compile(r"\\([%&])")
_TIE_RE = re.compile(r"~(?<=[^\W_]~|[.,;:)\]]~)(?=[^\W_]|[(\[])")
"""A tie joins two words (``Fig.~2``, ``et~al.``); a tilde after markup or an opening bracket (``**~1700``,
``(~3 dB)``) means "approximately" and is left alone. The tilde comes first, so the engine looks only at tildes
(with the look-behind first it tried it at every character: 7% of a full check)."""
_ENTITY_START_RE = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_ACCENT_RE = re.compile(r"\{?\\([`'^\"~=.])\{?([A-Za-z])\}?\}?")
_ACCENT_MARK_RE = re.compile(r"\\[`'^\"~=.]")
"""What every :data:`_ACCENT_RE` match holds: text without it is not scanned (the optional brace in front leaves
that pattern no literal to search for, so the engine tries it at every character)."""
_LOGO_RE = re.compile(r"\\(LaTeX|TeX|ldots|dots)\b(?:\{\})?")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)")
_CITE_NAME_RE = re.compile(rf"(?:{CITE_COMMANDS})\*?$")
_ACCENTS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307"}
_FORMAT_MD = {"emph": ("*", "_"), "textit": ("*", "_"), "textsl": ("*", "_"), "textbf": ("**", "__")}
_HTML_OF = {"*": "em", "_": "em", "**": "strong", "__": "strong"}
_INLINE_MD = MarkdownIt("commonmark")


@lru_cache(maxsize=4096)
def _render_inline(text: str) -> str:
    """What the site shows for a snippet of inline Markdown (CommonMark, as kramdown for these constructs)."""
    return _INLINE_MD.renderInline(text)


_TAGS_RE = re.compile(r"<[^>]*>")
_ELEMENTS = ("em", "strong", "code", "a")
_OPENING_RE = re.compile(r"<(em|strong|code|a)[ >]")


def _element_counts(html: str) -> dict[str, int]:
    counts = dict.fromkeys(_ELEMENTS, 0)
    for m in _OPENING_RE.finditer(html):
        counts[m.group(1)] += 1
    return counts
_CONTEXT = 80
"""Characters of the line on each side a fix is rendered with: enough for the delimiters around it to pair."""


_BLOCK_MD = MarkdownIt("commonmark")
_CLOSING = frozenset(".,;:!?)]}'\"\u2019\u201d\u2026")
_SENSITIVE = frozenset("*_`\\[]<>&!")
"""Characters whose meaning depends on their neighbours (emphasis flanking, code span runs, escapes, links, HTML,
entities): an edit that gives one of them a new neighbour is rendered before it is offered."""
_SPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=1024)
def _render_block(text: str) -> str:
    return _BLOCK_MD.render(text)


def _tag_counts(html: str) -> Counter:
    return Counter(re.findall(r"<([a-z][a-z0-9]*)[\s>/]", html))


def _own_place(visible: str, shown: str, shown_before: str) -> int:
    """Where ``shown`` (a command as the page shows it) stands in the page text ``visible``: past the copies the
    text before it shows (``shown_before``), not at an earlier twin; -1 when it is not there (tangled in markup)."""
    if not shown:
        return -1
    at = -1
    for _ in range(shown_before.count(shown) + 1):
        at = visible.find(shown, at + 1)
        if at == -1:
            return -1
    return at


_WINDOW = 200
"""Characters on each side of an edit that :func:`_renders_alike` renders (within the line before and the line
after it): enough for the emphasis around it to pair, and a long paragraph costs no more than a short one."""


def _renders_alike(text: str, start: int, end: int, replacement: str) -> bool:
    """Whether ``text`` (a segment: one paragraph or block) with ``text[start:end]`` replaced renders as before,
    with the replaced part's words and elements swapped for the replacement's: the same emphasis, code, links and
    blocks around it, and the same words in the same order (spacing aside). Judged on the lines around the edit
    (the line before decides whether a line can start a list or a heading), at most ``_WINDOW`` characters away."""
    line_before = text.rfind("\n", 0, max(text.rfind("\n", 0, start), 0)) + 1
    line_end = text.find("\n", end)
    line_after = -1 if line_end == -1 else text.find("\n", line_end + 1)
    lo = max(line_before, start - _WINDOW)
    hi = min(len(text) if line_after == -1 else line_after, end + _WINDOW)
    text, start, end = text[lo:hi], start - lo, end - lo
    old_html = _render_block(text)
    new_html = _render_block(text[:start] + replacement + text[end:])
    expected = _tag_counts(old_html)
    expected.subtract(_tag_counts(_render_inline(text[start:end])))
    expected.update(_tag_counts(_render_inline(replacement)))
    if +expected != +_tag_counts(new_html) or any(n < 0 for n in expected.values()):
        return False

    def words(html: str) -> str:
        return _SPACE_RE.sub("", _TAGS_RE.sub("", html))

    visible, gone = words(old_html), words(_render_inline(text[start:end]))
    at = _own_place(visible, gone, words(_render_inline(text[:start])))
    if at == -1:
        return False
    return words(new_html) == visible[:at] + words(_render_inline(replacement)) + visible[at + len(gone) :]


def fitting_edit(text: str, start: int, end: int, replacement: str, pad: bool = True) -> tuple[int, int, str] | None:
    """The edit (start, end, replacement) that replaces the command ``text[start:end]`` of a segment without
    disturbing what is around it, or None when every form would (the finding then keeps no fix).

    Deleting or replacing text joins its neighbours, and CommonMark judges ``*``, ``_`` and backticks by their
    neighbours: ``In\\nocite{a}**~1700**`` minus the command is ``In**~1700**``, whose ``**`` can no longer open
    (a letter before it, punctuation after), so the page shows four asterisks. So the forms a writer would choose
    are tried in order (a removal takes the space before it along when a space, line end or closing punctuation
    follows, keeps the spaces otherwise; a command on a line of its own goes with its line, which would otherwise
    split the paragraph; a spot glued on both sides may take a space instead), and where the edit gives markup
    characters new neighbours or has only markup before it on its line, the first form that renders alike (:func:`_renders_alike`) wins.
    ``pad=False`` tries no added space: for a letter inside a word (an accent), a space would split the word."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    pad_before = start > line_start and text[start - 1] in " \t"
    pad_after = end < line_end and text[end] in " \t"
    forms: list[tuple[int, int, str]] = []
    if replacement:
        forms.append((start, end, replacement))
        space_after = pad and end < line_end and not pad_after and not replacement[-1].isspace()
        space_before = pad and start > line_start and not pad_before and not replacement[0].isspace()
        if space_after:
            forms.append((start, end, replacement + " "))
        if space_before:
            forms.append((start, end, " " + replacement))
        if space_before and space_after:
            forms.append((start, end, " " + replacement + " "))
    elif not text[line_start:start].strip() and not text[end:line_end].strip():
        if line_end < len(text):
            forms.append((line_start, line_end + 1, ""))
        else:
            forms.append((max(line_start - 1, 0), line_end, ""))
    elif pad_before:
        shrink = (start - 1, end, "")
        if end == line_end or text[end] in " \t" or text[end] in _CLOSING:
            forms += [shrink, (start, end, "")]
        else:
            forms += [(start, end, ""), shrink]
    else:
        forms.append((start, end, ""))
        if start > line_start and not pad_after and end < line_end:
            forms.append((start, end, " "))
    for s, e, new in forms:
        joined = (text[s - 1] if s > 0 else "\n") + new[:1] + new[-1:] + (text[e] if e < len(text) else "\n")
        # Only markup before it on its line (``- ``, ``> ``, indentation): the edit may change the block.
        in_line_markup = not any(ch.isalnum() for ch in text[text.rfind("\n", 0, s) + 1 : s])
        if not (_SENSITIVE.intersection(joined) or in_line_markup):
            return s, e, new
        if _renders_alike(text, s, e, new):
            return s, e, new
    return None


def markdown_for(cmd: str, inner: str, text: str, start: int, end: int) -> str | None:
    """The Markdown for the command ``text[start:end]`` (``\\cmd{inner}``), checked by rendering it in place
    (CommonMark) with the rest of its line: against the line as it is, it must add exactly one element of its
    kind, keep every other element, and show the same text with the command's words in place of the command
    (``a**(x)**b``, ``** x**``, ``*x***bold**`` and ``_a_`` next to another ``_`` fail). Spaces inside the braces
    move outside the markup. None when no form passes: the finding keeps no fix rather than a fix that breaks
    the text."""
    core = inner.strip()
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    if not core:
        return lead + trail
    if cmd == "texttt":
        fence = "`" * (max((len(r) for r in re.findall(r"`+", core)), default=0) + 1)
        pad = " " if core.startswith("`") or core.endswith("`") else ""
        candidates = [(f"{fence}{pad}{core}{pad}{fence}", "code")]
    elif cmd in _FORMAT_MD:
        candidates = [(f"{d}{core}{d}", _HTML_OF[d]) for d in _FORMAT_MD[cmd]]
    else:
        return f"{lead}{core}{trail}"
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[max(line_start, start - _CONTEXT) : start]
    after = text[end : min(len(text) if line_end == -1 else line_end, end + _CONTEXT)]
    original = _render_inline(before + text[start:end] + after)
    shown_raw = _TAGS_RE.sub("", _render_inline(text[start:end]))
    visible = _TAGS_RE.sub("", original)
    at = _own_place(visible, shown_raw, _TAGS_RE.sub("", _render_inline(before)))
    if at == -1:
        return None  # the command is tangled in other markup: leave it to a person
    words = _TAGS_RE.sub("", _render_inline(lead + core + trail))
    expected = visible[:at] + words + visible[at + len(shown_raw) :]
    counts = _element_counts(original)
    for markdown, tag in candidates:
        html = _render_inline(before + lead + markdown + trail + after)
        found = _element_counts(html)
        if _TAGS_RE.sub("", html) == expected and all(found[t] == counts[t] + (t == tag) for t in _ELEMENTS):
            return f"{lead}{markdown}{trail}"
    return None


@rule("PT021", "warning", "other LaTeX left in prose outside math", scope="segment", fix="convert simple markup")
def other_latex(seg, ctx, opts):
    text = seg.info.prose
    if "\\" not in text and "~" not in text:
        return
    seen: list[tuple[int, int]] = []

    def hit(s, e, message, replacement=None, desc="convert to Markdown", pad=True):
        seen.append((s, e))
        fitted = fitting_edit(seg.text, s, e, replacement, pad) if replacement is not None else None
        return Hit(s, e, message, Fix(*fitted, desc) if fitted else None)

    for m in _REF_RE.finditer(text):
        cmd = m.group(1)
        if cmd == "label" and m.group(2) is not None:
            s = m.start() - 1 if m.start() > 0 and text[m.start() - 1] == " " else m.start()
            fitted = fitting_edit(seg.text, m.start(), m.end(), "")
            seen.append((s, m.end()))
            fix = Fix(*fitted, "remove the label") if fitted else None
            yield Hit(s, m.end(), f"`{m.group(0)}` is LaTeX: remove it", fix)
        else:
            yield hit(
                m.start(),
                m.end(),
                f"`{m.group(0)}` is LaTeX and will show as raw text: write the reference in words (\"Figure 2\")",
            )
    for m in _FORMAT_RE.finditer(text):
        cmd, inner = m.group(1), m.group(2)
        md = markdown_for(cmd, inner, seg.text, m.start(), m.end())
        yield hit(m.start(), m.end(), f"`\\{cmd}{{...}}` is LaTeX: use Markdown", md)
    for m in _ESCAPED_RE.finditer(text):
        plain = m.group(1)
        if plain == "&" and _ENTITY_START_RE.match(text, m.start() + 1):
            plain = "&amp;"  # a bare & would turn "\\&copy;" into the entity ©
        yield hit(m.start(), m.end(), f"`{m.group(0)}` is a LaTeX escape: write `{m.group(1)}`", plain)
    for m in _ACCENT_RE.finditer(text) if _ACCENT_MARK_RE.search(text) else ():
        char = unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)])
        yield hit(m.start(), m.end(), f"`{m.group(0)}` is a LaTeX accent: write `{char}`", char, pad=False)
    for m in _LOGO_RE.finditer(text):
        word = {"ldots": "…", "dots": "…"}.get(m.group(1), m.group(1))
        yield hit(m.start(), m.end(), f"`{m.group(0)}` is LaTeX: write `{word}`", word)
    for m in _TIE_RE.finditer(text):
        word_start = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        word_end = min((i for i in (text.find(" ", m.end()), text.find("\n", m.end())) if i != -1), default=len(text))
        if "/" in text[word_start:word_end]:
            continue  # part of a path, DOI or URL shown as text (a link label), not a tie between words
        yield hit(m.start(), m.end(), "`~` is a LaTeX tie: use a plain space", " ", "replace the tie by a space")
    covered = SpanIndex(seen)
    for m in _COMMAND_RE.finditer(text):
        s = m.start()
        if covered(s) or _CITE_NAME_RE.match(m.group(1)):
            continue
        yield Hit(
            s,
            m.end(),
            f"`{m.group(0)}` is a LaTeX command outside math: rewrite it in Markdown or put it inside $...$",
        )
