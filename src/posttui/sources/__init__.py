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


def load(
    source: str | Path,
    *,
    metadata: str | Path | None = None,
    group: str | Path | None = None,
    authors: str | Path | None = None,
    homepage: str | Path | None = None,
    site: str | Path | None = None,
    config: "Config | None" = None,
) -> Paper:
    """Open a paper from an arXiv id/URL, a saved prompt, or a local directory/archive/.tex file.

    ``site`` (a Jekyll site folder) supplies the group file (``assets/group/group.yaml``) and homepage
    (``index.md``) unless ``group``/``homepage`` name them explicitly. ``authors`` is an already-matched
    ``authors.yaml``; ``metadata`` a YAML or Atom XML file when it does not sit beside the source.
    """
    from ..config import load_config

    config = config or load_config()
    explicit = {"--metadata": metadata, "--group": group, "--authors": authors, "--homepage": homepage}
    if site is not None:
        site = Path(site)
        if group is None and (site / "assets/group/group.yaml").is_file():
            group = site / "assets/group/group.yaml"
        if homepage is None and (site / "index.md").is_file():
            homepage = site / "index.md"
    text = str(source).strip()
    path = Path(text).expanduser()
    if path.exists():
        from .saved_prompt import is_saved_prompt, load_saved_prompt

        if path.is_file() and is_saved_prompt(path):
            return _ignoring(load_saved_prompt(path), explicit, "a saved prompt carries its own metadata, authors "
                             "and homepage")
        from .local import load_local

        return load_local(path, metadata=metadata, group=group, authors=authors, homepage=homepage, config=config)
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
