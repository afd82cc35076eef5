"""The main screen: the paper on the left, the live draft on the right, the problems below.

Layout and wiring only: the review loop itself (sessions, checking, model calls, versions, approval, saving) is
:class:`posttui.workflow.Review`, shared with the CLI and the notebook. The screen renders its events: chunks go
into the raw draft editor at most ten times a second, partial checks re-judge only the changed tail, the preview
re-renders only its changed tail in a thread (see bench/tui.py). After typing, checks run off the UI thread, one
at a time, and a version is kept once typing pauses."""

from __future__ import annotations

import asyncio
import threading

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.lazy import Lazy
from textual.reactive import reactive
from textual.widgets import Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from ...errors import LLMError, PosttuiError
from ...postformat import reader_view
from ...workflow import Checked, Notice, Review, StateChanged, UsageCounted
from .. import flows, layout
from ..availability import why_not
from ..checks import CheckScheduler
from ..editor_sync import EditorSync
from ..keymap import bindings, key_of
from ..widgets.draft import DraftEditor
from ..widgets.footer import KeysFooter
from ..widgets.preview import PreviewView
from ..widgets.prompt import PromptPane
from ..widgets.problems import ProblemsTable, severity_of
from ..widgets.source import LatexView
from ..widgets.status import StatusHeader
from ..widgets.tables import AuthorsTable, ReferencesPane, ReferencesTable
from .dialogs import ConfirmDialog, HelpScreen
from .frugal import FrugalScreen


class MainScreen(FrugalScreen):
    """One paper, one :class:`~posttui.workflow.Review`."""

    BINDINGS = bindings(("generate", "stop", "regenerate", "repair", "fix_all", "undo_version", "redo_version",
                         "approve", "edit", "view", "problems", "tabs", "help", "quit"))

    # Bindings only: by default a screen's reactive repaints the whole screen when it changes (the end of a stream
    # drew every pane twice, issue 14)
    busy = reactive(False, bindings=True, repaint=False)
    """A model call or the save runs (the footer greys out what cannot run meanwhile)."""
    has_text = reactive(False, bindings=True, repaint=False)
    fixable = reactive(False, bindings=True, repaint=False)

    def __init__(self, review: Review, **kwargs):
        super().__init__(**kwargs)
        self.review = review
        self.view = "split"
        self._view_chosen = False
        """Once the user picks a view, resizing no longer changes it."""
        self.streaming = False
        self._known_text = ""
        """The text last put into the editor by the app (anything else there is a user edit)."""
        self.checks = CheckScheduler(self)
        self._edit_timer = None
        self._warned = 0
        """How many of the paper's warnings have been shown (more appear once the TeX is analysed)."""
        self.preview_shown: str | None = None
        """The draft text whose rendering the preview shows (set once the rendering is in place)."""
        self.sync = EditorSync(self)
        review.subscribe(self._on_review_event)

    # ----- layout -----------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        paper = self.review.paper
        yield StatusHeader(id="status")
        with Horizontal(id="main"):
            with TabbedContent(id="left", initial="tab-source"):
                with TabPane("Source", id="tab-source"):
                    yield LatexView(id="source")
                with TabPane("References", id="tab-references"):  # hidden tabs mount after the first frame
                    yield Lazy(ReferencesPane(paper, draft=lambda: self.editor.text, site=self.review.site,
                                              classes="tab-box"))
                with TabPane("Authors", id="tab-authors"):
                    yield Lazy(Vertical(AuthorsTable(paper, id="authors"),
                                        Static("", id="author-detail", classes="row-detail"), classes="tab-box"))
                with TabPane("Prompt", id="tab-prompt"):
                    yield Lazy(PromptPane(self.review, classes="tab-box"))
            with Horizontal(id="right", classes="split"):
                yield DraftEditor(id="draft")
                yield PreviewView(id="preview-pane")
        with Vertical(id="problems-pane"):
            yield ProblemsTable(id="problems")
            yield Static("", id="problem-detail")
        yield KeysFooter(compact=True, show_command_palette=False)

    @property
    def editor(self) -> DraftEditor:
        return self.query_one("#draft", DraftEditor)

    @property
    def status(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    @property
    def problems(self) -> ProblemsTable:
        return self.query_one(ProblemsTable)

    def on_mount(self) -> None:
        review, paper = self.review, self.review.paper
        self.status.show_paper(paper)
        self.status.backend = self.app.backend_label
        self.status.tokens, self.status.cost = review.tokens, review.cost
        self.query_one("#left").border_title = "Paper"
        self.editor.border_title = "Draft"
        self.query_one("#preview-pane").border_title = "Preview"
        self.query_one("#problems-pane").border_title = "Problems"
        self.query_one("#source", LatexView).load_text(paper.site_tex or "% this paper has no TeX source")
        self._show_paper_warnings()
        if review.text:
            self.notify(review.resume_note, timeout=6)
            self.status.set_state("idle", "resumed")
            self.show_text(review.text)
            self.sync.watch()
        self.call_after_refresh(self._prepare)  # the first frame first, then the prompt and the checker
        self.editor.focus()

    @work(thread=True, group="prepare", exit_on_error=False)
    def _prepare(self) -> None:
        """Build the checker off the UI thread (the references and TeX analysis can take a while); errors reach
        :meth:`on_worker_state_changed`."""
        from ..background import paper_work

        with paper_work(self.review.paper):
            self.review.checker  # noqa: B018 - built for its side effect
        self.app.call_from_thread(self._checker_ready)
        self.sync.preload()

    def _show_paper_warnings(self) -> None:
        """Non-fatal problems met while reading the paper (some appear only once the TeX is analysed)."""
        warnings = list(self.review.paper.warnings or [])
        for warning in warnings[self._warned:]:
            self.notify(str(warning), title="While reading the paper", severity="warning", timeout=8)
        self._warned = len(warnings)

    def _checker_ready(self) -> None:
        self._show_paper_warnings()
        self.app.runtime.paper_ready()  # the paper and its checker live as long as the app
        if self.editor.text.strip():
            self.request_check(delay=0)

    @property
    def unsaved(self) -> bool:
        return bool(self.editor.text.strip()) and self.editor.text != self.review.saved_text

    # ----- what the review says ---------------------------------------------------------------------------------
    def _on_review_event(self, event) -> None:
        if threading.get_ident() != self.app._thread_id:  # e.g. the approval gate's check, run in a thread
            self.app.call_from_thread(self._on_review_event, event)
            return
        if isinstance(event, StateChanged):
            self.status.set_state(event.state, event.detail)
            self.busy = self.review.busy
        elif isinstance(event, UsageCounted):
            self.status.tokens, self.status.cost, self.status.cost_known = (event.total_tokens, event.total_cost,
                                                                           event.cost_known)
        elif isinstance(event, Notice):
            self.notify(event.message, severity="error" if event.severity == "error" else "warning", timeout=12)

    # ----- the draft text ---------------------------------------------------------------------------------------
    def show_text(self, text: str) -> None:
        """Show ``text`` (the review's draft), keeping the cursor and the scroll position where they were."""
        editor = self.editor
        cursor, scroll = editor.cursor_location, editor.scroll_offset
        self._known_text = text
        editor.load_text(text)
        try:
            editor.move_cursor(cursor)
        except ValueError:
            pass
        editor.scroll_to(scroll.x, scroll.y, animate=False)
        self.has_text = bool(text.strip())
        self.request_check(delay=0)
        self.refresh_preview()
        for table in self.query(ReferencesTable):  # absent until the lazy tab mounts (it marks itself then)
            table.mark_used(text)

    @on(TextArea.Changed, "#draft")
    def _draft_changed(self, event: TextArea.Changed) -> None:
        if self.streaming or self.editor.text == self._known_text:
            return
        self.has_text = bool(self.editor.text.strip())
        self.request_check()  # highlights no longer line up: re-check soon; keep a version once typing pauses
        if self._edit_timer is not None:
            self._edit_timer.stop()
        self._edit_timer = self.set_timer(1.5, self._flush_edit)
        if self.view != "editor":
            self.refresh_preview(delay=0.6)

    def _flush_edit(self) -> None:
        if self._edit_timer is not None:
            self._edit_timer.stop()
            self._edit_timer = None
        text = self.editor.text
        if text != self._known_text and not self.streaming:
            self._known_text = text
            self.review.edit(text)

    # ----- checking ---------------------------------------------------------------------------------------------
    def request_check(self, *, partial: bool = False, delay: float = 0.3) -> None:
        self.checks.request(partial=partial, delay=delay)

    def show_findings(self, text: str, findings) -> None:
        findings = list(findings)
        self.editor.show_findings(findings, text)
        self.problems.show(findings)
        if not findings:
            tip = f"{key_of(self.app, 'help').upper()} lists every key; ctrl+p opens the command palette."
            shown = f"No problems found. {tip}" if text.strip() else tip
            if (detail := self.query_one("#problem-detail", Static)).content != shown:  # (an update is a layout)
                detail.update(shown)
        counts = {s: sum(1 for f in findings if severity_of(f) == s) for s in ("error", "warning", "info")}
        self.status.problems = f"{counts['error']}E {counts['warning']}W {counts['info']}I"
        e, w = counts["error"], counts["warning"]
        self.query_one("#problems-pane").border_title = (
            f"Problems: {e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}, {counts['info']} info")
        self.fixable = any(getattr(f, "fix", None) for f in findings)

    # ----- preview ----------------------------------------------------------------------------------------------
    def refresh_preview(self, delay: float = 0.0) -> None:
        self.run_worker(self._render_preview(delay), group="preview", exclusive=True, exit_on_error=False)

    async def _render_preview(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        text = self.editor.text
        if self.view == "editor" or text == self.preview_shown:
            return  # rendered when the preview is shown again
        await self.query_one("#preview-pane", PreviewView).show(reader_view(text))
        self.preview_shown = text

    # ----- model calls ------------------------------------------------------------------------------------------
    def action_generate(self) -> None:
        if not self.busy:
            self._flush_edit()
            self._generate()

    @work(group="llm", exclusive=True, exit_on_error=False)
    async def _generate(self) -> None:
        from ...workflow import Chunk

        editor, pending = self.editor, []
        self.streaming, editor.read_only, self._known_text = True, True, ""
        editor.load_text("")

        def show_pending() -> None:  # chunks reach the editor at most ten times a second
            if pending:
                editor.append_text("".join(pending))
                pending.clear()
                if self.view != "editor":
                    self.query_one("#preview-pane", PreviewView).stream(self._known_text, reader_view)

        try:
            async for event in self.review.generate():
                if isinstance(event, Chunk):
                    if not pending:
                        self.set_timer(0.1, show_pending)
                    pending.append(event.text)
                    self.status.live_tokens = len(self._known_text) // 4
                    self._known_text += event.text
                elif isinstance(event, Checked) and event.partial:
                    self.show_findings(event.text, event.findings)
        except LLMError as exc:
            self.notify(str(exc), title="Generation failed", severity="error", timeout=15)
        finally:
            show_pending()
            self.query_one("#preview-pane", PreviewView).end_stream()
            self.streaming, editor.read_only, self.status.live_tokens = False, False, 0
            self.show_text(self.review.text)
            self.sync.watch()

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "llm")
        self.workers.cancel_group(self, "save")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """No worker error vanishes: each one is shown, and the screen leaves its busy state."""
        if event.state == WorkerState.ERROR:
            self.streaming, self.editor.read_only, self.busy = False, False, self.review.busy
            self.notify(str(event.worker.error), title="Something went wrong", severity="error", timeout=15)
            self.status.set_state("failed", type(event.worker.error).__name__)

    def action_repair(self) -> None:
        if not self.busy and self.editor.text.strip():
            self._flush_edit()
            self._revise("repair")

    def action_regenerate_section(self) -> None:
        if not self.busy and self.editor.text.strip():
            self._flush_edit()
            self._revise("regenerate", self.editor.document.get_index_from_location(self.editor.cursor_location))

    @work(group="llm", exclusive=True, exit_on_error=False)
    async def _revise(self, kind: str, offset: int = 0) -> None:
        await flows.revise(self, kind, offset)

    # ----- mechanical fixes -------------------------------------------------------------------------------------
    def action_fix_all(self) -> None:
        if self.busy or not self.review.checker_ready:
            return
        self._flush_edit()
        applied = self.review.fix_all()
        if not applied:
            self.notify("No mechanical fixes to apply.")
            return
        self.show_text(self.review.text)
        self.notify(f"Applied {len(applied)} fix{'es' if len(applied) != 1 else ''}; checking again.")

    @on(ProblemsTable.FixOne)
    def _fix_one(self, event: ProblemsTable.FixOne) -> None:
        finding = event.finding
        if self.busy or not self.review.checker_ready:
            return
        self._flush_edit()
        try:
            changed = self.review.fix(finding)
        except PosttuiError as exc:
            self.notify(f"{exc}; try Repair ({key_of(self.app, 'repair')}).")
            self.request_check(delay=0)
            return
        if changed:
            self.show_text(self.review.text)
            self.notify(f"Fixed {finding.rule} on line {finding.line}.")
        else:
            self.notify("The fix changed nothing.")

    # ----- versions ---------------------------------------------------------------------------------------------
    def action_undo_version(self) -> None:
        self._flush_edit()
        self._show_version(self.review.undo(), "This is the first version.", "Back to")

    def action_redo_version(self) -> None:
        self._flush_edit()
        self._show_version(self.review.redo(), "No later version.", "Forward to")

    def _show_version(self, version, none: str, verb: str) -> None:
        if version is None:
            self.notify(none)
            return
        self.show_text(version.text)
        self.notify(f"{verb} the version from {version.origin} at {version.created[11:19]}.")

    # ----- navigation -------------------------------------------------------------------------------------------
    @on(ProblemsTable.Jump)
    def _jump(self, event: ProblemsTable.Jump) -> None:
        f = event.finding
        self.editor.jump_to(self.review.findings_text or self.editor.text, f.start, f.end, focus=False)

    def action_focus_problems(self) -> None:
        self.problems.focus()

    def action_cycle_view(self) -> None:
        self._view_chosen = True
        self._set_view(layout.cycle(self))
        self.notify(f"View: {self.view}", timeout=2)

    def _set_view(self, view: str) -> None:
        layout.show(self, view)
        if view != "editor":
            self.refresh_preview()

    def on_resize(self, event) -> None:
        if (wanted := layout.resized(self, *event.size)) is not None:
            self._set_view(wanted)

    @on(ReferencesTable.RowHighlighted, "#references")
    @on(AuthorsTable.RowHighlighted, "#authors")
    def _paper_row_highlighted(self, event) -> None:
        from rich.markup import escape

        table = event.data_table
        target = "#reference-detail" if table.id == "references" else "#author-detail"
        self.query_one(target, Static).update(escape(table.describe(event.cursor_row)))

    @on(ProblemsTable.RowHighlighted, "#problems")
    def _problem_highlighted(self, event) -> None:
        from rich.markup import escape

        f = self.problems.selected
        fix = f" · fixable: {key_of(self.app, 'fix_one')} fixes it, {key_of(self.app, 'fix_all')} fixes all"
        self.query_one("#problem-detail", Static).update(
            "" if f is None else
            f"[b]{f.rule}[/b] line {f.line}, column {f.column}: {escape(f.message)}{fix if f.fix else ''}")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_next_tab(self) -> None:
        tabs = self.query_one("#left", TabbedContent)
        order = ["tab-source", "tab-references", "tab-authors", "tab-prompt"]
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)] if tabs.active in order else order[0]

    # ----- approve and save -------------------------------------------------------------------------------------
    def action_approve(self) -> None:
        if self.busy or not self.editor.text.strip():
            return
        if self.review.site is None:
            self.notify("No site to save into: start posttui inside your Jekyll site or pass --site DIR.",
                        severity="error", timeout=10)
            return
        self._flush_edit()
        self._approve()

    @work(group="save", exclusive=True, exit_on_error=False)
    async def _approve(self) -> None:
        await flows.approve(self)

    # ----- external editor and quitting -------------------------------------------------------------------------
    def action_external_edit(self) -> None:
        if not self.busy:
            self._flush_edit()
            self.sync.edit()

    def action_quit_app(self) -> None:
        self._quit()

    @work(group="quit", exclusive=True)
    async def _quit(self) -> None:
        self._flush_edit()
        if self.busy or self.unsaved:  # ask first: "Stay" leaves a running stream running
            running = f" {self.review.state.capitalize()} is still running and will be stopped." if self.busy else ""
            leave = await self.app.push_screen_wait(ConfirmDialog(
                "Quit without approving?",
                f"The draft is not saved into the site.{running} It stays in the session: `posttui sessions` lists "
                "it and opening this paper again offers to resume.", yes="Quit", no="Stay", id="quit-dialog"))
            if not leave:
                return
        self.workers.cancel_group(self, "llm")
        self.app.exit(0)

    # ----- key availability -------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        return None if why_not(self, action) else True

    def why_not(self, action: str) -> str | None:
        """Why ``action`` cannot run now (the palette shows it), or None."""
        return why_not(self, action)
