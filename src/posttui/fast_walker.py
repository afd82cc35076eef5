"""pylatexenc, faster: the same parse with less work per character.

pylatexenc's tokenizer tries every kind of token for each character it reads and looks up "specials" by trying
every sequence of every category; converting a 0.5 MB paper's sections spent most of its time there. These
shortcuts answer the common cases directly and leave every other case to pylatexenc's own code, so the node
trees are the same (a property test compares them with stock pylatexenc).
"""

from __future__ import annotations

import re

from pylatexenc import latexwalker


def index_specials(db) -> None:
    """Give a pylatexenc context db a faster ``test_for_specials`` with the same answers.

    pylatexenc asks it at every position it reads, and the stock method tries every "specials" sequence of every
    category with ``startswith``; a third of a section's conversion went there. This one tries only the
    sequences that start with the character at ``pos``, in the same order and with the same rule (the longest
    match wins; among equally long ones, the first in category order). Call it once the db is complete.
    """
    by_first: dict[str, list] = {}
    for category in db.category_list:
        for chars, spec in db.d[category]["specials"].items():
            if chars:
                by_first.setdefault(chars[0], []).append((chars, spec))

    def test_for_specials(s, pos, parsing_state=None):
        if pos < 0:  # str.startswith's reading of a negative start
            pos = max(0, len(s) + pos)
        candidates = by_first.get(s[pos]) if pos < len(s) else None
        best, best_len = None, 0
        for chars, spec in candidates or ():
            if len(chars) > best_len and s.startswith(chars, pos):
                best, best_len = spec, len(chars)
        return best

    db.test_for_specials = test_for_specials
    db.posttui_special_starts = frozenset(by_first)
    db.posttui_plain_run = _plain_run_regex(by_first)


_NEVER_PLAIN = frozenset("\\%{}$")
"""Characters pylatexenc's tokenizer never reads as a plain 'char' token (macro, comment, brace, math)."""
_UNSET = object()


def _plain_run_regex(starts) -> re.Pattern:
    """Whitespace, then a run of plain characters and inner whitespace that ends on a plain character."""
    plain = "[^\\s" + re.escape("".join(sorted(_NEVER_PLAIN | set(starts)))) + "]"
    return re.compile(rf"(\s*)({plain}+(?:\s+{plain}+)*)")


class PlainCharWalker(latexwalker.LatexWalker):
    """A LatexWalker that reads plain text without pylatexenc's per-character round of tests; the same parse.

    pylatexenc reads text one character per ``get_token`` call, and each call rebuilds its brace list and tries
    every kind of token first. Two shortcuts, both giving what the stock method gives:

    * ``get_latex_nodes``' reading loop (the only caller that passes ``include_brace_chars=None`` itself) appends
      every 'char' token to the current text node; a run of plain characters with the whitespace between them
      (a character is plain when it is not one of ``\\ % { } $`` and starts no "specials" sequence of the db)
      therefore reads as one token, ending on a plain character so that space before a macro stays its own;
    * any other caller asking at a plain character (or one whitespace character then a plain one) gets the
      one-character 'char' token at once, and at a letter macro (not ``\\begin``/``\\end``) its 'macro' token.

    Anything else goes to the stock method. The context db must have been through :func:`index_specials`
    (else: stock method throughout). A property test compares the node trees with stock pylatexenc.
    """

    def get_token(self, pos, include_brace_chars=_UNSET, environments=True, keep_inline_math=None,
                  parsing_state=None, **kwargs):
        s = self.s
        if not include_brace_chars and not kwargs and 0 <= pos < len(s) - 1:
            context = (parsing_state or self.default_parsing_state).latex_context
            starts = getattr(context, "posttui_special_starts", None)
            if starts is not None:
                if include_brace_chars is None and environments is True and parsing_state is not None:
                    m = context.posttui_plain_run.match(s, pos)
                    if m:
                        return latexwalker.LatexToken(tok="char", arg=m.group(2), pos=m.start(2),
                                                      len=m.end(2) - m.start(2), pre_space=m.group(1))
                c = s[pos]
                if c == "\\" and s[pos + 1].isalpha():
                    return self._macro_token(s, pos) or super().get_token(
                        pos, include_brace_chars=None if include_brace_chars is _UNSET else include_brace_chars,
                        environments=environments, keep_inline_math=keep_inline_math, parsing_state=parsing_state)
                space = ""
                if c.isspace():  # one space (or newline) before a plain character: that space is its pre_space
                    space, pos, c = c, pos + 1, s[pos + 1]
                if c not in _NEVER_PLAIN and c not in starts and not c.isspace():
                    return latexwalker.LatexToken(tok="char", arg=c, pos=pos, len=1, pre_space=space)
                pos -= len(space)
        if include_brace_chars is _UNSET:
            include_brace_chars = None
        return super().get_token(pos, include_brace_chars=include_brace_chars, environments=environments,
                                 keep_inline_math=keep_inline_math, parsing_state=parsing_state, **kwargs)

    @staticmethod
    def _macro_token(s: str, pos: int):
        """The token of a letter macro at ``pos`` exactly as the stock method builds it (name, then the spaces
        after it up to a paragraph break as ``post_space``), or None for ``\\begin``/``\\end``."""
        end = pos + 2
        n = len(s)
        while end < n and s[end].isalpha():
            end += 1
        name = s[pos + 1 : end]
        if name in ("begin", "end"):
            return None
        i = end - pos
        post_space = ""
        while pos + i < n and s[pos + i].isspace():
            post_space += s[pos + i]
            i += 1
            if post_space.endswith("\n\n"):
                post_space = post_space[:-2]
                i -= 2
                break
        return latexwalker.LatexToken(tok="macro", arg=name, pos=pos, len=i, pre_space="", post_space=post_space)
