"""The posttui Textual app: opens a paper (or the start screen), runs one session per paper.

Everything the app needs from outside is passed in (config, session store, site, backend factory), so tests
drive it headless with a temporary data folder, a temporary site and a scripted or offline backend.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from textual import work
from textual.app import App

from ..config import Config, api_key, load_config
from ..errors import PosttuiError
from ..session import SessionStore, paper_key
from ..site import Site
from . import acyclic_caches
from .commands import ActionCommands
from .direct_keys import DirectBindings
from .keymap import check_keymap
from .runtime_tuning import RuntimeTuning
from .screens.dialogs import ConfirmDialog, HelpScreen
from .screens.start import LoadingScreen, StartScreen
from .styles import stylesheets


def default_backend_factory(config: Config, name: str | None = None, model: str | None = None):
    def make(paper):
        from ..llm import make_backend

        return make_backend(config, name=name, model=model, paper=paper)

    return make


class PosttuiApp(DirectBindings, App):
    """posttui: paper on the left, live draft on the right, problems below."""

    TITLE = "posttui"
    CSS_PATH = stylesheets()
    COMMANDS = App.COMMANDS | {ActionCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        *,
        source: str | None = None,
        paper=None,
        site: Path | None = None,
        config: Config | None = None,
        store: SessionStore | None = None,
        backend_factory: Callable | None = None,
        backend_name: str | None = None,
        model: str | None = None,
        resume: int | None = None,
        offer_resume: bool = True,
        lean: bool = False,
        keymap: dict[str, str] | None = None,
        tune_runtime: bool = False,
    ):
        acyclic_caches.install()  # Textual's line caches otherwise leave cycles: 15-60 ms full collections
        super().__init__()
        self.config = config or load_config()
        self._own_store = store is None
        self.store = store or _open_store(self.config)
        self.site = site if site is None or isinstance(site, Site) else Site(site)
        """The :class:`~posttui.site.Site` posts are saved into (validated), or None outside any site."""
        self.source = source
        self.initial_paper = paper
        self.resume_id = resume
        self.offer_resume = offer_resume
        self.lean = lean
        self.backend_name = backend_name
        self.model_override = model
        self.backend_factory = backend_factory or default_backend_factory(self.config, backend_name, model)
        self.backend = None
        self.keymap_overrides = dict(keymap or {})
        check_keymap(self.keymap_overrides)
        """The user's remapped keys (action id -> key, from keys.toml)."""
        self.runtime = RuntimeTuning(later=self.set_timer)
        """The interpreter settings that keep the UI loop answering keys (garbage collection, GIL hand-over):
        started for a real run (``tune_runtime``); tests create many apps in one process and leave them off."""
        self.tune_runtime = tune_runtime

    # ----- labels -------------------------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        """The model the footer names: the running backend's, else the configured one."""
        if self.backend is not None and getattr(self.backend, "model", None):
            return self.backend.model
        return self.model_override or self.config.model

    @property
    def backend_hint(self) -> str:
        if self.backend_name == "offline" or (self.backend_name is None and not api_key()):
            return "offline writer (no GEMINI_API_KEY set: export one to write with Gemini)"
        return f"gemini · {self.model_name}"

    @property
    def backend_label(self) -> str:
        b = self.backend
        if b is None:
            return ""
        if b.name == "offline":
            return "offline writer (no API key)" if not api_key() else "offline writer"
        return f"{b.name}:{b.model}"

    # ----- start ----------------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        from .background import attach

        attach(asyncio.get_running_loop())  # worker threads yield to this loop when it falls behind
        if self.tune_runtime:
            self.runtime.start()
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        if self.store.notice:
            self.notify(self.store.notice, title="Sessions", severity="warning", timeout=15)
        if self.resume_id is not None:
            self.resume(self.resume_id)
        elif self.initial_paper is not None:
            self.open_paper(self.initial_paper)
        elif self.source:
            self.open_source(self.source)
        else:
            self.push_screen(StartScreen())

    def open_source(self, source: str) -> None:
        self.push_screen(LoadingScreen(source))
        self._load(source)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, source: str, session_id: int | None = None) -> None:
        from ..sources import load

        try:
            paper = load(source, site=self.site, config=self.config)
        except PosttuiError as exc:
            self.call_from_thread(self._load_failed, source, exc)
            return
        except Exception as exc:  # noqa: BLE001 - any bug while loading must reach the user, not kill the app
            self.call_from_thread(self._load_failed, source, exc)
            return
        self.call_from_thread(self.open_paper, paper, session_id)

    def _load_failed(self, source: str, exc: Exception) -> None:
        if isinstance(self.screen, LoadingScreen):
            self.pop_screen()
        if not self.screen_stack or len(self.screen_stack) <= 1:
            self.push_screen(StartScreen())
        self.notify(str(exc), title=f"Could not open {source}", severity="error", timeout=20)

    def resume(self, session_id: int) -> None:
        try:
            session = self.store.get(session_id)
        except PosttuiError as exc:
            self.notify(str(exc), severity="error")
            if not isinstance(self.screen, StartScreen):
                self.push_screen(StartScreen())
            return
        self.push_screen(LoadingScreen(session.origin or session.paper_key))
        self._load(session.origin or session.paper_key, session_id)

    def open_paper(self, paper, session_id: int | None = None) -> None:
        try:
            self.backend = self.backend_factory(paper)
        except PosttuiError as exc:
            self.notify(str(exc), title="No text backend", severity="error", timeout=20)
            return
        if session_id is None and self.offer_resume:
            previous = self.store.resumable(paper_key(paper))
            if previous is not None:
                when = previous.updated[:16].replace("T", " ")
                question = ConfirmDialog(
                    "Resume your earlier session?",
                    f"Session #{previous.id} of this paper ({previous.versions} draft "
                    f"version{'s' if previous.versions != 1 else ''}, last change {when} UTC"
                    f"{', approved into the site' if previous.saved_path else ''}) can be resumed. "
                    "Start afresh keeps it in the history.",
                    yes="Resume", no="Start afresh", id="resume-dialog")

                def answer(yes: bool | None) -> None:
                    self._show_main(paper, previous.id if yes else None)

                self.push_screen(question, answer)
                return
        self._show_main(paper, session_id)

    def _show_main(self, paper, session_id: int | None) -> None:
        # Imported here: the start and loading screens draw their first frame without the main screen's code.
        from ..workflow import Review
        from . import wrapped_height
        from .screens.main import MainScreen

        wrapped_height.install()  # the draft's and the prompt's TextAreas otherwise sum every line for each row drawn
        review = Review(paper, site=self.site, config=self.config, backend=self.backend, store=self.store,
                        prompt_mode="lean" if self.lean else "site", model=self.model_override,
                        origin=self.source, draft_file=True)
        try:
            if session_id is not None:
                review.resume(session_id)
        except PosttuiError as exc:
            self.notify(str(exc), title="The session could not be resumed", severity="error", timeout=15)
        self.runtime.follow(review)  # full collections are rarer while a model call streams
        screen = MainScreen(review)
        # Replace the start/loading screens: the main screen is the app from now on.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    async def action_quit(self) -> None:
        """Quit, but through the main screen's question when there is unsaved work."""
        from .screens.main import MainScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                screen.action_quit_app()
                return
        self.exit(0)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen):
        """Textual's palette commands, with a Screenshot that saves where posttui keeps its data (Textual's own
        writes into a Downloads folder that may not exist) and says where."""
        from textual.app import SystemCommand

        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command
        yield SystemCommand("Screenshot", "Save an SVG screenshot of the screen into posttui's data folder",
                            lambda: self.set_timer(0.1, self.save_screen_svg))

    def save_screen_svg(self) -> Path | None:
        """Write the screen as SVG into ``DATA/screenshots/`` (a new file each time); returns the path."""
        from datetime import datetime, timezone

        from ..files import write_file

        folder = self.config.data_path() / "screenshots"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = folder / f"posttui-{stamp}.svg"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_file(path, self.export_screenshot())
        except (OSError, PosttuiError) as exc:
            self.notify(f"The screenshot could not be saved in {folder}: {exc}", severity="error", timeout=10)
            return None
        self.notify(f"Screenshot saved: {path}", title="Screenshot", timeout=10)
        return path

    def on_unmount(self) -> None:
        self.runtime.stop()
        if self._own_store:
            self.store.close()


def _open_store(config: Config) -> SessionStore:
    try:
        return SessionStore.open(config=config)
    except PosttuiError as exc:
        return SessionStore.memory(notice=f"{exc}\nThis session will not be kept.")
