"""Fuzzing with hypothesis: the parsers that read user files, and the checker, on hostile input.

Contract for every target: it returns, or raises one of the documented :class:`~posttui.errors.PosttuiError`
types; never another exception, and never a hang (each example has a ``deadline``; ``max_examples`` keeps the whole
file to a few seconds on two cores). Inputs are built from the pieces the real formats are made of, mutated
(cut, spliced, duplicated), so the fuzzer reaches deep into each parser instead of bouncing off its first check.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from datetime import timedelta

import pytest
from catalogue import fixture_paper
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posttui.errors import ArchiveError, BibliographyError, LatexError, MetadataError, SavedPromptError, SourceError

FUZZ = settings(max_examples=120, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])


def mutated(seed: str, pieces: list[str]):
    """``seed`` with a few cuts, splices of ``pieces`` or of itself, and duplications."""

    @st.composite
    def build(draw):
        text = seed
        for _ in range(draw(st.integers(0, 4))):
            n = len(text)
            a = draw(st.integers(0, n))
            b = draw(st.integers(a, min(n, a + 400)))
            op = draw(st.sampled_from(["cut", "insert", "duplicate", "replace"]))
            if op == "cut":
                text = text[:a] + text[b:]
            elif op == "insert":
                text = text[:a] + draw(st.sampled_from(pieces) | st.text(max_size=30)) + text[a:]
            elif op == "duplicate":
                text = text[:b] + text[a:b] + text[b:]
            else:
                text = text[:a] + draw(st.text(max_size=20)) + text[b:]
        return text

    return build()


# ----- saved prompts --------------------------------------------------------------------------------------------
def _saved_prompt() -> str:
    from posttui.prompt import saved_prompt_text

    return saved_prompt_text(fixture_paper())


SAVED = _saved_prompt()
SAVED_PIECES = ["{% raw %}\n", "\n{% endraw %}", "```", "```yaml\n", "!!python/object/apply:os.system", "&a [*a]",
                "\\begin{document}", "---\n", "<!-- BEGINNING OF GENERATED POST -->", "\x00", "\ufeff"]


@FUZZ
@given(mutated(SAVED, SAVED_PIECES))
def test_saved_prompt_parser(text):
    from posttui.sources.saved_prompt import parse_saved_prompt

    try:
        paper = parse_saved_prompt(text, "fuzz.txt")
    except (SavedPromptError, MetadataError, SourceError):
        return
    paper.post_name  # noqa: B018 - derived views must not crash either
    paper.prompt()


# ----- YAML --------------------------------------------------------------------------------------------------------
YAML_SEED = (
    "title: A Title\nauthors:\n- name: A B\n- name: C D\npublished: '2024-01-02'\n"
    "tags: !!python/tuple [1, 2]\nt: !!python/object/apply:time.struct_time [[2024, 1, 2, 0, 0, 0, 1, 2, 0], {}]\n"
)
YAML_PIECES = ["&a [x, x]\n", "*a", "!!python/object/new:feedparser.util.FeedParserDict\n  dictitems: {}\n",
               "!!python/object/apply:os.system ['true']", "? ", ": ", "- ", "{", "}", "[", "]", "'", '"', "\t",
               "%YAML 1.1\n",
               "--- ", "!!binary |\n  AAAA\n", "<<: *a\n"]


@FUZZ
@given(mutated(YAML_SEED, YAML_PIECES))
def test_yaml_loader(text):
    from posttui.yamlio import load_yaml

    try:
        load_yaml(text, "fuzz.yaml")
    except MetadataError:
        pass


# ----- bibliographies ---------------------------------------------------------------------------------------------
BBL_SEED = (
    "\\begin{thebibliography}{9}\n\\bibitem[{Birrer} \\& {Amara}(2018)]{b18} Birrer S., Amara A., 2018, "
    "\\doi{10.1016/j.dark.2018.11.002}\n\\bibitem{r64} Refsdal S., 1964, \\mn, 128, 307, \\eprint{astro-ph/0101001}\n"
    "\\bibitem[Treu(2010)]{t10} {Treu} T., 2010, \\araa, 48, 87 \\url{https://example.org/x}\n"
    "\\end{thebibliography}\n"
)
BBL_PIECES = ["\\bibitem", "\\bibitem[", "]{", "{", "}", "\\entry{k}{article}{}\n", "\\endentry\n",
              "\\field{title}{", "\\name{author}{1}{}{{", "\\verb{doi}\n\\verb 10.1/x\n\\endverb\n", "\\newblock ",
              "\\bibinfo{author}{", "\\doi{", "\\eprint{", "%", "\\\\", "$\\alpha$", "\\'{e}", "\\textit{"]
BIB_SEED = (
    "@article{a, title={A {Nested} Title}, author={Lovelace, Ada and Babbage, Charles}, year=2020, "
    "doi={10.1/abc}}\n@misc{b, eprint={2501.01234}, archivePrefix={arXiv}, author = \"X, Y\"}\n"
    "@string{mn = {MNRAS}}\n@book{c, title=\"Q\", journal=mn}\n"
)
BIB_PIECES = ["@article{", "@comment{", "@preamble{", "@string{", "{", "}", "\"", ",", "=", "#", "\\{",
              "author = {", "and ", "@"]


@FUZZ
@given(mutated(BBL_SEED, BBL_PIECES))
def test_parse_bbl(text):
    from posttui.references import parse_bbl

    try:
        refs = parse_bbl(text, "fuzz.bbl")
    except BibliographyError:
        return
    for ref in refs:
        ref.identifier  # noqa: B018


@FUZZ
@given(mutated(BIB_SEED, BIB_PIECES))
def test_parse_bib(text):
    from posttui.references import parse_bib

    try:
        refs = parse_bib(text, "fuzz.bib")
    except BibliographyError:
        return
    for ref in refs:
        ref.identifier  # noqa: B018


# ----- LaTeX analysis -----------------------------------------------------------------------------------------------
TEX_SEED = (fixture_paper().tex_files[0].text)
TEX_PIECES = ["\\input{", "\\include{main}", "\\input{main}", "\\documentclass{article}", "\\begin{document}",
              "\\end{document}", "\\iffalse", "\\fi", "\\begin{verbatim}", "\\end{verbatim}", "\\verb|", "%",
              "\\newcommand{\\x}{", "\\def\\y#1{", "{", "}", "$", "$$", "\\[", "\\section{", "\\title{", "\\cite{",
              "\\begin{abstract}", "\\end{abstract}", "\\\\", "\\catcode`\\@=11"]


@FUZZ
@given(mutated(TEX_SEED, TEX_PIECES), mutated("\\section{B}\n\\input{main}\n", TEX_PIECES))
def test_latex_analysis(main_text, other):
    from posttui.latex import analyse_files

    try:
        doc = analyse_files({"main.tex": main_text, "b.tex": other}, title="Lensing of Imaginary Quasars")
    except LatexError:
        return
    doc.title, doc.abstract  # noqa: B018


# ----- archives and decoding ----------------------------------------------------------------------------------------
def _tarball() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("main.tex", TEX_SEED.encode()), ("main.bbl", BBL_SEED.encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


TAR = _tarball()


@st.composite
def damaged_bytes(draw):
    data = draw(st.sampled_from([TAR, gzip.compress(TAR, mtime=0), gzip.compress(TEX_SEED.encode(), mtime=0)]))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif op == "cut":
            data = data[:at]
        else:
            data = data[:at] + draw(st.binary(max_size=64)) + data[at:]
    return data


@FUZZ
@given(damaged_bytes())
def test_source_bytes(data):
    from posttui.sources.archive import read_source_bytes

    try:
        files = read_source_bytes(data, "fuzz.tar.gz", max_bytes=2_000_000)
    except (ArchiveError, SourceError):
        return
    assert all(isinstance(f.text, str) for f in files.tex_files)


@FUZZ
@given(st.binary(max_size=2000))
def test_decode_text(data):
    from posttui.sources.textio import decode_text

    try:
        text = decode_text(data, "fuzz.tex", [])
    except SourceError:
        return
    assert isinstance(text, str)


# ----- the checker ---------------------------------------------------------------------------------------------------
def _post() -> str:
    from posttui.llm.offline import OfflineWriter

    return OfflineWriter(fixture_paper()).post()


POST = _post()
POST_PIECES = ["<!-- BEGINNING OF GENERATED POST -->", "<!-- END OF GENERATED POST -->", "```", "[", "](", ")",
               "](javascript:alert(1))", "<script>", "</script>", "<img onerror=x>", "\\citep{a}", "$", "**",
               "## ", "- ", "https://", "[2503.04567](https://arxiv.org/abs/2503.04567)", "<", ">", "---\n", "\r\n"]


@pytest.fixture(scope="module")
def context():
    from posttui.rules import CheckContext

    return CheckContext.from_paper(fixture_paper(), model="posttui-offline")


@settings(max_examples=120, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow,
                                                                                  HealthCheck.function_scoped_fixture])
@given(text=mutated(POST, POST_PIECES), partial=st.booleans())
def test_checker_and_fixes(context, text, partial):
    from posttui.rules import check, fix

    findings = check(text, context, partial=partial)
    for finding in findings:
        assert 1 <= finding.line and 0 <= finding.start <= finding.end <= len(text) + 1
    fixed = fix(text, context)
    assert isinstance(fixed.text, str)


# ----- every input that becomes a path ---------------------------------------------------------------------------
NAME_PIECES = ["..", ".", "/", "\\", "\x00", "\x1b[31m", "\x07", "\u202e", "C:", "~", " ", "-", "é", "astro-ph/",
               "0601001", "2025-03-06-", "a" * 120, "\n", "\r", "%2e%2e", "\ufeff"]
names = st.lists(st.sampled_from(NAME_PIECES) | st.text(max_size=12), max_size=8).map("".join)


def _no_controls(text: str) -> bool:
    from posttui.errors import is_control

    return not any(is_control(c) for c in text)


@FUZZ
@given(names)
def test_safe_names(name):
    """A name is either refused with a PosttuiError, or joins to a path directly inside the folder; shown names
    never carry control characters."""
    from posttui.errors import PosttuiError, printable
    from posttui.safenames import MAX_NAME_BYTES, safe_join

    assert _no_controls(printable(name))
    try:
        joined = safe_join("/bundle", name)
    except PosttuiError as exc:
        assert _no_controls(str(exc).replace("\n", ""))
    else:
        assert joined.parent.as_posix() == "/bundle" and joined.name == name and _no_controls(name)
        assert len(name.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES


@FUZZ
@given(date=st.sampled_from(["2025-03-06", "2024-02-29", "2023-02-29", "2025-13-01", "0000-00-00", ""]) | st.text(
    max_size=12), ident=names)
def test_post_names(date, ident):
    from posttui.errors import PosttuiError
    from posttui.safenames import post_name

    try:
        name = post_name(date, ident)
    except PosttuiError:
        return
    assert "/" not in name and "\\" not in name and name.startswith(date) and _no_controls(name)


@settings(max_examples=60, deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(post=names.filter(lambda n: "\n" not in n and "\r" not in n), featured=names.filter(
    lambda n: "\n" not in n and "\r" not in n))
def test_unpack_stays_in_its_folder(post, featured):
    """A saved prompt with any post name and featured id: unpack writes only inside the folder it was given."""
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from posttui.errors import PosttuiError
    from posttui.prompt import derive_parts, saved_prompt_text
    from posttui.sources.saved_prompt import unpack_saved_prompt

    paper = fixture_paper()
    paper.parts = replace(derive_parts(paper, model="m", image_model="i"), post_name=post, arxiv_id=featured)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "saved.txt").write_text(saved_prompt_text(paper), encoding="utf-8", newline="")
        try:
            written = unpack_saved_prompt(root / "saved.txt", root / "a" / "b")
        except PosttuiError:
            written = []
        found = sorted(p for p in root.rglob("*") if p.is_file())
        assert found == sorted([root / "saved.txt", *written])
        assert all(p.parent == root / "a" / "b" for p in written)


@FUZZ
@given(st.lists(names, min_size=1, max_size=4))
def test_archive_member_names(member_names):
    """Any member names: the archive is read or refused with an ArchiveError, and no warning carries a raw
    control character to the terminal."""
    from posttui.errors import PosttuiError
    from posttui.sources.archive import read_source_bytes

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for index, name in enumerate(member_names):
            data = (TEX_SEED if index == 0 else "Caf\xe9").encode("latin-1", "replace")
            info = tarfile.TarInfo(f"{name}.tex" if index % 2 == 0 else name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    try:
        files = read_source_bytes(buffer.getvalue(), "fuzz.tar", max_bytes=2_000_000)
    except PosttuiError as exc:
        assert _no_controls(str(exc).replace("\n", ""))
        return
    assert all(_no_controls(w) for w in files.warnings)
