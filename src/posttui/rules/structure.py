"""PT001-PT007: the post keeps the template's skeleton (no wrapping fence, exact front matter, header image,
markers, footer, and nothing outside those regions), and its front matter is YAML Jekyll can read."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..claims import OFFLINE_CONTENT_LINE
from .base import Fix, Hit, Severity, rule
from ..postformat import BEGIN_MARKER, END_MARKER, iter_lines

_WS_RE = re.compile(r"\s*")


def _line_span(text: str, start: int) -> tuple[int, int]:
    end = text.find("\n", start)
    return start, len(text) if end == -1 else end


_NONSPACE_RE = re.compile(r"\S")


def _stripped_head(text: str, start: int, end: int, n: int) -> str:
    """``text[start:end].strip()[:n]`` without copying the range (the whole narrative while a draft streams)."""
    first = _NONSPACE_RE.search(text, start, end)
    if first is None:
        return ""
    s = first.start()
    head = text[s : min(s + n, end)]
    if s + n < end and _NONSPACE_RE.search(text, s + n, end):
        return head  # more text follows: the strip ends beyond the first n characters
    return head.rstrip()


def _norm_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").replace("\r\n", "\n").split("\n")]


@rule("PT001", "error", "post wrapped in a code fence", fix="unwrap")
def wrapped_in_fence(doc, ctx, opts, partial):
    lay = doc.layout
    text = doc.text
    if lay.wrap_open is None:
        return
    s, e = lay.wrap_open
    yield Hit(
        s,
        _line_span(text, s)[1],
        "the post is wrapped in a code fence: output plain Markdown (remove the fence lines)",
        Fix(s, e, "", "remove the opening fence line"),
    )
    if lay.wrap_close is not None:
        cs, ce = lay.wrap_close
        yield Hit(
            cs,
            _line_span(text, cs)[1],
            "closing line of the code fence that wraps the post: remove it",
            Fix(cs, ce, "", "remove the closing fence line"),
        )


@rule("PT002", "error", "front matter not identical to the template", fix="restore the template's front matter")
def front_matter(doc, ctx, opts, partial):
    tmpl = ctx.template
    lay = doc.layout
    text = doc.text
    if tmpl is None:
        return
    expected = tmpl.front_matter
    if lay.front_matter is None:
        if partial:
            # Nothing yet, or only the start of the front matter (without copying the draft).
            first = _NONSPACE_RE.search(text, lay.content_start)
            if not lay.structural or first is None:
                return
            if len(text) - first.start() <= len(expected) and expected.startswith(text[first.start() :]):
                return
        at = lay.header[0] if lay.header else (lay.begins[0][0] if lay.begins else lay.narrative[0])
        yield Hit(
            at,
            at,
            "the YAML front matter is missing: start the post with the template's front matter",
            Fix(at, at, expected, "insert the template's front matter"),
        )
        return
    s, e = lay.front_matter
    differs = _front_matter_difference(text[s:e], expected, lay.front_matter_closed or not partial, e == len(text))
    if differs is not None:
        span_start, span_end, message = differs
        yield Hit(s + span_start, s + span_end, message, Fix(s, e, expected, "restore the template's front matter"))


@lru_cache(maxsize=32)
def _front_matter_difference(found: str, expected: str, complete: bool, at_end: bool):
    """None when the front matter ``found`` is the template's ``expected`` (or, unless ``complete``, the start of
    it; or lacks only the final newline ``at_end`` of the text), else (start, end, message) of the first line
    that differs, relative to ``found``. Memoised: a streaming check asks at every partial check."""
    normalised = found.replace("\r\n", "\n")  # a post saved with CRLF line endings is the same post
    if normalised == expected:
        return None
    if not complete and expected.startswith(normalised):
        return None
    if normalised.rstrip("\n") == expected.rstrip("\n") and at_end:
        return None  # the final newline has not arrived yet
    exp_lines = expected.split("\n")
    pos = 0
    span = (0, len(found))
    for i, (ls, le, nxt) in enumerate(iter_lines(found)):
        if i >= len(exp_lines) or found[ls:le].removesuffix("\r") != exp_lines[i]:
            span = (ls, le)
            break
        pos = nxt
    else:
        span = (pos, len(found))
    what = found[span[0] : span[1]].strip() or "a line"
    what = what if len(what) <= 60 else what[:57] + "..."
    return span[0], span[1], f"front matter differs from the template at `{what}`: keep it exactly as given"


_CONTROL_NAMES = {"\t": "a TAB", "\r": "a carriage return", "\x07": "a BEL", "\x08": "a backspace",
                  "\x1b": "an ESC", "\x00": "a NUL", "\u2028": "a line separator (U+2028)",
                  "\u2029": "a paragraph separator (U+2029)", "\x85": "a next-line (U+0085)"}
_ERROR_LINE_RE = re.compile(r"line (\d+)")


def _control_char(value: str) -> str | None:
    for ch in value:
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return ch
    return None


def _strings(value, key: str):
    """(top-level key, string) for every string inside a front matter value."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k, key)
            yield from _strings(v, key)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v, key)


@lru_cache(maxsize=32)
def _front_matter_data(body: str):
    """``(data, None, controls)`` for a front matter body that parses, else ``(None, the problem, ())``;
    ``controls``: (top-level key, control character) for each key with a string holding one (the first such
    character of its first such string). Memoised (the data is only read): a streaming check asks at every
    partial check, and a closed front matter no longer changes."""
    from ..errors import MetadataError
    from ..yamlio import load_yaml

    try:
        data = load_yaml(body, None)
    except MetadataError as exc:
        return None, str(exc).split("\n", 1)[0], ()
    controls = []
    if isinstance(data, dict):
        for key, value in data.items():
            for top, text in _strings(value, str(key)):
                ch = _control_char(text)
                if ch is not None:
                    controls.append((top, ch))
                    break
    return data, None, tuple(controls)


@rule("PT007", "error", "front matter is not valid YAML or holds control characters")
def front_matter_yaml(doc, ctx, opts, partial):
    """Jekyll reads the front matter as YAML: a stray ``"`` breaks it, and inside double quotes a backslash starts
    an escape, so a LaTeX title ``"$\\texttt{x}$"`` becomes a TAB and ``exttt``."""
    lay = doc.layout
    if lay.front_matter is None or not lay.front_matter_closed:
        return
    s, e = lay.front_matter
    for start, end, message in _front_matter_problems(doc.text[s:e]):
        yield Hit(s + start, s + end, message)


@lru_cache(maxsize=32)
def _front_matter_problems(front_matter: str) -> tuple[tuple[int, int, str], ...]:
    """PT007's (start, end, message) for a closed front matter, relative to it. Memoised: a streaming check asks
    at every partial check, and a closed front matter no longer changes."""
    lines = list(iter_lines(front_matter))
    if len(lines) < 2:
        return ()
    body = front_matter[lines[1][0] : lines[-1][0]]

    def line_span(number: int) -> tuple[int, int]:
        """The span of the body's line ``number`` (1-based), or of the opening ``---`` line."""
        index = min(max(number, 0), len(lines) - 1)
        return lines[index][0], lines[index][1]

    data, problem, controls = _front_matter_data(body)
    if problem is not None:
        where = _ERROR_LINE_RE.search(problem)
        span = line_span(int(where.group(1)) if where else 0)
        return ((*span, f"the front matter is not valid YAML ({problem}): Jekyll will not read the post's "
                        "title and date; quote values that hold `\"` or `:` with single quotes"),)
    if data is None:
        return ()
    if not isinstance(data, dict):
        return ((*line_span(0), "the front matter is not a YAML mapping (`key: value` lines): Jekyll ignores it"),)
    found = []
    for top, ch in controls:
        number = next((i for i, (ls, le, _) in enumerate(lines) if re.match(
            rf"\s*['\"]?{re.escape(top)}['\"]?\s*:", front_matter[ls:le])), 0)
        name = _CONTROL_NAMES.get(ch, f"a control character (U+{ord(ch):04X})")
        found.append((*line_span(number), f"front matter `{top}` holds {name}: inside double quotes a backslash "
                      "starts an escape (`\\t` is a TAB); write `\\\\` for a backslash, or use single quotes"))
    return tuple(found)


@rule("PT003", "error", "header image line missing or changed", fix="restore")
def header_image(doc, ctx, opts, partial):
    tmpl = ctx.template
    lay = doc.layout
    text = doc.text
    if tmpl is None:
        return
    tmpl = tmpl.for_post(text, lay.tail)
    expected = tmpl.header_image
    if not expected:  # no image is made for this post (posttui.claims): the line would link a missing file
        if lay.header is not None and not partial:
            s, e = lay.header
            stop = e + 1 if text[e : e + 1] == "\n" else e
            yield Hit(s, e, "header image line for an image that is not made: remove it",
                      Fix(s, stop, "", "remove the header image line"))
        return
    if lay.header is not None:
        s, e = lay.header
        line = text[s:e].strip()
        if line == expected or (partial and e == len(text) and expected.startswith(line)):
            return
        yield Hit(
            s,
            e,
            f"header image line changed: it must be `{expected}`",
            Fix(s, e, expected, "restore the header image line"),
        )
        return
    if partial and not lay.begins:
        return
    if not lay.structural:
        at = lay.narrative[0]
    elif lay.front_matter is not None:
        at = lay.front_matter[1]
    else:
        at = lay.begins[0][0] if lay.begins else lay.narrative[0]
    yield Hit(
        at,
        at,
        f"header image line missing: put `{expected}` after the front matter",
        Fix(at, at, expected + ("\n" if text.startswith("\n", at) else "\n\n"), "insert the header image line"),
    )


@rule("PT004", "error", "BEGIN/END markers missing, repeated, out of order or not on their own line",
      fix="start the text on the line after the BEGIN marker")
def markers(doc, ctx, opts, partial):
    lay = doc.layout
    text = doc.text
    begin = ctx.template.begin_marker if ctx.template else BEGIN_MARKER
    end = ctx.template.end_marker if ctx.template else END_MARKER
    if lay.begins:
        s, e = lay.begins[0]
        line_end = text.find("\n", e)
        line_end = len(text) if line_end == -1 else line_end
        if text[e:line_end].strip() and not (partial and line_end == len(text)):
            # A line starting with an HTML comment is an HTML block: the rest of it is shown raw, unformatted.
            yield Hit(e, line_end, f"text on the `{begin}` line is shown raw (no Markdown there): start the "
                      "post's text on the next line", Fix(e, e, "\n", "break the line after the marker"))
    if not lay.begins:
        after = lay.header[1] if lay.header else (lay.front_matter[1] if lay.front_matter else None)
        rest = _stripped_head(text, after, lay.content_end, len(begin)) if after is not None else ""
        streaming = not lay.structural or after is None or begin.startswith(rest)
        if not (partial and streaming):
            at = lay.narrative[0]
            yield Hit(at, at, f"`{begin}` is missing: put it on its own line before the post's text")
    for s, e in lay.begins[1:]:
        yield Hit(s, e, f"`{begin}` appears more than once: keep only the first")
    if not lay.ends:
        at = lay.content_end
        if partial:
            yield Hit(at, at, f"`{end}` not written yet", severity=Severity.PENDING)
        else:
            at = lay.narrative[1]
            yield Hit(at, at, f"`{end}` is missing: put it on its own line after the post's text")
        return
    for s, e in lay.ends[1:]:
        yield Hit(s, e, f"`{end}` appears more than once: keep only the last one before the footer")
    if lay.begins and lay.ends[0][0] < lay.begins[0][0]:
        s, e = lay.ends[0]
        yield Hit(s, e, f"`{end}` comes before `{begin}`: the END marker must follow the post's text")


def _footer_split(tail: str, footer: str):
    """Compare the tail after END with the footer, ignoring trailing spaces and blank lines at either end.

    Returns ("ok"|"prefix"|"extra"|"differs", offset): for "extra", the offset in ``tail`` where text after the
    footer starts; for "differs", the offset of the first line that differs."""
    exp = _norm_lines(footer)
    lead = len(tail) - len(tail.lstrip("\r\n \t"))
    lines = []
    for ls, le, nxt in iter_lines(tail, lead):
        lines.append((ls, le, nxt))
    got = [tail[ls:le].rstrip() for ls, le, _ in lines]
    while got and not got[-1]:
        got.pop()
    if got == exp:
        return "ok", 0
    if got[: len(exp)] == exp:
        return "extra", lines[len(exp) - 1][2]
    if not got:
        return "prefix", 0
    if len(got) <= len(exp) and got[:-1] == exp[: len(got) - 1] and exp[len(got) - 1].startswith(got[-1]):
        return "prefix", 0
    for i, line in enumerate(got):
        if i >= len(exp) or line != exp[i]:
            return "differs", lines[i][0]
    return "differs", lead


_GENERATED_BY = re.compile(r"^(Content|Image) generated by \[([^\]\n]+)\]\(", re.MULTILINE)


def expected_footer(tmpl, tail: str) -> str:
    """The template's footer, naming the models the post itself names unless the context pins them (the offline
    writer's own content line included, see :mod:`posttui.claims`)."""
    if tmpl.models_pinned:
        return tmpl.footer
    named = {m.group(1): m.group(2) for m in _GENERATED_BY.finditer(tail)}
    footer = _GENERATED_BY.sub(lambda m: f"{m.group(1)} generated by [{named.get(m.group(1), m.group(2))}](",
                               tmpl.footer)
    if OFFLINE_CONTENT_LINE in tail and "Content generated by [" not in tail:
        footer = re.sub(r"^Content generated by \[.*$", lambda m: OFFLINE_CONTENT_LINE, footer, count=1,
                        flags=re.MULTILINE)
    return footer


@rule("PT005", "error", "footer after the END marker not as in the template", fix="restore")
def footer(doc, ctx, opts, partial):
    tmpl = ctx.template
    lay = doc.layout
    text = doc.text
    if tmpl is None:
        return
    if lay.tail is None:
        at = lay.content_end
        if partial:
            yield Hit(at, at, "footer not written yet", severity=Severity.PENDING)
        elif lay.ends:
            pass
        else:
            yield Hit(at, at, "footer missing: the END marker and the template's footer must close the post")
        return
    ts, te = lay.tail
    footer_text = expected_footer(tmpl.for_post(text, lay.tail), text[ts:te])
    state, off = _footer_split(text[ts:te], footer_text)
    if state == "ok" or state == "extra":
        return
    if state == "prefix":
        if partial:
            yield Hit(te, te, "footer not complete yet", severity=Severity.PENDING)
            return
        if not text[ts:te].strip():
            yield Hit(
                ts,
                ts,
                "footer missing after the END marker: restore the template's footer",
                Fix(ts, te, "\n\n" + footer_text + "\n", "restore the footer"),
            )
            return
        off = len(text[ts:te].rstrip())
    s = ts + off
    line_end = text.find("\n", s, te)
    line_end = te if line_end == -1 else line_end
    yield Hit(
        s,
        max(line_end, s),
        "footer differs from the template (member images, \"Content generated by\", \"Image generated by\"): "
        "restore it exactly",
        Fix(ts, te, "\n\n" + footer_text + "\n", "restore the footer"),
    )


@rule("PT006", "error", "text outside the template's regions", fix="remove")
def outside_regions(doc, ctx, opts, partial):
    lay = doc.layout
    text = doc.text
    if lay.preamble is not None:
        s, e = lay.preamble
        stop = _WS_RE.match(text, e).end()
        yield Hit(
            s, e, "text before the post (a preamble): output only the post itself", Fix(0, stop, "", "remove")
        )
    if lay.stray_before_begin is not None:
        s, e = lay.stray_before_begin
        yield Hit(
            s,
            e,
            "text between the header image and the BEGIN marker: the post's text goes between the markers",
            Fix(s, e, "", "remove"),
        )
    if ctx.template is not None and lay.tail is not None:
        ts, te = lay.tail
        state, off = _footer_split(text[ts:te], ctx.template.footer)
        if state == "extra":
            s = ts + off
            span = text[s:te]
            stripped = span.strip()
            if stripped:
                lead = len(span) - len(span.lstrip())
                yield Hit(
                    s + lead,
                    s + lead + len(stripped),
                    "text after the footer (commentary): the post must end with the footer",
                    Fix(s, te, "", "remove"),
                )
    if lay.trailer is not None:
        s, e = lay.trailer
        yield Hit(s, e, "text after the post: output only the post itself", Fix(lay.wrap_close[1], len(text), "", "remove"))
