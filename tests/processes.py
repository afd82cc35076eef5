"""Helpers for tests that run posttui as a real process."""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """``preexec_fn`` for a child that must react to Ctrl+C.

    A process started with SIGINT ignored passes that on to its children (POSIX keeps ignored signals across
    exec), and Python then installs no KeyboardInterrupt handler: pytest run from a script or a CI runner that
    ignores SIGINT would see its Ctrl+C tests fail. The user's Ctrl+C comes from a terminal with the default
    disposition, so the test restores it in the child before posttui starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
