"""The notebook API: a :class:`NotebookSession` is a :class:`posttui.workflow.Review` with notebook manners.

It adds no workflow of its own: generating, checking, fixing, revising, undo and the save are the Review's. What
it adds is how a notebook shows them: the draft streams into the cell's output, problems render as a table with
their spans highlighted in the draft, each revision is a :class:`Proposal` (its diff, to accept or reject), and
approving shows what the app's gate shows before it lets anything through (errors need ``allow_errors=True``;
files already in the site need ``overwrite=True`` once their diff has been shown).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from ..errors import PosttuiError
from ..workflow import ApprovalError, Checked, Chunk, Review
from .render import (diff_html, draft_html, escape, overwrite_html, problems_html, references_html,
                     authors_html, severity_of)

LIVE_INTERVAL = 0.1
"""Seconds between redraws of a streaming draft in a cell's output (every chunk is kept; only drawing waits)."""


def show(obj) -> None:
    """Display ``obj`` in the running notebook; nothing outside IPython (plain scripts, tests)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(obj)


class Html:
    """A piece of HTML that renders in a notebook (and prints as its text elsewhere)."""

    def __init__(self, html: str, text: str = ""):
        self.html, self.text = html, text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or self.html


class Draft:
    """The draft as the session has it: HTML with every problem highlighted in place, Markdown as it is."""

    def __init__(self, text: str, findings):
        self.text, self.findings = text, list(findings)

    def _repr_html_(self) -> str:
        return draft_html(self.text, self.findings)

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<draft: {len(self.text):,} chars, {len(self.findings)} problem(s)>"


class Problems(list):
    """The open problems (a list of :class:`~posttui.rules.Finding`), rendered as a table with the excerpts."""

    def __init__(self, text: str, findings):
        super().__init__(findings)
        self.text = text

    @property
    def fixable(self) -> list:
        return [f for f in self if getattr(f, "fix", None) is not None]

    def _repr_html_(self) -> str:
        return problems_html(self.text, list(self))

    def _repr_markdown_(self) -> str:
        if not self:
            return "**No problems.**"
        rows = "\n".join(f"| {i} | {severity_of(f)} | {f.rule} | {f.line}:{f.column} | "
                         f"{f.message.replace('|', '/')} | {'yes' if f.fix is not None else ''} |"
                         for i, f in enumerate(self))
        return f"| # | severity | rule | line:col | message | fix |\n|---|---|---|---|---|---|\n{rows}"


class Proposal:
    """A revision to accept or reject: a fix, a repair or a regenerated section, shown as its diff."""

    def __init__(self, session: "NotebookSession", revision, title: str):
        self.session, self.revision, self.title = session, revision, title
        self.base = session.review.text
        """The draft the revision was made from: accepting is refused once the draft has moved on."""
        self.decided: str | None = None
        """``accepted`` or ``rejected`` once decided."""

    @property
    def text(self) -> str:
        return self.revision.text

    def accept(self) -> "Proposal":
        if self.decided:
            raise PosttuiError(f"this proposal was already {self.decided}")
        if self.session.review.text != self.base:
            raise PosttuiError("the draft changed since this was proposed", hint="ask for it again")
        self.session.review.accept(self.revision)
        self.decided = "accepted"
        return self

    def reject(self) -> "Proposal":
        if self.decided:
            raise PosttuiError(f"this proposal was already {self.decided}")
        self.decided = "rejected"
        return self

    def _remaining(self) -> str:
        errors = [f for f in self.revision.findings if severity_of(f) == "error"]
        return f"After it, {len(errors)} error(s) remain." if errors else "After it, no error remains."

    def _repr_html_(self) -> str:
        state = f" <i>({self.decided})</i>" if self.decided else " — <code>.accept()</code> or <code>.reject()</code>"
        return (f"<div class='posttui-proposal'><b>{escape(self.title)}</b>{state}<br>{self._remaining()}"
                f"{diff_html(self.base, self.text)}</div>")

    def __repr__(self) -> str:
        return f"<{self.title}: {self.decided or 'undecided'}; {self._remaining()}>"


class NotebookSession:
    """One paper under review in a notebook. Create with :func:`posttui.open`."""

    def __init__(self, review: Review):
        self.review = review
        self._overwrite_shown: tuple[str | None, str] | None = None
        """The (old post, draft) pair whose diff the user was shown: ``overwrite=True`` needs exactly that one."""

    @classmethod
    def open(cls, source=None, *, site=None, session: int | None = None, backend: str | None = None,
             model: str | None = None, lean: bool = False, store=None, config=None, **load_options):
        """Open ``source`` in ``site`` (a folder of a Jekyll site), or resume ``session`` (an id the app, the CLI
        or a notebook created: its paper is opened again from where it came from)."""
        from ..config import load_config
        from ..session import SessionStore

        config = config or load_config()
        store = store if store is not None else SessionStore.open(config=config)
        if session is not None and source is None:
            stored = store.get(session)
            source = stored.origin or stored.paper_key
        if source is None:
            raise PosttuiError("nothing to open", hint="name a paper (arXiv id, folder, archive) or a session id")
        if isinstance(source, (str, Path)) and Path(source).expanduser().exists():
            source = str(Path(source).expanduser().resolve())  # resumable from any folder (the app, posttui resume)
        review = Review.open(source, site=site, config=config, store=store, backend=backend, model=model,
                             session_id=session, prompt_mode="lean" if lean else "site", **load_options)
        return cls(review)

    # ----- what the session shows ---------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.review.text

    @property
    def session_id(self) -> int | None:
        return self.review.session_id

    @property
    def draft(self) -> Draft:
        return Draft(self.review.text, self._current_findings())

    @property
    def problems(self) -> Problems:
        return Problems(self.review.text, self._current_findings())

    def _current_findings(self) -> list:
        """The findings of the draft as it is now (checked again when the draft moved since the last check)."""
        if self.review.text and self.review.findings_text != self.review.text:
            self.review.check()
        return list(self.review.findings) if self.review.findings_text == self.review.text else []

    @property
    def references(self) -> Html:
        from ..panes import cite_counts, reference_rows

        rows = reference_rows(list(self.review.paper.references or []), cite_counts(self.review.paper),
                              self.review.text)
        text = "\n".join(f"{'●' if r.used else ' '} {r.key} ({r.year}) {r.ident}" for r in rows)
        return Html(references_html(rows), text)

    @property
    def authors(self) -> Html:
        from ..summary import author_lines

        lines = author_lines(self.review.paper)
        text = "\n".join(f"{line.name} → {line.member or '—'} ({line.status}, {line.confidence:.2f})" for line in lines)
        return Html(authors_html(lines, self.review.paper.author_names), text)

    def prompt(self, lean: bool | None = None) -> str:
        return self.review.prompt(None if lean is None else "lean" if lean else "site")

    def _summary(self) -> str:
        r = self.review
        site = str(r.site.root) if r.site is not None else "no site (approving needs one)"
        cost = f"${r.cost:.4f}" if r.cost_known else f"≥ ${r.cost:.4f} (some calls unpriced)"
        return (f"{r.paper.title} · {r.paper.post_name} · site {site} · session {r.session_id or '—'} · "
                f"{r.model_name} · {r.state}{' (' + r.state_detail + ')' if r.state_detail else ''} · "
                f"{r.tokens:,} tokens · {cost}")

    def _repr_html_(self) -> str:
        r = self.review
        head = f"<p class='posttui-session'><b>posttui</b> · {escape(self._summary())}</p>"
        if r.resume_note:
            head += f"<p><i>{escape(r.resume_note)}</i></p>"
        if not r.text:
            return head + "<p><i>No draft yet: <code>await s.generate()</code>.</i></p>"
        findings = self._current_findings()
        return head + problems_html(r.text, findings) + draft_html(r.text, findings)

    def _repr_markdown_(self) -> str:
        return f"**posttui** · {self._summary()}\n\n" + (self.review.text or "_No draft yet._")

    def __repr__(self) -> str:
        return f"<posttui session: {self._summary()}>"

    # ----- generating -------------------------------------------------------------------------------------
    async def generate(self) -> None:
        """Stream a new draft into the cell's output (interrupt the cell to stop: what arrived is kept)."""
        live = LiveDraft()
        live.show()
        streamed = ""
        try:
            async for event in self.review.generate():
                if isinstance(event, Chunk):
                    streamed += event.text
                    live.update(streamed, [], final=False)
                elif isinstance(event, Checked) and event.partial:
                    live.update(event.text, event.findings, final=False)
        finally:
            r = self.review
            live.update(r.text, r.findings if r.findings_text == r.text else [], final=True,
                        state=f"{r.state}{': ' + r.state_detail if r.state_detail else ''}")

    # ----- revising ---------------------------------------------------------------------------------------
    def fix(self, problem=None) -> Proposal | None:
        """The mechanical fixes (all of them, or one problem's: a finding or its number in :attr:`problems`) as a
        :class:`Proposal`; None when nothing would change."""
        if isinstance(problem, int):
            problem = self.problems[problem]
        elif problem is not None:
            self._current_findings()
        revision = self.review.propose_fix(problem)
        if revision is None:
            return None
        title = "Fix all mechanical problems" if problem is None else f"Fix {problem.rule} line {problem.line}"
        return Proposal(self, revision, title)

    async def repair(self) -> Proposal:
        """Ask the model to repair the open problems; returns the proposed draft as a :class:`Proposal`."""
        self._current_findings()
        revision = await self.review.propose("repair")
        return Proposal(self, revision, "Repair of the open problems")

    async def regenerate(self, section: str) -> Proposal:
        """Ask the model for a new text of the section with heading ``section`` ("" is the opening)."""
        revision = await self.review.propose("regenerate", section=section)
        label = revision.section.label if revision.section is not None else section
        return Proposal(self, revision, f"New text for {label}")

    def edit(self, text: str) -> Draft:
        """Make ``text`` the draft (a new version, undoable)."""
        self.review.edit(text)
        return self.draft

    def undo(self) -> Draft | None:
        return self.draft if self.review.undo() is not None else None

    def redo(self) -> Draft | None:
        return self.draft if self.review.redo() is not None else None

    # ----- approving --------------------------------------------------------------------------------------
    async def approve(self, *, allow_errors: bool = False, overwrite: bool = False):
        """Save the draft into the site through the app's gate; returns the :class:`~posttui.site.SaveReport`.

        Refused (:class:`~posttui.workflow.ApprovalError`, nothing written) while errors are open unless
        ``allow_errors=True``; when files of the post already exist, the first call shows how the post would
        change and only a later call with ``overwrite=True`` (for that same draft) replaces them."""
        gate = await asyncio.to_thread(self.review.approval)
        text = self.review.text
        refusal = gate.refusal(allow_errors=allow_errors, overwrite=True)  # the errors half of the gate first
        if refusal is not None:
            show(Problems(text, gate.errors))
            raise ApprovalError(str(refusal).split("\n  hint:")[0],  # the same refusal, with a notebook's hint
                                hint="fix them (s.fix(), await s.repair(), s.edit(...)), or approve(allow_errors=True)")
        if gate.existing:
            seen = self._overwrite_shown == (gate.old_post, text)
            if not (overwrite and seen):
                self._overwrite_shown = (gate.old_post, text)
                show(Html(overwrite_html(gate, text)))
                root = self.review.site.root
                listed = ", ".join(str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in gate.existing)
                raise ApprovalError(
                    f"already in the site: {listed}; nothing was written",
                    hint=("the change is shown above; approve(overwrite=True) again to replace them" if overwrite
                          else "the change is shown above; approve(overwrite=True) replaces them"))
        report = await self.review.save(allow_errors=allow_errors, overwrite=bool(gate.existing))
        self._overwrite_shown = None
        show(Html(f"<p><b>Saved</b> into {escape(str(self.review.site.root))}:<br>"
                  + "<br>".join(escape(line) for line in report.describe().splitlines()) + "</p>",
                  report.describe()))
        return report

    def editor(self):
        """The interactive editor widget on this session (needs ``pip install 'posttui[jupyter]'``)."""
        from .widget import Editor

        return Editor(self)

    async def aclose(self) -> None:
        await self.review.aclose()


class LiveDraft:
    """A streaming draft in a cell's output: an ipywidgets HTML when available, else an updatable display."""

    def __init__(self):
        self.last = 0.0
        self.handle = None
        try:
            import ipywidgets
        except ImportError:
            self.widget = None
        else:
            self.widget = ipywidgets.HTML("<i>generating…</i>")

    def show(self) -> None:
        if self.widget is not None:
            show(self.widget)
            return
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is not None:
            self.handle = display(Html("<i>generating…</i>"), display_id=True)

    def update(self, text: str, findings, *, final: bool, state: str = "") -> None:
        """Redraw (at most every :data:`LIVE_INTERVAL` while streaming; always for the final draft)."""
        now = time.monotonic()
        if not final and now - self.last < LIVE_INTERVAL:
            return
        self.last = now
        html = (f"<p><i>{escape(state)}</i></p>" if state else "") + draft_html(text, findings)
        if self.widget is not None:
            self.widget.value = html
        elif self.handle is not None:
            self.handle.update(Html(html, text))
