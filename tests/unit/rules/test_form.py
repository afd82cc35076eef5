"""PT060-PT063: length, structure, math and link syntax."""

import pytest

from posttui.rules import CheckOptions, Severity, check

from .conftest import CTX, FILLER, GOOD_NARRATIVE, post, rules_of, run, span_text


def test_pt060_short_empty_and_long():
    assert rules_of(run(post("Too short."), select="PT060")) == ["PT060"]
    (empty,) = run(post(""), select="PT060")
    assert "no text" in empty.message
    assert [f.severity for f in run(post("Short."), partial=True, select="PT060")] == [Severity.PENDING]
    assert run(post(GOOD_NARRATIVE), select="PT060") == []
    long = check(post(GOOD_NARRATIVE), CTX, options=CheckOptions(select=("PT060",), max_words=100))
    assert "more than the limit of 100" in long[0].message


def test_pt060_code_and_urls_do_not_count_as_words():
    code = "```\n" + "word " * 400 + "\n```"
    assert rules_of(run(post("Intro sentence here.\n\n" + code), select="PT060")) == ["PT060"]


def test_pt061_structure():
    assert run(post(GOOD_NARRATIVE), select="PT061") == []
    (finding,) = run(post(FILLER * 20), select="PT061")
    assert finding.severity == Severity.INFO
    assert run(post("**Key points:**\n" + FILLER * 20), select="PT061") == []


@pytest.mark.parametrize(
    "sentence, bad",
    [
        ("The value $x^2 is open.", "$"),
        ("Display $$x^2 never closes.", "$$"),
        (r"Inline \(x^2 never closes.", r"\("),
        (r"Block \[x^2 never closes.", r"\["),
    ],
)
def test_pt062_unbalanced_math(sentence, bad):
    text = post(GOOD_NARRATIVE + "\n\n" + sentence + "\n")
    (finding,) = run(text, select="PT062")
    assert span_text(text, finding) == bad


def test_pt062_balanced_math_escaped_dollars_and_code_are_fine():
    text = post(GOOD_NARRATIVE + "\n\nCosts \\$5 and `$HOME` and $a$ and $$b$$ and \\(c\\) and \\[d\\].\n")
    assert run(text, select="PT062") == []


def test_pt062_pending_at_the_streaming_tail():
    text = post("").split("<!-- END")[0] + "The value $x^2 +"
    assert [f.severity for f in run(text, partial=True, select="PT062")] == [Severity.PENDING]


@pytest.mark.parametrize(
    "sentence",
    [
        "A [broken](https://arxiv.org/abs/1901.00001 link.",
        "A stray](https://example.org) link.",
        "A [spaced] (https://example.org) link.",
        "An ![image](/a.png image.",
        "A [link](https://example.org/a missing paren. Later (an aside) follows.",
    ],
)
def test_pt063_malformed_links(sentence):
    text = post(GOOD_NARRATIVE + "\n\n" + sentence + "\n")
    assert rules_of(run(text, select="PT063")) == ["PT063"]


def test_pt063_fine_links():
    text = post(GOOD_NARRATIVE + "\n\nA [nested [brackets]](https://example.org/a_(b)) and [x]: ok `[a](b` and [ref].\n")
    assert run(text, select="PT063") == []
