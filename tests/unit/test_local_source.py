"""Local sources: directory bundles, archives, a lone .gz or .tex, sidecar discovery and metadata."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

import posttui
from posttui.errors import GroupError, MetadataError, SourceError
from posttui.sources.local import load_local
from posttui.sources.metadata import parse_atom, read_metadata, tex_authors

MAIN = r"""\documentclass{mnras}
\title{Dust in the Early Universe}
\author[A. Lovelace et al.]{Ada Lovelace,$^{1}$\thanks{E-mail: ada@example.org} Charles Babbage$^{2}$
and Mary Somerville$^{1}$\\ $^{1}$Institute of Astronomy, Cambridge}
\begin{document}
\begin{abstract}
Dust forms early.
\end{abstract}
\section{Introduction}
As shown by \citet{smith2020}.
\input{sections/method}
\bibliography{refs}
\end{document}
"""
METHOD = "\\section{Method}\nWe model dust \\citep{jones2021,smith2020}.\n"

SITE_YAML = """!!python/object/new:feedparser.util.FeedParserDict
dictitems:
  id: http://arxiv.org/abs/2501.01234v2
  title: Dust in the Early Universe
  summary: Dust forms early.
  published: '2025-01-03T18:00:00Z'
  published_parsed: !!python/object/apply:time.struct_time
  - !!python/tuple
    - 2025
    - 1
    - 3
    - 18
    - 0
    - 0
    - 4
    - 3
    - 0
  - {}
  authors:
  - !!python/object/new:feedparser.util.FeedParserDict
    dictitems:
      name: Ada Lovelace
  - !!python/object/new:feedparser.util.FeedParserDict
    dictitems:
      name: Charles Babbage
"""
GROUP = """Ada Lovelace:
  phd:
    start: 2020-10-01
  image: images/ada.jpg
  links:
    arXiv: https://arxiv.org/a/lovelace_a_1
"""
AUTHORS = """Ada Lovelace:
  image: /assets/group/images/ada.jpg
  links:
    arXiv: https://arxiv.org/a/lovelace_a_1
"""


def write_bundle(directory: Path, **overrides) -> Path:
    files = {
        "main.tex": MAIN,
        "sections/method.tex": METHOD,
        "refs.bib": "@article{smith2020, title={Dust}}\n",
        "main.bbl": "\\bibitem{smith2020} Smith 2020\n",
        "metadata.yaml": SITE_YAML,
        "group.yaml": GROUP,
        "authors.yaml": AUTHORS,
        "index.md": "---\nlayout: home\n---\nWe study dust.\n",
        "figure.png": "not really a png",
        "prompt-notes.txt": "unknown files are left alone",
    }
    files.update(overrides)
    for name, text in files.items():
        if text is None:
            continue
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return directory


def tar_gz(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode() if isinstance(text, str) else text
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_directory_bundle_with_every_sidecar(tmp_path):
    paper = load_local(write_bundle(tmp_path))
    assert paper.arxiv_id == "2501.01234" and paper.version == "v2"
    assert paper.title == "Dust in the Early Universe"
    assert paper.date == "2025-01-03"
    assert type(paper.metadata).__name__ == "FeedParserDict"
    assert [f.name for f in paper.tex_files] == ["main.tex", "sections/method.tex"]  # sorted path order
    assert paper.bbl == "\\bibitem{smith2020} Smith 2020\n"
    assert paper.bib.startswith("@article{smith2020")
    assert paper.members["Ada Lovelace"]["image"] == "images/ada.jpg"
    assert paper.author_info["Ada Lovelace"]["image"] == "/assets/group/images/ada.jpg"
    assert paper.homepage.endswith("We study dust.\n")
    assert paper.warnings == []
    doc = paper.document
    assert [s.title for s in doc.sections] == ["Introduction", "Method"]
    assert doc.citation_counts == {"smith2020": 2, "jones2021": 1}


def test_load_dispatches_directories_to_the_local_loader(tmp_path):
    paper = posttui.load(write_bundle(tmp_path))
    assert paper.arxiv_id == "2501.01234" and paper.origin == str(tmp_path)


def test_options_override_sidecars(tmp_path):
    bundle = write_bundle(tmp_path / "b", **{"group.yaml": None, "index.md": None})
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "members.yaml").write_text("Bob Smith:\n  image: https://x/y.png\n")
    (other / "home.md").write_text("home")
    paper = load_local(bundle, group=other / "members.yaml", homepage=other / "home.md")
    assert list(paper.members) == ["Bob Smith"] and paper.homepage == "home"


def test_atom_xml_metadata_beside_the_source(tmp_path):
    from arxiv_server import atom_feed

    bundle = write_bundle(tmp_path, **{"metadata.yaml": None})
    (bundle / "2501.01234.atom").write_bytes(atom_feed("2501.01234", version="v3", title="Atom Title"))
    paper = load_local(bundle)
    assert paper.title == "Atom Title" and paper.version == "v3"
    assert paper.author_names == ["Ada Lovelace", "Charles Babbage"]


def test_source_archive_inside_a_directory(tmp_path):
    (tmp_path / "source.tar.gz").write_bytes(tar_gz({"ms.tex": MAIN, "sections/method.tex": METHOD, "ms.bbl": "B"}))
    (tmp_path / "metadata.yaml").write_text(SITE_YAML)
    paper = load_local(tmp_path)
    assert [f.name for f in paper.tex_files] == ["ms.tex", "sections/method.tex"]
    assert paper.bbl == "B"


def test_several_archives_without_loose_tex_is_ambiguous(tmp_path):
    (tmp_path / "a.tar.gz").write_bytes(tar_gz({"a.tex": MAIN}))
    (tmp_path / "b.tar.gz").write_bytes(tar_gz({"b.tex": MAIN}))
    with pytest.raises(SourceError, match=r"holds several archives \(a.tar.gz, b.tar.gz\) and no loose TeX"):
        load_local(tmp_path)


def test_tar_gz_file_with_metadata_beside_it(tmp_path):
    archive = tmp_path / "arXiv-2501.01234v2.tar.gz"
    archive.write_bytes(tar_gz({"main.tex": MAIN, "sections/method.tex": METHOD}))
    (tmp_path / "metadata.xml").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/abs/2501.01234v2</id><title>From XML</title><summary>S</summary>"
        "<author><name>Ada Lovelace</name></author></entry></feed>"
    )
    paper = posttui.load(archive)
    assert paper.title == "From XML" and paper.arxiv_id == "2501.01234"
    assert len(paper.document.sections) == 2


def test_single_gz_without_metadata_builds_minimal_metadata_from_tex(tmp_path):
    source = tmp_path / "2501.04321.gz"
    source.write_bytes(gzip.compress(MAIN.replace("\\input{sections/method}", "").encode()))
    paper = load_local(source)
    assert paper.arxiv_id == "2501.04321"  # from the file name
    assert type(paper.metadata).__name__ == "FeedParserDict"
    assert paper.title == "Dust in the Early Universe"
    assert paper.abstract == "Dust forms early."
    assert paper.author_names == ["Ada Lovelace", "Charles Babbage", "Mary Somerville"]
    assert any("no metadata file found" in w and str(source) in w for w in paper.warnings)


def test_tex_file_source_reads_its_inputs_and_bibliography(tmp_path):
    write_bundle(tmp_path, **{"metadata.yaml": None})
    paper = load_local(tmp_path / "main.tex")
    assert [f.name for f in paper.tex_files] == ["main.tex", "sections/method.tex"]
    assert paper.bbl.startswith("\\bibitem") and paper.bib.startswith("@article")
    assert paper.members is not None and paper.author_info is not None  # sidecars beside the file
    assert [s.title for s in paper.document.sections] == ["Introduction", "Method"]


def test_pdf_only_directory_carries_on_with_metadata(tmp_path):
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "metadata.yaml").write_text(SITE_YAML)
    paper = load_local(tmp_path)
    assert paper.tex_files == [] and paper.document is None
    assert paper.abstract == "Dust forms early."
    assert paper.warnings == [f"{tmp_path}: no TeX source: carrying on with metadata and abstract"]


def test_pdf_only_archive_without_metadata_is_an_error(tmp_path):
    pdf = tmp_path / "2501.00009.gz"
    pdf.write_bytes(gzip.compress(b"%PDF-1.4\n"))
    with pytest.raises(SourceError) as info:
        load_local(pdf)
    assert "has no TeX source and no metadata" in str(info.value) and "--metadata" in str(info.value)


def test_latin1_tex_warns_naming_the_file(tmp_path):
    write_bundle(tmp_path, **{"sections/method.tex": "\\section{M\xe9thode}\n".encode("latin-1")})
    paper = load_local(tmp_path)
    method = tmp_path / "sections" / "method.tex"
    assert paper.warnings == [f"{method}: not valid UTF-8 (byte 0xe9 at offset 10); read as Latin-1"]
    assert paper.document.sections[1].title == "Méthode"


def test_binary_tex_is_refused(tmp_path):
    write_bundle(tmp_path, **{"sections/method.tex": b"\x00\x01PK\x03\x04" * 20})
    with pytest.raises(SourceError, match=r"method.tex: is not a text file \(binary data in a TeX file\)"):
        load_local(tmp_path)


def test_empty_tex_file_is_refused(tmp_path):
    (tmp_path / "empty.tex").write_text("")
    with pytest.raises(SourceError, match="empty.tex: is empty"):
        load_local(tmp_path / "empty.tex")


def test_empty_directory_has_nothing_to_open(tmp_path):
    with pytest.raises(SourceError, match="has no TeX source and no metadata"):
        load_local(tmp_path)


def test_missing_input_surfaces_when_the_document_is_read(tmp_path):
    write_bundle(tmp_path, **{"sections/method.tex": None})
    paper = load_local(tmp_path)  # loading is lazy about the TeX...
    with pytest.raises(posttui.errors.LatexError, match=r"main.tex: line 11: \\input\{sections/method\}"):
        paper.document  # noqa: B018 - ...the error comes when the document is analysed


@pytest.mark.parametrize(
    "name, text, error, message",
    [
        ("group.yaml", "Ada: [unclosed", GroupError, "group.yaml: malformed YAML at line"),
        ("group.yaml", "- just\n- a list\n", GroupError, "must map member names to their entries, not be a list"),
        ("group.yaml", "Ada: 3\n", GroupError, "entries must be mappings (roles, image, links); not for: Ada"),
        ("authors.yaml", "[1, 2]", GroupError, "authors.yaml: must map author names to member entries"),
        ("metadata.yaml", "title: [", MetadataError, "metadata.yaml: malformed YAML"),
        ("metadata.yaml", "summary: no title\n", MetadataError, "metadata.yaml: has no title"),
        ("metadata.yaml", "title: T\nauthors: Ada\n", MetadataError, "'authors' must be a list"),
        ("metadata.yaml", "!!python/object/apply:os.system ['echo hi']\n", MetadataError, "unsupported YAML"),
    ],
)
def test_bad_sidecars_name_the_file(tmp_path, name, text, error, message):
    write_bundle(tmp_path, **{name: text})
    with pytest.raises(error) as info:
        load_local(tmp_path)
    assert message in str(info.value)


def test_unpacked_saved_prompt_bundle_is_marked_glued(tmp_path):
    write_bundle(tmp_path, **{"prompt-parts.yaml": "post_name: x\n"})
    assert load_local(tmp_path).tex_glued is True
    assert load_local(write_bundle(tmp_path / "plain")).tex_glued is False


def test_metadata_readers_directly(tmp_path):
    from arxiv_server import error_feed

    with pytest.raises(MetadataError, match="arXiv reports an error: incorrect id format for 99"):
        parse_atom(error_feed("incorrect id format for 99"), "feed.xml")
    with pytest.raises(MetadataError, match="empty.atom: is empty"):
        parse_atom(b"  ", "empty.atom")
    with pytest.raises(MetadataError, match="is not an Atom feed with an entry"):
        parse_atom(b"<html><body>Service unavailable</body></html>", "oops.xml")
    (tmp_path / "m.yml").write_text("")
    with pytest.raises(MetadataError, match="m.yml: is empty"):
        read_metadata(tmp_path / "m.yml")
    plain = tmp_path / "plain.yaml"
    plain.write_text("title: Plain YAML\nauthors:\n- name: A B\n")
    assert read_metadata(plain)["title"] == "Plain YAML"


def test_tex_authors_across_styles():
    assert tex_authors(r"\author{A. One \and B. Two}") == ["A. One", "B. Two"]
    assert tex_authors(r"\author{Ann Lee}\affiliation{MIT}\author{Bo Chan}") == ["Ann Lee", "Bo Chan"]
    assert tex_authors(r"\author[C. Doe]{C. Doe,$^{1}$\thanks{x} D. Roe$^{2}$\\$^{1}$Somewhere}") == ["C. Doe", "D. Roe"]


@pytest.mark.parametrize(
    "name, ident, version",
    [
        ("arXiv-2501.01234v2.tar.gz", "2501.01234", "v2"),
        ("astro-ph_0601001.tar.gz", "astro-ph/0601001", ""),
        ("paper2023.1234.tar.gz", None, ""),  # digits that merely look like an id inside a word
    ],
)
def test_arxiv_id_from_the_source_name_when_metadata_has_none(tmp_path, name, ident, version):
    (tmp_path / name).write_bytes(tar_gz({"main.tex": MAIN.replace("\\input{sections/method}", "")}))
    paper = load_local(tmp_path / name)
    assert (paper.arxiv_id, paper.version) == (ident, version)
