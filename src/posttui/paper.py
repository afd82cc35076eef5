"""The paper bundle: one object for everything the prompt, the checker and the writer need.

A :class:`Paper` is plain data, built by :func:`posttui.sources.load` from an arXiv id/URL, a saved prompt file, or a local source (directory,
archive, ``.tex``). Derived views (the flattened LaTeX document, references, author matches) are computed lazily
and cached, so opening a paper for the panes costs only what is looked at.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import LatexError
from .safenames import post_name as checked_post_name

_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

if TYPE_CHECKING:
    from .authors import AuthorMatch
    from .config import Config
    from .latex import LatexDocument
    from .references import Reference


class cached_view(cached_property):
    """A lazily computed, cached view of a paper, computed once per paper however many threads ask at once.

    functools.cached_property locks per class on Python 3.11 (two papers wait for each other) and not at all from
    3.12 (two panes asking at once analyse a 10 MB source twice, in parallel). Here each paper has a lock per view;
    a failure caches nothing, so the next caller tries again. The value lives in the instance dict, as before."""

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        cache = instance.__dict__
        if self.attrname in cache:
            return cache[self.attrname]
        lock = cache.setdefault("_view_locks", {}).setdefault(self.attrname, threading.Lock())
        with lock:
            if self.attrname not in cache:
                cache[self.attrname] = self.func(instance)
            return cache[self.attrname]


@dataclass
class TexFile:
    """One TeX file of the source, in archive order (the site concatenates them in this order)."""

    name: str
    text: str


@dataclass(eq=False)
class Paper:
    arxiv_id: str | None
    """Featured arXiv id without version (``2511.10640``), or None for a local paper with no id."""
    metadata: Any
    """The arXiv entry as feedparser returns it (a FeedParserDict), or a plain mapping with the same keys."""
    tex_files: list[TexFile] = field(default_factory=list)
    """TeX files in archive order; empty when arXiv has only a PDF."""
    bbl: str = ""
    """All ``.bbl`` text, concatenated as the site does (empty when the paper ships only a .bib)."""
    bib: str = ""
    """All ``.bib`` text (used for references when there is no .bbl)."""
    homepage: str = ""
    """The site's ``index.md``, pasted whole into the prompt as the tone reference."""
    members: dict | None = None
    """The group members file (``assets/group/group.yaml``) to match authors against, when known."""
    author_info: dict | None = None
    """Already-matched author information (name -> member entry), e.g. from a saved prompt or ``authors.yaml``."""
    parts: Any = None
    """Template parts parsed back from a saved prompt (kept so the prompt re-renders byte for byte)."""
    version: str = ""
    """arXiv version suffix (``v2``) if the source named one."""
    origin: str = ""
    """Where the paper came from (path, URL or id), for messages."""
    warnings: list[str] = field(default_factory=list)
    """Non-fatal problems met while loading (Latin-1 fallback, PDF-only source, ...)."""
    tex_glued: bool = False
    """The TeX is one blob of several files glued together (a saved prompt or its unpacked bundle)."""
    fallback_date: str = ""
    """Post date when the metadata has no usable ``published`` date (a local source: today, with a warning)."""
    fallback_id: str = ""
    """Post name's second half when there is no arXiv id (a local source: a slug of its file or folder name)."""

    # ----- metadata views -------------------------------------------------------------------------------------
    def _meta(self, key: str, default: Any = None) -> Any:
        md = self.metadata or {}
        try:
            return md.get(key, default)
        except AttributeError:
            return default

    @property
    def title(self) -> str:
        return " ".join(str(self._meta("title", "") or "").split())

    @property
    def abstract(self) -> str:
        return " ".join(str(self._meta("summary", "") or "").split())

    @property
    def date(self) -> str:
        """Post date: the entry's ``published`` date as YYYY-MM-DD."""
        published = str(self._meta("published", "") or "")[:10]
        if self.fallback_date and not _ISO_DATE_RE.fullmatch(published):
            return self.fallback_date
        return published

    @property
    def post_name(self) -> str:
        """``DATE-ID``: the stem of every file the site keeps for this post (old-style ids as ``astro-ph-0601001``).

        Raises :class:`SourceError` when the date is not a calendar date or the name cannot be a file name."""
        return checked_post_name(self.date, self.arxiv_id or self.fallback_id or "paper", path=self.origin or None)

    def note(self, warning: str) -> None:
        """Record a non-fatal problem once (derived views may be computed, and fail, more than once)."""
        if warning not in self.warnings:
            self.warnings.append(warning)

    @property
    def author_names(self) -> list[str]:
        return [str(a.get("name", "")) for a in (self._meta("authors") or []) if a.get("name")]

    @property
    def lead_author(self) -> dict:
        """The first author entry as the site's prompt prints it (``{'name': 'Thomas Harvey'}``)."""
        authors = self._meta("authors") or []
        return dict(authors[0]) if authors else {}

    @property
    def has_tex(self) -> bool:
        return bool(self.tex_files)

    @property
    def site_tex(self) -> str:
        """The TeX block of the site's prompt: every TeX file concatenated in archive order."""
        return "".join(f.text for f in self.tex_files)

    # ----- derived views (lazy) -------------------------------------------------------------------------------
    @cached_view
    def document(self) -> "LatexDocument | None":
        """The flattened main document (title, abstract, sections, citations), or None without TeX."""
        return self.analyse()

    def analyse(self, *, structure: bool = True) -> "LatexDocument | None":
        """Analyse the TeX now (not cached; :attr:`document` caches the whole analysis), noting its warnings and
        failure on the paper. ``structure=False`` skips titles, abstract, sections and captions (the lean prompt
        reads only the body and the user macros)."""
        from .latex import analyse_paper

        try:
            document = analyse_paper(self, structure=structure)
        except LatexError as exc:
            # Callers that can do without the structure (the site prompt, the lean fallback, the offline writer)
            # carry on; the problem is recorded so every front end still tells the user.
            self.note(f"the TeX structure cannot be analysed: {exc}")
            raise
        for warning in document.warnings if document is not None else ():
            self.note(f"{self.origin or 'TeX'}: {warning}")
        return document

    @cached_view
    def references(self) -> "list[Reference]":
        """References from the .bbl (or the .bib when there is no .bbl), with cached resolved identifiers."""
        from .references import references_of
        from .resolve import resolve_cached

        return resolve_cached(self, references_of(self))

    @cached_view
    def authors(self) -> "list[AuthorMatch]":
        """One match per paper author against the group members (or the given author information)."""
        from .authors import match_paper_authors

        return match_paper_authors(self)

    def prompt(self, mode: str = "site", *, model: str | None = None, image_model: str | None = None,
               resolved: bool = False) -> str:
        """The generation prompt: ``site`` (byte-identical to the site's) or ``lean`` (same facts, fewer tokens);
        ``resolved`` adds the looked-up identifiers to the site prompt (see :func:`posttui.prompt.build_prompt`)."""
        from .prompt import build_prompt

        return build_prompt(self, mode=mode, model=model, image_model=image_model, resolved=resolved)

    def __repr__(self) -> str:
        return f"<Paper {self.arxiv_id or self.origin!s} {self.title[:60]!r}>"

    def _repr_markdown_(self) -> str:
        from .summary import paper_markdown

        return paper_markdown(self)
