"""The bundled example paper is internally consistent: what it cites exists, its ids and members behave."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import posttui
from posttui.authors import author_info_block, link_rank, load_members
from posttui.references import parse_bbl, parse_bib
from posttui.yamlio import read_yaml

BUNDLE = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"


@pytest.fixture(scope="module")
def paper():
    return posttui.load(BUNDLE)


def test_bundle_files_exist():
    for name in ("main.tex", "sections/method.tex", "main.bbl", "refs.bib", "metadata.yaml", "group.yaml", "index.md"):
        assert (BUNDLE / name).is_file(), name
    assert not (BUNDLE / "metadata.xml").exists()  # one metadata file, no ambiguity


def test_loads_as_a_paper_with_metadata(paper):
    assert paper.arxiv_id == "2611.01234"
    assert paper.date == "2026-11-03"
    assert paper.post_name == "2026-11-03-2611.01234"
    assert paper.author_names == ["Margaret A. Okonkwo", "Jonas E. Whitfield", "H. Brandt", "Tobias Lindqvist",
                                  "Priya Raman"]
    assert paper.title.startswith("Tempered nested sampling")
    assert [f.name for f in paper.tex_files] == ["main.tex", "sections/method.tex"]
    assert paper.bbl.strip() and paper.bib.strip() and paper.homepage.strip()
    assert paper.warnings == []


def test_metadata_is_a_feedparser_dump():
    text = (BUNDLE / "metadata.yaml").read_text(encoding="utf-8")
    assert text.startswith("!!python/object/new:feedparser.util.FeedParserDict\ndictitems:\n")
    entry = read_yaml(BUNDLE / "metadata.yaml")
    assert entry["id"] == "http://arxiv.org/abs/2611.01234v1"
    assert entry["published_parsed"].tm_year == 2026
    assert [a["name"] for a in entry["authors"]][0] == "Margaret A. Okonkwo"


def test_tex_is_split_over_two_files_with_a_figure_and_conclusions(paper):
    main = (BUNDLE / "main.tex").read_text(encoding="utf-8")
    assert "\\input{sections/method}" in main and "\\documentclass" in main
    doc = paper.document
    assert [s.title for s in doc.sections][:4] == ["Introduction", "Method", "Results", "Conclusions"]
    assert len(doc.conclusions) == 3
    assert doc.captions and "Evidence recovered" in doc.captions[0]


def test_every_cited_key_is_in_the_bbl_and_the_bib(paper):
    cited = set(paper.document.cited_keys)
    bbl_keys = {r.key for r in parse_bbl(paper.bbl)}
    bib_keys = {r.key for r in parse_bib(paper.bib)}
    assert cited and cited <= bbl_keys
    assert bbl_keys == bib_keys
    # \citep[..][..]{..}, \citet[..]{..} and plain \cite all appear
    tex = paper.site_tex
    assert re.search(r"\\citep\[[^\]]*\]\[\]\{", tex) and re.search(r"\\citet\[[^\]]*\]\{", tex)
    assert re.search(r"\\cite\{", tex)


def test_bbl_identifiers_cover_the_cases_and_agree_with_the_bib(paper):
    bbl = paper.references
    assert len(bbl) >= 8
    assert bbl.summary.with_identifier >= 6
    assert any(r.doi and r.arxiv for r in bbl)  # both
    assert any(r.doi and not r.arxiv for r in bbl)  # DOI only
    assert any(r.arxiv and not r.doi for r in bbl)  # arXiv only
    assert any("/" in r.arxiv for r in bbl)  # an old-style id
    assert any(not r.has_identifier for r in bbl)  # and one with none
    cited_with_id = [r for r in bbl if r.has_identifier and r.key in paper.document.cited_keys]
    assert len(cited_with_id) >= 3
    bib = {r.key: r for r in parse_bib(paper.bib)}
    for ref in bbl:
        assert (ref.doi_key, ref.arxiv) == (bib[ref.key].doi_key, bib[ref.key].arxiv), ref.key


def test_members_file_covers_images_links_and_an_ambiguous_pair():
    members = load_members(BUNDLE / "group.yaml")
    assert 4 <= len(members) <= 6
    images = [m.image for m in members.values()]
    assert any(i.startswith("/assets/group/images/") for i in images)
    assert any(i.startswith("https://") for i in images)
    assert "/assets/images/user.png" in images
    kinds = {link_rank(label, url)[1] for m in members.values() for label, url in m.links.items()}
    assert "social" in kinds and kinds & {"orcid", "scholar", "department"}
    surnames = [name.split()[-1] for name in members]
    assert len(surnames) != len(set(surnames))
    # a member with both a social and an academic link is linked by the academic one
    maggie = members["Maggie Okonkwo"]
    assert maggie.preferred_link == ("GitHub", "https://github.com/example-maggie")


def test_authors_match_as_designed(paper):
    result = {m.name: m for m in paper.authors}
    assert result["Margaret A. Okonkwo"].member.name == "Maggie Okonkwo"  # nickname
    assert result["Tobias Lindqvist"].member.name == "Tobias Lindqvist"
    assert result["Priya Raman"].member.name == "Priya Raman"
    assert result["Jonas E. Whitfield"].member is None and not result["Jonas E. Whitfield"].candidates
    brandt = result["H. Brandt"]
    assert brandt.member is None and brandt.ambiguous
    assert set(brandt.candidates) == {"Henrik Brandt", "Hannah Brandt"}
    block = author_info_block(paper.authors)
    assert list(block) == ["Maggie Okonkwo", "Jonas E. Whitfield", "H. Brandt", "Tobias Lindqvist", "Priya Raman"]
    assert block["Maggie Okonkwo"]["image"] == "/assets/group/images/maggie_okonkwo.jpg"
    assert block["Priya Raman"]["image"] == "/assets/images/user.png"
    assert block["H. Brandt"] == {} and block["Jonas E. Whitfield"] == {}


def test_homepage_links_point_at_bibliography_identifiers(paper):
    links = re.findall(r"\]\((https://(?:arxiv\.org/abs|doi\.org)/[^)]+)\)", paper.homepage)
    assert len(links) >= 3
    known = {r.identifier_url for r in paper.references} | {
        f"https://arxiv.org/abs/{r.arxiv}" for r in paper.references if r.arxiv}
    assert set(links) <= known
    assert paper.homepage.startswith("---\n")


@pytest.mark.corpus
def test_nothing_in_the_bundle_is_copied_from_the_shared_corpus(corpus_site):
    corpus = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                       for p in (corpus_site / "prompts/content").glob("*.txt"))
    corpus += (corpus_site / "assets/group/group.yaml").read_text(encoding="utf-8")
    for path in BUNDLE.rglob("*"):
        if not path.is_file() or path.name == "metadata.yaml":  # feedparser's fixed keys are shared by design
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 40 and not line.startswith(("\\def", "\\makeatletter", "{", "\\providecommand")):
                assert line not in corpus, f"{path.name}: {line!r}"
