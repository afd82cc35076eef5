"""The lazy context of ``check`` (``CheckContext.from_paper(lazy=True)``): the same answers as the eager one, with
sources read only as far as the questions go.

Every corpus post is checked and fixed with both contexts; every identifier a source gives passes the quick test
that lets a source go unread; and hand-made papers show what is read, and when.
"""

from __future__ import annotations

import itertools
import random
import threading

import pytest

from posttui.config import Config
from posttui.paper import Paper, TexFile
from posttui.rules import CheckContext, check, fix
from posttui.rules import context as C

from .test_context import BBL, MEMBERS, META

CONFIG = Config()


def paper(**overrides) -> Paper:
    values = dict(arxiv_id="2401.01234", metadata=META, bbl=BBL, members=MEMBERS,
                  homepage="Home of [sampling](https://arxiv.org/abs/1506.00171) at https://group.example.ac.uk/",
                  tex_files=[])
    values.update(overrides)
    return Paper(**values)


def read_sources(ctx: CheckContext) -> tuple[set[int], set[int]]:
    """Which sources (by index) a lazy context has read, for identifiers and for hosts."""
    facts = ctx.known_dois._facts
    return set(facts._read[0]), set(facts._read[1])


SOURCES = ["given", "homepage", "bbl", "metadata", "entries", "bib", "tex"]


def names(indexes: set[int]) -> set[str]:
    return {SOURCES[i] for i in indexes}


# ----- the same answers -----------------------------------------------------------------------------------------
def test_every_corpus_post_is_checked_and_fixed_alike_with_both_contexts(corpus_site):
    from posttui.sources import load

    posts = sorted(p for p in (corpus_site / "_posts").glob("*.md")
                   if (corpus_site / "prompts" / "content" / f"{p.stem}.txt").is_file())
    assert len(posts) >= 50
    for post in posts:
        source = str(corpus_site / "prompts" / "content" / f"{post.stem}.txt")
        text = post.read_text(encoding="utf-8")
        C.clear_source_caches()
        lazy = CheckContext.from_paper(load(source, site=corpus_site, check_dump_form=False, feedparser_dicts=False),
                                       config=CONFIG, lazy=True)
        eager = CheckContext.from_paper(load(source, site=corpus_site, check_dump_form=False,
                                             feedparser_dicts=False), config=CONFIG)
        assert check(text, lazy) == check(text, eager), post.name
        assert fix(text, lazy).text == fix(text, eager).text, post.name
        # and every field, asked in full afterwards
        for name in C._FACT_FIELDS:
            assert set(getattr(lazy, name)) == set(getattr(eager, name)), (post.name, name)
        assert lazy.identifiable_references() == eager.identifiable_references(), post.name
        assert dict(lazy.references) == dict(eager.references), post.name


def test_a_lazy_context_answers_every_question_as_the_eager_one():
    """Identifiers of every source, near misses, and hosts and their domains, asked one by one of fresh contexts."""
    tex = ("\\section{Intro} See \\href{https://tex.example.org/a}{code} and arXiv:2202.00002v3, "
           "doi:10.2000/TeX.5 % https://commented.example.org\n")
    bib = "@article{b, doi = {10.3000/bib.7}, eprint = {2303.00003}, url = {https://bib.example.net/x}}"
    made = paper(tex_files=[TexFile("main.tex", tex)], bib=bib)
    questions = [
        ("known_dois", d) for d in ("10.1000/xyz(2020)01", "10.2000/tex.5", "10.3000/bib.7", "10.9999/none", "10.1000")
    ] + [
        ("known_arxiv", a) for a in ("1901.00001", "1506.00171", "2202.00002", "2303.00003", "2401.01234", "2999.99999")
    ] + [
        ("known_arxiv_versions", v) for v in ("2202.00002v3", "2202.00002v2", "1901.00001v1")
    ]
    hosts = ["group.example.ac.uk", "tex.example.org", "sub.tex.example.org", "bib.example.net", "ada.example.org",
             "linkedin.com", "commented.example.org", "example.org", "nowhere.invalid", "doi.org", "arxiv.org"]
    eager = CheckContext.from_paper(paper(tex_files=[TexFile("main.tex", tex)], bib=bib), config=CONFIG)
    for field, item in questions:
        C.clear_source_caches()
        lazy = CheckContext.from_paper(paper(tex_files=[TexFile("main.tex", tex)], bib=bib), config=CONFIG, lazy=True)
        assert (item in getattr(lazy, field)) == (item in getattr(eager, field)), (field, item)
    for host in hosts:
        lazy = CheckContext.from_paper(paper(tex_files=[TexFile("main.tex", tex)], bib=bib), config=CONFIG, lazy=True)
        assert lazy.is_allowed_host(host) == eager.is_allowed_host(host), host
    assert made.references  # (the paper itself parses)


def test_set_views_behave_as_frozensets():
    lazy = CheckContext.from_paper(paper(), config=CONFIG, lazy=True)
    eager = CheckContext.from_paper(paper(), config=CONFIG)
    assert lazy.known_arxiv == eager.known_arxiv and eager.known_arxiv == lazy.known_arxiv
    assert lazy.known_arxiv | {"x"} == eager.known_arxiv | {"x"} and isinstance(lazy.known_arxiv | {"x"}, frozenset)
    assert len(lazy.allowed_hosts) == len(eager.allowed_hosts) and bool(lazy.known_dois)
    assert sorted(lazy.allowed_urls) == sorted(eager.allowed_urls)
    assert lazy == eager  # a dataclass comparison reads them all


# ----- what is read, and when -----------------------------------------------------------------------------------
def test_nothing_is_read_until_asked_and_a_yes_stops_at_its_source():
    ctx = CheckContext.from_paper(paper(tex_files=[TexFile("main.tex", "arXiv:2202.00002")]), config=CONFIG, lazy=True)
    assert read_sources(ctx) == (set(), set())
    assert ctx.has_sources  # the featured id, given outright
    assert names(read_sources(ctx)[0]) == {"given"}  # (has_sources asks for arXiv ids first)
    assert ctx.is_known_doi("10.1000/xyz(2020)01")  # written in the .bbl
    assert names(read_sources(ctx)[0]) == {"given", "homepage", "bbl"}
    assert read_sources(ctx)[1] == set()  # no host question yet
    assert ctx.is_allowed_host("group.example.ac.uk")  # on the homepage
    assert names(read_sources(ctx)[1]) == {"given", "homepage"}
    assert "smith2020" not in vars(ctx.references) and ctx.references._refs_by_key is None  # entries unread


def test_a_no_skips_the_sources_that_cannot_name_the_identifier(monkeypatch):
    cleaned = []
    monkeypatch.setattr(C, "clean_tex", lambda tex: cleaned.append(tex) or tex)
    ctx = CheckContext.from_paper(paper(tex_files=[TexFile("main.tex", "no identifiers here")]), config=CONFIG, lazy=True)
    assert not ctx.is_known_doi("10.9999/invented")
    assert names(read_sources(ctx)[0]) == {"given", "homepage", "metadata", "bbl", "bib"}  # not entries, not TeX
    assert cleaned == ["no identifiers here"]  # the TeX was cleaned to be screened, not scanned
    assert ctx.references._refs_by_key is None
    # an identifier written in the TeX (so not screened out) is looked for there
    ctx = CheckContext.from_paper(paper(tex_files=[TexFile("main.tex", "see 10.5555/in.tex")]), config=CONFIG, lazy=True)
    assert ctx.is_known_doi("10.5555/in.tex")
    assert "tex" in names(read_sources(ctx)[0])


def test_entries_written_with_escapes_are_read_not_screened():
    """A DOI with ``\\_`` is read as ``_``: the entries' DOIs are then not pieces of the text, so a DOI question
    reads them (an arXiv question can still be screened)."""
    bbl = BBL.replace("\\doi{10.1000/xyz(2020)01}", "\\doi{10.1000/a\\_b}")
    ctx = CheckContext.from_paper(paper(bbl=bbl), config=CONFIG, lazy=True)
    assert ctx.is_known_doi("10.1000/a_b")  # only the parsed entry has it with "_"
    assert "entries" in names(read_sources(ctx)[0])
    ctx = CheckContext.from_paper(paper(bbl=bbl), config=CONFIG, lazy=True)
    assert not ctx.is_known_arxiv("2999.99999")
    assert "entries" not in names(read_sources(ctx)[0])


@pytest.mark.parametrize("case", ["bib", "cache", "online", "no config", "read", "biblatex"])
def test_entries_are_read_when_something_else_may_add_to_them(case, tmp_path, monkeypatch):
    """The entries are screened or streamed only when they will be exactly the .bbl's."""
    config, made = CONFIG, paper()
    if case == "bib":
        made = paper(bib="@article{smith2020, doi = {10.7777/from.bib}}")
        config = Config(resolve_references="cache")
    elif case == "cache":
        config = Config(resolve_references="cache")
        monkeypatch.setattr(Config, "resolve_cache_path", lambda self: tmp_path)
    elif case == "online":
        config = Config(resolve_references="online")
    elif case == "no config":
        config = None
    elif case == "read":
        made.references  # noqa: B018 - read before the context is made
    else:
        made = paper(bbl="\\entry{k}{article}{}\n\\field{doi}{10.1000/x}\n\\endentry\n")
    assert not C._entries_are_the_bbls(made, config)
    if case == "online":
        return  # (making the context would look the entries up online)
    ctx = CheckContext.from_paper(made, config=config, lazy=True)
    assert ctx.references._reader.index is None and ctx.known_dois._facts._sources[4].holds is None


def test_entries_of_a_plain_natbib_bbl_are_screened_and_streamed():
    assert C._entries_are_the_bbls(paper(), CONFIG) and C._entries_are_the_bbls(paper(), Config(resolve_references="off"))
    ctx = CheckContext.from_paper(paper(), config=CONFIG, lazy=True)
    assert ctx.references._reader.index is not None and ctx.known_dois._facts._sources[4].holds is not None


def test_pt030_reads_only_the_entries_it_needs(monkeypatch):
    """Three identifiable entries answer "at least three"; fewer make it read them all, for the exact count."""
    entries = "".join(f"\\bibitem{{k{n}}} A. \\doi{{10.1000/{n}}}\n" for n in range(50))
    made = paper(bbl=f"\\begin{{thebibliography}}{{50}}\n{entries}\\end{{thebibliography}}\n")
    taken = []
    original = C.cited_identifiers
    monkeypatch.setattr(C, "cited_identifiers", lambda ref: taken.append(ref.key) or original(ref))
    ctx = CheckContext.from_paper(made, config=CONFIG, lazy=True)
    assert ctx.identifiable_references(upto=3) == 3 and taken == ["k0", "k1", "k2"]
    assert ctx.references._refs_by_key is None
    assert ctx.identifiable_references() == 50 == CheckContext.from_paper(made, config=CONFIG).identifiable_references()
    few = paper(bbl="\\begin{thebibliography}{2}\n\\bibitem{a} x \\doi{10.1000/a}\n\\bibitem{a} dup \\doi{10.1000/b}\n"
                    "\\bibitem{c} none\n\\end{thebibliography}\n")
    lazy = CheckContext.from_paper(few, config=CONFIG, lazy=True)
    assert lazy.identifiable_references(upto=3) == 1 == CheckContext.from_paper(few).identifiable_references()


def test_a_cited_entry_is_read_alone(monkeypatch):
    """A rule that renders \\cite{k10} reads entry k10 (the first of its key) and no other; the keys, their
    number and order come from the entries' heads; and every answer is the one of all entries read."""
    from posttui import references as R

    entries = "".join(f"\\bibitem[A{n}(20{n:02d})]{{k{n}}} A{n} et al. 20{n:02d}, \\doi{{10.1000/{n}}}\n" for n in range(40))
    entries += "\\bibitem{k10} a second entry of the key\n\\bibitem{} no key\n"
    made = paper(bbl=f"\\begin{{thebibliography}}{{40}}\n{entries}\\end{{thebibliography}}\n")
    read = []
    original = R._reference_from_bibitem
    monkeypatch.setattr(R, "_reference_from_bibitem", lambda key, *rest: read.append(key) or original(key, *rest))
    lazy = CheckContext.from_paper(made, config=CONFIG, lazy=True)
    assert "k10" in lazy.references and "k99" not in lazy.references and "" not in lazy.references
    assert lazy.references["k10"].doi == "10.1000/10" and read == ["k10"]
    assert list(lazy.references) == [f"k{n}" for n in range(40)] and len(lazy.references) == 40
    assert read == ["k10"] and lazy.references._refs_by_key is None
    eager = CheckContext.from_paper(paper(bbl=made.bbl), config=CONFIG)
    assert dict(lazy.references) == dict(eager.references)


def test_bibliography_warnings_are_noted_when_the_context_is_made():
    bbl = "\\begin{thebibliography}{2}\n\\bibitem[no key] oops\n\\bibitem{b} B. 2020\n\\end{thebibliography}\n"
    lazy_paper, eager_paper = paper(bbl=bbl), paper(bbl=bbl)
    CheckContext.from_paper(lazy_paper, config=CONFIG, lazy=True)
    CheckContext.from_paper(eager_paper, config=CONFIG)
    assert lazy_paper.warnings == eager_paper.warnings and any("without a {key}" in w for w in lazy_paper.warnings)
    assert "references" not in vars(lazy_paper)


def test_sources_are_read_once_when_threads_ask_together():
    calls = []
    gate = threading.Barrier(8)

    def slow_ids():
        calls.append(1)
        return (frozenset({"10.1/x"}), frozenset(), frozenset())

    facts = C.SourceFacts([C.Source(slow_ids)])
    known = C.KnownSet(facts, 0)

    def ask():
        gate.wait()
        assert "10.1/x" in known

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]


# ----- the quick test -------------------------------------------------------------------------------------------
def test_case_folding_a_lower_cased_character_folds_it_as_the_character():
    """What :func:`_may_name` rests on, for every code point."""
    import sys

    for code in itertools.chain(range(0xD800), range(0xE000, sys.maxunicode + 1)):
        char = chr(code)
        assert char.lower().casefold() == char.casefold(), hex(code)
    assert "ΑΣ Σ".lower().casefold() == "ΑΣ Σ".casefold()  # the final sigma, which lower() treats by context


HOSTILE_TEXTS = [
    "İstanbul 10.1000/İX arXiv:2101.00001 ARXIV:HEP-TH/9901001V2 arxiv.org/abs/math.AG/0601001",
    "ΣΑΣ doi 10.1000/ΣΑΣ. ﬁle 10.1000/ﬁ ß 10.1000/Straße) K-10.1000/\u212aelvin",
    "10.1000/a(b)c). 10.1000/x]], arxiv: 2101.00001v12 arxiv/2101.00002",
    "https://doi.org/10.1000/%41 10.1000/A%2fB",
]


def test_every_identifier_a_text_gives_passes_the_quick_test(corpus_site):
    from posttui.sources.saved_prompt import load_saved_prompt

    texts = list(HOSTILE_TEXTS)
    rng = random.Random(14)
    pieces = ["10.", "1000", "/", "arXiv:", "2101.00001", "v2", "Σ", "İ", "ß", "K", "\u212a", "ﬁ", " ", "(", ")",
              ".", "%", "\\_", "hep-th/9901001", "A"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(30))) for _ in range(3000)]
    for path in sorted((corpus_site / "prompts" / "content").glob("*.txt")):
        checked = load_saved_prompt(path, check_dump_form=False, feedparser_dicts=False)
        texts += [checked.bbl, checked.homepage, C.clean_tex(checked.site_tex), C._flatten(checked.metadata)]
    for text in texts:
        for kind in C._source_ids(text):
            for identifier in kind:
                assert C._may_name(identifier, text), (identifier, text[:80])


def test_entry_questions_are_answered_as_the_parsed_entries_answer(corpus_site):
    """On every corpus .bbl (and hostile ones) whose entries are the .bbl's: each identifier of the entries (as the
    context holds them) is found by reading only the entries holding it; and every identifier of the paper's other
    sources, and near misses, get the answer the parsed entries give."""
    from posttui.references import parse_bbl
    from posttui.sources.saved_prompt import load_saved_prompt

    papers = [load_saved_prompt(p, check_dump_form=False, feedparser_dicts=False)
              for p in sorted((corpus_site / "prompts" / "content").glob("*.txt"))]
    hostile = [
        "\\bibitem{a} A. \\doi{10.1000/A%2FB} arXiv:2101.%\n00001\n\\bibitem{b} \\doi{10.1000/x\\_y}",
        "\\bibitem{Skinner2013/10.1063/1.4790861} S.\n\\bibitem{c} \\eprint{HEP-TH/9901001v2} \\doi{10.5555/ΣΑΣ}",
        "\\bibitem{d} D. 10.1000/ok \\verb{doi}\\verb 10.1000/x}y",
        "\\bibitem{e} E. arXiv:2101.00001v2 and 10.1000/e.1\n\\bibitem{f} F. \\doi{10.1000/E.1} 2101.00001\n"
        "\\end{thebibliography}\n10.1000/after.end \\bibitem[{unclosed]{g} 10.1000/g",
    ]
    papers += [paper(bbl=bbl) for bbl in hostile]
    screened = 0
    for made in papers:
        if not C._entries_are_the_bbls(made, CONFIG):
            continue
        screened += 1
        refs = list(parse_bbl(made.bbl))
        whole = C._entry_identifiers(refs, [C._cited_keys(ref) for ref in refs])
        source = C._entries_source(made, C.ReferenceReader.of(refs), True)
        others = C._source_ids(made.bbl) + C._source_ids(made.homepage)
        for kind in range(3):
            items = set(whole[kind]) | set(others[kind]) | {i + "x" for i in whole[kind]} | {i[:-1] for i in whole[kind]}
            for item in items:
                held = source.holds(kind, item)
                assert held is None or held == (item in whole[kind]), (item, kind)
    assert screened >= 40
