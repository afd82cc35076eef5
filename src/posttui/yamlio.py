"""Safe YAML reading for the files posttui meets, including the site's feedparser dumps.

The site's pipeline writes paper metadata with ``yaml.dump(entry)``, which tags objects as
``!!python/object/new:feedparser.util.FeedParserDict`` and ``!!python/object/apply:time.struct_time``.
:class:`MetadataLoader` is a SafeLoader subclass that knows exactly those tags (and ``!!python/tuple``) and
nothing else: any other python tag is an error, never an object construction.
"""

from __future__ import annotations

import re
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from .errors import MetadataError

FEEDPARSER_TAG = "tag:yaml.org,2002:python/object/new:feedparser.util.FeedParserDict"
FEEDPARSER_EMPTY_TAG = "tag:yaml.org,2002:python/object:feedparser.util.FeedParserDict"
STRUCT_TIME_TAG = "tag:yaml.org,2002:python/object/apply:time.struct_time"
TUPLE_TAG = "tag:yaml.org,2002:python/tuple"


def _feedparser_dict_class():
    try:
        from feedparser.util import FeedParserDict
    except ImportError:  # pragma: no cover - feedparser is a dependency
        return dict
    return FeedParserDict


def _mapping_class(loader: yaml.SafeLoader):
    """FeedParserDict, or dict for a loader told to build plain dicts (see :func:`load_yaml`)."""
    return _feedparser_dict_class() if getattr(loader, "feedparser_dicts", True) else dict


def _construct_feedparser_dict(loader: yaml.SafeLoader, node: yaml.Node):
    cls = _mapping_class(loader)
    result = cls()
    yield result
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(None, None, "expected a mapping for FeedParserDict", node.start_mark)
    state = loader.construct_mapping(node, deep=True)
    items = state.get("dictitems", {})
    if not isinstance(items, dict):
        raise yaml.constructor.ConstructorError(None, None, "FeedParserDict dictitems must be a mapping", node.start_mark)
    result.update(items)


def _construct_empty_feedparser_dict(loader: yaml.SafeLoader, node: yaml.Node):
    """``yaml.dump`` writes an *empty* FeedParserDict as ``!!python/object:...FeedParserDict {}``."""
    if not isinstance(node, yaml.MappingNode) or node.value:
        raise yaml.constructor.ConstructorError(None, None, "expected an empty mapping for FeedParserDict", node.start_mark)
    return _mapping_class(loader)()


def _construct_struct_time(loader: yaml.SafeLoader, node: yaml.Node):
    if not isinstance(node, yaml.SequenceNode):
        raise yaml.constructor.ConstructorError(None, None, "expected a sequence for struct_time", node.start_mark)
    return _struct_time(loader.construct_sequence(node, deep=True), node)


def _struct_time(args: list, node: yaml.Node) -> time.struct_time:
    """The struct_time of a ``!!python/object/apply:time.struct_time`` node's built arguments (the first: 9 ints)."""
    values = args[0] if args else ()
    if not isinstance(values, (list, tuple)) or len(values) != 9 or not all(isinstance(v, int) for v in values):
        raise yaml.constructor.ConstructorError(None, None, "struct_time needs nine integers", node.start_mark)
    return time.struct_time(tuple(values))


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node):
    return tuple(loader.construct_sequence(node, deep=True))


class MetadataLoader(yaml.SafeLoader):
    """SafeLoader plus the three tags the site's metadata dumps use."""


_SITE_CONSTRUCTORS = (
    (FEEDPARSER_TAG, _construct_feedparser_dict),
    (FEEDPARSER_EMPTY_TAG, _construct_empty_feedparser_dict),
    (STRUCT_TIME_TAG, _construct_struct_time),
    (TUPLE_TAG, _construct_tuple),
)
for _tag, _constructor in _SITE_CONSTRUCTORS:
    MetadataLoader.add_constructor(_tag, _constructor)

if getattr(yaml, "__with_libyaml__", False):

    class _CMetadataLoader(yaml.CSafeLoader):
        """libyaml's parser and composer (about 10x faster), with the same SafeConstructor, resolver and tags."""

        def __init__(self, stream):
            super().__init__(stream)
            resolvers = self.yaml_implicit_resolvers
            wildcard = resolvers.get(None, [])
            self._implicit = {key: (*found, *wildcard) for key, found in resolvers.items() if key is not None}
            self._wildcard = tuple(wildcard)
            # The class's resolvers, as they are now (a subclass has its own; one added later lengthens a list).
            resolving = (id(resolvers), *map(len, resolvers.values()))
            known = _PLAIN_TAGS.get(resolving)
            if known is None or known[0] is not resolvers:
                if len(_PLAIN_TAGS) >= 8:
                    _PLAIN_TAGS.clear()
                known = _PLAIN_TAGS[resolving] = (resolvers, {})  # (holding the resolvers keeps their id theirs)
            self._plain_tags = known[1]

        def resolve(self, kind, value, implicit):
            """``BaseResolver.resolve`` with each first character's candidate list joined once per loader: libyaml
            asks for every node of a document, and PyYAML joins two lists for every plain scalar (half the time
            of composing a saved prompt's metadata); and a short plain scalar's tag remembered (:data:`_PLAIN_TAGS`).
            Path resolvers, which SafeLoader has none of, take PyYAML's own path."""
            if self.yaml_path_resolvers:
                return super().resolve(kind, value, implicit)
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    tags = self._plain_tags
                    tag = tags.get(value)
                    if tag is not None:
                        return tag
                    tag = self.DEFAULT_SCALAR_TAG
                    for candidate, regexp in self._implicit.get(value[:1], self._wildcard):
                        if regexp.match(value):
                            tag = candidate
                            break
                    if len(value) <= _PLAIN_TAG_LENGTH:
                        if len(tags) >= _PLAIN_TAG_COUNT:
                            tags.clear()
                        tags[value] = tag
                    return tag
                return self.DEFAULT_SCALAR_TAG
            if kind is yaml.SequenceNode:
                return self.DEFAULT_SEQUENCE_TAG
            if kind is yaml.MappingNode:
                return self.DEFAULT_MAPPING_TAG
            return None

    for _tag, _constructor in _SITE_CONSTRUCTORS:
        _CMetadataLoader.add_constructor(_tag, _constructor)

    _PLAIN_TAGS: dict[tuple, tuple[dict, dict[str, str]]] = {}
    """For each set of implicit resolvers, the tag each short plain scalar resolved to: a site's YAML repeats its keys
    and small values (``name``, ``tm_zone``, ``null``, ``true``) in every document, and matching each against the
    resolvers' patterns was a sixth of composing it. At most ``_PLAIN_TAG_COUNT`` values of at most
    ``_PLAIN_TAG_LENGTH`` characters are kept per set."""
    _PLAIN_TAG_LENGTH = 64
    _PLAIN_TAG_COUNT = 4096
else:  # pragma: no cover - PyYAML built without libyaml: the pure-Python loader does everything
    _CMetadataLoader = None


class _LimitedLoader(MetadataLoader):
    """Refuses alias expansion beyond a budget (the "billion laughs" YAML bomb).

    Loading a bomb is cheap (aliases are shared references), but anything that walks or prints the result
    (``str(title)``, the prompt's YAML dump) expands it: nine lists of nine aliases nested nine deep are
    387 million items. So the composed document is measured as if every alias were expanded (linear time, each
    node measured once) and refused above ``max_expanded_nodes``; a recursive alias is refused too.
    """

    max_aliases = 1000
    max_expanded_nodes = 200_000

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._alias_count = getattr(self, "_alias_count", 0) + 1
            if self._alias_count > self.max_aliases:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"more than {self.max_aliases} aliases (a YAML bomb?)", event.start_mark
                )
        return super().compose_node(parent, index)

    def compose_document(self):  # type: ignore[override]
        node = super().compose_document()
        if getattr(self, "_alias_count", 0):
            _check_expansion(node, self.max_expanded_nodes)
        return node


def _check_expansion(root: yaml.Node, limit: int) -> None:
    """Raise ComposerError when ``root`` expands (aliases resolved) to more than ``limit`` nodes or is recursive."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # iterative post-order walk: deep nesting cannot hit the recursion limit
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not children_done:
            if key in active:
                raise yaml.composer.ComposerError(
                    None, None, "a recursive alias (a node that contains itself)", node.start_mark
                )
            active.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        active.discard(key)
        total = 1 + sum(sizes.get(id(child), 0) for child in children)
        if total > limit:
            raise yaml.composer.ComposerError(
                None, None, f"aliases expand to more than {limit:,} values (a YAML bomb?)", node.start_mark
            )
        sizes[key] = total


_SLOW = object()
"""What :func:`_fast_load` returns when the pure-Python loader must decide."""


def _fast_load(text: str, feedparser_dicts: bool = True) -> Any:
    """The document through libyaml, or ``_SLOW`` when the pure-Python loader must take over.

    libyaml is used only where it provably gives the same result: text the pure-Python reader accepts (the same
    printable-character check), a document without aliases (so no bomb budget applies), and no error of any kind
    (errors, a value a tag's constructor refuses included, are re-raised by the pure-Python loader, so messages
    and line numbers stay exactly as before).
    """
    if _CMetadataLoader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return _SLOW
    loader = _CMetadataLoader(text)
    loader.feedparser_dicts = feedparser_dicts
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "&" in text and "*" in text and _has_shared_nodes(node):
            return _SLOW
        return _construct_tree(loader, node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, KeyError):  # (a refused !!int x, !!bool y)
        return _SLOW
    finally:
        loader.dispose()


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_OWN_SEQ_TAGS = (_SEQ_TAG, TUPLE_TAG, STRUCT_TIME_TAG)
"""Sequences :func:`_construct_tree` builds itself: plain lists, ``!!python/tuple`` and struct_time (whose first
argument, a tuple of nine ints, is checked as :func:`_construct_struct_time` checks it)."""
_REWRITTEN_KEY_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
"""Keys SafeConstructor.flatten_mapping rewrites (``<<`` merges, ``=`` values): such mappings take its path."""


class _OwnPath(Exception):
    """A node :func:`_construct_tree` leaves to the loader's own construct_document."""


def _construct_tree(loader: yaml.SafeLoader, root: yaml.Node) -> Any:
    """What ``loader.construct_document(root)`` returns for an alias-free document, built in one pass.

    Strings, plain mappings and sequences and the site's FeedParserDict (nearly every node of a saved prompt's
    YAML), and its decimal ints, nulls, bools, tuples and struct_times, are built here without SafeConstructor's
    per-node dispatch and generators, which cost as much as libyaml's parsing; every other node (dates, floats, a
    ``0x`` or ``0o`` int...) is built by the loader itself, and a
    mapping with merge or value keys, an unhashable key or a malformed FeedParserDict sends the whole document
    back to construct_document (which raises what it raises). Iterative, so any depth is fine.
    """
    scalar = yaml.ScalarNode
    bools = loader.bool_values
    if root.tag == _STR_TAG and type(root) is scalar:
        return root.value
    built: dict[int, Any] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    try:
        while stack:
            node, children_built = stack.pop()
            tag = node.tag
            if isinstance(node, scalar):  # (strings never come here)
                value = node.value
                if tag == _INT_TAG and value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
                    built[id(node)] = int(value)  # what construct_yaml_int makes of plain decimal digits
                elif tag == _NULL_TAG:
                    built[id(node)] = None
                elif tag == _BOOL_TAG and value.lower() in bools:
                    built[id(node)] = bools[value.lower()]
                else:
                    built[id(node)] = loader.construct_object(node, deep=True)
                continue
            ours = (tag in _OWN_SEQ_TAGS and isinstance(node, yaml.SequenceNode)) or (
                tag in (_MAP_TAG, FEEDPARSER_TAG) and isinstance(node, yaml.MappingNode))
            if not ours:
                built[id(node)] = loader.construct_object(node, deep=True)
                continue
            if not children_built:
                # A string is taken from its node when the parent is built; every other child is built first, in
                # the order the nodes come in the document (so the first bad value is the one reported).
                stack.append((node, True))
                if isinstance(node, yaml.SequenceNode):
                    stack.extend((child, False) for child in reversed(node.value)
                                 if child.tag != _STR_TAG or type(child) is not scalar)
                else:
                    for key, value in reversed(node.value):
                        if key.tag in _REWRITTEN_KEY_TAGS:
                            raise _OwnPath
                        if value.tag != _STR_TAG or type(value) is not scalar:
                            stack.append((value, False))
                        if key.tag != _STR_TAG or type(key) is not scalar:
                            stack.append((key, False))
                continue
            if isinstance(node, yaml.SequenceNode):
                items = [child.value if child.tag == _STR_TAG and type(child) is scalar else built[id(child)]
                         for child in node.value]
                built[id(node)] = (items if tag == _SEQ_TAG else tuple(items) if tag == TUPLE_TAG
                                   else _struct_time(items, node))
                continue
            mapping: dict = {}
            for key_node, value_node in node.value:
                key = key_node.value if key_node.tag == _STR_TAG and type(key_node) is scalar else built[id(key_node)]
                if type(key) is not str and not isinstance(key, Hashable):  # (the ABC check is slow; keys are strs)
                    raise _OwnPath
                mapping[key] = (value_node.value if value_node.tag == _STR_TAG and type(value_node) is scalar
                                else built[id(value_node)])
            if tag == FEEDPARSER_TAG:
                items = mapping.get("dictitems", {})
                if not isinstance(items, dict):
                    raise _OwnPath
                mapping = _mapping_class(loader)()
                mapping.update(items)
            built[id(node)] = mapping
    except _OwnPath:
        return loader.construct_document(root)
    return built[id(root)]


def _has_shared_nodes(root: yaml.Node) -> bool:
    """True when a node is reachable twice (an alias), which the pure-Python loader's bomb budget must judge."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
    return False


def load_yaml(text: str, source: str | Path = "<yaml>", *, error=MetadataError, feedparser_dicts: bool = True) -> Any:
    """Parse YAML text safely; errors name ``source`` and the line, as ``error`` (a PosttuiError subclass).

    ``feedparser_dicts=False`` builds the site's FeedParserDict objects as plain dicts with the same items, for a
    reader that only looks up keys they hold (the checker): importing feedparser costs more than a site's loads.
    """
    try:
        data = _fast_load(text, feedparser_dicts)
        if data is not _SLOW:
            return data
        loader = _LimitedLoader(text)  # what yaml.load does, with the loader told which dicts to build
        loader.feedparser_dicts = feedparser_dicts
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.constructor.ConstructorError as exc:
        problem = exc.problem or str(exc)
        where = f" (line {exc.problem_mark.line + 1})" if exc.problem_mark else ""
        raise error(
            f"unsupported YAML content{where}: {problem}",
            path=source,
            hint="only plain YAML and the site's feedparser/struct_time tags are accepted",
        ) from None
    except yaml.composer.ComposerError as exc:
        if not _BOMB_PROBLEMS.search(exc.problem or ""):
            raise _malformed(exc, source, error) from None
        where = f" (line {exc.problem_mark.line + 1})" if exc.problem_mark else ""
        raise error(
            f"refused YAML{where}: {exc.problem}",
            path=source,
            hint="write the values out instead of repeating them through aliases (&anchor / *alias)",
        ) from None
    except yaml.YAMLError as exc:
        raise _malformed(exc, source, error) from None
    except (ValueError, TypeError, OverflowError, KeyError) as exc:  # a tagged value its constructor refuses
        problem = f"{exc} is not a boolean" if isinstance(exc, KeyError) else exc  # (!!bool y; !!int x)
        raise error(
            f"a YAML value cannot be read: {problem}",
            path=source,
            hint="fix or remove the value (a tag such as !!int, !!float, !!bool or !!timestamp must fit what follows "
                 "it)",
        ) from None


_BOMB_PROBLEMS = re.compile(r"YAML bomb|recursive alias")


def _malformed(exc: yaml.YAMLError, source, error):
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return error(f"malformed YAML{where}: {problem}", path=source, hint="fix the YAML syntax")


def read_yaml(path: str | Path, *, error=MetadataError) -> Any:
    """Read and safely parse a YAML file (UTF-8)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", path=path) from None
    return load_yaml(text, path, error=error)


# ----- writing ------------------------------------------------------------------------------------------------
class SiteDumper(yaml.SafeDumper):
    """A SafeDumper that writes FeedParserDict, struct_time and tuples exactly as ``yaml.dump`` does.

    The site's prompt embeds ``yaml.dump(entry, sort_keys=False)`` of a feedparser entry. The full ``yaml.Dumper``
    would serialise *any* Python object; this dumper knows exactly the types a feedparser entry and a group file
    contain and refuses everything else, while producing byte-identical text for those types.
    """


def _represent_feedparser_dict(dumper: yaml.SafeDumper, data):
    # Mirrors yaml.Representer.represent_object: an empty dict becomes ``!!python/object:...`` with its state;
    # otherwise 'state' (only for a non-empty instance __dict__) and then 'dictitems'.
    value: dict = {}
    state = dict(getattr(data, "__dict__", {}) or {})
    if not data:
        return dumper.represent_mapping(FEEDPARSER_EMPTY_TAG, state)
    if state:
        value["state"] = state
    value["dictitems"] = dict(data)
    return dumper.represent_mapping(FEEDPARSER_TAG, value)


def _represent_struct_time(dumper: yaml.SafeDumper, data: time.struct_time):
    fields = {"tm_zone": getattr(data, "tm_zone", None), "tm_gmtoff": getattr(data, "tm_gmtoff", None)}
    return dumper.represent_sequence(STRUCT_TIME_TAG, [tuple(data), fields])


def _represent_tuple(dumper: yaml.SafeDumper, data: tuple):
    return dumper.represent_sequence(TUPLE_TAG, data)


def _represent_dict_subclass(dumper: yaml.SafeDumper, data):
    """FeedParserDict, recognised by name so that importing this module does not import feedparser (it costs more
    than the rest of a headless command's start-up); any other dict subclass is refused, as SafeDumper does."""
    cls = type(data)
    if cls.__module__ == "feedparser.util" and cls.__qualname__ == "FeedParserDict":
        return _represent_feedparser_dict(dumper, data)
    return dumper.represent_undefined(data)


SiteDumper.add_multi_representer(dict, _represent_dict_subclass)
SiteDumper.add_representer(time.struct_time, _represent_struct_time)
SiteDumper.add_representer(tuple, _represent_tuple)


def dump_yaml(data: Any) -> str:
    """``yaml.dump(data, sort_keys=False)`` text, produced without the unsafe full dumper."""
    return yaml.dump(data, Dumper=SiteDumper, sort_keys=False)


_NEEDS_QUOTING_RE = re.compile("[\\\\\"\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def double_quoted_body(text: str) -> str:
    """``text`` as it goes between the quotes of a YAML double-quoted scalar (``title:  "..."``).

    Each line that holds a ``"``, a backslash or a control character is written by the YAML emitter (which
    escapes them); other lines are kept as they are, so titles that never needed escaping keep their bytes (the
    site's saved prompts re-render identically) and arXiv's line wrapping stays: YAML folds a line break and
    the next line's indent into one space."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _NEEDS_QUOTING_RE.search(line):
            emitted = yaml.dump(line, Dumper=yaml.SafeDumper, default_style='"', width=2**31 - 1,
                                allow_unicode=True)
            lines[i] = emitted.rstrip("\n")[1:-1]
    return "\n".join(lines)
