"""Reading arXiv-style sources: tar, tar.gz, lone gzipped TeX, PDF, and every unsafe or broken archive."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from posttui.errors import ArchiveError, SourceError
from posttui.sources import archive
from posttui.sources.archive import gunzip, read_source_bytes, read_source_file
from posttui.sources.textio import decode_text, looks_binary

CAP = 10 * 1024 * 1024


def make_tar(members, *, gz: bool = True) -> bytes:
    """``members``: list of (name, bytes) for files, or (TarInfo, None) for special members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gz else "w") as tar:
        for name, data in members:
            if isinstance(name, tarfile.TarInfo):
                tar.addfile(name)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def test_tar_gz_members_in_archive_order_with_bbl_and_bib():
    data = make_tar(
        [
            ("z_intro.tex", b"\\section{Intro}\n"),
            ("./main.tex", b"\\documentclass{article}\n"),
            ("figs/plot.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
            ("ms.bbl", b"\\bibitem{a}\n"),
            ("sub/extra.bbl", b"\\bibitem{b}\n"),
            ("refs.bib", b"@article{a, title={A}}"),
        ]
    )
    files = read_source_bytes(data, "2501.00001.tar.gz", max_bytes=CAP)
    assert files.kind == "tar.gz"
    assert [f.name for f in files.tex_files] == ["z_intro.tex", "main.tex"]  # archive order, ./ dropped
    assert files.tex_files[1].text == "\\documentclass{article}\n"
    assert files.bbl == "\\bibitem{a}\n\\bibitem{b}\n"
    assert files.bib == "@article{a, title={A}}"
    assert files.members == ["z_intro.tex", "main.tex", "figs/plot.png", "ms.bbl", "sub/extra.bbl", "refs.bib"]
    assert not files.pdf_only and files.warnings == []


def test_plain_tar_and_file_on_disk(tmp_path):
    path = tmp_path / "src.tar"
    path.write_bytes(make_tar([("a.tex", b"x")], gz=False))
    files = read_source_file(path, max_bytes=CAP)
    assert files.kind == "tar" and [f.text for f in files.tex_files] == ["x"]


def test_single_gzipped_tex_uses_the_name_in_the_gzip_header():
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="paper_v2.tex", mode="wb", fileobj=buffer) as handle:
        handle.write(b"\\documentclass{article}\n")
    files = read_source_bytes(buffer.getvalue(), "2501.00002", max_bytes=CAP)
    assert files.kind == "gzip"
    assert [(f.name, f.text) for f in files.tex_files] == [("paper_v2.tex", "\\documentclass{article}\n")]
    # without a name in the header the archive's own name is used
    files = read_source_bytes(gzip.compress(b"text", mtime=0), "2501.00002.gz", max_bytes=CAP)
    assert files.tex_files[0].name == "2501.00002.tex"


def test_pdf_only_sources_plain_and_gzipped():
    pdf = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
    files = read_source_bytes(pdf, "2501.00003", max_bytes=CAP)
    assert files.pdf_only and files.kind == "pdf" and files.tex_files == []
    assert files.warnings == ["2501.00003: no TeX source: carrying on with metadata and abstract"]
    assert read_source_bytes(gzip.compress(pdf), "x.gz", max_bytes=CAP).kind == "pdf.gz"


@pytest.mark.parametrize(
    "member, message",
    [
        (("../evil.tex", b"x"), "member '../evil.tex' points outside the archive ('..' in its path)"),
        (("a/../../evil.tex", b"x"), "points outside the archive"),
        (("/etc/evil.tex", b"x"), "member '/etc/evil.tex' has an absolute path"),
        (special("link.tex", tarfile.SYMTYPE, "../../etc/passwd"),
         "symlink member 'link.tex' -> '../../etc/passwd' points outside the archive"),
        (special("abs.tex", tarfile.SYMTYPE, "/etc/passwd"), "symlink member 'abs.tex' -> '/etc/passwd'"),
        (special("hard.tex", tarfile.LNKTYPE, "../outside.tex"), "hard link member 'hard.tex'"),
        (special("dev.tex", tarfile.CHRTYPE), "member 'dev.tex' is a device or pipe, not a file"),
        (special("blk", tarfile.BLKTYPE), "member 'blk' is a device or pipe"),
    ],
)
def test_unsafe_members_are_refused_with_the_member_named(member, message):
    data = make_tar([("main.tex", b"ok"), member])
    with pytest.raises(ArchiveError) as info:
        read_source_bytes(data, "bad.tar.gz", max_bytes=CAP)
    text = str(info.value)
    assert text.startswith("bad.tar.gz: ") and message in text
    assert "hint: this archive is unsafe to unpack" in text


def test_links_inside_the_archive_are_allowed_and_skipped():
    data = make_tar([("main.tex", b"ok"), special("alias.tex", tarfile.SYMTYPE, "main.tex")])
    files = read_source_bytes(data, "ok.tar.gz", max_bytes=CAP)
    assert [f.name for f in files.tex_files] == ["main.tex"]


def test_truncated_gzip_is_named():
    data = make_tar([("main.tex", b"x" * 5000 + bytes(range(256)) * 50)])
    with pytest.raises(ArchiveError) as info:
        read_source_bytes(data[: len(data) // 2], "cut.tar.gz", max_bytes=CAP)
    assert str(info.value).startswith("cut.tar.gz: is truncated (the gzip stream ends early)")
    assert "download the source again" in str(info.value)


def test_corrupt_gzip_and_truncated_plain_tar():
    data = bytearray(gzip.compress(b"hello world" * 100))
    data[-8] ^= 0xFF  # break the CRC
    with pytest.raises(ArchiveError, match="corrupt.gz: is not valid gzip data"):
        read_source_bytes(bytes(data), "corrupt.gz", max_bytes=CAP)
    tar = make_tar([("main.tex", b"y" * 4000)], gz=False)
    with pytest.raises(ArchiveError, match="cut.tar: is truncated or not a readable tar archive"):
        read_source_bytes(tar[:1500], "cut.tar", max_bytes=CAP)


def test_size_cap_before_and_during_extraction(tmp_path):
    big = make_tar([("a.tex", b"a" * 4000), ("b.tex", b"b" * 4000)])
    # before: the file itself is over the cap
    path = tmp_path / "big.tar.gz"
    path.write_bytes(big)
    with pytest.raises(ArchiveError, match=r"the source file is larger than the 100-byte cap"):
        read_source_file(path, max_bytes=100)
    # during: small compressed, large decompressed (a gzip bomb in miniature)
    with pytest.raises(ArchiveError, match="the decompressed source is larger than the 5,000-byte cap"):
        read_source_bytes(big, "big.tar.gz", max_bytes=5000)
    # members counted as the tar is read: a header claiming more than the cap is refused before reading it
    info = tarfile.TarInfo("huge.tex")
    info.size = 10**9
    lying = info.tobuf() + b"x" * 600
    with pytest.raises(ArchiveError) as error:
        read_source_bytes(lying, "lying.tar", max_bytes=CAP)
    assert "the archive's content is larger than the 10,485,760-byte cap" in str(error.value)
    assert "raise max_archive_bytes" in str(error.value)


def test_member_count_cap(monkeypatch):
    monkeypatch.setattr(archive, "MAX_MEMBERS", 3)
    data = make_tar([(f"f{i}.tex", b"x") for i in range(5)])
    with pytest.raises(ArchiveError, match="has more than 3 members"):
        read_source_bytes(data, "many.tar.gz", max_bytes=CAP)


def test_latin1_member_warns_naming_it():
    data = make_tar([("main.tex", "Schr\u00f6dinger".encode("latin-1"))])
    files = read_source_bytes(data, "old.tar.gz", max_bytes=CAP)
    assert files.tex_files[0].text == "Schrödinger"
    assert files.warnings == ["old.tar.gz:main.tex: not valid UTF-8 (byte 0xf6 at offset 4); read as Latin-1"]


def test_binary_tex_member_is_refused():
    data = make_tar([("main.tex", b"\x00\x01\x02binary\x00" * 10)])
    with pytest.raises(ArchiveError) as info:
        read_source_bytes(data, "bin.tar.gz", max_bytes=CAP)
    assert "bin.tar.gz:main.tex: is not a text file (binary data in a TeX file)" in str(info.value)


def test_macos_resource_forks_are_skipped():
    data = make_tar([("main.tex", b"ok"), ("._main.tex", b"\x00\x05\x16\x07\x00"), ("__MACOSX/x.tex", b"\x00")])
    files = read_source_bytes(data, "mac.tar.gz", max_bytes=CAP)
    assert [f.name for f in files.tex_files] == ["main.tex"]


def test_empty_and_garbage_sources():
    with pytest.raises(ArchiveError, match="empty.tar.gz: is empty"):
        read_source_bytes(b"", "empty.tar.gz", max_bytes=CAP)
    with pytest.raises(ArchiveError, match="junk.gz: is neither a tar archive, a PDF nor TeX text"):
        read_source_bytes(gzip.compress(bytes(range(256)) * 4), "junk.gz", max_bytes=CAP)


def test_gunzip_handles_concatenated_members():
    assert gunzip(gzip.compress(b"ab") + gzip.compress(b"cd"), "x", 100) == b"abcd"


def test_textio_decoding():
    warnings: list[str] = []
    assert decode_text("\ufeffhé".encode(), "a.tex", warnings) == "hé" and warnings == []
    assert decode_text(b"caf\xe9", "b.tex", warnings) == "café"
    assert warnings == ["b.tex: not valid UTF-8 (byte 0xe9 at offset 3); read as Latin-1"]
    with pytest.raises(SourceError, match="c.tex: is not a text file"):
        decode_text(b"ab\x00cd", "c.tex")
    assert looks_binary(bytes(range(32)) * 10) and not looks_binary(b"plain\ttext\n") and not looks_binary(b"")
