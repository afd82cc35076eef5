"""Reading paper sources as arXiv ships them: tar, tar.gz, a lone gzipped .tex, or a PDF.

Archives are read in memory, member by member in archive order (the order the site concatenates TeX and bbl
in), and never extracted to disk. Every member still goes through the tarfile ``data`` filter so an archive that
would be unsafe to extract (absolute or ``..`` paths, links leaving the tree, device files) is refused outright,
and sizes are capped before and while decompressing so a gzip bomb cannot exhaust memory.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ArchiveError, SourceError
from ..paper import TexFile
from .textio import decode_text

MAX_MEMBERS = 20_000
"""More members than any real paper source has; a guard against archives built to exhaust memory."""
PDF_ONLY_WARNING = "no TeX source: carrying on with metadata and abstract"
_FAKE_DEST = "/posttui-nonexistent-extract-dir"


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

    def add(self, name: str, text: str) -> None:
        """File a member by extension: TeX files keep their order, .bbl texts are concatenated as the site does
        (no separator), .bib texts joined by newlines."""
        ext = name.rsplit(".", 1)[-1].lower()
        if ext == "tex":
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
    """Decompress gzip data (all members), stopping as soon as the output passes ``max_bytes``."""
    out = bytearray()
    rest = data
    while rest:
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = decomp.decompress(rest, max_bytes + 1 - len(out))
            out += chunk
            while decomp.unconsumed_tail and len(out) <= max_bytes:
                out += decomp.decompress(decomp.unconsumed_tail, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise ArchiveError(
                f"is not valid gzip data ({exc})", path=name, hint="download the source again; the file is corrupt"
            ) from None
        if len(out) > max_bytes:
            raise _too_big(name, max_bytes, "the decompressed source")
        if not decomp.eof:
            raise ArchiveError(
                "is truncated (the gzip stream ends early)",
                path=name,
                hint="download the source again; the file was cut short",
            )
        rest = decomp.unused_data.lstrip(b"\x00")  # trailing padding is allowed after the last member
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
    try:
        tarfile.open(fileobj=io.BytesIO(data[:10240]), mode="r:").close()
        return True
    except (tarfile.TarError, EOFError, OSError):
        return False


def check_member(member: tarfile.TarInfo, archive: str) -> None:
    """Refuse a member that would be unsafe to extract (same rules as tarfile's ``data`` filter, named clearly)."""
    name = member.name
    hint = "this archive is unsafe to unpack; get the source from its original place"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"member {name!r} has an absolute path", path=archive, hint=hint)
    if ".." in name.replace("\\", "/").split("/"):
        raise ArchiveError(f"member {name!r} points outside the archive ('..' in its path)", path=archive, hint=hint)
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


def _read_tar(raw: bytes, name: str, max_bytes: int, result: SourceFiles) -> None:
    total = 0
    count = 0
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
                if not member.isfile():
                    continue
                member_name = posixpath.normpath(member.name)  # "./a/b.tex" -> "a/b.tex"
                result.members.append(member_name)
                base = posixpath.basename(member_name)
                if member_name.startswith("__MACOSX/") or base.startswith("._"):
                    continue  # macOS resource forks: binary files that only look like .tex by name
                ext = posixpath.splitext(base)[1].lower()
                if ext not in (".tex", ".bbl", ".bib"):
                    continue
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                if len(data) != member.size:
                    raise ArchiveError(
                        f"is truncated (member {member_name!r} is cut short)",
                        path=name,
                        hint="download the source again; the file was cut short",
                    )
                where = f"{name}:{member_name}"
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


def read_source_bytes(data: bytes, name: str, *, max_bytes: int) -> SourceFiles:
    """Understand source bytes (tar, tar.gz, gzipped TeX, PDF or plain TeX) named ``name`` in messages."""
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
        _read_tar(raw, name, max_bytes, result)
        return result
    # A lone (gzipped) TeX file, as arXiv serves single-file submissions.
    member = gzip_original_name(data) if gzipped else None
    if not member:
        stem = Path(name).name
        for suffix in (".gz", ".tgz", ".tar"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        member = stem if stem.endswith(".tex") else f"{stem}.tex"
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


def read_source_file(path: str | Path, *, max_bytes: int) -> SourceFiles:
    """Read a source archive from disk (size checked before reading)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(str(path), max_bytes, "the source file")
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"cannot be read: {exc.strerror}", path=path) from None
    return read_source_bytes(data, str(path), max_bytes=max_bytes)
