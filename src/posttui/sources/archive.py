"""Reading paper sources as arXiv ships them: tar, tar.gz, a lone gzipped .tex, or a PDF.

Archives are read in memory, member by member in archive order (the order the site concatenates TeX and bbl
in), and never extracted to disk. Every member still goes through the tarfile ``data`` filter so an archive that
would be unsafe to extract (absolute or ``..`` paths, links leaving the tree, device files) is refused outright,
and sizes are capped before and while decompressing so a gzip bomb cannot exhaust memory.
"""

from __future__ import annotations

import io
import posixpath
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ArchiveError, SourceError, printable
from ..paper import TexFile
from .safe_read import read_file_bytes
from .textio import decode_text

if TYPE_CHECKING:
    import tarfile

MAX_MEMBERS = 20_000
"""More members than any real paper source has; a guard against archives built to exhaust memory."""
MAX_GZIP_MEMBERS = 100_000
"""More gzip members than any tool writes (bgzip's 64 KB blocks give ~3,200 for the size cap)."""
PDF_ONLY_WARNING = "no TeX source: carrying on with metadata and abstract"
LINK_SKIPPED = "links in a source are not followed: skipped"
NO_TEX_WARNING = "no TeX file found{detail}: the post would be written from the metadata and abstract alone"
TEX_SUFFIXES = (".tex", ".ltx")
"""TeX sources: ``.ltx`` is LaTeX's other extension (arXiv accepts it)."""
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".gz")
SIDECAR_NAMES = ("metadata.yaml", "metadata.yml", "metadata.xml", "group.yaml", "authors.yaml", "index.md",
                 "homepage.md")
"""Bundle files (see :mod:`posttui.sources.local`) that a tarball of a bundle may carry at its top."""
_FAKE_DEST = "/posttui-nonexistent-extract-dir"
_NOT_NUL = re.compile(rb"[^\x00]")


def is_tex_name(name: str) -> bool:
    return name.lower().endswith(TEX_SUFFIXES)


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


@dataclass
class SourceFiles:
    """What a source archive holds, in archive order."""

    tex_files: list[TexFile] = field(default_factory=list)
    bbl: str = ""
    bib: str = ""
    pdf_only: bool = False
    kind: str = ""
    """``tar``, ``tar.gz``, ``gzip`` (a lone gzipped file), ``pdf``, ``pdf.gz`` or ``tex``."""
    members: list[str] = field(default_factory=list)
    """Every regular file's name, in archive order."""
    warnings: list[str] = field(default_factory=list)
    sidecars: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Bundle files found at the top of an archive (file name -> (name for messages, bytes)), e.g. the
    ``metadata.yaml`` of a tarball made from a bundle folder."""

    def add(self, name: str, text: str) -> None:
        """File a member by extension: TeX files keep their order, .bbl texts are concatenated as the site does
        (no separator), .bib texts joined by newlines."""
        ext = name.rsplit(".", 1)[-1].lower()
        if ext in ("tex", "ltx"):
            self.tex_files.append(TexFile(name, text))
        elif ext == "bbl":
            self.bbl += text
        elif ext == "bib":
            self.bib = f"{self.bib}\n{text}" if self.bib else text


def _too_big(name: str, limit: int, what: str) -> ArchiveError:
    return ArchiveError(
        f"{what} is larger than the {limit:,}-byte cap",
        path=name,
        hint="raise max_archive_bytes in the config if this source is genuine",
    )


def gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    """Decompress gzip data (all members), stopping as soon as the output passes ``max_bytes``.

    Linear in the input: each member is fed in growing slices of one memoryview, so what zlib copies back as
    ``unused_data`` is at most one slice, never the whole rest of the file (which made many small members
    quadratic). NUL padding between and after members is skipped, as gzip does.
    """
    out = bytearray()
    view = memoryview(data)
    pos = 0
    members = 0
    while True:
        found = _NOT_NUL.search(data, pos)
        if found is None:
            break
        pos = found.start()
        members += 1
        if members > MAX_GZIP_MEMBERS:
            raise ArchiveError(
                f"has more than {MAX_GZIP_MEMBERS:,} gzip members", path=name, hint="this is not a paper source"
            )
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        step = 4096
        try:
            while not decomp.eof and pos < len(data):
                piece = view[pos : pos + step]
                pos += len(piece)
                step = min(step * 2, 1 << 20)
                out += decomp.decompress(piece, max_bytes + 1 - len(out))
                while decomp.unconsumed_tail and len(out) <= max_bytes:
                    out += decomp.decompress(decomp.unconsumed_tail, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise _too_big(name, max_bytes, "the decompressed source")
        except zlib.error as exc:
            raise ArchiveError(
                f"is not valid gzip data ({exc})", path=name, hint="download the source again; the file is corrupt"
            ) from None
        if not decomp.eof:
            raise ArchiveError(
                "is truncated (the gzip stream ends early)",
                path=name,
                hint="download the source again; the file was cut short",
            )
        pos -= len(decomp.unused_data)
    return bytes(out)


def gzip_original_name(data: bytes) -> str | None:
    """The file name stored in a gzip header (FNAME), if any."""
    if len(data) < 10 or data[:2] != b"\x1f\x8b" or not data[3] & 0x08:
        return None
    pos = 10
    if data[3] & 0x04:  # FEXTRA
        if len(data) < 12:
            return None
        pos += 2 + int.from_bytes(data[10:12], "little")
    end = data.find(b"\x00", pos)
    if end < 0:
        return None
    raw = data[pos:end].decode("latin-1").strip()
    return posixpath.basename(raw.replace("\\", "/")) or None


def _is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip()[:5] == b"%PDF-"


def _looks_like_tar(data: bytes) -> bool:
    if len(data) >= 512 and data[257:262] == b"ustar":
        return True
    if len(data) < 512:
        return False
    import tarfile  # (here and below) only for an archive: opening a folder or a .tex file never needs it

    try:
        tarfile.open(fileobj=io.BytesIO(data[:10240]), mode="r:").close()
        return True
    except (tarfile.TarError, EOFError, OSError):
        return False


def check_member(member: tarfile.TarInfo, archive: str) -> None:
    """Refuse a member that would be unsafe to extract (same rules as tarfile's ``data`` filter, named clearly)."""
    import tarfile

    name = member.name
    hint = "this archive is unsafe to unpack; get the source from its original place"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"member {name!r} has an absolute path", path=archive, hint=hint)
    if ".." in name.replace("\\", "/").split("/"):
        raise ArchiveError(f"member {name!r} points outside the archive ('..' in its path)", path=archive, hint=hint)
    if "\x00" in name or "\x00" in member.linkname:
        raise ArchiveError(f"member {name!r} has a NUL byte in its name or link", path=archive, hint=hint)
    try:
        tarfile.data_filter(member, _FAKE_DEST)
    except tarfile.FilterError as exc:
        if member.issym() or member.islnk():
            kind = "symlink" if member.issym() else "hard link"
            problem = f"{kind} member {name!r} -> {member.linkname!r} points outside the archive"
        elif member.ischr() or member.isblk() or member.isfifo():
            problem = f"member {name!r} is a device or pipe, not a file"
        else:
            problem = f"member {name!r} is unsafe ({exc})"
        raise ArchiveError(problem, path=archive, hint=hint) from None


def _sidecar_depth(member_name: str) -> int | None:
    """How deep a bundle file sits (0: top, 1: in the one folder a tarball of a folder has), or None when the
    member is not a bundle file there."""
    parts = member_name.split("/")
    base = parts[-1].lower()
    if len(parts) > 2 or not (base in SIDECAR_NAMES or base.endswith(".atom")):
        return None
    return len(parts) - 1


def _read_tar(raw: bytes, name: str, max_bytes: int, result: SourceFiles, *, depth: int = 0) -> None:
    total = 0
    count = 0
    nested: list[tuple[str, bytes]] = []
    sidecar_depth: dict[str, int] = {}
    import tarfile

    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                count += 1
                if count > MAX_MEMBERS:
                    raise ArchiveError(
                        f"has more than {MAX_MEMBERS:,} members", path=name, hint="this is not a paper source"
                    )
                check_member(member, name)
                total += max(member.size, 0) + 512
                if total > max_bytes:
                    raise _too_big(name, max_bytes, "the archive's content")
                member_name = posixpath.normpath(member.name)  # "./a/b.tex" -> "a/b.tex"
                base = posixpath.basename(member_name)
                ext = posixpath.splitext(base)[1].lower()
                wanted = ext in (".tex", ".ltx", ".bbl", ".bib")
                if member.issym() or member.islnk():
                    if wanted:
                        kind = "symbolic link" if member.issym() else "hard link"
                        result.warnings.append(
                            f"{name}: member {member_name!r} is a {kind} (to "
                            f"{member.linkname!r}); {LINK_SKIPPED}"
                        )
                    continue
                if not member.isfile():
                    continue
                result.members.append(member_name)
                if member_name.startswith("__MACOSX/") or base.startswith("._"):
                    continue  # macOS resource forks: binary files that only look like .tex by name
                at = _sidecar_depth(member_name)
                archive = depth == 0 and is_archive_name(base)
                if not wanted and at is None and not archive:
                    continue
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                if len(data) != member.size:
                    raise ArchiveError(
                        f"is truncated (member {member_name!r} is cut short)",
                        path=name,
                        hint="download the source again; the file was cut short",
                    )
                where = f"{name}:{printable(member_name)}"
                if at is not None:
                    if at < sidecar_depth.get(base.lower(), 2):
                        sidecar_depth[base.lower()] = at
                        result.sidecars[base.lower()] = (where, data)
                    continue
                if archive:
                    nested.append((member_name, data))
                    continue
                try:
                    text = decode_text(data, where, result.warnings, kind=ext[1:])
                except SourceError as exc:
                    raise ArchiveError(str(exc)) from None
                result.add(member_name, text)
    except ArchiveError:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise ArchiveError(
            f"is truncated or not a readable tar archive ({exc})",
            path=name,
            hint="download the source again; the archive is truncated or corrupt",
        ) from None
    if not result.tex_files and nested:
        # The TeX is in an archive inside the archive (a submission packed twice): read one level down.
        for member_name, data in nested:
            inner = read_source_bytes(data, f"{name}:{printable(member_name)}", max_bytes=max_bytes - total,
                                      depth=depth + 1)
            result.warnings += inner.warnings
            for tex in inner.tex_files:
                result.tex_files.append(TexFile(f"{member_name}/{tex.name}", tex.text))
            result.bbl += inner.bbl
            result.bib = "\n".join(b for b in (result.bib, inner.bib) if b)
            result.members += [f"{member_name}/{m}" for m in inner.members]


def read_source_bytes(data: bytes, name: str, *, max_bytes: int, depth: int = 0) -> SourceFiles:
    """Understand source bytes (tar, tar.gz, gzipped TeX, PDF or plain TeX) named ``name`` in messages.

    A tar whose TeX is in an archive inside it is read one level down (``depth`` counts the levels); a tar with no
    TeX at all gets a warning, so a post is never written from the abstract alone without the user being told."""
    if not data:
        raise ArchiveError("is empty", path=name, hint="download the source again, or give the TeX files directly")
    if len(data) > max_bytes:
        raise _too_big(name, max_bytes, "the source file")
    result = SourceFiles()
    raw = data
    gzipped = data[:2] == b"\x1f\x8b"
    if gzipped:
        raw = gunzip(data, name, max_bytes)
        if not raw:
            raise ArchiveError("is an empty gzip file", path=name, hint="download the source again")
    if _is_pdf(raw):
        result.pdf_only = True
        result.kind = "pdf.gz" if gzipped else "pdf"
        result.warnings.append(f"{name}: {PDF_ONLY_WARNING}")
        return result
    if _looks_like_tar(raw):
        result.kind = "tar.gz" if gzipped else "tar"
        _read_tar(raw, name, max_bytes, result, depth=depth)
        if not result.tex_files and depth == 0:
            shown = ", ".join(printable(m) for m in result.members[:8]) or "none"
            more = f" and {len(result.members) - 8} more" if len(result.members) > 8 else ""
            result.warnings.append(f"{name}: " + NO_TEX_WARNING.format(
                detail=f" in the archive (files: {shown}{more})"))
        return result
    # A lone (gzipped) TeX file, as arXiv serves single-file submissions.
    member = gzip_original_name(data) if gzipped else None
    if not member:
        stem = Path(name).name
        for suffix in (".gz", ".tgz", ".tar"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        member = stem if is_tex_name(stem) else f"{stem}.tex"
    try:
        text = decode_text(raw, name, result.warnings)
    except SourceError:
        raise ArchiveError(
            "is neither a tar archive, a PDF nor TeX text",
            path=name,
            hint="give a .tar/.tar.gz/.gz source as arXiv ships it, or the .tex file itself",
        ) from None
    result.kind = "gzip" if gzipped else "tex"
    result.members.append(member)
    result.tex_files.append(TexFile(member, text))
    return result


def read_source_file(path: str | Path, *, max_bytes: int, root: str | Path | None = None) -> SourceFiles:
    """Read a source archive from disk through the safe reader (a regular file, size checked before reading;
    ``root``: the bundle folder a link may not leave)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # the safe reader says what is wrong with it
    if size > max_bytes:
        raise _too_big(str(path), max_bytes, "the source file")
    data = read_file_bytes(path, root=root, max_bytes=max_bytes, error=ArchiveError)
    return read_source_bytes(data, str(path), max_bytes=max_bytes)
