"""PT050-PT051: nothing unsafe in the narrative's raw HTML, and no links to hosts the sources never mention."""

from __future__ import annotations

import re

from .base import Fix, Hit, rule
from .context import host_of

UNSAFE_TAGS = frozenset({"script", "iframe", "object", "embed", "style", "frame", "frameset", "applet", "base", "meta"})
_EVENT_ATTR_RE = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.I)
_SCRIPT_URL_RE = re.compile(r"(?:href|src|action|formaction|xlink:href|data)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):", re.I)
_UNSAFE_SCHEME_RE = re.compile(r"^\s*(?:javascript|vbscript|data):", re.I)
REFERENCE_HOSTS = frozenset({"arxiv.org", "export.arxiv.org", "doi.org", "dx.doi.org"})


@rule("PT050", "error", "unsafe raw HTML in the narrative", scope="segment", fix="remove")
def unsafe_html(seg, ctx, opts):
    html = seg.info.html
    consumed_until = -1
    for i, tag in enumerate(html):
        if tag.start < consumed_until:
            continue
        reason = ""
        if tag.tag in UNSAFE_TAGS:
            reason = f"`<{'/' if tag.closing else ''}{tag.tag}>`"
        elif _EVENT_ATTR_RE.search(tag.attrs):
            reason = "an `on...=` event attribute"
        elif _SCRIPT_URL_RE.search(tag.attrs):
            reason = "a `javascript:`/`data:` URL"
        if not reason:
            continue
        end = tag.end
        if tag.tag in UNSAFE_TAGS and not tag.closing:
            closing = next((t for t in html[i + 1 :] if t.closing and t.tag == tag.tag), None)
            if closing is not None:
                end = closing.end
                consumed_until = end
        yield Hit(tag.start, end, f"unsafe raw HTML ({reason}): remove it", Fix(tag.start, end, "", "remove"))
    for link in seg.info.links:
        if link.kind == "bare" or not _UNSAFE_SCHEME_RE.match(link.url):
            continue
        label = "" if link.image else link.label(seg.text)
        yield Hit(
            link.start,
            link.end,
            "link with a `javascript:`/`data:` URL: remove it",
            Fix(link.start, link.end, label, "remove the link"),
        )


@rule("PT051", "warning", "link to a host that appears in none of the sources", scope="segment")
def unknown_hosts(seg, ctx, opts):
    if not ctx.allowed_hosts:
        return
    for link in seg.info.links:
        host = host_of(link.url)
        if not host or host in REFERENCE_HOSTS:
            continue
        if host in ctx.allowed_hosts or any(host.endswith("." + h) for h in ctx.allowed_hosts):
            continue
        yield Hit(
            link.start,
            link.end,
            f"link to {host}, a host that appears in none of the sources: check it is real and relevant, or drop it",
        )
