"""Any text at all: checking never crashes, spans stay inside the text, fixing is idempotent."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posttui.rules import check, fix

from .conftest import CTX, SKELETON, make_context

PIECES = [
    "[", "]", "(", ")", "![", "](", "`", "```", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\cite{smith2020}",
    "\\citep[see][p. 3]{smith2020,jones2019}", "\\emph{x}", "~", "<script>", "</script>", "<b onclick=x>", "<!--",
    "-->", "\n", "\n\n", "# ", "* ", "1. ", "> ", "---\n", "e.g. ", "et al. ", ". ", "https://x.example/a_(b)", "https://", "https:[//", "https://[", "\r", "\r\n",
    "[2401.01234](https://arxiv.org/abs/2401.01234)", "[Ada Lovelace](https://ada.example.org)",
    "[Charles Babbage](https://ada.example.org)", "10.1000/xyz(2020)01", SKELETON.begin_marker + "\n",
    SKELETON.end_marker + "\n", SKELETON.front_matter, SKELETON.header_image + "\n", SKELETON.footer, "word ",
    "Ünïcödé ", "\t", "    code\n", "|a|b|\n",
]

texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.booleans())
def test_any_text_checks_without_crashing(text, partial):
    for f in check(text, CTX, partial=partial):
        assert 0 <= f.start <= f.end <= len(text)
        assert (f.line, f.column) <= (f.end_line, f.end_column)
        if f.fix:
            assert 0 <= f.fix.start <= f.fix.end <= len(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_fixing_is_idempotent(text):
    once = fix(text, CTX)
    assert fix(once.text, CTX).text == once.text


LINE_PIECES = ["*", "**", "_", "-", "+", "=", "#", ">", "<", "`", "~", "1", ".", ")", " ", "    ", "\t", "a", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), min_size=1, max_size=14).map("".join))
def test_paragraph_fast_path_agrees_with_markdown_it(text):
    """Segments the fast path calls a plain paragraph are exactly what markdown-it parses as one paragraph."""
    from posttui.rules.markdown import _BLOCK_START_RE, _md

    if any(not line.strip() for line in text.split("\n")) or _BLOCK_START_RE.search(text):
        return  # segments never hold blank lines (they are split there)
    blocks = [t.type for t in _md.parse(text) if t.level == 0 and t.nesting >= 0]
    assert blocks == ["paragraph_open"], (text, blocks)


def test_url_fragments_that_broke_the_scanner_are_plain_text():
    """Found by the robustness fuzzer: a bare scheme, an unclosed IPv6 bracket, a chunk ending after 'https://'."""
    from posttui.rules.engine import StreamingChecker

    for text in ("see https://", "see https:// now", "a https:[//x link", "a https://[host link", "[x](https://[h)"):
        check(text, CTX)
        checker = StreamingChecker(CTX)
        for i in range(0, len(text), 3):
            checker.feed(text[i : i + 3])
        checker.finish()
    ctx = make_context(texts=("homepage with https://[broken and https://ok.example.org",))
    assert "ok.example.org" in ctx.allowed_hosts


def test_a_lone_carriage_return_keeps_spans_in_order():
    """Found by the robustness fuzzer: markdown-it reads a lone CR as a line break, shifting its line map."""
    text = SKELETON.render("x").replace("<!-- BEGINNING", "<!--\r BEGINNING", 1)
    text = text.replace("\nx\n", "\nA first sentence without the link. More text follows here.\n", 1)
    for f in check(text, CTX):
        assert f.start <= f.end and (f.line, f.column) <= (f.end_line, f.end_column)
