"""The paper's LaTeX as a document: main file, flattened text, sections, citations, conclusions, captions.

The panes, the lean prompt, the checker and the offline writer all need the same reading of the TeX source:
which file is the main one, what the text is once ``\\input`` files are spliced in and comments are gone, where
the appendix starts, what each section says, and which bibliography keys are cited how often.

Everything structural is found with regular expressions and brace matching (fast: a 0.5 MB source takes a small
fraction of a second); only the short pieces people read (title, abstract, headings, conclusion items) are
turned into Unicode text eagerly through pylatexenc. Section bodies and captions are converted on first access.

Sources come in two shapes. A real bundle (directory, archive, arXiv download) has separate files: a missing or
circular ``\\input`` there is an error naming the including file and line. A saved prompt has one TeX blob in
which the site glued every file together in archive order; there the main document is picked out of the blob
and ``\\input`` of files whose text is already somewhere in the blob is recorded as unresolved, not fatal.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Iterable

from .errors import LatexError
from .lazy_pattern import LazyPattern

if TYPE_CHECKING:
    from .paper import Paper, TexFile

# ----------------------------------------------------------------------------------------------------------------
# Citation commands
# ----------------------------------------------------------------------------------------------------------------

CITE_COMMANDS = (
    "cite", "citep", "citet", "citealt", "citealp", "citeauthor", "citeyear", "citeyearpar", "citenum",
    "citep*", "citet*", "parencite", "textcite", "autocite", "footcite", "smartcite", "supercite", "fullcite",
    "Cite", "Citep", "Citet", "Citealt", "Citealp", "Citeauthor", "Parencite", "Textcite", "Autocite",
    "Footcite", "Smartcite",
)
_CITE_NAMES = sorted({c.rstrip("*") for c in CITE_COMMANDS}, key=len, reverse=True)

CITE_COMMAND_RE = re.compile(
    r"\\(?P<command>" + "|".join(_CITE_NAMES) + r")(?![A-Za-z@])"
    r"(?P<star>\*?)"
    r"(?P<options>(?:\s*\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]){0,2})"
    r"\s*\{(?P<keys>[^{}]*)\}"
)
"""A citation command with its optional arguments and keys: works on LaTeX and on Markdown alike.

Groups: ``command`` (``citep``), ``star``, ``options`` (``[e.g.][]``), ``keys`` (``a,b``)."""


def split_keys(keys: str) -> list[str]:
    """The comma-separated keys of a citation command, stripped, empty ones dropped."""
    return [k.strip() for k in keys.split(",") if k.strip()]


@dataclass(frozen=True)
class Citation:
    command: str
    """Command name without backslash, with ``*`` when starred (``citep``, ``Citet*``)."""
    keys: tuple[str, ...]
    position: int
    """Offset in :attr:`LatexDocument.text`."""
    line: int = 0
    """Line in the file it was written in (see ``file``)."""
    file: str = ""


def find_citations(text: str) -> list[tuple[str, list[str], int]]:
    """``(command, keys, offset)`` for every citation command in ``text`` (LaTeX or Markdown)."""
    out = []
    for m in CITE_COMMAND_RE.finditer(text):
        out.append((m.group("command") + m.group("star"), split_keys(m.group("keys")), m.start()))
    return out


# ----------------------------------------------------------------------------------------------------------------
# Comment stripping
# ----------------------------------------------------------------------------------------------------------------

_VERBATIM_ENVS = ("verbatim", "verbatim*", "Verbatim", "Verbatim*", "lstlisting", "minted", "comment")
_SCAN_RE = LazyPattern(
    r"\\(?:verb\*?(?![A-Za-z])|begin\s*\{(?P<env>verbatim\*?|Verbatim\*?|lstlisting|minted|comment)\}|.)|%",
    re.S,
)


def _comment_start(text: str, start: int) -> int:
    """Where the first ``%`` comment at or after ``start`` begins (-1 if none), for text without verbatim
    (``\\verb``, verbatim or comment environments): a ``%`` after an odd run of backslashes is escaped (each
    backslash escapes the next character, so the run's last one escapes the ``%``); ``start`` must begin a line
    or follow an unescaped ``%``."""
    find = text.find
    while True:
        at = find("%", start)
        if at <= 0:
            return at
        run = at
        while run > 0 and text[run - 1] == "\\":
            run -= 1
        if not (at - run) & 1:
            return at
        start = at + 1


def _strip_plain_comments(text: str) -> str:
    """:func:`strip_comments` for text without verbatim (see :func:`_comment_start`): each line cut at its first
    unescaped ``%``, found by jumping from ``%`` to ``%`` instead of reading every backslash command."""
    pieces: list[str] = []
    pos = 0
    while True:
        at = _comment_start(text, pos)
        if at < 0:
            pieces.append(text[pos:])
            return "".join(pieces)
        pieces.append(text[pos:at])
        pos = text.find("\n", at)
        if pos < 0:
            return "".join(pieces)


def strip_comments(text: str) -> str:
    """Remove ``%`` comments and ``comment`` environments, keeping every newline (line numbers stay valid).

    ``\\%`` is a literal percent sign; ``%`` inside ``verbatim``/``lstlisting``/``minted`` and ``\\verb`` is kept.
    Only the lines that hold ``\\verb`` or such a ``\\begin`` (and an environment's lines up to its end) are read
    command by command; the stretches between them (most papers: the whole text) take the plain path.
    """
    out: list[str] = []
    pos = 0  # the start of a line outside any environment; text before it is done
    for special in _VERBATIM_MARK_RE.finditer(text):
        if special.start() < pos:
            continue  # on a line already read
        start = text.rfind("\n", pos, special.start()) + 1 or pos
        out.append(_strip_plain_comments(text[pos:start]))
        in_env: str | None = None
        while True:  # this line, then every line up to the end of an environment it opens
            end = text.find("\n", start)
            piece, in_env = _strip_line(text[start:] if end < 0 else text[start:end], in_env)
            out.append(piece)
            if end < 0:
                return "".join(out)
            out.append("\n")
            start = end + 1
            if in_env is None:
                break
        pos = start
    out.append(_strip_plain_comments(text[pos:]))
    return "".join(out)


_VERBATIM_MARK_RE = re.compile(r"\\verb|\\begin\s*\{(?:verbatim|Verbatim|lstlisting|minted|comment)")
"""Where :data:`_SCAN_RE` may find a token other than ``%`` and escapes (a few more places too): a line without
a match has no ``\\verb`` or verbatim/comment environment to track."""


def _strip_line(line: str, in_env: str | None) -> tuple[str, str | None]:
    """One line without its comment, read command by command from inside ``in_env`` (or outside any environment
    when None), and the environment still open at its end."""
    piece = ""
    pos = 0
    while True:
        if in_env is not None:
            end = line.find(f"\\end{{{in_env}}}", pos)
            if end < 0:
                if in_env != "comment":
                    piece += line[pos:]
                break
            stop = end + len(in_env) + 6
            if in_env != "comment":
                piece += line[pos:stop]
            pos = stop
            in_env = None
            continue
        if "%" not in line and "\\verb" not in line and "\\begin" not in line:
            piece += line[pos:]
            break
        m = _SCAN_RE.search(line, pos)
        if m is None:
            piece += line[pos:]
            break
        token = m.group(0)
        if token == "%":
            piece += line[pos : m.start()]
            break
        if m.group("env"):
            env = m.group("env")
            if env != "comment":
                piece += line[pos : m.end()]
            else:
                piece += line[pos : m.start()]
            pos = m.end()
            in_env = env
            continue
        if token.startswith("\\verb") and len(token) > 2 and token[2:].startswith("erb"):
            delim_at = m.end()
            if delim_at < len(line):
                close = line.find(line[delim_at], delim_at + 1)
                stop = close + 1 if close >= 0 else len(line)
                piece += line[pos:stop]
                pos = stop
                continue
        piece += line[pos : m.end()]
        pos = m.end()
    return piece, in_env


# Conditionals that are macros with arguments (no matching \fi) and must not be counted as \if...\fi pairs.
_NOT_CONDITIONALS = {
    "iff", "ifthenelse", "ifblank", "ifstrequal", "ifstrempty", "ifdef", "ifundef", "ifdefempty", "ifdefmacro",
    "ifbool", "iftoggle", "ifnumcomp", "ifdimcomp", "ifcsdef", "ifcsundef", "ifdefstring", "ifdefstrequal",
    "ifnumequal", "ifnumgreater", "ifnumless", "ifboolexpr", "ifboolexpe", "ifcsvoid", "ifdefvoid", "ifinlist",
    "ifdeflength", "ifltxcounter", "ifcsstring",
}
_COND_RE = LazyPattern(r"\\newif\s*\\if[A-Za-z@]+|\\(if[A-Za-z@]*|fi|else)(?![A-Za-z@])")


def _blank(text: str) -> str:
    """Replacement keeping only the newlines of ``text``."""
    return "\n" * text.count("\n")


def strip_iffalse(text: str) -> str:
    """Remove ``\\iffalse ... \\fi`` blocks (keeping an ``\\else`` branch), keeping newlines."""
    if "\\iffalse" not in text:
        return text
    pieces: list[str] = []
    pos = 0
    while True:
        start = text.find("\\iffalse", pos)
        while start >= 0 and text[start + 8 : start + 9].isalpha():
            start = text.find("\\iffalse", start + 8)
        if start < 0:
            pieces.append(text[pos:])
            break
        depth = 0
        else_at = None
        end = None
        for m in _COND_RE.finditer(text, start):
            name = m.group(1)
            if name is None or name in _NOT_CONDITIONALS:
                continue
            if name == "fi":
                depth -= 1
                if depth == 0:
                    end = m
                    break
            elif name == "else":
                if depth == 1 and else_at is None:
                    else_at = m
            else:
                depth += 1
        if end is None:  # unterminated: leave the rest alone rather than delete half the paper
            pieces.append(text[pos:])
            break
        pieces.append(text[pos:start])
        if else_at is not None:
            pieces.append(_blank(text[start : else_at.end()]))
            pieces.append(text[else_at.end() : end.start()])
        else:
            pieces.append(_blank(text[start : end.start()]))
        pos = end.end()
    return "".join(pieces)


def clean_tex(text: str) -> str:
    """Comments, comment environments and ``\\iffalse`` blocks removed; newlines kept."""
    return strip_iffalse(strip_comments(text))


# ----------------------------------------------------------------------------------------------------------------
# Brace helpers
# ----------------------------------------------------------------------------------------------------------------


def matching_brace(text: str, open_at: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``open_at`` (escaped braces ignored), or -1 if unbalanced."""
    depth = 0
    i = open_at
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _skip_options(text: str, pos: int) -> int:
    """Skip whitespace and any ``[...]`` optional arguments starting at ``pos``."""
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\n":
            pos += 1
        if pos < n and text[pos] == "[":
            depth = 0
            while pos < n:
                if text[pos] == "[":
                    depth += 1
                elif text[pos] == "]":
                    depth -= 1
                    if depth == 0:
                        pos += 1
                        break
                elif text[pos] == "{":
                    close = matching_brace(text, pos)
                    if close < 0:
                        return pos
                    pos = close
                pos += 1
            continue
        return pos


def macro_argument(text: str, macro_end: int) -> tuple[str, int, int] | None:
    """The first mandatory ``{...}`` argument after a macro ending at ``macro_end``: ``(content, start, end)``."""
    pos = _skip_options(text, macro_end)
    if pos >= len(text) or text[pos] != "{":
        return None
    close = matching_brace(text, pos)
    if close < 0:
        return None
    return text[pos + 1 : close], pos + 1, close + 1


def find_macro_arguments(text: str, name: str) -> list[tuple[str, int]]:
    """Every ``\\name[...]{arg}`` in ``text``: ``(arg, offset of the macro)``."""
    out = []
    for m in re.finditer(r"\\" + re.escape(name) + r"(?![A-Za-z@])\*?", text):
        arg = macro_argument(text, m.end())
        if arg is not None:
            out.append((arg[0], m.start()))
    return out


def environment_spans(text: str, env: str) -> list[tuple[int, int, int, int]]:
    """Outermost ``\\begin{env}...\\end{env}``: ``(begin, content_start, content_end, end)``; nesting handled."""
    pattern = re.compile(r"\\(begin|end)\s*\{" + re.escape(env) + r"\}")
    spans = []
    depth = 0
    start = content = 0
    for m in pattern.finditer(text):
        if m.group(1) == "begin":
            if depth == 0:
                start, content = m.start(), m.end()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((start, content, m.start(), m.end()))
    return spans


# ----------------------------------------------------------------------------------------------------------------
# LaTeX -> Unicode text (pylatexenc, made safe)
# ----------------------------------------------------------------------------------------------------------------


def _cite_repl(node, l2tobj=None):
    args = node.nodeargd.argnlist if node.nodeargd else []
    keys = args[-1] if args else None
    if keys is None:
        return ""
    text = keys.latex_verbatim().strip("{}") if hasattr(keys, "latex_verbatim") else ""
    return "[" + ", ".join(split_keys(text)) + "]"


def _arg_repl(index: int):
    def repl(node, l2tobj):
        args = node.nodeargd.argnlist if node.nodeargd else []
        if index < len(args) and args[index] is not None:
            return l2tobj.nodelist_to_text([args[index]])
        return ""

    return repl


def _verbatim_arg(node, l2tobj=None):
    args = node.nodeargd.argnlist if node.nodeargd else []
    if args and args[-1] is not None and hasattr(args[-1], "latex_verbatim"):
        return args[-1].latex_verbatim().strip("{}")
    return ""


@lru_cache(maxsize=1)
def _walker_db():
    from pylatexenc import latexwalker, macrospec

    db = latexwalker.get_default_latex_context_db()
    macros = [macrospec.MacroSpec(name, "*[[{") for name in _CITE_NAMES]
    macros += [
        macrospec.MacroSpec("href", "{{"),
        macrospec.MacroSpec("url", "{"),
        macrospec.MacroSpec("includegraphics", "*[[{"),
        macrospec.MacroSpec("label", "{"),
        macrospec.MacroSpec("ref", "*{"),
        macrospec.MacroSpec("eqref", "{"),
        macrospec.MacroSpec("cref", "*{"),
        macrospec.MacroSpec("Cref", "*{"),
        macrospec.MacroSpec("autoref", "*{"),
        macrospec.MacroSpec("thanks", "{"),
        macrospec.MacroSpec("footnote", "[{"),
        macrospec.MacroSpec("SI", "[{{"),
        macrospec.MacroSpec("si", "[{"),
        macrospec.MacroSpec("num", "[{"),
    ]
    db.add_context_category("posttui", macros=macros, prepend=True)
    from .fast_walker import index_specials

    index_specials(db)
    return db


def _base_text_macros():
    from pylatexenc import latex2text as macrospec  # MacroTextSpec lives in latex2text

    specs = [macrospec.MacroTextSpec(name, simplify_repl=_cite_repl) for name in _CITE_NAMES]
    specs += [
        macrospec.MacroTextSpec("href", simplify_repl=_arg_repl(1)),
        macrospec.MacroTextSpec("url", simplify_repl=_verbatim_arg),
        macrospec.MacroTextSpec("includegraphics", simplify_repl=""),
        macrospec.MacroTextSpec("label", simplify_repl=""),
        macrospec.MacroTextSpec("ref", simplify_repl="??"),
        macrospec.MacroTextSpec("eqref", simplify_repl="(??)"),
        macrospec.MacroTextSpec("cref", simplify_repl="??"),
        macrospec.MacroTextSpec("Cref", simplify_repl="??"),
        macrospec.MacroTextSpec("autoref", simplify_repl="??"),
        macrospec.MacroTextSpec("thanks", simplify_repl=""),
        macrospec.MacroTextSpec("footnote", simplify_repl=_arg_repl(1)),
        macrospec.MacroTextSpec("SI", simplify_repl=lambda n, l2tobj: " ".join(
            filter(None, (_arg_repl(1)(n, l2tobj), _arg_repl(2)(n, l2tobj))))),
        macrospec.MacroTextSpec("si", simplify_repl=_arg_repl(1)),
        macrospec.MacroTextSpec("num", simplify_repl=_arg_repl(1)),
    ]
    return specs


def _safe_converter_class():
    from .fast_walker import ReplArgsNodes2Text

    class SafeLatexNodes2Text(ReplArgsNodes2Text):
        """Keeps the text arguments of macros it does not know, and survives pylatexenc's own spec errors."""

        def _argument_text(self, node) -> str:
            argd = node.nodeargd
            if not argd or not argd.argnlist:
                return ""
            spec = argd.argspec or ""
            parts = []
            for kind, arg in zip(spec, argd.argnlist):
                if arg is not None and kind == "{":
                    parts.append(self._groupnodecontents_to_text(arg))
            return "".join(parts)

        def macro_node_to_text(self, node):
            if self.latex_context.get_macro_spec(node.macroname) is None:
                return self._argument_text(node)
            try:
                return super().macro_node_to_text(node)
            except Exception:  # e.g. \href with one argument crashes pylatexenc's default spec
                return self._argument_text(node)

    return SafeLatexNodes2Text


@lru_cache(maxsize=1)
def _default_converter():
    return _make_converter(())


@lru_cache(maxsize=32)
def _make_converter(user_macros: tuple[tuple[str, str], ...]):
    import logging

    from pylatexenc import latex2text

    logging.getLogger("pylatexenc").setLevel(logging.ERROR)  # it logs every macro it cannot substitute
    db = latex2text.get_default_latex_context_db()
    specs = _base_text_macros()
    for name, value in user_macros:
        specs.append(latex2text.MacroTextSpec(name, simplify_repl=lambda n, _v=value: _v))
    db.add_context_category("posttui", macros=specs, prepend=True)
    return _safe_converter_class()(latex_context=db, math_mode="verbatim", strict_latex_spaces=False)


_CRUDE_MACRO_RE = re.compile(r"\\[A-Za-z@]+\*?(?:\[[^\]]*\])?")


def _crude_text(latex: str) -> str:
    """Last-resort conversion when pylatexenc gives up: drop macro names and braces."""
    text = _CRUDE_MACRO_RE.sub(" ", latex)
    return text.replace("{", "").replace("}", "").replace("~", " ")


def tidy_text(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep at most one blank line between paragraphs."""
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_NEEDS_PARSING_RE = re.compile(r"[\\{}$~%&^_#`']|--")


def latex_to_text(latex: str, user_macros: tuple[tuple[str, str], ...] = ()) -> str:
    """Unicode text of a LaTeX fragment; math stays as ``$...$``; never raises on odd or broken input."""
    if not latex.strip():
        return ""
    if not _NEEDS_PARSING_RE.search(latex):  # plain words (most headings): nothing to convert
        return tidy_text(latex)
    from .fast_walker import PlainCharWalker

    converter = _make_converter(user_macros) if user_macros else _default_converter()
    try:
        walker = PlainCharWalker(latex, latex_context=_walker_db(), tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        text = converter.nodelist_to_text(nodes)
    except Exception:  # pylatexenc raises assorted errors on malformed input; text must still come out
        text = _crude_text(latex)
    return tidy_text(text)


def inline_text(latex: str, user_macros: tuple[tuple[str, str], ...] = ()) -> str:
    """:func:`latex_to_text` on one line (titles, headings, items)."""
    return " ".join(latex_to_text(latex, user_macros).split())


_NEWCOMMAND_RE = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|DeclareRobustCommand)\*?\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))"
    r"|\\(?:def|gdef|edef)\s*\\([A-Za-z]+)(?=\s*\{)"
)


def user_text_macros(preamble: str) -> tuple[tuple[str, str], ...]:
    """Argument-free macros the preamble defines (``\\newcommand{\\gambit}{\\textsf{GAMBIT}}``) as text.

    Without them a name defined by macro would silently vanish from every heading and sentence.
    """
    found: dict[str, str] = {}
    for m in _NEWCOMMAND_RE.finditer(preamble):
        name = m.group(1) or m.group(2) or m.group(3)
        pos = m.end()
        while pos < len(preamble) and preamble[pos] in " \t\n":
            pos += 1
        if pos < len(preamble) and preamble[pos] == "[":  # takes arguments: not a plain text macro
            continue
        if pos >= len(preamble) or preamble[pos] != "{":
            continue
        close = matching_brace(preamble, pos)
        if close < 0:
            continue
        body = preamble[pos + 1 : close]
        if "#" in body or len(body) > 200 or "\\" + name in body:
            continue
        if "$" not in body and re.search(r"\\(?:ensuremath|mathrm|mathbf|mathcal|mathit|mathsf)\b", body):
            value = f"${body}$"  # a math-only macro (\\msun): keep it readable as math
        else:
            value = inline_text(body)
            if re.search(r"(?:\\ |~|\\space|\\xspace)\s*$", body):
                value += " "  # "\\def\\eg{e.g.\\ }": the space TeX would eat after \\eg is part of the macro
        found[name] = value
    return tuple(sorted(found.items()))


# ----------------------------------------------------------------------------------------------------------------
# The document model
# ----------------------------------------------------------------------------------------------------------------

SECTION_LEVELS = {"part": 0, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3, "paragraph": 4}
_SECTION_RE = LazyPattern(r"\\(part|chapter|section|subsection|subsubsection|paragraph)(?![A-Za-z@])(\*?)")
_APPENDIX_RE = re.compile(r"\\appendix(?![A-Za-z@])|\\begin\s*\{appendix\}|\\begin\s*\{appendices\}")
_CONCLUSION_RE = re.compile(r"conclu|summary|summari", re.I)
_DISCUSSION_RE = re.compile(r"discussion|outlook", re.I)


@dataclass(eq=False)
class Section:
    level: int
    """0 part/chapter, 1 section, 2 subsection, 3 subsubsection, 4 paragraph."""
    title: str
    """Heading as Unicode text."""
    source: str = field(repr=False, default="")
    """LaTeX between this heading and the next heading of any level."""
    line: int = 0
    """Line of the heading in ``file``."""
    file: str = ""
    starred: bool = False
    appendix: bool = False
    position: int = 0
    """Offset of the heading in :attr:`LatexDocument.text`."""
    user_macros: tuple = field(default=(), repr=False)

    @cached_property
    def text(self) -> str:
        """The section's own body (up to the next heading) as Unicode text, converted on first use."""
        return latex_to_text(self.source, self.user_macros)


@dataclass(eq=False)
class LatexDocument:
    main_file: str
    text: str
    """The flattened main document, comments stripped (preamble included)."""
    preamble: str
    """Text before ``\\begin{document}``."""
    title: str = ""
    abstract: str = ""
    sections: list[Section] = field(default_factory=list)
    appendix_line: int | None = None
    """Line (in the flattened :attr:`text`) where the appendix starts, or None."""
    appendix_position: int | None = None
    conclusions: list[str] = field(default_factory=list)
    """Items of the conclusions/summary section's ``itemize``/``enumerate`` lists, as text."""
    caption_sources: list[str] = field(default_factory=list, repr=False)
    """LaTeX of every ``\\caption`` in the body, in order (see :attr:`captions` for the text)."""
    citation_counts: Counter = field(default_factory=Counter)
    citations: list[Citation] = field(default_factory=list)
    unresolved_inputs: list[str] = field(default_factory=list)
    """``\\input`` names whose file is not among the TeX files (only in lenient mode, e.g. a saved prompt)."""
    included_files: list[str] = field(default_factory=list)
    """Files spliced in, in order of first inclusion."""
    user_macros: tuple = field(default=(), repr=False)
    warnings: list[str] = field(default_factory=list)
    _segments: list = field(default_factory=list, repr=False)

    @cached_property
    def captions(self) -> list[str]:
        """Figure and table captions as text (converted on first use: long captions are slow to convert)."""
        texts = (inline_text(c, self.user_macros) for c in self.caption_sources)
        return [t for t in texts if t]

    @property
    def body(self) -> str:
        """Text between ``\\begin{document}`` and ``\\end{document}``."""
        start = len(self.preamble)
        m = re.search(r"\\begin\s*\{document\}", self.text[start:])
        body_start = start + m.end() if m else start
        end = _END_DOCUMENT_RE.search(self.text, body_start)
        return self.text[body_start : end.start() if end else len(self.text)]

    @property
    def cited_keys(self) -> list[str]:
        """Distinct cited keys in order of first citation."""
        return list(dict.fromkeys(k for c in self.citations for k in c.keys))

    def locate(self, position: int) -> tuple[str, int]:
        """``(file, line)`` in the original sources of an offset in :attr:`text`."""
        return _locate(self._segments, position)

    def line_of(self, position: int) -> int:
        """Line (1-based) of an offset in the flattened :attr:`text`."""
        return self.text.count("\n", 0, position) + 1

    def section_source(self, section: Section, *, subsections: bool = True) -> str:
        """LaTeX of a section including (by default) its subsections."""
        if not subsections:
            return section.source
        index = self.sections.index(section)
        parts = [section.source]
        for later in self.sections[index + 1 :]:
            if later.level <= section.level:
                break
            parts.append(later.source)
        return "\n".join(parts)

    def section_text(self, section: Section, *, subsections: bool = True) -> str:
        """Unicode text of a section including its subsections' headings and text."""
        if not subsections:
            return section.text
        index = self.sections.index(section)
        parts = [section.text]
        for later in self.sections[index + 1 :]:
            if later.level <= section.level:
                break
            parts.append(f"{later.title}\n\n{later.text}")
        return "\n\n".join(p for p in parts if p)

    @property
    def conclusions_section(self) -> Section | None:
        return _conclusions_section(self.sections)


_END_DOCUMENT_RE = re.compile(r"\\end\s*\{document\}")
_BEGIN_DOCUMENT_RE = re.compile(r"\\begin\s*\{document\}")
_DOCUMENTCLASS_RE = re.compile(r"\\documentclass(?![A-Za-z@])\s*(?:\[[^\]]*\])?\s*\{\s*([^}]*?)\s*\}")
_INPUT_RE = re.compile(
    r"\\(?P<cmd>input|include|subfile)(?![A-Za-z@])\s*(?:\{(?P<braced>[^{}]*)\}|(?P<bare>[^\s{}\\%]+))"
    r"|\\(?P<imp>import|subimport|inputfrom|subinputfrom|includefrom|subincludefrom)\*?"
    r"\s*\{(?P<dir>[^{}]*)\}\s*\{(?P<file>[^{}]*)\}"
)


_NEWLINES: dict[int, tuple[str, list[int]]] = {}


def _newline_offsets(text: str) -> list[int]:
    cached = _NEWLINES.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    offsets = [m.start() for m in re.finditer("\n", text)]
    if len(_NEWLINES) > 64:
        _NEWLINES.clear()
    _NEWLINES[id(text)] = (text, offsets)
    return offsets


def _locate(segments: list, position: int) -> tuple[str, int]:
    """``(file, line)`` of an offset in flattened text, from the segments the flattener recorded."""
    if not segments:
        return "", 0
    starts = [s[0] for s in segments]
    i = max(0, bisect.bisect_right(starts, position) - 1)
    out_start, name, src_start, src_text = segments[i]
    offset = max(0, src_start + (position - out_start))
    return name, bisect.bisect_left(_newline_offsets(src_text), offset) + 1


class _Flattener:
    """Splices ``\\input``/``\\include``/``\\subfile`` files into the main file, remembering where text came from."""

    MAX_DEPTH = 30

    def __init__(self, files: dict[str, str], lenient: bool, origin: str):
        self.files = files
        self.lenient = lenient
        self.origin = origin
        self.cleaned: dict[str, str] = {}
        self.lower = {name.lower(): name for name in files}
        self.pieces: list[str] = []
        self.segments: list = []
        self.length = 0
        self.unresolved: list[str] = []
        self.included: list[str] = []
        self.warnings: list[str] = []
        self.glued: list[tuple[int, int]] = []
        """Spans of the main text outside the main document, spliced in at the first unresolved body \\input."""
        self.splice_after = 0

    def clean(self, name: str) -> str:
        if name not in self.cleaned:
            self.cleaned[name] = clean_tex(self.files[name])
        return self.cleaned[name]

    def resolve(self, target: str, including: str, main: str) -> str | None:
        target = target.strip().strip('"').strip()
        if not target:
            return None
        bases = [posixpath.dirname(main), posixpath.dirname(including), ""]
        for base in dict.fromkeys(bases):
            joined = posixpath.normpath(posixpath.join(base, target))
            for candidate in (joined, joined + ".tex"):
                if candidate in self.files:
                    return candidate
                if candidate.lower() in self.lower:
                    return self.lower[candidate.lower()]
        return None

    def emit(self, name: str, text: str, start: int, end: int) -> None:
        if end <= start:
            return
        self.segments.append((self.length, name, start, text))
        self.pieces.append(text[start:end])
        self.length += end - start

    def run(self, name: str, main: str, stack: tuple[str, ...], text: str | None = None,
            start: int = 0, end: int | None = None, preamble: bool | None = None) -> None:
        """Emit ``text[start:end]`` of file ``name`` with its inputs spliced in.

        ``preamble`` says whether this file is read before ``\\begin{document}`` (None: the main file, where it is
        worked out per \\input). A preamble \\input that is missing (``glyphtounicode``, ``epsf``: files of the TeX
        installation, not the source) is recorded, not fatal.
        """
        text = self.clean(name) if text is None else text
        end = len(text) if end is None else end
        if len(stack) > self.MAX_DEPTH:
            raise LatexError(f"\\input nesting deeper than {self.MAX_DEPTH} files", path=f"{self.origin}:{name}")
        body_at = None
        if preamble is None:
            begin_document = _BEGIN_DOCUMENT_RE.search(text, start, end)
            body_at = begin_document.start() if begin_document else start
        pos = start
        scan = mask_verbatim(text)  # an \\input shown inside verbatim is an example, not an inclusion
        for m in _INPUT_RE.finditer(scan, start, end):
            in_preamble = preamble if preamble is not None else m.start() < body_at
            target = m.group("braced") if m.group("braced") is not None else m.group("bare")
            if m.group("imp"):
                target = posixpath.join(m.group("dir").strip(), m.group("file").strip())
            if target is None or "#" in target or not target.strip().strip('"'):
                continue
            line = text.count("\n", 0, m.start()) + 1
            resolved = self.resolve(target, name, main)
            if resolved is None:
                clean_target = target.strip().strip('"')
                ext = posixpath.splitext(clean_target)[1].lower()
                if self.lenient or in_preamble or (ext and ext != ".tex"):
                    # .bbl/.pdf_tex/.tikz... files are not TeX sources we hold; a blob already holds its inputs.
                    self.unresolved.append(clean_target)
                    if self.glued and name == main and m.start() >= self.splice_after and ext in ("", ".tex"):
                        # Text glued around the main document is most likely what these \inputs named: put it
                        # here, so its sections and citations count (their order among each other is archive order).
                        self.emit(name, text, pos, m.end())
                        for glued_start, glued_end in self.glued:
                            self.emit(name, text, glued_start, glued_end)
                            self.emit(name, "\n", 0, 1)
                        self.glued = []
                        pos = m.end()
                    continue
                command = m.group("cmd") or m.group("imp")
                raise LatexError(
                    f"line {line}: \\{command}{{{clean_target}}} names a file that is not in the source",
                    path=f"{self.origin}:{name}" if self.origin else name,
                    hint=f"add {clean_target}{'' if ext else '.tex'} to the source, or remove the \\{command}",
                )
            if resolved in stack:
                chain = " -> ".join(list(stack) + [resolved])
                raise LatexError(
                    f"line {line}: circular \\input ({chain})",
                    path=f"{self.origin}:{name}" if self.origin else name,
                    hint="remove the \\input that includes a file already being included",
                )
            self.emit(name, text, pos, m.start())
            if resolved not in self.included:
                self.included.append(resolved)
            child = self.clean(resolved)
            child_start, child_end = 0, len(child)
            begin = _BEGIN_DOCUMENT_RE.search(child)
            if begin and _DOCUMENTCLASS_RE.search(child, 0, begin.start()):  # a \subfile: keep its body only
                child_start = begin.end()
                finish = _END_DOCUMENT_RE.search(child, child_start)
                child_end = finish.start() if finish else len(child)
            self.run(resolved, main, stack + (resolved,), child, child_start, child_end, in_preamble)
            pos = m.end()
        self.emit(name, text, pos, end)

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def title_similarity(a: str, b: str) -> float:
    """Word overlap of two titles (0..1), used to pick the paper's document among several."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / max(len(wa), len(wb))


TITLE_MACROS = ("title", "Title", "icmltitle", "TITLE")


def _title_arguments(text: str) -> list[tuple[str, int]]:
    """``\\title`` arguments (and the class-specific spellings), in order of appearance."""
    found = [hit for name in TITLE_MACROS for hit in find_macro_arguments(text, name)]
    return sorted(found, key=lambda hit: hit[1])


def _latex_title(text: str) -> str:
    found = _title_arguments(text)
    return found[0][0] if found else ""


def _document_class(text: str) -> str | None:
    m = _DOCUMENTCLASS_RE.search(text)
    return m.group(1) if m else None


def _input_targets(text: str) -> list[str]:
    out = []
    for m in _INPUT_RE.finditer(text):
        target = m.group("braced") if m.group("braced") is not None else m.group("bare")
        if m.group("imp"):
            target = posixpath.join(m.group("dir").strip(), m.group("file").strip())
        if target:
            out.append(target.strip().strip('"'))
    return out


def find_main_file(files: dict[str, str], *, title: str = "", origin: str = "") -> str:
    """The name of the main TeX file among ``files`` (name -> text).

    A main file has ``\\documentclass``. With several: standalone figures and files without
    ``\\begin{document}`` drop out, then files another candidate includes, then ``main.tex``/``ms.tex`` win,
    then the one whose ``\\title`` matches the paper's title. Anything still ambiguous is an error.
    """
    cleaned = {name: clean_tex(text) for name, text in files.items()}
    candidates = [name for name, text in cleaned.items() if _document_class(text) is not None]
    if not candidates:
        names = ", ".join(files) or "none"
        raise LatexError(
            f"no TeX file has a \\documentclass (files: {names})",
            path=origin or None,
            hint="the main file must start with \\documentclass; check the source is complete",
        )
    if len(candidates) == 1:
        return candidates[0]

    def narrow(current: list[str], keep) -> list[str]:
        kept = [c for c in current if keep(c)]
        return kept or current

    current = narrow(candidates, lambda c: _document_class(cleaned[c]) not in ("standalone", "subfiles"))
    current = narrow(current, lambda c: _BEGIN_DOCUMENT_RE.search(cleaned[c]) is not None)
    flattener = _Flattener(files, True, origin)
    included = {flattener.resolve(t, c, c) for c in current for t in _input_targets(cleaned[c])}
    current = narrow(current, lambda c: c not in included)
    if len(current) > 1:
        preferred = [c for c in current if posixpath.splitext(posixpath.basename(c))[0].lower() in ("main", "ms")]
        if len(preferred) == 1:
            return preferred[0]
        if preferred:
            current = preferred
    if len(current) > 1 and title:
        scores = {c: title_similarity(inline_text(_latex_title(cleaned[c])), title) for c in current}
        best = max(scores.values())
        winners = [c for c in current if scores[c] == best]
        if best >= 0.5 and len(winners) == 1:
            return winners[0]
    if len(current) == 1:
        return current[0]
    raise LatexError(
        f"cannot tell which TeX file is the main one: {', '.join(sorted(current))} all have \\documentclass",
        path=origin or None,
        hint="rename the main file to main.tex (or ms.tex), or remove the other documents from the source",
    )


def _blob_documents(text: str) -> list[tuple[int, int]]:
    """Spans of the documents glued into one blob: each ``\\documentclass`` up to its ``\\end{document}``."""
    starts = [m.start() for m in _DOCUMENTCLASS_RE.finditer(text)]
    spans = []
    for i, start in enumerate(starts):
        limit = starts[i + 1] if i + 1 < len(starts) else len(text)
        begin = _BEGIN_DOCUMENT_RE.search(text, start, limit)
        if begin is None:
            spans.append((start, limit))
            continue
        finish = _END_DOCUMENT_RE.search(text, begin.end())
        # A nested \documentclass (e.g. a standalone figure glued inside) may sit before our \end{document}.
        spans.append((start, finish.end() if finish else len(text)))
    return spans


def _pick_blob_document(text: str, spans: list[tuple[int, int]], title: str) -> tuple[int, int]:
    def with_body(span):
        return _BEGIN_DOCUMENT_RE.search(text, span[0], span[1]) is not None

    usable = [s for s in spans if with_body(s) and _document_class(text[s[0] : s[1]]) != "standalone"] or spans
    if len(usable) == 1:
        return usable[0]
    if title:
        scored = [(title_similarity(inline_text(_latex_title(text[s[0] : s[1]])), title), s) for s in usable]
        best = max(score for score, _ in scored)
        if best >= 0.5:
            return next(s for score, s in scored if score == best)
    return max(usable, key=lambda s: s[1] - s[0])


def _is_glued(text: str) -> bool:
    """Whether one TeX text is several files glued together (more than one document, or text around it)."""
    cleaned = clean_tex(text)
    classes = list(_DOCUMENTCLASS_RE.finditer(cleaned))
    if len(classes) > 1:
        return True
    if not classes:
        return False
    end = _END_DOCUMENT_RE.search(cleaned, classes[0].end())
    before = cleaned[: classes[0].start()].strip()
    after = cleaned[end.end() :].strip() if end else ""
    return len(before) > 200 or len(after) > 200


# ----------------------------------------------------------------------------------------------------------------
# Analysis
# ----------------------------------------------------------------------------------------------------------------


def analyse_paper(paper: "Paper", *, lenient: bool | None = None, structure: bool = True) -> LatexDocument | None:
    """The flattened, analysed main document of a paper, or None when the paper has no TeX.

    ``lenient`` (default: the paper came from a saved prompt, or its only TeX file is several files glued
    together) records unresolvable ``\\input`` instead of raising. ``structure=False``: see :func:`analyse_text`.
    """
    if not paper.tex_files:
        return None
    if lenient is None:
        lenient = (
            paper.parts is not None
            or getattr(paper, "tex_glued", False)
            or (len(paper.tex_files) == 1 and _is_glued(paper.tex_files[0].text))
        )
    return analyse_files(paper.tex_files, title=paper.title, origin=paper.origin, lenient=lenient,
                         structure=structure)


def analyse_files(
    tex_files: "Iterable[TexFile] | dict[str, str]",
    *,
    title: str = "",
    origin: str = "",
    lenient: bool = False,
    structure: bool = True,
) -> LatexDocument:
    """Analyse TeX files (``TexFile`` list or name -> text mapping); see :func:`analyse_paper`."""
    if isinstance(tex_files, dict):
        files = dict(tex_files)
    else:
        files = {}
        for f in tex_files:
            name = f.name
            n = 2
            while name in files:  # a blob may repeat names; keep every piece
                name = f"{f.name}#{n}"
                n += 1
            files[name] = f.text
    if not files:
        raise LatexError("no TeX files to analyse", path=origin or None)
    warnings: list[str] = []
    if lenient:
        main, text, segments, unresolved, included, notes = _flatten_lenient(files, title, origin)
        warnings += notes
    else:
        main = find_main_file(files, title=title, origin=origin)
        flattener = _Flattener(files, False, origin)
        flattener.run(main, main, (main,))
        text, segments = flattener.text, flattener.segments
        unresolved, included = flattener.unresolved, flattener.included
        warnings += flattener.warnings
    if unresolved:
        warnings.append(f"{len(unresolved)} \\input file(s) not found in the source: {', '.join(unresolved[:5])}"
                        + (" ..." if len(unresolved) > 5 else ""))
    return analyse_text(text, main_file=main, segments=segments, unresolved=unresolved, included=included,
                        warnings=warnings, structure=structure)


def _flatten_lenient(files: dict[str, str], title: str, origin: str):
    """Main document out of glued text (or separate files) without failing on inputs the blob already holds."""
    cleaned = {name: clean_tex(t) for name, t in files.items()}
    with_class = [name for name, t in cleaned.items() if _DOCUMENTCLASS_RE.search(t)]
    if not with_class:
        raise LatexError(
            "no \\documentclass in the TeX source",
            path=origin or None,
            hint="the source must contain the paper's main file (starting with \\documentclass)",
        )
    if len(with_class) == 1:
        main = with_class[0]
    else:
        try:
            main = find_main_file(files, title=title, origin=origin)
        except LatexError:
            main = max(with_class, key=lambda n: len(cleaned[n]))
    flattener = _Flattener(files, True, origin)
    flattener.cleaned = cleaned
    text = cleaned[main]
    spans = _blob_documents(text)
    start, end = _pick_blob_document(text, spans, title)
    glued = _outside(text, spans, len(text))
    if glued:
        flattener.glued = glued
        begin = _BEGIN_DOCUMENT_RE.search(text, start, end)
        flattener.splice_after = begin.end() if begin else start
    flattener.run(main, main, (main,), text, start, end)
    if flattener.glued == [] and glued:
        flattener.warnings.append("text glued around the main document was placed at its first unresolved \\input")
    return main, flattener.text, flattener.segments, flattener.unresolved, flattener.included, flattener.warnings


def _outside(text: str, spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The parts of ``text`` not covered by any document span (other files glued before and after)."""
    out = []
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            out.append((pos, start))
        pos = max(pos, end)
    if pos < length:
        out.append((pos, length))
    return [(a, b) for a, b in out if text[a:b].strip()]


def analyse_text(
    text: str,
    *,
    main_file: str = "",
    segments: list | None = None,
    unresolved: list[str] | None = None,
    included: list[str] | None = None,
    warnings: list[str] | None = None,
    structure: bool = True,
) -> LatexDocument:
    """Analyse an already flattened, comment-stripped document text.

    ``structure=False`` stops after the text, preamble, user macros and warnings (everything the lean prompt
    reads: :attr:`LatexDocument.body` and the macros): title, abstract, sections, conclusions, captions and
    citations stay empty. The fields it fills are the full analysis's, which adds no warnings of its own."""
    segments = segments if segments is not None else [(0, main_file, 0, text)]
    scan = mask_verbatim(text)  # structure is found here; a \\section in a verbatim example is not a section
    begin = _BEGIN_DOCUMENT_RE.search(scan)
    preamble = text[: begin.start()] if begin else ""
    body_start = begin.end() if begin else 0
    finish = _END_DOCUMENT_RE.search(scan, body_start)
    body_end = finish.start() if finish else len(text)
    macros = user_text_macros(scan[: len(preamble)])

    doc = LatexDocument(
        main_file=main_file,
        text=text,
        preamble=preamble,
        unresolved_inputs=list(unresolved or []),
        included_files=list(included or []),
        user_macros=macros,
        warnings=list(warnings or []),
        _segments=segments,
    )
    if not structure:
        return doc
    title_raw = _title_arguments(scan[:body_end])
    if title_raw:
        doc.title = inline_text(_drop_thanks(title_raw[0][0]), macros)
    doc.abstract = _abstract(scan, body_start, body_end, macros)

    appendix = _APPENDIX_RE.search(scan, body_start, body_end)
    if appendix:
        doc.appendix_position = appendix.start()
        doc.appendix_line = doc.line_of(appendix.start())
    doc.sections = _sections(scan, text, body_start, body_end, doc.appendix_position, segments, macros)
    conclusion = _conclusions_section(doc.sections)
    if conclusion is not None:
        doc.conclusions = list_items(mask_verbatim(doc.section_source(conclusion)), macros)
    doc.caption_sources = [c for c, _ in find_macro_arguments(scan[body_start:body_end], "caption")]
    for m in CITE_COMMAND_RE.finditer(scan, body_start, body_end):
        keys = tuple(split_keys(m.group("keys")))
        file, line = _locate(segments, m.start())
        doc.citations.append(Citation(m.group("command") + m.group("star"), keys, m.start(), line, file))
        doc.citation_counts.update(keys)
    return doc


_VERBATIM_BLOCK_RE = LazyPattern(
    r"(\\begin\s*\{(verbatim\*?|Verbatim\*?|lstlisting|minted)\}(?:\{[^{}\n]*\})?)(.*?)(\\end\s*\{\2\})", re.S
)
_VERB_RE = LazyPattern(r"(\\verb\*?)([^A-Za-z\s*])(.*?)\2")


def mask_verbatim(text: str) -> str:
    """``text`` with the contents of verbatim environments and ``\\verb`` blanked (same length, same newlines).

    Structure (headings, citations, captions) is searched in the masked text, so LaTeX shown as an example in a
    ``verbatim`` block does not count; offsets stay valid in the original.
    """
    if "verb" not in text and "lstlisting" not in text and "minted" not in text:
        return text

    def blank(m: re.Match, group: int) -> str:
        inner = m.group(group)
        return re.sub(r"[^\n]", " ", inner)

    text = _VERBATIM_BLOCK_RE.sub(lambda m: m.group(1) + blank(m, 3) + m.group(4), text)
    return _VERB_RE.sub(lambda m: m.group(1) + m.group(2) + blank(m, 3) + m.group(2), text)


def _drop_thanks(latex: str) -> str:
    for name in ("thanks", "footnote", "tnoteref", "fnref"):
        for arg, start in reversed(find_macro_arguments(latex, name)):
            m = re.compile(r"\\" + name + r"\*?").match(latex, start)
            found = macro_argument(latex, m.end()) if m else None
            if found:
                latex = latex[:start] + latex[found[2] :]
    return latex.replace("\\\\", " ")


def _abstract(text: str, body_start: int, body_end: int, macros) -> str:
    spans = environment_spans(text[:body_end], "abstract") or environment_spans(text[:body_end], "sciabstract")
    if spans:
        _, content_start, content_end, _ = spans[0]
        return latex_to_text(text[content_start:content_end], macros)
    found = find_macro_arguments(text[:body_end], "abstract")
    if found:
        return latex_to_text(found[0][0], macros)
    return ""


def _sections(scan: str, text: str, start: int, end: int, appendix_at: int | None, segments, macros) -> list[Section]:
    """Headings found in ``scan`` (verbatim masked); bodies sliced from ``text`` (the same offsets)."""
    headings = []
    for m in _SECTION_RE.finditer(scan, start, end):
        arg = macro_argument(scan, m.end())
        if arg is None or arg[1] - m.end() > 400:
            continue
        headings.append((m, arg))
    sections = []
    stop_bib = re.compile(r"\\bibliography\s*\{|\\begin\s*\{thebibliography\}|\\printbibliography")
    for i, (m, arg) in enumerate(headings):
        body_from = arg[2]
        body_to = headings[i + 1][0].start() if i + 1 < len(headings) else end
        bib = stop_bib.search(scan, body_from, body_to)
        if bib:
            body_to = bib.start()
        file, line = _locate(segments, m.start())
        sections.append(
            Section(
                level=SECTION_LEVELS[m.group(1)],
                title=inline_text(arg[0], macros),
                source=text[body_from:body_to],
                line=line,
                file=file,
                starred=bool(m.group(2)),
                appendix=appendix_at is not None and m.start() > appendix_at,
                position=m.start(),
                user_macros=macros,
            )
        )
    return sections


def _conclusions_section(sections: list[Section]) -> Section | None:
    main = [s for s in sections if not s.appendix]
    top = min((s.level for s in main), default=1)
    for pattern in (_CONCLUSION_RE, _DISCUSSION_RE):
        for level in sorted({s.level for s in main}):
            matches = [s for s in main if s.level == level and pattern.search(s.title)]
            if matches and level <= top + 1:
                return matches[-1]
    return None


_LIST_ENVS = ("itemize", "enumerate", "description")
_LIST_EDGE_RE = LazyPattern(r"\\(begin|end)\s*\{(itemize|enumerate|description)\}|\\item(?![A-Za-z@])")


def list_items(latex: str, user_macros: tuple = ()) -> list[str]:
    """Text of the top-level ``\\item``s of every ``itemize``/``enumerate``/``description`` in ``latex``.

    Nested lists stay inside their parent item's text; a description label becomes ``label: text``.
    """
    items: list[str] = []
    depth = 0
    current_start: int | None = None

    def flush(end: int) -> None:
        nonlocal current_start
        if current_start is None:
            return
        raw = latex[current_start:end]
        label = ""
        stripped = raw.lstrip()
        if stripped.startswith("["):
            close = _skip_options(stripped, 0)
            label_end = stripped.rfind("]", 0, close)
            label = inline_text(stripped[1:label_end], user_macros)
            raw = stripped[close:]
        text = inline_text(raw, user_macros)
        if label and text:
            text = f"{label}: {text}"
        elif label:
            text = label
        if text:
            items.append(text)
        current_start = None

    for m in _LIST_EDGE_RE.finditer(latex):
        kind = m.group(1)
        if kind == "begin":
            depth += 1
        elif kind == "end":
            if depth == 1:
                flush(m.start())
            depth = max(0, depth - 1)
        elif depth == 1:
            flush(m.start())
            current_start = m.end()
    return items
