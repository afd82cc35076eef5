"""Paper metadata: the arXiv entry as feedparser gives it, from YAML, Atom XML, or (last resort) the TeX itself.

The site's prompt dumps the feedparser entry object verbatim, so metadata is kept as that object
(``FeedParserDict``): parsed from arXiv's Atom feed with feedparser itself, or loaded back from the site-style YAML
dump through :mod:`posttui.yamlio`. A local source without metadata gets a minimal entry built from the TeX title,
abstract and authors, with a warning saying so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import MetadataError, SourceError
from ..lazy_pattern import LazyPattern
from ..yamlio import load_yaml
from .safe_read import read_file_bytes

METADATA_NAMES = ("metadata.yaml", "metadata.yml", "metadata.xml")


def _feedparser_dict(items: dict | None = None):
    from feedparser.util import FeedParserDict

    result = FeedParserDict()
    if items:
        result.update(items)
    return result


def parse_atom(data: bytes | str, source: str | Path, *, error: type[MetadataError] = MetadataError) -> Any:
    """The first entry of an Atom feed (arXiv API response) as a FeedParserDict.

    An arXiv error feed (an entry titled ``Error``) and a feed without entries raise ``error`` with arXiv's
    message and the source named.
    """
    import feedparser

    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise error("is empty (expected an Atom feed)", path=source, hint="fetch the metadata again")
    feed = feedparser.parse(data)
    entries = feed.get("entries") or []
    if not entries:
        problem = feed.get("bozo_exception")
        detail = f" ({problem})" if feed.get("bozo") and problem else ""
        if str(feed.get("version", "")).startswith("atom"):
            raise error(
                "arXiv returned no entry (unknown id?)",
                path=source,
                hint="check the arXiv id; new papers appear only after their announcement",
            )
        raise error(f"is not an Atom feed with an entry{detail}", path=source, hint="give arXiv's API response")
    entry = entries[0]
    if str(entry.get("title", "")).strip() == "Error":
        message = " ".join(str(entry.get("summary", "")).split()) or "unspecified error"
        raise error(f"arXiv reports an error: {message}", path=source, hint="check the arXiv id")
    return entry


def check_metadata(data: Any, source: str | Path) -> Any:
    """Validate loaded metadata: a mapping with a title (a whole feed yields its first entry)."""
    if isinstance(data, dict) and "entries" in data and "title" not in data:
        entries = data.get("entries") or []
        if not entries:
            raise MetadataError("holds a feed without entries", path=source)
        data = entries[0]
    if not isinstance(data, dict):
        raise MetadataError(
            f"must be a mapping of entry fields (title, summary, authors, ...), not {type(data).__name__}",
            path=source,
            hint="write the arXiv entry as YAML (as the site's prompts do) or give the Atom XML",
        )
    if not str(data.get("title", "") or "").strip():
        raise MetadataError("has no title", path=source, hint="add a 'title:' field")
    return check_authors(data, source)


def check_authors(data: Any, source: str | Path, *, error: type[SourceError] = MetadataError) -> Any:
    """Validate the ``authors`` of loaded metadata: a list of entries with a ``name`` (not bare strings)."""
    authors = data.get("authors")
    if authors is not None and (
        not isinstance(authors, list) or not all(isinstance(a, dict) and "name" in a for a in authors)
    ):
        raise error(
            "'authors' must be a list of entries with a 'name'",
            path=source,
            hint="write authors as  - name: First Last",
        )
    return data


def read_metadata(path: str | Path, *, root: str | Path | None = None) -> Any:
    """Metadata from a YAML file (site style, feedparser tags allowed) or an Atom XML file, read through the safe
    reader (``root``: the bundle it must stay inside)."""
    return parse_metadata(read_file_bytes(path, root=root, error=MetadataError), path)


def parse_metadata(data: bytes, name: str | Path, *, feedparser_dicts: bool = True) -> Any:
    """Metadata from the bytes of a YAML or Atom XML file called ``name`` (a path, or ``archive:member``);
    ``feedparser_dicts=False`` reads YAML feedparser tags as plain dicts (see :func:`~posttui.yamlio.load_yaml`)."""
    suffix = Path(str(name)).suffix.lower()
    if suffix in (".xml", ".atom") or (suffix not in (".yaml", ".yml") and data.lstrip()[:1] == b"<"):
        return parse_atom(data, name)
    if not data.strip():
        raise MetadataError("is empty", path=name, hint="write the paper's metadata (title, summary, authors)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", path=name) from None
    return check_metadata(load_yaml(text, name, feedparser_dicts=feedparser_dicts), name)


# ----- metadata from the TeX itself ------------------------------------------------------------------------------

_AUTHOR_NOISE = LazyPattern(r"\$[^$]*\$|\\textsuperscript\s*\{[^{}]*\}|\^\{[^{}]*\}|\\(?:inst|affil|affiliation|"
                           r"email|orcidlink|orcid|altaffilmark|affilmark|footnotemark|IEEEauthorrefmark)\s*"
                           r"(?:\[[^\]]*\])?\{[^{}]*\}")


def tex_authors(latex_preamble_and_front: str) -> list[str]:
    """Author names from ``\\author`` commands (best effort across mnras/aastex/revtex/article styles)."""
    from ..latex import find_macro_arguments, inline_text, macro_argument

    names: list[str] = []
    for arg, start in find_macro_arguments(latex_preamble_and_front, "author"):
        for macro in ("thanks", "footnote"):
            for _, at in reversed(find_macro_arguments(arg, macro)):
                m = re.compile(r"\\" + macro + r"\*?").match(arg, at)
                found = macro_argument(arg, m.end()) if m else None
                if found:
                    arg = arg[:at] + arg[found[2] :]
        arg = _AUTHOR_NOISE.sub(" ", arg)
        arg = re.split(r"\\\\|\\newauthor", arg)[0] if "\\and" not in arg else arg.replace("\\\\", " ")
        for piece in re.split(r"\\and\b|,|;|\band\b", arg):
            name = inline_text(piece)
            name = re.sub(r"[\d*†‡§¶]+", " ", name)
            name = " ".join(name.split()).strip(" .,")
            if re.search(r"[A-Za-z]", name) and len(name) < 80:
                names.append(name)
    return list(dict.fromkeys(names))


def metadata_from_tex(document, *, origin: str = "") -> Any:
    """A minimal entry (title, summary, authors) read from the analysed TeX, for a source without metadata."""
    title = document.title if document is not None else ""
    summary = document.abstract if document is not None else ""
    authors = tex_authors(document.text[: len(document.preamble) + 20000]) if document is not None else []
    if not title:
        raise MetadataError(
            "no metadata file and no \\title in the TeX",
            path=origin or None,
            hint="put metadata.yaml (or the arXiv Atom XML) beside the source, or pass --metadata",
        )
    entry = _feedparser_dict(
        {
            "title": title,
            "summary": summary,
            "authors": [_feedparser_dict({"name": name}) for name in authors],
        }
    )
    if authors:
        entry["author"] = authors[-1]  # feedparser keeps the last <author> here; mirror it
        entry["author_detail"] = _feedparser_dict({"name": entry["author"]})
    return entry
