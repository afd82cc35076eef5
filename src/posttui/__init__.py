"""posttui: turn a research paper into a reviewed, rule-abiding Jekyll blog post.

The core library (everything outside :mod:`posttui.tui`) never imports Textual, so it works in a notebook::

    import posttui
    paper = posttui.load("2511.10640")
    print(paper.prompt(mode="lean"))
"""

from __future__ import annotations

from .errors import PosttuiError
from .version import __version__

__all__ = ["Paper", "PosttuiError", "load", "__version__"]


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
