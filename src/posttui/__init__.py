"""posttui: turn a research paper into a reviewed, rule-abiding Jekyll blog post.

The core library (everything outside :mod:`posttui.tui`) never imports Textual, so it works in a notebook::

    import posttui
    paper = posttui.load("2511.10640")
    print(paper.prompt(mode="lean"))
"""

from __future__ import annotations

from .errors import PosttuiError
from .paper import Paper
from .sources import load
from .version import __version__

__all__ = ["Paper", "PosttuiError", "load", "__version__"]
