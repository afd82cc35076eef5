"""A :class:`Review`: one paper, one site, one session, from the first draft to the saved post.

Every front end drives the same object: the app's main screen, the notebook editor and ``posttui generate``.
It owns the session bookkeeping (every version of the draft, with undo/redo that survive a restart), the
checker with the site's settings, every model call (generation, repair, regeneration of a section, the image
prompt, the image) with its usage and cost, the approval gate and the save. Front ends only render the events
and forward the user's intents.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import LLMError, PosttuiError, SiteError
from ..postformat import Section, section_at
from .approval import Approval
from .checker import Checker
from .draftfile import DraftFile
from .events import Checked, Chunk, Event, Notice, StateChanged, UsageCounted

RUNNING = ("generating", "repairing", "regenerating", "writing the image prompt", "making the image", "saving")
"""States in which a model call (or the save) runs; only one runs at a time."""

FLUSH_TICK = 0.25
"""Seconds between checks that a running stream is persisted (the recorder writes at most every 0.5 s)."""


class Review:
    """One editing session of one paper. Create with :meth:`open` (or directly from a loaded paper)."""

    def __init__(self, paper, *, site=None, config=None, backend=None, store=None, session_id: int | None = None,
                 prompt_mode: str = "site", model: str | None = None, origin: str | None = None,
                 draft_file: bool = False, resolved: bool = False):
        from ..config import load_config

        self.paper = paper
        self.site = site
        """The :class:`~posttui.site.Site` drafts are saved into, or None (then approving explains how)."""
        self.config = config or load_config()
        self.backend = backend
        self.store = store
        """The :class:`~posttui.session.SessionStore`, or None to keep nothing (a throw-away run)."""
        self.session_id = session_id
        self.prompt_mode = prompt_mode
        self.resolved = resolved
        """The site prompt carries the looked-up reference identifiers (``--resolve``)."""
        self.model_override = model
        self.origin = origin or str(getattr(paper, "origin", "") or getattr(paper, "arxiv_id", "") or "")
        self.text = ""
        """The draft as the session has it (a front end's editor may be ahead of it until :meth:`edit`)."""
        self.version_id: int | None = None
        self.findings: list = []
        self.findings_text: str | None = None
        """The text the findings were computed for (spans refer to it)."""
        self.tokens = 0
        self.cost = 0.0
        self.cost_known = True
        self.state = "idle"
        self.state_detail = ""
        self.resume_note = ""
        """What :meth:`resume` found, in words for the user."""
        self.last_result = None
        """The :class:`~posttui.llm.GenerationResult` of the last finished generation."""
        self.saved_text: str | None = None
        """The text last approved into the site (quitting after it needs no question)."""
        self._prompts: dict[str, str] = {}
        self._checker: Checker | None = None
        self._checker_lock = threading.Lock()
        """One build at a time: the front end's preparing thread and a generation that needs it wait for one."""
        self._listeners: list[Callable[[Event], Any]] = []
        self.draft_file = DraftFile.for_post(self.config.data_path(), paper.post_name) if draft_file else None
        """The draft on disk for ``$EDITOR`` (interactive front ends), kept in step with :attr:`text`; or None."""

    # ----- opening ----------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, source, *, site=None, cwd=None, config=None, store=None, backend: str | None = None,
             model: str | None = None, session_id: int | None = None, prompt_mode: str = "site",
             draft_file: bool = False, resolve: bool = False, **load_options) -> "Review":
        """Open ``source`` (anything :func:`posttui.sources.load` takes) in the site named by ``site`` (which must
        be a Jekyll site) or, without it, in the site around ``cwd`` (the current folder), if any. ``resolve``
        looks up the identifiers the bibliography lacks (network; answers cached) and sends them in the prompt."""
        from ..config import load_config
        from ..llm import make_backend
        from ..site import Site, open_site
        from ..sources import load

        config = config or load_config()
        site = site if isinstance(site, Site) else open_site(site, cwd=cwd)
        paper = load(source, site=site, config=config, **load_options)
        if resolve:
            from ..resolve import resolve_paper

            resolve_paper(paper, network=True, config=config)
        review = cls(paper, site=site, config=config, store=store, session_id=session_id, prompt_mode=prompt_mode,
                     model=model, origin=str(source), draft_file=draft_file, resolved=resolve)
        review.backend = make_backend(config, name=backend, model=model, paper=paper)
        if session_id is not None:
            review.resume(session_id)
        return review

    @property
    def model_name(self) -> str:
        """The text model the footer names: the backend's, else the one asked for, else the configured one."""
        if self.backend is not None and getattr(self.backend, "model", None):
            return self.backend.model
        return self.model_override or self.config.model

    def subscribe(self, listener: Callable[[Event], Any]) -> None:
        """Call ``listener`` with every event of every call (state, usage, notices, chunks, checks)."""
        self._listeners.append(listener)

    def _emit(self, event: Event) -> Event:
        for listener in list(self._listeners):
            listener(event)
        return event

    def _set_state(self, state: str, detail: str = "") -> StateChanged:
        self.state, self.state_detail = state, detail
        return self._emit(StateChanged(state, detail))  # type: ignore[return-value]

    @property
    def busy(self) -> bool:
        """A model call or the save is running."""
        return self.state in RUNNING

    # ----- the prompt and the checker (both may be slow on a big paper: front ends call these off their UI) -----
    def prompt(self, mode: str | None = None) -> str:
        mode = mode or self.prompt_mode
        if mode not in self._prompts:
            self._prompts[mode] = self.paper.prompt(mode, model=self.model_name, image_model=self.config.image_model,
                                                    resolved=self.resolved)
        return self._prompts[mode]

    @property
    def checker(self) -> Checker:
        """The checker, with the site's ``.posttui.toml`` (a malformed one is a ConfigError naming it)."""
        if self._checker is None:
            with self._checker_lock:
                if self._checker is None:
                    from ..rules import CheckOptions

                    options = self.site.settings.options() if self.site is not None else CheckOptions()
                    self._checker = Checker(self.paper, model=self.model_name, image_model=self.config.image_model,
                                            options=options)
        return self._checker

    @property
    def checker_ready(self) -> bool:
        """The checker has been built (front ends build it off their UI thread, then check freely)."""
        return self._checker is not None

    def prepare(self) -> None:
        """Build the prompt and the checker now (they are otherwise built on first use)."""
        self.prompt()
        self.checker  # noqa: B018 - built for its side effect

    # ----- sessions and versions --------------------------------------------------------------------------------
    def ensure_session(self) -> int | None:
        """The session's id, creating the session on first use; None when nothing is kept."""
        if self.store is None:
            return None
        if self.session_id is None:
            from ..session import paper_key

            session = self._stored(lambda store: store.create(
                paper_key(self.paper), origin=self.origin, title=self.paper.title,
                prompt=self._prompts.get(self.prompt_mode, ""), prompt_mode=self.prompt_mode,
                backend=getattr(self.backend, "name", ""), model=self.model_name))
            self.session_id = session.id if session is not None else None
        return self.session_id

    async def _begin_recording(self, prompt: str):
        """The session (created on first use) with this prompt, and a recorder for the stream; the writes run in a
        thread (a 10 MB prompt takes the SQLite store most of a second). None when nothing is kept."""
        from ..errors import SessionError

        if self.store is None:
            return None

        def begin():
            session = self.session_id
            if session is None:
                from ..session import paper_key

                session = self.store.create(
                    paper_key(self.paper), origin=self.origin, title=self.paper.title, prompt=prompt,
                    prompt_mode=self.prompt_mode, backend=getattr(self.backend, "name", ""),
                    model=self.model_name).id
            else:
                self.store.update_session(session, prompt=prompt, prompt_mode=self.prompt_mode,
                                          backend=self.backend.name, model=self.model_name)
            return session, self.store.recorder(session, "stream")

        try:
            self.session_id, recorder = await asyncio.to_thread(begin)
        except SessionError as exc:
            self.store = None
            self._emit(Notice(f"sessions unavailable ({exc}); continuing without recording", "error"))
            return None
        self.version_id = recorder.version_id
        return recorder

    def _stored(self, write):
        """Run ``write(store)``; a store that fails (locked, disk full) is dropped with a notice, never the work."""
        from ..errors import SessionError

        if self.store is None:
            return None
        try:
            return write(self.store)
        except SessionError as exc:
            self._drop_store(exc)
            return None

    def _drop_store(self, exc) -> None:
        """A store that failed (locked, disk full) is dropped with a notice; the work goes on without it."""
        self.store = None
        self._emit(Notice(f"sessions unavailable ({exc}); continuing without recording", "error"))

    def resume(self, session_id: int) -> None:
        """Continue session ``session_id``: the version the user last saw, the usage so far, the approval."""
        store = self.store
        session = store.get(session_id)
        self.session_id = session_id
        self.tokens = session.input_tokens + session.output_tokens
        self.cost = session.cost
        self.cost_known = not session.unpriced_calls
        if session.prompt_mode in ("site", "lean"):
            self.prompt_mode = session.prompt_mode
        current = store.current(session_id)
        if current is None:
            return
        self.version_id, self.text = current.id, current.text
        cut = "" if current.complete else " (the stream was interrupted; this is what had arrived)"
        self.resume_note = f"Resumed session {session_id}: the version from {current.origin}{cut}"
        if session.saved_path:
            try:
                if Path(session.saved_path).read_text(encoding="utf-8") == current.text:
                    self.saved_text = current.text
            except OSError:
                pass
        self._write_draft_file()

    def record(self, text: str, origin: str) -> None:
        """Make ``text`` the draft as a new version (``edit``, ``fix``, ``repair``, ``regenerate``)."""
        self.text = text
        session = self.ensure_session()
        if session is not None:
            self.version_id = self._stored(lambda store: store.add_version(session, text, origin))
        self._write_draft_file()

    def edit(self, text: str) -> bool:
        """The user changed the draft (typing, ``$EDITOR``): keep it as a version; False when nothing changed."""
        if text == self.text:
            return False
        self.record(text, "edit")
        return True

    def undo(self):
        """Show the version the current one was made from; returns it, or None at the first version."""
        return self._move(self.store.undo_target if self.store else None)

    def redo(self):
        """Show the newest version made from the current one (where an undo came from); or None."""
        return self._move(self.store.redo_target if self.store else None)

    def _move(self, target_of):
        if target_of is None or self.session_id is None or self.busy:
            return None
        target = target_of(self.session_id)
        if target is None:
            return None
        if self._stored(lambda store: store.show(self.session_id, target.id)) is None:
            return None
        self.version_id, self.text = target.id, target.text
        self._write_draft_file()
        return target

    def _write_draft_file(self) -> None:
        if self.draft_file is None:
            return
        try:
            self.draft_file.write(self.text)
        except PosttuiError as exc:
            self._draft_file_failed(exc)

    def _draft_file_failed(self, exc) -> None:
        self._emit(Notice(f"The draft file could not be written: {exc}", "warning"))

    # ----- checking ---------------------------------------------------------------------------------------------
    def check(self, text: str | None = None, *, partial: bool = False) -> list:
        """Check ``text`` (default: the draft); the findings become the session's when ``text`` is the draft."""
        text = self.text if text is None else text
        findings = self.checker.check(text, partial=partial)
        self.show_findings(text, findings, partial=partial)
        return findings

    def show_findings(self, text: str, findings, *, partial: bool = False) -> None:
        """Adopt findings computed (possibly elsewhere, e.g. in a thread) for ``text``."""
        self.findings, self.findings_text = list(findings), text
        self._emit(Checked(text, self.findings, partial))
        if not self.busy:
            self._settle_state()

    @property
    def errors(self) -> list:
        return [f for f in self.findings if _severity(f) == "error"]

    def _settle_state(self) -> None:
        """After a step: ``blocked`` while errors are open, else ``done`` (a finished state stays as it is)."""
        n = len(self.errors)
        if n and self.state in ("done", "idle", "saved", "blocked"):
            self._set_state("blocked", f"{n} error{'s' if n != 1 else ''}")
        elif not n and self.state == "blocked":
            self._set_state("done")

    # ----- mechanical fixes -------------------------------------------------------------------------------------
    def fix_all(self) -> list:
        """Apply every mechanical fix to the draft (one new version); returns the findings that were fixed."""
        fixed, applied = self.checker.fix_all(self.text)
        if fixed != self.text:
            self.record(fixed, "fix")
            self.check()
        return applied

    def fix(self, finding) -> bool:
        """Apply one finding's fix (it must belong to the current text); False when it changed nothing."""
        revision = self.propose_fix(finding)
        if revision is None:
            return False
        self.accept(revision)
        return True

    def propose_fix(self, finding=None):
        """The mechanical fixes (every one, or only ``finding``'s) as a :class:`~posttui.llm.conversation.Revision`
        to show as a diff before :meth:`accept` (front ends that ask first); None when nothing would change."""
        from ..llm.conversation import Revision

        if finding is None:
            fixed = self.checker.fix_all(self.text)[0]
        else:
            if getattr(finding, "fix", None) is None:
                raise PosttuiError(f"{finding.rule} has no mechanical fix", hint="ask for a repair instead")
            if self.findings_text != self.text:
                raise PosttuiError("the draft changed since it was checked", hint="check it again, then fix")
            fixed = self.checker.fix_one(self.text, finding)
        if fixed == self.text:
            return None
        return Revision(fixed, "fix", None, self.checker.check(fixed))

    # ----- model calls ------------------------------------------------------------------------------------------
    def _count(self, charge) -> None:
        """Count one call's :class:`~posttui.llm.base.Charge` (every call: generation, revisions, the image prompt,
        the image, and failed or stopped calls that were billed); an unknown price is never counted as $0."""
        if charge is None:
            return
        session = self.ensure_session()
        if session is not None:
            self._stored(lambda store: _record_usage(store, session, charge))
        self._emit(self._tally(charge))

    def _tally(self, charge) -> UsageCounted:
        """Add ``charge`` to the running totals (memory only; :func:`_record_usage` persists it)."""
        usage = charge.usage
        tokens = usage.prompt_tokens + usage.output_tokens + usage.thoughts_tokens
        if charge.cost is None and tokens:
            self.cost_known = False
        self.tokens += tokens
        self.cost += charge.cost or 0.0
        return UsageCounted(charge.model, tokens, charge.cost, self.tokens, self.cost, self.cost_known)

    def _start(self, state: str, detail: str = "") -> None:
        if self.busy:
            raise PosttuiError(f"{self.state} is still running", hint="wait for it, or stop it first")
        self._set_state(state, detail)

    async def generate(self) -> AsyncIterator[Event]:
        """Stream a new draft: yields :class:`Chunk`, :class:`Checked` (partial, then final), usage, notices and
        state changes (the same events subscribers get). The stream is persisted as it arrives; stopping
        (cancelling the task that iterates) or a failure keeps what arrived as a version of its own."""
        from ..llm import user

        queue: list[Event] = []
        self._listeners.append(queue.append)
        try:
            self._start("generating")
        except PosttuiError:
            self._listeners.remove(queue.append)
            raise
        recorder = stream = ending = None
        outcome, detail, final = "failed", "", None
        try:
            prompt = await asyncio.to_thread(self.prompt)
            checker = await asyncio.to_thread(lambda: self.checker)  # 0.6 s to build for a 10 MB source
            recorder = await self._begin_recording(prompt)
            live = checker.streaming()
            stream = self.backend.stream([user(prompt)])
            flusher = asyncio.ensure_future(_tick(recorder)) if recorder is not None else None
            try:
                for event in _drain(queue):
                    yield event
                async for chunk in stream:
                    if recorder is not None and self._stored(lambda store: recorder.feed(chunk) or True) is None:
                        recorder = None
                    self._emit(Chunk(chunk))
                    found = live.feed(chunk)
                    if found is not None:
                        self.findings, self.findings_text = list(found), live.text
                        self._emit(Checked(live.text, self.findings, True))
                    for event in _drain(queue):
                        yield event
            finally:
                if flusher is not None:
                    flusher.cancel()
            result = self.last_result = stream.result
            final = result.text
            # The writes (version, usage, draft file with its fsync) and the final check take 30-75 ms: in a
            # thread, shielded, so a stop now cannot cut them off; the events follow in their usual order.
            ending = asyncio.ensure_future(asyncio.to_thread(
                _end_stream, self.store, self.session_id, recorder, result, live, checker, self.draft_file))
            store_error, findings, draft_error = await asyncio.shield(ending)
            if store_error is not None:
                self._drop_store(store_error)
            if result.charge is not None:
                self._emit(self._tally(result.charge))
            if result.notice:
                self._emit(Notice(result.notice, "warning"))
                detail = result.finish_reason.lower()
            self.findings, self.findings_text = list(findings), result.text
            self._emit(Checked(result.text, self.findings, False))
            outcome = "done"
        except asyncio.CancelledError:
            if ending is not None:  # stopped after the stream ended: its writes run on in their thread
                final = stream.result.text
                if stream.result.charge is not None:
                    self._emit(self._tally(stream.result.charge))
                ending.add_done_callback(_drop_result)
            else:
                final = stream.text if stream is not None else None
                if recorder is not None:  # here, not in a thread: a second stop must not cut the write off
                    self._stored(lambda store: recorder.finish(final or "", finish_reason="STOPPED"))
                self._count(stream.charge() if stream is not None else None)
            outcome, detail = "stopped", f"{len(final or ''):,} chars kept"
            raise
        except LLMError as exc:
            final = exc.partial or (stream.text if stream is not None else "")
            if recorder is not None:
                self._stored(lambda store: recorder.finish(final, finish_reason="ERROR"))
            self._count(exc.charge)  # a failed call Google billed still counts
            detail = type(exc).__name__.removeprefix("LLM").removesuffix("Error").lower()
            raise
        finally:
            if final is not None:
                self.text = final
                if ending is None:
                    self._write_draft_file()
                elif ending.done() and not ending.cancelled() and ending.exception() is None:
                    if ending.result()[2] is not None:  # written in the ending's thread
                        self._draft_file_failed(ending.result()[2])
            self._set_state(outcome, detail)
            if outcome == "done":
                self._settle_state()
            self._listeners.remove(queue.append)
        for event in _drain(queue):
            yield event

    async def propose(self, kind: str, *, section: Section | str | None = None, offset: int | None = None,
                      on_chunk: Callable[[str], Any] | None = None):
        """Ask the model for a revision: ``repair`` (the open problems) or ``regenerate`` (the section named, or the
        one at ``offset``). Returns a :class:`~posttui.llm.conversation.Revision` to show as a diff; nothing is
        applied until :meth:`accept`. ``on_chunk`` sees the new text as it streams."""
        from ..llm.conversation import regenerate_section, repair

        draft = self.text
        if kind == "repair":
            if not self.findings:
                raise PosttuiError("no open problems to repair")
            label = ""
        elif kind == "regenerate":
            if section is None:
                section = section_at(draft, offset or 0)
                if section is None:
                    raise PosttuiError("the cursor is not in the narrative",
                                       hint="put the cursor in a section of the post (between the markers)")
            label = section if isinstance(section, str) else section.heading or "the opening"
        else:
            raise ValueError(f"unknown revision {kind!r}")
        self._start("repairing" if kind == "repair" else "regenerating", label)
        outcome = "failed"
        try:
            prompt = await asyncio.to_thread(self.prompt)
            check = self.checker.check
            if kind == "repair":
                revision = await repair(self.backend, prompt, draft, self.findings, check=check, on_chunk=on_chunk)
            else:
                revision = await regenerate_section(self.backend, prompt, draft, section, check=check,
                                                    on_chunk=on_chunk)
            self._count(revision.result.charge)
            outcome = "done"
            return revision
        except asyncio.CancelledError:
            outcome = "stopped"
            raise
        except LLMError as exc:
            self._count(exc.charge)
            raise
        finally:
            self._set_state(outcome, kind)
            self._settle_state()

    def accept(self, revision) -> None:
        """Make a proposed revision the draft (a new version, undoable)."""
        self.record(revision.text, revision.origin)
        self.show_findings(revision.text, revision.findings if revision.findings else self.checker.check(revision.text))

    # ----- approval and saving ----------------------------------------------------------------------------------
    def require_site(self):
        if self.site is None:
            raise SiteError("no site to save into",
                            hint="start posttui inside your Jekyll site (any folder of it), or pass --site DIR")
        return self.site

    def existing_files(self) -> list[Path]:
        """Files the save would write that already exist in the site."""
        return self.require_site().existing(self.paper.post_name)

    def require_destination(self, *, overwrite: bool = False) -> None:
        """Refuse now (before any paid call) when there is no site, or when a file the save would write exists
        and ``overwrite`` is off."""
        site = self.require_site()
        refusal = Approval(site, self.paper.post_name, existing=self.existing_files()).refusal(overwrite=overwrite)
        if refusal is not None:
            raise refusal

    def approval(self) -> Approval:
        """The gate for the current draft (checked afresh)."""
        site = self.require_site()
        self.check()
        existing = self.existing_files()
        old = None
        post = site.paths(self.paper.post_name).post
        if post in existing:
            try:
                old = post.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                old = None
        return Approval(site, self.paper.post_name, self.errors, existing, old,
                        image=bool(self.config.image_generation))

    async def save(self, *, allow_errors: bool = False, overwrite: bool = False):
        """Approve the draft into the site: the image prompt (a second call, as the site does), the image when
        ``image_generation`` is on, then every file at once. Returns the :class:`~posttui.site.SaveReport`.

        Refused (:class:`ApprovalError`, nothing written) with errors open unless ``allow_errors``, or with files in
        the way unless ``overwrite``. A failed image prompt or image is a notice: the post is saved without it."""
        from ..llm.image import generate_image, write_image_prompt

        gate = await asyncio.to_thread(self.approval)  # a full check: off the caller's event loop
        refusal = gate.refusal(allow_errors=allow_errors, overwrite=overwrite)
        if refusal is not None:
            raise refusal
        text, prompt = self.text, await asyncio.to_thread(self.prompt)
        self._start("writing the image prompt")
        outcome = "failed"
        try:
            written = await self._optional(write_image_prompt(self.backend, text, config=self.config),
                                           "No image prompt")
            image_prompt = written.text if written is not None else None
            image = None
            if gate.image and image_prompt:
                self._set_state("making the image")
                made = await self._optional(generate_image(self.backend, image_prompt, config=self.config),
                                            "No header image")
                image = made.data if made is not None else None
            self._set_state("saving")
            text = self._settle_claims(text, image is not None)
            report = await asyncio.to_thread(self.site.save, self.paper.post_name, post=text, prompt=prompt,
                                             image_prompt=image_prompt, image=image, force=overwrite)
            outcome = "saved"
        except asyncio.CancelledError:
            outcome = "stopped"
            raise
        finally:
            self._set_state(outcome, self.paper.post_name if outcome == "saved" else "save")
        self.saved_text = text
        if self.session_id is not None:
            post = self.site.paths(self.paper.post_name).post
            self._stored(lambda store: store.update_session(self.session_id, saved_path=str(post)))
        return report

    def _settle_claims(self, text: str, image_made: bool) -> str:
        """The post as saved claims an image only when one exists (made now or already in the site), see
        :mod:`posttui.claims`; a changed draft becomes a version, and a dropped image line is a notice."""
        from ..claims import claims_image, settle_image
        from ..prompt import output_template

        image = image_made or self.site.paths(self.paper.post_name).image.is_file()
        template = output_template(self.paper, model=self.model_name, image_model=self.config.image_model,
                                   config=self.config).text
        settled = settle_image(text, template, image)
        if settled != text:
            if not image and claims_image(text):
                why = "image generation is off" if not self.config.image_generation else "no image was made"
                self._emit(Notice(f"No header image ({why}): the post is saved without the image line and the "
                                  f"\"Image generated by\" line.", "warning"))
            self.record(settled, "save")
        return settled

    async def _optional(self, call, what: str):
        """A call the post can do without (image prompt, image): counted either way; a failure is a notice."""
        try:
            result = await call
        except LLMError as exc:
            self._count(exc.charge)
            self._emit(Notice(f"{what} (the post is saved without one): {exc}", "warning"))
            return None
        self._count(result.charge)
        return result

    @property
    def unsaved(self) -> bool:
        """A draft exists that was not approved into the site as it is now."""
        return bool(self.text.strip()) and self.text != self.saved_text

    async def aclose(self) -> None:
        if self.backend is not None:
            await self.backend.aclose()


def _severity(finding) -> str:
    return str(getattr(getattr(finding, "severity", ""), "value", getattr(finding, "severity", "")))


def _drain(queue: list) -> list:
    items = list(queue)
    queue.clear()
    return items


def _record_usage(store, session: int, charge) -> None:
    usage = charge.usage
    store.record_usage(session, model=charge.model, input_tokens=usage.prompt_tokens,
                       output_tokens=usage.output_tokens + usage.thoughts_tokens, cost=charge.cost)


def _end_stream(store, session, recorder, result, live, checker, draft_file):
    """The end of a finished stream, in a thread: keep the final text as a complete version and count the call
    (unless the store failed: that error is returned, as the review drops the store), write the draft file, and
    run the final check. Returns ``(store_error, findings, draft_file_error)``; emits nothing (the caller does,
    on its loop)."""
    from ..errors import SessionError

    store_error = draft_error = None
    if store is not None:
        try:
            if recorder is not None:
                recorder.finish(result.text, finish_reason=result.finish_reason)
            if session is not None and result.charge is not None:
                _record_usage(store, session, result.charge)
        except SessionError as exc:
            store_error = exc
    if draft_file is not None:
        try:
            draft_file.write(result.text)
        except PosttuiError as exc:
            draft_error = exc
    findings = live.finish() if live.text == result.text else checker.check(result.text)  # last: all is kept
    return store_error, findings, draft_error


def _drop_result(future) -> None:
    """Collect the outcome of an ending nobody waits for any more (a stop came while it ran)."""
    if not future.cancelled():
        future.exception()


async def _tick(recorder) -> None:
    """Persist a running stream even while no chunk arrives (a crash then loses at most the last second)."""
    while True:
        await asyncio.sleep(FLUSH_TICK)
        try:
            recorder.tick()
        except PosttuiError:
            pass


def keep_partial(config, post_name: str, text: str) -> Path | None:
    """Keep a draft that was cut short in ``DATA/partial/POST_NAME-STAMP.md`` (a new file each time); returns the
    path, or None when there is nothing to keep. Raises :class:`~posttui.errors.PosttuiError` when it cannot."""
    from ..files import write_file

    if not text:
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = config.data_path() / "partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PosttuiError(f"cannot create the folder ({exc.strerror})", path=folder) from None
    path = folder / f"{post_name}-{stamp}.md"
    n = 1
    while path.exists():  # two failures within one second each keep their own file
        n += 1
        path = folder / f"{post_name}-{stamp}-{n}.md"
    write_file(path, text)
    return path
