"""Catalogue, part 1: bad paper sources (YAML, encodings, archives, TeX structure, bibliographies, arXiv).

Each row: the input, the command, the exit status, the exact message, and what must still be intact.
Input errors exit 2 with ``posttui: error: PATH: problem`` and a hint; recoverable problems exit 0 with a warning.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import time
from pathlib import Path

import pytest
from arxiv_server import FakeArxiv
from catalogue import (
    META,
    TEX,
    Case,
    Ctx,
    fixture_paper,
    make_site,
    member,
    run_case,
    saved_prompt_source,
    squash,
    tree,
    verify,
)

import posttui
from posttui.errors import (
    ArchiveError,
    FetchError,
    GroupError,
    MetadataError,
    SavedPromptError,
    SourceError,
    printable,
)

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
) + "title: [*i]\n"


# ----- setups --------------------------------------------------------------------------------------------------
def info(ctx: Ctx, source) -> list:
    ctx.facts["src"] = str(source)
    ctx.facts["today"] = time.strftime("%Y-%m-%d", time.gmtime())
    return ["info", "--no-prompt", source]


def bundle_with(files: dict, name: str = "paper"):
    def setup(ctx: Ctx) -> list:
        return info(ctx, ctx.bundle(name, files))

    return setup


def loads(ctx: Ctx):
    return posttui.load(ctx.facts["src"])


def analyses(ctx: Ctx):
    paper = posttui.load(ctx.facts["src"])
    return paper.document


def unchanged(rel: str, data: str | bytes):
    def check(ctx: Ctx, out: str, err: str) -> None:
        path = ctx.tmp / "paper" / rel
        expected = data.encode() if isinstance(data, str) else data
        assert path.read_bytes() == expected

    return check


def python_tag(ctx: Ctx) -> list:
    ctx.facts["pwned"] = ctx.tmp / "pwned"
    meta = f"title: !!python/object/apply:os.system ['touch {ctx.tmp / 'pwned'}']\n"
    return info(ctx, ctx.bundle("paper", {"main.tex": TEX, "metadata.yaml": meta}))


def nothing_ran(ctx: Ctx, out: str, err: str) -> None:
    assert not ctx.facts["pwned"].exists()


def latin1_kept(ctx: Ctx, out: str, err: str) -> None:
    prompt = posttui.load(ctx.facts["src"]).prompt()
    assert "Café" in prompt and "Ã" not in prompt


def mixed_kept(ctx: Ctx, out: str, err: str) -> None:
    prompt = posttui.load(ctx.facts["src"]).prompt()
    assert "naïve Café, Erdős" in prompt and "Ã" not in prompt


def tar_case(name: str, members: list):
    def setup(ctx: Ctx) -> list:
        path = ctx.tarball(name, members)
        ctx.facts["outside"] = ctx.tmp / "outside.tex"
        return info(ctx, path)

    return setup


def nothing_outside(ctx: Ctx, out: str, err: str) -> None:
    assert sorted(p.name for p in ctx.tmp.iterdir()) == sorted(
        [ctx.facts["src"].rsplit("/", 1)[1]]
    ), "an archive member was written somewhere"


def truncated_gzip(ctx: Ctx) -> list:
    path = ctx.tarball("source.tar.gz", [member("main.tex", TEX.encode() * 40)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return info(ctx, path)


def gzip_bomb(ctx: Ctx) -> list:
    (ctx.tmp / "config.toml").write_text("max_archive_bytes = 100000\n")
    ctx.setenv("POSTTUI_CONFIG", str(ctx.tmp / "config.toml"))
    path = ctx.tarball("bomb.tar.gz", [member("main.tex", TEX.encode() + b"%" * 5_000_000)])
    ctx.facts["size"] = path.stat().st_size
    return info(ctx, path)


def small_on_disk(ctx: Ctx, out: str, err: str) -> None:
    assert ctx.facts["size"] < 100_000  # the cap is on what it expands to, not on the download


def pdf_gz(ctx: Ctx) -> list:
    folder = ctx.bundle("paper", {"metadata.yaml": META})
    (folder / "source.gz").write_bytes(gzip.compress(b"%PDF-1.5\n%binary\n"))
    ctx.facts["gz"] = folder / "source.gz"
    return info(ctx, folder)


def abstract_kept(ctx: Ctx, out: str, err: str) -> None:
    assert "An abstract." in posttui.load(ctx.facts["src"]).prompt()


def big_tex(ctx: Ctx) -> list:
    line = "Some words about galaxies, \\cite{a} and $x^2$ inline math, then more words.\n"
    body = line * (50 * 1024 * 1024 // len(line))
    ctx.bundle("paper", {"metadata.yaml": META})
    (ctx.tmp / "paper" / "main.tex").write_text(TEX.replace("Hello \\cite{a}.", body), encoding="utf-8")
    ctx.facts["src"] = str(ctx.tmp / "paper")
    ctx.facts["out"] = ctx.tmp / "prompt.txt"
    return ["prompt", "--lean", "--out", ctx.tmp / "prompt.txt", ctx.tmp / "paper"]


def big_prompt_written(ctx: Ctx, out: str, err: str) -> None:
    text = ctx.facts["out"].read_text(encoding="utf-8")
    assert "Some words about galaxies" in text and len(text) > 40 * 1024 * 1024


def no_metadata(ctx: Ctx) -> list:
    tex = TEX.replace("\\title{A Title}", "\\title{A Title}\\author{Ada Lovelace}")
    folder = ctx.bundle("My Paper (draft)", {"main.tex": tex})
    ctx.facts["today"] = time.strftime("%Y-%m-%d", time.gmtime())
    return info(ctx, folder)


def named_by_today(ctx: Ctx, out: str, err: str) -> None:
    paper = posttui.load(ctx.facts["src"])
    assert paper.post_name == f"{ctx.facts['today']}-my-paper-draft"
    assert paper.date == ctx.facts["today"] and paper.arxiv_id is None


# ----- arXiv --------------------------------------------------------------------------------------------------
def _source_tgz() -> bytes:
    """The fake arXiv's source archive, byte for byte the same on every call (the gzip header's time is fixed)."""
    import gzip
    import io

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("main.tex", TEX.encode()), ("main.bbl", b"\\bibitem{a} A. Author, 2020, ApJ, 1, 1\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)


@pytest.fixture
def arxiv(monkeypatch):
    server = FakeArxiv().start()
    monkeypatch.setenv("POSTTUI_ARXIV_API_URL", server.api_url)
    monkeypatch.setenv("POSTTUI_ARXIV_SRC_URL", server.src_url)
    yield server
    server.stop()


def arxiv_case(arxiv_id: str, mode: str = "", *, stop: bool = False):
    def setup(ctx: Ctx) -> list:
        server = ctx.facts["server"]
        if mode != "unknown":
            server.add(arxiv_id, _source_tgz(), mode=mode)
        ctx.facts.update(api=server.api_url, src=arxiv_id, srcurl=server.src_url)
        if stop:
            server.stop()
        return ["info", "--no-prompt", arxiv_id]

    return setup


def arxiv_hangs(ctx: Ctx) -> list:
    """arXiv accepts the connection and never answers; fetch_timeout = 1 s in the config."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    ctx.facts["cleanup"].append(listener.close)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    (ctx.tmp / "config.toml").write_text("fetch_timeout = 1\n")
    ctx.setenv("POSTTUI_CONFIG", str(ctx.tmp / "config.toml"))
    ctx.setenv("POSTTUI_ARXIV_API_URL", f"{base}/api/query")
    ctx.setenv("POSTTUI_ARXIV_SRC_URL", f"{base}/src")
    ctx.facts.update(api=f"{base}/api/query", src="2501.00042")
    return ["info", "--no-prompt", "2501.00042"]


def corrupt_cache(ctx: Ctx) -> list:
    from posttui.config import load_config
    from posttui.sources.arxiv import cache_dir

    server = ctx.facts["server"]
    server.add("2501.01234", _source_tgz())
    posttui.load("2501.01234")
    where = cache_dir(load_config(), "2501.01234", "") / "source"
    where.write_bytes(_source_tgz()[:40])
    ctx.facts.update(cache=where, src="2501.01234")
    return ["info", "--no-prompt", "2501.01234"]


def cache_repaired(ctx: Ctx, out: str, err: str) -> None:
    assert ctx.facts["cache"].read_bytes() == _source_tgz()
    assert "A Made-Up Paper" in out


def not_cached(*names: str):
    """A failed download is never cached (the next open fetches again)."""

    def check(ctx: Ctx, out: str, err: str) -> None:
        from posttui.config import load_config
        from posttui.sources.arxiv import cache_dir

        folder = cache_dir(load_config(), ctx.facts["src"], "")
        for name in names:
            assert not (folder / name).exists(), f"{name} was cached"

    return check



# ----- round 2: names taken from input, bundle files, archives ---------------------------------------------------
def saved_with(ctx: Ctx, name: str = "saved.txt", *, post_name: str | None = None, featured: str | None = None,
               date: str | None = None, metadata_id: bool = True, text_edit=None) -> Path:
    """The fixture paper as a saved prompt, with its post name, featured id or date replaced."""
    from dataclasses import replace

    from posttui.prompt import derive_parts, saved_prompt_text

    paper = fixture_paper()
    parts = derive_parts(paper, model="gemini-2.5-pro", image_model="imagen-4.0-generate-001")
    changes = {k: v for k, v in (("post_name", post_name), ("arxiv_id", featured), ("date", date)) if v is not None}
    paper.parts = replace(parts, **changes)
    if not metadata_id:
        paper.metadata = {k: v for k, v in paper.metadata.items() if k != "id"}
    text = saved_prompt_text(paper)
    if text_edit is not None:
        text = text_edit(text)
    path = ctx.tmp / name
    path.write_text(text, encoding="utf-8")
    ctx.facts["src"] = str(path)
    return path


def unpack_named(post_name: str):
    def setup(ctx: Ctx) -> list:
        ctx.facts["post"] = post_name.format(tmp=ctx.tmp)
        source = saved_with(ctx, post_name=ctx.facts["post"])
        ctx.facts["before"] = tree(ctx.tmp)
        return ["unpack", source, ctx.tmp / "out" / "bundle"]

    return setup


def nothing_unpacked(ctx: Ctx, out: str, err: str) -> None:
    assert tree(ctx.tmp) == ctx.facts["before"], "unpack wrote a file"
    assert not (ctx.tmp / "out").exists() and not list(ctx.tmp.parent.glob("*evil*"))


def unpack_fifo(ctx: Ctx) -> list:
    ctx.facts["src"] = ctx.tmp / "saved.txt"
    os.mkfifo(ctx.facts["src"])
    ctx.facts["before"] = tree(ctx.tmp)
    return ["unpack", ctx.facts["src"], ctx.tmp / "out" / "bundle"]


def parts_file_link(ctx: Ctx) -> list:
    from posttui.sources.saved_prompt import unpack_saved_prompt

    folder = ctx.tmp / "bundle"
    unpack_saved_prompt(saved_with(ctx), folder)
    (folder / "prompt-parts.yaml").unlink()
    (folder / "prompt-parts.yaml").symlink_to(secret_file(ctx))
    ctx.facts["src"] = folder
    return ["prompt", "--saved", folder]


def unpack_over_link(ctx: Ctx) -> list:
    source = saved_with(ctx)
    folder = ctx.tmp / "bundle"
    folder.mkdir()
    (ctx.tmp / "victim.yaml").write_text("keep me\n")
    (folder / "metadata.yaml").symlink_to(ctx.tmp / "victim.yaml")
    ctx.facts["link"] = folder / "metadata.yaml"
    return ["unpack", "--force", source, folder]


def victim_kept(ctx: Ctx, out: str, err: str) -> None:
    assert (ctx.tmp / "victim.yaml").read_text() == "keep me\n" and ctx.facts["link"].is_symlink()


def long_featured_id(ctx: Ctx) -> list:
    ctx.facts["site"] = make_site(ctx)
    source = saved_with(ctx, featured="9" * 300, metadata_id=False)
    return ["generate", "--backend", "offline", "--site", ctx.facts["site"], "--save", source]


def site_empty(ctx: Ctx, out: str, err: str) -> None:
    assert tree(ctx.facts["site"]) == {"_config.yml": b"title: test\n"}


def bad_date_saved(ctx: Ctx) -> list:
    ctx.facts["site"] = make_site(ctx)
    source = saved_with(ctx, date="2025-02-30", post_name="2025-02-30-2503.04567",
                        text_edit=lambda t: t.replace("published: 2025-03-06", "published: 2025-02-30"))
    return ["generate", "--backend", "offline", "--site", ctx.facts["site"], "--save", source]


OLD_META = META.replace("2401.00001v1", "astro-ph/0601001v2").replace("2024-01-02", "2006-01-01")


def old_style_named(ctx: Ctx, out: str, err: str) -> None:
    paper = posttui.load(ctx.facts["src"])
    assert paper.arxiv_id == "astro-ph/0601001" and paper.post_name == "2006-01-01-astro-ph-0601001"
    prompt = paper.prompt()
    assert "/assets/images/posts/2006-01-01-astro-ph-0601001.png" in prompt
    assert "https://arxiv.org/abs/astro-ph/0601001" in prompt


def special_in_bundle(name: str, make):
    """A bundle whose ``name`` is made by ``make(path, ctx)`` (a FIFO, a link, ...) beside a good main.tex."""

    def setup(ctx: Ctx) -> list:
        folder = ctx.bundle("paper", {"main.tex": TEX, "metadata.yaml": META} if name != "main.tex" else
                            {"metadata.yaml": META})
        if name == "metadata.yaml":
            (folder / name).unlink()
        make(folder / name, ctx)
        ctx.facts["special"] = printable(str(folder / name))
        return info(ctx, folder)

    return setup


def secret_file(ctx: Ctx) -> Path:
    secret = ctx.tmp / "secret.txt"
    secret.write_text("@misc{s, note={TOP-SECRET-42}}\ntitle: TOP-SECRET-42\n")
    ctx.facts["secret"] = secret
    return secret


def secret_not_read(ctx: Ctx, out: str, err: str) -> None:
    assert "TOP-SECRET-42" not in out + err


def inner_link_read(ctx: Ctx, out: str, err: str) -> None:
    prompt = posttui.load(ctx.facts["src"]).prompt()
    assert "Inner section text." in prompt


def loose_over_cap(ctx: Ctx) -> list:
    (ctx.tmp / "config.toml").write_text("max_archive_bytes = 100000\n")
    ctx.setenv("POSTTUI_CONFIG", str(ctx.tmp / "config.toml"))
    return info(ctx, ctx.bundle("paper", {"main.tex": TEX + "%" * 200_000, "metadata.yaml": META}))


def escape_member(ctx: Ctx) -> list:
    name = "m\x1b[31mRED\x1b]0;pwned\x07.tex"
    return info(ctx, ctx.tarball("esc.tar.gz", [member(name, TEX.replace("Hello", "Caf\xe9").encode("latin-1")),
                                                member("metadata.yaml", META.encode())]))


def no_raw_escape(ctx: Ctx, out: str, err: str) -> None:
    assert "\x1b" not in out + err and "\x07" not in out + err


def escape_fifo(ctx: Ctx) -> list:
    folder = ctx.bundle("paper", {"main.tex": TEX, "metadata.yaml": META})
    os.mkfifo(folder / "p\x1b[31mY.tex")
    return info(ctx, folder)


def gzip_members(count: int):
    def setup(ctx: Ctx) -> list:
        plain = ctx.tarball("plain.tar", [member("main.tex", TEX.encode()), member("metadata.yaml", META.encode())],
                            gz=False)
        raw = plain.read_bytes()
        plain.unlink()
        piece = max(1, len(raw) // count)
        chunks = [raw[i : i + piece] for i in range(0, len(raw), piece)]
        chunks += [b""] * (count - len(chunks))
        path = ctx.tmp / "multi.tar.gz"
        path.write_bytes(b"".join(gzip.compress(c, mtime=0) for c in chunks))
        return info(ctx, path)

    return setup


def tar_case_meta(name: str, members: list):
    return tar_case(name, [*members, member("metadata.yaml", META.encode())])


def nested_tar(ctx: Ctx) -> list:
    inner = ctx.tarball("inner.tar.gz", [member("main.tex", TEX.encode())])
    data = inner.read_bytes()
    inner.unlink()
    return info(ctx, ctx.tarball("outer.tar.gz", [member("inner.tar.gz", data), member("metadata.yaml",
                                                                                        META.encode())]))


def nul_member(ctx: Ctx) -> list:
    import io

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        entry = tarfile.TarInfo("m\x80\x00.tex")  # non-ASCII, so the name goes into a PAX record whole
        entry.size = len(TEX)
        tar.addfile(entry, io.BytesIO(TEX.encode()))
    path = ctx.tmp / "nul.tar"
    path.write_bytes(buffer.getvalue())
    return info(ctx, path)


def one_tex(ctx: Ctx, out: str, err: str) -> None:
    paper = posttui.load(ctx.facts["src"])
    assert len(paper.tex_files) == 1 and "Hello" in paper.site_tex


def utf16(with_bom: bool):
    def setup(ctx: Ctx) -> list:
        text = TEX.replace("Hello", "Café")
        data = text.encode("utf-16") if with_bom else text.encode("utf-16-le")
        return info(ctx, ctx.bundle("paper", {"main.tex": data, "metadata.yaml": META}))

    return setup


def cafe_kept(ctx: Ctx, out: str, err: str) -> None:
    assert "Café \\cite{a}" in posttui.load(ctx.facts["src"]).prompt()


def fifo_source(ctx: Ctx) -> list:
    os.mkfifo(ctx.tmp / "paper.tex")
    return info(ctx, ctx.tmp / "paper.tex")


def string_authors(ctx: Ctx) -> list:
    source = saved_with(ctx, text_edit=lambda t: t.replace("- name: Mira Q. Castellanos", "- Mira Q. Castellanos", 1))
    return info(ctx, source)


def home_missing(ctx: Ctx) -> list:
    for name in ("POSTTUI_DATA_DIR", "POSTTUI_CACHE_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        ctx.monkeypatch.delenv(name, raising=False)
    ctx.facts["home"] = ctx.tmp / "nohome"
    ctx.setenv("HOME", str(ctx.facts["home"]))
    return ["sessions"]


def home_not_created(ctx: Ctx, out: str, err: str) -> None:
    assert not ctx.facts["home"].exists()


def tarball_bundle(ctx: Ctx) -> list:
    group = "Ada Lovelace:\n  image: images/ada.jpg\n  links:\n    Webpage: https://example.org/ada\n"
    return info(ctx, ctx.tarball("bundle.tar.gz", [
        member("paper/main.tex", TEX.encode()), member("paper/metadata.yaml", META.encode()),
        member("paper/group.yaml", group.encode()), member("paper/index.md", b"# Our group's homepage\n"),
    ]))


def bundle_files_used(ctx: Ctx, out: str, err: str) -> None:
    paper = posttui.load(ctx.facts["src"])
    assert paper.title == "A Title" and paper.arxiv_id == "2401.00001"
    assert list(paper.members) == ["Ada Lovelace"] and paper.homepage == "# Our group's homepage\n"
    assert "/assets/group/images/ada.jpg" in paper.prompt()


def link_to(target: str):
    def make(path: Path, ctx: Ctx) -> None:
        path.symlink_to(target.format(secret=secret_file(ctx), inner=path.parent / "inner.tex"))

    return make


def with_inner(ctx: Ctx) -> list:
    folder = ctx.bundle("paper", {"main.tex": TEX.replace("Hello", "\\input{sections/intro}"), "metadata.yaml": META,
                                  "real/intro.tex": "Inner section text.\n"})
    (folder / "sections").mkdir()
    (folder / "sections" / "intro.tex").symlink_to(folder / "real" / "intro.tex")
    return info(ctx, folder)

CASES = [
    # --- YAML ---
    Case("malformed-yaml", bundle_with({"main.tex": TEX, "metadata.yaml": "title: [unclosed\n"}), 2,
         "posttui: error: {src}/metadata.yaml: malformed YAML at line 2, column 1: expected ',' or ']', but got "
         "'<stream end>' hint: fix the YAML syntax",
         intact=unchanged("metadata.yaml", "title: [unclosed\n"), library=loads, error=MetadataError),
    Case("yaml-python-tag", python_tag, 2,
         "posttui: error: {src}/metadata.yaml: unsupported YAML content (line 1): could not determine a constructor "
         "for the tag 'tag:yaml.org,2002:python/object/apply:os.system' hint: only plain YAML and the site's "
         "feedparser/struct_time tags are accepted",
         intact=nothing_ran, library=loads, error=MetadataError),
    Case("yaml-bomb-metadata", bundle_with({"main.tex": TEX, "metadata.yaml": BOMB}), 2,
         "posttui: error: {src}/metadata.yaml: refused YAML (line 6): aliases expand to more than 200,000 values "
         "(a YAML bomb?) hint: write the values out instead of repeating them through aliases (&anchor / *alias)",
         library=loads, error=MetadataError, subprocess=True, timeout=60),
    Case("yaml-bomb-group-file", bundle_with({"main.tex": TEX, "metadata.yaml": META, "group.yaml": BOMB}), 2,
         "posttui: error: {src}/group.yaml: refused YAML (line 6): aliases expand to more than 200,000 values",
         library=loads, error=GroupError, subprocess=True, timeout=60),
    Case("yaml-recursive-alias", bundle_with({"main.tex": TEX, "metadata.yaml": "title: &t [a, *t]\n"}), 2,
         "posttui: error: {src}/metadata.yaml: refused YAML (line 1): a recursive alias (a node that contains "
         "itself)", library=loads, error=MetadataError),
    Case("metadata-empty", bundle_with({"main.tex": TEX, "metadata.yaml": "\n"}), 2,
         "posttui: error: {src}/metadata.yaml: is empty hint: write the paper's metadata (title, summary, authors)",
         library=loads, error=MetadataError),
    Case("metadata-not-a-mapping", bundle_with({"main.tex": TEX, "metadata.yaml": "- just\n- a list\n"}), 2,
         "posttui: error: {src}/metadata.yaml: must be a mapping of entry fields (title, summary, authors, ...), "
         "not list", library=loads, error=MetadataError),
    Case("group-file-not-a-mapping", bundle_with({"main.tex": TEX, "metadata.yaml": META, "group.yaml": "[a, b]\n"}),
         2, "posttui: error: {src}/group.yaml: must map member names to their entries, not be a list",
         library=loads, error=GroupError),
    # --- encodings and binary ---
    Case("latin1-tex",
         bundle_with({"main.tex": TEX.replace("Hello", "Café").encode("latin-1"), "metadata.yaml": META}),
         0, "warning: {src}/main.tex: not valid UTF-8 (byte 0xe9 at offset 103); read as Latin-1",
         intact=latin1_kept),
    Case("mixed-encoding-tex",
         bundle_with({"main.tex": TEX.replace("Hello", "naïve Caf").encode().replace(b"Caf",
                                                                                     b"Caf\xe9, Erd\xc5\x91s"),
                      "metadata.yaml": META}),
         0, "re:warning: {src}/main.tex: mixed encodings: not valid UTF-8 \\(byte 0xe9 at offset \\d+\\); the invalid "
         "bytes were read as Latin-1, the rest as UTF-8", intact=mixed_kept),
    Case("binary-named-tex", bundle_with({"main.tex": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50,
                                          "metadata.yaml": META}), 2,
         "posttui: error: {src}/main.tex: is not a text file (binary data in a TeX file) hint: check the source: a "
         "TeX file must be plain text", library=loads, error=SourceError),
    Case("empty-tex-file", lambda ctx: info(ctx, ctx.bundle("paper", {"main.tex": ""}) / "main.tex"), 2,
         "posttui: error: {src}: is empty hint: give the paper's main .tex file (or its directory)",
         library=loads, error=SourceError),
    # --- archives ---
    Case("tar-dotdot-member", tar_case("dotdot.tar.gz", [member("../outside.tex", TEX.encode())]), 2,
         "posttui: error: {src}: member '../outside.tex' points outside the archive ('..' in its path) hint: this "
         "archive is unsafe to unpack; get the source from its original place",
         intact=nothing_outside, library=loads, error=ArchiveError),
    Case("tar-absolute-member", tar_case("abs.tar.gz", [member("/tmp/outside.tex", TEX.encode())]), 2,
         "posttui: error: {src}: member '/tmp/outside.tex' has an absolute path", library=loads, error=ArchiveError),
    Case("tar-symlink-outside", tar_case("sym.tar.gz", [member("main.tex", TEX.encode()),
                                                        member("refs.bib", kind=tarfile.SYMTYPE, link="/etc/passwd")]),
         2, "posttui: error: {src}: symlink member 'refs.bib' -> '/etc/passwd' points outside the archive",
         intact=nothing_outside, library=loads, error=ArchiveError),
    Case("tar-hardlink-outside",
         tar_case("hard.tar.gz", [member("main.tex", TEX.encode()),
                                  member("x.tex", kind=tarfile.LNKTYPE, link="../../etc/passwd")]),
         2, "posttui: error: {src}: hard link member 'x.tex' -> '../../etc/passwd' points outside the archive",
         library=loads, error=ArchiveError),
    Case("tar-device-file", tar_case("dev.tar.gz", [member("main.tex", TEX.encode()),
                                                    member("figs/tty", kind=tarfile.CHRTYPE)]), 2,
         "posttui: error: {src}: member 'figs/tty' is a device or pipe, not a file", library=loads, error=ArchiveError),
    Case("tar-fifo", tar_case("fifo.tar.gz", [member("main.tex", TEX.encode()), member("pipe", kind=tarfile.FIFOTYPE)]),
         2, "posttui: error: {src}: member 'pipe' is a device or pipe, not a file", library=loads, error=ArchiveError),
    Case("gzip-truncated", truncated_gzip, 2,
         "posttui: error: {src}: is truncated (the gzip stream ends early) hint: download the source again; the file "
         "was cut short", library=loads, error=ArchiveError),
    Case("tar-past-size-cap", gzip_bomb, 2,
         "posttui: error: {src}: the decompressed source is larger than the 100,000-byte cap hint: raise "
         "max_archive_bytes in the config if this source is genuine",
         intact=small_on_disk, library=loads, error=ArchiveError),
    Case("pdf-only-folder", bundle_with({"paper.pdf": b"%PDF-1.4\n%\xe2\xe3\n", "metadata.yaml": META}), 0,
         "warning: {src}: no TeX source: carrying on with metadata and abstract", intact=abstract_kept),
    Case("pdf-only-gzip", pdf_gz, 0, "warning: {gz}: no TeX source: carrying on with metadata and abstract",
         intact=abstract_kept),
    Case("several-archives", bundle_with({"a.tar.gz": gzip.compress(b"x"), "b.tgz": gzip.compress(b"y"),
                                          "metadata.yaml": META}), 2,
         "posttui: error: {src}: holds several archives (a.tar.gz, b.tgz) and no loose TeX hint: keep one archive, "
         "or name the paper's source source.tar.gz", library=loads, error=SourceError),
    # --- TeX structure: the site prompt still works; the problem is reported and the library raises ---
    Case("no-documentclass", bundle_with({"main.tex": "\\title{X}\nHello\n", "metadata.yaml": META}), 0,
         "warning: the TeX structure cannot be analysed: {src}: no TeX file has a \\documentclass (files: main.tex) "
         "hint: the main file must start with \\documentclass; check the source is complete",
         library=analyses, error=posttui.errors.LatexError),
    Case("two-main-files", bundle_with({"paper1.tex": TEX, "paper2.tex": TEX, "metadata.yaml": META}), 0,
         "warning: the TeX structure cannot be analysed: {src}: cannot tell which TeX file is the main one: "
         "paper1.tex, paper2.tex all have \\documentclass hint: rename the main file to main.tex (or ms.tex), or "
         "remove the other documents from the source",
         library=analyses, error=posttui.errors.LatexError),
    Case("circular-input", bundle_with({"main.tex": TEX.replace("Hello", "\\input{b}"), "b.tex": "\\input{main}\n",
                                        "metadata.yaml": META}), 0,
         "warning: the TeX structure cannot be analysed: {src}:b.tex: line 1: circular \\input (main.tex -> b.tex -> "
         "main.tex) hint: remove the \\input that includes a file already being included",
         library=analyses, error=posttui.errors.LatexError),
    Case("missing-input", bundle_with({"main.tex": TEX.replace("Hello", "\\input{sections/nothere}"),
                                       "metadata.yaml": META}), 0,
         "warning: the TeX structure cannot be analysed: {src}:main.tex: line 5: \\input{{sections/nothere}} names a "
         "file that is not in the source hint: add sections/nothere.tex to the source, or remove the \\input",
         library=analyses, error=posttui.errors.LatexError),
    Case("tex-50-megabytes", big_tex, 0, "re:^wrote .*prompt.txt \\(\\d+ bytes\\)$", intact=big_prompt_written,
         subprocess=True, timeout=240),
    Case("no-metadata-named-today", no_metadata, 0,
         "warning: {src}: the post is named {today}-my-paper-draft: no publication date, so it is dated today "
         "({today}) and no arXiv id, so it is named after the source ('my-paper-draft'); to choose, put "
         "'published: YYYY-MM-DD' and 'id: http://arxiv.org/abs/ID' in metadata.yaml", intact=named_by_today),
    Case("metadata-without-date", bundle_with({"main.tex": TEX, "metadata.yaml": META.replace(
        "published: '2024-01-02T00:00:00Z'\n", "published: sometime in spring\n")}), 0,
         "warning: {src}: the post is named {today}-2401.00001: no publication date, so it is dated today ({today}); "
         "to choose, put 'published: YYYY-MM-DD' and 'id: http://arxiv.org/abs/ID' in metadata.yaml",
         intact=lambda ctx, out, err: (
             posttui.load(ctx.facts["src"]).post_name == f"{ctx.facts['today']}-2401.00001" or pytest.fail(out))),
    Case("option-ignored-for-saved-prompt", lambda ctx: info(ctx, saved_prompt_source(ctx)) + ["--group",
                                                                                         str(ctx.tmp / "g.yaml")], 0,
         "warning: --group {tmp}/g.yaml ignored: a saved prompt carries its own metadata, authors and homepage"),
    Case("missing-source", lambda ctx: ["info", "--no-prompt", str(ctx.tmp / "nope.tex")], 2,
         "re:posttui: error: no such file, and not an arXiv id or URL: '.*/nope.tex' hint: give a path to a directory",
         library=lambda ctx: posttui.load(ctx.tmp / "nope.tex"), error=SourceError),
    # --- bibliographies ---
    Case("empty-bbl", bundle_with({"main.tex": TEX, "main.bbl": "", "metadata.yaml": META}), 0,
         "source 1 TeX file(s), bibliography: none from {src} references 0 references, 0 with an identifier"),
    Case("bbl-without-items", bundle_with({"main.tex": TEX, "metadata.yaml": META,
                                           "main.bbl": "\\begin{thebibliography}{}\n\\end{thebibliography}\n"}), 0,
         "warning: {src} (.bbl): no \\bibitem or \\entry found; is this a .bbl file? (no references read)"),
    Case("bib-syntax-errors", bundle_with({"main.tex": TEX, "refs.bib": "@article{a, title={unclosed,\n @book{",
                                           "metadata.yaml": META}), 0,
         "problem: references: {src} (.bib): no entry could be parsed; skipped the block at line 1 ('@article{{a, "
         "title={{unclosed,'): Unexpected block start: `@book`. Was still looking for field-value closing `}}` hint: "
         "fix the BibTeX syntax of that block (unbalanced braces or a missing comma are the usual cause)"),
    # --- arXiv ---
    Case("arxiv-404", arxiv_case("2501.09999", "404"), 2,
         "posttui: error: {api}?id_list=2501.09999: metadata: HTTP 404 Not Found hint: check the arXiv id (arXiv does "
         "not know it)", intact=not_cached("metadata.atom", "source"), library=loads, error=FetchError),
    Case("arxiv-error-feed", arxiv_case("2501.09998", "error-feed"), 2,
         "re:posttui: error: {api}\\?id_list=2501.09998: arXiv reports an error: incorrect id format for 2501.09998",
         intact=not_cached("metadata.atom", "source"), library=loads, error=FetchError),
    Case("arxiv-unknown-id-empty-feed", arxiv_case("2501.07777", "unknown"), 2,
         "posttui: error: {api}?id_list=2501.07777: arXiv returned no entry (unknown id?) hint: check the arXiv id; "
         "new papers appear only after their announcement", library=loads, error=FetchError),
    Case("arxiv-network-down", arxiv_case("2501.05555", stop=True), 2,
         "re:posttui: error: {api}\\?id_list=2501.05555: cannot reach arXiv for the metadata .* hint: check the "
         "network connection", library=loads, error=FetchError),
    Case("arxiv-hangs", arxiv_hangs, 2,
         "posttui: error: {api}?id_list=2501.00042: cannot reach arXiv for the metadata (timed out) hint: check the "
         "network connection (papers opened once before are cached and open offline)",
         intact=not_cached("metadata.atom"), library=loads, error=FetchError),
    Case("arxiv-truncated-download", arxiv_case("2501.01111", "truncated"), 2,
         "re:posttui: error: {srcurl}/2501.01111: source download was cut short", intact=not_cached("source"),
         library=loads, error=FetchError),
    Case("arxiv-old-style-id", arxiv_case("astro-ph/0601001"), 0, "post name 2025-11-13-astro-ph-0601001",
         intact=lambda ctx, out, err: (posttui.load("astro-ph/0601001").post_name == "2025-11-13-astro-ph-0601001"
                                       or pytest.fail("post name"))),
    Case("arxiv-corrupt-cache-refetched", corrupt_cache, 0,
         "warning: cached source {cache} was unreadable ({cache}: is truncated (the gzip stream ends early)); fetched "
         "again", intact=cache_repaired),
    # --- round 2: names taken from input ---
    Case("unpack-dotdot-post-name", unpack_named("../../evil"), 2,
         "posttui: error: {src}: the post name '../../evil' holds a path separator ('/' or '\\') hint: a saved "
         "prompt's post name is DATE-ID (e.g. 2025-01-31-2501.01234); restore it in the front matter",
         intact=nothing_unpacked),
    Case("saved-prompt-dotdot-post-name", lambda ctx: info(ctx, saved_with(ctx, post_name="../x")), 2,
         "posttui: error: {src}: the post name '../x' holds a path separator ('/' or '\\')",
         library=loads, error=SavedPromptError),
    Case("unpack-absolute-post-name", unpack_named("{tmp}/abs-evil"), 2,  # a long name is shown cut in the middle
         "re:posttui: error: {src}: the post name '/[^']*abs-evil' holds a path separator", intact=nothing_unpacked),
    Case("unpack-from-a-fifo", unpack_fifo, 2, "posttui: error: {src}: is a named pipe (FIFO) hint: give a saved "
         "prompt file", intact=nothing_unpacked, subprocess=True, timeout=60),
    Case("unpacked-parts-file-link-outside", parts_file_link, 2,
         "posttui: error: {src}/prompt-parts.yaml: is a symbolic link to {secret}, outside the bundle",
         intact=secret_not_read),
    Case("unpack-never-writes-through-a-link", unpack_over_link, 2,
         "posttui: error: {link}: is a link or a special file; posttui never writes over one hint: remove it, or "
         "unpack into a new directory", intact=victim_kept),
    Case("featured-id-300-characters", long_featured_id, 2,
         "re:posttui: error: {src}: post name '2025-03-06-9{{40,}}\\.\\.\\.9{{10}}' is 311 bytes long; a file name "
         "may have at most 200 hint: the post name is DATE-ID", intact=site_empty),
    Case("saved-prompt-impossible-date", bad_date_saved, 2,
         "posttui: error: {src}: the post date '2025-02-30' is not a calendar date hint: fix 'published:' in the "
         "paper's metadata", intact=site_empty),
    Case("metadata-impossible-date", bundle_with({"main.tex": TEX, "metadata.yaml": META.replace("2024-01-02",
                                                                                                "2024-02-30")}), 2,
         "posttui: error: {src}: the post date '2024-02-30' is not a calendar date", library=loads, error=SourceError),
    Case("old-style-arxiv-id", bundle_with({"main.tex": TEX, "metadata.yaml": OLD_META}), 0,
         "post name 2006-01-01-astro-ph-0601001", intact=old_style_named),
    # --- round 2: what a folder bundle may make posttui read ---
    Case("folder-fifo-tex", special_in_bundle("pipe.tex", lambda p, ctx: os.mkfifo(p)), 2,
         "posttui: error: {special}: is a named pipe (FIFO), not a file; posttui reads only regular files hint: "
         "replace it with the file itself", library=loads, error=SourceError, subprocess=True, timeout=60),
    Case("folder-tex-link-to-dev-zero", special_in_bundle("zero.tex", link_to("/dev/zero")), 2,
         "posttui: error: {special}: is a symbolic link to /dev/zero, outside the bundle; links out of a bundle are "
         "not followed hint: copy the file into the bundle instead of linking to it (or name it on the command line, "
         "e.g. --group or --site)",
         library=loads, error=SourceError, subprocess=True, timeout=60),
    Case("folder-bib-link-outside", special_in_bundle("refs.bib", link_to("{secret}")), 2,
         "posttui: error: {special}: is a symbolic link to {secret}, outside the bundle",
         intact=secret_not_read, library=loads, error=SourceError),
    Case("folder-metadata-link-outside", special_in_bundle("metadata.yaml", link_to("{secret}")), 2,
         "posttui: error: {special}: is a symbolic link to {secret}, outside the bundle",
         intact=secret_not_read, library=loads, error=MetadataError),
    Case("folder-metadata-fifo", special_in_bundle("metadata.yaml", lambda p, ctx: os.mkfifo(p)), 2,
         "posttui: error: {special}: is a named pipe (FIFO), not a file", library=loads, error=MetadataError,
         subprocess=True, timeout=60),
    Case("folder-link-inside-is-read", with_inner, 0, "source 3 TeX file(s)", intact=inner_link_read),
    Case("folder-loose-tex-over-cap", loose_over_cap, 2,
         "posttui: error: {src}/main.tex: is larger than the 100,000-byte cap for a file of a paper source hint: "
         "raise max_archive_bytes in the config if this file is genuine", library=loads, error=SourceError),
    Case("fifo-as-the-source", fifo_source, 2,
         "posttui: error: {src}: is a named pipe (FIFO), not a paper source hint: give a directory, .tar/.tar.gz/.gz "
         "or .tex file", library=loads, error=SourceError, subprocess=True, timeout=60),
    # --- round 2: terminal escapes in names ---
    Case("archive-member-escape-codes-in-warning", escape_member, 0,
         "warning: {src}:m\\x1b[31mRED\\x1b]0;pwned\\x07.tex: not valid UTF-8 (byte 0xe9 at offset 103); read as "
         "Latin-1", intact=no_raw_escape),
    Case("file-name-escape-codes-in-error", escape_fifo, 2,
         "posttui: error: {src}/p\\x1b[31mY.tex: is a named pipe (FIFO), not a file", intact=no_raw_escape,
         subprocess=True, timeout=60),
    # --- round 2: archives ---
    Case("gzip-many-members", gzip_members(3000), 0, "source 1 TeX file(s)", intact=one_tex),
    Case("gzip-too-many-members", gzip_members(100_001), 2,
         "posttui: error: {src}: has more than 100,000 gzip members hint: this is not a paper source",
         library=loads, error=ArchiveError, subprocess=True, timeout=60),
    Case("tar-nul-in-member-name", nul_member, 2,
         "posttui: error: {src}: member 'm\\x80\\x00.tex' has a NUL byte in its name or link hint: this archive is "
         "unsafe to unpack", library=loads, error=ArchiveError),
    Case("tar-nested-archive", nested_tar, 0, "source 1 TeX file(s)", intact=one_tex),
    Case("tar-ltx-source", tar_case_meta("ltx.tar.gz", [member("paper.ltx", TEX.encode())]), 0,
         "source 1 TeX file(s)", intact=one_tex),
    Case("tar-symlinked-tex", tar_case_meta("sym.tar.gz", [member("real.txt", TEX.encode()),
                                                           member("main.tex", kind=tarfile.SYMTYPE, link="real.txt")]),
         0, "warning: {src}: member 'main.tex' is a symbolic link (to 'real.txt'); links in a source are not "
         "followed: skipped"),
    Case("tar-hard-linked-tex", tar_case_meta("hard.tar.gz", [member("real.txt", TEX.encode()),
                                                              member("main.tex", kind=tarfile.LNKTYPE,
                                                                     link="real.txt")]),
         0, "warning: {src}: no TeX file found in the archive (files: real.txt, metadata.yaml): the post would be "
         "written from the metadata and abstract alone"),
    Case("tar-without-tex", tar_case_meta("notex.tar.gz", [member("README.txt", b"read me\n")]), 0,
         "warning: {src}: no TeX file found in the archive (files: README.txt, metadata.yaml): the post would be "
         "written from the metadata and abstract alone"),
    Case("tarball-of-a-bundle", tarball_bundle, 0, "Ada Lovelace", intact=bundle_files_used),
    # --- round 2: encodings, tracebacks, messages ---
    Case("utf16-tex-with-bom", utf16(True), 0,
         "warning: {src}/main.tex: UTF-16 text (byte order mark); read as UTF-16", intact=cafe_kept),
    Case("utf16-tex-without-bom", utf16(False), 2,
         "posttui: error: {src}/main.tex: looks like UTF-16 text without a byte order mark, not UTF-8 hint: save "
         "the TeX file as UTF-8 (or as UTF-16 with a byte order mark)", library=loads, error=SourceError),
    Case("saved-prompt-string-authors", string_authors, 2,
         "posttui: error: {src} (its '2. Paper Metadata' block): 'authors' must be a list of entries with a 'name' "
         "hint: write authors as - name: First Last", library=loads, error=SavedPromptError),
    Case("group-file-bad-links", bundle_with({"main.tex": TEX, "metadata.yaml": META,
                                              "group.yaml": "Ada Lovelace:\n  links: [https://example.org]\n"}), 2,
         "posttui: error: {src}/group.yaml: member 'Ada Lovelace': 'links' must be a mapping of label -> URL hint: "
         "write links as a mapping of label to URL, e.g. links: {{Webpage: https://...}}",
         library=loads, error=GroupError),
    Case("home-folder-missing", home_missing, 2,
         "posttui: error: the home folder {home} does not exist, so there is no data folder ({home}/.local/share/"
         "posttui); posttui does not create a home folder hint: set POSTTUI_DATA_DIR to a folder posttui may use, or "
         "set HOME to your real home folder", intact=home_not_created),
]


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_source_case(case: Case, tmp_path, monkeypatch, capsys, request):
    monkeypatch.setenv("COLUMNS", "500")  # rich must not wrap a message inside a long path
    ctx = Ctx(tmp_path, monkeypatch, facts={"tmp": tmp_path, "cleanup": []})
    if case.name.startswith("arxiv-"):
        ctx.facts["server"] = request.getfixturevalue("arxiv")
    try:
        code, out, err = run_case(case, ctx, capsys)
        verify(case, ctx, code, out, err, err + out if case.exit == 0 else err)
    finally:
        for cleanup in ctx.facts["cleanup"]:
            cleanup()


def test_catalogue_is_big_enough():
    from test_faults import CASES as FAULTS

    assert len(CASES) + len(FAULTS) >= 40
    assert len({c.name for c in CASES + FAULTS}) == len(CASES) + len(FAULTS)


def test_squash_keeps_words():
    assert squash("a\n  b\tc ") == "a b c"
