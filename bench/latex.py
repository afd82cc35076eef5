"""Benchmark: analysing a 0.5 MB TeX source, and converting its sections to text (goals: under a second each).

Usage: python bench/latex.py
Builds a synthetic paper of about 0.5 MB (sections, citations, math, comments, figures, lists, ``\\input``) in
memory, then times, as CPU time in one process:

* :func:`posttui.latex.analyse_files` against a baseline: one full conversion of the text by stock pylatexenc
  (what converting everything eagerly would cost);
* converting every section body to text (done lazily, on first access, in the panes), against the same
  conversion by stock pylatexenc (:func:`posttui.fast_walker.stock_pylatexenc`: its own walker and converter);
* converting bibliography fragments (author lists, titles with math, journals) one call at a time, as
  ``parse_bbl`` does, against the same with stock pylatexenc.
"""

from __future__ import annotations

import time

from posttui.latex import analyse_files, latex_to_text

PARAGRAPH = (
    "Galaxies at high redshift \\citep[e.g.][]{smith2020,jones2021} form stars at a rate of "
    "$\\dot{M}_\\star \\approx 10\\,M_\\odot\\,\\mathrm{yr}^{-1}$ (see \\citealt{lee2019}). % a comment\n"
    "We fit 50\\% of the sample with \\textbf{bold} and \\emph{emphasis}, following \\citet{wu2018}.\n\n"
)
FIGURE = (
    "\\begin{figure}\n\\includegraphics[width=\\columnwidth]{fig.pdf}\n"
    "\\caption{The stellar mass function at $z=%d$ compared with \\citet{smith2020}.}\n\\end{figure}\n"
)


def synthetic_paper(target: int = 500_000) -> dict[str, str]:
    body = []
    n = 0
    size = 0
    while size < target - 20_000:
        n += 1
        chunk = f"\\section{{Section {n}}}\n" + PARAGRAPH * 6 + f"\\subsection{{Part {n}.a}}\n" + PARAGRAPH * 6
        chunk += FIGURE % n + "\\begin{itemize}\\item one\\item two \\cite{a,b}\\end{itemize}\n"
        body.append(chunk)
        size += len(chunk)
    main = (
        "\\documentclass{mnras}\n\\newcommand{\\code}{\\textsc{Glimmer}}\n\\title{A Synthetic Paper}\n"
        "\\begin{document}\n\\begin{abstract}We test speed.\\end{abstract}\n\\input{body}\n"
        "\\section{Conclusions}\n\\begin{enumerate}\\item Fast.\\item Correct.\\end{enumerate}\n\\end{document}\n"
    )
    return {"main.tex": main, "body.tex": "".join(body)}


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cpu_of(fn) -> float:
    """CPU seconds of one call (the machine is shared: wall time would count the neighbours too)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


BIB_FRAGMENTS = (
    "K{{\\\"u}}hne, A.~B. and Bal\\'azs, C. and {i} others",
    "Constraints on $\\Lambda$CDM from {i} clusters at $z\\sim {i}$",
    "The \\textsc{{Glimmer}} code\\footnote{{v{i}}} and the $M_\\star$--$M_{{\\rm h}}$ relation",
    "\\mnras, {i}, 1234--1250",
)


def bibliography_fragments(n: int = 2_000) -> list[str]:
    """Author lists, titles and journals of the kind ``parse_bbl`` converts one by one (math, accents, macros)."""
    return [BIB_FRAGMENTS[i % len(BIB_FRAGMENTS)].format(i=i // len(BIB_FRAGMENTS)) for i in range(n)]


def convert_sections(doc) -> None:
    for s in doc.sections:
        latex_to_text(s.source, s.user_macros)  # what Section.text does, without its cache


def convert_bibliography(fragments: list[str]) -> None:
    from posttui import latex_text

    latex_text._slow_text.cache_clear()
    for fragment in fragments:
        latex_text.latex_to_text(fragment)


def stock():
    """pylatexenc's own walker and converter (no posttui shortcuts): the baseline."""
    from posttui import latex, latex_text
    from posttui.fast_walker import stock_pylatexenc

    return stock_pylatexenc(latex._walker_db(), latex_text._contexts()[0])


def main() -> None:
    files = synthetic_paper()
    size = sum(len(t) for t in files.values())
    doc = analyse_files(files)
    fragments = bibliography_fragments()
    convert_sections(doc)  # warm up: contexts, converters, imports
    analyse = best_of(lambda: analyse_files(files))
    with stock():
        baseline = cpu_of(lambda: latex_to_text(files["body.tex"]))
        stock_sections = cpu_of(lambda: convert_sections(doc))
        stock_bib = cpu_of(lambda: convert_bibliography(fragments))
    sections = cpu_of(lambda: convert_sections(doc))
    bib = cpu_of(lambda: convert_bibliography(fragments))
    print(f"source: {size / 1e6:.2f} MB, {len(doc.sections)} sections, {len(doc.citations)} citations")
    print(f"analyse_files: {analyse * 1000:.0f} ms (goal < 1000 ms)")
    print(f"baseline, one full conversion of the text by stock pylatexenc: {baseline * 1000:.0f} ms CPU")
    print(f"ratio analyse/baseline: {analyse / baseline:.3f}")
    print(f"converting every section body to text (lazy, on demand): {sections * 1000:.0f} ms CPU (goal <= 1000 ms); "
          f"with stock pylatexenc: {stock_sections * 1000:.0f} ms CPU, ratio {sections / stock_sections:.2f}x")
    print(f"bibliography fragments (latex_text.latex_to_text, {len(fragments)} calls): "
          f"{bib / len(fragments) * 1e6:.0f} us per call; with stock pylatexenc: "
          f"{stock_bib / len(fragments) * 1e6:.0f} us, ratio {bib / stock_bib:.2f}x")


if __name__ == "__main__":
    main()
