"""PT050-PT051: unsafe HTML and unknown hosts."""

import pytest

from posttui.rules import fix

from .conftest import CTX, GOOD_NARRATIVE, post, rules_of, run, span_text


def with_sentence(sentence: str) -> str:
    return post(GOOD_NARRATIVE + "\n\n" + sentence + "\n")


@pytest.mark.parametrize(
    "html, removed",
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ('<iframe src="https://evil.example"></iframe>', '<iframe src="https://evil.example"></iframe>'),
        ('<img src="x.png" onerror="alert(1)">', '<img src="x.png" onerror="alert(1)">'),
        ('<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">'),
        ("<style>body{}</style>", "<style>body{}</style>"),
        ("<embed src=x>", "<embed src=x>"),
        ("<object data=x></object>", "<object data=x></object>"),
    ],
)
def test_pt050_unsafe_html_is_removed(html, removed):
    text = with_sentence(f"Look {html} here.")
    found = run(text, select="PT050")
    assert rules_of(found) == ["PT050"]
    assert span_text(text, found[0]) == removed
    assert removed not in fix(text, CTX).text


def test_pt050_javascript_link_keeps_its_label():
    text = with_sentence("Click [here](javascript:alert(1)) now.")
    assert rules_of(run(text, select="PT050")) == ["PT050"]
    assert "Click here now." in fix(text, CTX).text


def test_pt050_safe_html_and_html_in_code_are_fine():
    text = with_sentence('An <em>emphasised</em> word, <img src="/a.png" alt="a"> and `<script>` in code.')
    assert run(text, select="PT050") == []


def test_pt050_backticks_hide_nothing_inside_an_html_block():
    """A line that opens an HTML block keeps the next lines raw too: the backquoted tag is live on the page."""
    text = with_sentence('<div class="note">\n`<a href="javascript:alert(1)">x</a>`\n</div>')
    found = run(text, select="PT050")
    assert [span_text(text, f) for f in found] == ['<a href="javascript:alert(1)">']
    assert "javascript:" not in fix(text, CTX).text
    apart = with_sentence('<div class="note"></div>\n\nIn a paragraph, `<a href="javascript:alert(1)">` is code.')
    assert run(apart, select="PT050") == []


def test_pt050_script_block():
    text = with_sentence("<script>\nalert(1)\n</script>")
    assert rules_of(run(text, select="PT050")) == ["PT050"]


def test_pt051_unknown_host_warned_known_hosts_fine():
    text = with_sentence(
        "See [x](https://random.example.net/page) and [y](https://group.example.ac.uk/people) and "
        "[z](https://proceedings.example.org/doe18) and [rel](/papers) and https://bare.example.io/x."
    )
    found = run(text, select="PT051")
    assert [span_text(text, f) for f in found] == ["[x](https://random.example.net/page)", "https://bare.example.io/x"]
