"""Benchmark: analysing a 0.5 MB TeX source (goal: well under a second).

Usage: python bench/latex.py
Builds a synthetic paper of about 0.5 MB (sections, citations, math, comments, figures, lists, ``\\input``) in
memory, then times :func:`posttui.latex.analyse_files` against a baseline measured in the same process: one full
pylatexenc parse of the same text (what converting everything eagerly would cost). Also times converting every
section body to text (done lazily, on first access, in the panes).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

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


@contextmanager
def stock_pylatexenc():
    """pylatexenc's own tokenizer and specials lookup, as before posttui's faster (same-result) ones."""
    from pylatexenc import latexwalker

    from posttui import fast_walker, latex

    db = latex._walker_db()
    walker = fast_walker.PlainCharWalker
    fast_walker.PlainCharWalker = latexwalker.LatexWalker
    del db.test_for_specials
    try:
        yield
    finally:
        fast_walker.PlainCharWalker = walker
        fast_walker.index_specials(db)


def main() -> None:
    files = synthetic_paper()
    size = sum(len(t) for t in files.values())
    doc = analyse_files(files)
    analyse = best_of(lambda: analyse_files(files))
    baseline = best_of(lambda: latex_to_text(files["body.tex"]), repeat=1)
    sections = cpu_of(lambda: [latex_to_text(s.source) for s in doc.sections])
    with stock_pylatexenc():
        stock = cpu_of(lambda: [latex_to_text(s.source) for s in doc.sections])
    print(f"source: {size / 1e6:.2f} MB, {len(doc.sections)} sections, {len(doc.citations)} citations")
    print(f"analyse_files: {analyse * 1000:.0f} ms (goal < 1000 ms)")
    print(f"baseline, one full pylatexenc conversion of the text: {baseline * 1000:.0f} ms")
    print(f"ratio analyse/baseline: {analyse / baseline:.3f}")
    print(f"converting every section body to text (lazy, on demand): {sections * 1000:.0f} ms CPU (goal <= 1000 ms); "
          f"with stock pylatexenc tokenizing: {stock * 1000:.0f} ms CPU, ratio {sections / stock:.2f}x")


if __name__ == "__main__":
    main()
