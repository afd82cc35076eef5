"""PT050-PT051: nothing active in the narrative, and no links to hosts the sources never mention.

PT050 judges what the site will do with the text, not what markdown-it accepts: Jekyll runs Liquid (``{{ }}``,
``{% %}``) before anything else, kramdown honours reference definitions (``[c]: url``) and decodes entities and
backslash escapes in link targets, and browsers decode entities in attributes and drop tabs and newlines from
URLs. So a URL is judged after the same decoding (:func:`effective_scheme`).
"""

from __future__ import annotations

import html as html_entities
import re

from .base import Fix, Hit, rule
from .context import host_of

UNSAFE_TAGS = frozenset({
    "script", "iframe", "object", "embed", "style", "frame", "frameset", "applet", "base", "meta", "form", "link",
})
UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite", "codebase",
    "longdesc", "lowsrc", "dynsrc", "manifest", "ping", "srcset", "icon", "profile", "usemap", "archive",
})
_ATTR_RE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_MD_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_URL_IGNORED_RE = re.compile(r"[\t\n\r]")
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):")
REFERENCE_HOSTS = frozenset({"arxiv.org", "export.arxiv.org", "doi.org", "dx.doi.org"})


_LEADING_IGNORED = "".join(map(chr, range(0x21)))
"""Control characters and the space, which a browser strips from the start of a URL."""


def effective_scheme(url: str, *, markdown: bool = False) -> str:
    """The scheme a browser will use for ``url`` as written in the post: Markdown backslash escapes (``markdown``)
    and HTML entities decoded, tabs and newlines dropped, leading spaces and control characters stripped,
    lower-cased. Empty when the URL has no scheme (a relative link)."""
    if markdown:
        url = _MD_ESCAPE_RE.sub(r"\1", url)
    url = _URL_IGNORED_RE.sub("", html_entities.unescape(url)).lstrip(_LEADING_IGNORED).lower()
    m = _SCHEME_RE.match(url)
    return m.group(1) if m else ""


def attributes(attrs: str):
    """``(name, value)`` pairs of a tag's attribute text, names lower-cased; ``/`` separates attributes as it
    does for browsers (``<img/onerror=...>``)."""
    for m in _ATTR_RE.finditer(attrs):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        yield m.group(1).lower(), value


def _html_reason(tag) -> str:
    if tag.tag in UNSAFE_TAGS:
        return f"`<{'/' if tag.closing else ''}{tag.tag}>`"
    for name, value in attributes(tag.attrs):
        if name.startswith("on"):
            return "an `on...=` event attribute"
        if name in URL_ATTRIBUTES and effective_scheme(value) in UNSAFE_SCHEMES:
            return "a `javascript:`/`data:` URL"
    return ""


@rule("PT050", "error", "unsafe raw HTML, script URL or Liquid in the narrative", scope="segment", fix="remove")
def unsafe_html(seg, ctx, opts):
    html = seg.info.html
    # For each unsafe opening tag, where its closing tag is: one backward pass (linear in the number of tags).
    closing_of: dict[int, int] = {}
    next_closing: dict[str, int] = {}
    for i in range(len(html) - 1, -1, -1):
        tag = html[i]
        if tag.tag in UNSAFE_TAGS:
            if tag.closing:
                next_closing[tag.tag] = i
            elif tag.tag in next_closing:
                closing_of[i] = next_closing[tag.tag]
    consumed_until = -1
    for i, tag in enumerate(html):
        if tag.start < consumed_until:
            continue
        reason = _html_reason(tag)
        if not reason:
            continue
        end = tag.end
        if i in closing_of:
            end = html[closing_of[i]].end
            consumed_until = end
        yield Hit(tag.start, end, f"unsafe raw HTML ({reason}): remove it", Fix(tag.start, end, "", "remove"))
    for link in seg.info.links:
        if link.kind == "bare" or effective_scheme(link.url, markdown=link.kind == "inline") not in UNSAFE_SCHEMES:
            continue
        label = "" if link.image else link.label(seg.text)
        yield Hit(
            link.start,
            link.end,
            "link with a `javascript:`/`data:` URL: remove it",
            Fix(link.start, link.end, label, "remove the link"),
        )
    for link in seg.info.definitions:
        if effective_scheme(link.url, markdown=True) not in UNSAFE_SCHEMES:
            continue
        line_end = seg.text.find("\n", link.end)
        line_end = len(seg.text) if line_end == -1 else line_end + 1
        yield Hit(
            link.start,
            link.end,
            "link definition with a `javascript:`/`data:` URL (kramdown makes every `[text][id]` a live link): "
            "remove it",
            Fix(link.start, line_end, "", "remove the definition"),
        )
    for s, e, opener_only in seg.info.liquid:
        shown = seg.text[s:e] if e - s <= 40 else seg.text[s : s + 37] + "..."
        body = seg.text[s:e]
        if "endraw" in body:
            fix = Fix(s, e, "", "remove the Liquid tag")
        else:
            fix = Fix(s, e, "{% raw %}" + body + "{% endraw %}", "wrap it in {% raw %}...{% endraw %}")
        what = "an unterminated Liquid tag" if opener_only else "Liquid"
        yield Hit(
            s,
            e,
            f"`{shown}` is {what}, which Jekyll runs when it builds the site: remove it, or wrap literal braces in "
            "`{% raw %}...{% endraw %}`",
            fix,
        )


@rule("PT051", "warning", "link to a host that appears in none of the sources", scope="segment")
def unknown_hosts(seg, ctx, opts):
    if not ctx.allowed_hosts:
        return
    for link in seg.info.links:
        host = host_of(link.url)
        if not host or host in REFERENCE_HOSTS:
            continue
        if ctx.is_allowed_host(host):
            continue
        yield Hit(
            link.start,
            link.end,
            f"link to {host}, a host that appears in none of the sources: check it is real and relevant, or drop it",
        )
