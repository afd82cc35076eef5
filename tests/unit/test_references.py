"""References from .bbl (every style family we meet) and .bib: keys, names, years, titles, DOIs, arXiv ids."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from posttui.errors import BibliographyError
from posttui.latex_text import fold, latex_to_text
from posttui.paper import Paper
from posttui.references import Reference, ReferenceList, parse_bbl, parse_bib, references_of, split_authors

# ----- natbib styles -------------------------------------------------------------------------------------------

MNRAS = r"""\begin{thebibliography}{}
\makeatletter
\relax
\def\mn@urlcharsother{\let\do\@makeother \do\$\do\&\do\#\do\^\do\_\do\%\do\~}
\def\mn@eprint@arXiv#1{\href {http://arxiv.org/abs/#1} {{\tt arXiv:#1}}}
\bibitem[\protect\citeauthoryear{{Quill}, {Varga} \& {Ostrowski}}{{Quill} et~al.}{2019}]{Quill19}
{Quill} T.~R.,  {Varga} B.,   {Ostrowski} P.~K.,  2019, \mn@doi [\mnras] {10.1093/mnras/stz1234}, 487, 1102

\bibitem[\protect\citeauthoryear{{M\"uller} \& {N\'u\~nez}}{{M\"uller} \& {N\'u\~nez}}{2021a}]{Muller21}
{M\"uller} A.,  {N\'u\~nez} C.,  2021a, \mn@doi [Phys. Rev. D] {10.1103/PhysRevD.103.L041301}, 103,
  \href {https://ui.adsabs.harvard.edu/abs/2021PhRvD.103L0413M} {L041301}

\bibitem[\protect\citeauthoryear{{Zhou}}{{Zhou}}{2022}]{Zhou22}
{Zhou} L.,  2022, arXiv e-prints, \mn@eprint {arXiv} {2201.01234}

\makeatother
\end{thebibliography}
"""


def test_mnras_style_reads_identifiers_names_years_and_journal():
    refs = parse_bbl(MNRAS, "paper.bbl")
    assert [r.key for r in refs] == ["Quill19", "Muller21", "Zhou22"]
    quill, muller, zhou = refs
    assert quill.authors == ["T. R. Quill", "B. Varga", "P. K. Ostrowski"]
    assert quill.year == "2019"
    assert quill.doi == "10.1093/mnras/stz1234"
    assert quill.journal == "MNRAS"
    assert muller.authors == ["A. Müller", "C. Núñez"]  # accents to Unicode
    assert muller.year == "2021"
    assert muller.doi == "10.1103/PhysRevD.103.L041301"  # display case kept
    assert muller.doi_key == "10.1103/physrevd.103.l041301"
    assert muller.url == "https://ui.adsabs.harvard.edu/abs/2021PhRvD.103L0413M"
    assert zhou.arxiv == "2201.01234" and not zhou.doi
    assert refs.summary.count == 3 and refs.summary.with_identifier == 3


AASJOURNAL = r"""\begin{thebibliography}{}
\expandafter\ifx\csname natexlab\endcsname\relax\def\natexlab#1{#1}\fi
\providecommand{\doi}[1]{doi: #1}

\bibitem[{Abernathy} \& {Ferreira}(2018)]{2018ApJ...860..101A}
{Abernathy}, R.~J., \& {Ferreira}, D. 2018, \apj, 860, 101,
  \doi{10.3847/1538-4357/aac2c5}

\bibitem[{Bellweather} {et~al.}(2020{\natexlab{a}})]{2020arXiv200312345B}
{Bellweather}, S., {Kowalczyk}, J., {Tan}, H., {et~al.} 2020{\natexlab{a}},
  arXiv e-prints, arXiv:2003.12345v2. \eprint{2003.12345}

\bibitem[{Okafor}(2006)]{2006astro.ph..1001O}
{Okafor}, N. 2006, arXiv e-prints, astro-ph/0601001
\end{thebibliography}
"""


def test_aasjournal_style_doi_macro_arxiv_text_and_old_style_id():
    refs = parse_bbl(AASJOURNAL)
    a, b, c = refs
    assert a.doi == "10.3847/1538-4357/aac2c5" and a.year == "2018"
    assert a.link == "[10.3847/1538-4357/aac2c5](https://doi.org/10.3847/1538-4357/aac2c5)"
    assert b.arxiv == "2003.12345" and b.year == "2020"
    assert c.arxiv == "astro-ph/0601001"
    assert c.link == "[astro-ph/0601001](https://arxiv.org/abs/astro-ph/0601001)"


PLAINNAT = r"""\begin{thebibliography}{3}
\providecommand{\natexlab}[1]{#1}
\providecommand{\url}[1]{\texttt{#1}}

\bibitem[Lindqvist and Ortega(2017)]{lindqvist2017}
Maja Lindqvist and Ra{\'u}l Ortega.
\newblock Sparse priors for hierarchical emulators.
\newblock \emph{Journal of Imaginary Statistics}, 12\penalty0 (3):\penalty0 45--67, 2017.
\newblock \doi{10.5555/jis.2017.0045}.

\bibitem[Pemberton et~al.(2023)Pemberton, Achebe, and
  Sandoval]{pemberton2023}
Harriet Pemberton, Chidi Achebe, and Luis~M. Sandoval.
\newblock Fast marginal likelihoods, 2023.
\newblock URL \url{https://arxiv.org/abs/2305.04321}.

\bibitem[Gr{\"o}nholm(1999)]{gronholm1999}
Eeva Gr{\"o}nholm.
\newblock \emph{A Book Without Identifiers}.
\newblock Nowhere Press, 1999.
\end{thebibliography}
"""


def test_plainnat_newblock_style():
    refs = parse_bbl(PLAINNAT)
    a, b, c = refs
    assert a.authors == ["Maja Lindqvist", "Raúl Ortega"]
    assert a.title == "Sparse priors for hierarchical emulators"
    assert a.journal == "Journal of Imaginary Statistics"
    assert a.doi == "10.5555/jis.2017.0045"
    assert b.authors == ["Harriet Pemberton", "Chidi Achebe", "Luis M. Sandoval"]
    assert b.arxiv == "2305.04321" and b.identifier == "2305.04321"
    assert c.authors == ["Eeva Grönholm"] and c.year == "1999"
    assert not c.has_identifier and c.link == ""
    assert refs.summary.with_identifier == 2


APSREV = r"""%apsrev4-2.bst 2019-01-14 (MD) hand-edited version of apsrev4-1.bst
\begin{thebibliography}{2}%
\makeatletter
\providecommand \bibitemStop [0]{}%
\providecommand \BibitemShut  [1]{\csname bibitem#1\endcsname}%
\let\auto@bib@innerbib\@empty
%</preamble>
\bibitem [{\citenamefont {Harlow}\ \emph {et~al.}(2015)\citenamefont {Harlow},
  \citenamefont {Iyer},\ and\ \citenamefont {Jansen}}]{Harlow:2015abc}%
  \BibitemOpen
  \bibfield  {author} {\bibinfo {author} {\bibfnamefont {K.}~\bibnamefont
  {Harlow}}, \bibinfo {author} {\bibfnamefont {R.}~\bibnamefont {Iyer}},\ and\
  \bibinfo {author} {\bibfnamefont {T.}~\bibnamefont {Jansen}},\ }\href
  {https://doi.org/10.1103/PhysRevLett.114.101301} {\bibfield  {journal}
  {\bibinfo  {journal} {\prl}\ }\textbf {\bibinfo {volume} {114}},\ \bibinfo
  {pages} {101301} (\bibinfo {year} {2015})},\ \Eprint
  {https://arxiv.org/abs/1412.09876} {arXiv:1412.09876 [hep-ph]} \BibitemShut {NoStop}%
%%CITATION = ARXIV:1412.09876;%%
\bibitem [{\citenamefont {Ibsen}(2011)}]{Ibsen:2011}%
  \BibitemOpen
  \bibfield  {author} {\bibinfo {author} {\bibfnamefont {L.}~\bibnamefont {Ibsen}},\ }\href
  {\doibase 10.1088/1475-7516/2011/03/007} {\bibfield  {journal} {\bibinfo  {journal}
  {JCAP}\ }\textbf {\bibinfo {volume} {03}},\ \bibinfo {pages} {007} (\bibinfo {year} {2011})}\BibitemShut {NoStop}%
\end{thebibliography}%
"""


def test_apsrev_style_bibinfo_authors_doibase_and_eprint():
    refs = parse_bbl(APSREV)
    assert [r.key for r in refs] == ["Harlow:2015abc", "Ibsen:2011"]  # \bibitemStop in the preamble is no entry
    a, b = refs
    assert a.authors == ["K. Harlow", "R. Iyer", "T. Jansen"]
    assert a.doi == "10.1103/PhysRevLett.114.101301" and a.arxiv == "1412.09876"
    assert a.year == "2015" and a.journal == "Phys. Rev. Lett."
    assert b.doi == "10.1088/1475-7516/2011/03/007" and b.journal == "JCAP"


JHEP_NUMBERED = r"""\begin{thebibliography}{10}

\bibitem{Vasquez:2019xyz}
M.~V\'asquez, P.~O'Neill, and {\bf GAMBIT} Collaboration, {\it {Global fits of
  a made-up model}},  {\em Eur. Phys. J. C} {\bf 79} (2019) 123,
  [\href{http://arxiv.org/abs/1901.00001}{{\tt arXiv:1901.00001}}].

\bibitem{oldstyle}
K.~Brandt, {\it A hep-th classic},  \href{http://arxiv.org/abs/hep-th/9901001v3}{{\tt
  hep-th/9901001}}.

\bibitem{lanl}
C.~Ruiz, Rare events,  2015,  \href{http://xxx.lanl.gov/abs/1507.00002}{{\normalfont
  [arXiv:stat.CO/1507.00002]}}.
\end{thebibliography}
"""


def test_numbered_jhep_style_with_href_arxiv_and_versions():
    refs = parse_bbl(JHEP_NUMBERED)
    a, b, c = refs
    assert a.title == "Global fits of a made-up model"
    assert a.journal == "Eur. Phys. J. C"
    assert a.authors[:2] == ["M. Vásquez", "P. O'Neill"]
    assert a.arxiv == "1901.00001" and a.year == "2019"
    assert b.arxiv == "hep-th/9901001" and b.arxiv_version == "v3"
    assert c.arxiv == "1507.00002"


IEEE_QUOTED = r"""\begin{thebibliography}{1}
\bibitem{quoted}
A.~Nakamura and B.~Osei, ``A quoted title for an {IEEE} reference,'' {\em J. Chem. Phys.}, vol.~150,
  p.~044501, 2019.
\bibitem{Tanaka2020/10.1063/5.0000001}
C.~Tanaka, ``Key carries the DOI,'' {\em J. Chem. Phys.}, 2020.
\end{thebibliography}
"""


def test_quoted_title_style_and_doi_in_cite_key():
    a, b = parse_bbl(IEEE_QUOTED)
    assert a.title == "A quoted title for an IEEE reference"
    assert a.journal == "J. Chem. Phys."
    assert a.authors == ["A. Nakamura", "B. Osei"]
    assert b.doi == "10.1063/5.0000001"


BIBLATEX = r"""\refsection{0}
  \datalist[entry]{nty/global//global/global}
    \entry{ferro2021}{article}{}
      \name{author}{2}{}{%
        {{hash=aa}{%
           family={Ferro},
           familyi={F\bibinitperiod},
           given={Giulia},
           giveni={G\bibinitperiod},
        }}%
        {{hash=bb}{%
           family={Lera\bibnamedelima Acedo},
           familyi={L\bibinitperiod\bibinitdelim A\bibinitperiod},
           given={Eloísa},
           giveni={E\bibinitperiod},
           prefix={de},
           prefixi={d\bibinitperiod},
        }}%
      }
      \strng{namehash}{abc}
      \field{journaltitle}{Monthly Notices of the Royal Astronomical Society}
      \field{title}{A {B}iblatex entry with \'accents}
      \field{year}{2021}
      \field{eprinttype}{arxiv}
      \field{eprint}{2104.05678v1}
      \verb{doi}
      \verb 10.1093/mnras/stab0001
      \endverb
      \verb{url}
      \verb https://example.org/paper
      \endverb
    \endentry
    \entry{soft2020}{software}{}
      \field{title}{Some software}
      \field{date}{2020-05-01}
      \verb{url}
      \verb https://arxiv.org/abs/2005.00001
      \endverb
    \endentry
  \enddatalist
\endrefsection
"""


def test_biblatex_entries():
    refs = parse_bbl(BIBLATEX)
    a, b = refs
    assert a.key == "ferro2021"
    assert a.authors[0] == "Giulia Ferro"
    assert a.authors[1].startswith("Eloísa de Lera")
    assert a.title == "A Biblatex entry with áccents"
    assert a.journal.startswith("Monthly Notices")
    assert a.year == "2021"
    assert (a.arxiv, a.arxiv_version) == ("2104.05678", "v1")
    assert a.doi == "10.1093/mnras/stab0001" and a.url == "https://example.org/paper"
    assert b.year == "2020" and b.arxiv == "2005.00001"


def test_bibitem_without_key_is_skipped_with_a_warning():
    refs = parse_bbl("\\begin{thebibliography}{1}\n\\bibitem[x] no key here\n\\bibitem{ok} A.~B. 2020.\n")
    assert [r.key for r in refs] == ["ok"]
    assert refs.warnings and "without a {key}" in refs.warnings[0]


def test_bbl_without_entries_warns():
    refs = parse_bbl("just some text, not a bibliography", "odd.bbl")
    assert refs == [] and "odd.bbl" in refs.warnings[0] and "no \\bibitem" in refs.warnings[0]
    assert parse_bbl("", "empty.bbl").warnings == []


def test_empty_and_garbage_bbl_never_raise():
    assert parse_bbl("") == []
    assert parse_bbl("{{{{\\bibitem{a}}}}") is not None
    assert parse_bbl("\\bibitem{a} \\href{ \\doi{ }}}}{") is not None


# ----- .bib ---------------------------------------------------------------------------------------------------

BIB = r"""
@article{quill19,
  author = {Quill, Tobias R. and Varga, B{\'e}la and {The Example Collaboration}},
  title = {{Stacked} emulators},
  journal = {Monthly Notices of the Royal Astronomical Society},
  year = 2019,
  doi = {https://doi.org/10.1093/MNRAS/stz1234},
  eprint = {1905.01234v2},
  archivePrefix = {arXiv},
}
@misc{web,
  title = {A web page},
  url = {https://example.org/x},
  year = {2020},
}
@article{arxivonly,
  author = {Okafor, N.},
  title = {Old style},
  journal = {arXiv e-prints},
  eprint = {astro-ph/0601001},
  year = {2006},
}
"""


def test_bib_fields_ids_and_names():
    refs = parse_bib(BIB, "refs.bib")
    q, web, old = refs
    assert q.authors == ["Tobias R. Quill", "Béla Varga", "The Example Collaboration"]
    assert q.title == "Stacked emulators"
    assert q.doi == "10.1093/MNRAS/stz1234"  # prefix stripped, case kept
    assert (q.arxiv, q.arxiv_version) == ("1905.01234", "v2")
    assert web.url == "https://example.org/x" and not web.has_identifier
    assert old.arxiv == "astro-ph/0601001"
    assert refs.warnings == []


def test_bib_with_one_broken_block_keeps_the_rest_and_warns():
    text = BIB + "\n@article{broken, title = {unclosed, year = 2020\n@misc{after, title={fine}}\n"
    refs = parse_bib(text, "refs.bib")
    keys = [r.key for r in refs]
    assert "quill19" in keys and "broken" not in keys
    assert any("refs.bib" in w and "line" in w and "broken" in w for w in refs.warnings)


def test_bib_where_nothing_parses_raises_naming_the_file_and_block():
    with pytest.raises(BibliographyError) as info:
        parse_bib("@article{only, title = {never closed, year = 2020\n", "paper/refs.bib")
    message = str(info.value)
    assert "paper/refs.bib" in message and "only" in message and "hint:" in message


def test_bib_duplicate_key_is_a_warning():
    refs = parse_bib("@misc{a, title={one}}\n@misc{a, title={two}}\n", "dup.bib")
    assert [r.key for r in refs] == ["a"]
    assert any("Duplicate" in w or "duplicate" in w for w in refs.warnings)


# ----- paper-level ------------------------------------------------------------------------------------------

def test_references_of_prefers_bbl_and_falls_back_to_bib():
    with_bbl = Paper(arxiv_id=None, metadata={}, bbl=PLAINNAT, bib=BIB, origin="p1")
    assert [r.key for r in references_of(with_bbl)] == ["lindqvist2017", "pemberton2023", "gronholm1999"]
    bib_only = Paper(arxiv_id=None, metadata={}, bib=BIB + "\n@article{bad, title={x\n", origin="p2")
    refs = bib_only.references
    assert [r.key for r in refs] == ["quill19", "web", "arxivonly"]
    assert any("bad" in w for w in bib_only.warnings)  # parse warnings reach the paper
    assert references_of(Paper(arxiv_id=None, metadata={})) == []


def test_markdown_display_lists_links_and_counts():
    refs = parse_bbl(PLAINNAT)
    md = refs._repr_markdown_()
    assert "3 references, 2 with an identifier" in md
    assert "[10.5555/jis.2017.0045](https://doi.org/10.5555/jis.2017.0045)" in md
    assert "[2305.04321](https://arxiv.org/abs/2305.04321)" in md
    assert md.count("\n| `") == 3
    single = Reference(key="k|ey", title="pipe | title")._repr_markdown_()
    assert "pipe \\| title" in single and "0 with an identifier" in single
    assert isinstance(refs, ReferenceList)


# ----- helpers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "block,expected",
    [
        ("Handley, W. J., Hobson, M. P., & Lasenby, A. N.", ["W. J. Handley", "M. P. Hobson", "A. N. Lasenby"]),
        ("Audren B., Lesgourgues J., Prunet S.", ["B. Audren", "J. Lesgourgues", "S. Prunet"]),
        ("Kingma, D. P. and Ba, J.", ["D. P. Kingma", "J. Ba"]),
        ("Handley, W.J.; Hobson, M.P.; Lasenby, A.N.", ["W.J. Handley", "M.P. Hobson", "A.N. Lasenby"]),
        ("Ada Lovelace, Charles Babbage, and Mary Somerville", ["Ada Lovelace", "Charles Babbage", "Mary Somerville"]),
        ("A. Buckley et al.", ["A. Buckley"]),
        ("van den Oord, A., Li, Y., and Vinyals, O.", ["A. van den Oord", "Y. Li", "O. Vinyals"]),
    ],
)
def test_split_authors(block, expected):
    assert split_authors(block) == expected


@pytest.mark.parametrize(
    "tex,text",
    [
        (r"Cs\'anyi", "Csányi"),
        (r"K{\"u}hne", "Kühne"),
        (r"\v{S}koda", "Škoda"),
        (r"de~Lera~Acedo", "de Lera Acedo"),
        (r"\emph{\mnras}, 12\penalty0 (3)", "MNRAS, 12 (3)"),
        (r"\bibinfo{title}{A title}", "A title"),
        (r"\href{https://x.org}{{\tt link text}}", "link text"),
        ("unbalanced { \\textbf{", "unbalanced"),
        ("", ""),
    ],
)
def test_latex_to_text(tex, text):
    assert latex_to_text(tex) == text


def test_fold_is_case_and_accent_insensitive():
    assert fold("Gábor Csányi") == fold("GABOR CSANYI") == "gabor csanyi"
    assert fold("Łukasz Stöß") == "lukasz stoss"


# ----- corpus (skipped without ../shared) ---------------------------------------------------------------------

BBL_BLOCK = re.compile(r"```bbl\n(.*?)\n```\n\n5\. \*\*Author Information", re.S)


@pytest.mark.corpus
def test_every_corpus_bbl_parses_every_item(corpus_site):
    total = with_id = 0
    for prompt in sorted((corpus_site / "prompts/content").glob("*.txt")):
        m = BBL_BLOCK.search(prompt.read_text(encoding="utf-8"))
        if not m or not m.group(1).strip():
            continue
        bbl = m.group(1)
        refs = parse_bbl(bbl, prompt.name)
        assert len(refs) == len(re.findall(r"\\bibitem\b", bbl)), prompt.name
        total += len(refs)
        with_id += refs.summary.with_identifier
    assert total > 1000 and with_id / total > 0.7


@pytest.mark.parametrize(
    "fragment",
    [
        r"M\"uller, J.~P. and N\'u\~nez, C.",
        r"{\it {Conservative constraints}}, {\em \jcap} {\bf 1302} (2013) 001",
        r"\emph{\bibinfo{title}{A title}} \& more",
        r"Ko{\v{s}}ir, \c{C}elik and \ss{} \o{} \l{} \aa{}",
        r"pages 45--67 --- ``quoted''",
        r"{Di Valentino}, Eleonora and {\textsc{Planck}} Collaboration",
        r"50\% of \_under\_ \#1",
        r"\textquoteright{}s guide",
    ],
)
def test_latex_text_fast_path_agrees_with_pylatexenc(fragment):
    """The regex fast path must give what the full parser gives (it exists only for speed)."""
    from posttui import latex_text

    fast = latex_text._fast_text(fragment)
    assert fast is not None, "fragment should take the fast path"
    slow = latex_text._slow_text(fragment)
    norm = lambda s: " ".join(s.split())  # noqa: E731
    assert norm(fast) == norm(slow)


CONTROL_WHITESPACE_FRAGMENTS = [
    "\\bibfield  {journal} {\\bibinfo  {journal} {\\prd} }\\textbf {\\bibinfo {volume} {98}},\\\n  \\bibinfo {pages} {1}",
    "\\bibfnamefont {T.~M.~C.}\\\n  \\bibnamefont {{Abbott}}",
    "a,\\\n  b", "a\\\tb", "a\\\r\nb", "x\\\n", "\\\n\\\n", "a \\\n  \n b", "{\\bf\\\n x}", "\\em\\\n\n x",
    "\\o\\\nx", "\\mnras\\\n 1", "50\\%\\\n\\&",
]


def _same_text(fast: str, slow: str) -> bool:
    """Equal up to the length of whitespace runs (latex_to_text collapses them), but not their presence: a
    fast piece sits between math pieces, so a space it drops or adds at an edge would join or split words."""
    return re.sub(r"\s+", " ", fast) == re.sub(r"\s+", " ", slow)


@pytest.mark.parametrize("fragment", CONTROL_WHITESPACE_FRAGMENTS)
def test_fast_path_reads_a_backslash_before_a_line_break_as_pylatexenc_does(fragment):
    from posttui import latex_text

    assert latex_text._fast_text("1-\\\n-2") is None and latex_text._fast_text("`\\\n`") is None  # would join

    fast = latex_text._fast_text(fragment)
    assert fast is not None, "fragment should take the fast path"
    assert _same_text(fast, latex_text._slow_text(fragment))


FAST_PATH_PIECES = ["a", "B", " ", "\n", "\t", "{a}", "{B b}", "~", "-", "`", "'", ",", "\\\n", "\\\t", "\\\r",
                    "\\\x0b", "\\\x0c", "\\ ", "\\'e", "\\o{}", "\\ss{}", "\\textbf{a}", "\\emph{b}", "\\mnras{}",
                    "\\&", "\\%", "\\{", "\\}", "\\\\", "$", "\u00a0", "1", "0", "7"]
"""Pieces the fast path reads exactly in any order. It is not exact on every hostile input, as before this test:
an accent on a macro (``\\'\\o``), ``\\oü``, ``\\textquoterighta``, a brace-less argument, ``-{-``, ``-\\bf -`` and
``\\mnras`` before a blank line differ from pylatexenc. Digits beside escapes (``\\{1\\%``) are included: the
escape placeholders once held digits and were misread across two keys."""


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(FAST_PATH_PIECES), max_size=25))
def test_fast_path_agrees_with_pylatexenc_on_generated_fragments(pieces):
    """Whenever the regex fast path answers, it answers what the full parser gives."""
    from posttui import latex_text

    text = "".join(pieces)
    fast = latex_text._fast_text(text)
    if fast is not None:
        assert _same_text(fast, latex_text._slow_text(text)), text


STYLE_MACRO_FRAGMENTS = [
    r"{\it {GAMBIT}},  {\em \ppnp} {\bf 113} (2020) 103769, [ ]. Addendum in \cite{gambit_addendum}.",
    "Ly{\\ensuremath{\\alpha}} absorption, z\\raisebox{-0.5ex}\\textasciitilde0.45 and\n"
    "  \\raisebox{-0.5ex}\\textasciitilde 20",
    r"\nolinkurl{https://doi.org/10.5281/zenodo.3975642}",
    "{\\bibinfo {title} {{Double Chooz}}}\\BibitemShut\n  {NoStop}\n",
    r"Barbary K.,  2016, {\code{nestle}: Pure Python}, {\NATBIBORDER{B}Nested sampling}",
    r"\bibfield  {journal} {\bibinfo  {journal} {\arnps} }\textbf {\bibinfo {volume} {61}}",
    " Protons on Target. \\textit{KEK\n  seminar}, January 10, 2019}}}\\BibitemShut {NoStop}\n",
    r"{\em \pos} {\bf EPS-HEP2013} (2013) and {\em \cpc}, {\em \pdu}, {\em \epjp}, {\njp}",
    "-\\ppnp-", "`\\ppnp`", "'{\\ppnp}'", "!\\ppnp `", "--\\BibitemShut{x}-", "\\textasciitilde\n\n\\em b",
]


@pytest.mark.parametrize("fragment", STYLE_MACRO_FRAGMENTS)
def test_fast_path_reads_bibliography_style_macros_as_pylatexenc_does(fragment):
    """Macros the converter does not know (no text, spaces after them dropped), \\textasciitilde, \\BibitemShut,
    \\cite{key} and \\ensuremath{\\alpha}: the fragments of a bibliography that once needed the full parser."""
    from posttui import latex_text

    fast = latex_text._fast_text(fragment)
    assert fast is not None, "fragment should take the fast path"
    assert _same_text(fast, latex_text._slow_text(fragment))


@pytest.mark.parametrize("fragment", [
    "a\\ppnp\n\nb", "\\textit\\ppnp x", "\\textit \\ppnp x",
    "\\'\\ppnp x", "\\bibinfo{t}\\ppnp x", "\\bibfield {t}\n \\ppnp", "\\cite[p.~1]{k}", "\\em\\ppnp shape",
    "\\o \\ppnp x", "a\n\n\\ppnp b", "x]\\ppnp", "\\ppnp\u00e9", "\\href{u}\\textasciitilde",
])
def test_fast_path_leaves_style_macros_to_the_parser_where_they_could_read_differently(fragment):
    """A macro that could be an argument, a blank line after the dropped spaces, a longer macro name: the parser's
    answer differs or is not plain, so the fast path declines."""
    from posttui import latex_text

    assert latex_text._fast_text(fragment) is None


def _macro_spec(db, name):
    """The spec ``db`` uses for ``name`` (its first category that defines it), or None."""
    return next((db.d[c]["macros"][name] for c in db.category_list if name in db.d[c]["macros"]), None)


def test_style_macros_are_what_the_converter_says():
    """The facts the style-macro fast path rests on, read from the converter's own context: the macros it drops
    are unknown there (no arguments, no text), the argument-less ones take no arguments, the counted ones take
    that many braced arguments, and \\cite, \\textasciitilde and the Greek letters give the text the fast path
    gives."""
    from posttui import latex_text

    walker_db, converter = latex_text._contexts()
    text_db = converter.latex_context
    for name in latex_text.NO_TEXT_MACROS:
        assert _macro_spec(walker_db, name) is None and _macro_spec(text_db, name) is None, name
    for name, count in latex_text._ARGUMENT_COUNTS.items():
        spec = _macro_spec(walker_db, name)
        assert (spec.args_parser.argspec if spec is not None else "") == "{" * count, name
    for name, letter in latex_text.GREEK_LETTERS.items():
        assert latex_text._slow_text(f"\\ensuremath{{\\{name}}}") == letter, name
    assert latex_text._slow_text("x\\cite{k}y") == "x<cit.>y"
    assert latex_text._slow_text("x\\textasciitilde y") == "x~y"
    assert _macro_spec(walker_db, "textasciitilde") is None  # no arguments


STYLE_MACRO_PIECES = ["a", "B", "1", " ", "\n", "\n\n", "-", "`", "'", "!", "~", ",", "{a}", "{}", "{\\em \\ppnp}",
                      "\\ppnp", "\\ppnp ", "\\pos", "\\raisebox{-0.5ex}", "\\textasciitilde", "\\textasciitilde ",
                      "\\cite{k}", "\\BibitemShut {NoStop}", "\\ensuremath{\\alpha}", "\\em ", "\\mnras ",
                      "\\bibinfo{t}{x}", "\\textit{x}", "\\o{}", "\\'e", "\\&", "\\%", "\\\n", "]", "[",
                      "\\nolinkurl{u}"]
"""Pieces around the style macros in any order (pieces that the fast path is known to read differently from the
parser without them, see FAST_PATH_PIECES, are left out)."""
_OLDER_DIFFERENCES = re.compile(r"\\(?:em|mnras)\s*\n\n|[-`'!?](?:[{}]*\\em\s*)+[{}]*[-`']|[!?]`")
"""What the fast path read differently from the parser before the style macros (noted at FAST_PATH_PIECES): a
macro dropped with the blank line after it, characters that join into one symbol across ``\\em``, ``!``` (the
parser's inverted exclamation mark). Not what these tests are about. (Characters joined across a brace, ``-{}-``,
were one of them: the fast path now leaves those to the parser.)"""


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(STYLE_MACRO_PIECES), max_size=20))
@example(["-", "{}", "\\\n", "-"])  # once an en dash: the braces and the control space kept the hyphens apart
def test_fast_path_reads_style_macros_as_pylatexenc_does_on_generated_fragments(pieces):
    from posttui import latex_text

    text = "".join(pieces)
    assume(not _OLDER_DIFFERENCES.search(text))
    fast = latex_text._fast_text(text)
    if fast is not None:
        assert _same_text(fast, latex_text._slow_text(text)), text


def _plain_split_authors(block: str) -> list[str]:
    """split_authors as it was before its shortcuts: "et al." looked for in every token and name, every token's
    initials read, every name's leading initials substituted (its plain definition)."""
    from posttui import references as R

    text = " ".join(block.replace("\u00a0", " ").split()).strip(" .,;:")
    if R._may_end_et_al(text):
        text = R._ET_AL.sub("", text)
    text = text.strip(" .,;")
    if not text:
        return []
    if ";" in text:
        tokens = [t.strip() for t in text.split(";")]
    else:
        text = R._AND.sub(", ", text)
        tokens = [t.strip() for t in text.split(",")]
    tokens = [(R._ET_AL.sub("", t) if R._may_end_et_al(t) else t).strip() for t in tokens]
    tokens = [t for t in tokens if t]
    initials = [bool(R._INITIALS.match(t)) for t in tokens]
    paired = len(tokens) >= 2 and not initials[0] and sum(initials) >= (len(tokens) - 1) // 2 and initials[1]
    names: list[str] = []
    for n, token in enumerate(tokens):
        if names and R._JR.match(token):
            names[-1] = f"{names[-1]} {token}"
            continue
        if paired and initials[n] and n > 0 and not initials[n - 1]:
            names[-1] = f"{token} {names[-1]}"
            continue
        if ", " in token:
            family, given = token.split(", ", 1)
            token = f"{given} {family}"
        m = R._SURNAME_INITIALS.match(token)
        if m and not R._INITIALS.match(m.group("sur")):
            token = f"{m.group('ini').strip()} {m.group('sur')}"
        if not R._plausible_name(token):
            break
        names.append(" ".join(token.split()))
    return [_plain_dot_initials(n) for n in names if n and not (R._may_end_et_al(n) and R._ET_AL.fullmatch(n))]


def _plain_dot_initials(name: str) -> str:
    from posttui import references as R

    return R._LEADING_INITIALS.sub(lambda m: R._UNDOTTED_INITIAL.sub(r"\1.", m.group(1)), name)


AUTHOR_PIECES = ["Smith", "J.", "J", "A. B.", "A.-B.", "Audren B.", "van der Berg", "et al.", "et~al", "ET AL", "al",
                 "Al", "and others", "others", "Jr.", "III", ", ", ",", "; ", " and ", " & ", " ", "\u00a0", ".",
                 "Kalé", "\u212a", "\u0130", "ı", "1999", "(", "Halpern", "Walton", "A B", "A.B", "AB", "A-",
                 "A B. C"]


@pytest.mark.parametrize("block", [
    "Smith, J., Jones, Brown, Green, White", "Smith, J., Jones, K., Brown", "Handley, W. J., Hobson, M. P., Lasenby",
    "Smith, J. and Jones, K. et al.", "Smith J., Jones K., et al", "A. Smith and others", "Kalé, A., Al, B.",
    "W. Handley; M. Hobson; A. Lasenby et al.", "Smith, Jr., J.", "\u212aelvin, A. and Others, B.", "",
])
def test_split_authors_equals_its_plain_definition(block):
    assert split_authors(block) == _plain_split_authors(block)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(AUTHOR_PIECES), max_size=16))
def test_split_authors_equals_its_plain_definition_on_generated_lists(pieces):
    block = "".join(pieces)
    assert split_authors(block) == _plain_split_authors(block), block


def _read_every_corpus_entry(corpus_site) -> None:
    """Parse every corpus .bbl and read every field of every entry (keys, identifiers, authors, year, title...)."""
    for prompt in sorted((corpus_site / "prompts/content").glob("*.txt")):
        m = BBL_BLOCK.search(prompt.read_text(encoding="utf-8"))
        if m:
            for ref in parse_bbl(m.group(1), prompt.name):
                dataclasses.asdict(ref)


@pytest.mark.corpus
def test_split_authors_equals_its_plain_definition_on_every_corpus_entry(corpus_site, monkeypatch):
    from posttui import references as R

    blocks = []
    split = R.split_authors
    monkeypatch.setattr(R, "split_authors", lambda block: blocks.append(block) or split(block))
    _read_every_corpus_entry(corpus_site)
    assert len(blocks) > 1000
    for block in blocks:
        assert split(block) == _plain_split_authors(block), block


@pytest.mark.corpus
def test_fast_path_agrees_with_pylatexenc_on_every_corpus_bbl_entry(corpus_site, monkeypatch):
    """Every fragment the fast path is given while every entry of every corpus .bbl is read (keys, identifiers,
    authors, year, title, journal) with a backslash at a line end or a style macro (\\ppnp, \\cite{..}...): the
    fast path answers some, and those as the full parser does. (Elsewhere the fast path is older than this test
    and not always the parser's twin, e.g. ``\\texttt{x}``, which the parser's context here drops.)"""
    from posttui import latex_text

    seen = set()
    fast_text = latex_text._fast_text
    monkeypatch.setattr(latex_text, "_fast_text", lambda text: seen.add(text) or fast_text(text))
    _read_every_corpus_entry(corpus_site)
    checked = styled = 0
    for fragment in sorted(seen):
        fast = fast_text(fragment)
        if fast is not None and latex_text._CONTROL_WHITESPACE.search(fragment):
            assert _same_text(fast, latex_text._slow_text(fragment)), fragment
            checked += 1
        if fast is not None and latex_text._STYLE_ANY.search(fragment):  # the style macros (newer than this test)
            assert _same_text(fast, latex_text._slow_text(fragment)), fragment
            styled += 1
    assert len(seen) > 10_000 and checked > 10 and styled > 10


def test_bibitem_text_fields_are_read_on_first_use_with_the_same_values():
    lazy = parse_bbl(MNRAS, "paper.bbl")
    quill = lazy[0]
    assert "_pending" in vars(quill)  # keys and identifiers only so far
    assert quill.key == "Quill19" and quill.doi == "10.1093/mnras/stz1234"
    assert "_pending" in vars(quill)
    assert quill.authors == ["T. R. Quill", "B. Varga", "P. K. Ostrowski"]
    assert "_pending" not in vars(quill)
    plain = Reference(**{name: getattr(quill, name) for name in dataclasses.asdict(quill)})
    assert quill == plain and plain == quill  # compares as a plain Reference with those values
    assert dataclasses.replace(quill, title="x").title == "x"
    other = parse_bbl(MNRAS, "paper.bbl")[0]
    other.title = "Given"  # an assignment reads the entry first, so a later read cannot overwrite it
    assert other.title == "Given" and other.year == "2019"
    assert parse_bbl(MNRAS, "paper.bbl") == lazy  # whole lists compare equal too


def test_identifier_prefilters_do_not_hide_an_identifier():
    from posttui.references import find_arxiv, find_doi

    assert find_doi("no digits here") == ""
    assert find_doi(r"\doi{10.1000/ABC.1}") == "10.1000/ABC.1"
    assert find_arxiv(r"\eprint{astro-ph/0601001}") == ("astro-ph/0601001", "")
    assert find_arxiv("CoRR, abs/2104.13478") == ("2104.13478", "")
    assert find_arxiv("e-print 2003.12345v2") == ("2003.12345", "v2")
    assert find_arxiv("Müller 2020, ARXIV:2003.12345") == ("2003.12345", "")  # non-ASCII: no prefilter
    assert find_arxiv("Smith 2020, Nature") == ("", "")


# ----- the two lazy text groups (authors/year and title/journal) ----------------------------------------------

SPRINGER = r"""\begin{thebibliography}{2}
\bibitem{sn1}
\begin{barticle}
\bauthor{\bsnm{M\"uller}, \binits{A.}},
\bauthor{\bsnm{Smith}, \binits{J.}}:
\batitle{A {Springer} title}.
\bjtitle{J. Phys.} \bvolume{12}, \bfpage{1} (\byear{2020})
\end{barticle}
\bibitem{sn2}
\bauthor{\binits{A.}}: \bbtitle{Only a book title}. \byear{2018b}
\end{thebibliography}
"""

RUN_IN_CORNERS = r"""\begin{thebibliography}{9}
\bibitem{lone} A.~Author and B.~Other, \emph{Phys. Rev. D} \textbf{12} (2001) 3.
\bibitem{infoauthor} \bibinfo{author}{C.~Writer}, \emph{Venue only} (1999) 5.
\bibitem{etal} D.~First {\em et~al.}, {\it The title} {\it Nucl. Phys. B} {\bf 1} (2010) 1.
\bibitem{quoted} E.~Q.~Quoter, ``A quoted title,'' \emph{IEEE Trans.}, vol.~3, 2015.
\bibitem{mnras2} {Audren} B., {Lesgourgues} J., 2013, J. Cosmology Astropart. Phys., 2, 001
\bibitem{mnlabel} {Zed} Z., 2011, \mn@doi [Astron. J.] {10.1088/0004-6256/1/1/1}
\bibitem{jtitle} F.~Author, \JournalTitle{Some Journal} \textbf{1}, 2 (2003).
\bibitem{href} G.~Hreffer, \href{https://example.org/x}{The linked title}, 2019, \href{https://arxiv.org/abs/1901.00001}{arXiv:1901.00001}
\bibitem{math} H.~Math, {\it Limits on $\sin^2 2\theta_{13}$ from \GB}, \emph{JHEP} \textbf{1} (2012) 2 [\eprint{1201.0001}].
\bibitem{nodate} I.~Nodate, \emph{Undated}
\bibitem{broken} J.~Broken, {\it unbalanced {title, 2004
\bibitem{empty}
\bibitem{unicode} K.~Ünïcødé and L.~Ñame, {\it Tïtle}, \emph{Jöurnal} (2022).
\end{thebibliography}
"""

TEXT_FIELDS = ("authors", "year", "title", "journal")


def _text_values(ref) -> tuple:
    return tuple(getattr(ref, name) for name in TEXT_FIELDS)


def _every_reading_order(bbl: str) -> list[tuple]:
    """The text fields of every entry of ``bbl`` read all at once (a plain Reference), names first, titles
    first, and after an assignment to the other group; all four must agree."""
    from posttui.references import _TITLES_PENDING, _read_bibitem_text

    names_first, titles_first, assigned, fresh = (parse_bbl(bbl) for _ in range(4))
    for ref in names_first:
        ref.authors, ref.year  # noqa: B018 - the read is the point
    for ref in titles_first:
        ref.title, ref.journal  # noqa: B018
    rows = []
    for a, b, c, d in zip(names_first, titles_first, assigned, fresh, strict=True):
        eager = Reference(key=d.key)
        source = vars(d)[_TITLES_PENDING]
        _read_bibitem_text(eager, source.label, source.body)
        expected = _text_values(eager)
        assert _text_values(a) == expected, a.key
        assert _text_values(b) == expected, b.key
        title = c.title  # reads title and journal only; authors and year still come from the source
        c.title = "Set by hand"
        assert (c.authors, c.year, c.journal) == (expected[0], expected[1], expected[3]), c.key
        assert c.title == "Set by hand" and title == expected[2]
        rows.append(expected)
    return rows


@pytest.mark.parametrize("bbl", [MNRAS, AASJOURNAL, PLAINNAT, APSREV, JHEP_NUMBERED, IEEE_QUOTED, SPRINGER,
                                 RUN_IN_CORNERS])
def test_text_groups_read_in_any_order_agree_with_reading_both_at_once(bbl):
    assert _every_reading_order(bbl)


def test_run_in_corner_cases_keep_their_readings():
    """Pins the run-in rules the split into two groups must keep: a lone emphasised group is the venue only
    when the names came from the text (not from ``\\bibinfo{author}``), an ``\\mn@doi`` label is the journal,
    the year falls back to the last one in the entry's text."""
    refs = {r.key: r for r in parse_bbl(RUN_IN_CORNERS)}
    assert (refs["lone"].authors, refs["lone"].journal) == (["A. Author", "B. Other"], "Phys. Rev. D")
    assert (refs["infoauthor"].authors, refs["infoauthor"].journal) == (["C. Writer"], "")
    assert (refs["etal"].title, refs["etal"].journal) == ("The title", "Nucl. Phys. B")
    assert (refs["quoted"].title, refs["quoted"].year) == ("A quoted title", "2015")
    assert refs["mnras2"].authors == ["B. Audren", "J. Lesgourgues"] and refs["mnras2"].year == "2013"
    assert refs["mnlabel"].journal == "Astron. J." and refs["mnlabel"].year == "2011"
    assert refs["jtitle"].journal == "Some Journal"
    assert refs["href"].year == "2019" and refs["href"].arxiv == "1901.00001"
    assert refs["math"].year == "2012" and refs["math"].authors == ["H. Math"] and refs["math"].journal == "JHEP"
    assert (refs["nodate"].year, refs["nodate"].journal) == ("", "Undated")
    assert _text_values(refs["empty"]) == ([], "", "", "")
    springer = {r.key: r for r in parse_bbl(SPRINGER)}
    assert springer["sn1"].authors == ["A. Müller", "J. Smith"] and springer["sn1"].year == "2020"
    assert (springer["sn1"].title, springer["sn1"].journal) == ("A Springer title", "J. Phys.")
    assert springer["sn2"].year == "2018"


def test_the_lean_reference_table_reads_no_title_or_journal():
    """The table needs authors and year only: the title/journal group stays unread (most of a big .bbl)."""
    from posttui.lean import reference_table
    from posttui.references import _NAMES_PENDING, _TITLES_PENDING

    refs = parse_bbl(JHEP_NUMBERED + RUN_IN_CORNERS)
    table = reference_table(refs)
    assert all(_NAMES_PENDING not in vars(r) and _TITLES_PENDING in vars(r) for r in refs)
    assert "lone | Author & Other 2001 | -" in table.splitlines()
    assert [_text_values(r) for r in refs] == [_text_values(r) for r in parse_bbl(JHEP_NUMBERED + RUN_IN_CORNERS)]


CORPUS_TEXT_DIGEST = "429d4dbf8eeb550c0ef4b8d7f36df627022e52b6e61abf9d7a56bc71fb51e367"
"""sha256 of ``[key, authors, year, title, journal]`` of the corpus's 3,823 ``\\bibitem`` entries as the single
eager reading gave them before the text fields were split into two lazy groups (main at 73fda40). A deliberate
change to how names, years, titles or journals are read updates it; nothing else should."""


@pytest.mark.corpus
def test_corpus_text_fields_are_those_of_the_eager_reading(corpus_site):
    import hashlib
    import json

    rows = []
    for prompt in sorted((corpus_site / "prompts/content").glob("*.txt")):
        m = BBL_BLOCK.search(prompt.read_text(encoding="utf-8"))
        if m and "\\bibitem" in m.group(1):
            rows += [[r.key, r.authors, r.year, r.title, r.journal] for r in parse_bbl(m.group(1), prompt.name)]
    assert len(rows) == 3823
    assert hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest() == CORPUS_TEXT_DIGEST


def test_an_entry_read_in_part_keeps_only_its_source_text():
    """The checker reads authors and years only, of many papers: the readings made for them (identifier-free text,
    its plain-text conversion) are not kept for a title nobody asks for."""
    from posttui.references import _NAMES_PENDING, _TITLES_PENDING

    ref = parse_bbl(MNRAS)[0]
    ref.authors  # noqa: B018
    source = vars(ref)[_TITLES_PENDING]
    assert _NAMES_PENDING not in vars(ref)
    assert set(vars(source)) == {"label", "body"}
    assert source == vars(parse_bbl(MNRAS)[0])[_TITLES_PENDING]  # compared by the entry's text
    assert ref.journal == "MNRAS" and _TITLES_PENDING not in vars(ref)


@pytest.mark.corpus
def test_every_corpus_bbl_reads_the_same_text_in_any_order(corpus_site):
    count = 0
    for prompt in sorted((corpus_site / "prompts/content").glob("*.txt")):
        m = BBL_BLOCK.search(prompt.read_text(encoding="utf-8"))
        if m and "\\bibitem" in m.group(1):
            count += len(_every_reading_order(m.group(1)))
    assert count > 1000


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("A. Smith, B. Jones, ET AL.", ["A. Smith", "B. Jones"]),
        ("A. Smith and Others", ["A. Smith"]),
        ("A. Smith and otherſ", ["A. Smith"]),  # re.IGNORECASE equates the long s with s: no prefilter may skip it
        ("Él Ñame and ſmith", ["Él Ñame", "ſmith"]),
        ("A. B. Smith, C Jones", ["A. B. Smith", "C. Jones"]),
        ("a. lower, B Upper", ["a. lower", "B. Upper"]),
        ("", []),
    ],
)
def test_split_authors_et_al_and_initials_whatever_the_case(block, expected):
    assert split_authors(block) == expected


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (r"Smith, arXİv:2101.00001, 2020", "Smith,   2020"),  # dotted capital I: still an arXiv reference
        (r"Smith, ARXIV : 2101.00001", "Smith,  "),
        (r"Smith \href{http://x.org/2019}{2019 link} 2018", "Smith  {2019 link}  2018"),
        (r"\Eprint{https://arxiv.org/abs/2101.00001}{2101.00001} www.example.org/2017 10.1000/xyz 2016 "
         r"\url{http://a/2015}", "      2016  "),
        (r"\mn@doi [MNRAS] {10.1/2} \mn@eprint {arXiv} {2101.00002} \doi{10.3/4} \eprint{2101.00003}", "       "),
        ("Plain text 1999", "Plain text 1999"),
    ],
)
def test_identifier_text_is_removed_before_names_and_years_are_read(body, kept):
    from posttui.references import _strip_ids

    assert _strip_ids(body) == kept


def test_a_second_thread_waits_for_an_entry_being_read(monkeypatch):
    """Two threads reading the same entry: the second gets the read values, never the unread defaults."""
    import threading

    from posttui import references

    entered, release = threading.Event(), threading.Event()
    real = references._read_bibitem_names

    def slow_read(ref, source):
        entered.set()
        release.wait(10)
        real(ref, source)

    monkeypatch.setattr(references, "_read_bibitem_names", slow_read)
    quill = parse_bbl(MNRAS)[0]
    seen = {}
    first = threading.Thread(target=lambda: seen.setdefault("first", quill.authors))
    first.start()
    assert entered.wait(10)
    second = threading.Thread(target=lambda: seen.setdefault("second", quill.authors))
    second.start()
    second.join(0.2)  # without the lock the second thread would be done by now, with the defaults ([])
    release.set()
    first.join(10)
    second.join(10)
    assert seen["first"] == seen["second"] == ["T. R. Quill", "B. Varga", "P. K. Ostrowski"]


def test_digits_beside_escapes_are_kept():
    """An escape's placeholder can never be read across two of them (``\\{1\\%`` once came out as NUL-5-NUL)."""
    from posttui.latex_text import latex_to_text

    assert latex_to_text("\\{1\\%") == "{1%"
    assert latex_to_text("\\&0\\&1\\%2\\{3\\}") == "&0&1%2{3}"
    assert latex_to_text("a\x00b\\&1\\%") == "a\x00b&1%"  # a NUL of the input's own is the parser's to read
