"""The engine: registry, span convention, fixing, partial drafts and streaming."""

import re

import pytest

from posttui.rules import RULES, CheckContext, CheckOptions, Severity, StreamingChecker, check, fix, load_rules
from posttui.rules.fixes import apply_fixes
from posttui.rules.base import Fix

from .conftest import CTX, GOOD_NARRATIVE, MESSY_NARRATIVE, SKELETON, post, rules_of, run

CATALOGUE = (
    "PT001 PT002 PT003 PT004 PT005 PT006 PT007 PT010 PT011 PT020 PT021 PT030 PT031 PT032 PT033 PT040 PT041 PT042 "
    "PT050 PT051 PT060 PT061 PT062 PT063"
).split()



def messy_post() -> str:
    return "Here you go:\n```markdown\n" + post(MESSY_NARRATIVE).replace("height: 25vw", "height: 30vw") + "```\nBye!\n"


def test_every_catalogue_rule_is_registered_with_severity_and_title():
    rules = load_rules()
    assert list(rules) == CATALOGUE
    for rule in rules.values():
        assert rule.severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        assert rule.title and rule.scope in ("segment", "document")


def test_span_convention_is_one_based_with_exclusive_end_column():
    text = post(GOOD_NARRATIVE + "\n\nSee \\cite{smith2020} here.\n")
    (finding,) = run(text, select="PT020")
    line = text.split("\n")[finding.line - 1]
    assert line[finding.column - 1 : finding.end_column - 1] == "\\cite{smith2020}"
    assert finding.end_line == finding.line
    assert text[finding.start : finding.end] == "\\cite{smith2020}"
    assert finding.as_dict("p.md").keys() == {
        "path", "rule", "severity", "message", "line", "column", "end_line", "end_column", "fixable"
    }


def test_messy_post_reports_many_rules_and_fixing_is_idempotent():
    text = messy_post()
    found = set(rules_of(run(text)))
    assert {"PT001", "PT005", "PT006", "PT011", "PT020", "PT021", "PT031", "PT032", "PT040", "PT042", "PT050",
            "PT062", "PT063"} <= found
    first = fix(text, CTX)
    assert first.changed and first.rounds >= 1
    again = fix(first.text, CTX)
    assert again.text == first.text and not again.changed
    assert not any(f.fixable for f in first.findings)
    assert first.findings == check(first.text, CTX)
    assert first.text.startswith(SKELETON.front_matter)
    assert "\\citep" not in first.text and "<script>" not in first.text


def test_overlapping_fixes_are_not_applied_together():
    text = "abcdef"
    out, used = apply_fixes(text, [Fix(0, 3, "X"), Fix(2, 5, "Y"), Fix(5, 6, "Z"), Fix(6, 6, "!"), Fix(6, 6, "?")])
    assert out == "XdeZ!"
    assert [f.replacement for f in used] == ["X", "Z", "!"]


def test_select_and_ignore():
    text = messy_post()
    assert set(rules_of(check(text, CTX, options=CheckOptions(select=("PT02",))))) == {"PT020", "PT021"}
    assert "PT020" not in rules_of(check(text, CTX, options=CheckOptions(ignore=("PT020",))))


def test_every_prefix_is_safe_and_partial_never_reports_missing_end_as_error():
    text = messy_post()
    good = post()
    for source in (text, good):
        for cut in range(0, len(source), 7):
            prefix = source[:cut]
            found = check(prefix, CTX, partial=True)
            for f in found:
                assert 1 <= f.line <= f.end_line
                assert 0 <= f.start <= f.end <= len(prefix)
                if f.rule in ("PT004", "PT005") and "not written yet" in f.message:
                    assert f.severity == Severity.PENDING
    # A good post streamed: no error at any prefix that ends at a line break after the first sentence.
    for cut in [m.end() for m in re.finditer("\n", good)]:
        errors = [f for f in check(good[:cut], CTX, partial=True) if f.severity == Severity.ERROR]
        assert errors == [], (cut, errors)


def test_check_without_context_still_checks_structure_and_prose():
    found = rules_of(check(messy_post(), CheckContext()))
    assert "PT020" in found and "PT001" in found
    assert "PT002" not in found and "PT032" not in found


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_streaming_checker_matches_a_full_check(chunk):
    text = messy_post()
    streamer = StreamingChecker(CTX, min_bytes=200, min_interval=3600)
    results = []
    for i in range(0, len(text), chunk):
        out = streamer.feed(text[i : i + chunk])
        if out is not None:
            results.append(out)
    assert streamer.text == text
    assert 2 <= streamer.checks <= len(text) // 200 + 2
    assert results, "the first chunk triggers a check"
    assert streamer.finish() == check(text, CTX)
    assert streamer.check_now(partial=True) == check(text, CTX, partial=True)


def test_streaming_checker_rechecks_on_time():
    now = [0.0]
    streamer = StreamingChecker(CTX, min_bytes=10**9, min_interval=0.5, clock=lambda: now[0])
    assert streamer.feed("---\n") is not None
    assert streamer.feed("layout") is None
    now[0] = 1.0
    assert streamer.feed(": post\n") is not None
    streamer.reset(post())
    assert streamer.feed(" ") is not None


def test_streaming_tail_citation_is_pending_but_a_complete_one_is_an_error():
    head = post("").split("<!-- END")[0] + "Our paper [2401.01234](https://arxiv.org/abs/2401.01234) shows"
    cut = check(head + " it \\citep{smi", CTX, partial=True)
    assert [f.severity for f in cut if f.rule == "PT020"] == [Severity.PENDING]
    done = check(head + " it \\citep{smith2020} and", CTX, partial=True)
    assert [f.severity for f in done if f.rule == "PT020"] == [Severity.ERROR]
    assert "write `([10.1000/xyz(2020)01](https://doi.org/10.1000/xyz(2020)01))`" in [
        f.message for f in done if f.rule == "PT020"
    ][0]
