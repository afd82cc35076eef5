"""Saved prompts: parsing with and without the raw wrapper, byte-exact round trips, and malformed files."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from posttui.errors import SavedPromptError
from posttui.paper import Paper, TexFile
from posttui.sources import load
from posttui.prompt import PromptParts, build_prompt, saved_prompt_text, wrap_saved
from posttui.sources.saved_prompt import (
    PARTS_FILE,
    bundle_files,
    is_saved_prompt,
    load_saved_prompt,
    parse_saved_prompt,
    read_parts_file,
    unpack_saved_prompt,
)
from posttui.yamlio import read_yaml

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "prompt_paper"


def make_paper(**changes) -> Paper:
    """The made-up fixture paper, built directly (no loader involved)."""
    entry = feedparser.parse((FIXTURE / "paper.atom").read_bytes()).entries[0]
    values = dict(
        arxiv_id="2403.01234",
        metadata=entry,
        tex_files=[TexFile("main.tex", (FIXTURE / "main.tex").read_text(encoding="utf-8"))],
        bbl=(FIXTURE / "refs.bbl").read_text(encoding="utf-8"),
        homepage=(FIXTURE / "index.md").read_text(encoding="utf-8").rstrip("\n"),
        author_info=read_yaml(FIXTURE / "authors.yaml"),
        origin=str(FIXTURE),
    )
    values.update(changes)
    return Paper(**values)


@pytest.fixture
def saved_text() -> str:
    return wrap_saved(build_prompt(make_paper(), model="toy-model-2", image_model="toy-imagen-1"))


def write(tmp_path: Path, text: str, name: str = "prompt.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_wrapped_prompt_parses_into_blocks_and_parts(tmp_path, saved_text):
    path = write(tmp_path, saved_text)
    assert is_saved_prompt(path)
    paper = load_saved_prompt(path)
    original = make_paper()
    assert paper.site_tex == original.site_tex
    assert paper.bbl == original.bbl
    assert paper.homepage == original.homepage
    assert paper.author_info == original.author_info
    assert dict(paper.metadata) == dict(original.metadata)
    assert paper.metadata["authors"][2]["name"] == "Cléo Noether"
    assert paper.arxiv_id == "2403.01234" and paper.version == "v2"
    parts = paper.parts
    assert isinstance(parts, PromptParts)
    assert parts.model == "toy-model-2" and parts.image_model == "toy-imagen-1"
    assert parts.title == "Toy Nested Sampling for Imaginary Galaxies: a Made-up Study of Evidence\n  and Priors"
    assert parts.date == "2024-03-02" and parts.post_name == "2024-03-02-2403.01234"
    assert parts.lead_author == "{'name': 'Ada Q. Lovelace'}"
    assert parts.footer_images.count("<img ") == 2 and "height: 25vw" in parts.footer_images
    assert parts.wrapped is True
    assert paper.warnings == []


def test_round_trip_is_byte_identical_with_and_without_wrapper(tmp_path, saved_text):
    wrapped = write(tmp_path, saved_text, "wrapped.txt")
    assert saved_prompt_text(load(wrapped)).encode("utf-8") == wrapped.read_bytes()
    bare_text = saved_text[len("{% raw %}\n") : -len("\n{% endraw %}")]
    bare = write(tmp_path, bare_text, "bare.txt")
    assert is_saved_prompt(bare)
    paper = load(bare)
    assert paper.parts.wrapped is False
    assert saved_prompt_text(paper) == bare_text
    assert build_prompt(paper) == bare_text


def test_parts_win_over_config_but_an_explicit_model_wins_over_parts(tmp_path, saved_text):
    paper = load_saved_prompt(write(tmp_path, saved_text))
    assert "[toy-model-2](" in build_prompt(paper)
    assert "[other-model](" in build_prompt(paper, model="other-model")
    assert "[toy-model-2](" not in build_prompt(paper, model="other-model")


def test_tex_with_crlf_and_template_lookalike_text_round_trips(tmp_path):
    tricky = (
        "\\documentclass{article}\r\n\\begin{document}\r\nText.\r\n"
        "\\begin{verbatim}\n```\n\n4. **Bibliographic Information:**\n```bbl\n\\end{verbatim}\n"
        "\\end{document}\n"
    )
    paper = make_paper(tex_files=[TexFile("main.tex", tricky)], bbl="")
    text = wrap_saved(build_prompt(paper, model="m", image_model="i"))
    loaded = load_saved_prompt(write(tmp_path, text))
    assert loaded.site_tex == tricky
    assert loaded.bbl == ""
    assert saved_prompt_text(loaded) == text


def test_pdf_only_paper_has_no_tex_files_after_parsing(tmp_path):
    paper = make_paper(tex_files=[], bbl="")
    text = wrap_saved(build_prompt(paper, model="m", image_model="i"))
    loaded = load_saved_prompt(write(tmp_path, text))
    assert loaded.tex_files == []
    assert saved_prompt_text(loaded) == text


def test_unpack_writes_an_ordinary_bundle_and_refuses_to_overwrite(tmp_path, saved_text):
    path = write(tmp_path, saved_text)
    out = tmp_path / "bundle"
    written = unpack_saved_prompt(path, out)
    names = sorted(p.name for p in written)
    assert names == sorted(
        ["2024-03-02-2403.01234.tex", "2024-03-02-2403.01234.bbl", "metadata.yaml", "authors.yaml", "index.md",
         PARTS_FILE]
    )
    assert (out / "2024-03-02-2403.01234.tex").read_bytes() == make_paper().site_tex.encode("utf-8")
    assert read_yaml(out / "authors.yaml") == make_paper().author_info
    parts = read_parts_file(out)
    assert parts == load_saved_prompt(path).parts
    with pytest.raises(SavedPromptError, match="would overwrite") as info:
        unpack_saved_prompt(path, out)
    assert str(out) in str(info.value) and "--force" in str(info.value)
    unpack_saved_prompt(path, out, force=True)


def test_bundle_files_omit_an_empty_bbl():
    files = bundle_files(make_paper(bbl=""))
    assert not any(name.endswith(".bbl") for name in files)


def test_plain_tex_file_is_not_a_saved_prompt(tmp_path):
    assert not is_saved_prompt(FIXTURE / "main.tex")
    assert not is_saved_prompt(tmp_path / "missing.txt")


# ----- malformed files --------------------------------------------------------------------------------------------
def _broken(saved_text: str, old: str, new: str = "") -> str:
    assert old in saved_text
    return saved_text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("2. **Paper Metadata:**\n", "", "'2. Paper Metadata' block"),
        ("3. **Paper Source (TeX):**\n", "", "'3. Paper Source (TeX)' block"),
        ("4. **Bibliographic Information:**\n", "", "'4. Bibliographic Information' block"),
        ("- Full Authors List:\n", "", "'5. Author Information' block"),
        ("Final Output Instructions\n", "", "'Final Output Instructions' block"),
        ("categories: papers\n", "", "no line 'categories: papers'"),
        ("1. **Homepage Content (Tone and Style Reference):**\n", "", "no line '1. **Homepage Content"),
    ],
)
def test_missing_blocks_are_named(tmp_path, saved_text, old, new, message):
    path = write(tmp_path, _broken(saved_text, old, new))
    with pytest.raises(SavedPromptError) as info:
        load_saved_prompt(path)
    text = str(info.value)
    assert message in text
    assert str(path) in text
    assert "hint:" in text


def test_inconsistent_featured_id_is_reported(tmp_path, saved_text):
    broken = saved_text.replace(
        "[2403.01234](https://arxiv.org/abs/2403.01234) is included",
        "[2403.01234](https://arxiv.org/abs/2403.09999) is included",
    )
    with pytest.raises(SavedPromptError, match="Output Format / instructions"):
        load_saved_prompt(write(tmp_path, broken))


def test_text_after_the_final_instructions_is_rejected(tmp_path, saved_text):
    inside = saved_text.replace("\n{% endraw %}", "\ntrailing junk\n{% endraw %}")
    with pytest.raises(SavedPromptError, match="unexpected text after the final instructions"):
        load_saved_prompt(write(tmp_path, inside))
    with pytest.raises(SavedPromptError, match="no closing|does not end with a closing"):
        load_saved_prompt(write(tmp_path, saved_text + "\ntrailing junk\n"))


def test_metadata_with_an_unknown_python_tag_is_refused(tmp_path, saved_text):
    broken = saved_text.replace(
        "!!python/object/new:feedparser.util.FeedParserDict\ndictitems:\n",
        "!!python/object/new:os.system\ndictitems:\n",
        1,
    )
    with pytest.raises(SavedPromptError) as info:
        load_saved_prompt(write(tmp_path, broken))
    assert "2. Paper Metadata" in str(info.value) and "unsupported YAML content" in str(info.value)


def test_authors_block_that_is_not_a_mapping_is_refused(tmp_path):
    text = wrap_saved(build_prompt(make_paper(author_info={}), model="m", image_model="i"))
    broken = text.replace("```yaml\n{}\n\n```", "```yaml\n- just\n- a list\n\n```")
    with pytest.raises(SavedPromptError, match="Full Authors List is not a YAML mapping"):
        load_saved_prompt(write(tmp_path, broken))


def test_empty_and_non_utf8_files(tmp_path):
    with pytest.raises(SavedPromptError, match="empty"):
        parse_saved_prompt("  \n", tmp_path / "empty.txt")
    bad = tmp_path / "latin.txt"
    bad.write_bytes(b"{% raw %}\nTitle: caf\xe9\n{% endraw %}")
    with pytest.raises(SavedPromptError, match="not UTF-8"):
        load_saved_prompt(bad)


def test_parts_file_problems_are_named(tmp_path):
    (tmp_path / PARTS_FILE).write_text("title: only a title\n", encoding="utf-8")
    with pytest.raises(SavedPromptError, match="missing .*model") as info:
        read_parts_file(tmp_path)
    assert PARTS_FILE in str(info.value)
    (tmp_path / "empty").mkdir()
    assert read_parts_file(tmp_path / "empty") is None


# ----- the real site data (skipped without ../shared) -------------------------------------------------------------
def test_seed_round_trips_through_unpack(seed_prompt, tmp_path):
    paper = load_saved_prompt(seed_prompt)
    assert saved_prompt_text(paper).encode("utf-8") == seed_prompt.read_bytes()
    unpack_saved_prompt(paper, tmp_path / "seed")
    again = load(tmp_path / "seed")
    again.parts = read_parts_file(tmp_path / "seed")
    assert saved_prompt_text(again).encode("utf-8") == seed_prompt.read_bytes()


def _split_outcome(text: str):
    from posttui.sources.saved_prompt import split_saved_prompt

    try:
        return split_saved_prompt(text, "p.txt")
    except SavedPromptError as exc:
        return str(exc)


def test_gap_quick_patterns_cut_prompts_as_the_exact_patterns_do(saved_text, monkeypatch):
    """The quick gap patterns (long literals written by their start and length) cut every prompt, and refuse every
    damaged one, exactly as the exact patterns do: the fixture, every corpus prompt, and thousands of copies with
    a character changed, dropped or doubled anywhere in the template's text (inside long literals beyond their
    first characters, too)."""
    import random

    from posttui.prompt import unwrap_saved
    from posttui.sources import saved_prompt as SP

    prompt, _ = unwrap_saved(saved_text)
    texts = [prompt]
    shared = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "site" / "prompts" / "content"
    texts += [unwrap_saved(p.read_text(encoding="utf-8"))[0] for p in sorted(shared.glob("*.txt"))]
    rng = random.Random(14)
    for _ in range(3000):
        at = rng.randrange(len(prompt))
        edit = rng.choice(["change", "drop", "double"])
        if edit == "change":
            texts.append(prompt[:at] + rng.choice("xX\n -{}") + prompt[at + 1:])
        elif edit == "drop":
            texts.append(prompt[:at] + prompt[at + 1:])
        else:
            texts.append(prompt[:at] + prompt[at] + prompt[at:])
    quick = [_split_outcome(t) for t in texts]
    monkeypatch.setattr(SP._GapPattern, "match", lambda self, text, pos: self.exact.match(text, pos))
    monkeypatch.setattr(SP._GapPattern, "fullmatch",
                        lambda self, text, pos, endpos: self.exact.fullmatch(text, pos, endpos))
    assert quick == [_split_outcome(t) for t in texts]
    assert sum(isinstance(q, str) for q in quick) > 500  # damaged copies were refused...
    assert sum(not isinstance(q, str) for q in quick) > 500  # ...and copies damaged only in the data blocks were cut


def test_a_gap_pattern_holds_every_long_literal_in_full():
    from posttui.sources.saved_prompt import _GapPattern

    long = "A" * 40 + "B" * 40
    gap = _GapPattern((long, "x", "; end"))
    text = long + "value; end"
    assert gap.match(text, 0).group("x") == "value"
    damaged = "A" * 40 + "B" * 39 + "C" + "value; end"  # the quick pattern's start and length fit, the text not
    assert gap.quick.match(damaged, 0) is not None and gap.match(damaged, 0) is None
