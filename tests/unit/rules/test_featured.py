"""PT010-PT011: the featured link in the first sentence, labelled with the bare id."""

import pytest

from posttui.rules import Severity, fix

from .conftest import CTX, FEATURED, post, rules_of, run, span_text

LINK = f"[{FEATURED}](https://arxiv.org/abs/{FEATURED})"


def first(sentence_and_more: str) -> str:
    return post(sentence_and_more + "\n\nMore text follows here.\n")


@pytest.mark.parametrize(
    "opening",
    [
        f"We study engines, e.g. the analytical one, in {LINK}. Then more.",
        f"Lovelace et al. show in {LINK} that it works. Then more.",
        f"As Fig. 2 and Eq. 3 and Sec. 4 show (approx. 5 vs. 6), i.e. clearly, {LINK} works. Then more.",
        f"The result [see Smith et al. 2020. Really](https://arxiv.org/abs/1901.00001) and {LINK} hold. Then.",
        f"The bound $a. b$ and `x. y` both appear in {LINK} today. Then more.",
        f"A. Lovelace wrote {LINK}. Then more.",
        f"## A heading first\n\nThe paper {LINK} is new. Then more.",
    ],
)
def test_pt010_first_sentence_detection_skips_abbreviations_links_math_code(opening):
    assert run(first(opening), select="PT010") == []


@pytest.mark.parametrize(
    "opening",
    [
        f"We study engines. The paper {LINK} is new.",
        "We study engines without any link at all. None here.",
        f"Is this new? Yes, {LINK} is new.",
        f'He said "engines compute." Then {LINK} appeared.',
        f"We study engines (and more.) Then {LINK} appeared.",
    ],
)
def test_pt010_link_missing_from_first_sentence(opening):
    text = first(opening)
    found = run(text, select="PT010")
    assert rules_of(found) == ["PT010"]
    assert span_text(text, found[0]).startswith(opening.split(" ")[0])
    assert not found[0].fixable


def test_pt010_message_says_where_the_link_is():
    text = first(f"We study engines. The paper {LINK} is new.")
    (finding,) = run(text, select="PT010")
    assert "first appears at line" in finding.message
    assert span_text(text, finding) == "We study engines."


def test_pt010_streaming_first_sentence_is_pending_then_ok():
    head = post("").split("<!-- END")[0]
    partial = head + "We study engines, e.g. the"
    assert [f.severity for f in run(partial, partial=True, select="PT010")] == [Severity.PENDING]
    partial = head + f"We study engines in {LINK}"
    assert run(partial, partial=True, select="PT010") == []


def test_pt011_title_label_is_relabelled_keeping_the_title_as_prose():
    text = first(f'In "[A Test Paper](https://arxiv.org/abs/{FEATURED}v2)," we show it. More.')
    found = run(text, select="PT011")
    assert rules_of(found) == ["PT011"]
    assert span_text(text, found[0]) == f"[A Test Paper](https://arxiv.org/abs/{FEATURED}v2)"
    fixed = fix(text, CTX).text
    assert f'In "A Test Paper ({LINK})," we show it.' in fixed
    assert run(fixed, select="PT011") == []


def test_pt011_identifier_like_label_is_replaced():
    text = first(f"See [arXiv:{FEATURED}](https://arxiv.org/abs/{FEATURED}) now. More.")
    assert f"See {LINK} now." in fix(text, CTX).text


def test_pt011_bare_id_label_is_fine():
    assert run(first(f"See {LINK} now. More."), select="PT011") == []
