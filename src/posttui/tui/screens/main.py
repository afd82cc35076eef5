"""The main screen: the paper on the left, the live draft on the right, the problems below.

Generation streams into the raw draft editor (cheap: one edit per chunk) and the rendered preview is refreshed
when the stream settles, never per chunk (see bench/tui.py for the measurement). While text streams in, the
incremental checker re-judges only the changed tail, in partial mode (a missing END marker is pending, not an
error), and once in full at the end; after edits, checks run off the UI thread, at most one at a time. Every
draft version goes to the session store; a running stream is written at least twice a second.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, Switch, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from ...errors import LLMError, PosttuiError
from ...session import paper_key
from ..keymap import bindings
from ..widgets.draft import DraftEditor
from ..widgets.preview import PreviewView
from ..widgets.problems import ProblemsTable, severity_of
from ..widgets.source import LatexView
from ..widgets.status import StatusHeader
from ..widgets.tables import AuthorsTable, ReferencesTable
from .dialogs import ConfirmDialog, DiffDialog, HelpScreen

VIEWS = ("split", "editor", "preview")


class MainScreen(Screen):
    """One paper, one session."""

    preview_kind = "rich"
    """How the preview renders: ``rich`` (:class:`PreviewView`: Rich's Markdown rendered to lines in a thread,
    ~50 ms for 20 KB) or ``markdown`` (Textual's Markdown widget, a widget per block: over a second for a long
    post with tables; kept for the comparison in bench/tui.py)."""

    BINDINGS = bindings(tuple(a for a in (
        "generate", "stop", "regenerate", "repair", "fix_all", "undo_version", "approve", "edit", "view",
        "problems", "tabs", "help", "quit")))

    def __init__(self, paper, *, session_id: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.paper = paper
        self.session_id = session_id
        self.version_id: int | None = None
        self.checker = None
        self.findings: list = []
        self.findings_text = ""
        self.prompt_mode = "site"
        self.prompt_text = ""
        self.view = "split"
        self._view_chosen = False  # once the user picks a view, resizing no longer changes it
        self.streaming = False
        self.busy = ""  # non-empty while a model call (generate, repair, regenerate, image prompt) runs
        self.recorder = None
        self.saved_text: str | None = None  # the text last approved into the site
        self._known_text = ""  # the text last set by the app (anything else in the editor is a user edit)
        self._check_wanted: tuple[bool] | None = None
        self._check_running = False
        self._edit_timer = None
        self.preview_shown: str | None = None
        """The draft text whose rendering the preview shows (set once the rendering is in place)."""
        self.live_preview = False
        """Stream chunks into the preview with MarkdownStream too (off: the preview renders once the stream
        settles, which bench/tui.py measured to keep key presses and the end of the stream faster)."""
        self.draft_file: Path | None = None
        self._draft_file_text: str | None = None

    # ----- layout -----------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status")
        with Horizontal(id="main"):
            with TabbedContent(id="left", initial="tab-source"):
                with TabPane("Source", id="tab-source"):
                    yield LatexView(id="source")
                # The hidden tabs mount after the first frame (Lazy): the screen appears sooner.
                with TabPane("References", id="tab-references"):
                    yield Lazy(Vertical(
                        ReferencesTable(self.paper, draft=lambda: self.editor.text, id="references"),
                        Static("", id="reference-detail", classes="row-detail"), classes="tab-box"))
                with TabPane("Authors", id="tab-authors"):
                    yield Lazy(Vertical(AuthorsTable(self.paper, id="authors"),
                                        Static("", id="author-detail", classes="row-detail"), classes="tab-box"))
                with TabPane("Prompt", id="tab-prompt"):
                    yield Lazy(Vertical(
                        Horizontal(Label("lean", id="lean-label"), Switch(value=self.prompt_mode == "lean", id="lean"),
                                   Static("", id="prompt-info"), id="prompt-bar"),
                        TextArea("", read_only=True, soft_wrap=True, id="prompt"), classes="tab-box"))
            with Horizontal(id="right", classes="split"):
                yield DraftEditor(id="draft")
                if self.preview_kind == "markdown":
                    from textual.widgets import Markdown

                    with VerticalScroll(id="preview-pane"):
                        yield Markdown("", id="preview")
                else:
                    yield PreviewView(id="preview-pane")
        with Vertical(id="problems-pane"):
            yield ProblemsTable(id="problems")
            yield Static("", id="problem-detail")
        yield Footer(compact=True, show_command_palette=False)

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
        app = self.app
        paper = self.paper
        title = paper.title or paper.origin
        self.status.paper = f"{paper.arxiv_id or Path(str(paper.origin)).name} · {title}"
        self.status.backend = app.backend_label
        self.query_one("#left").border_title = "Paper"
        self.editor.border_title = "Draft"
        self.query_one("#preview-pane").border_title = "Preview"
        self.query_one("#problems-pane").border_title = "Problems"
        self.query_one("#source", LatexView).load_text(paper.site_tex or "% this paper has no TeX source")
        self._warned = 0
        self._show_paper_warnings()
        self.set_interval(0.25, self._tick_recorder)
        self.call_after_refresh(self._prepare)  # the first frame first, then the prompt and the checker
        if self.session_id is not None:
            self._load_session(self.session_id)
        self.editor.focus()

    @work(thread=True, group="prepare", exit_on_error=False)
    def _prepare(self) -> None:
        """Build the prompt and the checker off the UI thread (the references and TeX analysis can take a while)."""
        try:
            prompt = self.paper.prompt(self.prompt_mode, model=self.app.model_name,
                                       image_model=self.app.config.image_model)
        except PosttuiError as exc:
            prompt = ""
            self.app.call_from_thread(self.notify, f"The prompt could not be built: {exc}", severity="error")
        self.app.call_from_thread(self._show_prompt, prompt)
        try:
            from ..services import Checker

            checker = Checker(self.paper, model=self.app.model_name, image_model=self.app.config.image_model,
                              site=self.app.site)
        except Exception as exc:  # noqa: BLE001 - the app stays usable; the user learns why nothing is checked
            self.app.call_from_thread(self.notify, f"The checker is not available: {exc}", severity="error",
                                      timeout=10)
            return
        self.app.call_from_thread(self._checker_ready, checker)

    def _show_prompt(self, prompt: str) -> None:
        from ...prompt import estimate_tokens

        self.prompt_text = prompt
        if not self.query("#prompt-info"):  # the Prompt tab is mounted lazily, just after the first frame
            self.set_timer(0.05, lambda: self._show_prompt(prompt))
            return
        self.query_one("#prompt", TextArea).load_text(prompt)
        self.query_one("#prompt-info", Static).update(
            f" {self.prompt_mode} prompt · {len(prompt):,} chars · ~{estimate_tokens(prompt):,} tokens"
        )

    def _show_paper_warnings(self) -> None:
        """Non-fatal problems met while reading the paper (some appear only once the TeX is analysed)."""
        warnings = list(getattr(self.paper, "warnings", []) or [])
        for warning in warnings[self._warned:]:
            self.notify(str(warning), title="While reading the paper", severity="warning", timeout=8)
        self._warned = len(warnings)

    def _checker_ready(self, checker) -> None:
        self._show_paper_warnings()
        self.checker = checker
        if getattr(self.app, "freeze_gc", False):
            import gc

            gc.collect()
            gc.freeze()
        if self.editor.text.strip():
            self.request_check(delay=0)

    @on(Switch.Changed, "#lean")
    def _lean_changed(self, event: Switch.Changed) -> None:
        self.prompt_mode = "lean" if event.value else "site"
        self._rebuild_prompt()

    @work(thread=True, group="prepare", exclusive=True, exit_on_error=False)
    def _rebuild_prompt(self) -> None:
        try:
            prompt = self.paper.prompt(self.prompt_mode, model=self.app.model_name,
                                       image_model=self.app.config.image_model)
        except PosttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_prompt, prompt)

    # ----- sessions ---------------------------------------------------------------------------------------------
    def _ensure_session(self) -> int:
        if self.session_id is None:
            s = self.app.store.create(
                paper_key(self.paper), origin=str(self.paper.origin or self.paper.arxiv_id or ""),
                title=self.paper.title, prompt=self.prompt_text, prompt_mode=self.prompt_mode,
                backend=self.app.backend.name, model=self.app.backend.model,
            )
            self.session_id = s.id
        return self.session_id

    def _load_session(self, session_id: int) -> None:
        store = self.app.store
        session = store.get(session_id)
        latest = store.latest(session_id)
        self.status.tokens = session.input_tokens + session.output_tokens
        self.status.cost = session.cost
        if session.saved_path and latest is not None:
            try:
                if Path(session.saved_path).read_text(encoding="utf-8") == latest.text:
                    self.saved_text = latest.text  # already approved: quitting needs no question
            except OSError:
                pass
        if latest is not None:
            self.version_id = latest.id
            self._set_text(latest.text)
            note = "" if latest.complete else " (the stream was interrupted; this is what had arrived)"
            self.notify(f"Resumed session {session_id}: version {len(store.versions(session_id))} "
                        f"from {latest.origin}{note}", timeout=6)
            self.status.set_state("idle", "resumed")

    def _record(self, text: str, origin: str) -> None:
        """Store a new draft version and keep the draft file on disk in step."""
        session_id = self._ensure_session()
        self.version_id = self.app.store.add_version(session_id, text, origin)
        self._write_draft_file(text)

    def _tick_recorder(self) -> None:
        if self.recorder is not None:
            try:
                self.recorder.tick()
            except PosttuiError as exc:
                self.notify(str(exc), severity="error")

    # ----- the draft text ---------------------------------------------------------------------------------------
    def _set_text(self, text: str) -> None:
        self._known_text = text
        self.editor.load_text(text)
        self.request_check(delay=0)
        self.refresh_preview()
        self._mark_used(text)

    @on(TextArea.Changed, "#draft")
    def _draft_changed(self, event: TextArea.Changed) -> None:
        if self.streaming:
            return
        text = self.editor.text
        if text == self._known_text:
            return
        # A user edit: highlights no longer line up, so re-check soon; keep a version once typing pauses.
        self.request_check()
        if self._edit_timer is not None:
            self._edit_timer.stop()
        self._edit_timer = self.set_timer(1.5, self._save_edit)
        if self.view != "editor":
            self.refresh_preview(delay=0.6)
        self._refresh_keys()

    def _save_edit(self) -> None:
        text = self.editor.text
        if text != self._known_text and not self.streaming:
            self._known_text = text
            self._record(text, "edit")

    def _flush_edit(self) -> None:
        if self._edit_timer is not None:
            self._edit_timer.stop()
            self._edit_timer = None
        self._save_edit()

    def _mark_used(self, text: str) -> None:
        for table in self.query(ReferencesTable):  # absent until the lazy tab mounts (it marks itself then)
            table.mark_used(text)

    # ----- checking ---------------------------------------------------------------------------------------------
    def request_check(self, *, partial: bool = False, delay: float = 0.3) -> None:
        """Check soon, off the UI thread; at most one check runs, the latest request wins."""
        self._check_wanted = (partial,)
        if self._check_running or self.checker is None:
            return
        self._check_running = True
        self.run_worker(self._check_loop(delay), group="check", exit_on_error=False)

    async def _check_loop(self, delay: float) -> None:
        try:
            while self._check_wanted is not None and self.checker is not None:
                if delay:
                    await asyncio.sleep(delay)
                partial = self._check_wanted[0]
                self._check_wanted = None
                text = self.editor.text
                findings = await asyncio.to_thread(self.checker.check, text, partial=partial)
                current = self.editor.text
                if current == text or (self.streaming and current.startswith(text)):
                    self.show_findings(text, findings)
                elif self._check_wanted is None:
                    self._check_wanted = (partial,)
        finally:
            self._check_running = False

    def show_findings(self, text: str, findings) -> None:
        findings = list(findings)
        same = [(f.rule, str(f.severity), f.start, f.end, f.message) for f in findings] == \
               [(f.rule, str(f.severity), f.start, f.end, f.message) for f in self.findings]
        if same and self.findings_text and text.startswith(self.findings_text) and self.streaming:
            self.findings_text = text  # only more text arrived: the spans, highlights and list still hold
            return
        self.findings, self.findings_text = findings, text
        self.editor.show_findings(self.findings, text)
        self.problems.show(self.findings)
        if not self.findings:
            tip = "F1 lists every key; ctrl+p opens the command palette."
            self.query_one("#problem-detail", Static).update(f"No problems found. {tip}" if text.strip() else tip)
        counts = {s: 0 for s in ("error", "warning", "info")}
        for f in self.findings:
            sev = severity_of(f)
            if sev in counts:
                counts[sev] += 1
        self.status.problems = f"{counts['error']}E {counts['warning']}W {counts['info']}I"
        e, w = counts["error"], counts["warning"]
        self.query_one("#problems-pane").border_title = (
            f"Problems: {e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}, {counts['info']} info")
        if not self.streaming and not self.busy:
            if counts["error"] and self.status.state in ("done", "idle", "saved", "blocked"):
                self.status.set_state("blocked", f"{e} error{'s' if e != 1 else ''}")
            elif not counts["error"] and self.status.state == "blocked":
                self.status.set_state("done")
        self._refresh_keys()

    @property
    def errors(self) -> list:
        return [f for f in self.findings if severity_of(f) == "error"]

    # ----- preview ----------------------------------------------------------------------------------------------
    def refresh_preview(self, delay: float = 0.0) -> None:
        self.run_worker(self._render_preview(delay), group="preview", exclusive=True, exit_on_error=False)

    async def _render_preview(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if self.view == "editor":
            return  # rendered when the preview is shown again
        text = self.editor.text
        if text == self.preview_shown:
            return
        if self.preview_kind == "markdown":
            await self.query_one("#preview").update(_preview_markdown(text))
        else:
            await self.query_one("#preview-pane", PreviewView).show(_preview_markdown(text))
        self.preview_shown = text

    # ----- generation -------------------------------------------------------------------------------------------
    def action_generate(self) -> None:
        if self.busy:
            self.notify("A model call is already running; Escape stops it.")
            return
        self._flush_edit()
        self.busy = "generate"
        self.refresh_bindings()
        self._generate()

    @work(group="llm", exclusive=True, exit_on_error=False)
    async def _generate(self) -> None:
        from ...llm import user

        app = self.app
        if not self.prompt_text:
            await self._prompt()
        session_id = self._ensure_session()
        app.store.update_session(session_id, prompt=self.prompt_text, prompt_mode=self.prompt_mode,
                                 backend=app.backend.name, model=app.backend.model)
        self.recorder = app.store.recorder(session_id, "stream")
        self.version_id = self.recorder.version_id
        self.streaming = True
        editor = self.editor
        editor.read_only = True
        self._known_text = ""
        editor.load_text("")
        self.status.set_state("streaming")
        stream = app.backend.stream([user(self.prompt_text)])
        live = self.checker.streaming() if self.checker is not None else None
        preview_stream = None
        if self.live_preview and self.view != "editor" and self.preview_kind == "markdown":
            from textual.widgets import Markdown

            preview = self.query_one("#preview", Markdown)
            await preview.update("")
            self.preview_shown = None
            preview_stream = Markdown.get_stream(preview)
        outcome, detail = "done", ""
        pending: list[str] = []

        def show_pending() -> None:
            # Chunks reach the editor at most ten times a second: each insert repaints the visible draft.
            if pending:
                editor.append_text("".join(pending))
                pending.clear()

        try:
            async for chunk in stream:
                if not pending:
                    self.set_timer(0.1, show_pending)
                pending.append(chunk)
                self.status.live_tokens = len(stream.text) // 4  # a running estimate until the usage arrives
                if preview_stream is not None:
                    await preview_stream.write(chunk)
                self.recorder.feed(chunk)
                if live is not None and (found := live.feed(chunk)) is not None:
                    self.show_findings(live.text, found)
            result = stream.result
            self.recorder.finish(result.text, finish_reason=result.finish_reason)
            self._count_usage(result)
            if result.notice:
                self.notify(result.notice, severity="warning", timeout=12)
                detail = result.finish_reason.lower()
        except asyncio.CancelledError:
            self.recorder.finish(stream.text, finish_reason="STOPPED")
            outcome, detail = "stopped", f"{len(stream.text):,} chars kept"
            raise
        except LLMError as exc:
            self.recorder.finish(exc.partial or stream.text, finish_reason="ERROR")
            outcome, detail = "failed", type(exc).__name__.removeprefix("LLM").removesuffix("Error").lower()
            self.notify(str(exc), title="Generation failed", severity="error", timeout=15)
        finally:
            show_pending()
            if preview_stream is not None:
                await preview_stream.stop()
            self.recorder = None
            self.status.live_tokens = 0
            self.streaming = False
            self.busy = ""
            editor.read_only = False
            self._known_text = editor.text
            self._write_draft_file(editor.text)
            self.status.set_state(outcome, detail)
            if live is not None and live.text == editor.text:
                self.show_findings(live.text, live.finish())  # incremental: only the changed tail is re-judged
            else:
                self.request_check(delay=0)
            self.refresh_preview()
            self._mark_used(editor.text)
            self.refresh_bindings()

    def action_stop(self) -> None:
        if not self.busy:
            return
        self.workers.cancel_group(self, "llm")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.group in ("llm", "check", "prepare", "save"):
            error = worker.error
            self.busy = ""
            self.streaming = False
            self.editor.read_only = False
            self.refresh_bindings()
            self.notify(str(error), title="Something went wrong", severity="error", timeout=15)
            self.status.set_state("failed", type(error).__name__)
        elif event.state == WorkerState.CANCELLED and worker.group == "llm":
            self.busy = ""
            self.refresh_bindings()

    # ----- repair and regeneration: a second call, shown as a diff ----------------------------------------------
    def action_repair(self) -> None:
        if self.busy or not self.editor.text.strip():
            return
        if not self.findings:
            self.notify("No open problems to repair.")
            return
        self._flush_edit()
        self.busy = "repair"
        self.refresh_bindings()
        self._converse("repair")

    def action_regenerate_section(self) -> None:
        if self.busy or not self.editor.text.strip():
            return
        self._flush_edit()
        self.busy = "regenerate"
        self.refresh_bindings()
        self._converse("regenerate", self.editor.cursor_location[0])

    @work(group="llm", exclusive=True, exit_on_error=False)
    async def _converse(self, kind: str, row: int = 0) -> None:
        from ..services import propose_revision

        app = self.app
        text = self.editor.text
        offset = self.editor.document.get_index_from_location(self.editor.cursor_location)
        self.status.set_state("streaming", kind)
        try:
            revision = await propose_revision(kind, app.backend, self.prompt_text or await self._prompt(), text,
                                              self.findings, offset)
        except LLMError as exc:
            self.notify(str(exc), title=f"{kind.title()} failed", severity="error", timeout=15)
            self.status.set_state("failed", kind)
            return
        except PosttuiError as exc:
            self.notify(str(exc), title=f"{kind.title()} not possible", severity="warning", timeout=10)
            self.status.set_state("idle")
            return
        finally:
            self.busy = ""
            self.refresh_bindings()
        result = revision.result
        self._count_usage(result)
        self.status.set_state("done", kind)
        what = kind if revision.section is None else f"{kind} {revision.section.label}"
        accepted = await app.push_screen_wait(DiffDialog(f"{what.capitalize()}: accept this change?", text,
                                                         revision.text))
        if accepted:
            self._record(revision.text, kind)
            self._set_text(revision.text)
            self.notify(f"{kind.title()} applied; Undo version ({self._key('undo_version')}) goes back.")
        else:
            self.notify(f"{kind.title()} rejected; the draft is unchanged.")

    async def _prompt(self) -> str:
        self.prompt_text = await asyncio.to_thread(self.paper.prompt, self.prompt_mode, model=self.app.model_name,
                                                   image_model=self.app.config.image_model)
        return self.prompt_text

    def _count_usage(self, result) -> None:
        session_id = self._ensure_session()
        usage = result.usage
        self.app.store.record_usage(session_id, model=result.model, input_tokens=usage.prompt_tokens,
                                    output_tokens=usage.output_tokens + usage.thoughts_tokens,
                                    cost=result.cost or 0.0)
        self.status.tokens += usage.prompt_tokens + usage.output_tokens + usage.thoughts_tokens
        self.status.cost += result.cost or 0.0

    # ----- mechanical fixes -------------------------------------------------------------------------------------
    def action_fix_all(self) -> None:
        if self.busy or self.checker is None:
            return
        text = self.editor.text
        fixed, count = self.checker.fix_all(text)
        if fixed == text:
            self.notify("No mechanical fixes to apply.")
            return
        self._record(fixed, "fix")
        self._set_text(fixed)
        self.notify(f"Applied {count} fix{'es' if count != 1 else ''}; checking again.")

    @on(ProblemsTable.FixOne)
    def _fix_one(self, event: ProblemsTable.FixOne) -> None:
        finding = event.finding
        if self.busy or self.checker is None:
            return
        if getattr(finding, "fix", None) is None:
            self.notify(f"{finding.rule} has no mechanical fix; try Repair ({self._key('repair')}).")
            return
        text = self.editor.text
        if text != self.findings_text:
            self.notify("The draft changed since the last check; checking again first.")
            self.request_check(delay=0)
            return
        fixed = self.checker.fix_one(text, finding)
        if fixed == text:
            self.notify("The fix changed nothing.")
            return
        self._record(fixed, "fix")
        self._set_text(fixed)
        self.notify(f"Fixed {finding.rule} on line {finding.line}.")

    # ----- navigation -------------------------------------------------------------------------------------------
    @on(ProblemsTable.Jump)
    def _jump(self, event: ProblemsTable.Jump) -> None:
        f = event.finding
        self.editor.jump_to(self.findings_text or self.editor.text, f.start, f.end)

    def action_focus_problems(self) -> None:
        self.problems.focus()

    def action_cycle_view(self) -> None:
        self._view_chosen = True
        self._set_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])
        self.notify(f"View: {self.view}", timeout=2)

    def _set_view(self, view: str) -> None:
        self.view = view
        self.query_one("#right").set_classes(view)
        if view != "editor":
            self.refresh_preview()

    def on_resize(self, event) -> None:
        """Small terminals: no side-by-side preview (unless the user asks), a shorter problems list."""
        width, height = event.size
        self.set_class(width < 110, "narrow")
        self.set_class(height < 30, "short")
        if not self._view_chosen:
            wanted = "editor" if width < 110 else "split"
            if wanted != self.view:
                self._set_view(wanted)

    @on(ReferencesTable.RowHighlighted, "#references")
    @on(AuthorsTable.RowHighlighted, "#authors")
    def _paper_row_highlighted(self, event) -> None:
        table = event.data_table
        target = "#reference-detail" if table.id == "references" else "#author-detail"
        self.query_one(target, Static).update(_escape(table.describe(event.cursor_row)))

    @on(ProblemsTable.RowHighlighted, "#problems")
    def _problem_highlighted(self, event) -> None:
        f = self.problems.selected
        detail = self.query_one("#problem-detail", Static)
        if f is None:
            detail.update("")
            return
        fix = " · fixable: f fixes it, ^l fixes all" if getattr(f, "fix", None) else ""
        detail.update(f"[b]{f.rule}[/b] line {f.line}, column {f.column}: {_escape(f.message)}{fix}")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_next_tab(self) -> None:
        tabs = self.query_one("#left", TabbedContent)
        order = ["tab-source", "tab-references", "tab-authors", "tab-prompt"]
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)] if tabs.active in order else order[0]

    # ----- versions ---------------------------------------------------------------------------------------------
    def action_undo_version(self) -> None:
        if self.busy or self.session_id is None or self.version_id is None:
            self.notify("No earlier version.")
            return
        self._flush_edit()
        previous = self.app.store.previous(self.session_id, self.version_id)
        if previous is None:
            self.notify("This is the first version.")
            return
        self.version_id = previous.id
        self._set_text(previous.text)
        self._write_draft_file(previous.text)
        self.notify(f"Back to the version from {previous.origin} at {previous.created[11:19]}.")

    # ----- approve and save -------------------------------------------------------------------------------------
    def action_approve(self) -> None:
        if self.busy or not self.editor.text.strip():
            return
        if self.app.site is None:
            self.notify("No site to save into: start posttui inside your Jekyll site or pass --site DIR.",
                        severity="error", timeout=10)
            return
        self._flush_edit()
        self._approve()

    @work(group="save", exclusive=True, exit_on_error=False)
    async def _approve(self) -> None:
        from ..services import existing_files, existing_post, save_post

        app = self.app
        text = self.editor.text
        if self.checker is not None:
            findings = await asyncio.to_thread(self.checker.check, text)
            self.show_findings(text, findings)
        errors = self.errors
        if errors:
            listing = "\n".join(f"• {f.rule} line {f.line}: {f.message}" for f in errors[:20])
            more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
            self.status.set_state("blocked", f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
            override = await app.push_screen_wait(ConfirmDialog(
                f"Not saved: {len(errors)} error-level problem{'s' if len(errors) != 1 else ''} open",
                f"{listing}{more}\n\nFix them (Fix all, Repair, or edit), or save anyway.",
                yes="Save anyway", no="Back to the draft", danger=True, id="errors-dialog"))
            if not override:
                self.notify("Not saved.")
                return
        existing = existing_files(app.site, self.paper)
        force = False
        if existing:
            old = existing_post(app.site, self.paper)
            listed = "\n".join(f"  {p.relative_to(app.site)}" for p in existing)
            intro = f"Already in the site:\n{listed}"
            title = f"Overwrite {len(existing)} file{'s' if len(existing) != 1 else ''} in the site?"
            if old is not None:
                dialog = DiffDialog(title, old, text, yes="Overwrite", no="Keep the old files", old_name="site",
                                    new_name="draft", danger=True, intro=intro + "\n\nThe post changes like this:")
            else:
                dialog = ConfirmDialog(title, intro, yes="Overwrite", no="Keep the old files", danger=True,
                                       id="overwrite-dialog")
            if not await app.push_screen_wait(dialog):
                self.notify("Not saved; the files in the site are unchanged.")
                return
            force = True
        self.busy = "save"
        self.status.set_state("streaming", "image prompt")
        try:
            written = await save_post(app.site, self.paper, text, self.prompt_text or await self._prompt(),
                                      app.backend, config=app.config, force=force,
                                      warn=lambda m: self.notify(m, severity="warning", timeout=12))
        except PosttuiError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=15)
            self.status.set_state("failed", "save")
            return
        finally:
            self.busy = ""
            self.refresh_bindings()
        self.saved_text = text
        post_path = next((Path(p) for p in written if Path(p).parent.name == "_posts"), Path(written[-1]))
        if self.session_id is not None:
            app.store.update_session(self.session_id, saved_path=str(post_path))
        self.status.set_state("saved", post_path.name)
        self.notify("Saved:\n" + "\n".join(str(Path(p).relative_to(app.site)) for p in written), timeout=10)

    # ----- external editor --------------------------------------------------------------------------------------
    def _draft_path(self) -> Path:
        if self.draft_file is None:
            folder = self.app.config.data_path() / "drafts"
            folder.mkdir(parents=True, exist_ok=True)
            self.draft_file = folder / f"{self.paper.post_name}.md"
        return self.draft_file

    def _write_draft_file(self, text: str) -> None:
        from ...files import write_file

        try:
            path = self._draft_path()
            self._draft_file_text = text  # the watcher ignores the app's own writes
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                write_file(path, text, overwrite=True)
        except OSError as exc:
            self.notify(f"Could not write the draft file: {exc}", severity="warning")
            return
        self._watch_draft_file()

    def action_external_edit(self) -> None:
        if self.busy:
            return
        self._flush_edit()
        path = self._draft_path()
        self._write_draft_file(self.editor.text)
        command = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi") + [str(path)]
        try:
            if self.app.is_headless:
                subprocess.run(command, check=False)
            else:
                with self.app.suspend():
                    subprocess.run(command, check=False)
        except OSError as exc:
            self.notify(f"Could not start the editor {command[0]!r}: {exc}. Set $EDITOR.", severity="error")
            return
        self._reload_from_disk()

    def _reload_from_disk(self) -> None:
        path = self._draft_path()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"Could not read {path}: {exc}", severity="error")
            return
        if text == self.editor.text or text == self._draft_file_text:
            return  # nothing new, or the app's own write (the user may have typed on since)
        self._draft_file_text = text
        self._known_text = text
        self._record(text, "edit")
        self._set_text(text)
        self.notify(f"Reloaded the draft from {path.name} and checked it again.")

    @work(group="watch", exclusive=True, exit_on_error=False)
    async def _watch_draft_file(self) -> None:
        from watchfiles import awatch

        path = self._draft_path()
        target = str(path)
        async for _changes in awatch(path.parent, watch_filter=lambda change, p: p == target,
                                     debounce=200, step=50):
            if self.streaming or self.busy:
                continue
            self._reload_from_disk()

    # ----- quitting ---------------------------------------------------------------------------------------------
    @property
    def unsaved(self) -> bool:
        text = self.editor.text
        return bool(text.strip()) and text != self.saved_text

    def action_quit_app(self) -> None:
        self._quit()

    @work(group="quit", exclusive=True)
    async def _quit(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, "llm")
        self._flush_edit()
        if self.unsaved:
            leave = await self.app.push_screen_wait(ConfirmDialog(
                "Quit without approving?",
                "The draft is not saved into the site. It stays in the session: `posttui sessions` lists it and "
                "opening this paper again offers to resume.", yes="Quit", no="Stay", id="quit-dialog"))
            if not leave:
                return
        self.app.exit(0)

    # ----- key availability -------------------------------------------------------------------------------------
    def _refresh_keys(self) -> None:
        """Re-grey the footer only when what is available changed (a footer refresh rebuilds its widgets)."""
        state = (self.busy, bool(self.editor.text.strip()), any(getattr(f, "fix", None) for f in self.findings))
        if state != getattr(self, "_keys_state", None):
            self._keys_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        idle = not self.busy
        has_text = bool(self.editor.text.strip()) if self.is_mounted else False
        if action == "stop":
            return True if self.busy else None
        if action == "generate":
            return True if idle else None
        if action in ("regenerate_section", "repair"):
            return True if idle and has_text else None
        if action == "fix_all":
            return True if idle and any(getattr(f, "fix", None) for f in self.findings) else None
        if action == "approve":
            return True if idle and has_text else None  # without a site, approving explains how to name one
        if action in ("undo_version", "external_edit"):
            return True if idle else None
        return True

    def _key(self, action_id: str) -> str:
        from ..keymap import BY_ID

        return (getattr(self.app, "_keymap", {}) or {}).get(action_id, BY_ID[action_id].key)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _preview_markdown(text: str) -> str:
    from ...postformat import reader_view

    return reader_view(text)
