"""Local paper sources: a directory bundle, a .tar/.tar.gz/.tgz archive, a lone .gz, or a .tex file.

Next to the source (inside a directory, or beside a file) posttui looks for the bundle's sidecar files:

* metadata: ``metadata.yaml`` | ``metadata.yml`` | ``metadata.xml`` | ``*.atom`` (or ``--metadata``);
* ``group.yaml``: the group members file to match authors against (``assets/group/group.yaml`` format);
* ``authors.yaml``: already-matched author information (name -> member entry);
* ``index.md`` | ``homepage.md``: the site's homepage, pasted into the prompt as the tone reference.

Any other file (figures, a ``prompt-parts.yaml`` written by ``posttui unpack``, ...) is left alone.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Config, load_config
from ..errors import GroupError, MetadataError, SourceError
from ..ids import NEW_ARXIV, OLD_ARXIV, split_arxiv
from ..lazy_pattern import LazyPattern
from ..paper import Paper, TexFile
from .archive import (
    LINK_SKIPPED,
    PDF_ONLY_WARNING,
    TEX_SUFFIXES,
    SourceFiles,
    is_archive_name,
    is_tex_name,
    read_source_file,
)
from .metadata import METADATA_NAMES, metadata_from_tex, parse_metadata
from .safe_read import file_kind, parse_yaml_bytes, read_file_bytes, read_yaml_file
from .textio import decode_text, read_text_file

HOMEPAGE_NAMES = ("index.md", "homepage.md")
GROUP_NAME = "group.yaml"
AUTHORS_NAME = "authors.yaml"
_SKIP_DIRS = {".git", ".svn", ".hg", "__MACOSX", "__pycache__", "node_modules"}


def _is_archive(path: Path) -> bool:
    return is_archive_name(path.name)


def _present(path: Path) -> bool:
    """A name that is there, whatever it is: a FIFO or a dangling link called metadata.yaml is then refused by the
    safe reader with a message, instead of being passed over in silence."""
    return os.path.lexists(path) and not path.is_dir()


def find_metadata(directory: Path) -> Path | None:
    """The metadata sidecar in ``directory`` (see module docstring), or None."""
    for name in METADATA_NAMES:
        if _present(directory / name):
            return directory / name
    atoms = sorted(p for p in directory.glob("*.atom") if _present(p))
    return atoms[0] if atoms else None


def _first_existing(directory: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        if _present(directory / name):
            return directory / name
    return None


def read_group(path: str | Path) -> dict:
    """The group members file (named by the user): a mapping of member name -> entry."""
    return check_group(read_yaml_file(path, error=GroupError), path)


def check_group(data: Any, path: str | Path) -> dict:
    """Validate a loaded group members file (named ``path`` in messages)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise GroupError(
            f"must map member names to their entries, not be a {type(data).__name__}",
            path=path,
            hint="use the site's assets/group/group.yaml format",
        )
    bad = [str(name) for name, entry in data.items() if entry is not None and not isinstance(entry, dict)]
    if bad:
        raise GroupError(
            f"entries must be mappings (roles, image, links); not for: {', '.join(bad[:5])}",
            path=path,
            hint="use the site's assets/group/group.yaml format",
        )
    from ..authors import members_from_mapping  # only for a group file (the lean prompt's bundles have none)

    members_from_mapping(data, path)  # every entry checked now, so a bad 'links' is reported against this file
    return data


def read_author_info(path: str | Path) -> dict:
    """``authors.yaml`` (named by the user): already-matched author information (author name -> member entry)."""
    return check_author_info(read_yaml_file(path, error=GroupError), path)


def check_author_info(data: Any, path: str | Path) -> dict:
    """Validate loaded ``authors.yaml`` content (named ``path`` in messages)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GroupError(
            f"must map author names to member entries, not be a {type(data).__name__}",
            path=path,
            hint="write it as  Name: {image: ..., links: {...}}",
        )
    return data


# ----- TeX files -------------------------------------------------------------------------------------------------


def _walk_sources(directory: Path) -> list[Path]:
    """Every .tex/.bbl/.bib under ``directory`` (hidden and VCS directories skipped), sorted by relative path."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if name.startswith("._"):
                continue
            if name.lower().endswith((*TEX_SUFFIXES, ".bbl", ".bib")):
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: p.relative_to(directory).as_posix())


def _read_loose(directory: Path, paths: list[Path], warnings: list[str], max_bytes: int) -> SourceFiles:
    """The loose TeX/.bbl/.bib files of a folder, through the safe reader; together at most ``max_bytes``."""
    result = SourceFiles(kind="directory")
    budget = max_bytes
    for path in paths:
        rel = path.relative_to(directory).as_posix()
        data = read_file_bytes(path, root=directory, max_bytes=budget)
        budget -= len(data)
        result.add(rel, decode_text(data, path, warnings, kind=path.suffix.lower()[1:]))
        result.members.append(rel)
    return result


def _directory_source(directory: Path, config: Config, warnings: list[str]) -> SourceFiles:
    loose = _walk_sources(directory)
    cap = config.max_archive_bytes
    if any(is_tex_name(p.name) for p in loose):
        return _read_loose(directory, loose, warnings, cap)
    archives = sorted(p for p in directory.iterdir() if _present(p) and _is_archive(p))
    preferred = [p for p in archives if p.name.lower().startswith("source.")]
    chosen = preferred[:1] or archives
    if len(chosen) > 1:
        raise SourceError(
            f"holds several archives ({', '.join(p.name for p in chosen)}) and no loose TeX",
            path=directory,
            hint="keep one archive, or name the paper's source source.tar.gz",
        )
    if chosen:
        files = read_source_file(chosen[0], max_bytes=cap, root=directory)
        # .bbl/.bib lying loose beside the archive complete it (e.g. a .bbl the author sent separately)
        if not files.bbl and any(p.suffix.lower() == ".bbl" for p in loose):
            files.bbl = _read_loose(directory, [p for p in loose if p.suffix.lower() == ".bbl"], warnings, cap).bbl
        if not files.bib and any(p.suffix.lower() == ".bib" for p in loose):
            files.bib = _read_loose(directory, [p for p in loose if p.suffix.lower() == ".bib"], warnings, cap).bib
        return files
    result = _read_loose(directory, loose, warnings, cap)  # maybe a .bbl/.bib only
    result.pdf_only = True
    pdfs = sorted(p.name for p in directory.glob("*.pdf"))
    result.kind = "pdf" if pdfs else "none"
    result.warnings.append(f"{directory}: {PDF_ONLY_WARNING}")
    return result


_INPUT_NAME_RE = LazyPattern(r"\\(?:input|include|subfile)\s*\{([^{}#]+)\}")
_BIBLIOGRAPHY_RE = LazyPattern(r"\\(?:bibliography|addbibresource)\s*(?:\[[^\]]*\])?\{([^{}]+)\}")


def _tex_file_source(path: Path, warnings: list[str], max_bytes: int) -> SourceFiles:
    """A single .tex file, plus the files it ``\\input``s and its .bbl/.bib when they sit beside it."""
    from ..latex import clean_tex

    text = read_text_file(path, warnings, kind="TeX", max_bytes=max_bytes)  # named by the user: may be a link
    if not text.strip():
        raise SourceError("is empty", path=path, hint="give the paper's main .tex file (or its directory)")
    base = path.parent
    result = SourceFiles(kind="tex")
    result.tex_files.append(TexFile(path.name, text))
    result.members.append(path.name)
    queue = [text]
    seen = {path.resolve()}
    bib_names: list[str] = []
    while queue:
        cleaned = clean_tex(queue.pop(0))
        for m in _BIBLIOGRAPHY_RE.finditer(cleaned):
            bib_names += [n.strip() for n in m.group(1).split(",") if n.strip()]
        for m in _INPUT_NAME_RE.finditer(cleaned):
            target = m.group(1).strip().strip('"')
            for candidate in (base / target, base / f"{target}.tex"):
                try:
                    resolved = candidate.resolve()
                    resolved.relative_to(base.resolve())  # never read outside the paper's folder
                except (OSError, ValueError):
                    continue
                if resolved in seen or not resolved.is_file() or not is_tex_name(resolved.name):
                    continue
                seen.add(resolved)
                child = read_text_file(resolved, warnings, kind="TeX", root=base, max_bytes=max_bytes)
                name = resolved.relative_to(base.resolve()).as_posix()
                result.tex_files.append(TexFile(name, child))
                result.members.append(name)
                queue.append(child)
                break
    bbl = base / f"{path.stem}.bbl"
    if bbl.is_file():
        result.bbl = read_text_file(bbl, warnings, kind="bbl", root=base, max_bytes=max_bytes)
    bibs = []
    for name in dict.fromkeys(bib_names):
        candidate = base / (name if name.endswith(".bib") else f"{name}.bib")
        if candidate.is_file():
            bibs.append(read_text_file(candidate, warnings, kind="bib", root=base, max_bytes=max_bytes))
    result.bib = "\n".join(bibs)
    return result


ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".gz", ".zip")
"""Names of a source file handed to the archive reader (which tells what it cannot open), and the suffixes a
source's slug drops; ``archive.ARCHIVE_SUFFIXES`` is the archive module's own, narrower list."""
SOURCE_HINT = ("give the paper's LaTeX source: a .tex file, a folder or .tar(.gz) of it, a saved prompt "
               "(prompts/content/*.txt), or its arXiv id")


def _file_source(path: Path, config: Config, warnings: list[str]) -> SourceFiles:
    if is_tex_name(path.name):
        return _tex_file_source(path, warnings, config.max_archive_bytes)
    head = _head(path)
    if path.suffix.lower() == ".pdf" or head.startswith(b"%PDF"):
        raise SourceError("is a PDF: PDF-only papers cannot be read (posttui writes from the LaTeX source)",
                          path=path, hint="give the paper's arXiv id (arXiv keeps the source) or its .tex/.tar.gz")
    is_archive = head[:2] == b"\x1f\x8b" or head[257:262] == b"ustar" or path.name.lower().endswith(ARCHIVE_SUFFIXES)
    if not is_archive:
        kind = f"a {path.suffix} file" if path.suffix else "a file without an extension"
        raise SourceError(f"is not a paper source ({kind}, not TeX, an archive or a saved prompt)", path=path,
                          hint=SOURCE_HINT)
    return read_source_file(path, max_bytes=config.max_archive_bytes)


def _head(path: Path) -> bytes:
    """The first bytes of a file, to tell a PDF or an archive from other files (empty if unreadable)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(512)
    except OSError:
        return b""


# ----- identity --------------------------------------------------------------------------------------------------

_NAME_ID_RE = LazyPattern(
    rf"(?<![\w.])(?P<id>{NEW_ARXIV}|{OLD_ARXIV.replace('/', '[/_]')})(?P<version>v\d+)?(?![\d])", re.I
)


def _identity(metadata: Any, source: Path) -> tuple[str | None, str]:
    if metadata is not None and hasattr(metadata, "get"):
        parts = split_arxiv(str(metadata.get("id", "") or ""))
        if parts:
            return parts
    m = _NAME_ID_RE.search(source.name)
    if m:
        parts = split_arxiv(m.group("id").replace("_", "/") + (m.group("version") or ""))
        if parts:
            return parts
    return None, ""


# ----- the loader ------------------------------------------------------------------------------------------------


def load_local(
    path: str | Path,
    *,
    metadata: str | Path | None = None,
    group: str | Path | None = None,
    authors: str | Path | None = None,
    homepage: str | Path | None = None,
    config: Config | None = None,
    feedparser_dicts: bool = True,
) -> Paper:
    """A Paper from a local directory, archive or .tex file (see module docstring for the sidecar files);
    ``feedparser_dicts=False``: metadata YAML as plain dicts, for callers that never dump it."""
    config = config or load_config()
    path = Path(path).expanduser()
    warnings: list[str] = []
    if path.is_dir():
        files = _directory_source(path, config, warnings)
        sidecars = path
    elif path.is_file():
        files = _file_source(path, config, warnings)
        sidecars = path.parent
    elif os.path.lexists(path):
        kind = file_kind(os.stat(path).st_mode) if path.exists() else "a symbolic link to nothing"
        raise SourceError(f"is {kind}, not a paper source", path=path,
                          hint="give a directory, .tar/.tar.gz/.gz or .tex file")
    else:
        raise SourceError("does not exist", path=path, hint="give a directory, .tar/.tar.gz/.gz or .tex file")
    warnings += files.warnings
    # A tarball made from a bundle carries its bundle files; for an archive given directly they win over files
    # that merely lie beside it (they may belong to another paper), for a folder the folder's own files win.
    inside_first = not path.is_dir()
    root = sidecars if path.is_dir() else None  # beside a lone file: the user's own folder, links allowed

    def sidecar(explicit, names: tuple[str, ...], error) -> tuple[str, bytes] | None:
        if explicit is not None:
            return str(explicit), read_file_bytes(explicit, error=error)
        inside = next((files.sidecars[n] for n in names if n in files.sidecars), None)
        if inside is None and names == METADATA_NAMES:
            inside = next((v for n, v in sorted(files.sidecars.items()) if n.endswith(".atom")), None)
        if inside is not None and inside_first:
            return inside
        found = find_metadata(sidecars) if names == METADATA_NAMES else _first_existing(sidecars, names)
        return (str(found), read_file_bytes(found, root=root, error=error)) if found is not None else inside

    metadata_file = sidecar(metadata, METADATA_NAMES, MetadataError)
    group_file = sidecar(group, (GROUP_NAME,), GroupError)
    authors_file = sidecar(authors, (AUTHORS_NAME,), GroupError)
    homepage_file = sidecar(homepage, HOMEPAGE_NAMES, SourceError)

    entry = (parse_metadata(metadata_file[1], metadata_file[0], feedparser_dicts=feedparser_dicts)
             if metadata_file is not None else None)
    arxiv_id, version = _identity(entry, path)
    paper = Paper(
        arxiv_id=arxiv_id,
        metadata=entry,
        tex_files=files.tex_files,
        bbl=files.bbl,
        bib=files.bib,
        version=version,
        origin=str(path),
        warnings=warnings,
    )
    from .saved_prompt import PARTS_FILE  # written by `posttui unpack`: the TeX is a saved prompt's glued blob

    if (sidecars / PARTS_FILE).is_file():
        paper.tex_glued = True
    if group_file is not None:
        paper.members = check_group(parse_yaml_bytes(group_file[1], group_file[0], error=GroupError), group_file[0])
    if authors_file is not None:
        paper.author_info = check_author_info(
            parse_yaml_bytes(authors_file[1], authors_file[0], error=GroupError), authors_file[0]
        )
    if homepage_file is not None:
        paper.homepage = decode_text(homepage_file[1], homepage_file[0], warnings, kind="Markdown")
    if entry is None:
        if not paper.tex_files:
            why = "".join(f" ({w.split(': ', 1)[-1]})" for w in files.warnings if LINK_SKIPPED in w)
            raise SourceError(
                f"has no TeX source and no metadata{why}",
                path=path,
                hint="put metadata.yaml (or the arXiv Atom XML) beside it, or pass --metadata",
            )
        paper.metadata = metadata_from_tex(paper.document, origin=str(path))
        paper.__dict__.pop("document", None)  # re-analyse with the title known (it picks the main document)
        warnings.append(
            f"{path}: no metadata file found: title, abstract and authors come from the TeX "
            "(no date or arXiv id; add metadata.yaml or the Atom XML for those)"
        )
    _name_without_metadata(paper, path)
    paper.post_name  # noqa: B018 - refuse, before any model call, a paper whose DATE-ID cannot name a file
    return paper


def source_slug(path: Path) -> str:
    """A post-name-safe slug of a source's file or folder name (``My Paper.tar.gz`` -> ``my-paper``)."""
    name = path.name
    for suffix in (*ARCHIVE_SUFFIXES, ".tex"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    slug = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.")
    return slug[:60].strip("-.") or "paper"


def _name_without_metadata(paper: Paper, path: Path) -> None:
    """Stated behaviour for a local source whose metadata has no date or no arXiv id.

    The post name must be ``DATE-ID``; rather than ``-paper``, the post is dated today (UTC) and named after the
    source, and a warning says so and how to choose otherwise.
    """
    missing = []
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", paper.date):
        paper.fallback_date = datetime.now(timezone.utc).date().isoformat()
        missing.append(f"no publication date, so it is dated today ({paper.fallback_date})")
    if not paper.arxiv_id:
        paper.fallback_id = source_slug(path.resolve())
        missing.append(f"no arXiv id, so it is named after the source ({paper.fallback_id!r})")
    if missing:
        paper.note(
            f"{path}: the post is named {paper.post_name}: {' and '.join(missing)}; to choose, put "
            "'published: YYYY-MM-DD' and 'id: http://arxiv.org/abs/ID' in metadata.yaml"
        )
