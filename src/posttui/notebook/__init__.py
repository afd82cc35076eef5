"""The notebook front end: the review loop of :class:`posttui.workflow.Review` inside Jupyter.

``posttui.open(source, site=...)`` gives a :class:`NotebookSession` (generate, problems, fixes, revisions, undo,
approval, with rich reprs); ``posttui.editor(source, site=...)`` (or ``session.editor()``) gives the interactive
editor widget. The widgets come from ``pip install 'posttui[jupyter]'`` (ipywidgets) and are imported only when an
editor or a live view is made, so this package imports cleanly without them.
"""

from __future__ import annotations

from .session import Draft, NotebookSession, Problems, Proposal


def open(source=None, *, site=None, session: int | None = None, **options) -> NotebookSession:  # noqa: A001
    """Open ``source`` (an arXiv id, a folder, an archive) for review in ``site``, or resume ``session``."""
    return NotebookSession.open(source, site=site, session=session, **options)


def editor(source=None, *, site=None, session: int | None = None, **options):
    """Open ``source`` (or resume ``session``) and return its interactive editor widget."""
    return NotebookSession.open(source, site=site, session=session, **options).editor()


__all__ = ["Draft", "NotebookSession", "Problems", "Proposal", "editor"]  # not open: it would shadow the built-in
