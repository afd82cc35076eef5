"""Deciding whether an API record is the same work as a bibliography entry, strictly.

A wrong identifier is worse than none (the post would link a paper the authors never cited), so a record is
attached only on a strong match:

* **by title**: normalised titles agree (equal, or a similarity of at least 0.92, or one contains the other and
  both are long), the years agree within one (preprint vs journal year) when both are known, and the first
  authors' surnames agree when both are known;
* **without a title** (MNRAS-style entries): the first author's surname and the year agree, and either the
  journal volume and first page agree, or (for records without volume/page, as Semantic Scholar's) the journal
  matches the venue and the second author agrees when both lists have one, and the pairing is unique on both
  sides.

Anything else is reported as unmatched with the reason, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..latex_text import latex_to_text

TITLE_SIMILARITY = 0.92
MIN_TITLE_WORDS = 3


@dataclass
class Candidate:
    """One work an API knows, reduced to what matching needs and the identifiers it offers."""

    origin: str
    """``Semantic Scholar``, ``INSPIRE`` or ``Crossref``."""
    title: str = ""
    year: str = ""
    authors: list[str] = field(default_factory=list)
    """Names as the API gives them (``Family, Given`` or ``Given Family``)."""
    journal: str = ""
    volume: str = ""
    page: str = ""
    doi: str = ""
    arxiv: str = ""

    @property
    def has_identifier(self) -> bool:
        return bool(self.doi or self.arxiv)


@dataclass
class EntryKey:
    """A bibliography entry reduced to comparable parts."""

    title: str
    year: str
    surnames: list[str]
    journal: str
    volume: str
    page: str


_STOP = {"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "le", "des", "und", "der", "&"}
_JOURNAL_MACROS = {
    "mnras": "MNRAS", "apj": "ApJ", "apjl": "ApJ Lett", "apjs": "ApJS", "aap": "A&A", "aj": "AJ", "prd": "Phys Rev D",
    "jcap": "JCAP", "nat": "Nature", "pasp": "PASP", "araa": "ARA&A", "physrep": "Phys Rep", "prl": "Phys Rev Lett",
    "aaps": "A&AS", "pasa": "PASA", "pasj": "PASJ", "na": "New Astron",
}


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits separated by single spaces (accents and TeX braces dropped)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\\[a-zA-Z]+\s*", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def surname(name: str) -> str:
    """The family name of ``Family, Given`` or ``Given Family``, folded (``"de Lera Acedo"`` -> ``"acedo"``)."""
    name = name.strip()
    if "," in name:
        name = name.split(",", 1)[0]
    words = fold(name).split()
    words = [w for w in words if w not in ("jr", "sr", "ii", "iii", "iv")]
    return words[-1] if words else ""


def first_page(page: str) -> str:
    m = re.search(r"[A-Za-z]?\d+", page or "")
    return m.group(0).lower() if m else ""


_VOLUME_PAGE = re.compile(r"(?:^|[,;\s])(\d{1,4})\s*(?:\(\d+\))?\s*[,:]\s*(?:pp?\.\s*)?([A-Za-z]?\d{1,7})(?:\s*[-\u2013]+\s*\d+)?\s*(?:[.,;)]|$)")


def volume_and_page(text: str) -> tuple[str, str]:
    """``(volume, first page)`` from formatted text like ``2013, MNRAS, 430, 1141`` (after the year), or empty."""
    for m in _VOLUME_PAGE.finditer(text):
        volume, page = m.group(1), m.group(2)
        if len(volume) == 4 and volume.startswith(("19", "20")):
            continue  # a year, not a volume
        return volume, page.lower()
    return "", ""


def entry_key(ref) -> EntryKey:
    """The comparable parts of a :class:`~posttui.references.Reference`."""
    journal = ref.journal or ""
    if not journal.strip() or fold(journal) in _JOURNAL_MACROS:  # \mnras, \apj: the journal is a macro
        for m in re.finditer(r"\\([a-zA-Z]+)\b", ref.raw or ""):
            if m.group(1).lower() in _JOURNAL_MACROS:
                journal = _JOURNAL_MACROS[m.group(1).lower()]
                break
    text = ""
    if ref.raw:
        try:
            text = latex_to_text(re.sub(r"\\bibitem\s*(\[[^\]]*\])?\s*\{[^{}]*\}", " ", ref.raw))
        except Exception:  # noqa: BLE001 - a best-effort reading; the title path does not need it
            text = ""
    after_year = text.split(ref.year, 1)[1] if ref.year and ref.year in text else text
    volume, page = volume_and_page(after_year)
    if not journal.strip() and ref.year and ref.year in text:  # mnras: "Family I., 2013, MNRAS, 430, 1141"
        venue = re.sub(r"^[a-z]\b", "", after_year).lstrip(" ,;.").split(",")[0].strip()
        if venue and not re.search(r"\d", venue) and len(venue) < 80:
            journal = venue
    return EntryKey(
        title=fold(ref.title or ""),
        year=ref.year or "",
        surnames=[s for s in (surname(a) for a in ref.authors or []) if s],
        journal=journal,
        volume=volume,
        page=page,
    )


def _title_words(title: str) -> int:
    return len(title.split())


def titles_agree(a: str, b: str) -> bool:
    if not a or not b or min(_title_words(a), _title_words(b)) < MIN_TITLE_WORDS:
        return False
    if a == b:
        return True
    short, long = sorted((_title_words(a), _title_words(b)))
    if short >= 5 and short >= 0.6 * long and (a.startswith(b) or b.startswith(a)):
        return True  # a short subtitle dropped on one side
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= TITLE_SIMILARITY


def years_agree(a: str, b: str, slack: int = 1) -> bool:
    if not a or not b:
        return True
    try:
        return abs(int(a[:4]) - int(b[:4])) <= slack
    except ValueError:
        return False


def _abbreviation_tokens(abbrev: str) -> list[str]:
    tokens = []
    for word in re.split(r"[^A-Za-z&]+", abbrev):
        if not word or word.lower() in _STOP:
            continue
        if word.isupper() and 2 <= len(word) <= 6 and "&" not in word:
            tokens.extend(word.lower())  # MNRAS, JCAP: initials
        elif "&" in word:  # A&A, ARA&A: capitals are initials
            for part in filter(None, word.split("&")):
                tokens.extend(part.lower() if part.isupper() else [part.lower()])
        else:
            tokens.extend(p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]", word))  # ApJ -> ap, j
    return tokens


def _is_abbreviation(token: str, word: str) -> bool:
    """``token`` abbreviates ``word``: same first letter, the rest a subsequence (``ap`` / ``astrophysical``)."""
    if not token or not word or token[0] != word[0]:
        return False
    it = iter(word[1:])
    return all(c in it for c in token[1:])


def journals_agree(abbrev: str, venue: str) -> bool:
    """Whether a journal as a bibliography writes it (``MNRAS``, ``Phys. Rev. D``, ``ApJ``) names ``venue``."""
    if not abbrev.strip() or not venue.strip():
        return False
    a, v = fold(abbrev), fold(venue)
    if a == v:
        return True
    tokens = _abbreviation_tokens(abbrev)
    words = [w for w in v.split() if w not in _STOP]
    if not tokens or len(tokens) != len(words):
        return False
    return all(_is_abbreviation(t, w) for t, w in zip(tokens, words))


def strong_match(entry: EntryKey, cand: Candidate) -> str:
    """How the candidate matches the entry strongly (``"title"``, ``"volume/page"``), or ``""``."""
    cand_surnames = [s for s in (surname(a) for a in cand.authors) if s]
    authors_ok = not entry.surnames or not cand_surnames or entry.surnames[0] == cand_surnames[0]
    if entry.title and cand.title:
        if titles_agree(entry.title, fold(cand.title)) and years_agree(entry.year, cand.year) and authors_ok:
            return "title"
        return ""
    if not (entry.surnames and cand_surnames and entry.surnames[0] == cand_surnames[0]):
        return ""
    if not (entry.year and cand.year and entry.year[:4] == str(cand.year)[:4]):
        return ""
    if entry.volume and entry.page and cand.volume and cand.page:
        if entry.volume == str(cand.volume).strip() and entry.page == first_page(str(cand.page)):
            return "volume/page"
    return ""


def venue_match(entry: EntryKey, cand: Candidate) -> bool:
    """The weaker no-title test for records without volume/page; callers also require uniqueness."""
    if entry.title or not entry.surnames or not entry.year:
        return False
    cand_surnames = [s for s in (surname(a) for a in cand.authors) if s]
    if not cand_surnames or cand_surnames[0] != entry.surnames[0] or str(cand.year)[:4] != entry.year[:4]:
        return False
    if len(entry.surnames) > 1 and len(cand_surnames) > 1 and entry.surnames[1] != cand_surnames[1]:
        return False
    return journals_agree(entry.journal, cand.journal)
