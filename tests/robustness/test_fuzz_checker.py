"""Fuzzing the checker's link and HTML handling against an independent oracle.

The oracle renders the draft the way a site would show it (markdown-it with raw HTML allowed, so raw HTML reaches
the page as written) and reads the result with the standard library's HTML parser, which decodes entities as a
browser does. Whatever it finds active — a script-like tag, an ``on...`` attribute, a URL attribute whose scheme
is ``javascript:``/``vbscript:``/``data:`` once decoded and stripped as browsers do — PT050 must report, and after
``fix`` none of it may be left. Inputs are hostile pieces (entities, tabs in schemes, quotes, slashes, brackets,
nested labels, definitions) spliced into the offline writer's post.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from html.parser import HTMLParser

from catalogue import fixture_paper
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from posttui.rules import CheckContext, check, fix

ACTIVE_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "meta", "form", "link",
               "style"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
_RENDER = MarkdownIt("commonmark", {"html": True})


class _ActiveFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            elif name in URL_ATTRS and value is not None:
                url = "".join(ch for ch in value if ch not in "\t\n\r").lstrip("".join(map(chr, range(0x21))))
                if url.lower().startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag

    def parse_marked_section(self, i, report=1):
        """``<![x ...>`` outside SVG/MathML is a bogus comment to a browser, up to the next ``>`` (Python's
        parser asserts on any keyword but CDATA/IF/ELSE/ENDIF/TEMP/INCLUDE/IGNORE/RCDATA instead)."""
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1


def active_content(markdown: str) -> list[str]:
    """What a browser would run or submit in the rendered Markdown."""
    finder = _ActiveFinder()
    finder.feed(_RENDER.render(markdown))
    finder.close()
    return finder.found


@lru_cache(maxsize=1)
def _offline():
    from posttui.llm.offline import OfflineWriter

    paper = fixture_paper()
    return OfflineWriter(paper).post(), CheckContext.from_paper(paper, model="posttui-offline")


SCHEMES = ["javascript:alert(1)", "&#x6A;avascript:alert(1)", "&#106;avascript:x", "jav&#x09;ascript:x",
           "jav&#9ascript:x", "JaVaScRiPt:x", " javascript:x", "&#x20;javascript:x", "vbscript:x",
           "data:text/html,<script>x</script>", "javascript&colon;x", "java\\script:x", "javascript\\:x",
           "https://ok.example/x", "/relative", "#frag"]
ATTRS = ["href", "src", "action", "formaction", "xlink:href", "HREF", "onclick", "onerror", "title", "alt"]
TAGS = ["a", "img", "form", "button", "iframe", "svg", "math", "object", "embed", "script", "div", "span", "input"]


@st.composite
def html_piece(draw):
    tag = draw(st.sampled_from(TAGS))
    attr = draw(st.sampled_from(ATTRS))
    value = draw(st.sampled_from(SCHEMES))
    quote = draw(st.sampled_from(['"', "'", ""]))
    sep = draw(st.sampled_from([" ", "/", "\n", " \t"]))
    if not quote and (" " in value or ">" in value):
        quote = '"'
    close = draw(st.sampled_from(["", f"x</{tag}>", " />"]))
    return f"<{tag}{sep}{attr}={quote}{value}{quote}>{close}"


@st.composite
def link_piece(draw):
    value = draw(st.sampled_from(SCHEMES))
    kind = draw(st.sampled_from(["inline", "image", "angle", "definition", "autolink", "nested"]))
    if kind == "inline":
        return f"[x]({value})"
    if kind == "image":
        return f"![x]({value})"
    if kind == "angle":
        return f"[x](<{value}>)"
    if kind == "definition":
        return f"[x][c]\n\n[c]: {value}"
    if kind == "autolink":
        return f"<{value}>"
    return f"[[[![i]({value})](a)](b)]({value})"


NOISE = ["[", "]", "(", ")", "`", "``", "<", ">", "\\", "&", "&amp;", '"', "'", "<!--", "-->", "\n", "\n\n", " "]


@st.composite
def hostile_post(draw):
    post, _ = _offline()
    marker = "<!-- END OF GENERATED POST -->"
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(html_piece() | link_piece() | st.sampled_from(NOISE)))
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(NOISE)))
    body = "".join(parts)
    shape = draw(st.sampled_from(["{}\n\n", "Some words {} more words.\n\n", "- item {}\n\n"]))
    return post.replace(marker, shape.format(body) + marker, 1)


FUZZ = settings(max_examples=150, deadline=timedelta(seconds=5),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(hostile_post())
def test_pt050_reports_what_the_page_would_run(text):
    _, ctx = _offline()
    active = active_content(text)
    findings = check(text, ctx)
    for finding in findings:
        assert 1 <= finding.line and 0 <= finding.start <= finding.end <= len(text)
    if active:
        assert any(f.rule == "PT050" for f in findings), f"PT050 missed {active}"


@FUZZ
@given(hostile_post())
@example('<div href="java\\script:x">\n`<a href="javascript:alert(1)">`\n')  # backticks hide nothing in an HTML block
def test_fixing_leaves_nothing_active(text):
    _, ctx = _offline()
    result = fix(text, ctx)
    assert active_content(result.text) == [], "active content survived the fixes"
    assert not [f for f in result.findings if f.rule == "PT050"], "PT050 still reports after fixing"


def test_the_oracle_sees_what_it_should():
    """The oracle itself: entity-encoded schemes and slash-separated attributes count, safe links do not."""
    assert active_content('<a href="&#x6A;avascript:x">y</a>') == ["a href='javascript:x'"]
    assert active_content("<img src=x onerror=alert(1)>")
    assert active_content("[x](https://ok.example) <a href=\"/p\">p</a>") == []
