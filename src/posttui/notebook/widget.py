"""The notebook's editor widget: the app's panes and buttons as ipywidgets, driving one
:class:`posttui.workflow.Review` (through its :class:`~posttui.notebook.session.NotebookSession`).

Model calls run as asyncio tasks on the kernel's own loop (the kernel stays responsive, and the page follows each
trait change live); :attr:`Editor.task` keeps the running one, and Stop cancels it (what arrived is kept, as in the
app). Questions (accept a revision, save with errors, replace files) appear in the decision area with two buttons
and are awaited like the app's dialogs. ipywidgets is imported when an editor is made, never at import time.
"""

from __future__ import annotations

import asyncio
import time

from ..errors import LLMError, PosttuiError
from ..postformat import sections
from ..workflow import Checked, Chunk, Notice, StateChanged, UsageCounted
from .render import (authors_html, diff_html, draft_html, escape, latex_html, overwrite_html, references_html,
                     severity_of)

LIVE_INTERVAL = 0.1
"""Seconds between redraws of the highlighted view while a draft streams (the text area follows every chunk)."""

_BUTTONS = (
    ("generate", "Generate", "primary", "Stream a new draft from the paper"),
    ("stop", "Stop", "danger", "Stop the running call (what arrived is kept)"),
    ("regenerate", "Regenerate section", "", "Ask for a new text of the chosen section"),
    ("repair", "Repair", "", "Ask the model to repair the open problems"),
    ("fix_all", "Fix all", "", "Apply every mechanical fix"),
    ("undo", "Undo", "", "Go back to the previous version"),
    ("redo", "Redo", "", "Go forward again"),
    ("approve", "Approve", "success", "Save the post into the site (through the approval gate)"),
)


class Editor:
    """The interactive editor; display it (it is the last value of a cell, or ``display(editor)``)."""

    def __init__(self, session):
        import ipywidgets as w

        self.w = w
        self.session = session
        self.review = session.review
        self.task: asyncio.Task | None = None
        """The running model call or save (kept so it is not collected mid-stream, and so Stop can cancel it)."""
        self.streamed = ""
        self.notice = ""
        self._syncing = False
        self._last_draw = 0.0
        self._answer: asyncio.Future | None = None

        self.buttons = {}
        for name, label, style, tip in _BUTTONS:
            button = w.Button(description=label, button_style=style, tooltip=tip,
                              layout=w.Layout(width="auto"))
            button.on_click(lambda _b, name=name: self._clicked(name))
            self.buttons[name] = button
        self.section_choice = w.Dropdown(options=[], description="Section:", layout=w.Layout(width="260px"))
        self.status = w.HTML()
        self.draft_input = w.Textarea(placeholder="The draft appears here; edit it freely (each edit is a version).",
                                      continuous_update=False, layout=w.Layout(width="100%", height="460px"))
        self.draft_input.observe(self._typed, names="value")
        self.draft_view = w.HTML(layout=w.Layout(width="100%", height="460px", overflow="auto",
                                                 border="1px solid #ddd", padding="4px"))
        self.problems = w.VBox()
        self.decision = w.VBox()
        pane = dict(height="320px", overflow="auto")
        self.source = w.HTML(layout=w.Layout(**pane))
        self.references = w.HTML(layout=w.Layout(**pane))
        self.authors = w.HTML(layout=w.Layout(**pane))
        self.lean = w.ToggleButtons(options=["site", "lean"], value=self.review.prompt_mode,
                                    tooltips=["The site's full prompt", "A shorter prompt"])
        self.lean.observe(self._prompt_mode, names="value")
        self.prompt_info = w.HTML()
        self.prompt_text = w.Textarea(disabled=True, layout=w.Layout(width="100%", height="300px"))
        self.tabs = w.Tab(children=[self.source, self.references, self.authors,
                                    w.VBox([w.HBox([self.lean, self.prompt_info]), self.prompt_text])])
        for i, title in enumerate(("Source", "References", "Authors", "Prompt")):
            self.tabs.set_title(i, title)
        self.tabs.observe(lambda _c: self._fill_tab(), names="selected_index")
        self._filled: set[int] = set()
        self.widget = w.VBox([
            w.HBox([self.buttons[n] for n in ("generate", "stop", "repair", "fix_all", "undo", "redo", "approve")]
                   + [self.section_choice, self.buttons["regenerate"]], layout=w.Layout(flex_flow="row wrap")),
            self.status,
            self.decision,
            w.HBox([w.VBox([w.HTML("<b>Draft</b>"), self.draft_input], layout=w.Layout(width="50%")),
                    w.VBox([w.HTML("<b>Problems in place</b> (hover a mark for its message)"), self.draft_view],
                           layout=w.Layout(width="50%"))]),
            self.problems,
            self.tabs,
        ], layout=w.Layout(width="100%"))
        self.widget.add_class("posttui-editor")
        self.review.subscribe(self._event)
        self.refresh()
        self._fill_tab()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ----- drawing ----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Draw the draft, its problems, the sections and the buttons from the review as it is now."""
        review = self.review
        self._set_input(review.text)
        if review.text and review.findings_text != review.text and not review.busy:
            review.check()
        findings = review.findings if review.findings_text == review.text else []
        self.draft_view.value = draft_html(review.text, findings) if review.text else "<i>No draft yet.</i>"
        self._draw_problems(review.text, findings)
        choices = [(s.heading or "(opening)", s) for s in sections(review.text)] if review.text else []
        if [label for label, _ in choices] != [label for label, _ in self.section_choice.options]:
            self.section_choice.options = choices
        elif choices:
            chosen = self.section_choice.label
            self.section_choice.options = choices  # the same headings at new offsets
            self.section_choice.label = chosen
        if choices and self.section_choice.value is None:
            self.section_choice.index = 0
        self._draw_status()
        self._enable()
        if 1 in self._filled:
            self.references.value = self._references_html()

    def _set_input(self, text: str) -> None:
        if self.draft_input.value != text:
            self._syncing = True
            try:
                self.draft_input.value = text
            finally:
                self._syncing = False

    def _draw_problems(self, text: str, findings) -> None:
        w = self.w
        rows = []
        for finding in findings:
            severity = severity_of(finding)
            label = w.HTML(f'<span class="posttui-{severity}"><b>{severity}</b> {escape(finding.rule)} '
                           f"line {finding.line}: {escape(finding.message)}</span>",
                           layout=w.Layout(width="auto"))
            row = [label]
            if getattr(finding, "fix", None) is not None:
                button = w.Button(description="Fix", tooltip=finding.fix.description or "apply the fix",
                                  layout=w.Layout(width="60px"))
                button.on_click(lambda _b, f=finding: self.fix(f))
                row.insert(0, button)
            rows.append(w.HBox(row))
        head = (f"<b>{len(findings)} problem{'s' if len(findings) != 1 else ''}</b>" if findings else
                "<b>No problems.</b>" if text else "")
        self.problems.children = [w.HTML(head), *rows]

    def _draw_status(self) -> None:
        r = self.review
        cost = f"${r.cost:.4f}" if r.cost_known else f"≥ ${r.cost:.4f}"
        state = f"{r.state}{': ' + r.state_detail if r.state_detail else ''}"
        site = escape(str(r.site.root)) if r.site is not None else "no site"
        note = f" · <i>{escape(self.notice)}</i>" if self.notice else ""
        self.status.value = (f"<b>{escape(r.paper.title)}</b> · {escape(r.paper.post_name)} → {site} · "
                             f"session {r.session_id or '—'} · {escape(r.model_name)} · <b>{escape(state)}</b> · "
                             f"{r.tokens:,} tokens · {cost}{note}")

    def _enable(self) -> None:
        running = self.task is not None and not self.task.done()
        has_text = bool(self.review.text)
        for name, button in self.buttons.items():
            button.disabled = (not running) if name == "stop" else (
                running or (name not in ("generate",) and not has_text))
        self.draft_input.disabled = running

    def _fill_tab(self) -> None:
        """Fill a tab when it is first shown (highlighting a big source or building the prompt takes a while)."""
        index = self.tabs.selected_index or 0
        if index in self._filled:
            return
        self._filled.add(index)
        try:
            if index == 0:
                self.source.value = latex_html(self.review.paper.site_tex)
            elif index == 1:
                self.references.value = self._references_html()
            elif index == 2:
                from ..summary import author_lines

                self.authors.value = authors_html(author_lines(self.review.paper), self.review.paper.author_names)
            else:
                self._show_prompt()
        except PosttuiError as exc:
            self._filled.discard(index)
            self._say(str(exc))

    def _references_html(self) -> str:
        from ..panes import cite_counts, reference_rows

        paper = self.review.paper
        return references_html(reference_rows(list(paper.references or []), cite_counts(paper), self.review.text))

    def _show_prompt(self) -> None:
        from ..prompt import estimate_tokens

        prompt = self.review.prompt()
        self.prompt_info.value = (f"{self.review.prompt_mode} prompt · {len(prompt):,} chars · "
                                  f"~{estimate_tokens(prompt):,} tokens")
        self.prompt_text.value = prompt

    def _prompt_mode(self, change) -> None:
        self.review.prompt_mode = change["new"]
        self._show_prompt()

    def _say(self, message: str) -> None:
        self.notice = message
        self._draw_status()

    # ----- events of the review ---------------------------------------------------------------------------------
    def _event(self, event) -> None:
        if isinstance(event, Chunk):
            self.streamed += event.text
            self._set_input(self.streamed)
            self._draw_live(self.streamed, [])
        elif isinstance(event, Checked):
            if event.partial:
                self._draw_live(event.text, event.findings)
        elif isinstance(event, (StateChanged, UsageCounted)):
            self._draw_status()
        elif isinstance(event, Notice):
            self._say(event.message)

    def _draw_live(self, text: str, findings) -> None:
        now = time.monotonic()
        if now - self._last_draw >= LIVE_INTERVAL:
            self._last_draw = now
            self.draft_view.value = draft_html(text, findings)

    def _typed(self, change) -> None:
        if self._syncing or self.review.busy:
            return
        if self.review.edit(change["new"]):
            self.review.check()
            self.refresh()

    # ----- the user's intents -----------------------------------------------------------------------------------
    def _clicked(self, name: str) -> None:
        if name == "stop":
            self.stop()
        elif name in ("generate", "repair", "regenerate", "approve"):
            self.start(getattr(self, f"_{name}")())
        else:
            getattr(self, name)()

    def start(self, coroutine) -> asyncio.Task | None:
        """Run ``coroutine`` as the editor's task on the kernel's loop (one at a time)."""
        if self.task is not None and not self.task.done():
            coroutine.close()
            self._say("a call is still running: stop it first")
            return None
        self.task = asyncio.get_running_loop().create_task(self._guarded(coroutine))
        self._enable()
        return self.task

    async def _guarded(self, coroutine) -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            self._say("stopped; what arrived is kept")
        except (PosttuiError, LLMError) as exc:
            self._say(str(exc))
        finally:
            self._answered(False)
            self.decision.children = []
            self.task = None
            self.refresh()

    def stop(self) -> None:
        """Cancel the running call (mid-stream: the text that arrived stays the draft, as a version)."""
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def _generate(self) -> None:
        self.streamed = ""
        async for _event in self.review.generate():
            pass  # every event reaches _event through the subscription

    async def _repair(self) -> None:
        self.review.check()
        await self._revise(await self.review.propose("repair", on_chunk=self._revision_chunk))

    async def _regenerate(self) -> None:
        section = self.section_choice.value
        if section is None:
            raise PosttuiError("no section to regenerate", hint="generate a draft first")
        await self._revise(await self.review.propose("regenerate", section=section, on_chunk=self._revision_chunk))

    def _revision_chunk(self, _text: str) -> None:
        self._say(f"{self.review.state}…")

    async def _revise(self, revision) -> None:
        what = ("Repair of the open problems" if revision.origin == "repair" else
                f"New text for {revision.section.label}" if revision.section is not None else "Revision")
        errors = [f for f in revision.findings if severity_of(f) == "error"]
        note = f"After it, {len(errors)} error(s) remain." if errors else "After it, no error remains."
        if await self.ask(f"<b>{escape(what)}: accept?</b> {note}" + diff_html(self.review.text, revision.text),
                          "Accept", "Reject"):
            self.review.accept(revision)
            self._say(f"{revision.origin} accepted; Undo goes back")
        else:
            self._say(f"{revision.origin} rejected; the draft is unchanged")

    async def _approve(self) -> None:
        """The app's gate as questions (errors, then files in the way with the post's diff), then the save."""
        review = self.review
        gate = await asyncio.to_thread(review.approval)
        self.refresh()
        allow_errors = overwrite = False
        if gate.errors:
            listing = "<br>".join(f"• {escape(f.rule)} line {f.line}: {escape(f.message)}" for f in gate.errors[:20])
            n = len(gate.errors)
            allow_errors = await self.ask(
                f"<b>Not saved: {n} error-level problem{'s' if n != 1 else ''} open</b><br>{listing}<br>"
                "Fix them (Fix all, Repair, or edit), or save anyway.", "Save anyway", "Back to the draft",
                danger=True)
            if not allow_errors:
                self._say("not saved")
                return
        if gate.existing:
            overwrite = await self.ask(overwrite_html(gate, review.text), "Overwrite", "Keep the old files",
                                       danger=True)
            if not overwrite:
                self._say("not saved; the files in the site are unchanged")
                return
        report = await review.save(allow_errors=allow_errors, overwrite=overwrite)
        root = review.site.root
        self._say("saved: " + ", ".join(str(p.relative_to(root)) for p in report.written))

    def ask(self, html: str, yes: str, no: str, *, danger: bool = False) -> asyncio.Future:
        """Show a question in the decision area; the future is True for ``yes``, False for ``no`` (or Stop)."""
        w = self.w
        self._answer = asyncio.get_running_loop().create_future()
        yes_button = w.Button(description=yes, button_style="danger" if danger else "success")
        no_button = w.Button(description=no)
        yes_button.on_click(lambda _b: self._answered(True))
        no_button.on_click(lambda _b: self._answered(False))
        self.decision.children = [w.HTML(html), w.HBox([yes_button, no_button])]
        return self._answer

    def _answered(self, value: bool) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(value)
        self._answer = None
        self.decision.children = []

    def fix(self, finding) -> None:
        """Apply one problem's mechanical fix (undoable)."""
        try:
            self.review.fix(finding)
        except PosttuiError as exc:
            self._say(str(exc))
        self.refresh()

    def fix_all(self) -> None:
        applied = self.review.fix_all()
        self._say(f"{len(applied)} fix{'es' if len(applied) != 1 else ''} applied" if applied else "nothing to fix")
        self.refresh()

    def undo(self) -> None:
        if self.review.undo() is None:
            self._say("nothing to undo")
        self.refresh()

    def redo(self) -> None:
        if self.review.redo() is None:
            self._say("nothing to redo")
        self.refresh()
