"""PT020-PT021: LaTeX left in the prose."""

import pytest

from posttui.rules import fix

from .conftest import CTX, GOOD_NARRATIVE, post, rules_of, run, span_text


def with_sentence(sentence: str) -> str:
    return post(GOOD_NARRATIVE + "\n\n" + sentence + "\n")


@pytest.mark.parametrize(
    "command, replacement",
    [
        (r"\cite{smith2020}", " ([10.1000/xyz(2020)01](https://doi.org/10.1000/xyz(2020)01))"),
        (r"\citep{jones2019}", " ([1901.00001](https://arxiv.org/abs/1901.00001))"),
        (r"\citet{jones2019}", " Jones ([1901.00001](https://arxiv.org/abs/1901.00001))"),
        (r"\citet*{smith2020}", " Smith et al. ([10.1000/xyz(2020)01](https://doi.org/10.1000/xyz(2020)01))"),
        (r"\citealt{jones2019}", " Jones [1901.00001](https://arxiv.org/abs/1901.00001)"),
        (r"\citeauthor{smith2020}", " Smith et al."),
        (r"\citeyear{smith2020}", " 2020"),
        (r"\parencite{jones2019}", " ([1901.00001](https://arxiv.org/abs/1901.00001))"),
        (r"\textcite{doe2018}", " Doe (2018)"),
        (r"\citep{doe2018}", " (Doe 2018)"),
        (
            r"\citep[see][p. 3]{smith2020,jones2019}",
            " (see [10.1000/xyz(2020)01](https://doi.org/10.1000/xyz(2020)01), "
            "[1901.00001](https://arxiv.org/abs/1901.00001), p. 3)",
        ),
        (r"\citep[chap. 2]{jones2019}", " ([1901.00001](https://arxiv.org/abs/1901.00001), chap. 2)"),
    ],
)
def test_pt020_resolvable_citations_become_reference_links(command, replacement):
    text = with_sentence(f"This was shown before {command} and is known.")
    found = run(text, select="PT020")
    assert rules_of(found) == ["PT020"]
    assert span_text(text, found[0]) == command
    result = fix(text, CTX)
    assert f"This was shown before{replacement} and is known." in result.text
    assert "PT020" not in rules_of(result.findings)


def test_pt020_unresolved_key_stays_an_error_without_fix():
    text = with_sentence(r"As shown \citep{smith2020,nobody1999}.")
    (finding,) = run(text, select="PT020")
    assert not finding.fixable
    assert "nobody1999" in finding.message and "not in the bibliography" in finding.message
    assert "PT020" in rules_of(fix(text, CTX).findings)


def test_pt020_ignores_code_spans_and_fences_but_not_math():
    text = with_sentence("Never write `\\cite{smith2020}` in a post.\n\n```latex\n\\citep{jones2019}\n```")
    assert run(text, select="PT020") == []
    assert rules_of(run(with_sentence(r"Odd $\cite{smith2020}$ here."), select="PT020")) == ["PT020"]


def test_pt020_unclosed_citation_is_reported():
    text = with_sentence(r"Broken \citep{smith2020 here")
    (finding,) = run(text, select="PT020")
    assert not finding.fixable


@pytest.mark.parametrize(
    "latex, markdown",
    [
        (r"\emph{very}", "*very*"),
        (r"\textbf{bold}", "**bold**"),
        (r"\textsc{GlobalEmu}", "GlobalEmu"),
        (r"\texttt{code}", "`code`"),
        (r"50\%", "50%"),
        (r"R\&D", "R&D"),
        (r"Fig.~2", "Fig. 2"),
        (r"Schr\"odinger", "Schrödinger"),
        (r"the model\label{sec:x}", "the model"),
    ],
)
def test_pt021_simple_latex_is_converted(latex, markdown):
    text = with_sentence(f"We saw {latex} here.")
    found = run(text, select="PT021")
    assert rules_of(found) == ["PT021"] and found[0].fixable
    assert f"We saw {markdown} here." in fix(text, CTX).text


def test_pt021_references_have_no_fix_and_math_is_left_alone():
    (finding,) = run(with_sentence(r"See Figure \ref{fig:one}."), select="PT021")
    assert not finding.fixable
    assert run(with_sentence(r"The ratio $\frac{a}{b} = 50\%$ and `\emph{x}` and ~3 dB and ~~gone~~."), select="PT021") == []


def test_pt021_unknown_command_outside_math():
    (finding,) = run(with_sentence(r"The value \alpha is small."), select="PT021")
    assert "\\alpha" in finding.message and not finding.fixable
