"""Reference resolution against fake Semantic Scholar / INSPIRE / Crossref servers that answer like the real ones."""

from __future__ import annotations

import json

import pytest

from fixture_papers import generate_paper
from posttui.config import load_config
from posttui.llm.offline import OFFLINE_MODEL, OfflineWriter
from posttui.sources import load
from posttui.prompt import build_prompt
from posttui.resolve import NOT_LOOKED_UP, resolve_paper
from posttui.resolve.match import Candidate, entry_key, journals_agree, strong_match
from posttui.references import parse_bbl
from posttui.rules import CheckContext, Severity, check
from scholarly_server import FakeScholar, crossref_work, inspire_reference, s2_paper

FEATURED = "2503.04567"

# The fixture paper's bibliography with every identifier removed (MNRAS style: no titles).
BARE_BBL = r"""\begin{thebibliography}{}
\bibitem[\protect\citeauthoryear{Birrer \& Amara}{2018}]{birrer2018}
Birrer S., Amara A., 2018, Phys. Dark Universe, 22, 189

\bibitem[\protect\citeauthoryear{{Hezaveh}, {Perreault Levasseur} \& {Marshall}}{2017}]{hezaveh2017}
Hezaveh Y. D., Perreault Levasseur L., Marshall P. J., 2017, Nature, 548, 555

\bibitem[\protect\citeauthoryear{Oguri \& Marshall}{2010}]{oguri2010}
Oguri M., Marshall P. J., 2010, \mnras, 405, 2579

\bibitem[\protect\citeauthoryear{{Perreault Levasseur}, {Hezaveh} \& {Wechsler}}{2017}]{perreault2017}
Perreault Levasseur L., Hezaveh Y. D., Wechsler R. H., 2017, preprint

\bibitem[\protect\citeauthoryear{Refsdal}{1964}]{refsdal1964}
Refsdal S., 1964, MNRAS, 128, 307

\bibitem[\protect\citeauthoryear{Treu}{2010}]{treu2010}
Treu T., 2010, ARA\&A, 48, 87
\end{thebibliography}
"""


def populate(fake: FakeScholar) -> None:
    fake.s2[FEATURED] = [
        s2_paper("Lenstronomy: multi-purpose gravitational lens modelling software package", 2018,
                 ["Simon Birrer", "Adam Amara"], doi="10.1016/j.dark.2018.11.002", arxiv="1803.09746",
                 venue="Physics of the Dark Universe"),
        s2_paper("Fast automated analysis of strong gravitational lenses with convolutional neural networks", 2017,
                 ["Yashar D. Hezaveh", "L. Perreault Levasseur", "P. Marshall"], doi="10.1038/nature23463",
                 venue="Nature"),
        s2_paper("Gravitationally lensed quasars and supernovae in future wide-field optical imaging surveys", 2010,
                 ["M. Oguri", "P. Marshall"], doi="10.1111/j.1365-2966.2010.16639.x",
                 venue="Monthly Notices of the Royal Astronomical Society"),
        # Same first author and year as perreault2017, but the entry names no venue that fits: never attached.
        s2_paper("Uncertainties in parameters estimated with neural networks", 2017,
                 ["Laurence Perreault Levasseur", "Y. Hezaveh", "R. Wechsler"], arxiv="1708.08843",
                 venue="The Astrophysical Journal"),
        s2_paper("An unrelated work without identifiers", 2001, ["Nobody Known"]),
    ]
    fake.inspire[FEATURED] = [
        inspire_reference(authors=["Treu, Tommaso"], doi="10.1146/annurev-astro-081309-130924",
                          journal="Ann.Rev.Astron.Astrophys.", volume="48", page="87", year=2010),
    ]
    fake.crossref.append(crossref_work(
        "10.1093/mnras/128.4.307", "On the possibility of determining Hubble's parameter and the masses of "
        "galaxies from the gravitational lens effect", [("S.", "Refsdal")], 1964,
        journal="Monthly Notices of the Royal Astronomical Society", volume="128", page="307-316"))


@pytest.fixture
def fake(monkeypatch):
    with FakeScholar() as server:
        populate(server)
        for name, value in server.environ().items():
            monkeypatch.setenv(name, value)
        yield server


def bare_paper():
    return generate_paper(bbl=BARE_BBL)


def test_bibliography_without_identifiers_gets_them_and_an_offline_draft_passes(fake):
    paper = bare_paper()
    assert not any(r.has_identifier for r in paper.references)
    resolution = resolve_paper(paper, network=True)
    refs = paper.references.by_key()
    assert (refs["birrer2018"].doi, refs["birrer2018"].identifier_origin) == ("10.1016/j.dark.2018.11.002",
                                                                             "Semantic Scholar")
    assert refs["birrer2018"].arxiv == "1803.09746"
    assert refs["hezaveh2017"].doi == "10.1038/nature23463"
    assert refs["oguri2010"].doi == "10.1111/j.1365-2966.2010.16639.x"  # journal from the \mnras macro
    assert (refs["treu2010"].doi, refs["treu2010"].doi_origin) == ("10.1146/annurev-astro-081309-130924", "INSPIRE")
    assert (refs["refsdal1964"].doi, refs["refsdal1964"].doi_origin) == ("10.1093/mnras/128.4.307", "Crossref")
    # The weak candidate (same author and year, venue does not fit "preprint") is reported, not attached.
    assert not refs["perreault2017"].has_identifier
    assert "Semantic Scholar" in refs["perreault2017"].unresolved
    assert resolution.attached == {"Semantic Scholar": 3, "INSPIRE": 1, "Crossref": 1}

    post = OfflineWriter(paper).post()
    findings = check(post, CheckContext.from_paper(paper, model=OFFLINE_MODEL))
    assert [(f.rule, f.message) for f in findings if f.severity == Severity.ERROR] == []
    assert "[10.1038/nature23463](https://doi.org/10.1038/nature23463)" in post


def test_answers_are_cached_and_reused_offline(fake, monkeypatch):
    resolve_paper(bare_paper(), network=True)
    asked = len(fake.requests)
    fake.stop()
    paper = bare_paper()  # a fresh paper: Paper.references applies the cache by itself, without the network
    refs = paper.references.by_key()
    assert refs["hezaveh2017"].doi == "10.1038/nature23463"
    assert refs["refsdal1964"].doi_origin == "Crossref"
    assert refs["perreault2017"].unresolved
    assert len(fake.requests) == asked


def test_default_is_cache_only_and_never_asks(fake):
    paper = bare_paper()
    refs = paper.references
    assert all(r.unresolved == NOT_LOOKED_UP for r in refs)
    resolve_paper(paper)  # config default "cache": no network
    assert fake.requests == []
    assert load_config().resolve_references == "cache"


def test_offline_the_paper_still_opens_and_says_why(monkeypatch):
    with FakeScholar() as gone:
        environ = gone.environ()
    for name, value in environ.items():  # a port nobody listens on any more
        monkeypatch.setenv(name, value)
    paper = bare_paper()
    resolve_paper(paper, network=True)
    reasons = {r.key: r.unresolved for r in paper.references}
    assert all("unreachable" in why for why in reasons.values()), reasons
    assert any("Semantic Scholar unreachable" in w for w in paper.warnings)
    assert OfflineWriter(paper).post()  # the paper still works


def test_api_key_is_sent_as_header_and_never_cached(fake, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", "s2-test-key-123")
    resolve_paper(bare_paper(), network=True)
    s2 = [headers for path, headers in fake.requests if path.startswith("/graph/v1/")]
    assert s2 and {k.lower(): v for k, v in s2[0].items()}["x-api-key"] == "s2-test-key-123"
    cached = "".join(p.read_text() for p in (load_config().cache_path() / "resolve").rglob("*.json"))
    assert "s2-test-key-123" not in cached
    path = next(p for p, _ in fake.requests if p.startswith("/graph/v1/"))
    assert path == (f"/graph/v1/paper/arXiv:{FEATURED}/references?fields=title%2Cyear%2Cauthors%2CexternalIds"
                    "%2Cvenue&limit=1000")


def test_seed_without_bibliography_takes_the_featured_papers_list(fake, seed_prompt):
    fake.s2["2511.10640"] = [
        s2_paper("Nested sampling for physical scientists", 2022, ["Greg Ashton", "Noam Bernstein"],
                 doi="10.1038/s43586-022-00121-x", arxiv="2205.15570", venue="Nature Reviews Methods Primers"),
        s2_paper("PolyChord: next-generation nested sampling", 2015, ["Will Handley", "Mike Hobson"],
                 doi="10.1093/mnras/stv1911", arxiv="1506.00171", venue="MNRAS"),
        s2_paper("Nested sampling for general Bayesian computation", 2006, ["John Skilling"],
                 doi="10.1214/06-BA127", venue="Bayesian Analysis"),
        s2_paper("A talk without identifiers", 2024, ["Some Speaker"]),
    ]
    paper = load(seed_prompt)
    assert len(paper.references) == 0
    site_before = build_prompt(paper, "site")
    resolve_paper(paper, network=True)
    refs = paper.references
    assert refs.bibliography_origin == "Semantic Scholar"
    assert [r.identifier for r in refs] == ["10.1038/s43586-022-00121-x", "10.1093/mnras/stv1911",
                                            "10.1214/06-BA127", ""]
    assert refs[3].unresolved == "Semantic Scholar lists it without a DOI or arXiv id"
    lean = build_prompt(paper, "lean")
    assert "reference list from Semantic Scholar" in lean
    assert "arXiv:1506.00171 (Semantic Scholar)" in lean  # the lean table prefers the arXiv id
    assert "doi:10.1214/06-BA127 (Semantic Scholar)" in lean
    # The site prompt is unchanged unless asked; --resolve adds the block after the bibliography.
    assert build_prompt(paper, "site") == site_before
    resolved = build_prompt(paper, "site", resolved=True)
    head, tail = resolved.split("4a. **Resolved References:**\n", 1)
    assert head.endswith("```bbl\n\n```\n\n")
    assert tail.split("```\n\n5. **Author Information:**")[0].count("(Semantic Scholar)") == 3

    post = OfflineWriter(paper).post()
    findings = check(post, CheckContext.from_paper(paper, model=OFFLINE_MODEL))
    assert [(f.rule, f.message) for f in findings if f.severity == Severity.ERROR] == []


def test_site_prompt_with_nothing_resolved_stays_byte_identical():
    paper = generate_paper()
    assert build_prompt(paper, "site", resolved=True) == build_prompt(paper, "site")


# ----- matching rules -----------------------------------------------------------------------------------------
def one(bbl_entry: str):
    return parse_bbl("\\begin{thebibliography}{}\n" + bbl_entry + "\n\\end{thebibliography}")[0]


def test_title_match_needs_title_year_and_first_author():
    ref = one(r"\bibitem[Skilling(2006)]{sk} John Skilling. \newblock Nested sampling for general Bayesian "
              r"computation. \newblock \emph{Bayesian Analysis}, 1 (4): 833--859, 2006.")
    key = entry_key(ref)
    good = Candidate("Crossref", title="Nested Sampling for General Bayesian Computation", year="2006",
                     authors=["John Skilling"], doi="10.1214/06-BA127")
    assert strong_match(key, good) == "title"
    assert not strong_match(key, Candidate("Crossref", title=good.title, year="2012", authors=["John Skilling"]))
    assert not strong_match(key, Candidate("Crossref", title=good.title, year="2006", authors=["Jane Doe"]))
    assert not strong_match(key, Candidate("Crossref", title="Nested sampling", year="2006",
                                           authors=["John Skilling"]))


def test_no_title_needs_volume_and_page():
    ref = one(r"\bibitem[\protect\citeauthoryear{Refsdal}{1964}]{r} Refsdal S., 1964, MNRAS, 128, 307")
    key = entry_key(ref)
    assert (key.volume, key.page) == ("128", "307")
    base = dict(authors=["Refsdal, S."], year="1964", doi="10.1093/mnras/128.4.307")
    assert strong_match(key, Candidate("INSPIRE", volume="128", page="307", **base)) == "volume/page"
    assert not strong_match(key, Candidate("INSPIRE", volume="128", page="308", **base))
    assert not strong_match(key, Candidate("INSPIRE", **base))  # no volume/page: not strong


def test_journal_abbreviations():
    assert journals_agree("MNRAS", "Monthly Notices of the Royal Astronomical Society")
    assert journals_agree("Phys. Rev. D", "Physical Review D")
    assert journals_agree("ApJ", "The Astrophysical Journal")
    assert journals_agree("ARA&A", "Annual Review of Astronomy and Astrophysics")
    assert not journals_agree("ApJ", "Astronomy and Astrophysics")
    assert not journals_agree("preprint", "The Astrophysical Journal")
    assert not journals_agree("", "Nature")


def test_two_works_by_the_same_author_in_the_same_year_are_not_guessed(fake):
    fake.s2[FEATURED].append(s2_paper("Another Nature paper", 2017, ["Y. Hezaveh", "L. Perreault Levasseur"],
                                      doi="10.1038/other", venue="Nature"))
    paper = bare_paper()
    resolve_paper(paper, network=True)
    hez = paper.references.by_key()["hezaveh2017"]
    assert not hez.has_identifier
    assert "2 works by hezaveh in 2017" in hez.unresolved


def test_cache_file_holds_the_answer_keyed_by_url(fake):
    resolve_paper(bare_paper(), network=True)
    files = list((load_config().cache_path() / "resolve" / "semantic_scholar").glob("*.json"))
    assert len(files) == 1
    record = json.loads(files[0].read_text())
    assert record["status"] == 200 and record["url"].endswith("limit=1000")


# ----- check --online, PT030's advice, the CLI ----------------------------------------------------------------
@pytest.fixture
def arxiv(monkeypatch):
    from arxiv_server import FakeArxiv

    with FakeArxiv() as server:
        server.add("1901.00001", b"%PDF-1.4 fake")
        monkeypatch.setenv("POSTTUI_ARXIV_API_URL", server.api_url)
        yield server


def site_with_post(tmp_path, narrative: str):
    from posttui.paper import Paper
    from posttui.prompt import output_template, saved_prompt_text

    meta = {"id": "http://arxiv.org/abs/2401.01234v1", "title": "A Test Paper", "published": "2024-01-02T10:00:00Z",
            "authors": [{"name": "Ada Lovelace"}], "summary": "We test engines."}
    bbl = (r"\begin{thebibliography}{3}" "\n"
           r"\bibitem[Smith(2020)]{smith2020} Smith A., 2020, \doi{10.1000/abc.123}" "\n"
           r"\bibitem[Jones(2019)]{jones2019} Jones B., 2019, arXiv:1901.00001" "\n"
           r"\bibitem[Brown(2021)]{brown2021} Brown C., 2021, arXiv:2103.12345" "\n"
           r"\bibitem[Gray(2018)]{gray2018} Gray D., 2018, \doi{10.1000/invented.9}" "\n"
           r"\end{thebibliography}")
    paper = Paper(arxiv_id="2401.01234", metadata=meta, bbl=bbl, homepage="Home page.")
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: test\n")
    (root / "prompts" / "content").mkdir(parents=True)
    name = "2024-01-02-2401.01234"
    (root / "prompts" / "content" / f"{name}.txt").write_text(saved_prompt_text(paper), encoding="utf-8")
    post = root / "_posts" / f"{name}.md"
    post.write_text(output_template(paper).fill(narrative), encoding="utf-8")
    return post


ONLINE_NARRATIVE = (
    "Our paper [2401.01234](https://arxiv.org/abs/2401.01234) by Ada Lovelace builds on "
    "[10.1000/abc.123](https://doi.org/10.1000/abc.123), [1901.00001](https://arxiv.org/abs/1901.00001), "
    "[2103.12345](https://arxiv.org/abs/2103.12345) and [10.1000/invented.9](https://doi.org/10.1000/invented.9)."
    "\n\n## Details\n\n" + "The engine computes numbers quickly and explains each step with care. " * 30 + "\n"
)


def test_check_online_flags_a_nonexistent_arxiv_id_and_doi(fake, arxiv, tmp_path, capsys):
    from posttui.cli import main

    fake.dois.add("10.1000/abc.123")
    post = site_with_post(tmp_path, ONLINE_NARRATIVE)
    assert main(["check", str(post), "--select", "PT033"]) == 0  # off by default: nothing asked
    assert fake.requests == [] and arxiv.requests == []
    capsys.readouterr()
    assert main(["check", str(post), "--select", "PT033", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["check", str(post), "--online", "--select", "PT033", "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["message"].split(" does not exist")[0] for r in rows) == ["DOI 10.1000/invented.9",
                                                                             "arXiv id 2103.12345"]
    assert {r["rule"] for r in rows} == {"PT033"}
    # The featured paper is not asked; each identifier once; a second run answers from the cache.
    asked = [p for p, _ in fake.requests] + arxiv.requests
    assert not any("2401.01234" in p for p in asked)
    assert len(asked) == 4
    assert main(["check", str(post), "--online", "--select", "PT033"]) == 1
    assert len([p for p, _ in fake.requests] + arxiv.requests) == 4


def test_check_online_offline_reports_unverified_without_findings(tmp_path, capsys, monkeypatch):
    with FakeScholar() as gone:
        monkeypatch.setenv("POSTTUI_DOI_API_URL", gone.environ()["POSTTUI_DOI_API_URL"])
        monkeypatch.setenv("POSTTUI_ARXIV_API_URL", f"{gone.base}/api/query")
    monkeypatch.setenv("POSTTUI_API_PACE", "0")
    post = site_with_post(tmp_path, ONLINE_NARRATIVE)
    assert main_check([str(post), "--online", "--select", "PT033"]) == 0
    err = capsys.readouterr().err
    assert "could not verify doi:10.1000/abc.123: doi.org unreachable" in err


def main_check(args):
    from posttui.cli import main

    return main(["check", *args])


def test_pt030_says_when_the_paper_has_too_few_identifiable_references():
    paper = bare_paper()
    post = OfflineWriter(paper).post()
    found = [f for f in check(post, CheckContext.from_paper(paper, model=OFFLINE_MODEL)) if f.rule == "PT030"]
    assert len(found) == 1
    assert "the paper has only 0 bibliography entries with a DOI or arXiv id" in found[0].message
    assert "min_references" in found[0].message and "--resolve" in found[0].message


def test_cli_prompt_and_info_resolve(fake, tmp_path, capsys):
    from posttui.cli import main
    from posttui.prompt import saved_prompt_text

    saved = tmp_path / "bare.txt"

    saved.write_text(saved_prompt_text(bare_paper()), encoding="utf-8")
    assert main(["prompt", str(saved)]) == 0
    plain = capsys.readouterr().out
    assert "Resolved References" not in plain and fake.requests == []
    assert main(["prompt", str(saved), "--resolve"]) == 0
    out, err = capsys.readouterr()
    assert "4a. **Resolved References:**" in out and "doi:10.1038/nature23463 (Semantic Scholar)" in out
    assert "references: 3 from Semantic Scholar, 1 from INSPIRE, 1 from Crossref; 1 of 6 entries without" in err
    assert main(["info", str(saved), "--no-prompt"]) == 0  # the cache answers now, offline
    out = capsys.readouterr().out
    assert "identifiers" in out and "from Semantic Scholar" in out and "from Crossref" in out
    assert "unresolved:" in out and "perreault2017" in out


def test_a_rate_limiting_service_is_not_hammered(fake):
    fake.failing["/crossref/"] = 429
    paper = bare_paper()
    resolve_paper(paper, network=True)
    assert len([p for p in fake.paths() if p.startswith("/crossref/")]) == 1  # then the service is left alone
    refsdal = paper.references.by_key()["refsdal1964"]
    assert not refsdal.has_identifier and "rate-limiting" in refsdal.unresolved
    assert paper.references.by_key()["treu2010"].doi_origin == "INSPIRE"  # the other services still answered
    resolve_paper(bare_paper(), network=True)
    assert len([p for p in fake.paths() if p.startswith("/crossref/")]) == 2  # the failure was not cached


def test_bbl_entries_take_identifiers_from_the_bib_with_the_same_key():
    bib = "@article{treu2010, author={Treu, T.}, title={Strong Lensing by Galaxies}, year={2010}, " \
          "doi={10.1146/annurev-astro-081309-130924}}\n" \
          "@article{refsdal1964, author={Refsdal, S.}, year={1964}, eprint={astro-ph/0000001}}\n"
    paper = generate_paper(bbl=BARE_BBL, bib=bib)
    refs = paper.references.by_key()  # the default cache-only mode: no network, the source is enough
    assert (refs["treu2010"].doi, refs["treu2010"].identifier_origin) == ("10.1146/annurev-astro-081309-130924",
                                                                         "source")
    assert refs["refsdal1964"].arxiv == "astro-ph/0000001"
    assert refs["birrer2018"].unresolved == NOT_LOOKED_UP


def test_resolution_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("POSTTUI_RESOLVE", "off")
    paper = generate_paper(bbl=BARE_BBL, bib="@article{treu2010, doi={10.1146/x.y}}")
    assert all(not r.has_identifier and not r.unresolved for r in paper.references)
    monkeypatch.setenv("POSTTUI_RESOLVE", "sometimes")
    from posttui.errors import ConfigError

    with pytest.raises(ConfigError, match="resolve_references"):
        load_config()


def test_cache_only_skips_papers_never_looked_up(fake):
    resolve_paper(bare_paper(), network=True)  # the cache now exists, for this paper only
    asked = len(fake.requests)
    other = generate_paper(bbl=BARE_BBL, arxiv_id="2401.99999")
    assert all(r.unresolved == NOT_LOOKED_UP for r in other.references)
    assert len(fake.requests) == asked


def test_notebook_table_and_info_lines_show_origins(fake):
    from posttui.summary import paper_summary

    paper = bare_paper()
    resolve_paper(paper, network=True)
    table = paper.references._repr_markdown_()
    assert "| `refsdal1964` |" in table and "| Crossref |" in table
    assert "unresolved: Semantic Scholar: no record with an identifier matches" in table
    summary = paper_summary(paper, prompts=False)
    assert summary.origins == {"Semantic Scholar": 3, "INSPIRE": 1, "Crossref": 1}
    line = next(line for line in summary.reference_lines if line.key == "treu2010")
    assert (line.identifier, line.origin) == ("doi:10.1146/annurev-astro-081309-130924", "INSPIRE")


@pytest.mark.parametrize("prefix, body", [
    ("/graph/v1/", {"data": "not a list"}),
    ("/graph/v1/", {"data": [1, None, {"citedPaper": {"authors": "x", "externalIds": [], "title": 3}}]}),
    ("/inspire/", {"hits": []}),
    ("/inspire/", {"hits": {"hits": [{"metadata": {"references": [{"reference": {"dois": "10.1/x", "authors": 1,
                                                                              "publication_info": []}}]}}]}}),
    ("/crossref/", {"message": {"items": [1, "x", {"title": "not a list", "issued": {"date-parts": 5}}]}}),
    ("/crossref/", ["unexpected"]),
])
def test_malformed_answers_leave_entries_unresolved_without_crashing(fake, prefix, body):
    fake.answers[prefix] = body
    paper = bare_paper()
    resolve_paper(paper, network=True)
    for ref in paper.references:
        assert ref.has_identifier or ref.unresolved


def test_titles_agree_only_when_nearly_identical():
    from posttui.resolve.match import fold, titles_agree

    assert titles_agree(fold("Planck 2018 results. VI. Cosmological parameters"),
                        fold("Planck 2018 results: VI. Cosmological Parameters"))
    assert not titles_agree(fold("Planck 2018 results. VI. Cosmological parameters"),
                            fold("Planck 2018 results. X. Constraints on inflation"))
    assert not titles_agree(fold("Gaussian processes for machine learning"),
                            fold("Gaussian processes for machine learning in astronomy and cosmology surveys"))
    assert titles_agree(fold("PolyChord: next-generation nested sampling"),
                        fold("PolyChord: next generation nested sampling"))


def test_generate_resolve_sends_the_identifiers_and_saves_a_clean_post(fake, tmp_path, capsys):
    """`generate --resolve --save`: the saved prompt carries the resolved block, and the draft passes every error."""
    from posttui.cli import main
    from posttui.prompt import saved_prompt_text

    saved = tmp_path / "bare.txt"
    saved.write_text(saved_prompt_text(bare_paper()), encoding="utf-8")
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: t\n")
    assert main(["generate", str(saved), "--site", str(site), "--save", "--resolve"]) == 0
    err = capsys.readouterr().err
    assert "check: 0 errors" in err
    prompt = next((site / "prompts" / "content").glob("*.txt")).read_text(encoding="utf-8")
    assert "4a. **Resolved References:**" in prompt
    assert "[10.1038/nature23463](https://doi.org/10.1038/nature23463)" in next((site / "_posts").glob("*.md")).read_text()
