"""Opening a paper from anything a user may name: an arXiv id or URL, a saved prompt, a folder, an archive, a .tex.

:func:`load` is the one entry point; it dispatches to the loader for the kind of source and returns a
:class:`~posttui.paper.Paper`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SourceError
from ..ids import split_arxiv
from ..paper import Paper

if TYPE_CHECKING:
    from ..config import Config
    from ..site import Site


def load(
    source: str | Path,
    *,
    metadata: str | Path | None = None,
    group: str | Path | None = None,
    authors: str | Path | None = None,
    homepage: str | Path | None = None,
    site: "str | Path | Site | None" = None,
    config: "Config | None" = None,
    check_dump_form: bool = True,
    feedparser_dicts: bool = True,
) -> Paper:
    """Open a paper from an arXiv id/URL, a saved prompt, or a local directory/archive/.tex file.

    ``site`` (a :class:`~posttui.site.Site`, or the folder of one: it must be a Jekyll site) supplies the group file
    and the homepage unless ``group``/``homepage`` name them explicitly. ``authors`` is an already-matched
    ``authors.yaml``; ``metadata`` a YAML or Atom XML file when it does not sit beside the source.
    ``check_dump_form=False`` skips a saved prompt's YAML re-dump check (for callers that never re-render it), and
    ``feedparser_dicts=False`` reads its metadata as plain dicts (for callers that never dump it; see
    :func:`~posttui.yamlio.load_yaml`).
    """
    from ..config import load_config

    config = config or load_config()
    explicit = {"--metadata": metadata, "--group": group, "--authors": authors, "--homepage": homepage}
    if site is not None:
        from ..site import Site

        site = site if isinstance(site, Site) else Site(site)
        group = group if group is not None else site.group_file
        homepage = homepage if homepage is not None else site.homepage
    text = str(source).strip()
    path = Path(text).expanduser()
    if path.exists():
        from .saved_prompt import is_saved_prompt, load_saved_prompt

        if path.is_file() and is_saved_prompt(path):
            paper = load_saved_prompt(path, check_dump_form=check_dump_form, feedparser_dicts=feedparser_dicts)
            return _ignoring(paper, explicit, "a saved prompt carries its own metadata, authors and homepage")
        from .local import load_local

        return load_local(path, metadata=metadata, group=group, authors=authors, homepage=homepage, config=config,
                          feedparser_dicts=feedparser_dicts)
    if split_arxiv(text):
        from .arxiv import load_arxiv

        paper = load_arxiv(text, group=group, authors=authors, homepage=homepage, config=config)
        return _ignoring(paper, {"--metadata": metadata}, "the metadata of an arXiv paper comes from arXiv")
    raise SourceError(
        f"no such file, and not an arXiv id or URL: {text!r}",
        hint="give a path to a directory, .tar/.tar.gz/.tex/.gz file or saved prompt, or an id like 2511.10640",
    )


def _ignoring(paper: Paper, options: dict, why: str) -> Paper:
    """Warn about source options this kind of source cannot use, instead of silently dropping them."""
    given = [f"{name} {value}" for name, value in options.items() if value is not None]
    if given:
        paper.note(f"{', '.join(given)} ignored: {why}")
    return paper
