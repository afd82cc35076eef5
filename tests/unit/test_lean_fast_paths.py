"""The lean prompt's shortcuts give what the full work gives.

The lean prompt analyses the TeX without its structure (``analyse_paper(structure=False)``: only the body and the
user macros are read). Pinned here: those fields, the warnings and the whole lean prompt equal the ones made from
the full analysis, on every corpus paper and on hostile TeX.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from posttui.latex import analyse_files
from posttui.lean import lean_blocks
from posttui.sources import load

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"


def _same_light_fields(files: dict[str, str], *, lenient: bool) -> None:
    try:
        full = analyse_files(files, lenient=lenient)
    except Exception as exc:  # noqa: BLE001 - the light analysis must fail the same way
        with pytest.raises(type(exc)) as caught:
            analyse_files(files, lenient=lenient, structure=False)
        assert str(caught.value) == str(exc)
        return
    light = analyse_files(files, lenient=lenient, structure=False)
    for name in ("main_file", "text", "preamble", "user_macros", "warnings", "unresolved_inputs", "included_files",
                 "body"):
        assert getattr(light, name) == getattr(full, name), name
    assert light._segments == full._segments
    assert not light.sections and not light.citations and not light.title and not light.abstract


HOSTILE = [
    {"main.tex": "\\documentclass{article}\n\\newcommand{\\R}{\\mathbb{R}}\n\\newcommand\\foo{Foo}\n"
                 "\\begin{document}\n\\title{T}\\maketitle\n\\section{A}\\foo{} \\cite{k}\n\\end{document}\n"},
    {"main.tex": "\\documentclass{article}\\begin{document}\n\\input{missing}\n\\input{part}\\end{document}",
     "part.tex": "\\section{P} text % comment \\end{document}\n"},
    {"main.tex": "no document class at all, \\section{S}"},
    {"main.tex": "\\documentclass{article}\n\\begin{verbatim}\n\\begin{document}\n\\end{verbatim}\n"
                 "\\begin{document}body\\verb|\\end{document}| more\n\\end{document}\ntrailing"},
    {"main.tex": "\\documentclass{article}\\begin{document}A\\end{document}\n\\documentclass{article}"
                 "\\begin{document}B \\section{longer} text\\end{document}"},
    {"main.tex": "\\documentclass{article}\n\\def\\x{X}\\begin{document}\\begin{abstract}a\\end{abstract}"},
    {"a.tex": "\\documentclass{article}\\begin{document}\\input{b}\\end{document}",
     "b.tex": "\\input{a}\\section{loop}"},
    {"main.tex": ""},
    {"main.tex": "\\documentclass{article}\r\n\\begin{document}\r\nCRLF \\section*{S}\r\n\\appendix\r\n"
                 "\\section{App}\\end{document}"},
]


@pytest.mark.parametrize("files", HOSTILE)
@pytest.mark.parametrize("lenient", [False, True])
def test_light_analysis_fields_equal_the_full_analysis_on_hostile_tex(files, lenient):
    _same_light_fields(files, lenient=lenient)


def _corpus_bundles(corpus_site: Path, tmp_path: Path):
    """Every corpus saved prompt unpacked into an ordinary bundle (as bench/lean.py does)."""
    from posttui.sources.saved_prompt import unpack_saved_prompt

    prompts = sorted((corpus_site / "prompts/content").glob("*.txt"))
    assert len(prompts) >= 50
    for prompt in prompts:
        bundle = tmp_path / prompt.stem
        unpack_saved_prompt(prompt, bundle)
        yield bundle


def _lean_both_ways(bundle: Path) -> None:
    light = load(bundle, feedparser_dicts=False)
    light_blocks = lean_blocks(light, light.author_info or {})
    assert "document" not in light.__dict__  # the light analysis is not cached as the paper's document
    full = load(bundle, feedparser_dicts=False)
    try:
        full.document
    except Exception:  # noqa: BLE001 - noted on the paper; the lean prompt falls back the same way
        pass
    assert lean_blocks(full, full.author_info or {}) == light_blocks
    assert light.warnings == full.warnings


def test_lean_blocks_equal_with_and_without_the_full_analysis(tmp_path):
    _lean_both_ways(EXAMPLE)
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLE, broken)
    main = broken / "main.tex"
    main.write_text(main.read_text(encoding="utf-8") + "\n\\input{not-there}\n", encoding="utf-8")
    _lean_both_ways(broken)  # a missing \input: an error, noted the same way, and the raw-text fallback
    main.write_text(main.read_text(encoding="utf-8").replace("\\documentclass", "\\doc"), encoding="utf-8")
    _lean_both_ways(broken)


@pytest.mark.corpus
def test_light_analysis_equals_the_full_analysis_on_the_corpus(corpus_site, tmp_path):
    for bundle in _corpus_bundles(corpus_site, tmp_path):
        _lean_both_ways(bundle)
        paper = load(bundle, feedparser_dicts=False)
        files = {f.name: f.text for f in paper.tex_files}
        _same_light_fields(files, lenient=True)
        _same_light_fields(files, lenient=False)


# ----- last_digit_match: the year of a numbered-style reference, converting less of its inline math -------------
import random  # noqa: E402
import re  # noqa: E402

from posttui.latex_text import DIGIT_MAKING_MACROS, _contexts, last_digit_match, latex_to_text  # noqa: E402
from posttui.references import _YEAR  # noqa: E402

_FOUR_DIGITS = re.compile(r"(?<![\d./])(\d{4})(?![\d/])")


def _same_digits(text: str) -> None:
    plain = latex_to_text(text)
    for pattern in (_YEAR, _FOUR_DIGITS):  # both match runs of four digits only
        found = pattern.findall(plain)
        for min_run in (1, 4):
            assert last_digit_match(text, pattern, min_run) == (found[-1] if found else ""), (text, pattern, min_run)


HOSTILE_DIGITS = [
    "2019$\\,$$x$", "20$x$19", "20$\\,$19", "$x$2019", "2019$x$", "$\\today$ x", "a $\\today$ b",
    "a $\\section{x}$ b", "(2019)$^{a}$", "19$\\,$99", "$a$ $b$ 2019", "x $ 2019", "\\$2019$x$ y",
    "$x$/2019", "2019.$x$", "a $\\frac{a}{b}$ 2019", "a $\\frac{1}{9}$ 2019", "a $1{9}{9}9$ b",
    "a $\\item$ b 1999", "a $\\begin{array}{c}x\\end{array}$ b", "a $\\char`x$ b", "{2019}$x$", "$x${2019}",
    "A. Author, $\\sqrt{s}=13$ TeV, Phys. Rev. D {\\bf 99} (2019) 1",
    "A. Author, $B\\to K^*\\mu\\mu$, JHEP {\\bf 05} (2018) 2020 \\penalty2000 x",
    "\\penalty2021 $x$ a", "2019 $x$ $y$ 2020", "$x$$y$ 2020", "2020$x$$y$", "a~$x$~2019", "a$x$\xa02019",
    "a $\\mathrm{x}$ \u0661\u0669\u0669\u0669", "1$\\,$2019 b", "1$\\,$2019", "a 2019 $x$ b 1$\\,$999 c",
    "a $H_{0}$ b", "$5.3\\sigma$ 2019", "2019 $5.3\\sigma$", "201$9$ b", "a $1$019 b", "a 2019 b $12$", "$1$$2$ $3$",
    "a 2019 b $1$ 999", "a 2019 b $2020$", "a 2019 b $1$999", "a 2019 b $\\,$ 1999 $1$", "(1999) $x$ (2019$\\,$)", "a (2019) b $2$0 c", "x 2019. $1$1999", "a \u0661$x$ 999", "a $x$ b \\% 2019", "a $\\the$ 1999",
]


@pytest.mark.parametrize("text", HOSTILE_DIGITS)
def test_last_year_equal_latex_to_text_on_hostile_input(text):
    _same_digits(text)


def test_last_year_equal_latex_to_text_on_generated_input():
    tokens = ["2019", "20", "19", "1999", "$x$", "$\\,$", "$1$", "$H_{0}$", "$5.3\\sigma$", "$12$", "$123$",
              "$\\today$", "/", ".", "{", "}", "\\emph{", "a",
              " ", "$\\mathrm{x}$", "\\penalty2019", "--", "~", "$\\sqrt{s}$", "$^{-1}$", "\\textbf{", ",", "(", ")",
              "$\\alpha$", "$\\frac{a}{b}$", "$", "\\$", "\\\\"]
    rng = random.Random(14)
    for _ in range(4000):
        _same_digits("".join(rng.choice(tokens) for _ in range(rng.randint(1, 12))))


def test_every_converter_spec_that_could_make_digits_is_listed():
    """A macro whose text is computed (not only its arguments' text, as the accents, fonts and bibliography
    fields are) or written with a digit must be in DIGIT_MAKING_MACROS; environments come in through \\begin."""
    _, converter = _contexts()
    db = converter.latex_context
    argument_only = {"'", '"', "%", ".", "=", "H", "^", "`", "~", "acute", "b", "bar", "breve", "c", "check", "d",
                     "ddot", "dot", "grave", "hat", "k", "r", "tilde", "u", "v", "vec", "not", "mathbb", "mathbf",
                     "mathcal", "mathfrak", "mathit", "mathscr", "mathsf", "mathtt", "BibitemShut", "Eprint",
                     "JournalTitle", "MakeLowercase", "MakeUppercase", "bibfield", "bibfnamefont", "bibinfo",
                     "bibnamefont", "citenamefont", "doi", "eprint", "field", "href", "includegraphics", "name",
                     "natexlab", "texorpdfstring", "textmd", "textnormal", "textrm", "textsc", "textsf", "textup",
                     "url", "verb"}
    assert "begin" in DIGIT_MAKING_MACROS
    for category in db.categories():
        for spec in db.iter_macro_specs([category]):
            repl = getattr(spec, "simplify_repl", None)
            if isinstance(repl, str):
                written = re.sub(r"%\(\d+\)s", "", repl)  # argument placeholders are not digits of the text
                if re.search(r"\d", written):
                    assert spec.macroname in DIGIT_MAKING_MACROS, spec.macroname
            elif callable(repl) and spec.macroname not in argument_only:
                assert spec.macroname in DIGIT_MAKING_MACROS, spec.macroname
        for spec in db.iter_specials_specs([category]):
            repl = getattr(spec, "simplify_repl", None)
            assert not (isinstance(repl, str) and re.search(r"\d", repl)), spec.specials_chars


@pytest.mark.corpus
def test_last_year_equal_latex_to_text_on_every_corpus_entry(corpus_site, tmp_path):
    from posttui.references import _NAMES_PENDING, parse_bbl

    entries = 0
    for bundle in _corpus_bundles(corpus_site, tmp_path):
        for bbl in bundle.glob("*.bbl"):
            for ref in parse_bbl(bbl.read_text(encoding="utf-8"), str(bbl)):
                source = ref.__dict__.get(_NAMES_PENDING)
                if source is None:
                    continue
                entries += 1
                for text in (source.stripped, source.body, *source.segments):
                    _same_digits(text)
    assert entries > 3000


# ----- _read_group: one regex match for groups nested up to three deep --------------------------------------------
def _scanned_group(text: str, pos: int) -> tuple[str, int] | None:
    """The token scan _read_group used alone for ``{...}`` (its plain definition)."""
    if pos >= len(text) or text[pos] != "{":
        return None
    depth = 0
    for m in re.compile(r"\\.|[{}]", re.S).finditer(text, pos):
        c = m.group()
        if len(c) == 2:
            continue
        depth += 1 if c == "{" else -1
        if depth == 0:
            return text[pos + 1 : m.start()], m.end()
    return None


def _same_groups(text: str) -> None:
    from posttui.references import _read_group

    for pos in range(len(text)):
        if text[pos] == "{":
            assert _read_group(text, pos) == _scanned_group(text, pos), (text, pos)


HOSTILE_GROUPS = ["{a}", "{a", "{}", "{{}", "{\\}}", "{\\{}", "{a\\", "{\\\n}", "{a{b{c{d}}}}", "{a{b{c{d}}}",
                  "{a{b{c}}} {x{y{z{w{v}}}}}", "{\\\\}}", "{%}", "{\u00e9{\u0301}}", "{a\nb{c\n}d}", "{{{{}}}}}"]


@pytest.mark.parametrize("text", HOSTILE_GROUPS)
def test_read_group_equals_the_token_scan_on_hostile_groups(text):
    _same_groups(text)


def test_read_group_equals_the_token_scan_on_generated_text():
    rng = random.Random(140)
    for _ in range(3000):
        _same_groups("".join(rng.choice(["{", "}", "\\", "a", " ", "\n", "\\{", "\\}", "ab"])
                             for _ in range(rng.randint(1, 20))))


@pytest.mark.corpus
def test_read_group_equals_the_token_scan_on_every_corpus_bibliography(corpus_site, tmp_path):
    read = 0
    for bundle in _corpus_bundles(corpus_site, tmp_path):
        for bbl in bundle.glob("*.bbl"):
            _same_groups(bbl.read_text(encoding="utf-8"))
            read += 1
    assert read >= 40
