"""yamlio: the libyaml fast path gives exactly what the pure-Python loader gives, and hands over what it must."""

from __future__ import annotations

import pytest
import yaml

from posttui import yamlio
from posttui.errors import MetadataError
from posttui.prompt import unwrap_saved
from posttui.sources.saved_prompt import split_saved_prompt

needs_libyaml = pytest.mark.skipif(yamlio._CMetadataLoader is None, reason="PyYAML built without libyaml")


def pure_python(text: str):
    return yaml.load(text, Loader=yamlio._LimitedLoader)  # noqa: S506 - the safe loader under test


def same(a, b) -> bool:
    """Equal values of the same types, mappings in the same order (what a re-dump depends on)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


SITE_DUMP = """\
!!python/object/new:feedparser.util.FeedParserDict
dictitems:
  id: http://arxiv.org/abs/2101.00001v2
  title: A title with A&A and *stars*
  published_parsed: !!python/object/apply:time.struct_time
  - !!python/tuple
    - 2021
    - 1
    - 1
    - 0
    - 0
    - 0
    - 4
    - 1
    - 0
  - tm_gmtoff: null
    tm_zone: null
  authors:
  - !!python/object/new:feedparser.util.FeedParserDict
    dictitems:
      name: Ada Lovelace
  tags: []
  empty: !!python/object:feedparser.util.FeedParserDict {}
  when: 2021-01-01
  number: 0x1F
  flag: yes
"""


@needs_libyaml
@pytest.mark.parametrize("text", [SITE_DUMP, "a: 1\n", "", "# only a comment\n", "- [1, 2]\n- {a: b}\n",
                                  "anchored: &a [1, 2]\n", "text: 'it''s'\nblock: |\n  two\n  lines\n"])
def test_fast_path_gives_the_pure_python_result(text):
    fast = yamlio._fast_load(text)
    assert fast is not yamlio._SLOW
    assert same(fast, pure_python(text))
    assert same(yamlio.load_yaml(text), pure_python(text))


@needs_libyaml
def test_aliases_and_unprintable_text_go_to_the_pure_python_loader():
    assert yamlio._fast_load("a: &x [1, 2]\nb: *x\n") is yamlio._SLOW
    assert yamlio._fast_load("a: \x07\n") is yamlio._SLOW
    assert yamlio._fast_load("a: [unclosed\n") is yamlio._SLOW
    assert yamlio.load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_errors_read_as_the_pure_python_loader_words_them():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    with pytest.raises(MetadataError, match="YAML bomb"):
        yamlio.load_yaml(bomb, "m.yaml")
    with pytest.raises(MetadataError) as caught:
        yamlio.load_yaml("a: [unclosed\nb: 2\n", "m.yaml")
    with pytest.raises(yaml.YAMLError) as reference:
        pure_python("a: [unclosed\nb: 2\n")
    assert reference.value.problem in str(caught.value)
    with pytest.raises(MetadataError, match="unsupported YAML content"):
        yamlio.load_yaml("x: !!python/object/apply:os.system [ls]\n", "m.yaml")


@needs_libyaml
def test_every_corpus_yaml_block_loads_identically(corpus_site):
    texts = []
    for path in sorted((corpus_site / "prompts" / "content").glob("*.txt")):
        prompt, _ = unwrap_saved(path.read_text(encoding="utf-8"))
        blocks, _ = split_saved_prompt(prompt, path)
        texts += [blocks["metadata"], blocks["authors"]]
    assert len(texts) >= 64
    for text in texts:
        assert same(yamlio.load_yaml(text), pure_python(text))


# Every form the YAML 1.1 implicit resolvers know, near misses of each, and the characters each list starts with.
RESOLVER_VALUES = [
    "", "~", "null", "Null", "NULL", "nul", "NULLS", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "true", "True",
    "TRUE", "tRUE", "false", "on", "On", "ON", "off", "Off", "OFF", "oof", "y", "n", "0", "-0", "+12", "012", "0o12",
    "0b1_0", "0x1F", "0X1f", "1_000", "190:20:30", "1:60", "1.5", "-.5", "1e5", "1.0e+5", "6.8523015e+5",
    "685.230_15e+03", "190:20:30.15", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "NaN", "<<", "<", "=", "==",
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2002-1-2", "2001-13-14",
    "!", "&", "*", "a", "text/plain", "http://arxiv.org/abs/2101.00001v2", "Ada Lovelace", "10.1093/mnras/x",
    "2101.00001", "v2", "  padded ", "ünïcode", "\u0130", "-", "+", ".", "_", "0.", "1_", "0b", "0x",
]


@needs_libyaml
@pytest.mark.parametrize("implicit", [(True, False), (False, True), (True, True), (False, False)])
def test_the_fast_resolver_answers_as_pyyaml_does(implicit):
    """``_CMetadataLoader.resolve`` joins the candidate lists once: every node kind, every value the resolvers know
    or nearly know, and every character any resolver list starts with, must get PyYAML's own tag."""
    loader = yamlio._CMetadataLoader("")
    try:
        starts = [key for key in loader.yaml_implicit_resolvers if key]
        values = RESOLVER_VALUES + [c + tail for c in starts for tail in ("", "1", "x", ".5", "0:1", "es", "ull")]
        for value in values * 2:  # the second time from what the loader class remembers of short plain scalars
            expected = yaml.resolver.BaseResolver.resolve(loader, yaml.ScalarNode, value, implicit)
            assert loader.resolve(yaml.ScalarNode, value, implicit) == expected, value
        for kind in (yaml.SequenceNode, yaml.MappingNode):
            for flag in (True, False):
                assert loader.resolve(kind, None, flag) == yaml.resolver.BaseResolver.resolve(loader, kind, None, flag)
    finally:
        loader.dispose()


@needs_libyaml
def test_the_fast_resolver_follows_resolvers_added_later(monkeypatch):
    """A loader class given another implicit resolver (as a plugin might) resolves with it."""
    import re

    class Extended(yamlio._CMetadataLoader):
        pass

    Extended.add_implicit_resolver("tag:example.org,2024:id", re.compile(r"^ID-\d+$"), list("I"))
    loader = Extended("")
    try:
        assert loader.resolve(yaml.ScalarNode, "ID-12", (True, False)) == "tag:example.org,2024:id"
        assert loader.resolve(yaml.ScalarNode, "IDEA", (True, False)) == "tag:yaml.org,2002:str"
        assert loader.resolve(yaml.ScalarNode, "NO-1", (True, False)) == "tag:yaml.org,2002:str"  # remembered...
    finally:
        loader.dispose()
    Extended.add_implicit_resolver("tag:example.org,2024:no", re.compile(r"^NO-\d+$"), list("N"))
    loader = Extended("")
    try:  # ...and forgotten once the class has another resolver
        assert loader.resolve(yaml.ScalarNode, "NO-1", (True, False)) == "tag:example.org,2024:no"
        assert loader.resolve(yaml.ScalarNode, "NULL", (True, False)) == "tag:yaml.org,2002:null"
    finally:
        loader.dispose()


@pytest.mark.parametrize("text", ["a: !!int x\n", "- [plain, !!float z]\n- !!int w\n", "d: !!timestamp 2021-13-45\n"])
def test_a_value_its_tag_refuses_is_named_not_a_crash(text):
    """A value its tag's constructor refuses was a bare ValueError (a traceback); it is a clear error naming the
    file, in the pure-Python loader's words whichever path parsed it."""
    with pytest.raises(ValueError) as plain:
        pure_python(text)
    with pytest.raises(MetadataError) as caught:
        yamlio.load_yaml(text, "m.yaml")
    assert "m.yaml" in str(caught.value) and str(plain.value) in str(caught.value)
    if yamlio._CMetadataLoader is not None:
        assert yamlio._fast_load(text) is yamlio._SLOW


@pytest.mark.parametrize("text", ["a: !!bool y\n", "- [true, {b: !!bool 'maybe'}]\n"])
def test_a_value_that_is_no_boolean_is_named_not_a_crash(text):
    """``!!bool`` on a word that is no boolean was a bare KeyError (a traceback); it is a clear error naming the file
    and the word, whichever path parsed it."""
    with pytest.raises(KeyError):
        pure_python(text)
    with pytest.raises(MetadataError, match=r"m\.yaml.*a YAML value cannot be read: '(y|maybe)' is not a boolean"):
        yamlio.load_yaml(text, "m.yaml")
    if yamlio._CMetadataLoader is not None:
        assert yamlio._fast_load(text) is yamlio._SLOW
