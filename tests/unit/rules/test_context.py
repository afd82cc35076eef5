"""CheckContext: name/URL normalisation, and from_paper end to end on a small hand-made paper."""

from posttui.paper import Paper
from posttui.rules import CheckContext, check, fix
from posttui.authors import preferred_url as preferred_link
from posttui.rules.context import CitedWork, cited_work_of, normalize_url

META = {
    "id": "http://arxiv.org/abs/2401.01234v1",
    "title": "A Test Paper",
    "published": "2024-01-02T10:00:00Z",
    "authors": [{"name": "Ada Lovelace"}, {"name": "Charles Babbage"}],
    "summary": "We test engines.",
}
BBL = r"""\begin{thebibliography}{2}
\bibitem[Smith et~al.(2020)Smith, Jones, and Doe]{smith2020}
Smith A., Jones B., Doe C., 2020, \doi{10.1000/xyz(2020)01}
\bibitem[Jones(2019)]{jones2019}
Jones B., 2019, arXiv:1901.00001
\end{thebibliography}"""
MEMBERS = {
    "Ada Lovelace": {
        "links": {"linkedin": "https://www.linkedin.com/in/ada", "Webpage": "https://ada.example.org"},
        "image": "/assets/group/images/ada.jpg",
    }
}


def make_paper() -> Paper:
    return Paper(
        arxiv_id="2401.01234",
        metadata=META,
        bbl=BBL,
        homepage="Home of [sampling](https://arxiv.org/abs/1506.00171) at https://group.example.ac.uk/",
        members=MEMBERS,
    )


def test_from_paper_gathers_template_identifiers_authors_and_references():
    ctx = CheckContext.from_paper(make_paper())
    assert ctx.featured_id == "2401.01234"
    assert ctx.template.header_image == "![AI generated image](/assets/images/posts/2024-01-02-2401.01234.png)"
    assert "Ada Lovelace" in ctx.template.footer
    assert "10.1000/xyz(2020)01" in ctx.known_dois
    assert {"1901.00001", "1506.00171", "2401.01234"} <= ctx.known_arxiv
    assert "group.example.ac.uk" in ctx.allowed_hosts
    assert ctx.lead_author == "Ada Lovelace"
    assert ctx.author_preferred["Ada Lovelace"] == "https://ada.example.org"
    assert ctx.author_links["Charles Babbage"] == ()
    assert ctx.references["smith2020"].doi == "10.1000/xyz(2020)01"
    assert ctx.references["jones2019"].arxiv == "1901.00001"


def test_from_paper_end_to_end_check_and_fix():
    ctx = CheckContext.from_paper(make_paper())
    narrative = (
        "Our paper [2401.01234](https://arxiv.org/abs/2401.01234) by [Ada Lovelace](https://ada.example.org) "
        "extends \\citet{smith2020} and \\citep{jones2019}, with [Charles Babbage](https://ada.example.org).\n"
    )
    text = ctx.template.render(narrative)
    rules = {f.rule for f in check(text, ctx)}
    assert {"PT020", "PT040", "PT030"} <= rules
    fixed = fix(text, ctx)
    assert "Smith et al. ([10.1000/xyz(2020)01](https://doi.org/10.1000/xyz(2020)01))" in fixed.text
    assert "([1901.00001](https://arxiv.org/abs/1901.00001))" in fixed.text
    assert "with Charles Babbage." in fixed.text


def test_from_paper_on_a_saved_prompt_round_trip(tmp_path):
    from posttui.sources import load
    from posttui.prompt import saved_prompt_text

    path = tmp_path / "2024-01-02-2401.01234.txt"
    path.write_text(saved_prompt_text(make_paper()), encoding="utf-8")
    ctx = CheckContext.from_paper(load(path))
    assert ctx.featured_id == "2401.01234" and "smith2020" in ctx.references
    assert ctx.author_links["Ada Lovelace"]


def test_normalisation_helpers():
    assert normalize_url("http://www.Example.org/a/") == normalize_url("https://example.org/a")
    assert preferred_link(["https://twitter.com/x", "https://github.com/x", "https://x.ac.uk"]) == "https://x.ac.uk"
    assert preferred_link(["https://twitter.com/x", "https://github.com/x"]) == "https://github.com/x"

    class Ref:
        key = "k"
        doi = "https://doi.org/10.1093/MNRAS/STAA1"
        arxiv = "2101.00001v2"
        authors = ["A. One", "B. Two"]
        year = "2021"

    work = cited_work_of(Ref())
    assert work == CitedWork("k", doi="10.1093/MNRAS/STAA1", arxiv="2101.00001", authors_text="One and Two", year="2021")


def test_from_paper_survives_a_broken_bibliography(monkeypatch):
    from posttui.errors import BibliographyError

    paper = make_paper()
    monkeypatch.setattr(type(paper), "references", property(lambda self: (_ for _ in ()).throw(
        BibliographyError("cannot parse", path="x.bbl"))))
    ctx = CheckContext.from_paper(paper)
    assert ctx.references == {} and ctx.template is not None
    assert any("references unavailable" in note and "x.bbl" in note for note in ctx.notes)
    assert "10.1000/xyz(2020)01" in ctx.known_dois  # still found in the raw .bbl text


def test_references_are_adapted_only_when_a_rule_looks_one_up():
    paper = make_paper()
    ctx = CheckContext.from_paper(paper)
    smith, jones = paper.references
    assert "_pending" in vars(smith) and "_pending" in vars(jones)  # the context read keys and identifiers only
    assert "smith2020" in ctx.references and "nobody" not in ctx.references
    assert sorted(ctx.references) == ["jones2019", "smith2020"] and len(ctx.references) == 2
    assert "_pending" in vars(smith)
    assert ctx.references["smith2020"].authors_text == "Smith et al." and ctx.references["smith2020"].year == "2020"
    assert "_pending" not in vars(smith) and "_pending" in vars(jones)
    assert ctx.references.get("nobody") is None
    assert dict(ctx.references) == {ref.key: cited_work_of(ref) for ref in paper.references}


def test_one_preferred_link_for_the_checker_the_writer_and_the_authors_pane():
    """Labels count in the ranking ("Webpage" beats an unlabelled URL): every consumer uses the same choice."""
    from pathlib import Path

    from posttui.llm.offline import group_members
    from posttui.sources import load

    paper = load(Path(__file__).resolve().parents[3] / "examples" / "synthetic-paper")
    ctx = CheckContext.from_paper(paper)
    members = [m for m in paper.authors if m.member]
    assert members
    writer = dict(group_members(paper))
    for match in members:
        assert ctx.author_preferred.get(match.name) == match.preferred_url == match.member.preferred_link[1]
        assert writer[match.name] == match.preferred_url


def test_counting_identifiable_references_reads_no_entry_text():
    paper = make_paper()
    ctx = CheckContext.from_paper(paper)
    assert ctx.identifiable_references() == 2
    assert all("_pending" in vars(ref) for ref in paper.references)
    plain = CheckContext(references={k: ctx.references[k] for k in ctx.references}, featured_id="2401.01234")
    assert plain.identifiable_references() == 2
