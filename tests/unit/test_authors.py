"""Matching paper authors to group members: names, ambiguity, links, images, the Author Information block."""

from __future__ import annotations

import pytest
import yaml

from posttui.authors import (
    DEFAULT_IMAGE,
    AuthorMatch,
    author_info_block,
    link_rank,
    load_members,
    match_author,
    match_paper_authors,
    members_from_mapping,
    name_similarity,
    normalize_image,
)
from posttui.errors import GroupError
from posttui.paper import Paper

GROUP_YAML = """\
Chris Lovell:
  postdoc:
    start: 2021-10-01
    thesis: null
  original_image: images/originals/chris_lovell.jpeg
  image: images/chris_lovell.jpg
  links:
    Twitter: https://twitter.com/someone
    Webpage: https://lovell.example.org
"Gábor Kovács":
  coi:
    start: 2023-10-01
    thesis: null
  image: https://people.example.org/kovacs.png
  links:
    Department webpage: https://example.ac.uk/kovacs
Eloy de Lera Acedo:
  coi:
    start: 2019-10-01
    thesis: null
Thomas Gessey-Jones:
  phd:
    start: 2020-10-01
    supervisors:
    - Eloy de Lera Acedo
    thesis: null
  image: images/tgj.jpg
  links:
    GitHub: https://github.com/tgj
    ORCiD: https://orcid.org/0000-0000-0000-0001
Patrick Lau:
  partiii:
    start: 2023-10-01
    thesis: null
Penelope Lau:
  summer:
    start: 2024-06-24
    thesis: null
  links:
    linkedin: https://www.linkedin.com/in/plau
Will Handley:
  pi:
    start: 2020-10-01
    thesis: null
  image: images/will.jpg
"""


@pytest.fixture
def members(tmp_path):
    path = tmp_path / "group.yaml"
    path.write_text(GROUP_YAML, encoding="utf-8")
    return load_members(path)


def test_members_file_loads_with_roles_images_and_links(members):
    assert list(members) == ["Chris Lovell", "Gábor Kovács", "Eloy de Lera Acedo", "Thomas Gessey-Jones",
                             "Patrick Lau", "Penelope Lau", "Will Handley"]
    chris = members["Chris Lovell"]
    assert chris.roles == {"postdoc": {"start": chris.roles["postdoc"]["start"], "thesis": None}}
    assert chris.image == "/assets/group/images/chris_lovell.jpg"
    assert members["Gábor Kovács"].image == "https://people.example.org/kovacs.png"
    assert members["Eloy de Lera Acedo"].image == DEFAULT_IMAGE
    assert chris.links == {"Twitter": "https://twitter.com/someone", "Webpage": "https://lovell.example.org"}


@pytest.mark.parametrize(
    "image,expected",
    [
        ("images/x.jpg", "/assets/group/images/x.jpg"),
        ("https://example.org/a.jpg?itok=1", "https://example.org/a.jpg?itok=1"),
        ("/assets/group/images/x.jpg", "/assets/group/images/x.jpg"),
        (None, "/assets/images/user.png"),
        ("", "/assets/images/user.png"),
    ],
)
def test_image_normalisation_matches_the_pipeline(image, expected):
    assert normalize_image(image) == expected


def test_preferred_link_puts_academic_before_social(members):
    assert members["Chris Lovell"].preferred_link == ("Webpage", "https://lovell.example.org")
    assert members["Thomas Gessey-Jones"].preferred_link == ("ORCiD", "https://orcid.org/0000-0000-0000-0001")
    assert members["Penelope Lau"].preferred_link == ("linkedin", "https://www.linkedin.com/in/plau")  # only one
    assert members["Patrick Lau"].preferred_link is None
    assert link_rank("GitHub", "https://github.com/x")[0] < link_rank("X", "https://x.com/someone")[0]
    assert link_rank("Scholar", "https://scholar.google.com/citations?user=1")[1] == "scholar"
    assert link_rank("Bluesky", "https://bsky.app/profile/a")[1] == "social"
    assert link_rank("Toots", "https://mastodon.social/@a")[1] == "social"
    assert link_rank("ADS", "https://ui.adsabs.harvard.edu/search/q=x")[0] < link_rank("Webpage", "https://a.b")[0]


@pytest.mark.parametrize(
    "written,member,reason",
    [
        ("Christopher C. Lovell", "Chris Lovell", "nickname"),
        ("C. C. Lovell", "Chris Lovell", "initial"),
        ("Lovell, Christopher", "Chris Lovell", "nickname"),
        ("CHRIS LOVELL", "Chris Lovell", "same name"),
        ("Gabor Kovacs", "Gábor Kovács", "same name"),
        ("G. Kovács", "Gábor Kovács", "initial"),
        ("E. de Lera Acedo", "Eloy de Lera Acedo", "initial"),
        ("Eloy de~Lera~Acedo", "Eloy de Lera Acedo", "same name"),
        ("T. Gessey-Jones", "Thomas Gessey-Jones", "initial"),
        ("Tom Gessey-Jones", "Thomas Gessey-Jones", "nickname"),
        ("Thomas Gessey Jones", "Thomas Gessey-Jones", "hyphenation"),
        ("William J. Handley", "Will Handley", "nickname"),
        ("W. J. Handley", "Will Handley", "initial"),
        ("Pat Lau", "Patrick Lau", "nickname"),
        ("Penny Lau", "Penelope Lau", None),
    ],
)
def test_names_that_match(members, written, member, reason):
    match = match_author(written, members)
    if reason is None:  # "Penny" is neither an initial nor a listed nickname of Penelope
        assert match.member is None
        return
    assert match.member is not None and match.member.name == member, match.reason
    assert reason in match.reason
    assert 0.7 <= match.confidence <= 1.0


@pytest.mark.parametrize(
    "written",
    [
        "John Lovell",  # surname alone, first names contradict
        "Thomas Jones",  # not Gessey-Jones
        "Eloy Acedo Smith",
        "Walter Handley",
        "Dorothy Kovács",
    ],
)
def test_contradicting_first_names_never_match(members, written):
    match = match_author(written, members)
    assert match.member is None
    assert match.confidence < 0.7


def test_ambiguous_initial_reports_both_candidates(members):
    match = match_author("P. Lau", members)
    assert match.member is None and match.ambiguous
    assert set(match.candidates) == {"Patrick Lau", "Penelope Lau"}
    assert "ambiguous" in match.reason


def test_surname_only_is_a_suggestion_not_a_match(members):
    single = match_author("Lovell", members)
    assert single.member is None and single.candidates == ["Chris Lovell"] and single.confidence < 0.7
    both = match_author("Lau", members)
    assert both.ambiguous


def test_middle_initials_that_disagree_rule_out(members):
    extra = members_from_mapping({"Anna B. Smith": {}, "Anna C. Smith": {}})
    assert match_author("A. C. Smith", extra).member.name == "Anna C. Smith"
    assert match_author("Anna B. Smith", extra).member.name == "Anna B. Smith"
    assert match_author("A. Smith", extra).ambiguous


def test_exact_name_beats_an_initial_match():
    pool = members_from_mapping({"Liam L.H. Lau": {}, "Patrick Lau": {}})
    assert match_author("Liam Lau", pool).member.name == "Liam L.H. Lau"
    assert match_author("L. Lau", pool).member.name == "Liam L.H. Lau"
    assert match_author("P. Lau", pool).member.name == "Patrick Lau"


def test_name_similarity_none_for_strangers():
    assert name_similarity("Ada Lovelace", "Charles Babbage") is None


def _paper(names, **kwargs):
    return Paper(arxiv_id="2611.00001", metadata={"authors": [{"name": n} for n in names]}, origin="t", **kwargs)


def test_paper_authors_match_against_members_and_build_the_info_block():
    group = yaml.safe_load(GROUP_YAML)
    paper = _paper(["Ada Nobody", "Christopher C. Lovell", "W. Handley", "Eloy de Lera Acedo"], members=group)
    matches = paper.authors
    assert [m.display_name for m in matches] == ["Ada Nobody", "Chris Lovell", "Will Handley", "Eloy de Lera Acedo"]
    block = author_info_block(matches)
    assert list(block) == ["Ada Nobody", "Chris Lovell", "Will Handley", "Eloy de Lera Acedo"]
    assert block["Ada Nobody"] == {}
    # file order kept, image normalised in place; appended when the member has none (as the site does)
    assert list(block["Chris Lovell"]) == ["postdoc", "original_image", "image", "links"]
    assert block["Chris Lovell"]["image"] == "/assets/group/images/chris_lovell.jpg"
    assert block["Chris Lovell"]["original_image"] == "images/originals/chris_lovell.jpeg"
    assert list(block["Eloy de Lera Acedo"]) == ["coi", "image"]
    assert block["Eloy de Lera Acedo"]["image"] == "/assets/images/user.png"
    assert matches[1].links["Webpage"] == "https://lovell.example.org"
    assert matches[1].image == "/assets/group/images/chris_lovell.jpg"


def test_paper_author_info_keys_are_member_names_aligned_by_position():
    info = {
        "Ada Nobody": {},
        "Chris Lovell": {"image": "/assets/group/images/chris_lovell.jpg", "links": {"Webpage": "https://l.org"}},
        "Will Handley": {"image": "/assets/group/images/will.jpg"},
    }
    paper = _paper(["Ada Nobody", "Christopher C. Lovell", "William Handley"], author_info=info)
    matches = match_paper_authors(paper)
    assert [(m.name, m.member.name if m.member else None) for m in matches] == [
        ("Ada Nobody", None), ("Christopher C. Lovell", "Chris Lovell"), ("William Handley", "Will Handley")]
    assert all(m.confidence == 1.0 for m in matches if m.member)
    assert author_info_block(matches) == info  # already-normalised images stay as they are


def test_author_info_member_whose_name_disagrees_is_reported_not_trusted():
    info = {"Ada Nobody": {}, "Patrick Lau": {"image": "/assets/images/user.png"}}
    matches = match_paper_authors(_paper(["Ada Nobody", "Patrick Stoker"], author_info=info))
    assert matches[1].member is None and matches[1].candidates == ["Patrick Lau"]
    assert "disagree" in matches[1].reason


def test_paper_without_members_file_matches_nobody():
    matches = match_paper_authors(_paper(["Ada Nobody"]))
    assert matches[0].member is None and "no group members file" in matches[0].reason


@pytest.mark.parametrize(
    "text,problem",
    [
        ("- just\n- a list\n", "must be a mapping of member name"),
        ("Someone: 3\n", "member 'Someone' must be a mapping"),
        ("Someone:\n  links: [a, b]\n", "'links' must be a mapping"),
        ("Someone:\n  image: [a]\n", "'image' must be a path or URL"),
        ("Someone: {\n", "malformed YAML"),
        ("Someone: !!python/object/apply:os.system [ls]\n", "unsupported YAML"),
    ],
)
def test_bad_members_files_give_group_errors_naming_the_file(tmp_path, text, problem):
    path = tmp_path / "group.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GroupError) as info:
        load_members(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_markdown_display(members):
    matches = [match_author("C. C. Lovell", members), match_author("P. Lau", members), AuthorMatch(name="A | B")]
    from posttui.authors import AuthorMatchList

    md = AuthorMatchList(matches)._repr_markdown_()
    assert "| C. C. Lovell | ![](/assets/group/images/chris_lovell.jpg) Chris Lovell | 0.75 |" in md
    assert "[Webpage](https://lovell.example.org)" in md
    assert "ambiguous: Patrick Lau / Penelope Lau" in md
    assert "A \\| B" in md
    assert matches[0]._repr_markdown_().count("\n") == 3


@pytest.mark.corpus
def test_today_group_file_loads_and_matches_non_ascii_keys(corpus_site):
    members = load_members(corpus_site / "assets/group/group.yaml")
    assert len(members) > 50
    accented = [name for name in members if not name.isascii()]
    assert accented
    for name in accented:
        from posttui.latex_text import fold

        assert match_author(fold(name).title(), members).member.name == name


def test_link_rank_is_the_plain_ranking_for_every_label_and_link():
    """``link_rank`` is memoised and skips the label words when there is no label: the same ranks as the plain
    definition, for every label word of every rank (and none, and decoys) with every kind of link."""
    import itertools
    import re

    from posttui.authors import _LINK_RANKS, _UNKNOWN_RANK
    from posttui.latex_text import fold

    def plain(label: str, url: str) -> tuple[int, str]:
        low_url = url.lower()
        host = re.sub(r"^[a-z]+://", "", low_url).split("/", 1)[0]
        for rank, kind, fragments, _ in _LINK_RANKS:
            for fragment in fragments:
                if "/" in fragment and fragment in low_url:
                    return rank, kind
                if "/" not in fragment and (host == fragment or host.endswith("." + fragment) or
                                            (fragment == "mastodon" and "mastodon" in host)):
                    return rank, kind
        words = fold(label)
        for rank, kind, _, labels in _LINK_RANKS:
            if any(re.search(rf"\b{re.escape(w)}\b", words) for w in labels):
                return rank, kind
        if re.search(r"\.(?:edu|ac\.[a-z]{2}|edu\.[a-z]{2})$", host):
            return 5, "department"
        return _UNKNOWN_RANK, "other"

    labels = ["", " ", "\u0301", "My Webpage", "GITHUB", "webby", "Département", "ORCID iD"]
    labels += [word for *_, words in _LINK_RANKS for word in words]
    urls = ["https://example.org/x", "https://www.phy.cam.ac.uk/people", "https://mit.edu/~a", "http://x.com/a",
            "https://orcid.org/0000", "https://arxiv.org/a/x_1", "https://gitlab.com/a", "https://mastodon.social/@a"]
    urls += [f"https://{fragment}/p" for *_, fragments, _ in _LINK_RANKS for fragment in fragments]
    for label, url in itertools.product(labels, urls):
        assert link_rank(label, url) == plain(label, url), (label, url)
