"""LaTeX analysis: main file, flattening, comments, sections, appendix, conclusions, captions, citations."""

from __future__ import annotations

import copy

import pytest

from posttui.errors import LatexError
from posttui.latex import (
    CITE_COMMAND_RE,
    analyse_files,
    analyse_paper,
    clean_tex,
    find_citations,
    find_main_file,
    latex_to_text,
    list_items,
    strip_comments,
    strip_iffalse,
)
from posttui.paper import Paper, TexFile

MAIN = r"""\documentclass[usenatbib]{mnras}
\newcommand{\code}{\textsc{Glimmer}}
\title[Short]{Stars in \code{} galaxies\thanks{E-mail: a@b.c}}
\begin{document}
\maketitle
\begin{abstract}
We measure 5\% of the light with $\alpha=1$. % a comment
\end{abstract}
\section{Introduction}
Galaxies \citep[e.g.][]{smith2020,jones2021} and \citet{smith2020}.
\input{sections/methods}
\include{results.tex}
\section{Conclusions}
We conclude:
\begin{itemize}
  \item The first point \citep{smith2020}.
  \item A second point with a nested list:
  \begin{enumerate}\item inner\end{enumerate}
\end{itemize}
\appendix
\section{Extra}
More text.
\end{document}
"""
METHODS = r"""\section{Methods}\label{sec:methods}
\subsection{Data}
We use \citealt{lee2019} data.
\begin{figure}\includegraphics{a.png}\caption[short]{The \textbf{bold} caption of $x^2$.}\end{figure}
"""
RESULTS = r"""\section{Results}
Results \Citet*{jones2021} and \parencite[p.~3]{lee2019, smith2020}.
"""


def _files(**extra):
    files = {"main.tex": MAIN, "sections/methods.tex": METHODS, "results.tex": RESULTS}
    files.update(extra)
    return files


def test_full_document_analysis():
    doc = analyse_files(_files())
    assert doc.main_file == "main.tex"
    assert doc.title == "Stars in Glimmer galaxies"  # user macro expanded, \thanks dropped
    assert doc.abstract == "We measure 5% of the light with $\\alpha=1$."
    titles = [(s.level, s.title) for s in doc.sections]
    assert titles == [
        (1, "Introduction"), (1, "Methods"), (2, "Data"), (1, "Results"), (1, "Conclusions"), (1, "Extra"),
    ]
    assert [s.appendix for s in doc.sections] == [False] * 5 + [True]
    assert doc.appendix_line is not None and "\\appendix" in doc.text.splitlines()[doc.appendix_line - 1]
    assert doc.included_files == ["sections/methods.tex", "results.tex"]
    assert doc.unresolved_inputs == []
    assert doc.captions == ["The bold caption of $x^2$."]
    assert doc.conclusions[0] == "The first point [smith2020]."
    assert doc.conclusions[1].startswith("A second point with a nested list:") and "inner" in doc.conclusions[1]
    assert len(doc.conclusions) == 2
    assert doc.preamble.startswith("\\documentclass") and "\\begin{document}" not in doc.preamble


def test_section_text_and_line_numbers_point_into_the_right_file():
    doc = analyse_files(_files())
    methods = next(s for s in doc.sections if s.title == "Methods")
    assert (methods.file, methods.line) == ("sections/methods.tex", 1)
    data = next(s for s in doc.sections if s.title == "Data")
    assert (data.file, data.line) == ("sections/methods.tex", 2)
    assert "We use [lee2019] data." in data.text
    intro = doc.sections[0]
    assert (intro.file, intro.line) == ("main.tex", 9)
    assert intro.text == "Galaxies [smith2020, jones2021] and [smith2020]."
    assert "Data" in doc.section_text(methods) and "lee2019" in doc.section_text(methods)
    assert doc.section_text(methods, subsections=False) == methods.text


def test_citations_counts_and_occurrences():
    doc = analyse_files(_files())
    assert doc.citation_counts == {"smith2020": 4, "jones2021": 2, "lee2019": 2}
    commands = [c.command for c in doc.citations]
    assert commands == ["citep", "citet", "citealt", "Citet*", "parencite", "citep"]
    parencite = doc.citations[4]
    assert parencite.keys == ("lee2019", "smith2020")
    assert (parencite.file, parencite.line) == ("results.tex", 2)
    assert doc.text[parencite.position :].startswith("\\parencite")
    assert doc.cited_keys == ["smith2020", "jones2021", "lee2019"]


@pytest.mark.parametrize(
    "text, command, keys",
    [
        (r"\cite{a}", "cite", ["a"]),
        (r"\citep[see][p.~2]{a, b ,c}", "citep", ["a", "b", "c"]),
        (r"\citet*{a}", "citet*", ["a"]),
        (r"\citealp{a}", "citealp", ["a"]),
        (r"\citeauthor{a}", "citeauthor", ["a"]),
        (r"\citeyear{a}", "citeyear", ["a"]),
        (r"\citenum{a}", "citenum", ["a"]),
        (r"\textcite{a}", "textcite", ["a"]),
        (r"\autocite[][]{a}", "autocite", ["a"]),
        (r"\Citep{a}", "Citep", ["a"]),
        (r"\citep [e.g.] [] {a}", "citep", ["a"]),
    ],
)
def test_every_citation_command_form(text, command, keys):
    assert find_citations("Text " + text + " more") == [(command, keys, 5)]


def test_cite_regex_ignores_lookalikes_and_works_on_markdown():
    assert find_citations(r"\citation{x} \excite{y} \cites") == []
    markdown = "As shown by \\citet{smith2020}, galaxies [grow](https://arxiv.org/abs/2101.00001)."
    (m,) = list(CITE_COMMAND_RE.finditer(markdown))
    assert m.group("command") == "citet" and m.group("keys") == "smith2020"


def test_comments_escaped_percent_verbatim_and_comment_environment():
    tex = "\n".join(
        [
            r"a 50\% b % gone",
            r"c \\% gone too",
            r"\begin{verbatim}",
            r"keep % this",
            r"\end{verbatim} after % gone",
            r"\verb|x%y| z % gone",
            r"\begin{comment}",
            r"removed \cite{hidden}",
            r"\end{comment}",
            r"\begin{lstlisting}x = 1 % kept\end{lstlisting}",
            "last",
        ]
    )
    out = strip_comments(tex)
    lines = out.split("\n")
    assert len(lines) == 11  # line numbers survive
    assert lines[0] == r"a 50\% b "
    assert lines[1] == "c \\\\"
    assert lines[3] == "keep % this"
    assert lines[4] == r"\end{verbatim} after "
    assert lines[5] == r"\verb|x%y| z "
    assert "hidden" not in out
    assert r"x = 1 % kept\end{lstlisting}" in lines[9]
    assert lines[10] == "last"


def test_iffalse_blocks_are_removed_with_nesting_and_else():
    tex = "a\n\\iffalse\nold \\ifx\\a\\b x\\fi \\cite{gone}\n\\fi\nb \\iffalse no\\else yes\\fi c \\iff d"
    out = strip_iffalse(tex)
    assert "gone" not in out and "old" not in out
    assert out.count("\n") == tex.count("\n")
    assert "yes" in out and "no" not in out.replace("\n", " ").split()
    assert "\\iff d" in out
    # an unterminated \iffalse leaves the text alone rather than deleting the rest of the paper
    assert strip_iffalse("x \\iffalse y") == "x \\iffalse y"


def test_commented_out_input_and_cite_do_not_count():
    main = "\\documentclass{article}\n\\begin{document}\n% \\input{missing}\n\\section{A}\n%\\cite{x}\n\\cite{y}\n\\end{document}\n"
    doc = analyse_files({"main.tex": main})
    assert doc.citation_counts == {"y": 1}
    assert "\\input{missing}" not in doc.text


def test_missing_input_names_including_file_and_line():
    files = {"main.tex": "\\documentclass{article}\n\\begin{document}\n\n\\input{sections/gone}\n\\end{document}\n"}
    with pytest.raises(LatexError) as info:
        analyse_files(files, origin="paper-dir")
    message = str(info.value)
    assert "paper-dir:main.tex" in message and "line 4" in message and "sections/gone" in message
    assert "hint:" in message


def test_missing_preamble_input_is_a_tex_installation_file_not_an_error():
    files = {"main.tex": "\\documentclass{article}\n\\input{glyphtounicode}\n\\input epsf\n\\begin{document}\nx\n\\end{document}"}
    assert analyse_files(files).unresolved_inputs == ["glyphtounicode", "epsf"]


def test_input_of_non_tex_files_is_recorded_not_fatal():
    files = {"main.tex": "\\documentclass{article}\n\\begin{document}\n\\input{fig.pdf_tex}\n\\input{ms.bbl}\n\\end{document}"}
    doc = analyse_files(files)
    assert doc.unresolved_inputs == ["fig.pdf_tex", "ms.bbl"]


def test_circular_input_is_an_error_showing_the_chain():
    files = {
        "main.tex": "\\documentclass{article}\n\\begin{document}\n\\input{a}\n\\end{document}",
        "a.tex": "text\n\\input{b.tex}",
        "b.tex": "\n\n\\input{a}",
    }
    with pytest.raises(LatexError) as info:
        analyse_files(files)
    message = str(info.value)
    assert "circular" in message and "main.tex -> a.tex -> b.tex -> a.tex" in message and "line 3" in message
    assert "b.tex" in message.split(":")[0]


def test_input_resolution_without_braces_case_and_relative_subfile():
    files = {
        "paper/main.tex": "\\documentclass{article}\n\\begin{document}\n\\input intro\n\\subfile{Parts/Sub}\n\\end{document}",
        "paper/intro.tex": "\\section{Intro}",
        "paper/parts/sub.tex": "\\documentclass[main]{subfiles}\n\\begin{document}\n\\section{Sub}\n\\end{document}",
    }
    doc = analyse_files(files)
    assert [s.title for s in doc.sections] == ["Intro", "Sub"]
    assert doc.main_file == "paper/main.tex"


def test_no_documentclass_is_an_error():
    with pytest.raises(LatexError, match=r"no TeX file has a \\documentclass \(files: a.tex, b.tex\)"):
        analyse_files({"a.tex": "\\section{A}", "b.tex": "text"})


def test_two_candidate_main_files_is_an_error_naming_both():
    doc = "\\documentclass{article}\n\\begin{document}\nx\n\\end{document}\n"
    with pytest.raises(LatexError) as info:
        analyse_files({"paper_a.tex": doc, "paper_b.tex": doc}, origin="src")
    message = str(info.value)
    assert "cannot tell which TeX file is the main one: paper_a.tex, paper_b.tex" in message
    assert "main.tex" in message  # the hint says how to resolve it


def test_main_file_preferences():
    doc = "\\documentclass{article}\n\\title{%s}\n\\begin{document}\nx\n\\end{document}\n"
    standalone = "\\documentclass{standalone}\n\\begin{document}\\end{document}"
    assert find_main_file({"fig.tex": standalone, "paper.tex": doc % "A"}) == "paper.tex"
    assert find_main_file({"other.tex": doc % "A", "ms.tex": doc % "B"}) == "ms.tex"
    titled = {"reply.tex": doc % "Reply to the referee", "paper.tex": doc % "Dark matter in dwarf galaxies"}
    assert find_main_file(titled, title="Dark Matter in Dwarf Galaxies") == "paper.tex"
    # a file another candidate \input-s is not the main one
    assert find_main_file({"a.tex": (doc % "A").replace("x", "\\input{b}"), "b.tex": doc % "B"}) == "a.tex"


def test_empty_tex_file_has_no_documentclass():
    with pytest.raises(LatexError, match="no TeX file has a"):
        analyse_files({"empty.tex": ""})


def test_glued_blob_from_a_saved_prompt_is_handled_leniently():
    template = "\\documentclass{mnras}\n\\title{How to use the MNRAS class}\n\\begin{document}\n\\section{Guide}\n\\end{document}\n"
    paper_doc = (
        "\\documentclass{mnras}\n\\title{Dark matter in dwarfs}\n\\begin{document}\n\\begin{abstract}Dwarfs.\\end{abstract}\n"
        "\\section{Introduction}\\cite{a}\n\\input{body}\n\\appendix\n\\section{Proof}\n\\end{document}\n"
    )
    glued_input = "\\section{Body}\nThe body \\citep{b}.\n"
    blob = template + paper_doc + glued_input
    paper = Paper(arxiv_id="2501.00001", metadata={"title": "Dark Matter in Dwarfs"},
                  tex_files=[TexFile("2025-01-01-2501.00001.tex", blob)], parts=object())
    doc = analyse_paper(paper)
    assert doc.title == "Dark matter in dwarfs"
    assert doc.abstract == "Dwarfs."
    assert doc.unresolved_inputs == ["body"]
    assert [s.title for s in doc.sections] == ["Introduction", "Body", "Proof"]
    assert [s.appendix for s in doc.sections] == [False, False, True]
    assert doc.citation_counts == {"a": 1, "b": 1}
    body = next(s for s in doc.sections if s.title == "Body")
    assert body.line == blob.count("\n", 0, blob.index("\\section{Body}")) + 1  # lines point into the blob


def test_analyse_paper_without_tex_is_none():
    assert analyse_paper(Paper(arxiv_id=None, metadata={"title": "x"})) is None
    assert Paper(arxiv_id=None, metadata={}).document is None


def test_unknown_macros_and_broken_latex_never_crash():
    assert latex_to_text(r"\unknownmacro{kept text} and \href{only-one}") .startswith("kept text and")
    assert latex_to_text(r"\textbf{unclosed") == "unclosed"
    assert latex_to_text(r"$\frac{a}{b}$ and \(x\)") == r"$\frac{a}{b}$ and \(x\)"
    assert latex_to_text(r"M\"uller and \'Ecole") == "Müller and École"
    assert latex_to_text("") == ""


def test_list_items_description_labels():
    items = list_items(r"\begin{description}\item[Speed] fast \item[Cost] low\end{description}")
    assert items == ["Speed: fast", "Cost: low"]


def test_appendix_environment_and_clean_tex_keeps_lines():
    main = "\\documentclass{article}\n\\begin{document}\n\\section{A}\n\\begin{appendix}\n\\section{B}\n\\end{appendix}\n\\end{document}"
    doc = analyse_files({"main.tex": main})
    assert doc.appendix_line == 4
    assert [s.appendix for s in doc.sections] == [False, True]
    assert clean_tex("a % x\nb").count("\n") == 1


# ----- robustness on arbitrary input ------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LATEXISH = st.lists(
    st.sampled_from(list("ab {}[]$%\\\n~^_#&") + [
        "\\section{", "\\begin{itemize}", "\\end{itemize}", "\\item ", "\\iffalse ", "\\fi ", "\\else ",
        "\\begin{verbatim}", "\\end{verbatim}", "\\verb|", "\\input{x}", "\\citep[", "\\cite{", "\\appendix ",
        "\\begin{comment}", "\\end{comment}", "\\caption{", "\\title{", "\\begin{abstract}", "\\end{abstract}",
        "\\href{", "\\frac", "\\'", '\\"',
    ]),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LATEXISH)
def test_arbitrary_latex_never_crashes_and_keeps_line_numbers(body):
    assert clean_tex(body).count("\n") == body.count("\n")
    assert isinstance(latex_to_text(body), str)
    main = "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    try:
        doc = analyse_files({"main.tex": main}, lenient=True)
    except LatexError:
        return  # e.g. the fuzz text commented out the \documentclass line's successor: a clear error is fine
    for section in doc.sections:
        assert isinstance(section.text, str)
    assert sum(doc.citation_counts.values()) == sum(len(c.keys) for c in doc.citations)


def test_user_macros_from_the_preamble():
    from posttui.latex import user_text_macros

    preamble = (
        r"\newcommand{\msun}{\ensuremath{M_\odot}}\newcommand\gambit{\textsf{GAMBIT}}\def\eg{e.g.\ }"
        r"\newcommand{\vect}[1]{\mathbf{#1}}\renewcommand{\loop}{\loop x}"
    )
    macros = user_text_macros(preamble)
    assert macros == (("eg", "e.g. "), ("gambit", "GAMBIT"), ("msun", "$\\ensuremath{M_\\odot}$"))
    assert latex_to_text(r"\gambit{} weighs 5\msun, \eg here", macros) == "GAMBIT weighs 5$\\ensuremath{M_\\odot}$, e.g. here"


def test_latex_shown_in_verbatim_is_not_structure():
    main = (
        "\\documentclass{article}\n\\begin{document}\n\\section{Real}\nUse \\verb|\\cite{fake1}| like this:\n"
        "\\begin{verbatim}\n\\section{Fake}\n\\cite{fake2} % kept\n\\end{verbatim}\n\\cite{real}\n\\end{document}\n"
    )
    doc = analyse_files({"main.tex": main})
    assert [s.title for s in doc.sections] == ["Real"]
    assert doc.citation_counts == {"real": 1}
    assert "\\cite{fake2} % kept" in doc.sections[0].source  # the text itself is untouched


def test_input_shown_in_verbatim_or_empty_is_not_an_inclusion():
    main = (
        "\\documentclass{article}\n\\begin{document}\n\\begin{verbatim}\n\\input{not_a_file}\n\\end{verbatim}\n"
        "\\input{}\n\\end{document}\n"
    )
    doc = analyse_files({"main.tex": main})
    assert doc.unresolved_inputs == [] and "\\input{not_a_file}" in doc.text


def test_import_package_commands_resolve_relative_to_their_directory():
    files = {
        "main.tex": "\\documentclass{article}\n\\begin{document}\n\\import{chapters/}{one}\n\\end{document}",
        "chapters/one.tex": "\\section{One}\n\\subimport{parts/}{two.tex}",
        "chapters/parts/two.tex": "\\section{Two}",
    }
    doc = analyse_files(files)
    assert [s.title for s in doc.sections] == ["One", "Two"]
    assert doc.included_files == ["chapters/one.tex", "chapters/parts/two.tex"]


# ----- the faster tokenizer parses exactly as pylatexenc's own -------------------------------------------------
def _shape(node):
    """A node tree as plain tuples (positions, kinds, text), without pylatexenc's parsing-state objects."""
    if node is None:
        return None
    if isinstance(node, list):
        return [_shape(n) for n in node]
    fields = [type(node).__name__, node.pos, node.len]
    for attr in ("chars", "macroname", "environmentname", "comment", "delimiters", "displaytype", "specials_chars",
                 "macro_post_space"):
        if hasattr(node, attr):
            fields.append(getattr(node, attr))
    if getattr(node, "nodelist", None) is not None:
        fields.append(_shape(node.nodelist))
    argd = getattr(node, "nodeargd", None)
    if argd is not None:
        fields.append((argd.argspec, _shape(list(argd.argnlist))))
    return tuple(fields)


def _parse_both(text, db):
    from pylatexenc import latexwalker

    from posttui.fast_walker import PlainCharWalker

    def parse(walker_class, latex_context):
        try:
            nodes = walker_class(text, latex_context=latex_context, tolerant_parsing=True).get_latex_nodes()
        except Exception as exc:  # noqa: BLE001 - pylatexenc itself fails on some input (\verb at the end)
            return "raises", type(exc).__name__
        return _shape(nodes[0]), nodes[1:]

    stock_db = copy.copy(db)
    for name in ("test_for_specials", "posttui_plain_run"):  # the class's own method
        stock_db.__dict__.pop(name, None)
    return parse(PlainCharWalker, db), parse(latexwalker.LatexWalker, stock_db)


LATEX_PIECES = ["a", "b", " ", "  ", "\n", "\n\n", "\\emph{", "}", "{", "$", "$$", "\\citep[e.g.][]{k1,k2}", "~",
                "--", "---", "``", "''", "`", "'", "%", "\\%", "\\\\", "\\begin{itemize}", "\\item ", "\\end{itemize}",
                "*", "[", "]", "\\frac ab", "\\textbf*", "x^2", "_i", "&", "#", "\\,", "\\(", "\\)", "é", "\t",
                "word", "   ", "\n\n\n", " \n ", "\\section{T}", "\\begin{verbatim}x \\y\\end{verbatim}", "\\verb|a b|",
                "\\[", "\\]", "\\href{u}{t}", "\\url{a%b}", "?`", "!`", "\\footnote[2]{n}",
                # hostile: broken environments and math, stray closers, accents, non-ASCII macros, odd line ends
                "\\begin{", "\\begin {x}", "\\end{x}", "\\begin{equation}", "\\end{equation}", "\\)", "\\]",
                "\\'e", '\\"{o}', "\\c c", "\\é", "\\ü{x}", "\\", "\r", "\r\n", "% c\r", "\n%\n", "\\\\[2pt]",
                "\\unknownmacro", "\\unknown[o]{a}{b}", "\\textbf", "\\item[x]", "\\cite", "\\citep[", "<", ">", "ß",
                "\u00a0", "\u2003", "\x1c", "\\mbox{", "\\\\*", "\\begin{verbatim}", "\\end{verbatim}", "\\verb", "|"]


def test_regex_whitespace_is_str_isspace():
    """The faster tokenizer reads whitespace with re's \\s where pylatexenc asks str.isspace: the same set."""
    import re

    space = re.compile(r"\s")
    assert [c for c in range(0x110000) if bool(space.fullmatch(chr(c))) != chr(c).isspace()] == []


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(LATEX_PIECES), max_size=40))
def test_plain_char_walker_parses_as_pylatexenc(pieces):
    from posttui.latex import _walker_db
    from posttui.latex_text import _contexts

    text = "".join(pieces)
    for db in (_walker_db(), _contexts()[0]):
        fast, stock = _parse_both(text, db)
        assert fast == stock


def test_plain_char_walker_parses_corpus_tex_as_pylatexenc(corpus_site):
    from posttui.latex import _walker_db

    prompt = sorted((corpus_site / "prompts" / "content").glob("*.txt"))[0].read_text(encoding="utf-8")
    sample = prompt[len(prompt) // 2 : len(prompt) // 2 + 20_000]
    fast, stock = _parse_both(sample, _walker_db())
    assert fast == stock


# ----- the faster walker and converter give stock pylatexenc's text ----------------------------------------------
def _texts(text):
    """Every LaTeX-to-text conversion built on pylatexenc: sections (with and without preamble macros) and
    bibliography fragments (the memo cleared, so that each run converts)."""
    from posttui import latex_text
    from posttui.latex import latex_to_text

    latex_text._slow_text.cache_clear()
    return (latex_to_text(text), latex_to_text(text, (("code", "GLIMMER"), ("eg", "e.g. "))),
            latex_text._slow_text(text), latex_text.latex_to_text(text))


def _stock_texts(text):
    from posttui import latex_text
    from posttui.fast_walker import stock_pylatexenc
    from posttui.latex import _walker_db

    try:
        with stock_pylatexenc(_walker_db(), latex_text._contexts()[0]):
            return _texts(text)
    finally:
        latex_text._slow_text.cache_clear()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LATEX_PIECES), max_size=40))
def test_fast_conversion_gives_stock_pylatexenc_text(pieces):
    text = "".join(pieces)
    assert _texts(text) == _stock_texts(text)


def test_fast_conversion_gives_stock_pylatexenc_text_on_corpus_sections(corpus_site):
    from posttui.sources.saved_prompt import load_saved_prompt

    prompt = sorted((corpus_site / "prompts" / "content").glob("*.txt"))[-1]
    doc = load_saved_prompt(prompt).document
    sources = [(s.source, s.user_macros) for s in doc.sections]
    assert len(sources) > 5

    def convert():
        from posttui.latex import latex_to_text

        return [latex_to_text(source, macros) for source, macros in sources]

    fast = convert()
    from posttui import latex_text
    from posttui.fast_walker import stock_pylatexenc
    from posttui.latex import _walker_db

    with stock_pylatexenc(_walker_db(), latex_text._contexts()[0]):
        stock = convert()
    assert fast == stock
    assert all(_stock_texts(source) == _texts(source) for source, _ in sources[:3])


BIB_PIECES = ["a", "B", " ", "\n", "{", "}", "~", "\\", "@", "-", "'", '"', "`", "^", "=", ".", ",", ";", ":", "!", "/",
              "0", "-1", "\\penalty", "\\newblock", "\\BibitemOpen", "\\makeatletter", "\\atother", "\\mn@doi",
              "\\href@noop", "\\'", '\\"', "\\`", "\\^", "\\~", "\\=", "\\.", "\\u", "\\v", "\\H", "\\c", "\\k", "\\r",
              "\\d", "\\b", "\\ss", "\\ae", "\\AE", "\\oe", "\\OE", "\\aa", "\\AA", "\\o", "\\O", "\\l", "\\L", "\\i",
              "\\j", "\\bibinfo", "\\bibfield", "\\GB", "\\GBx", "\\mnras", "\\emph", "\\&", "ü", "\u00a0"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(BIB_PIECES), max_size=25))
def test_bibliography_fast_path_skips_only_passes_that_would_change_nothing(pieces):
    """latex_text skips its substitution passes when a cheaper test shows they cannot match: that test must be
    a necessary condition of every pass it guards."""
    from posttui import latex_text as lt

    text = "".join(pieces)
    if not lt._PRE_ANY.search(text):
        assert not any(pattern.search(text) for pattern, _ in lt._PRE)
    if not lt._ACCENT_ANY.search(text):
        assert not any(p.search(text) for p in (lt._SYMBOL_ACCENT, lt._LETTER_ACCENT, lt._SPECIAL_RE))
    if "\\bib" not in text and "\\GB" not in text:
        assert not lt._TWO_ARG_FIRST_DROPPED.search(text)
    assert " ".join(text.split()) == lt._SPACES.sub(" ", text).strip()
