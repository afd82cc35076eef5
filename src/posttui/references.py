"""The paper's references, from its ``.bbl`` (any natbib/numbered/biblatex style) or, failing that, its ``.bib``.

The prompt, the checker and the offline writer need to know which DOIs and arXiv ids the paper cites and under
which cite key, so a post can link ``[10.x/y](https://doi.org/10.x/y)`` instead of inventing one. Identifiers are
the reliable part and are extracted from every form the styles produce (``\\doi{}``, ``\\mn@doi``, ``\\eprint``,
``\\Eprint``, ``\\href``/``\\url`` to doi.org or arxiv.org, ``arXiv:`` text, biblatex ``\\verb{doi}`` and
``\\field{eprint}``). Authors, year, title and journal are best-effort readings of formatted text.

Bad ``.bib`` files: blocks bibtexparser cannot parse are skipped with a warning naming the file, line and block
start (``ReferenceList.warnings``); only a non-empty file in which *no* entry parses raises
:class:`BibliographyError`. A paper with one typo in its ``.bib`` should still open, and the user still hears
which block was lost.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import cached_property, lru_cache
from threading import RLock
from typing import TYPE_CHECKING, Iterable, Iterator
from urllib.parse import unquote

from .errors import BibliographyError
from .ids import (
    ARXIV_ID,
    NEW_ARXIV,
    _canonical_arxiv,
    arxiv_url,
    doi_url,
    normalize_doi,
    search_folded,
    split_arxiv,
    trim_doi,
)
from .latex_text import last_digit_match, latex_to_text
from .lazy_pattern import LazyPattern

if TYPE_CHECKING:
    from .paper import Paper


@dataclass
class Reference:
    """One bibliography entry. ``doi`` keeps the display case; compare with :attr:`doi_key`."""

    key: str
    authors: list[str] = field(default_factory=list)
    year: str = ""
    title: str = ""
    journal: str = ""
    doi: str = ""
    """DOI without any resolver prefix, case as written (``10.1093/mnras/STAA123``)."""
    arxiv: str = ""
    """arXiv id without version (``2103.12345``, ``astro-ph/0601001``)."""
    arxiv_version: str = ""
    """Version suffix when the entry named one (``v2``)."""
    url: str = ""
    """First link that is neither a DOI nor an arXiv link (ADS, publisher, software page)."""
    raw: str = ""
    """The entry's source text as it appears in the .bbl/.bib."""
    doi_origin: str = ""
    """Who gave the DOI when the source did not: ``Semantic Scholar``, ``INSPIRE`` or ``Crossref`` (see
    :mod:`posttui.resolve`); empty for a DOI written in the source."""
    arxiv_origin: str = ""
    """Who gave the arXiv id when the source did not (as :attr:`doi_origin`)."""
    unresolved: str = ""
    """Why the entry still has no DOI or arXiv id after resolution (never a guess), or ``""``."""

    @property
    def identifier_origin(self) -> str:
        """Where :attr:`identifier` comes from: ``source``, ``Semantic Scholar``, ``INSPIRE``, ``Crossref`` or ``""``."""
        if self.doi:
            return self.doi_origin or "source"
        if self.arxiv:
            return self.arxiv_origin or "source"
        return ""

    @property
    def doi_key(self) -> str:
        """The DOI as compared (lower-case), or ``""``."""
        return (normalize_doi(self.doi) or self.doi.lower()) if self.doi else ""

    @property
    def has_identifier(self) -> bool:
        return bool(self.doi or self.arxiv)

    @property
    def identifier(self) -> str:
        """The entry's citable identifier, DOI preferred over arXiv id, or ``""``."""
        return self.doi or self.arxiv

    @property
    def identifier_url(self) -> str:
        if self.doi:
            return doi_url(self.doi)
        if self.arxiv:
            return arxiv_url(self.arxiv)
        return ""

    @property
    def link(self) -> str:
        """The canonical Markdown link the site's rules want: ``[ID](https://doi.org/ID)``, or ``""``."""
        return f"[{self.identifier}]({self.identifier_url})" if self.identifier else ""

    @property
    def arxiv_link(self) -> str:
        return f"[{self.arxiv}]({arxiv_url(self.arxiv)})" if self.arxiv else ""

    @property
    def short_authors(self) -> str:
        if not self.authors:
            return ""
        first = self.authors[0].split()[-1] if self.authors[0].split() else self.authors[0]
        if len(self.authors) == 1:
            return first
        if len(self.authors) == 2:
            second = self.authors[1].split()[-1] if self.authors[1].split() else self.authors[1]
            return f"{first} & {second}"
        return f"{first} et al."

    def _repr_markdown_(self) -> str:
        return ReferenceList([self])._repr_markdown_()


@dataclass(frozen=True)
class ReferenceSummary:
    count: int
    with_identifier: int
    with_doi: int
    with_arxiv: int

    def __str__(self) -> str:
        return (f"{self.count} references, {self.with_identifier} with an identifier "
                f"({self.with_doi} DOI, {self.with_arxiv} arXiv)")


class ReferenceList(list):
    """A list of :class:`Reference` that also carries parse warnings and renders as a table in notebooks."""

    def __init__(self, items: Iterable[Reference] = (), *, warnings: Iterable[str] = (), source: str = ""):
        super().__init__(items)
        self.warnings: list[str] = list(warnings)
        self.source = source
        self.bibliography_origin = ""
        """Set when the source has no bibliography and these entries are the featured paper's reference list
        from an API (``Semantic Scholar`` or ``INSPIRE``); empty for a bibliography read from the source."""

    @property
    def summary(self) -> ReferenceSummary:
        return summarize(self)

    def by_key(self) -> dict[str, Reference]:
        return {ref.key: ref for ref in self}

    def _repr_markdown_(self) -> str:
        lines = [f"**{summarize(self)}**", ""]
        if self.bibliography_origin:
            lines += [f"*No bibliography in the source: the featured paper's reference list from "
                      f"{self.bibliography_origin}.*", ""]
        lines += ["| key | authors | year | title | identifier | origin |", "|---|---|---|---|---|---|"]
        for ref in self:
            origin = ref.identifier_origin or (f"unresolved: {ref.unresolved}" if ref.unresolved else "—")
            cells = [f"`{ref.key}`", ref.short_authors, ref.year, ref.title, ref.link or "—", origin]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        for warning in self.warnings:
            lines.append(f"\n> ⚠ {_md_cell(warning)}")
        return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summarize(refs: Iterable[Reference]) -> ReferenceSummary:
    refs = list(refs)
    return ReferenceSummary(
        count=len(refs),
        with_identifier=sum(r.has_identifier for r in refs),
        with_doi=sum(bool(r.doi) for r in refs),
        with_arxiv=sum(bool(r.arxiv) for r in refs),
    )


def references_of(paper: "Paper") -> ReferenceList:
    """The paper's references: from its .bbl when it has one, else from its .bib; warnings go to the paper."""
    origin = paper.origin or "paper"
    if paper.bbl.strip():
        refs = parse_bbl(paper.bbl, f"{origin} (.bbl)")
    elif paper.bib.strip():
        refs = parse_bib(paper.bib, f"{origin} (.bib)")
    else:
        refs = ReferenceList()
    for warning in refs.warnings:
        if warning not in paper.warnings:
            paper.warnings.append(warning)
    return refs


def reference_warnings(paper: "Paper") -> list[str] | None:
    """The warnings :func:`references_of` would give ``paper``, when they can be told without reading the entries
    (a natbib/numbered ``.bbl``: see :func:`bibitem_warnings`), else None."""
    if not paper.bbl.strip():
        return None if paper.bib.strip() else []
    return bibitem_warnings(paper.bbl, f"{paper.origin or 'paper'} (.bbl)")


# ======================================================================================================== bbl ====

def _read_group(text: str, pos: int, opener: str = "{", closer: str = "}") -> tuple[str, int] | None:
    """Read a balanced ``{...}`` (or ``[...]``) group starting at ``text[pos]``; return (content, end) or None.

    Brackets only count at brace depth 0, so ``[{\\natexlab{a}]}]`` style labels read correctly.
    """
    if pos >= len(text) or text[pos] != opener:
        return None
    if opener == "{":
        # braces nested up to three deep (nearly every group of a .bbl) in one match; the scan below reads the
        # same group (its escapes and braces are the pattern's) and the deeper or unclosed ones
        m = _BRACED_GROUP.match(text, pos)
        if m:
            return text[pos + 1 : m.end() - 1], m.end()
    depth_brace = 0
    depth = 0
    # Only backslash escapes and the group characters matter: jump from one to the next (a regex scan, not a
    # Python loop over every character; this runs for every key, label and field of every entry).
    for m in _group_tokens(opener, closer).finditer(text, pos):
        c = m.group()
        if len(c) == 2:  # a backslash and the character it escapes
            continue
        if opener == "{":
            if c == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return text[pos + 1 : m.start()], m.end()
        else:
            if c == "{":
                depth_brace += 1
            elif c == "}":
                depth_brace -= 1
            elif depth_brace == 0 and c == opener:
                depth += 1
            elif depth_brace == 0 and c == closer:
                depth -= 1
                if depth == 0:
                    return text[pos + 1 : m.start()], m.end()
    return None


@lru_cache(maxsize=None)
def _group_tokens(opener: str, closer: str) -> re.Pattern:
    return re.compile(r"\\.|[{}" + re.escape(opener + closer) + "]", re.S)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


_COMMENT_LINE = LazyPattern(r"^[ \t]*%.*(?:\n|$)", re.MULTILINE)
"""A whole comment line, as :func:`_drop_comment_lines` removes them (the definition its tests compare with)."""
_EOL_PERCENT = re.compile(r"%(?<!\\%)[ \t]*$", re.MULTILINE)
"""A ``%`` not escaped by a backslash, at the end of a line (the look-behind after the ``%``, so the regex engine
can skip ahead to the literal)."""
_BIBITEM = re.compile(r"\\bibitem\b")
_END_BIB = re.compile(r"\\end\s*\{thebibliography\}")
_BRACED = r"\{(?:[^{}\\]+|\\.)*+\}"
for _depth in range(2):  # braces nested three deep, as in {\natexlab{a}} inside a label's {...}
    _BRACED = rf"\{{(?:[^{{}}\\]+|\\.|{_BRACED})*+\}}"
_BRACED_GROUP = re.compile(_BRACED, re.S)
"""A ``{...}`` group with braces nested up to three deep (the fast path of :func:`_read_group`)."""
_BIBITEM_HEAD = re.compile(
    rf"\\bibitem[ \t\r\n]*(?:\[((?:[^{{}}\[\]\\]+|\\.|{_BRACED})*+)\][ \t\r\n]*)?\{{([^{{}}\\]*)\}}", re.S
)
"""The usual head of a ``\\bibitem``: an optional label and a plain key. It reads what :func:`_read_group` reads
(one regex match instead of two token scans): a backslash escapes the character after it, braces nest (three
deep here) and brackets count only outside them. Any other head (a bracket or a brace at the label's top level,
deeper braces, a key with braces or backslashes) goes through _read_group. Plain characters are taken in runs, and
the repeats are possessive: each alternative starts with a different kind of character (plain, ``\\``, ``{``), none
of which is the ``]`` or ``}`` that must follow, so giving a repeat back could never lead to a match (nor cost
exponential time on a head that does not match)."""


def _strip_bbl_comments(text: str) -> str:
    """Drop whole comment lines and line-ending ``%``; keep inline ``%`` (it is URL encoding in bbl files)."""
    if "%" not in text:
        return text
    return _EOL_PERCENT.sub("", _drop_comment_lines(text))


def _drop_comment_lines(text: str) -> str:
    """``_COMMENT_LINE.sub("", text)``: every line whose first character other than spaces and tabs is ``%``
    removed with its newline. Found from each ``%`` rather than tried at every position of the text (a pattern
    that starts with ``^`` cannot skip ahead), which cost more than the rest of reading a .bbl's keys."""
    kept: list[str] = []
    done = 0  # the text before this is copied or dropped
    at = text.find("%")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if text[start:at].strip(" \t"):  # something before the % on its line: not a comment line
            at = text.find("%", at + 1)
            continue
        end = text.find("\n", at)
        end = len(text) if end < 0 else end + 1
        kept.append(text[done:start])
        done = end
        at = text.find("%", end)
    if not done:
        return text
    kept.append(text[done:])
    return "".join(kept)


def parse_bbl(text: str, source: str = "<bbl>") -> ReferenceList:
    """Parse a ``.bbl`` (natbib/numbered ``\\bibitem`` or biblatex ``\\entry``) into references."""
    if _is_biblatex(text):
        biblatex = _parse_biblatex(text, source)
        if biblatex or "\\bibitem" not in text:
            return biblatex
    return BibitemIndex(text).parse(source)


class BibitemIndex:
    """The entries of a natbib/numbered ``.bbl``, found by what their text holds and read (as :func:`parse_bbl`
    reads them) only then: for a question one identifier answers, in a bibliography of hundreds of entries; and
    the warnings reading them would give. Made by :func:`bibitem_index`."""

    def __init__(self, bbl: str):
        self.text = _strip_bbl_comments(bbl)
        """The ``.bbl`` with its comments stripped: the text the entries are cut from."""
        self._stops = _stops(self.text)

    @cached_property
    def _starts(self) -> list[int]:
        """Where each entry starts (each ``\\bibitem``)."""
        return [m.start() for m in _BIBITEM.finditer(self.text)]

    @cached_property
    def _spans(self) -> list[tuple[int, int]]:
        """Where each entry starts and ends (:func:`_entry_end` of each, in one pass)."""
        starts = self._starts
        ends = [*starts[1:], len(self.text)]
        for stop in self._stops:  # an entry ends at the first \end{thebibliography} inside it
            n = bisect_right(starts, stop) - 1
            if n >= 0 and stop < ends[n]:
                ends[n] = stop
        return list(zip(starts, ends))

    @cached_property
    def _head_matches(self) -> dict[int, re.Match]:
        """The usual heads, found in one scan (a pattern that starts with a literal skips from one to the next),
        by where they start."""
        return {m.start(): m for m in _BIBITEM_HEAD.finditer(self.text)}

    def _head(self, n: int) -> tuple[str, str, int] | None:
        """``(label, key, where the body starts)`` of entry ``n`` (None: no key; see :func:`_entry_head`)."""
        start, end = self._spans[n]
        return _entry_head(self.text, start, end, self._head_matches.get(start))

    @cached_property
    def keys(self) -> dict[str, int]:
        """Cite key -> the number of its first entry (an entry without a key, or with an empty one, left out)."""
        first: dict[str, int] = {}
        for n in range(len(self._spans)):
            head = self._head(n)
            if head is not None and head[1].strip():
                first.setdefault(head[1].strip(), n)
        return first

    def reference(self, n: int) -> Reference:
        """The reference of entry ``n`` (one that has a key), as :func:`parse_bbl` reads it."""
        return self._reference(n, self._head(n))

    def _reference(self, n: int, head: tuple[str, str, int]) -> Reference:
        (start, end), (label, key, pos) = self._spans[n], head
        return _reference_from_bibitem(key.strip(), label, self.text[pos:end], self.text[start:end].strip())

    def references(self) -> Iterator[Reference]:
        """Every entry's reference, in order, read one at a time (as :func:`parse_bbl` reads them)."""
        for n in range(len(self._spans)):
            head = self._head(n)
            if head is not None:
                yield self._reference(n, head)

    def parse(self, source: str) -> ReferenceList:
        """Every entry's reference, and a warning for each entry without a key and for a text without entries."""
        refs = ReferenceList(source=source)
        for n, (start, end) in enumerate(self._spans):
            head = self._head(n)
            if head is None:
                refs.warnings.append(_keyless(source, self.text, start, end))
            else:
                refs.append(self._reference(n, head))
        if not self._spans and self.text.strip():
            refs.warnings.append(_no_entries(source))
        return refs

    @cached_property
    def _folded(self) -> list[str]:
        """Each entry's text, case-folded (what :meth:`holding` searches)."""
        return [self.text[start:end].casefold() for start, end in self._spans]

    def holding(self, needle: str) -> list[Reference]:
        """The references of the entries whose case-folded text holds ``needle``, in their order."""
        return [self._reference(n, head) for n, folded in enumerate(self._folded)
                if needle in folded and (head := self._head(n)) is not None]

    def warnings(self, source: str) -> list[str]:
        """What :func:`parse_bbl` warns (an entry without a key, no entry at all), told without reading the entries.

        The usual heads are found in one scan; only an entry whose start no usual head begins at, the one before
        it (whose head may have run into it) and one holding an ``\\end{thebibliography}`` inside its head are read
        as :meth:`parse` reads them, since every other entry's head ends inside the entry and so gives its key."""
        text, stops = self.text, self._stops
        ends = {start: m.end() for start, m in self._head_matches.items()}
        if ends and text.count("\\bibitem") == len(ends):
            # Every "\bibitem" starts a head (each head starts at a distinct one): these are the entries' starts.
            starts = list(ends)
        else:
            starts = self._starts
        if not starts:
            return [_no_entries(source)] if text.strip() else []
        suspects = set()
        if len(ends) != len(starts):  # (every head starts at a \bibitem: fewer heads than entries)
            for n, start in enumerate(starts):
                if start not in ends:
                    suspects.update((n - 1, n) if n else (n,))
        for stop in stops:
            n = bisect_left(starts, stop) - 1
            if n >= 0 and ends.get(starts[n], 0) > stop:
                suspects.add(n)
        warnings: list[str] = []
        for n in sorted(suspects):
            start, end = starts[n], _entry_end(text, starts, stops, n)
            if _entry_head(text, start, end, None) is None:
                warnings.append(_keyless(source, text, start, end))
        return warnings


@lru_cache(maxsize=4)
def bibitem_index(bbl: str) -> BibitemIndex:
    """The :class:`BibitemIndex` of a natbib/numbered ``.bbl`` (memoised: telling its warnings and answering
    questions about its entries share one)."""
    return BibitemIndex(bbl)


def bibitem_warnings(text: str, source: str = "<bbl>") -> list[str] | None:
    """The warnings :func:`parse_bbl` gives for ``text`` (an entry without a key, no entry at all), told without
    reading the entries (:meth:`BibitemIndex.warnings`); None for a biblatex ``.bbl``, whose warnings only a whole
    parse tells. For a caller that reads the entries later, or never, and must report their problems now
    (``check --site``)."""
    return None if _is_biblatex(text) else bibitem_index(text).warnings(source)


def _is_biblatex(text: str) -> bool:
    return "\\entry{" in text or "\\entry {" in text


def _stops(text: str) -> list[int]:
    """Where each ``\\end{thebibliography}`` starts (a match cannot straddle a ``\\bibitem``: one backslash)."""
    return [m.start() for m in _END_BIB.finditer(text)]


def _entry_end(text: str, starts: list[int], stops: list[int], n: int) -> int:
    """Where entry ``n`` ends: at the next entry, or at an ``\\end{thebibliography}`` before it."""
    start = starts[n]
    end = starts[n + 1] if n + 1 < len(starts) else len(text)
    at = bisect_left(stops, start)
    return stops[at] if at < len(stops) and stops[at] < end else end


def _entry_head(text: str, start: int, end: int, found: re.Match | None) -> tuple[str, str, int] | None:
    """``(label, key, where the body starts)`` of the entry ``text[start:end]``, or None when it has no key.

    ``found`` is the usual head found at ``start`` by a scan of the whole text, if any: when it ends inside the
    entry it is the match the entry alone gives (possessive repeats cut short by the entry's end could only fail);
    else the entry is matched within its bounds, and an unusual head is read with :func:`_read_group`."""
    if found is None or found.end() > end:
        found = _BIBITEM_HEAD.match(text, start, end)
    if found:
        return found.group(1) or "", found.group(2), found.end()
    chunk = text[start:end]
    pos = _skip_ws(chunk, len("\\bibitem"))
    label = ""
    group = _read_group(chunk, pos, "[", "]")
    if group:
        label, pos = group
        pos = _skip_ws(chunk, pos)
    keyg = _read_group(chunk, pos)
    if not keyg:
        return None
    key, pos = keyg
    return label, key, pos + start


def _keyless(source: str, text: str, start: int, end: int) -> str:
    return f"{source}: \\bibitem without a {{key}} near {text[start:end][:60]!r}; skipped"


def _no_entries(source: str) -> str:
    return f"{source}: no \\bibitem or \\entry found; is this a .bbl file? (no references read)"


# --- identifiers in formatted text ---------------------------------------------------------------------------

_DOI_CMDS = [
    LazyPattern(r"\\doi\s*\{\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.[^{}\s]+?)\s*\}", re.I),
    LazyPattern(r"\\mn@doi\s*(?:\[[^\]]*\])?\s*\{\s*(10\.[^{}\s]+?)\s*\}"),
    LazyPattern(r"\\doibase\s+(10\.[^{}\s]+)"),
    LazyPattern(r"\\bibinfo\s*\{doi\}\s*\{\s*(10\.[^{}\s]+?)\s*\}"),
    LazyPattern(r"(?:https?://)?(?:dx\.)?doi\.org/(10\.[^{}\s]+)", re.I),
    LazyPattern(r"\bdoi\s*[:=]\s*(10\.[^{}\s,;]+)", re.I),
    LazyPattern(r"\\verb\s*\{doi\}\s*\\verb\s+(10\.\S+)"),
    LazyPattern(r"\b(10\.\d{4,9}/[^\s\"<>{}\\]+)"),
]
_ARXIV_CMDS = [
    LazyPattern(rf"\\(?:mn@)?eprint\s*\{{\s*arxiv\s*\}}\s*\{{\s*(?:arxiv:)?(?P<id>{ARXIV_ID})(?P<v>v\d+)?\s*\}}", re.I),
    LazyPattern(rf"\\eprint\s*\{{\s*(?:arxiv:)?(?P<id>{ARXIV_ID})(?P<v>v\d+)?\s*\}}", re.I),
    LazyPattern(rf"(?:arxiv\.org|xxx\.lanl\.gov)/(?:abs|pdf|html)/(?P<id>{ARXIV_ID})(?P<v>v\d+)?", re.I),
    # "arXiv:stat.CO/1507.00919": a subject class written in front of a new-style id
    LazyPattern(rf"arxiv\s*:\s*[a-z\-]+\.[a-z]{{2}}/(?P<id>{NEW_ARXIV})(?P<v>v\d+)?", re.I),
    LazyPattern(rf"arxiv\s*(?:e-?prints?|preprint)?\s*[:,]?\s*(?:arxiv\s*:\s*)?(?P<id>{ARXIV_ID})(?P<v>v\d+)?\b", re.I),
    LazyPattern(rf"10\.48550/arxiv\.(?P<id>{ARXIV_ID})(?P<v>v\d+)?", re.I),
    # "\emph{arXiv e-prints}, art. astro-ph/0310127" (aasjournal) and DBLP's "CoRR, abs/2104.13478"
    LazyPattern(rf"e-?prints?\}}?\s*,?\s*(?:art\.|id\.|p\.)?\s*(?:arxiv:)?(?P<id>{ARXIV_ID})(?P<v>v\d+)?", re.I),
    LazyPattern(rf"\bcorr\b.{{0,20}}?\babs/(?P<id>{NEW_ARXIV})(?P<v>v\d+)?", re.I | re.S),
]
# A literal (lower case; any one of several) without which each pattern above cannot match: most entries hold
# few of them, and skipping a search is much cheaper than a case-insensitive one over the whole entry.
_DOI_NEEDS = (("\\doi",), ("\\mn@doi",), ("\\doibase",), ("{doi}",), ("doi.org/",), ("doi",), ("\\verb",), ("10.",))
_ARXIV_NEEDS = (("eprint",), ("\\eprint",), ("arxiv.org", "xxx.lanl.gov"), ("arxiv",), ("arxiv",), ("10.48550/arxiv.",),
                ("eprint", "e-print"), ("corr",))
_ARXIV_ANY_NEED = ("arxiv", "eprint", "e-print", "corr", "xxx.lanl.gov")
"""Each literal of :data:`_ARXIV_NEEDS` holds one of these: a folded entry with none of them matches no pattern."""
# Folded stand-ins for the re.I patterns above (index -> stand-in), which cannot skip ahead to a literal and so
# cost most when searched per entry: the same pattern in lower case (the arXiv id's subject class [A-Z] as [a-z]),
# searched in the lower-cased text of an ASCII entry, finds where the pattern itself first matches, and the pattern
# is then matched there, so the match (and its groups, in the case written) is the pattern's own. The doi.org one
# drops the optional "https://dx." prefix: only group 1, which follows "doi.org/", is read, and the first
# "doi.org/" that can match is where the first match's group 1 is.
_FOLDED_ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[a-z]{2})?/\d{7})"
_DOI_FOLDED = {
    0: LazyPattern(r"\\doi\s*\{\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?10\.[^{}\s]+?\s*\}"),
    4: LazyPattern(r"doi\.org/10\.[^{}\s]+"),
    5: LazyPattern(r"\bdoi\s*[:=]\s*10\.[^{}\s,;]+"),
}
_ARXIV_FOLDED = {
    0: LazyPattern(rf"\\(?:mn@)?eprint\s*\{{\s*arxiv\s*\}}\s*\{{\s*(?:arxiv:)?{_FOLDED_ARXIV_ID}(?:v\d+)?\s*\}}"),
    1: LazyPattern(rf"\\eprint\s*\{{\s*(?:arxiv:)?{_FOLDED_ARXIV_ID}(?:v\d+)?\s*\}}"),
    2: LazyPattern(rf"(?:arxiv\.org|xxx\.lanl\.gov)/(?:abs|pdf|html)/{_FOLDED_ARXIV_ID}"),
    3: LazyPattern(rf"arxiv\s*:\s*[a-z\-]+\.[a-z]{{2}}/{NEW_ARXIV}"),
    4: LazyPattern(rf"arxiv\s*(?:e-?prints?|preprint)?\s*[:,]?\s*(?:arxiv\s*:\s*)?{_FOLDED_ARXIV_ID}(?:v\d+)?\b"),
    5: LazyPattern(rf"10\.48550/arxiv\.{_FOLDED_ARXIV_ID}"),
    6: LazyPattern(rf"e-?prints?\}}?\s*,?\s*(?:art\.|id\.|p\.)?\s*(?:arxiv:)?{_FOLDED_ARXIV_ID}"),
    7: LazyPattern(rf"\bcorr\b.{{0,20}}?\babs/{NEW_ARXIV}", re.S),
}
_URL_CMDS = re.compile(r"\\(?:url|href)\s*\{\s*([^{}\s]+)\s*\}")
_YEAR = re.compile(r"(?<![\d./])(1[6-9]\d\d|20\d\d)(?![\d/])")


_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+")


def _clean_doi(doi: str) -> str:
    doi = unquote(doi.replace("\\_", "_").replace("\\%", "%").replace("\\#", "#"))
    doi = _LATEX_COMMAND.sub("", doi)
    return trim_doi(doi.strip())


def find_doi(body: str) -> str:
    """The first DOI written in a formatted entry, display case kept, or ``""``."""
    if "10." not in body:  # every pattern needs it: skip eight searches for the entries without a DOI
        return ""
    for m in _matches(_DOI_CMDS, _DOI_NEEDS, body, _DOI_FOLDED, search_folded(body)):
        doi = _clean_doi(m.group(1))
        if normalize_doi(doi):
            return doi
    return ""


def _matches(patterns, needs, body: str, folded_patterns: "dict[int, LazyPattern]", folded: str | None):
    """The first match of each pattern in turn, skipping the patterns whose needed literal ``body`` lacks.

    ``folded`` is ``search_folded(body)`` (None: re.I may match letters lower() does not show, so every pattern is
    tried). ``folded_patterns`` (index -> stand-in) locate a pattern's first match in the lower-cased text of an
    ASCII body, where lower-casing is exactly the ASCII case folding re.I applies."""
    ascii_body = folded is not None and body.isascii()
    for index, (pattern, literals) in enumerate(zip(patterns, needs)):
        if folded is not None:
            if len(literals) == 1:
                if literals[0] not in folded:
                    continue
            elif not any(literal in folded for literal in literals):
                continue
        stand_in = folded_patterns.get(index) if ascii_body else None
        if stand_in is not None:
            found = stand_in.search(folded)
            m = pattern.match(body, found.start()) if found else None
        else:
            m = pattern.search(body)
        if m:
            yield m


def find_arxiv(body: str) -> tuple[str, str]:
    """The first arXiv id (and version) written in a formatted entry, or ``("", "")``."""
    folded = search_folded(body)
    if folded is not None and not any(literal in folded for literal in _ARXIV_ANY_NEED):
        return "", ""  # half of a bibliography's entries: one test instead of eight
    for m in _matches(_ARXIV_CMDS, _ARXIV_NEEDS, body, _ARXIV_FOLDED, folded):
        ident = m.group("id")
        # "1007" in "1007.1727" also fits the old-style tail of a DOI; require a well-formed id.
        parts = split_arxiv(ident)
        if parts:
            return _canonical_arxiv(parts[0]), (m.group("v") or "").lower()
    return "", ""


def find_url(body: str) -> str:
    """The first link that is neither a DOI nor an arXiv link."""
    for m in _URL_CMDS.finditer(body):
        url = m.group(1).replace("\\_", "_").replace("\\%", "%").replace("\\#", "#").replace("\\&", "&")
        low = url.lower()
        if not low.startswith(("http://", "https://", "ftp://", "www.")):
            continue
        if "doi.org/" in low or "arxiv.org/" in low or "xxx.lanl.gov" in low:
            continue
        return url
    return ""


# --- names ---------------------------------------------------------------------------------------------------

_INITIALS = LazyPattern(r"^(?:[A-Z][a-z]?\.[\s\-]*|[A-Z](?:[\s\-]+|$)){1,4}$")
_SURNAME_INITIALS = LazyPattern(r"^(?P<sur>.+?)\s+(?P<ini>(?:[A-Z][a-z]?\.[\s\-]*|[A-Z](?:[\s\-]+|$))+)$")
_ET_AL = LazyPattern(r",?\s*(?:\bet\.?\s*al\b\.?|\band others\b)\s*\.?$", re.I)
_JR = LazyPattern(r"^(?:jr|sr|ii|iii|iv)\.?$", re.I)
_AND = LazyPattern(r",?\s+(?:and|&)\s+")
_NOT_IN_NAMES = LazyPattern(r"[\d()\[\]=]")
_LEADING_INITIALS = LazyPattern(r"^((?:[A-Z][.\-]?\s*)+)(?=\s\S)")
_UNDOTTED_INITIAL = LazyPattern(r"\b([A-Z])(?![.\-\w])")


def _may_end_et_al(text: str) -> bool:
    """False only when :data:`_ET_AL` cannot match ``text`` (it needs "al" or "others"): skips most searches."""
    folded = search_folded(text)
    return folded is None or "al" in folded or "others" in folded


def _plausible_name(name: str) -> bool:
    """A formatted-name token, not a title or venue that leaked into the author block."""
    words = name.split()
    return 0 < len(words) <= 6 and not _NOT_IN_NAMES.search(name) and len(name) <= 60


def split_authors(block: str) -> list[str]:
    """Split a formatted author list into names (``Given Family``), best effort over the common styles.

    Handles ``A and B``, ``A, B, and C``, ``Family, I., Family, I.`` (surname first), ``Family I.`` (mnras) and
    ``Family, I.; Family, I.`` (semicolons); stops at the first token that cannot be a name.
    """
    text = " ".join(block.replace("\u00a0", " ").split()).strip(" .,;:")
    if _may_end_et_al(text):
        text = _ET_AL.sub("", text)
    text = text.strip(" .,;")
    if not text:
        return []
    if ";" in text:
        tokens = [t.strip() for t in text.split(";")]
    else:
        text = _AND.sub(", ", text)
        tokens = [t.strip() for t in text.split(",")]
    # every token, and every name made of tokens (joined with spaces), is text of this string: without "al" or
    # "others" in it, none of them can end in "et al." (most lists: one test instead of one per token and name)
    et_al = _may_end_et_al(text)
    if et_al:
        tokens = [(_ET_AL.sub("", t) if _may_end_et_al(t) else t).strip() for t in tokens]
    tokens = [t for t in tokens if t]
    # "Handley, W. J., Hobson, M. P." : every other token is initials -> surname-first pairs (only then are the
    # initials of tokens past the second read)
    paired = len(tokens) >= 2 and not _INITIALS.match(tokens[0]) and bool(_INITIALS.match(tokens[1]))
    initials = [bool(_INITIALS.match(t)) for t in tokens] if paired else []
    paired = paired and sum(initials) >= (len(tokens) - 1) // 2
    names: list[str] = []
    for n, token in enumerate(tokens):
        if names and _JR.match(token):
            names[-1] = f"{names[-1]} {token}"
            continue
        if paired and initials[n] and n > 0 and not initials[n - 1]:
            names[-1] = f"{token} {names[-1]}"
            continue
        if ", " in token:
            family, given = token.split(", ", 1)
            token = f"{given} {family}"
        m = _SURNAME_INITIALS.match(token)
        if m and not _INITIALS.match(m.group("sur")):
            token = f"{m.group('ini').strip()} {m.group('sur')}"  # mnras "Audren B." -> "B. Audren"
        if not _plausible_name(token):
            break
        names.append(" ".join(token.split()))
    return [_dot_initials(n) for n in names if n and not (et_al and _may_end_et_al(n) and _ET_AL.fullmatch(n))]


def _dot_initials(name: str) -> str:
    """``A. N Lasenby`` -> ``A. N. Lasenby``: a trailing full stop lost to list punctuation is put back."""
    if not "A" <= name[:1] <= "Z":  # the pattern starts with a capital: most names skip the search
        return name
    m = _LEADING_INITIALS.match(name)  # anchored at the start: the one place a substitution could change
    if not m:
        return name
    initials = m.group(1)
    dotted = _UNDOTTED_INITIAL.sub(_add_full_stop, initials)
    return name if dotted == initials else dotted + name[m.end():]


def _add_full_stop(m: re.Match) -> str:
    return m.group(1) + "."


# --- one \bibitem ----------------------------------------------------------------------------------------------

_NEWBLOCK = LazyPattern(r"\\newblock\b")
_BIBINFO = LazyPattern(r"\\bibinfo\s*\{\s*(\w+)\s*\}\s*")
_EM_GROUP = LazyPattern(r"\{\\(?:em|it|itshape|sl)\b\s*")
_EMPH = LazyPattern(r"\\(?:emph|textit|textsl)\s*")
_EM_SWITCH = LazyPattern(r"^\\(?:em|it|itshape|sl)\b\s*")
_ONLY_ET_AL = LazyPattern(r"\s*et\.?[~\s]*al\.?,?\s*")


def _bibinfo_fields(body: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for m in _BIBINFO.finditer(body):
        group = _read_group(body, m.end())
        if group:
            fields.setdefault(m.group(1).lower(), []).append(group[0])
    return fields


def _first_emph(text: str) -> tuple[str, int, int] | None:
    """The first ``\\emph{..}``/``{\\em ..}``/``{\\it ..}`` group that is not "et al.": (content, start, end)."""
    found = []
    for m in _EMPH.finditer(text):
        group = _read_group(text, m.end())
        if group:
            found.append((group[0], m.start(), group[1]))
    for m in _EM_GROUP.finditer(text):
        group = _read_group(text, m.start())
        if group:
            found.append((_EM_SWITCH.sub("", group[0]), m.start(), group[1]))
    for item in sorted(found, key=lambda f: f[1]):
        if not _ONLY_ET_AL.fullmatch(item[0]):
            return item
    return None


_MN_DOI = LazyPattern(r"\\mn@doi\s*(?:\[[^\]]*\])?\s*\{[^{}]*\}")
_MN_EPRINT = LazyPattern(r"\\mn@eprint\s*\{[^{}]*\}\s*\{[^{}]*\}")
_DOI_URL_CMD = LazyPattern(r"\\(?:doi|url)\s*\{[^{}]*\}")
_EPRINT_CMD = LazyPattern(r"\\eprint\s*\{[^{}]*\}(?:\s*\{[^{}]*\})?")
_LINK_CMD = LazyPattern(r"\\(?:href|Eprint)\s*")
_ID_LINK_TEXT = LazyPattern(rf"(?:arxiv\s*:\s*)?(?:{ARXIV_ID}|10\.\S+)(?:v\d+)?(?:\s*\[[^\]]*\])?\.?", re.I)
_BARE_URL = LazyPattern(r"(?:https?://|www\.)\S+")
_ARXIV_TEXT = LazyPattern(r"\barxiv\s*:\s*\S+", re.I)
_BARE_DOI = LazyPattern(r"\b10\.\d{4,9}/\S+")


def _strip_ids(body: str) -> str:
    """The body with identifier/link commands removed, so their digits are not read as years or titles.

    Each removal runs only when the body holds the literal its pattern cannot match without."""
    if "\\mn@doi" in body:
        body = _MN_DOI.sub(" ", body)
    if "\\mn@eprint" in body:
        body = _MN_EPRINT.sub(" ", body)
    if "\\doi" in body or "\\url" in body:
        body = _DOI_URL_CMD.sub(" ", body)
    if "\\eprint" in body:
        body = _EPRINT_CMD.sub(" ", body)
    if "\\href" in body or "\\Eprint" in body:
        body = _strip_links(body)
    if "http" in body or "www." in body:
        body = _BARE_URL.sub(" ", body)
    folded = search_folded(body)
    if folded is None or "arxiv" in folded:
        body = _ARXIV_TEXT.sub(" ", body)
    if "10." in body:
        body = _BARE_DOI.sub(" ", body)
    return body


def _strip_links(body: str) -> str:
    """``\\href{target}{text}`` and ``\\Eprint{target}{text}`` without the target, and without the text when it
    is only the identifier itself (``arXiv:1401.4064``, ``10.1/x``, ``1506.03812``) or a URL."""
    out, pos = [], 0
    for m in _LINK_CMD.finditer(body):
        if m.start() < pos:
            continue
        first = _read_group(body, m.end())
        if not first:
            continue
        second = _read_group(body, _skip_ws(body, first[1]))
        out.append(body[pos : m.start()])
        text = second[0] if second else ""
        plain = latex_to_text(text)
        is_id = not plain or bool(_ID_LINK_TEXT.fullmatch(plain)) or plain.lower().startswith(("http", "doi:", "arxiv:"))
        out.append(" " if is_id else f" {{{text}}} ")
        pos = second[1] if second else first[1]
    out.append(body[pos:])
    return "".join(out)


def _label_year(label: str) -> str:
    m = re.search(r"\\citeauthoryear\s*\{", label)
    if m:
        groups, pos = [], m.end() - 1
        while len(groups) < 3:
            g = _read_group(label, _skip_ws(label, pos))
            if not g:
                break
            groups.append(g[0])
            pos = g[1]
        if groups:
            y = _YEAR.search(groups[-1])
            if y:
                return y.group(1)
    m = re.search(r"\((1[6-9]\d\d|20\d\d)", label)
    return m.group(1) if m else ""


def _trim(text: str) -> str:
    """Drop list punctuation around a title/venue, but keep the full stop of an abbreviation (``Phys. Rev. Lett.``)."""
    text = text.strip(" ,;:")
    if text.endswith("."):
        last = text[:-1].split()[-1] if text[:-1].split() else ""
        if len(last) > 4 or not last[:1].isupper() or "." not in text[:-1]:
            text = text[:-1].rstrip(" ,;:")
    return text


def _tidy(ref: Reference) -> Reference:
    ref.title = _trim(ref.title)
    ref.journal = _trim(ref.journal)
    if ref.journal and ref.journal == ref.title:  # an emphasised book title is not a venue
        ref.journal = ""
    return ref


def _text_field(name: str, pending: str) -> property:
    """A text field of :class:`_BibitemReference`, read with its group (``pending`` names the group's marker)."""
    slot = f"_{name}"

    def get(self):
        if pending in self.__dict__:
            self._read_group(pending)
        return self.__dict__[slot]

    def set(self, value):
        if pending in self.__dict__:  # read first, so a later read cannot overwrite the assignment
            self._read_group(pending)
        self.__dict__[slot] = value

    return property(get, set, doc=f"{name}, read from the entry's LaTeX on first use")


_NAMES_PENDING = "_pending"
"""Marker of an entry whose authors and year are not read yet (the value is its :class:`_EntrySource`)."""
_TITLES_PENDING = "_pending_titles"
"""Marker of an entry whose title and journal are not read yet (the same :class:`_EntrySource`)."""
_READ_LOCK = RLock()
"""Held while an entry's group is read: the app reads references from worker threads too."""


class _BibitemReference(Reference):
    """A ``\\bibitem`` entry whose text fields are read on first use, in two independent groups.

    Keys and identifiers are read at once (cheap regexes); turning the formatted LaTeX into text is most of the
    cost of parsing a .bbl. The checker's context needs none of it, the lean prompt's reference table and the
    cited-work adapter only the authors and year, the panes everything. Authors/year and title/journal are
    read by separate functions that depend only on the entry's source (never on each other's results), so
    reading one group, both, or the two in either order gives the same values as reading them together.
    """

    authors = _text_field("authors", _NAMES_PENDING)
    year = _text_field("year", _NAMES_PENDING)
    title = _text_field("title", _TITLES_PENDING)
    journal = _text_field("journal", _TITLES_PENDING)

    def _read_group(self, marker: str) -> None:
        with _READ_LOCK:  # a second thread waits for the values instead of seeing the unread defaults
            source = self.__dict__.get(marker)
            if source is None:  # another thread read them while this one waited
                return
            if marker == _NAMES_PENDING:
                _read_bibitem_names(self, source)
                other = _TITLES_PENDING
            else:
                _read_bibitem_titles(self, source)
                other = _NAMES_PENDING
            if self.__dict__.get(other) is source:
                # the unread group keeps the label and body (all an unread entry ever held), not these readings
                self.__dict__[other] = _EntrySource(source.label, source.body)
            del self.__dict__[marker]  # only now: until the values are stored, readers come here and wait

    def __eq__(self, other):  # equal to a plain Reference with the same values, as before
        if not isinstance(other, Reference):
            return NotImplemented
        names = [f.name for f in dataclass_fields(Reference)]
        return [getattr(self, n) for n in names] == [getattr(other, n) for n in names]

    __hash__ = None  # type: ignore[assignment]


_DOI_IN_KEY = re.compile(r"(?:^|/|doi:)(10\.\d{4,9}/[^\s{}]+)$", re.I)


def _reference_from_bibitem(key: str, label: str, body: str, raw: str) -> Reference:
    doi = find_doi(body)
    if not doi:  # keys like "Skinner2013/10.1063/1.4790861" or "10.2307/2958475" carry the DOI the author chose
        m = _DOI_IN_KEY.search(key)
        doi = _clean_doi(m.group(1)) if m and normalize_doi(m.group(1)) else ""
    arxiv, version = find_arxiv(body)
    ref = _BibitemReference(key=key, doi=doi, arxiv=arxiv, arxiv_version=version, url=find_url(body), raw=raw)
    source = _EntrySource(label, body)
    ref.__dict__[_NAMES_PENDING] = source
    ref.__dict__[_TITLES_PENDING] = source
    return ref


_QUOTED_TITLE = LazyPattern(r"``(.+?)(?:,)?''", re.S)
_JOURNAL_TITLE = LazyPattern(r"\\JournalTitle\s*(?=\{)")
_MN_DOI_LABEL = LazyPattern(r"\\mn@doi\s*\[([^\]]*)\]")
_EMPH_FOLLOWS = LazyPattern(r"\{\\it\b|\\textit")


class _EntrySource:
    """One ``\\bibitem``'s label and formatted body, with the readings both text groups use, each made once."""

    def __init__(self, label: str, body: str):
        self.label = label
        self.body = body

    def __eq__(self, other):  # the same entry text, whatever has been read from it so far
        if not isinstance(other, _EntrySource):
            return NotImplemented
        return (self.label, self.body) == (other.label, other.body)

    def __hash__(self) -> int:
        return hash((self.label, self.body))

    def __repr__(self) -> str:
        return f"_EntrySource({self.label!r}, {self.body!r})"

    @cached_property
    def info(self) -> dict[str, list[str]]:
        return _bibinfo_fields(self.body)

    @cached_property
    def stripped(self) -> str:
        return _strip_ids(self.body)

    @cached_property
    def segments(self) -> list[str]:
        return _NEWBLOCK.split(self.stripped)

    @cached_property
    def plain(self) -> str:
        """The whole identifier-free entry as text (the year fallback and mnras-style names read it)."""
        return latex_to_text(self.stripped)

    @cached_property
    def springer_authors(self) -> list[str]:
        """Springer Nature's sn-jnl: ``\\bauthor{\\bsnm{Family}, \\binits{I.}}`` as ``I. Family``."""
        names = []
        if "\\bsnm" in self.body:
            for m in re.finditer(r"\\bauthor\s*(?=\{)", self.body):
                g = _read_group(self.body, m.end())
                if g:
                    family, initials = _springer_field(g[0], "bsnm"), _springer_field(g[0], "binits")
                    if family:
                        names.append(f"{initials} {family}".strip())
        return names

    @property
    def names_before_run_in(self) -> bool:
        """Whether the Springer or ``\\bibinfo{author}`` fields already gave the authors (then a run-in entry's
        text before its title is not read as names, and a lone emphasised group or the mnras venue is not taken
        as the journal)."""
        return bool(self.springer_authors or self.info.get("author"))

    @cached_property
    def run_in(self) -> tuple:
        """Where a run-in entry (no ``\\newblock``) has its title: ``(title, title_start, venue, emph)``: the
        title's LaTeX and offset (``None`` without one), the emphasised group after it, the first one at all."""
        stripped = self.stripped
        quoted = _QUOTED_TITLE.search(stripped)
        emph = _first_emph(stripped)
        if quoted and (not emph or quoted.start() < emph[1]):
            return quoted.group(1), quoted.start(), _first_emph(stripped[quoted.end():]), emph
        if emph:
            venue = _first_emph(stripped[emph[2]:])
            if _EMPH_FOLLOWS.search(stripped[emph[1] : emph[1] + 8]) or venue:
                return emph[0], emph[1], venue, emph
        return None, None, None, emph


def _read_bibitem_text(ref: Reference, label: str, body: str) -> None:
    """Authors, year, title and journal of one ``\\bibitem`` from its formatted LaTeX (both groups at once)."""
    source = _EntrySource(label, body)
    _read_bibitem_names(ref, source)
    _read_bibitem_titles(ref, source)


def _store(ref: Reference, **values) -> None:
    """Set text fields without going through the lazy properties (which would start another read)."""
    if isinstance(ref, _BibitemReference):
        for name, value in values.items():
            ref.__dict__[f"_{name}"] = value
    else:
        for name, value in values.items():
            setattr(ref, name, value)


def _read_bibitem_names(ref: Reference, source: _EntrySource) -> None:
    """Authors and year of one ``\\bibitem`` (everything the reference table and the cited-work adapter need)."""
    info, body = source.info, source.body
    year = _label_year(source.label)
    if not year and info.get("year"):
        y = _YEAR.search(info["year"][0])
        year = y.group(1) if y else ""
    authors: list[str] = []
    if "\\bsnm" in body:
        authors = list(source.springer_authors)
        year = year or _springer_field(body, "byear")[:4]
    if info.get("author") and not authors:
        authors = [" ".join(latex_to_text(a).split()) for a in info["author"]]
        authors = [names[0] if (names := split_authors(a)) else a for a in authors]
    segments = source.segments
    if not authors:
        if len(segments) > 1:  # natbib plainnat/unsrtnat/aasjournal-with-newblock: authors. \newblock title. ...
            authors = split_authors(latex_to_text(segments[0]))
        else:
            authors = _run_in_names(source)
    if not year:
        if "plain" in source.__dict__:
            years = _YEAR.findall(source.plain)
            year = years[-1] if years else ""
        else:  # the same year, without converting what cannot change it
            year = last_digit_match(source.stripped, _YEAR, 4)
    _store(ref, authors=authors, year=year)


def _read_bibitem_titles(ref: Reference, source: _EntrySource) -> None:
    """Title and journal of one ``\\bibitem``, tidied (list punctuation dropped, a book title is not a venue)."""
    info, body = source.info, source.body
    title = journal = ""
    if "\\bsnm" in body:
        title = _springer_field(body, "batitle") or _springer_field(body, "bbtitle")
        journal = _springer_field(body, "bjtitle")
    if info.get("title"):
        title = latex_to_text(info["title"][0])
    journals = [j for j in info.get("journal", []) if "\\bibinfo" not in j]
    m = _JOURNAL_TITLE.search(body)
    group = _read_group(body, m.end()) if m else None
    if group:
        journals.insert(0, group[0])
    if journals:
        journal = latex_to_text(journals[0])

    segments = source.segments
    if len(segments) > 1:
        if not title:
            title = latex_to_text(segments[1])
        if not journal:
            for seg in segments[2:] or segments[1:2]:
                emph = _first_emph(seg)
                if emph:
                    journal = latex_to_text(emph[0])
                    break
    else:
        title, journal = _run_in_titles(source, title, journal)

    if not journal:
        m = _MN_DOI_LABEL.search(body)
        if m and "arxiv" not in m.group(1).lower():
            journal = latex_to_text(m.group(1))
    title, journal = _trim(title), _trim(journal)
    if journal and journal == title:  # an emphasised book title is not a venue
        journal = ""
    _store(ref, title=title, journal=journal)


def _springer_field(body: str, name: str) -> str:
    m = re.search(rf"\\{name}\s*(?=\{{)", body)
    g = _read_group(body, m.end()) if m else None
    return latex_to_text(g[0]) if g else ""


def _run_in_names(source: _EntrySource) -> list[str]:
    """Names of a style without ``\\newblock``: the text before the title (JHEP/utphys ``{\\it title}``, IEEE
    ````title,''``), before a lone emphasised venue, or (mnras, no title) before the year."""
    _, title_start, _, emph = source.run_in
    stripped = source.stripped
    if title_start is not None:
        return split_authors(latex_to_text(stripped[:title_start]))
    if emph:  # a single emphasised group is the venue: the names come before it
        return split_authors(latex_to_text(stripped[: emph[1]]))
    text = source.plain  # mnras: "{Audren} B., {Lesgourgues} J., 2013, ..." -> the names end at the year
    m = _YEAR.search(text)
    return split_authors(text[: m.start()] if m else text.split(".", 1)[0])


def _run_in_titles(source: _EntrySource, title: str, journal: str) -> tuple[str, str]:
    """Title and venue of a style without ``\\newblock`` (see :func:`_run_in_names`); ``title`` and ``journal``
    are what the entry's fields already gave, and win."""
    title_tex, title_start, venue, emph = source.run_in
    if title_start is not None:
        if not title:
            title = latex_to_text(title_tex)
        if venue and not journal:
            journal = latex_to_text(venue[0])
    if not source.names_before_run_in and title_start is None:
        if emph:
            if not journal:
                journal = latex_to_text(emph[0])
        else:
            m = _YEAR.search(source.plain)
            if not journal and m:
                rest = re.sub(r"^[a-z]\b", "", source.plain[m.end():])
                venue_text = rest.split(",")[0].strip()
                if venue_text and not venue_text.isdigit() and len(venue_text) < 80:
                    journal = venue_text
    return title, journal


# ================================================================================================== biblatex ====

_ENTRY = LazyPattern(r"\\entry\s*\{([^{}]*)\}\s*\{([^{}]*)\}\s*\{[^{}]*\}")
_ENDENTRY = LazyPattern(r"\\endentry\b")
_FIELD = LazyPattern(r"\\field\s*(?:\[[^\]]*\])?\s*\{(\w+)\}\s*")
_VERB = LazyPattern(r"\\verb\s*\{(\w+)\}\s*\n?(.*?)\\endverb", re.S)
_NAME = LazyPattern(r"\\name\s*\{(\w+)\}\s*\{\d+\}\s*\{[^{}]*\}\s*")


def _biblatex_names(block: str) -> list[str]:
    """Names of a ``\\name{author}{N}{}{...}`` list, both the ``family=`` and the positional layouts."""
    names = []
    pos = 0
    while True:
        g = _read_group(block, _skip_ws(block, pos))
        if not g:
            break
        inner, pos = g
        parts = {}
        for m in re.finditer(r"(\w+)=\{", inner):
            val = _read_group(inner, m.end() - 1)
            if val:
                parts[m.group(1)] = val[0]
        if "family" in parts:
            words = [parts.get("prefix", ""), parts["family"], parts.get("suffix", "")]
            given = parts.get("given", "")
            name = " ".join(x for x in [given, *words] if x)
        else:  # biblatex < 3.3: {{hash}{Family}{F.}{Given}{G.}{prefix}{p.}{suffix}{s.}}
            groups, p = [], 0
            inner_body = inner
            while True:
                gg = _read_group(inner_body, _skip_ws(inner_body, p))
                if not gg:
                    break
                groups.append(gg[0])
                p = gg[1]
            groups = [x for x in groups if not x.startswith("hash=")]
            family = groups[0] if groups else ""
            given = groups[2] if len(groups) > 2 else ""
            prefix = groups[4] if len(groups) > 4 else ""
            name = " ".join(x for x in [given, prefix, family] if x)
        text = latex_to_text(name.replace("\\bibinitperiod", ".").replace("\\bibinitdelim", " "))
        if text:
            names.append(text)
    return names


def _parse_biblatex(text: str, source: str) -> ReferenceList:
    refs = ReferenceList(source=source)
    text = _EOL_PERCENT.sub("", text)
    for m in _ENTRY.finditer(text):
        end = _ENDENTRY.search(text, m.end())
        block = text[m.end() : end.start() if end else len(text)]
        fields: dict[str, str] = {}
        for f in _FIELD.finditer(block):
            g = _read_group(block, f.end())
            if g:
                fields.setdefault(f.group(1).lower(), g[0])
        verbs = {v.group(1).lower(): " ".join(v.group(2).replace("\\verb", " ").split()) for v in _VERB.finditer(block)}
        authors: list[str] = []
        for n in _NAME.finditer(block):
            if n.group(1) == "author":
                g = _read_group(block, n.end())
                if g:
                    authors = _biblatex_names(g[0])
                break
        ref = Reference(key=m.group(1).strip(), authors=authors, raw=text[m.start() : end.end() if end else len(text)])
        ref.title = latex_to_text(fields.get("title", ""))
        ref.journal = latex_to_text(fields.get("journaltitle") or fields.get("journal") or fields.get("booktitle", ""))
        year = fields.get("year") or fields.get("date", "")[:4]
        ref.year = year if _YEAR.fullmatch(year or "") else ""
        doi = verbs.get("doi") or fields.get("doi", "")
        if doi:
            cleaned = _clean_doi(re.sub(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", "", doi.strip(), flags=re.I))
            ref.doi = cleaned if normalize_doi(cleaned) else ""
        eprint = fields.get("eprint") or verbs.get("eprint", "")
        eprinttype = (fields.get("eprinttype") or fields.get("archiveprefix") or "").lower()
        if eprint and eprinttype in ("", "arxiv"):
            parts = split_arxiv(eprint)
            if parts:
                ref.arxiv, ref.arxiv_version = parts
        url = verbs.get("url", "")
        if url:
            if not ref.arxiv and "arxiv" in url.lower():
                parts = split_arxiv(url)
                if parts:
                    ref.arxiv, ref.arxiv_version = parts
            if not ref.doi and "doi.org/" in url.lower():
                ref.doi = find_doi(url)
            if not any(s in url.lower() for s in ("doi.org/", "arxiv.org/")):
                ref.url = url
        if not ref.arxiv and ref.doi.lower().startswith("10.48550/arxiv."):
            ref.arxiv, ref.arxiv_version = find_arxiv(ref.doi)
        refs.append(_tidy(ref))
    return refs


# ======================================================================================================= bib =====

def _split_bib_names(value: str) -> list[str]:
    """BibTeX ``and``-separated names (only at brace depth 0), each turned to ``Given Family``."""
    names, depth, start = [], 0, 0
    i = 0
    low = value
    while i < len(low):
        c = low[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and re.match(r"\s+and\s+", low[i:], re.I) and (i == 0 or low[i].isspace()):
            m = re.match(r"\s+and\s+", low[i:], re.I)
            names.append(value[start:i])
            i += m.end()
            start = i
            continue
        i += 1
    names.append(value[start:])
    out = []
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        if name.lower() == "others":
            continue
        parts = _split_top_commas(name)
        if len(parts) == 2:
            name = f"{parts[1]} {parts[0]}"
        elif len(parts) == 3:  # "von Last, Jr, First"
            name = f"{parts[2]} {parts[0]} {parts[1]}"
        out.append(latex_to_text(name))
    return [n for n in out if n]


def _split_top_commas(name: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for c in name:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def parse_bib(text: str, source: str = "<bib>") -> ReferenceList:
    """Parse BibTeX with bibtexparser; unparsable blocks become warnings (see the module docstring)."""
    import logging

    import bibtexparser

    splitter_log = logging.getLogger("bibtexparser.splitter")
    was_disabled, splitter_log.disabled = splitter_log.disabled, True  # failures are reported as warnings below
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # noqa: BLE001 - the grammar can fail on pathological input
        raise BibliographyError(f"cannot be parsed as BibTeX: {exc}", path=source,
                                hint="check the file is a .bib (BibTeX) file and fix its syntax") from None
    finally:
        splitter_log.disabled = was_disabled
    refs = ReferenceList(source=source)
    for block in library.failed_blocks:
        line = (getattr(block, "start_line", 0) or 0) + 1
        first = (block.raw or "").strip().splitlines()[0][:70] if (block.raw or "").strip() else ""
        error = getattr(block, "error", None)
        reason = str(getattr(error, "abort_reason", "") or error or "").strip()
        reason = reason.splitlines()[0] if reason else "syntax error (unbalanced braces or quotes, or a missing comma?)"
        refs.warnings.append(f"{source}: skipped the block at line {line} ({first!r}): {reason}")
    for entry in library.entries:
        fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        ref = Reference(key=entry.key, raw=str(getattr(entry, "raw", "") or ""))
        ref.authors = _split_bib_names(fields.get("author", "")) if fields.get("author") else []
        ref.title = latex_to_text(fields.get("title", ""))
        ref.journal = latex_to_text(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle", ""))
        year = fields.get("year") or fields.get("date", "")[:4]
        y = _YEAR.search(year or "")
        ref.year = y.group(1) if y else ""
        if fields.get("doi"):
            raw_doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", fields["doi"].strip(), flags=re.I)
            cleaned = _clean_doi(raw_doi)
            ref.doi = cleaned if normalize_doi(cleaned) else ""
        prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
        eprint = fields.get("eprint", "")
        if eprint and prefix in ("", "arxiv"):
            parts = split_arxiv(eprint)
            if parts:
                ref.arxiv, ref.arxiv_version = parts
        url = fields.get("url", "")
        if url:
            low = url.lower()
            if not ref.arxiv and ("arxiv.org/" in low):
                parts = split_arxiv(url)
                if parts:
                    ref.arxiv, ref.arxiv_version = parts
            if not ref.doi and "doi.org/" in low:
                ref.doi = find_doi(url)
            if "doi.org/" not in low and "arxiv.org/" not in low:
                ref.url = url
        if not ref.arxiv:
            for name in ("journal", "note", "howpublished"):
                if "arxiv" in fields.get(name, "").lower():
                    ref.arxiv, ref.arxiv_version = find_arxiv(fields[name])
                    if ref.arxiv:
                        break
        if not ref.arxiv and ref.doi.lower().startswith("10.48550/arxiv."):
            ref.arxiv, ref.arxiv_version = find_arxiv(ref.doi)
        refs.append(_tidy(ref))
    if not refs and library.failed_blocks:
        raise BibliographyError(
            f"no entry could be parsed; {refs.warnings[0].split(': ', 1)[1]}",
            path=source,
            hint="fix the BibTeX syntax of that block (unbalanced braces or a missing comma are the usual cause)",
        )
    return refs
