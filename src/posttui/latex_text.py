"""LaTeX fragments to plain Unicode text (accents, ``~``, journal macros), safe on any input.

Bibliography entries, author names and titles arrive as LaTeX (``Bal\\'azs``, ``K{\\"u}hne``, ``\\mnras``,
``\\bibinfo{title}{...}``). The panes, the matcher and the offline writer want readable text. pylatexenc does the
work; this module teaches it the macros bibliography styles use and guarantees never to raise: malformed input
falls back to a crude macro strip, because a broken entry must not stop a paper from opening.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


# Journal abbreviation macros of the AAS/MNRAS/natbib world (aas_macros.sty), rendered as their usual short names.
JOURNAL_MACROS = {
    "aj": "AJ", "actaa": "Acta Astron.", "araa": "ARA&A", "apj": "ApJ", "apjl": "ApJL", "apjs": "ApJS",
    "ao": "Appl. Opt.", "apss": "Ap&SS", "aap": "A&A", "aapr": "A&A Rev.", "aaps": "A&AS", "azh": "AZh",
    "baas": "BAAS", "jcap": "JCAP", "jrasc": "JRASC", "memras": "MmRAS", "mnras": "MNRAS", "na": "New A",
    "nar": "New A Rev.", "pra": "Phys. Rev. A", "prb": "Phys. Rev. B", "prc": "Phys. Rev. C", "prd": "Phys. Rev. D",
    "pre": "Phys. Rev. E", "prl": "Phys. Rev. Lett.", "pasa": "PASA", "pasp": "PASP", "pasj": "PASJ",
    "qjras": "QJRAS", "skytel": "S&T", "solphys": "Sol. Phys.", "sovast": "Soviet Ast.", "ssr": "Space Sci. Rev.",
    "zap": "ZAp", "nat": "Nature", "iaucirc": "IAU Circ.", "aplett": "Astrophys. Lett.", "physrep": "Phys. Rep.",
    "physscr": "Phys. Scr.", "nphysa": "Nucl. Phys. A", "procspie": "Proc. SPIE", "epjc": "Eur. Phys. J. C",
    "jhep": "JHEP", "cqg": "Class. Quantum Grav.", "rmp": "Rev. Mod. Phys.", "plb": "Phys. Lett. B",
    "npb": "Nucl. Phys. B", "natas": "Nat. Astron.", "aapm": "A&AM", "grl": "Geophys. Res. Lett.",
}

# Macros whose arguments are structure, not text: (name, argspec, how to render the parsed arguments).
_ARG_MACROS: list[tuple[str, str, object]] = [
    ("bibinfo", "{{", 1),  # \bibinfo{field}{value} -> value
    ("bibfield", "{{", 1),
    ("href", "{{", 1),  # \href{url}{text} -> text
    ("url", "{", 0),
    ("doi", "{", 0),
    ("eprint", "{{", "eprint"),
    ("natexlab", "{", 0),
    ("BibitemShut", "{", None),
    ("bibfnamefont", "{", 0),
    ("citenamefont", "{", 0),
    ("bibnamefont", "{", 0),
    ("MakeLowercase", "{", 0),
    ("MakeUppercase", "{", 0),
    ("textsf", "{", 0),
    ("textrm", "{", 0),
    ("textsc", "{", 0),
    ("textup", "{", 0),
    ("textmd", "{", 0),
    ("textnormal", "{", 0),
    ("JournalTitle", "{", 0),
    ("Eprint", "{{", 1),
    ("verb", "{", 0),
    ("field", "{{", 1),
    ("name", "{", None),
]
_EMPTY_MACROS = ["BibitemOpen", "protect", "newblock", "penalty", "relax", "doiprefix", "urlprefix", "ignorespaces",
                 "unskip", "bibAnnoteFile", "bibAnnote", "GB", "doibase", "EOS"]


def _render(which):
    def repl(node, l2tobj):
        args = node.nodeargd.argnlist if node.nodeargd else []
        if which is None:
            return ""
        if which == "eprint":
            parts = [l2tobj.nodelist_to_text([a]) if a is not None else "" for a in args[:2]]
            return ":".join(p for p in parts if p)
        if which < len(args) and args[which] is not None:
            return l2tobj.nodelist_to_text([args[which]])
        return ""

    return repl


@lru_cache(maxsize=1)
def _contexts():
    from pylatexenc import latex2text, latexwalker, macrospec

    from .fast_walker import ReplArgsNodes2Text, index_specials

    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category(
        "posttui-bib",
        prepend=True,
        macros=[macrospec.MacroSpec(name, args) for name, args, _ in _ARG_MACROS],
    )
    text_db = latex2text.get_default_latex_context_db()
    text_specs = [latex2text.MacroTextSpec(name, simplify_repl=_render(which)) for name, _, which in _ARG_MACROS]
    text_specs += [latex2text.MacroTextSpec(name, simplify_repl="") for name in _EMPTY_MACROS]
    text_specs += [latex2text.MacroTextSpec(name, simplify_repl=value) for name, value in JOURNAL_MACROS.items()]
    text_specs.append(latex2text.MacroTextSpec("textquoteright", simplify_repl="\u2019"))
    text_specs.append(latex2text.MacroTextSpec("textquoteleft", simplify_repl="\u2018"))
    text_db.add_context_category("posttui-bib", prepend=True, macros=text_specs)
    index_specials(walker_db)
    return walker_db, ReplArgsNodes2Text(latex_context=text_db, math_mode="text", strict_latex_spaces=False)


_PRE = [
    (re.compile(r"\\penalty-?\d+"), " "),
    (re.compile(r"\\(?:newblock|BibitemOpen)\b"), " "),
    (re.compile(r"\\(?:make)?at(?:letter|other)\b"), ""),
    (re.compile(r"\\[a-zA-Z]+@[a-zA-Z@]*"), " "),  # internal macros (\mn@doi, \href@noop): no text of their own
    (re.compile(r"\\(?:[,;:! ]|/)"), " "),
]
_PRE_ANY = re.compile(r"\\(?:penalty|newblock|BibitemOpen|makeat|at|[a-zA-Z]+@|[,;:! /])")
"""Where any _PRE pattern could match (the patterns without their lookarounds): most fragments have none."""
_SPACES = re.compile(r"\s+")


# ----- fast path: the handful of constructs bibliography text is made of, without a full LaTeX parse -----------
_COMBINING = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
              ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
              "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_SYMBOL_ACCENT = re.compile(r"\\(['\"`^~=.])\s*(?:\{\s*(\\?[a-zA-Z])\s*\}|(\\?[a-zA-Z]))")
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*(\\?[a-zA-Z])\s*\}|\s+(\\?[a-zA-Z]))")
_SPECIAL_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
                    "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ"}
_SPECIAL_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![a-zA-Z])\s?")
_FORMAT_MACROS = re.compile(
    r"\\(?:emph|text(?:it|bf|sf|rm|tt|sc|up|md|sl|normal)|mbox|bf|it|em|tt|sc|rm|sl|sf|itshape|bfseries|ttfamily|"
    r"normalfont|scshape|upshape|mdseries|rmfamily|sffamily|protect|relax|ignorespaces|unskip|newblock|BibitemOpen|"
    r"MakeLowercase|MakeUppercase|natexlab|JournalTitle|bibnamefont|bibfnamefont|citenamefont|noopsort)(?![a-zA-Z])\s*")
_TWO_ARG_FIRST_DROPPED = re.compile(r"\\(?:bibinfo|bibfield)\s*\{[^{}]*\}\s*|\\GB(?![a-zA-Z])\s*")
_JOURNAL_RE = re.compile(r"\\(" + "|".join(sorted(JOURNAL_MACROS, key=len, reverse=True)) + r")(?![a-zA-Z])\s*")
_ACCENT_ANY = re.compile(r"\\(?:['\"`^~=.uvHckrdb]|ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)")
"""Where _SYMBOL_ACCENT, _LETTER_ACCENT or _SPECIAL_RE could match (their first characters)."""
_CONTROL_WHITESPACE = re.compile(r"\\[\t\n\r\f\v]")
"""A backslash before a line break or other whitespace but a space (``\\`` at a line end): pylatexenc reads the two
characters as a macro with no text and no arguments, keeping any whitespace after them (``\\ `` is _PRE's)."""
_JOINS_AFTER = re.compile(r"[-`'](?:\\[\t\n\r\f\v])+")
_JOINS_ACROSS_BRACES = re.compile(r"[-`'][{}]+[-`']")
"""Characters that would join into a dash or a quote once the braces between them go (``-{}-``, ``-{-``, and
``-{}\\`` + line break + ``-`` once the control whitespace is gone): the parser keeps them apart."""
_ESCAPES = [("\\&", "&"), ("\\%", "%"), ("\\_", "_"), ("\\#", "#"), ("\\$", "$"), ("\\{", "{"),
            ("\\}", "}")]
NO_TEXT_MACROS = ("ppnp", "pdu", "epjp", "arnps", "njp", "pos", "cpc", "code", "NATBIBORDER", "raisebox", "nolinkurl")
"""Macros of bibliography styles that the converter does not know (journal abbreviations aas_macros lacks, code,
link and box macros): pylatexenc reads each as a macro without arguments and without text, and drops the spaces
after it up to a blank line; what follows (``\\raisebox{-0.5ex}``'s group) is read as if it were not there. A test
checks that the converter's context knows none of them."""
GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
}
"""The converter's text of each Greek letter macro (a test compares every one with it)."""
_POST_SPACE = r"(?:(?!\n\n)\s)*"
"""The spaces pylatexenc gives a letter macro (it reads them with the macro): whitespace up to a blank line."""
_STYLE_MACROS = re.compile(
    r"\\(?:(?P<none>" + "|".join(sorted(NO_TEXT_MACROS, key=len, reverse=True)) + r")(?![^\W\d_])" + _POST_SPACE
    + r"|(?P<tilde>textasciitilde)(?![^\W\d_])" + _POST_SPACE
    + r"|(?P<shut>BibitemShut)" + _POST_SPACE + r"\{[^{}\\%]*\}"
    + r"|cite\{(?P<cite>[^{}\\%]*)\}"
    + r"|ensuremath\{\\(?P<greek>" + "|".join(sorted(GREEK_LETTERS, key=len, reverse=True)) + r")\}"
    + r")"
)
"""The few macros the fast path reads besides those above, each in the one form whose text is plain: a macro of
:data:`NO_TEXT_MACROS` (no text), ``\\textasciitilde`` (``~``), ``\\BibitemShut{..}`` (no text: the spec above),
``\\cite{key}`` (the converter's ``<cit.>``) and ``\\ensuremath{\\alpha}`` (the letter). ``(?![^\\W\\d_])``: a macro
name runs on over any letter (pylatexenc reads Unicode letters too)."""
_STYLE_ANY = re.compile(r"\\(?:" + "|".join(NO_TEXT_MACROS) + r"|textasciitilde|BibitemShut|cite\{|ensuremath\{)")
_NO_ARGUMENTS = frozenset(NO_TEXT_MACROS) | frozenset(JOURNAL_MACROS) | frozenset(
    ("em", "it", "bf", "tt", "sc", "rm", "sl", "sf", "itshape", "bfseries", "ttfamily", "normalfont", "scshape",
     "upshape", "mdseries", "rmfamily", "sffamily", "protect", "relax", "ignorespaces", "unskip", "newblock",
     "BibitemOpen", "GB"))
"""Macros the fast path removes with every space after them that take no arguments in the converter's context (a
test checks both): a macro after one of them (and a space) is not its argument."""
_ARGUMENT_COUNTS = {name: 0 for name in _NO_ARGUMENTS} | {
    name: len(spec) for name, spec, _ in _ARG_MACROS if set(spec) == {"{"}}
"""Macros whose (mandatory, braced) argument count the fast path knows: the context's own specs above."""


def _accent(mark: str, letter: str) -> str:
    if letter.startswith("\\"):
        letter = {"\\i": "i", "\\j": "j"}.get(letter, letter[1:])
    return unicodedata.normalize("NFC", letter + _COMBINING[mark])


def _fast_text(text: str) -> str | None:
    """Plain text for simple fragments, or None when something needs the real parser (math, unknown macros)."""
    if "$" in text or "\\\\" in text or "\x00" in text:  # NUL marks the escape placeholders below
        return None
    out = text
    placeholders = {}
    if "\\" in out:  # accents, macros and escapes all start with a backslash; plain text skips these passes
        if _STYLE_ANY.search(out):
            out = _style_macros(out, placeholders)
            if out is None:
                return None
        if _ACCENT_ANY.search(out):  # else none of the three passes below changes anything
            out = _SYMBOL_ACCENT.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), out)
            out = _LETTER_ACCENT.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), out)
            out = _SPECIAL_RE.sub(lambda m: _SPECIAL_LETTERS[m.group(1)], out)
        if "\\bib" in out or "\\GB" in out:
            out = _TWO_ARG_FIRST_DROPPED.sub("", out)
        out = _FORMAT_MACROS.sub("", out)
        out = _JOURNAL_RE.sub(lambda m: JOURNAL_MACROS[m.group(1)], out)
        out = out.replace("\\textquoteright", "\u2019").replace("\\textquoteleft", "\u2018")
        for i, (escaped, char) in enumerate(_ESCAPES):
            if escaped in out:
                key = f"\x00{chr(0xE000 + i)}"  # NUL starts only keys, so no key can be read across two
                placeholders[key] = char
                out = out.replace(escaped, key)
        if "\\" in out and _CONTROL_WHITESPACE.search(out):
            if _JOINS_AFTER.search(out):  # its neighbours could join into `--` or ``: leave it to the parser
                return None
            out = _CONTROL_WHITESPACE.sub("", out)
        if "\\" in out:
            return None
    if ("{" in out or "}" in out) and _JOINS_ACROSS_BRACES.search(out):
        return None  # `-{}-` is two hyphens to the parser, which never joins characters across a group's edge
    out = out.replace("{", "").replace("}", "").replace("~", " ")
    out = out.replace("---", "\u2014").replace("--", "\u2013").replace("``", "\u201c").replace("''", "\u201d")
    for key, char in placeholders.items():
        out = out.replace(key, char)
    return out


def _style_macros(text: str, placeholders: dict[str, str]) -> str | None:
    """``text`` with the macros of :data:`_STYLE_MACROS` replaced by their text, as placeholders kept from the later
    passes (``~``; an empty one for a macro without text, so that the characters on its two sides stay apart, as
    the parser keeps them: ``-\\ppnp-`` is two hyphens, not a dash), or None when one of them is in a place where
    it could read differently: right after a macro or a group that could take it as an argument, or before a
    blank line."""
    failed = False

    def replace(m: re.Match) -> str:
        nonlocal failed
        if failed or _may_be_an_argument(text, m.start()):
            failed = True
            return ""
        if m.group("cite") is not None:
            return "<cit.>"
        if m.group("greek"):
            return GREEK_LETTERS[m.group("greek")]
        if not m.group("tilde") and text.startswith("\n\n", m.end()):
            failed = True  # its spaces stopped at a blank line, which the parser keeps apart
            return ""
        key = f"\x00{chr(0xE000 + len(_ESCAPES) + (0 if m.group('tilde') else 1))}"  # after the escapes' keys
        placeholders[key] = "~" if m.group("tilde") else ""
        return key

    out = _STYLE_MACROS.sub(replace, text)
    return None if failed else out


def _may_be_an_argument(text: str, start: int) -> bool:
    """Whether the macro at ``text[start]`` could be read as an argument of what comes before it, going back
    over the groups before it: a macro with more arguments than those groups (known counts only: the specs of
    :data:`_ARG_MACROS` and :data:`_NO_ARGUMENTS`; any other macro counts as a yes), ``]``, a control symbol
    (``\\'``, a backslash before a space), or a blank line on the way. A macro right before the one to be
    replaced (no space) counts too: its name would run on into the replacement."""
    groups = 0
    pos = start
    while True:
        end = pos
        while end > 0 and text[end - 1].isspace():
            end -= 1
        if "\n\n" in text[end:pos]:
            return True
        if end == 0:
            return False
        c = text[end - 1]
        if c == "}":
            opening = _group_start(text, end - 1)
            if opening is None:  # a brace without its opening: the parser drops it (the text was cut at a $)
                pos = end - 1
            else:
                groups += 1
                pos = opening
            continue
        if c in "]\\" or (end >= 2 and text[end - 2] == "\\"):
            return True
        letters = end
        while letters > 0 and text[letters - 1].isalpha():
            letters -= 1
        if letters == end or letters == 0 or text[letters - 1] != "\\":
            return False  # plain text (or an opening brace) before it
        arguments = _ARGUMENT_COUNTS.get(text[letters:end])
        return arguments is None or groups < arguments or end == start


def _group_start(text: str, close: int) -> int | None:
    """Where the group that ends with the brace at ``close`` opens (escaped braces skipped), or None."""
    depth = 0
    for pos in range(close, -1, -1):
        c = text[pos]
        if c in "{}" and not (pos > 0 and text[pos - 1] == "\\"):
            depth += 1 if c == "}" else -1
            if depth == 0:
                return pos
    return None


def latex_to_text(text: str) -> str:
    """Readable Unicode text of a LaTeX fragment, whitespace collapsed; never raises."""
    if not text:
        return ""
    source = str(text)
    if "\\" in source and _PRE_ANY.search(source):  # every _PRE pattern starts with a backslash
        for pattern, repl in _PRE:
            source = pattern.sub(repl, source)
    return " ".join(_convert(source).split())  # str.split's whitespace is re's \s: _SPACES.sub(" ", ...).strip()


def _convert(source: str) -> str:
    fast = _fast_text(source)
    if fast is not None:
        return fast.replace("\xa0", " ")
    if "$" in source and source.count("$") % 2 == 0 and "\\$" not in source:
        # convert text and inline math separately: the full parser is slow, and math is usually short
        pieces = re.split(r"(\$[^$]*\$)", source)
        if len(pieces) > 1:
            return "".join(_slow_text(p) if p.startswith("$") else _convert(p) for p in pieces if p)
    return _slow_text(source)


_DIGIT = re.compile(r"\d")
DIGIT_MAKING_MACROS = ("today", "date", "exercise", "uebung", "item", "input", "include", "section", "subsection",
                       "subsubsection", "chapter", "part", "paragraph", "subparagraph", "maketitle", "title",
                       "author", "begin", "end", "char", "number", "the", "romannumeral", "arabic", "value")
"""Macros whose text the converter's own specs (or a later spec) could make with digits of their own (the date,
counters, numbered headings, files read in); a test checks every spec of the converter against this list."""
_MAY_MAKE_DIGITS = re.compile(r"\\(?:" + "|".join(DIGIT_MAKING_MACROS) + r")(?![a-zA-Z])")


def last_digit_match(text: str, pattern: "re.Pattern[str]", min_run: int = 1) -> str:
    """``pattern``'s last match in ``latex_to_text(text)`` (or ""), converting less: ``pattern`` must match only
    whole runs of at least ``min_run`` digits, its lookarounds rejecting a digit on either side (as
    ``references._YEAR`` does with runs of four), so whether a run matches depends on the run and the character
    on each side of it alone.

    Why the shortcuts hold: an inline-math piece is converted by the full parser (the slow part). A math piece
    before a text piece whose own text has a match with a character on each side is left out (one space): the
    last match is that one or a later one, and nothing from there on depends on what comes before. A later
    math piece without a digit or a macro that could make one (:data:`DIGIT_MAKING_MACROS`) is one space too
    when the text converted on each side of it is non-empty and does not touch it with a digit: its real text
    has no digit, so no run lies in it, and no run beside it ends or starts at its edge. Every other piece is
    converted exactly as :func:`latex_to_text` converts it, and collapsing whitespace changes no run's
    neighbours (a space or the end, neither of them a digit, ``.`` or ``/``). A math piece with fewer than
    ``min_run`` digits (``$H_{0}$``) and no macro that could make one is one space on the same terms: its real
    text has fewer digits than any matching run, and no run beside it reaches into it."""
    if not text:
        return ""
    source = str(text)
    if "\\" in source and _PRE_ANY.search(source):
        for pattern_, repl in _PRE:
            source = pattern_.sub(repl, source)
    if "$" not in source or source.count("$") % 2 or "\\$" in source:
        # not split into math pieces (see _convert; with a $ its fast path never applies)
        found = pattern.findall(" ".join(_convert(source).split()))
        return found[-1] if found else ""
    pieces = [p for p in re.split(r"(\$[^$]*\$)", source) if p]
    math = [p.startswith("$") for p in pieces]
    texts = [None if is_math else _convert(p) for p, is_math in zip(pieces, math)]
    settled = 0  # math pieces before this index cannot change the last match
    for i in range(len(pieces) - 1, -1, -1):
        if not math[i] and any(0 < m.start() and m.end() < len(texts[i]) for m in pattern.finditer(texts[i])):
            settled = i
            break
    out = []
    for i, piece in enumerate(pieces):
        if not math[i]:
            out.append(texts[i])
            continue
        left_ok = i == 0 or (not math[i - 1] and texts[i - 1] and not _DIGIT.match(texts[i - 1][-1]))
        right_ok = i + 1 == len(pieces) or (not math[i + 1] and texts[i + 1] and not _DIGIT.match(texts[i + 1][0]))
        digit_free = len(_DIGIT.findall(piece)) < min_run and not _MAY_MAKE_DIGITS.search(piece)
        out.append(" " if i < settled or (left_ok and right_ok and digit_free) else _slow_text(piece))
    found = pattern.findall(" ".join("".join(out).split()))
    return found[-1] if found else ""


@lru_cache(maxsize=4096)
def _slow_text(source: str) -> str:
    """pylatexenc's conversion with the bibliography macros taught; falls back to a crude strip on failure.

    Memoised: the fragments that need the full parser are mostly short math (``$pp$``, ``$\\sqrt{s}=13$``) that
    recur across a bibliography, and each entry's math is met twice (its title, then its whole text)."""
    from .fast_walker import PlainCharWalker

    walker_db, converter = _contexts()
    try:
        walker = PlainCharWalker(source, latex_context=walker_db, tolerant_parsing=True)
        nodes = walker.get_latex_nodes()[0]
        result = converter.nodelist_to_text(nodes)
    except Exception:  # noqa: BLE001 - pylatexenc can fail on odd input; fall back rather than crash
        result = crude_strip(source)
    return result.replace("\xa0", " ")


def crude_strip(text: str) -> str:
    """Last-resort conversion: drop macro names and braces, keep the words."""
    text = re.sub(r"\\[a-zA-Z@]+\*?", " ", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = text.replace("~", " ").replace("{", "").replace("}", "").replace("$", "")
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive form for comparing names: ``Gábor Csányi`` -> ``gabor csanyi``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    replacements = {"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
                    "œ": "oe", "Œ": "oe", "ı": "i", "\u2019": "'"}
    text = "".join(replacements.get(c, c) for c in text)
    return text.casefold()
