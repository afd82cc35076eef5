"""Process-wide interpreter settings that keep the UI loop answering keys: when the garbage collector may pause it,
and how long a worker thread may hold the GIL (issue 14; measured in bench/tui.py).

- Once the app runs, and again once the paper's checker is built, everything alive moves to the collector's
  permanent generation (``gc.freeze``). Full collections then skip the modules, the paper, the checker context
  and the widgets. There is no collection first: on a 10 MB paper a full one stalls the UI for 100-150 ms.
- While a model call runs, full collections wait 20 times as long as CPython's default. The line caches' cycles
  are gone (:mod:`.acyclic_caches`), so they would find next to nothing to free while a draft streams, but each
  one still walks every object alive, for 10-30 ms of a frame that needs all of its 50 ms. They are only made
  rarer, never stopped: a long stream still gets one about every 15 seconds. When the call ends they come as often
  as before only ``SETTLE`` seconds later (given a way to wait): the first full collection then no longer falls on
  the end of a stream, where the final check, the preview and the References tab already share the UI loop.
- Worker threads (LaTeX analysis, prompts, checks) hand the GIL back every 1 ms, not 5: on a 10 MB paper every
  UI step otherwise queues behind 5 ms slices of analysis.

The app turns this on for a real run (``posttui``). Tests create many apps in one process and leave it off;
:meth:`RuntimeTuning.stop` puts every setting back.
"""

from __future__ import annotations

import gc
import sys
from typing import Any, Callable

FULL_COLLECTION_EVERY = 200
"""Younger (generation 1) collections between two full ones while a model call runs; CPython waits 10. A stream
makes about 12 a second (bench/tui.py)."""

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits for it."""

SETTLE = 2.0
"""Seconds after a model call ends before full collections come as often as before (the end of a stream is checked,
previewed and shown within about 0.3 s, bench/tui.py)."""


class RuntimeTuning:
    """The settings above, applied by :meth:`start` and undone by :meth:`stop`."""

    def __init__(self, later: Callable[[float, Callable[[], None]], Any] | None = None) -> None:
        """``later(seconds, callback)`` calls back once after ``seconds`` and returns a handle with ``stop()`` (the
        app's ``set_timer``); without it the threshold comes back as soon as a call ends."""
        self._later = later
        self._switch_interval: float | None = None
        self._full_threshold: int | None = None
        """CPython's own full-collection threshold while a model call has it raised."""
        self._pending: Any = None
        """The handle of the wait before the threshold comes back (see :data:`SETTLE`)."""

    @property
    def started(self) -> bool:
        return self._switch_interval is not None

    def start(self) -> None:
        if self.started:
            return
        self._switch_interval = sys.getswitchinterval()
        gc.freeze()  # the imported modules and the app are long-lived
        sys.setswitchinterval(SWITCH_INTERVAL)

    def paper_ready(self) -> None:
        """The paper and its checker are built: they live as long as the app."""
        if self.started:
            gc.freeze()

    def follow(self, review) -> None:
        """Make full collections rarer whenever ``review`` (a :class:`~posttui.workflow.Review`) runs a model call."""
        # Imported here, once per review: the app module, and with it this one, draws the loading screen before the
        # workflow (and the checker's rules under it, 70 ms of imports) is needed.
        from ..workflow.events import StateChanged
        from ..workflow.review import RUNNING

        def on_event(event) -> None:
            if isinstance(event, StateChanged) and self.started:
                self.model_call_running(event.state in RUNNING)

        review.subscribe(on_event)

    def model_call_running(self, running: bool) -> None:
        if running:
            self._cancel_pending()  # another call before the last one settled: keep the threshold raised
            if self._full_threshold is None:
                young, middle, full = gc.get_threshold()
                self._full_threshold = full
                gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))
        elif self._full_threshold is not None and self._pending is None:
            if self._later is None:
                self._restore_threshold()
            else:
                self._pending = self._later(SETTLE, self._restore_threshold)

    def _restore_threshold(self) -> None:
        self._pending = None
        if self._full_threshold is not None:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, self._full_threshold)
            self._full_threshold = None

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None

    def stop(self) -> None:
        """Every setting back as :meth:`start` found it (the frozen objects become collectable again)."""
        if not self.started:
            return
        self._cancel_pending()
        self._restore_threshold()
        gc.unfreeze()
        sys.setswitchinterval(self._switch_interval)
        self._switch_interval = None
