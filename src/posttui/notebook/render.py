"""HTML for the notebook: the draft with its problems highlighted in place, the problems table, a revision's diff,
the LaTeX source, the references and the authors. Plain strings (no widget library), so the rich reprs work in
any notebook and the editor widget shows the same markup.

Every piece of text from the paper or the draft is escaped; spans refer to the text the findings were computed
for (:attr:`posttui.workflow.Review.findings_text`).
"""

from __future__ import annotations

import difflib
from html import escape

SEVERITY_STYLE = {
    "error": "background:#ffd6d6;border-bottom:2px solid #d00000",
    "warning": "background:#fff1c2;border-bottom:2px solid #c08000",
    "info": "background:#dcecff;border-bottom:2px dotted #2060c0",
    "pending": "background:#eeeeee;border-bottom:1px dashed #888888",
}
"""Inline styles (no stylesheet to install: JupyterLab, classic Notebook and nbviewer all show them)."""
_RANK = {"error": 0, "warning": 1, "info": 2, "pending": 3}
_BOX = ("font-family:var(--jp-code-font-family,monospace);font-size:12px;white-space:pre-wrap;word-break:normal;"
        "overflow-wrap:break-word;margin:0")
SOURCE_LIMIT = 300_000
"""Characters of LaTeX highlighted at most (Pygments takes seconds on half a megabyte)."""


def severity_of(finding) -> str:
    return str(getattr(getattr(finding, "severity", ""), "value", getattr(finding, "severity", "")))


def finding_title(finding) -> str:
    """What hovering a highlighted span shows: the rule, the line, the message, and the fix when there is one."""
    fix = getattr(finding, "fix", None)
    tail = f" (fix: {fix.description})" if fix is not None and fix.description else ""
    return f"{finding.rule} {severity_of(finding)}, line {finding.line}: {finding.message}{tail}"


def draft_html(text: str, findings=()) -> str:
    """The draft with every finding's span marked in its severity's style; the hover title names the problem.
    Overlapping spans are split at their edges and show the most severe style with every message."""
    findings = [f for f in findings if 0 <= f.start <= f.end <= len(text)]
    cuts = sorted({0, len(text)} | {f.start for f in findings} | {f.end for f in findings})
    points = {}
    for f in findings:
        if f.start == f.end:
            points.setdefault(f.start, []).append(f)
    out = [f'<pre class="posttui-draft" style="{_BOX}">']
    for a, b in zip(cuts, cuts[1:] + [None]):
        for f in points.get(a, []):
            out.append(_mark("⁁", [f]))
        if b is None:
            break
        active = [f for f in findings if f.start <= a and b <= f.end and f.start < f.end]
        piece = escape(text[a:b])
        out.append(_mark(piece, active, escaped=True) if active else piece)
    out.append("</pre>")
    return "".join(out)


def _mark(piece: str, findings, *, escaped: bool = False) -> str:
    worst = min(findings, key=lambda f: _RANK.get(severity_of(f), 9))
    severity = severity_of(worst)
    title = escape("\n".join(finding_title(f) for f in findings), quote=True)
    body = piece if escaped else escape(piece)
    return (f'<mark class="posttui-{severity}" data-rule="{escape(worst.rule, quote=True)}" '
            f'style="{SEVERITY_STYLE.get(severity, "")};color:inherit" title="{title}">{body}</mark>')


def problems_html(text: str, findings) -> str:
    """The problems as a table: severity, rule, position, message, fix, and the offending excerpt highlighted."""
    if not findings:
        return '<p class="posttui-problems"><b>No problems.</b></p>'
    counts = {}
    for f in findings:
        counts[severity_of(f)] = counts.get(severity_of(f), 0) + 1
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in sorted(counts.items(), key=lambda kv:
                                                                           _RANK.get(kv[0], 9)))
    rows = []
    for i, f in enumerate(findings):
        a, b = max(0, f.start - 30), min(len(text), f.end + 30)
        excerpt = (escape(text[a:f.start]) + _mark(text[f.start:f.end] or "⁁", [f]) + escape(text[f.end:b]))
        fix = getattr(f, "fix", None)
        rows.append(
            f'<tr><td>{i}</td><td><span style="{SEVERITY_STYLE.get(severity_of(f), "")}">{severity_of(f)}</span></td>'
            f"<td>{escape(f.rule)}</td><td>{f.line}:{f.column}</td><td>{escape(f.message)}</td>"
            f"<td>{escape(fix.description or 'yes') if fix is not None else ''}</td>"
            f'<td><code style="white-space:pre-wrap">{excerpt}</code></td></tr>')
    return (f'<div class="posttui-problems"><b>{len(findings)} problem{"s" if len(findings) != 1 else ""}</b> '
            f"({summary})<table><thead><tr><th>#</th><th>severity</th><th>rule</th><th>line:col</th>"
            f"<th>message</th><th>fix</th><th>where</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def diff_html(old: str, new: str, *, old_name: str = "draft", new_name: str = "proposed") -> str:
    """A unified diff, added lines green and removed lines red."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2))
    if not lines:
        return "<p><i>No change.</i></p>"
    out = []
    for line in lines:
        style = ("color:#1a7f37;background:#e6ffec" if line.startswith("+") and not line.startswith("+++") else
                 "color:#cf222e;background:#ffebe9" if line.startswith("-") and not line.startswith("---") else
                 "color:#6e7781" if line.startswith("@@") else "")
        out.append(f'<span style="{style}">{escape(line)}</span>')
    return f'<pre class="posttui-diff" style="{_BOX}">' + "\n".join(out) + "</pre>"


def latex_html(tex: str) -> str:
    """The LaTeX source highlighted by Pygments (inline styles), cut at :data:`SOURCE_LIMIT` characters."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TexLexer

    note = ""
    if len(tex) > SOURCE_LIMIT:
        note = f"<p><i>The first {SOURCE_LIMIT:,} of {len(tex):,} characters.</i></p>"
        tex = tex[:SOURCE_LIMIT]
    body = highlight(tex, TexLexer(), HtmlFormatter(noclasses=True, nowrap=True))
    return f'{note}<pre class="posttui-source" style="{_BOX}">{body}</pre>'


def references_html(rows) -> str:
    """The references (:func:`posttui.panes.reference_rows`): ● marks the ones the draft links to."""
    if not rows:
        return "<p><i>No references.</i></p>"
    body = "".join(
        f"<tr><td>{'●' if r.used else ''}</td><td>{escape(r.key)}</td><td>{escape(r.year)}</td><td>{r.cited}</td>"
        f"<td>{escape(r.ident) or '—'}</td><td>{escape(r.author)}</td><td>{escape(r.title)}</td></tr>"
        for r in rows)
    used = sum(r.used for r in rows)
    return (f'<div class="posttui-references"><b>{len(rows)} references</b>, {used} linked in the draft (●)'
            "<table><thead><tr><th>used</th><th>key</th><th>year</th><th>cited</th><th>DOI / arXiv</th>"
            f"<th>first author</th><th>title</th></tr></thead><tbody>{body}</tbody></table></div>")


def authors_html(lines, names=()) -> str:
    """The authors as ``posttui info`` and the app list them (:func:`posttui.summary.author_lines`): the member each
    matched, how sure and why, ambiguity flagged; ``names`` alone when there is no group information."""
    if not lines:
        if not names:
            return "<p><i>No authors.</i></p>"
        rows = "".join(f"<tr><td>{escape(n)}</td><td>—</td></tr>" for n in names)
        return f"<p><i>No group information.</i></p><table><tbody>{rows}</tbody></table>"
    states = {"member": "", "ambiguous": "ambiguous: check it", "maybe": "a weak candidate", "-": ""}
    body = []
    for line in lines:
        member = (escape(line.member) if line.status in ("member", "ambiguous", "maybe") and line.member
                  else "<i>not in group</i>")
        flag = states.get(line.status, "")
        flag = f'<b style="color:#b07000">{flag}</b>' if flag else ""
        body.append(f'<tr title="{escape(line.reason, quote=True)}"><td>{escape(line.name)}</td><td>{member}</td>'
                    f"<td>{line.confidence:.2f}</td><td>{flag}</td><td>{escape(line.url)}</td>"
                    f"<td>{escape(line.image)}</td></tr>")
    return ('<div class="posttui-authors"><table><thead><tr><th>author</th><th>member</th><th>conf.</th><th></th>'
            f"<th>link</th><th>image</th></tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def overwrite_html(gate, text: str) -> str:
    """What approving with files in the way shows: the files, and the post's change when the old one is readable."""
    from pathlib import Path

    root = Path(str(gate.site.root))
    listed = "<br>".join(escape(str(p.relative_to(root)) if p.is_relative_to(root) else str(p))
                         for p in gate.existing)
    change = (diff_html(gate.old_post, text, old_name="site", new_name="draft")
              if gate.old_post is not None else "<p><i>The old post cannot be read.</i></p>")
    return f"<div class='posttui-overwrite'><b>Already in the site:</b><br>{listed}<br>The post changes like this:{change}</div>"
