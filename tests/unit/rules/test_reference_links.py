"""PT030-PT032: reference links: enough of them, canonical, and known to the sources."""

import pytest

from posttui.rules import CheckOptions, Severity, check, fix

from .conftest import CTX, FEATURED, FILLER, GOOD_NARRATIVE, make_context, post, rules_of, run, span_text

OPENING = f"Our paper [{FEATURED}](https://arxiv.org/abs/{FEATURED}) by Ada Lovelace is new.\n\n## Part\n\n"


def test_pt030_counts_distinct_reference_links_without_the_featured_paper():
    two = OPENING + FILLER * 10 + (
        " See [1901.00001](https://arxiv.org/abs/1901.00001), again [1901.00001](https://arxiv.org/abs/1901.00001v1)"
        f" and [10.3847/1538-4357/aa1234](https://doi.org/10.3847/1538-4357/aa1234) and [{FEATURED}]"
        f"(https://arxiv.org/abs/{FEATURED})."
    )
    found = run(post(two), select="PT030")
    assert rules_of(found) == ["PT030"]
    assert "only 2 reference links" in found[0].message
    assert run(post(GOOD_NARRATIVE), select="PT030") == []


def test_pt030_pending_while_streaming_and_threshold_from_options():
    text = post(OPENING + FILLER)
    assert [f.severity for f in run(text, partial=True, select="PT030")] == [Severity.PENDING]
    assert check(text, CTX, options=CheckOptions(select=("PT030",), min_references=0)) == []


def test_pt030_links_in_code_do_not_count():
    narrative = GOOD_NARRATIVE.replace(
        "[1901.00001](https://arxiv.org/abs/1901.00001)", "`[1901.00001](https://arxiv.org/abs/1901.00001)`"
    )
    assert rules_of(run(post(narrative), select="PT030")) == ["PT030"]


@pytest.mark.parametrize(
    "link, expected",
    [
        ("[Jones 2019](https://arxiv.org/abs/1901.00001)", "Jones 2019 ([1901.00001](https://arxiv.org/abs/1901.00001))"),
        ("[1901.00001](http://arxiv.org/abs/1901.00001)", "[1901.00001](https://arxiv.org/abs/1901.00001)"),
        ("[1901.00001](https://arxiv.org/pdf/1901.00001v2.pdf)", "[1901.00001](https://arxiv.org/abs/1901.00001)"),
        ("[1901.00001v3](https://arxiv.org/abs/1901.00001v3)", "[1901.00001](https://arxiv.org/abs/1901.00001)"),
        (
            "[10.1000/xyz(2020)01](https://dx.doi.org/10.1000/xyz(2020)01)",
            "[10.1000/xyz(2020)01](https://doi.org/10.1000/xyz(2020)01)",
        ),
        (
            "[doi:10.3847/1538-4357/aa1234](https://doi.org/10.3847/1538-4357/aa1234)",
            "[10.3847/1538-4357/aa1234](https://doi.org/10.3847/1538-4357/aa1234)",
        ),
        ("[smith2020key](https://arxiv.org/abs/1901.00001)", "[1901.00001](https://arxiv.org/abs/1901.00001)"),
        ("[old](https://arxiv.org/abs/hep-th/9901001)", "old ([hep-th/9901001](https://arxiv.org/abs/hep-th/9901001))"),
        ("<https://arxiv.org/abs/1901.00001>", "[1901.00001](https://arxiv.org/abs/1901.00001)"),
    ],
)
def test_pt031_non_canonical_links_are_normalised(link, expected):
    text = post(GOOD_NARRATIVE + f"\n\nAlso {link} matters.\n")
    found = run(text, select="PT031")
    assert rules_of(found) == ["PT031"]
    assert span_text(text, found[0]) == link
    fixed = fix(text, CTX).text
    assert f"Also {expected} matters." in fixed
    assert run(fixed, select="PT031") == []


def test_pt031_doi_with_parentheses_and_case_is_canonical():
    text = post(GOOD_NARRATIVE + "\n\nAlso [10.1000/XYZ(2020)01](https://doi.org/10.1000/XYZ(2020)01).\n")
    assert run(text, select="PT031") == []
    assert run(text, select="PT032") == []


def test_pt031_version_kept_when_the_bibliography_has_it():
    ctx = make_context(texts=("arXiv:1901.00001v2",))
    text = post(GOOD_NARRATIVE + "\n\nAlso [1901.00001v2](https://arxiv.org/abs/1901.00001v2).\n")
    assert check(text, ctx, options=CheckOptions(select=("PT031",))) == []


def test_pt032_identifier_in_no_source_is_flagged():
    text = post(GOOD_NARRATIVE + "\n\nAlso [2103.12345](https://arxiv.org/abs/2103.12345) and "
                "[10.9999/made.up](https://doi.org/10.9999/made.up) and [1506.00171](https://arxiv.org/abs/1506.00171).\n")
    found = run(text, select="PT032")
    assert [span_text(text, f) for f in found] == [
        "[2103.12345](https://arxiv.org/abs/2103.12345)",
        "[10.9999/made.up](https://doi.org/10.9999/made.up)",
    ]
    assert all(not f.fixable for f in found)


def test_pt032_old_style_and_case_insensitive_doi_are_known():
    text = post(GOOD_NARRATIVE + "\n\nAlso [hep-th/9901001](https://arxiv.org/abs/hep-th/9901001) and "
                "[10.3847/1538-4357/AA1234](https://doi.org/10.3847/1538-4357/AA1234).\n")
    assert run(text, select="PT032") == []


def test_pt032_silent_without_sources():
    from posttui.rules import CheckContext

    text = post(GOOD_NARRATIVE + "\n\n[2103.12345](https://arxiv.org/abs/2103.12345)\n")
    assert check(text, CheckContext(featured_id=FEATURED), options=CheckOptions(select=("PT032",))) == []
