"""Process-wide interpreter settings that keep the UI loop answering keys: when the garbage collector may pause it,
and how long a worker thread may hold the GIL (issue 14; measured in bench/tui.py).

- Once the app runs, and again once the paper's checker is built, everything alive moves to the collector's
  permanent generation (``gc.freeze``). Full collections then skip the modules, the paper, the checker context
  and the widgets. There is no collection first: on a 10 MB paper a full one stalls the UI for 100-150 ms.
- While a model call runs, full collections wait 20 times as long as CPython's default. The line caches' cycles
  are gone (:mod:`.acyclic_caches`), so they would find next to nothing to free while a draft streams, but each
  one still walks every object alive, for 10-30 ms of a frame that needs all of its 50 ms. They are only made
  rarer, never stopped: a long stream still gets one about every 15 seconds.
- Worker threads (LaTeX analysis, prompts, checks) hand the GIL back every 1 ms, not 5: on a 10 MB paper every
  UI step otherwise queues behind 5 ms slices of analysis.

The app turns this on for a real run (``posttui``). Tests create many apps in one process and leave it off;
:meth:`RuntimeTuning.stop` puts every setting back.
"""

from __future__ import annotations

import gc
import sys

FULL_COLLECTION_EVERY = 200
"""Younger (generation 1) collections between two full ones while a model call runs; CPython waits 10. A stream
makes about 12 a second (bench/tui.py)."""

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits for it."""


class RuntimeTuning:
    """The settings above, applied by :meth:`start` and undone by :meth:`stop`."""

    def __init__(self) -> None:
        self._switch_interval: float | None = None
        self._full_threshold: int | None = None
        """CPython's own full-collection threshold while a model call has it raised."""

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
        young, middle, full = gc.get_threshold()
        if running and self._full_threshold is None:
            self._full_threshold = full
            gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))
        elif not running and self._full_threshold is not None:
            gc.set_threshold(young, middle, self._full_threshold)
            self._full_threshold = None

    def stop(self) -> None:
        """Every setting back as :meth:`start` found it (the frozen objects become collectable again)."""
        if not self.started:
            return
        self.model_call_running(False)
        gc.unfreeze()
        sys.setswitchinterval(self._switch_interval)
        self._switch_interval = None
