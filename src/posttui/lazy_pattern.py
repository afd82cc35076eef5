"""Regular expressions compiled on first use, for module-level patterns that most commands never apply.

CPython compiles a pattern with a pure-Python parser: 0.1-1.5 ms each, paid at import by every process that
imports the module, although a command such as ``posttui prompt --lean`` applies only some of them.
"""

from __future__ import annotations

import re


class LazyPattern:
    """A stand-in for ``re.compile(pattern, flags)`` that compiles when one of its attributes is first read.

    Each attribute read is then kept on the instance (the compiled pattern's bound method), so later calls cost
    what calls on the compiled pattern cost. It is not a :class:`re.Pattern`: call its methods (``.search``,
    ``.sub``...), do not pass it to ``re.search`` and friends."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        # only reached for names not yet on the instance (and never for _source, set in __init__)
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(re.compile(*self._source), name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0]!r}, {self._source[1]!r})"
