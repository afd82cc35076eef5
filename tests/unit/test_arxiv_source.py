"""Opening papers by arXiv id against a fake arXiv on 127.0.0.1: fetch, cache, offline reopen, every failure."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest
from arxiv_server import FakeArxiv

import posttui
from posttui.config import load_config
from posttui.errors import ArchiveError, FetchError
from posttui.sources.arxiv import cache_dir, load_arxiv

MAIN = (
    "\\documentclass{article}\n\\title{A Made-Up Paper}\n\\begin{document}\n"
    "\\section{Introduction}\nText \\citep{a}.\n\\input{body}\n\\end{document}\n"
)


def tar_gz(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


SOURCE = tar_gz({"main.tex": MAIN, "body.tex": "\\section{Body}\n", "main.bbl": "\\bibitem{a}\n"})


@pytest.fixture
def server(monkeypatch):
    fake = FakeArxiv().start()
    monkeypatch.setenv("POSTTUI_ARXIV_API_URL", fake.api_url)
    monkeypatch.setenv("POSTTUI_ARXIV_SRC_URL", fake.src_url)
    yield fake
    fake.stop()


def test_fetch_cache_and_offline_second_open(server):
    server.add("2501.01234", SOURCE, version="v2", authors=("Ada Lovelace", "Mary Somerville"))
    paper = load_arxiv("2501.01234")
    assert server.requests == ["/api/query?id_list=2501.01234", "/src/2501.01234"]
    assert paper.arxiv_id == "2501.01234" and paper.version == "v2" and paper.origin == "arXiv:2501.01234"
    assert type(paper.metadata).__name__ == "FeedParserDict"  # the entry exactly as feedparser gives it
    assert paper.metadata["arxiv_primary_category"]["term"] == "astro-ph.CO"
    assert paper.title == "A Made-Up Paper" and paper.date == "2025-11-13"
    assert paper.author_names == ["Ada Lovelace", "Mary Somerville"]
    assert [f.name for f in paper.tex_files] == ["main.tex", "body.tex"] and paper.bbl == "\\bibitem{a}\n"
    assert [s.title for s in paper.document.sections] == ["Introduction", "Body"]
    where = cache_dir(load_config(), "2501.01234", "")
    assert (where / "metadata.atom").is_file() and (where / "source").read_bytes() == SOURCE

    server.stop()  # offline now: the second open comes from the cache
    again = load_arxiv("2501.01234")
    assert again.title == paper.title and [f.text for f in again.tex_files] == [f.text for f in paper.tex_files]
    assert again.warnings == []


def test_versioned_url_and_old_style_ids(server):
    server.add("2501.01234", SOURCE, version="v2")
    paper = posttui.load("https://arxiv.org/abs/2501.01234v2")
    assert server.requests == ["/api/query?id_list=2501.01234v2", "/src/2501.01234v2"]
    assert paper.version == "v2"
    server.add("astro-ph/0601001", gzip.compress(MAIN.replace("\\input{body}\n", "").encode()), version="v1")
    old = load_arxiv("astro-ph/0601001")
    assert server.requests[-2:] == ["/api/query?id_list=astro-ph/0601001", "/src/astro-ph/0601001"]
    assert old.arxiv_id == "astro-ph/0601001" and [f.name for f in old.tex_files] == ["0601001.tex"]
    assert old.document.title == "A Made-Up Paper"  # a lone gzipped TeX file
    assert cache_dir(load_config(), "astro-ph/0601001", "").name == "astro-ph_0601001"


def test_pdf_only_source_says_so_and_keeps_the_abstract(server):
    server.add("2501.00005", b"%PDF-1.5\n...", summary="An abstract only.")
    paper = load_arxiv("2501.00005")
    assert paper.tex_files == [] and paper.abstract == "An abstract only."
    assert any("no TeX source: carrying on with metadata and abstract" in w for w in paper.warnings)


def test_unknown_id_404(server):
    server.add("2501.09999", SOURCE, mode="404")
    with pytest.raises(FetchError) as info:
        load_arxiv("2501.09999")
    message = str(info.value)
    assert f"{server.api_url}?id_list=2501.09999: metadata: HTTP 404" in message
    assert "check the arXiv id" in message


def test_error_feed_and_empty_feed(server):
    server.add("2501.09998", SOURCE, mode="error-feed")
    with pytest.raises(FetchError, match="arXiv reports an error: incorrect id format for 2501.09998"):
        load_arxiv("2501.09998")
    with pytest.raises(FetchError) as info:
        load_arxiv("2501.07777")  # not served at all: arXiv answers with an empty feed
    assert "arXiv returned no entry (unknown id?)" in str(info.value) and "id_list=2501.07777" in str(info.value)
    assert not (cache_dir(load_config(), "2501.09998", "") / "metadata.atom").exists()  # errors are not cached


def test_network_down_without_cache(server):
    server.add("2501.01234", SOURCE)
    url = server.api_url
    server.stop()
    with pytest.raises(FetchError) as info:
        load_arxiv("2501.01234")
    message = str(info.value)
    assert message.startswith(f"{url}?id_list=2501.01234: cannot reach arXiv for the metadata")
    assert "check the network connection" in message


def test_truncated_download(server):
    server.add("2501.01111", SOURCE, mode="truncated")
    with pytest.raises(FetchError) as info:
        load_arxiv("2501.01111")
    assert "source download was cut short" in str(info.value) and f"{server.src_url}/2501.01111" in str(info.value)
    assert not (cache_dir(load_config(), "2501.01111", "") / "source").exists()


def test_truncated_gzip_in_a_complete_response(server):
    server.add("2501.02222", SOURCE, mode="truncated-gzip")
    with pytest.raises(ArchiveError) as info:
        load_arxiv("2501.02222")
    assert str(info.value).startswith(f"{server.src_url}/2501.02222: is truncated")


def test_corrupt_cache_is_fetched_again_or_reported_offline(server):
    server.add("2501.01234", SOURCE)
    load_arxiv("2501.01234")
    where = cache_dir(load_config(), "2501.01234", "")
    (where / "source").write_bytes(SOURCE[:40])  # a download cut short on disk
    paper = load_arxiv("2501.01234")
    assert [f.name for f in paper.tex_files] == ["main.tex", "body.tex"]
    assert any("cached source" in w and "fetched again" in w for w in paper.warnings)
    assert (where / "source").read_bytes() == SOURCE

    (where / "metadata.atom").write_bytes(b"<html>broken</html>")
    server.stop()
    with pytest.raises(FetchError) as info:
        load_arxiv("2501.01234")
    message = str(info.value)
    assert "metadata.atom: the cached metadata is corrupt and arXiv cannot be reached" in message
    assert "check the network connection" in message


def test_sidecar_options_for_arxiv_papers(server, tmp_path):
    server.add("2501.01234", SOURCE)
    (tmp_path / "group.yaml").write_text("Ada Lovelace:\n  image: images/ada.jpg\n")
    (tmp_path / "index.md").write_text("home page")
    paper = load_arxiv("2501.01234", group=tmp_path / "group.yaml", homepage=tmp_path / "index.md")
    assert paper.members == {"Ada Lovelace": {"image": "images/ada.jpg"}} and paper.homepage == "home page"
