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


@pytest.mark.parametrize(
    "sentence, fixed",
    [
        # The Hypothesis case: the removal put a letter before ``**~`` so the ``**`` could no longer open.
        (r"In\nocite{jones2019}**~1700-fold speedup** here.", "In **~1700-fold speedup** here."),
        (r"In\nocite{jones2019}*~17* here.", "In *~17* here."),
        (r"In\nocite{jones2019}_~17_ here.", "In _~17_ here."),
        (r"In \nocite{jones2019}__bold__ here.", "In __bold__ here."),
        (r"In\label{sec:x}**~1700-fold speedup** here.", "In **~1700-fold speedup** here."),
        # The closing side: ``**`` after punctuation closes only before a space or punctuation.
        (r"It is **x~**\nocite{jones2019}b here.", "It is **x~** b here."),
        (r"It is **bold \nocite{jones2019}** here.", "It is **bold** here."),
        (r"It is _x~_\nocite{jones2019}b here.", "It is _x~_ b here."),
        # Code spans: two runs of one backtick joined would make one run of two.
        (r"It is `x`\nocite{jones2019}`y` here.", "It is `x` `y` here."),
        # Start and end of a line.
        ("It is\n" r"\nocite{jones2019}**~1700** here.", "It is\n**~1700** here."),
        ("It is **~1700**\n" r"\nocite{jones2019}here.", "It is **~1700**\nhere."),
        ("It is **a\n" r"\nocite{jones2019}" "\nb** here.", "It is **a\nb** here."),
        # A replacement, not a removal: ``2019_recent_`` would be an intraword underscore.
        (r"Since \citeyear{jones2019}_recent_ work.", "Since 2019 _recent_ work."),
        # PT021 replacements change a neighbour too: a logo's ``{}`` or an accent's backslash is punctuation, the
        # word or letter that replaces it is not.
        (r"It is \LaTeX{}*~17* here.", "It is LaTeX *~17* here."),
        # Plain text around: spaces as a writer expects, no words joined.
        (r"As known \nocite{jones2019}.", "As known."),
        (r"As \nocite{jones2019} known.", "As known."),
        (r"As \nocite{jones2019}known.", "As known."),
    ],
)
def test_latex_removals_keep_the_markup_around_them(sentence, fixed):
    """Removing or replacing a command joins its neighbours; CommonMark judges ``*``, ``_`` and backticks by
    their neighbours, so the fix must render as the draft did, minus the command."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    text = with_sentence(sentence)
    result = fix(text, CTX)
    assert f"\n\n{fixed}\n" in result.text
    assert not [f for f in result.findings if f.rule in ("PT020", "PT021")]
    before, after = md.render(sentence), md.render(fixed)
    for tag in ("em", "strong", "code"):
        assert after.count(f"<{tag}>") == before.count(f"<{tag}>"), (tag, before, after)
    assert after.count("<p>") == 1


def test_a_removal_that_cannot_keep_the_markup_has_no_fix():
    """When no form of the edit renders alike, the finding is reported without a fix (a person decides)."""
    from posttui.rules.leftover_latex import fitting_edit

    # Removed (or replaced by a space), the command would leave ``# b`` or ``- b`` starting a line of the
    # paragraph: a heading or a list item.
    assert fitting_edit("a\n\\nocite{x}# b\n", 2, 12, "") is None
    assert fitting_edit("a\n\\nocite{x}- b\n", 2, 12, "") is None
    # ``- \\nocite{x}.`` minus the space before the command is ``-.``: no list item any more.
    assert fitting_edit("a\n- \\nocite{x}. b\n", 4, 14, "") == (4, 14, "")
    # An empty item cannot interrupt a paragraph: ``a\n-`` is a heading, so nothing fits.
    assert fitting_edit("a\n- \\nocite{x}\n", 4, 14, "") is None
    # Where a form fits, it is the one a writer would choose: the space before goes along before a full stop.
    assert fitting_edit(r"See **~1700** \nocite{x}.", 14, 24, "") == (13, 24, "")
    # ``[a] (b)`` stays text; ``[a](b)`` would be a link.
    assert fitting_edit(r"[a]\nocite{x}(b)", 3, 13, "") == (3, 13, " ")
    # An accent is a letter inside a word: no space may split the word, so ``__(x)__ö`` (whose ``__`` would no
    # longer close) leaves the accent to a person.
    assert fitting_edit(r"__(x)__\"o", 7, 10, "ö", pad=False) is None
    assert fitting_edit(r"__(x)__\"o", 7, 10, "ö") == (7, 10, " ö")


def test_pt021_tie_and_accent_scans_find_what_the_plain_patterns_find():
    """The tie pattern looks for the tilde first, and the accent scan runs only on text with an accent command
    (both for speed); on random text they find exactly what the plain look-behind-first pattern and an unguarded
    scan find."""
    import random
    import re

    from posttui.rules.leftover_latex import _ACCENT_MARK_RE, _ACCENT_RE, _TIE_RE

    plain_tie = re.compile(r"(?<=[^\W_]|[.,;:)\]])~(?=[^\W_]|[(\[])")
    alphabet = "a~_.,;:)]([ \n1é{}\\`'^\"=.Z"
    rng = random.Random(21)
    for _ in range(30_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert [m.span() for m in _TIE_RE.finditer(text)] == [m.span() for m in plain_tie.finditer(text)], text
        if _ACCENT_RE.search(text):
            assert _ACCENT_MARK_RE.search(text), text
