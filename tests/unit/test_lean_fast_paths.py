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
    from posttui.sources.saved_prompt import unpack_saved_prompt

    prompts = sorted((corpus_site / "prompts/content").glob("*.txt"))
    for prompt in prompts:
        bundle = tmp_path / prompt.stem
        unpack_saved_prompt(prompt, bundle)
        _lean_both_ways(bundle)
        paper = load(bundle, feedparser_dicts=False)
        files = {f.name: f.text for f in paper.tex_files}
        _same_light_fields(files, lenient=True)
        _same_light_fields(files, lenient=False)
    assert len(prompts) >= 50
