"""pylatexenc, faster: the same parse with less work per character.

Converting a 0.5 MB paper's sections to text spent nine tenths of its time in pylatexenc's parser: its
tokenizer tries every kind of token for each character it reads and looks up "specials" by trying every
sequence of every category, and its reading loop defines a class on every call. The walker here is pylatexenc
2's own reading loop and tokenizer written out without that overhead; argument parsing, environments and
everything else stay pylatexenc's code. The node trees are the same (property tests compare them with stock
pylatexenc on the corpus and on hostile input).
"""

from __future__ import annotations

import inspect
import re
from contextlib import contextmanager
from functools import lru_cache

from pylatexenc import latex2text, latexwalker, macrospec
from pylatexenc.latexwalker import (LatexCharsNode, LatexCommentNode, LatexMacroNode, LatexMathNode,
                                    LatexSpecialsNode, LatexToken, LatexWalkerEndOfStream, LatexWalkerParseError)

logger = latexwalker.logger


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
    db.posttui_plain_run = _plain_run_regex(by_first)


_NEVER_PLAIN = frozenset("\\%{}$")
"""Characters pylatexenc's tokenizer never reads as a plain 'char' token (macro, comment, brace, math)."""


def _plain_run_regex(starts) -> re.Pattern:
    """Whitespace, then a run of plain characters and inner whitespace that ends on a plain character."""
    plain = "[^\\s" + re.escape("".join(sorted(_NEVER_PLAIN | set(starts)))) + "]"
    return re.compile(rf"(\s*)({plain}+(?:\s+{plain}+)*)")


_SPACE_RUN = re.compile(r"\s*")  # re's \s is exactly str.isspace (a test checks every code point)
_ASCII_LETTERS = re.compile(r"[A-Za-z]*")
_ENVIRONMENT_NAME = re.compile(r"\s*\{([\w* ._-]+)\}")
_COMMENT_END = re.compile(r"(\n|\r|\n\r)(?P<extraspace>\s*)")
_CLOSING = {"}": "{", "]": "[", ")": "(", ">": "<"}
_MATH_CLOSING = {"\\(": "\\)", "\\[": "\\]"}
_NO_ARGUMENTS = macrospec.MacroSpec("")
"""The spec of a macro the db does not know (pylatexenc makes a new one each time; it holds no state)."""


class PlainCharWalker(latexwalker.LatexWalker):
    """A LatexWalker that builds the same node trees as pylatexenc's with less work per token.

    pylatexenc reads text one character per ``get_token`` call; each call rebuilds its brace list, defines a
    closure and tries every kind of token, and every ``get_latex_nodes`` call (one per group, argument and
    environment) defines a class. Here:

    * :meth:`get_token` is pylatexenc's method written out with precompiled patterns (same tokens, same errors);
    * :meth:`get_latex_nodes` is pylatexenc's reading loop without the per-call class and closure, and it reads
      a run of plain characters with the whitespace between them as one 'char' token (the loop appends every
      'char' token to the current text node, so the text comes out the same). A character is plain when it is
      none of ``\\ % { } $`` and starts no "specials" sequence of the db; the run ends on a plain character, so
      that space before a macro stays its own.

    Walkers that are not tolerant or that log their nodes, calls with ``read_max_nodes``, and db's that have not
    been through :func:`index_specials` get pylatexenc's own reading loop. Property tests compare the trees
    with stock pylatexenc's.
    """

    def get_token(self, pos, include_brace_chars=None, environments=True, keep_inline_math=None,
                  parsing_state=None, **kwargs):
        if kwargs:  # brackets_are_chars, a pylatexenc 1 argument: its own code
            return super().get_token(pos, include_brace_chars=include_brace_chars, environments=environments,
                                     keep_inline_math=keep_inline_math, parsing_state=parsing_state, **kwargs)
        if parsing_state is None:  # pylatexenc makes a copy of the default state here; a token keeps no state
            parsing_state = self.default_parsing_state
        s = self.s
        n = len(s)
        space = ""
        end = _SPACE_RUN.match(s, pos).end()
        if end > pos:
            space = s[pos:end]
            paragraph = space.find("\n\n")
            if paragraph >= 0:  # two newlines: a paragraph break, its own 'char' token
                return LatexToken(tok="char", arg="\n\n", pos=pos + paragraph, len=2, pre_space=space[:paragraph])
            pos = end
        if pos >= n:
            raise LatexWalkerEndOfStream(final_space=space)
        c = s[pos]
        if c == "\\":
            if pos + 1 >= n:
                raise LatexWalkerEndOfStream()
            end = _ASCII_LETTERS.match(s, pos + 1).end()
            while end < n and s[end].isalpha():
                end += 1
            if end == pos + 1:  # a one-character macro: \\, \%, \[ ...
                end += 1
                isalphamacro = False
            else:
                isalphamacro = True
            macro = s[pos + 1 : end]
            i = end - pos
            if macro == "[" or macro == "]":
                return LatexToken(tok="mathmode_display", arg="\\" + macro, pos=pos, len=i, pre_space=space)
            if macro == "(" or macro == ")":
                return LatexToken(tok="mathmode_inline", arg="\\" + macro, pos=pos, len=i, pre_space=space)
            if environments and (macro == "begin" or macro == "end"):
                envmatch = _ENVIRONMENT_NAME.match(s, end)
                if envmatch is None:
                    error = LatexWalkerParseError(
                        s=s, pos=pos, msg=r"Bad \{} macro: expected {{environmentname}}".format(macro),
                        **self.pos_to_lineno_colno(pos, as_dict=True))
                    if not self.tolerant_parsing:
                        raise error
                    self._report_ignore_parse_error(error)
                    return LatexToken(tok="char", arg="\\" + macro, pos=pos, len=i, pre_space=space)
                return LatexToken(tok="begin_environment" if macro == "begin" else "end_environment",
                                  arg=envmatch.group(1), pos=pos, len=envmatch.end() - pos, pre_space=space)
            post_space = ""
            if isalphamacro:  # the spaces after a letter macro, up to a paragraph break
                after = _SPACE_RUN.match(s, end).end()
                if after > end:
                    post_space = s[end:after]
                    paragraph = post_space.find("\n\n")
                    if paragraph >= 0:
                        post_space = post_space[:paragraph]
                    i += len(post_space)
            return LatexToken(tok="macro", arg=macro, pos=pos, len=i, pre_space=space, post_space=post_space)
        if c == "%":
            m = _COMMENT_END.search(s, pos)
            if m is not None:
                arglen = m.start() - pos
                if m.group("extraspace").startswith(("\n", "\r", "\n\r")):  # a blank line: a new paragraph
                    mlen, mspace = arglen, ""
                else:
                    mlen, mspace = m.end() - pos, m.group()
            else:
                arglen = mlen = n - pos
                mspace = ""
            return LatexToken(tok="comment", arg=s[pos + 1 : pos + arglen], pos=pos, len=mlen, pre_space=space,
                              post_space=mspace)
        if c == "{" or (include_brace_chars and any(c == o for o, _ in include_brace_chars)):
            return LatexToken(tok="brace_open", arg=c, pos=pos, len=1, pre_space=space)
        if c == "}" or (include_brace_chars and any(c == e for _, e in include_brace_chars)):
            return LatexToken(tok="brace_close", arg=c, pos=pos, len=1, pre_space=space)
        if c == "$":
            if s.startswith("$$", pos) and not (parsing_state.in_math_mode
                                                and parsing_state.math_mode_delimiter == "$"):
                return LatexToken(tok="mathmode_display", arg="$$", pos=pos, len=2, pre_space=space)
            return LatexToken(tok="mathmode_inline", arg="$", pos=pos, len=1, pre_space=space)
        sspec = parsing_state.latex_context.test_for_specials(s, pos, parsing_state=parsing_state)
        if sspec is not None:
            return LatexToken(tok="specials", arg=sspec, pos=pos, len=len(sspec.specials_chars), pre_space=space)
        return LatexToken(tok="char", arg=c, pos=pos, len=1, pre_space=space)

    def get_latex_nodes(self, pos=0, stop_upon_closing_brace=None, stop_upon_end_environment=None,
                        stop_upon_closing_mathmode=None, read_max_nodes=None, parsing_state=None):
        if parsing_state is None:
            parsing_state = self.make_parsing_state()
        if read_max_nodes or not self.tolerant_parsing or self.debug_nodes \
                or not hasattr(parsing_state.latex_context, "posttui_plain_run"):
            return super().get_latex_nodes(pos, stop_upon_closing_brace=stop_upon_closing_brace,
                                           stop_upon_end_environment=stop_upon_end_environment,
                                           stop_upon_closing_mathmode=stop_upon_closing_mathmode,
                                           read_max_nodes=read_max_nodes, parsing_state=parsing_state)
        include_brace_chars = None
        if stop_upon_closing_brace:
            opening = None
            if isinstance(stop_upon_closing_brace, str) and stop_upon_closing_brace in _CLOSING:
                opening = _CLOSING[stop_upon_closing_brace]
            elif len(stop_upon_closing_brace) == 2:
                opening, stop_upon_closing_brace = stop_upon_closing_brace
            if stop_upon_closing_brace != "}":
                include_brace_chars = [(opening, stop_upon_closing_brace)]
        if stop_upon_closing_mathmode is not None and not parsing_state.in_math_mode:
            logger.warning("Call to LatexWalker.get_latex_nodes(stop_upon_closing_mathmode={!r}) but parsing state "
                           "has in_math_mode={!r}".format(stop_upon_closing_mathmode, parsing_state.in_math_mode))
        s = self.s
        origpos = pos
        state = parsing_state
        plain_run = getattr(state.latex_context, "posttui_plain_run", None) if include_brace_chars is None else None
        nodelist = []
        chars, chars_pos = "", None  # text read since the last node: becomes a LatexCharsNode
        while True:
            try:
                if plain_run is not None:
                    m = plain_run.match(s, pos)
                    if m is not None:  # a run of plain text: what one 'char' token per character would add
                        if chars_pos is None:
                            chars_pos = pos
                        chars += m.group()
                        pos = m.end()
                        continue
                try:
                    tok = self.get_token(pos, include_brace_chars=include_brace_chars, parsing_state=state)
                except LatexWalkerEndOfStream as end_of_stream:
                    if chars_pos is None:
                        chars_pos = pos
                    chars += end_of_stream.final_space
                    pos += len(end_of_stream.final_space)
                    break
                kind = tok.tok
                pos = tok.pos + tok.len
                if kind == "char":
                    if chars_pos is None:
                        chars_pos = tok.pos - len(tok.pre_space)
                    chars += tok.pre_space + tok.arg
                    continue
                if chars:
                    nodelist.append(LatexCharsNode(chars=chars + tok.pre_space, pos=chars_pos,
                                                   len=tok.pos - chars_pos, parsing_state=state))
                    chars, chars_pos = "", None
                elif tok.pre_space:  # a node of its own, which latex2text can drop (strict_latex_spaces)
                    nodelist.append(LatexCharsNode(chars=tok.pre_space, pos=tok.pos - len(tok.pre_space),
                                                   len=len(tok.pre_space), parsing_state=state))
                if kind == "macro" or kind == "specials":
                    node, effects = (self._macro_node if kind == "macro" else self._specials_node)(tok, state)
                    nodelist.append(node)
                    pos = node.pos + node.len
                    if "new_parsing_state" in effects:
                        state = effects["new_parsing_state"]
                        if include_brace_chars is None:
                            plain_run = getattr(state.latex_context, "posttui_plain_run", None)
                elif kind == "brace_open":
                    try:
                        node, bpos, blen = self.get_latex_braced_group(tok.pos, brace_type=tok.arg,
                                                                       parsing_state=state)
                    except LatexWalkerParseError as e:
                        e.open_contexts.append(("open brace", tok.pos, *self.pos_to_lineno_colno(tok.pos)))
                        raise
                    pos = bpos + blen
                    nodelist.append(node)
                elif kind == "brace_close":
                    if tok.arg != stop_upon_closing_brace:
                        raise LatexWalkerParseError(s=s, pos=tok.pos,
                                                    msg="Unexpected mismatching closing brace: '%s'" % (tok.arg),
                                                    **self.pos_to_lineno_colno(tok.pos, as_dict=True))
                    break
                elif kind in ("mathmode_inline", "mathmode_display"):
                    if stop_upon_closing_mathmode is not None:
                        if tok.arg == stop_upon_closing_mathmode:
                            break
                        if tok.arg in ("\\)", "\\]"):
                            raise LatexWalkerParseError(
                                s=s, pos=tok.pos, msg="Mismatching closing math mode: '{}', expected '{}'".format(
                                    tok.arg, stop_upon_closing_mathmode),
                                **self.pos_to_lineno_colno(tok.pos, as_dict=True))
                    elif tok.arg in ("\\)", "\\]"):
                        raise LatexWalkerParseError(s=s, pos=tok.pos,
                                                    msg="Unexpected closing math mode: '{}'".format(tok.arg),
                                                    **self.pos_to_lineno_colno(tok.pos, as_dict=True))
                    closing = _MATH_CLOSING.get(tok.arg, tok.arg)
                    inner = state.sub_context(in_math_mode=True, math_mode_delimiter=tok.arg)
                    try:
                        math_nodes, mpos, mlen = self.get_latex_nodes(pos, stop_upon_closing_mathmode=closing,
                                                                      parsing_state=inner)
                    except LatexWalkerParseError as e:
                        e.open_contexts.append(('math mode "{}"'.format(tok.arg), tok.pos,
                                                *self.pos_to_lineno_colno(tok.pos)))
                        raise
                    pos = mpos + mlen
                    nodelist.append(LatexMathNode(
                        displaytype="inline" if tok.arg in ("\\(", "$") else "display", nodelist=math_nodes,
                        delimiters=(tok.arg, closing), pos=tok.pos, len=pos - tok.pos, parsing_state=state))
                elif kind == "comment":
                    nodelist.append(LatexCommentNode(comment=tok.arg, comment_post_space=tok.post_space,
                                                     pos=tok.pos, len=tok.len, parsing_state=state))
                elif kind == "begin_environment":
                    try:
                        node, epos, elen = self.get_latex_environment(tok.pos, environmentname=tok.arg,
                                                                      parsing_state=state)
                    except LatexWalkerParseError as e:
                        e.open_contexts.append(('begin environment "{}"'.format(tok.arg), tok.pos,
                                                *self.pos_to_lineno_colno(tok.pos)))
                        raise
                    pos = epos + elen
                    nodelist.append(node)
                elif kind == "end_environment":
                    if not stop_upon_end_environment:
                        raise LatexWalkerParseError(s=s, pos=tok.pos,
                                                    msg="Unexpected closing environment: '{}'".format(tok.arg),
                                                    **self.pos_to_lineno_colno(tok.pos, as_dict=True))
                    if tok.arg != stop_upon_end_environment:
                        raise LatexWalkerParseError(
                            s=s, pos=tok.pos, msg="Unexpected mismatching closing environment: '{}', was "
                            "expecting '{}'".format(tok.arg, stop_upon_end_environment),
                            **self.pos_to_lineno_colno(tok.pos, as_dict=True))
                    break
                else:
                    raise LatexWalkerParseError(s=s, pos=pos, msg="Unknown token: {!r}".format(tok),
                                                **self.pos_to_lineno_colno(pos, as_dict=True))
            except LatexWalkerParseError as e:  # tolerant parsing: note it and read on, as pylatexenc does
                self._report_ignore_parse_error(e)
        if chars:
            nodelist.append(LatexCharsNode(chars=chars, pos=chars_pos, len=len(chars), parsing_state=state))
        return nodelist, origpos, pos - origpos

    def _macro_node(self, tok, state):
        """A macro and its arguments, as pylatexenc's reading loop makes it; the dict has the arguments' side
        effects (``new_parsing_state``)."""
        macroname = tok.arg
        mspec = state.latex_context.get_macro_spec(macroname)
        if mspec is None:
            mspec = _NO_ARGUMENTS
        try:
            result = mspec.parse_args(w=self, pos=tok.pos + tok.len, parsing_state=state)
        except (LatexWalkerEndOfStream, LatexWalkerParseError) as e:
            e = self._exchandle_parse_subexpression(e, tok, 'arguments of macro "{}"'.format(macroname))
            if e is not None:
                raise e
            result = (None, tok.pos + tok.len, 0, {})
        if len(result) == 4:
            nodeargd, apos, alen, effects = result
        else:
            (nodeargd, apos, alen), effects = result, {}
        if nodeargd is not None and nodeargd.legacy_nodeoptarg_nodeargs:
            nodeoptarg, nodeargs = nodeargd.legacy_nodeoptarg_nodeargs[0], nodeargd.legacy_nodeoptarg_nodeargs[1]
        else:
            nodeoptarg, nodeargs = None, []
        node = LatexMacroNode(macroname=macroname, nodeargd=nodeargd, macro_post_space=tok.post_space,
                              nodeoptarg=nodeoptarg, nodeargs=nodeargs, pos=tok.pos, len=apos + alen - tok.pos,
                              parsing_state=state)
        return node, effects

    def _specials_node(self, tok, state):
        """A specials token and its arguments, as pylatexenc's reading loop makes it (see :meth:`_macro_node`)."""
        sspec = tok.arg
        end = tok.pos + tok.len
        nodeargd = None
        try:
            result = sspec.parse_args(w=self, pos=end, parsing_state=state)
        except (LatexWalkerEndOfStream, LatexWalkerParseError) as e:
            e = self._exchandle_parse_subexpression(e, tok, 'arguments of specials "{}"'.format(sspec.specials_chars))
            if e is not None:
                raise e
            result = (None, end, 0, {})
        effects = {}
        if result is not None:
            if len(result) == 4:
                nodeargd, apos, alen, effects = result
            else:
                nodeargd, apos, alen = result
            end = apos + alen
        node = LatexSpecialsNode(specials_chars=sspec.specials_chars, nodeargd=nodeargd, pos=tok.pos,
                                 len=end - tok.pos, parsing_state=state)
        return node, effects


@lru_cache(maxsize=1024)
def _parameter_names(fn) -> tuple[str, ...]:
    return tuple(inspect.getfullargspec(fn)[0])


class ReplArgsNodes2Text(latex2text.LatexNodes2Text):
    """pylatexenc's text converter, reading each replacement function's parameter names once.

    Stock ``apply_simplify_repl`` calls ``inspect.getfullargspec`` for every macro it replaces through a
    function (every citation), to see whether the function wants ``l2tobj``, ``macroname`` ...; that was a fifth
    of the conversion. The same keyword arguments are passed as before.
    """

    def apply_simplify_repl(self, node, simplify_repl, what):
        if not callable(simplify_repl):
            return super().apply_simplify_repl(node, simplify_repl, what)
        try:
            names = _parameter_names(simplify_repl)
        except TypeError:  # an unhashable callable: ask every time, as pylatexenc does
            names = inspect.getfullargspec(simplify_repl)[0]
        kwargs = {}
        if "l2tobj" in names:
            kwargs["l2tobj"] = self
        if node.isNodeType(latexwalker.LatexEnvironmentNode) and "environmentname" in names:
            kwargs["environmentname"] = node.environmentname
        if node.isNodeType(LatexMacroNode) and "macroname" in names:
            kwargs["macroname"] = node.macroname
        if node.isNodeType(LatexSpecialsNode) and "specials_chars" in names:
            kwargs["specials_chars"] = node.specials_chars
        return simplify_repl(node, **kwargs) or ""


@contextmanager
def stock_pylatexenc(*dbs):
    """Run pylatexenc's own code instead of this module's within the block: the reference the tests and
    bench/latex.py compare against. ``dbs`` are the walker context db's given to :func:`index_specials`."""
    global PlainCharWalker
    walker, repl = PlainCharWalker, ReplArgsNodes2Text.apply_simplify_repl
    saved = [(db, db.__dict__.pop("test_for_specials", None), db.__dict__.pop("posttui_plain_run", None))
             for db in dbs]
    PlainCharWalker = latexwalker.LatexWalker
    ReplArgsNodes2Text.apply_simplify_repl = latex2text.LatexNodes2Text.apply_simplify_repl
    try:
        yield
    finally:
        PlainCharWalker = walker
        ReplArgsNodes2Text.apply_simplify_repl = repl
        for db, test_for_specials, plain_run in saved:
            if test_for_specials is not None:
                db.test_for_specials = test_for_specials
            if plain_run is not None:
                db.posttui_plain_run = plain_run
