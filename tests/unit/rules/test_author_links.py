"""PT040-PT042: author links."""

from posttui.rules import Severity, fix

from .conftest import CTX, GOOD_NARRATIVE, post, rules_of, run, span_text


def with_sentence(sentence: str) -> str:
    return post(GOOD_NARRATIVE + "\n\n" + sentence + "\n")


def test_pt040_link_borrowed_from_another_author():
    text = with_sentence("Co-author [Charles Babbage](https://ada.example.org) helped.")
    (finding,) = run(text, select="PT040")
    assert span_text(text, finding) == "[Charles Babbage](https://ada.example.org)"
    assert "belongs to Ada Lovelace" in finding.message
    assert "Co-author Charles Babbage helped." in fix(text, CTX).text


def test_pt040_right_link_for_its_own_author_is_fine_also_with_variants():
    text = with_sentence(
        "With [Charles Babbage](https://github.com/cbabbage/) and [**Ada Lovelace**](http://ada.example.org) "
        "and [A. Lovelace](https://www.linkedin.com/in/ada)."
    )
    assert run(text, select="PT040") == []


def test_pt040_author_without_links_and_middle_initial_variants():
    text = with_sentence("Also [Grace Hopper](https://example.com/grace) and [Grace B. Hopper](/assets/grace.jpg).")
    found = run(text, select="PT040")
    assert len(found) == 2
    assert all("gives no link for Grace B. Hopper" in f.message for f in found)


def test_pt040_unknown_names_and_non_authors_are_not_judged():
    assert run(with_sentence("See [Alan Turing](https://example.com/turing)."), select="PT040") == []


def test_pt041_lead_author_named_or_not():
    assert run(post(GOOD_NARRATIVE), select="PT041") == []
    narrative = GOOD_NARRATIVE.replace("[Ada Lovelace](https://ada.example.org)", "the team")
    (finding,) = run(post(narrative), select="PT041")
    assert "Ada Lovelace" in finding.message and "https://ada.example.org" in finding.message
    assert [f.severity for f in run(post(narrative), partial=True, select="PT041")] == [Severity.PENDING]
    surname_only = GOOD_NARRATIVE.replace("[Ada Lovelace](https://ada.example.org)", "Lovelace")
    assert run(post(surname_only), select="PT041") == []


def test_pt042_social_link_swapped_for_academic_one():
    text = with_sentence("Led by [Ada Lovelace](https://www.linkedin.com/in/ada).")
    found = run(text, select="PT04")
    assert rules_of(found) == ["PT042"]
    assert "Led by [Ada Lovelace](https://ada.example.org)." in fix(text, CTX).text


def test_pt042_silent_when_social_is_the_only_link():
    from .conftest import make_context

    ctx = make_context(author_links={"Ada Lovelace": ("https://www.linkedin.com/in/ada",)})
    text = with_sentence("Led by [Ada Lovelace](https://www.linkedin.com/in/ada).")
    assert run(text, ctx, select="PT042") == []
