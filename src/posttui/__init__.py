"""posttui: turn a research paper into a reviewed, rule-abiding Jekyll blog post.

The core library (everything outside :mod:`posttui.tui`) never imports Textual, so it works in a notebook::

    import posttui
    paper = posttui.load("2511.10640")
    print(paper.prompt(mode="lean"))

and reviews a post there: ``s = posttui.open("2511.10640", site="path/to/site")``, ``await s.generate()``,
``s.problems``, ``s.fix()``, ``await s.approve()``; ``posttui.editor(...)`` is the interactive editor widget.
"""

from __future__ import annotations

from .errors import PosttuiError
from .version import __version__


def open(source=None, *, site=None, session: int | None = None, **options):  # noqa: A001 - posttui.open(...)
    """A notebook session on ``source`` in ``site`` (see :mod:`posttui.notebook`)."""
    from .notebook import open as open_session

    return open_session(source, site=site, session=session, **options)


def editor(source=None, *, site=None, session: int | None = None, **options):
    """The notebook's editor widget on ``source`` in ``site`` (needs ``pip install 'posttui[jupyter]'``)."""
    from .notebook import editor as open_editor

    return open_editor(source, site=site, session=session, **options)


__all__ = ["Paper", "PosttuiError", "editor", "load", "__version__"]
"""``open`` is left out on purpose: ``from posttui import *`` must not shadow the built-in ``open``."""


def __getattr__(name: str):
    """``Paper`` and ``load`` on first use: the command line imports this package first, and ``posttui --version``
    or a headless command that never opens a paper should not pay for the paper machinery."""
    if name == "Paper":
        from .paper import Paper

        return Paper
    if name == "load":
        from .sources import load

        return load
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
