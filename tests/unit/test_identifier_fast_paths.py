"""The fast paths of the checker's context (issue 14) give exactly what the plain definitions give.

Each fast path is compared with a plain statement of what it computes, written here: on every corpus paper
(skipped without ../shared) and on hostile or synthetic input that always runs.
"""

from __future__ import annotations

import itertools
import re

import pytest

from posttui import references as R
from posttui.ids import _canonical_arxiv, normalize_doi, split_arxiv

# ----- plain definitions -----------------------------------------------------------------------------------------
_PLAIN_COMMENT_LINE = re.compile(r"^[ \t]*%.*(?:\n|$)", re.MULTILINE)
_PLAIN_EOL_PERCENT = re.compile(r"(?<!\\)%[ \t]*$", re.MULTILINE)


def plain_strip_bbl_comments(text: str) -> str:
    return _PLAIN_EOL_PERCENT.sub("", _PLAIN_COMMENT_LINE.sub("", text))


def plain_find_doi(body: str) -> str:
    """The first match of each DOI pattern in turn, every pattern searched, no literal prefilter or folding."""
    for pattern in R._DOI_CMDS:
        m = pattern.search(body)
        if m:
            doi = R._clean_doi(m.group(1))
            if normalize_doi(doi):
                return doi
    return ""


def plain_find_arxiv(body: str) -> tuple[str, str]:
    for pattern in R._ARXIV_CMDS:
        m = pattern.search(body)
        if m:
            parts = split_arxiv(m.group("id"))
            if parts:
                return _canonical_arxiv(parts[0]), (m.group("v") or "").lower()
    return "", ""


HOSTILE_BODIES = [
    "",
    "no identifiers at all",
    r"\doi{10.1000/ABC.1}",
    "HTTPS://DX.DOI.ORG/10.1093/MNRAS/STAA123 and doi.org/10.1/x",
    "https://dx.doi.org/10.1093/mnras/x{y} then https://doi.org/10.5555/Good",
    "doi.org/doi.org/10.1000/xyz",
    "DoI.OrG/10.1000/{broken} doi.org/10.2000/ok",
    "https://dx.doi.org/not-a-doi https://doi.org/10.3000/later",
    "http://dx.doi.org/10.12345/a.b.c.",
    "Müller, https://doi.org/10.1000/ÄÖ, arXiv:2101.00001",
    "\u0130stanbul doi.org/10.1000/dotted-I https://ARXIV.ORG/abs/2101.00001v3",
    "\u212aelvin arxiv.org/abs/hep-th/9901001",
    "ARXIV.ORG/PDF/math.AG/0601001V2",
    "xxx.lanl.gov/abs/astro-ph/0601001 arxiv.org/abs/2101.00002",
    "arxiv.org/abs/12345.6789 arxiv.org/html/2101.00003v1",
    "arxiv.org/abs/ARXIV.ORG/abs/2101.00004",
    "xxx.lanl.gov/abs/x arxiv.org/abs/2101.00005",
    r"\eprint{arXiv:1401.4064v2} \doi{10.1/x} \mn@doi [ MNRAS]{10.1093/mnras/stu1}",
    "10.48550/arXiv.2101.00006v2 doi:10.48550/arXiv.2101.00006",
    "CoRR, abs/2104.13478 e-print 2003.12345v2",
    "\\url{https://doi.org/10.1000/%7Bx%7D}",
    "doi.org/10. broken, then doi.org/10.1000/ok",
    "doi.org/10. x https://doi.org/10.1000/a<b>\\c",  # only the doi.org pattern keeps the <b>\\c
    "doi.org/10.1000 /gap https://doi.org/10.1000/ok",
    "arxiv.org/abs/ 2101.00001 arxiv.org/html/2101.00007v1",
    # each folded stand-in where the patterns after it would find something else
    "e-Print, p. 2101.00008", "eprints} id. astro-ph/0601001v2", "DOI = 10.1000/a<b>", 'doi:10.1000/x"y',
    "arXiv e-print arXiv: 2101.00009v2", "\\DOI{https://dx.doi.org/10.1000/A<B>}", "\\doi {doi:10.1000/Q}", "\\doi{doi:10.1000/a,b;c}",
    "CORR, x abs/2101.00010", "\\EPRINT{arXiv:2101.00011V4}", "\\mn@eprint {arXiv} {hep-th/9901001v2}",
    "10.48550/ARXIV.2101.00012", "arXiv:stat.CO/1507.00919v2", "ArXiv Preprint, 2101.00013",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_identifier_search_equals_the_plain_patterns_on_hostile_entries(body):
    assert R.find_doi(body) == plain_find_doi(body)
    assert R.find_arxiv(body) == plain_find_arxiv(body)


GENERATED_DOI_PIECES = ["https://", "HTTP://", "dx.", "DX.", "doi.org/", "DOI.ORG/", "10.1000/", "10.2/", "AbC", "x{y}",
                        " ", "\\doi{", "\\DOI {", "}", "doi:", "DOI =", "Doi", ",", "\u00e9", "\u0131"]
GENERATED_ARXIV_PIECES = ["arxiv.org/", "ArXiv.Org/", "xxx.lanl.gov/", "abs/", "PDF/", "html/", "2101.00001", "V2", "v3",
                          "astro-ph/", "math.AG/", "stat.CO/", "0601001", "arXiv:", "ARXIV", " e-Print", "eprint",
                          "\\eprint{", "\\mn@eprint{arXiv}{", "{arXiv}", "}", " ", ", art. ", "CoRR, ", "10.48550/",
                          "\u00e9", "\u0131"]


@pytest.mark.parametrize("pieces", [GENERATED_DOI_PIECES, GENERATED_ARXIV_PIECES], ids=["doi", "arxiv"])
def test_identifier_search_equals_the_plain_patterns_on_generated_entries(pieces):
    """Every mix of case, prefix and separator of the folded patterns: pieces glued together three at a time."""

    seen = 0
    for combo in itertools.product(pieces, repeat=3):
        body = "".join(combo)
        assert R.find_doi(body) == plain_find_doi(body), body
        assert R.find_arxiv(body) == plain_find_arxiv(body), body
        seen += 1
    assert seen == len(pieces) ** 3


def test_every_arxiv_pattern_needs_one_of_the_prefilter_literals():
    for literals in R._ARXIV_NEEDS:
        assert all(any(short in literal for short in R._ARXIV_ANY_NEED) for literal in literals), literals
    assert len(R._ARXIV_NEEDS) == len(R._ARXIV_CMDS)


@pytest.mark.parametrize("text", [
    "", "%", "% only a comment", "  % indented comment\n\\bibitem{a} x%\n", "\\bibitem{a} 50\\% off %\n%c\n%d",
    "a\n%c", "a\n\t %c\nb", "x%  \ny\\%\nz%\t", "%a\n%b\n%c\n", "\n\n%\n", "100%20encoded%",
])
def test_bbl_comment_stripping_equals_the_plain_regexes(text):
    assert R._strip_bbl_comments(text) == plain_strip_bbl_comments(text)


def test_comment_lines_are_dropped_as_the_regex_drops_them():
    """``_drop_comment_lines`` finds comment lines from each ``%``; every string of up to five characters from the
    alphabet that matters (blanks, ``%``, line ends, a backslash, a letter) gives what the ``^``-anchored regex
    gives, and so do longer generated texts."""
    import random

    alphabet = " \t%\n\r\\a"
    seen = 0
    for length in range(6):
        for combo in itertools.product(alphabet, repeat=length):
            text = "".join(combo)
            assert R._drop_comment_lines(text) == _PLAIN_COMMENT_LINE.sub("", text), repr(text)
            seen += 1
    assert seen == sum(len(alphabet) ** n for n in range(6))
    rng = random.Random(14)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet + "%\n\bibitem{}") for _ in range(rng.randrange(60)))
        assert R._drop_comment_lines(text) == _PLAIN_COMMENT_LINE.sub("", text), repr(text)


def corpus_bbls(site):
    from posttui.sources.saved_prompt import load_saved_prompt

    return [(p.name, load_saved_prompt(p, check_dump_form=False).bbl)
            for p in sorted((site / "prompts" / "content").glob("*.txt"))]


def test_bbl_identifier_phase_equals_the_plain_patterns_on_the_corpus(corpus_site):
    bbls = corpus_bbls(corpus_site)
    assert len(bbls) >= 50
    entries = 0
    for name, bbl in bbls:
        assert R._strip_bbl_comments(bbl) == plain_strip_bbl_comments(bbl), name
        for chunk in re.split(r"(?=\\bibitem)", bbl):
            entries += 1
            assert R.find_doi(chunk) == plain_find_doi(chunk), (name, chunk[:80])
            assert R.find_arxiv(chunk) == plain_find_arxiv(chunk), (name, chunk[:80])
    assert entries > 3000


# ----- URLs and the facts of one source text ------------------------------------------------------------------
def plain_normalize_url(url: str) -> str:
    from urllib.parse import urlsplit

    url = url.strip().strip("<>")
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return url.lower().rstrip("/")
    if host.startswith("www."):
        host = host[4:]
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"


def plain_host_of(url: str) -> str:
    from urllib.parse import urlsplit

    if "://" not in url and not url.startswith("//"):
        return ""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def plain_source_facts(text: str):
    from posttui.ids import ARXIV_IN_TEXT_RE, DOI_IN_TEXT_RE, trim_doi
    from posttui.rules.context import _VERSIONED_RE, urls_in

    dois = {trim_doi(m.group(0)).lower() for m in DOI_IN_TEXT_RE.finditer(text)}
    arxiv = {_canonical_arxiv(m.group("id")) for m in ARXIV_IN_TEXT_RE.finditer(text)}
    urls = set(urls_in(text))
    return (frozenset(dois), frozenset(arxiv), frozenset(m.group(1).lower() for m in _VERSIONED_RE.finditer(text)),
            frozenset(h for h in map(plain_host_of, urls) if h), frozenset(map(plain_normalize_url, urls)))


HOSTILE_URLS = [
    "", " ", "https://", "http://", "https://Example.COM", "https://www.Example.com/Path/", "HTTPS://WWW.EXAMPLE.COM/x",
    "https://example.com:8080/a?b=1#frag", "https://example.com?x", "https://example.com#top?no", "http://a.b/c//",
    "https://user:pw@Host.org/p", "https://[::1]/x", "https://[host", "https://host]/", "http://ex%41mple.com/", "http://EX%4fMPLE.Com/x",
    "https://exa\tmple.com/", "https://exa\nmple.com/a\rb", "https://münchen.de/ä", "https://example.com/ä?ö=1",
    " <https://Example.com/> ", "example.com/path/", "www.Example.com", "//cdn.example.com/x", "ftp://Files.org/",
    "https:///path", "https://:80/", "https://www./", "https://WWW.x.org:/?", "https://x.org/?#", "http://x.org/%7Euser",
    "https://\u212aelvin.org/", "https://x.org/\u0130", "\x01https://x.org/", "https://x.org/\x00",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_url_fast_path_equals_urlsplit_on_hostile_urls(url):
    from posttui.rules.context import host_of, normalize_url

    assert normalize_url(url) == plain_normalize_url(url)
    assert host_of(url) == plain_host_of(url)


def test_url_fast_path_equals_urlsplit_on_generated_urls():

    from posttui.rules.context import host_of, normalize_url

    pieces = ["https://", "http://", "www.", "WWW.", "Ex.org", ":8", "@", "[", "]", "%", "/", "//", "?", "#", "a", "\t",
              "\u00e9", " "]
    for combo in itertools.product(pieces, repeat=4):
        url = "".join(combo)
        assert normalize_url(url) == plain_normalize_url(url), url
        assert host_of(url) == plain_host_of(url), url


def test_source_facts_equal_the_plain_definition_on_hostile_text():
    from posttui.rules.context import _source_facts, clear_source_caches

    text = "\n".join(HOSTILE_URLS + HOSTILE_BODIES + [
        "see https://Example.org/a, https://example.org/a. and arXiv:2101.00001v2 ARXIV.ORG/abs/2101.00002V3",
        "\u0130 arxiv:2101.00003v1 doi 10.1000/xyz) (10.1000/a(b)c).",
    ])
    clear_source_caches()
    assert _source_facts(text) == plain_source_facts(text)


def test_source_facts_equal_the_plain_definition_on_generated_arxiv_text():
    """Versioned ids are looked for only where an arXiv id starts: every mix of prefixes, paths, old- and new-style
    ids, versions and case, folded and (with a dotless i) not."""
    import random

    from posttui.rules.context import _source_facts, clear_source_caches

    pieces = ["arxiv", "ArXiv", "ARXIV", ":", "/", " ", "\n", ".org/abs/", ".org/pdf/", ".org/html/", ".ORG/ABS/", "2101.00001",
              "2101.0001", "2101.123456", "v2", "V3", "v", "hep-th/", "9901001", "math.AG/", "arxiv/", "0601001", "1",
              ".", "x", "e-print", "\u0131"]
    rng = random.Random(14)
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        clear_source_caches()
        assert _source_facts(text) == plain_source_facts(text), text


def test_source_facts_equal_the_plain_definition_on_the_corpus(corpus_site):
    from posttui.latex import clean_tex
    from posttui.rules.context import _flatten, _source_facts, clear_source_caches, host_of, normalize_url, urls_in
    from posttui.sources.saved_prompt import load_saved_prompt

    prompts = sorted((corpus_site / "prompts" / "content").glob("*.txt"))
    assert len(prompts) >= 50
    for path in prompts:
        paper = load_saved_prompt(path, check_dump_form=False)
        for text in (paper.bbl, clean_tex(paper.site_tex), _flatten(paper.metadata), paper.homepage):
            clear_source_caches()
            assert _source_facts(text) == plain_source_facts(text), path.name
            for url in set(urls_in(text)):
                assert (normalize_url(url), host_of(url)) == (plain_normalize_url(url), plain_host_of(url)), url


# ----- the checker's metadata: plain dicts, same items --------------------------------------------------------
def plain_copy(value):
    """``value`` with every FeedParserDict turned into a dict with the same items in the same order."""
    if isinstance(value, dict):
        return {k: plain_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [plain_copy(v) for v in value]
    if type(value) is tuple:  # not a struct_time
        return tuple(plain_copy(v) for v in value)
    return value


def same_plain(a, b) -> bool:
    """Equal values of the same types (dicts exactly dict), mappings in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_plain(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_plain(x, y) for x, y in zip(a, b))
    return a == b


FEED_YAML = [
    "!!python/object/new:feedparser.util.FeedParserDict\ndictitems:\n  id: x\n  authors:\n"
    "  - !!python/object/new:feedparser.util.FeedParserDict\n    dictitems:\n      name: Ada\n"
    "  empty: !!python/object:feedparser.util.FeedParserDict {}\n",
    # an alias sends it to the pure-Python loader, which must build plain dicts too
    "!!python/object/new:feedparser.util.FeedParserDict\ndictitems:\n  a: &x\n"
    "    !!python/object/new:feedparser.util.FeedParserDict\n    dictitems: {name: Ada}\n  b: *x\n",
    "a: \x07\nb: !!python/object:feedparser.util.FeedParserDict {}\n",  # unprintable: the pure-Python loader
    "plain: [1, {a: b}]\n",
]


@pytest.mark.parametrize("text", FEED_YAML)
def test_plain_metadata_has_the_feedparser_items_as_dicts(text):
    from posttui.yamlio import load_yaml

    try:
        feed = load_yaml(text)
    except Exception as exc:  # noqa: BLE001 - the plain load must fail the same way
        with pytest.raises(type(exc)) as caught:
            load_yaml(text, feedparser_dicts=False)
        assert str(caught.value) == str(exc)
        return
    assert same_plain(load_yaml(text, feedparser_dicts=False), plain_copy(feed))


def test_plain_metadata_of_every_corpus_prompt(corpus_site):
    from posttui.sources.saved_prompt import load_saved_prompt

    for path in sorted((corpus_site / "prompts" / "content").glob("*.txt")):
        feed = load_saved_prompt(path, check_dump_form=False)
        plain = load_saved_prompt(path, check_dump_form=False, feedparser_dicts=False)
        assert type(feed.metadata).__name__ == "FeedParserDict", path.name
        assert same_plain(plain.metadata, plain_copy(feed.metadata)), path.name
        assert same_plain(plain.author_info, plain_copy(feed.author_info)), path.name
        assert (plain.title, plain.date, plain.post_name, plain.author_names, plain.lead_author, plain.arxiv_id) == (
            feed.title, feed.date, feed.post_name, feed.author_names, feed.lead_author, feed.arxiv_id), path.name


def test_checking_a_site_post_imports_neither_feedparser_nor_the_http_stack(corpus_site):
    import json
    import subprocess
    import sys

    probe = ("import json, sys\nfrom posttui.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
             "    pass\nprint(json.dumps(sorted(sys.modules)))\n")
    post = sorted((corpus_site / "_posts").glob("2020-*.md"))[0]
    out = subprocess.run([sys.executable, "-c", probe, "check", str(post), "--format", "json"], capture_output=True,
                         text=True, check=True).stdout
    modules = json.loads(out.strip().splitlines()[-1])
    assert "posttui.rules.context" in modules and "yaml" in modules  # the saved prompt was read...
    assert "feedparser" not in modules  # ...with its metadata as plain dicts
    assert "posttui.resolve.web" not in modules  # the resolver's client comes only with a cache to read (none)...
    assert not {"ssl", "urllib.request", "http.client"} & set(modules)  # ...and no network code


# ----- the whole context --------------------------------------------------------------------------------------
def plain_context_sets(paper) -> dict:
    """The context's identifier and host sets as their definitions say, with urlsplit and the plain patterns."""
    from posttui.latex import clean_tex
    from posttui.rules.context import _flatten, _member_links, cited_identifiers, normalize_arxiv

    dois, arxiv, versions, hosts, urls = set(), set(), set(), set(), set()
    for text in (paper.bbl, paper.bib, clean_tex(paper.site_tex), _flatten(paper.metadata), paper.homepage):
        if text:
            d, a, v, h, u = plain_source_facts(text)
            dois |= d
            arxiv |= a
            versions |= v
            hosts |= h
            urls |= u
    for ref in paper.references:
        doi, ident = cited_identifiers(ref)
        if doi and normalize_doi(doi):
            dois.add(normalize_doi(doi))
        if ident:
            arxiv.add(normalize_arxiv(ident))
            if ref.arxiv_version:
                versions.add(f"{ident}{ref.arxiv_version}".lower())
    if paper.arxiv_id:
        arxiv.add(normalize_arxiv(paper.arxiv_id))
    links = [u for match in paper.authors for u in (match.links or {}).values() if isinstance(u, str) and u.strip()]
    for url in [u.strip() for u in links] + _member_links(paper.members):
        if plain_host_of(url):
            hosts.add(plain_host_of(url))
        urls.add(plain_normalize_url(url))
    return {"known_dois": dois, "known_arxiv": arxiv, "known_arxiv_versions": versions, "allowed_hosts": hosts,
            "allowed_urls": urls}


def test_context_of_every_corpus_paper_equals_the_plain_definitions(corpus_site):
    from posttui.rules.context import CheckContext, cited_identifiers, cited_work_of, clear_source_caches
    from posttui.sources import load

    prompts = sorted((corpus_site / "prompts" / "content").glob("*.txt"))
    assert len(prompts) >= 50
    for path in prompts:
        clear_source_caches()
        checked = load(str(path), site=corpus_site, check_dump_form=False, feedparser_dicts=False)
        ctx = CheckContext.from_paper(checked)
        full = load(str(path), site=corpus_site)  # FeedParserDict metadata, as every other reader gets it
        assert ctx == CheckContext.from_paper(full), path.name
        expected = plain_context_sets(full)
        assert {name: set(getattr(ctx, name)) for name in expected} == expected, path.name
        first = {}
        for ref in full.references:
            first.setdefault(ref.key, ref)
        assert list(ctx.references) == list(first), path.name
        assert ctx.references.identifiers() == [cited_identifiers(r) for r in first.values()], path.name
        for key, ref in first.items():
            assert ctx.references[key] == cited_work_of(ref), (path.name, key)


def test_context_of_a_hand_made_paper_equals_the_plain_definitions():
    """Entry versions the text search misses (``\\eprint{..v2}``), member links, author links, a duplicate key."""
    from posttui.paper import Paper
    from posttui.rules.context import CheckContext

    members = {
        "Ada Lovelace": {"links": {"Webpage": "https://WWW.Ada.example.org/", "GitHub": "https://github.com/ada"}},
        "Someone Else": {"links": {"Webpage": "http://other.example.net/~se", "odd": "https://[broken/"}},
    }
    bbl = ("\\begin{thebibliography}{3}\n\\bibitem{a}\nA. \\eprint{2101.00001v2} https://data.example.com/x\n"
           "\\bibitem[{B}(2020)]{b}\nB. \\doi{10.1000/B.1} \\eprint{hep-th/9901001v3}\n"
           "\\bibitem{a}\nDuplicate key. \\eprint{2101.00002}\n\\end{thebibliography}\n")
    paper = Paper(arxiv_id="2401.01234", bbl=bbl, members=members, homepage="https://home.example.org/",
                  metadata={"id": "http://arxiv.org/abs/2401.01234v1", "title": "T", "published": "2024-01-02",
                            "authors": [{"name": "Ada Lovelace"}, {"name": "Charles Babbage"}]})
    ctx = CheckContext.from_paper(paper)
    expected = plain_context_sets(paper)
    assert {name: set(getattr(ctx, name)) for name in expected} == expected
    assert {"2101.00001v2", "hep-th/9901001v3"} <= ctx.known_arxiv_versions  # only the entries have them
    assert {"other.example.net", "github.com", "ada.example.org"} <= ctx.allowed_hosts  # member links
    assert list(ctx.references) == ["a", "b"]
    assert ctx.references.identifiers() == [(None, "2101.00001"), ("10.1000/B.1", "hep-th/9901001")]


# ----- \bibitem heads ------------------------------------------------------------------------------------------
HOSTILE_HEADS = [
    "\\bibitem[{A}(2020{\\natexlab{a}})]{k}", "\\bibitem [x[y]z]{k}", "\\bibitem[{[}]{k}", "\\bibitem[\\]]{k}",
    "\\bibitem[a\\", "\\bibitem{k{x}}", "\\bibitem{\\k}", "\\bibitem[]{}", "\\bibitem  \n [L] \n {k}",
    "\\bibitem[{{{{deep}}}}]{k}", "\\bibitem[{{{three}}}]{k}", "\\bibitem[}]{k}", "\\bibitem[a]b{k}",
    "\\bibitem{unclosed", "\\bibitem[{unclosed]{k}", "\\bibitem[\\\n]{k}", "\\bibitem[a{\\}}]{k}",
    "\\bibitem[a]b]{k}", "\\bibitem[{a\\}]{k}]{x}", "\\bibitem[{{x\\}}]{k}}]{y}",
    "\\bibitem[{{{x\\}}}]{k}}}]{y}",
    "\\bibitem[\\protect\\citeauthoryear{A}{B}{2016a}]{K1}", "\\bibitem[{A} et~al.(2015)A, B, and\n  C]{k2}",
]


def parsed_entries(text: str) -> list:
    refs = R.parse_bbl(text)
    return [(r.key, r.__dict__.get("_pending"), r.raw, r.doi, r.arxiv, r.arxiv_version, r.url) for r in refs] + [
        refs.warnings]


def test_bibitem_heads_read_as_read_group_reads_them(monkeypatch):

    texts = [f"{head}\n body {n} \\doi{{10.1000/{n}}}\n" for n, head in enumerate(HOSTILE_HEADS)]
    texts += ["".join(pair) for pair in itertools.product(texts[:8], repeat=2)]
    texts.append("\\begin{thebibliography}{9}\n" + "".join(texts[:19]) + "\\end{thebibliography}\ntrailing \\bibitem{z}")
    fast = [parsed_entries(t) for t in texts]
    monkeypatch.setattr(R, "_BIBITEM_HEAD", re.compile(r"(?!)"))  # every head through _read_group
    assert fast == [parsed_entries(t) for t in texts]


def test_bibitem_heads_of_the_corpus_read_as_read_group_reads_them(corpus_site, monkeypatch):
    bbls = [bbl for _, bbl in corpus_bbls(corpus_site)]
    fast = [parsed_entries(bbl) for bbl in bbls]
    assert sum(len(entries) for entries in fast) > 3000
    monkeypatch.setattr(R, "_BIBITEM_HEAD", re.compile(r"(?!)"))
    assert fast == [parsed_entries(bbl) for bbl in bbls]


def generated_bbls(count: int, seed: int = 14) -> list[str]:
    """Texts of heads, bodies, comments and ends of bibliography, in any order: heads that reach into the next
    entry or past an \\end{thebibliography}, keys missing, comment lines hiding or splitting heads."""
    import random

    pieces = ["\\bibitem", "\\bibitem{k}", "\\bibitem[L]{k}", "[", "]", "{", "}", "\\", "a", " ", "\n", "%",
              "\n% c\n", "\\end{thebibliography}", "\\end {thebibliography}", "\\bibitemsep", "{k}", "\\doi{10.1/x}",
              "\\bibitem[\\end{thebibliography}]{k}", "[\\end{thebibliography}]"]
    rng = random.Random(seed)
    return [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24))) for _ in range(count)
    ] + ["".join(pair) for pair in itertools.product(HOSTILE_HEADS, repeat=2)]


def test_generated_bibliographies_read_as_read_group_reads_them(monkeypatch):
    """The heads found in one scan give what each entry's own match and _read_group give."""
    texts = generated_bbls(4000)
    fast = [parsed_entries(t) for t in texts]
    monkeypatch.setattr(R, "_BIBITEM_HEAD", re.compile(r"(?!)"))
    assert fast == [parsed_entries(t) for t in texts]


def test_bibitem_warnings_are_the_warnings_of_a_whole_parse():
    """``bibitem_warnings`` (heads only, one scan when every head is usual) tells what ``parse_bbl`` warns."""
    texts = generated_bbls(6000, seed=15) + ["", "  \n", "% only\n", "no entries here", "\\bibitem"]
    warned = 0
    for text in texts:
        if R._is_biblatex(text):
            continue
        expected = R.parse_bbl(text, "x.bbl").warnings
        assert R.bibitem_warnings(text, "x.bbl") == expected, repr(text)
        warned += bool(expected)
    assert 100 < warned < len(texts) - 100  # both answers are exercised


def test_entry_spans_are_where_each_entry_ends():
    """``BibitemIndex._spans`` (one pass) end each entry where ``_entry_end`` does: at the next entry or at an
    \\end{thebibliography} inside it."""
    for text in generated_bbls(4000, seed=16) + ["", "\\bibitem{a}x\\end{thebibliography}y\\end{thebibliography}z"]:
        index = R.BibitemIndex(text)
        stripped, starts, stops = index.text, index._starts, index._stops
        assert index._spans == [(start, R._entry_end(stripped, starts, stops, n)) for n, start in enumerate(starts)]


def test_bibitem_warnings_of_the_corpus(corpus_site):
    for name, bbl in corpus_bbls(corpus_site):
        assert R.bibitem_warnings(bbl, name) == R.parse_bbl(bbl, name).warnings, name


_PLAIN_BRACED = r"\{(?:[^{}\\]|\\.)*\}"
for _depth in range(2):
    _PLAIN_BRACED = rf"\{{(?:[^{{}}\\]|\\.|{_PLAIN_BRACED})*\}}"
PLAIN_BIBITEM_HEAD = re.compile(
    rf"\\bibitem[ \t\r\n]*(?:\[((?:[^{{}}\[\]\\]|\\.|{_PLAIN_BRACED})*)\][ \t\r\n]*)?\{{([^{{}}\\]*)\}}", re.S
)
"""The head regex one character at a time, every repeat free to give characters back."""


def test_bibitem_head_regex_equals_the_character_by_character_one():
    import random

    pieces = ["\\bibitem", "[", "]", "{", "}", "\\", "\\{", "\\]", "\\}", "a", "b c", " ", "\n", "\r\n", "~", "(2016)"]
    texts = list(HOSTILE_HEADS)
    rng = random.Random(14)
    texts += ["\\bibitem" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    for text in texts:
        for start in {0, text.find("\\bibitem", 1)} - {-1}:
            fast, plain = R._BIBITEM_HEAD.match(text, start), PLAIN_BIBITEM_HEAD.match(text, start)
            assert (fast and (fast.span(), fast.groups())) == (plain and (plain.span(), plain.groups())), text


# ----- YAML: the one-pass construction ----------------------------------------------------------------------------
HOSTILE_YAML = [
    "a: 1\nb: [x, 2.5, null, true, 2021-01-01, 0x1F, yes, ~]\nc: {d: e}\n", "", "# only a comment\n", "plain\n",
    "merged:\n  <<: {a: 1}\n  b: 2\n", "= : value key\n", "? [1, 2]\n: unhashable key\n", "? {a: 1}\n: unhashable\n",
    "x: !!set {a, b}\ny: !!omap [a: 1]\nz: !!binary aGVsbG8=\n", "t: !!python/tuple [1, [2, 3]]\n",
    "s: !!python/object/apply:time.struct_time [[2021, 1, 1, 0, 0, 0, 4, 1, 0], {tm_zone: null, tm_gmtoff: null}]\n",
    "f: !!python/object/new:feedparser.util.FeedParserDict {dictitems: {a: [1, {b: c}]}}\n",
    "f: !!python/object/new:feedparser.util.FeedParserDict {dictitems: [1, 2]}\n",
    "f: !!python/object/new:feedparser.util.FeedParserDict [1, 2]\n",
    "f: !!python/object/new:feedparser.util.FeedParserDict {state: {x: 1}}\n",
    "e: !!python/object:feedparser.util.FeedParserDict {}\n", "bad: !!python/object/apply:os.system [ls]\n",
    "str_map: !!str {a: 1}\n", "dup: 1\ndup: 2\n", "k: &a 1\nl: 2\n", "'1': one\n1: int key\n",
    "[" * 3000 + "]" * 3000 + "\n", "- " * 2000 + "deep\n",
    # bad tagged values, alone and two together (strings are taken from their nodes when their parent is built)
    "a: !!int x\nb: {c: !!int y}\n", "- [plain, !!float z]\n- !!int w\n", "? !!int k\n: {v: !!bool maybe}\n",
    "- plain\n- [a, b, {c: d}]\n- !!str 12\n- 'quoted'\n- !!timestamp 2021-01-01\n",
    # ints, nulls, bools, tuples and struct_times, which the one pass builds itself
    "- [0, 7, 012, 0o17, 0x1F, 0b11, 1_000, +5, -3, '9', !!int '12', !!int '007', 190:20:30, 1.5, .inf]\n",
    "- !!int '\u0661\u0662'\n", "- [~, null, Null, NULL, '', !!null '', !!null 'x']\n- k:\n",
    "- [yes, No, ON, off, true, False, 'true', !!bool 'TRUE', !!bool 'y']\n",
    "- !!python/tuple []\n- !!python/tuple [1, a, null, [2], {b: !!python/tuple [c]}]\n",
    "s: !!python/object/apply:time.struct_time [!!python/tuple [2021, 1, 1, 0, 0, 0, 4, 1, 0]]\n",
    "s: !!python/object/apply:time.struct_time []\n",
    "s: !!python/object/apply:time.struct_time [[2021, 1, 1]]\n",
    "s: !!python/object/apply:time.struct_time [[2021, 1, 1, 0, 0, 0, 4, 1, x]]\n",
    "s: !!python/object/apply:time.struct_time [[2021, 1, 1, 0, 0, 0, 4, 1, true]]\n",
    "s: !!python/object/apply:time.struct_time {a: 1}\n", "s: !!python/object/apply:time.struct_time x\n",
]


@pytest.mark.parametrize("text", HOSTILE_YAML, ids=range(len(HOSTILE_YAML)))
def test_one_pass_yaml_construction_equals_construct_document(text):
    import yaml

    from posttui import yamlio

    if yamlio._CMetadataLoader is None:
        pytest.skip("PyYAML built without libyaml")
    for plain in (False, True):
        results = []
        for build in (yamlio._construct_tree, lambda loader, node: loader.construct_document(node)):
            loader = yamlio._CMetadataLoader(text)
            loader.feedparser_dicts = not plain
            try:
                node = loader.get_single_node()
                results.append(("value", None if node is None else build(loader, node)))
            except yaml.YAMLError as exc:
                results.append(("error", str(exc)))
            except (ValueError, KeyError) as exc:  # a bad !!int or !!bool: _fast_load leaves the document to the
                results.append(("error", type(exc).__name__))  # pure-Python loader's words
            finally:
                loader.dispose()
        assert results[0][0] == results[1][0]
        if results[0][0] == "value":
            assert same_plain(results[0][1], results[1][1]), text[:60]
        else:
            assert results[0][1] == results[1][1]


def test_one_pass_yaml_construction_of_every_corpus_block(corpus_site):
    import yaml

    from posttui import yamlio
    from posttui.prompt import unwrap_saved
    from posttui.sources.saved_prompt import split_saved_prompt

    for path in sorted((corpus_site / "prompts" / "content").glob("*.txt")):
        blocks, _ = split_saved_prompt(unwrap_saved(path.read_text(encoding="utf-8"))[0], path)
        for text in (blocks["metadata"], blocks["authors"]):
            expected = yaml.load(text, Loader=yamlio._LimitedLoader)  # noqa: S506 - the safe loader under test
            assert same_plain(yamlio.load_yaml(text), expected), path.name


# ----- comment stripping: the plain path between verbatim lines -------------------------------------------------
_TOKEN_SCAN = re.compile(
    r"\\(?:verb\*?(?![A-Za-z])|begin\s*\{(?P<env>verbatim\*?|Verbatim\*?|lstlisting|minted|comment)\}|.)|%", re.S)


def plain_strip_comments(text: str) -> str:
    """strip_comments as it was: every line read token by token (each escape, ``%``, ``\\verb``, environment)."""
    out = []
    in_env = None
    for line in text.split("\n"):
        piece, pos = "", 0
        while True:
            if in_env is not None:
                end = line.find(f"\\end{{{in_env}}}", pos)
                if end < 0:
                    piece += "" if in_env == "comment" else line[pos:]
                    break
                stop = end + len(in_env) + 6
                piece += "" if in_env == "comment" else line[pos:stop]
                pos, in_env = stop, None
                continue
            m = _TOKEN_SCAN.search(line, pos)
            if m is None:
                piece += line[pos:]
                break
            if m.group(0) == "%":
                piece += line[pos:m.start()]
                break
            if m.group("env"):
                piece += line[pos:m.start() if m.group("env") == "comment" else m.end()]
                pos, in_env = m.end(), m.group("env")
                continue
            if m.group(0)[1:5] == "verb" and m.end() < len(line):
                close = line.find(line[m.end()], m.end() + 1)
                stop = close + 1 if close >= 0 else len(line)
                piece += line[pos:stop]
                pos = stop
                continue
            piece += line[pos:m.end()]
            pos = m.end()
        out.append(piece)
    return "\n".join(out)


HOSTILE_TEX = [
    "", "%", "\\", "\\%", "\\\\%", "\\\\\\%x", "\\\\\\\\% c", "a % b\nc", "a \\% b % c\n\\%% d\n",
    "line\\\n% next", "x%\r\ny\\%\r\nz\\\\%\r\n", "\r\n%\r\n", "%\n%\n%",
    "\\verb|%| % c\n\\verb*+%+ %d\n\\verbatim % e\n\\verb", "\\verb%x%y % z", "\\\\verb|%| x",
    "a\n\\begin{verbatim}\n% kept \\end{verbatim} % cut\n% cut\n",
    "\\begin{comment} gone % \n gone \\end{comment} kept % cut\nafter %x",
    "\\begin {lstlisting}% kept\n%kept\n\\end{lstlisting}%cut", "\\begin\n{verbatim}\n%cut",
    "\\begin{minted}{python}\n# 100%\n\\end{minted}\n50% cut", "\\begin{Verbatim*}\n%\n\\end{Verbatim*}%c",
    "\\begin{verbatim}\nnever closed % kept\n", "\\iffalse % x\n\\fi", "% \\begin{verbatim}\n% still a comment",
    "\\url{https://x.org/a%20b} % c", "\\begin{comment}\\begin{verbatim}\n%\n\\end{comment}%c",
]


@pytest.mark.parametrize("text", HOSTILE_TEX, ids=range(len(HOSTILE_TEX)))
def test_comment_stripping_equals_the_token_scan_on_hostile_tex(text):
    from posttui.latex import strip_comments

    for variant in (text, text.replace("\n", "\r\n"), f"plain % line\n{text}\nplain \\% line % c"):
        assert strip_comments(variant) == plain_strip_comments(variant), variant


def test_comment_stripping_equals_the_token_scan_on_generated_tex():
    import random

    from posttui.latex import strip_comments

    pieces = ["a", " ", "%", "\\", "\\\\", "\\%", "\n", "\r\n", "|", "+", "{", "}", "*", "\\verb", "\\verb*",
              "\\begin{verbatim}", "\\end{verbatim}", "\\begin{comment}", "\\end{comment}", "\\begin {minted}",
              "\\end{minted}", "\\begin{lstlisting}", "\\end{lstlisting}", "verbatim", "\\emph{x}"]
    rng = random.Random(14)
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert strip_comments(text) == plain_strip_comments(text), text


def test_comment_stripping_of_every_corpus_paper(corpus_site):
    from posttui.latex import strip_comments
    from posttui.sources.saved_prompt import load_saved_prompt

    prompts = sorted((corpus_site / "prompts" / "content").glob("*.txt"))
    assert len(prompts) >= 50
    for path in prompts:
        text = path.read_text(encoding="utf-8")
        tex = load_saved_prompt(path, check_dump_form=False, feedparser_dicts=False).site_tex
        for variant in (text, tex):
            assert strip_comments(variant) == plain_strip_comments(variant), path.name


# ----- the configuration passed through instead of read for every paper ----------------------------------------
def test_context_with_the_callers_config_reads_no_config_and_equals_the_plain_context(corpus_site, monkeypatch):
    import posttui.resolve as resolve
    from posttui.config import load_config
    from posttui.rules.context import CheckContext
    from posttui.sources import load

    config = load_config()
    prompts = sorted((corpus_site / "prompts" / "content").glob("*.txt"))[:6]
    plain = [CheckContext.from_paper(load(str(p), site=corpus_site)) for p in prompts]

    def no_second_read(*args, **kwargs):
        raise AssertionError("the configuration was read again")

    monkeypatch.setattr(resolve, "load_config", no_second_read)
    for path, expected in zip(prompts, plain):
        paper = load(str(path), site=corpus_site, config=config)
        assert CheckContext.from_paper(paper, config=config) == expected, path.name
        assert "references" in vars(paper)  # kept on the paper, as Paper.references keeps it
    resolved = load(str(prompts[0]), site=corpus_site, config=config)
    refs = resolved.references = []  # already read (as `check --resolve` reads them): used as they are
    assert CheckContext.from_paper(resolved, config=config).references == {} and resolved.references is refs


# ----- a context's identifier keys: normalised once ----------------------------------------------------------
HOSTILE_REF_IDS = [
    ("10.1000/ABC", "2101.00001"), (" https://doi.org/10.1000/a%2Fb ", "arXiv:2101.00001v2"),
    ("doi: 10.1000/x.", "ARXIV:HEP-TH/9901001V2"), ("DX.DOI.ORG/10.1093/MNRAS/X)", "math.ag/0601001"),
    ("http://dx.doi.org/10.5555/(a)b)", "https://arxiv.org/abs/2101.00002v3"), ("doi:https://doi.org/10.1/x", "hep-th/9901001"),
    ("not a doi", "not an id"), ("", ""), ("10.12/ä", "2101.123456"), ("https://doi.org/not-a-doi", "arxiv.org/pdf/2101.00003.pdf"),
]


@pytest.mark.parametrize("raw", HOSTILE_REF_IDS, ids=range(len(HOSTILE_REF_IDS)))
def test_cited_keys_are_the_plain_normal_forms(raw):
    from types import SimpleNamespace

    from posttui.ids import normalize_arxiv
    from posttui.rules.context import _DOI_PREFIX_RE, _cited_keys

    ref = SimpleNamespace(doi=raw[0], arxiv=raw[1])
    raw_doi = raw[0].strip()
    doi = _DOI_PREFIX_RE.sub("", raw_doi) if raw_doi and normalize_doi(raw_doi) else None
    arxiv = normalize_arxiv(raw[1]) if raw[1] else None
    assert _cited_keys(ref) == (doi, arxiv, normalize_doi(doi) if doi else None)
    assert arxiv is None or normalize_arxiv(arxiv) == arxiv  # a context takes the entry's id as it is


def test_normalised_arxiv_ids_of_the_corpus_are_normal_forms(corpus_site):
    from posttui.ids import normalize_arxiv
    from posttui.rules.context import cited_identifiers

    for _, bbl in corpus_bbls(corpus_site):
        for ref in R.parse_bbl(bbl):
            arxiv = cited_identifiers(ref)[1]
            assert arxiv is None or normalize_arxiv(arxiv) == arxiv, ref.key
