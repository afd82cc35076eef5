"""``posttui prompt``, ``posttui unpack`` and ``posttui info`` through the command line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttui.cli import main
from posttui.prompt import build_prompt, wrap_saved
from posttui.sources.saved_prompt import PARTS_FILE

from test_saved_prompt import FIXTURE, make_paper


@pytest.fixture
def saved_prompt(tmp_path) -> Path:
    path = tmp_path / "2024-03-02-2403.01234.txt"
    path.write_bytes(wrap_saved(build_prompt(make_paper(), model="toy-model-2", image_model="toy-imagen-1")).encode())
    return path


def test_unpack_then_prompt_saved_gives_the_original_bytes(saved_prompt, tmp_path, capsys):
    bundle = tmp_path / "bundle"
    assert main(["unpack", str(saved_prompt), str(bundle)]) == 0
    listed = capsys.readouterr().out.split()
    assert str(bundle / PARTS_FILE) in listed and str(bundle / "metadata.yaml") in listed
    out = tmp_path / "again.txt"
    assert main(["prompt", str(bundle), "--saved", "--out", str(out)]) == 0
    assert out.read_bytes() == saved_prompt.read_bytes()


def test_prompt_saved_to_stdout_is_exact(saved_prompt, capsysbinary):
    assert main(["prompt", str(saved_prompt), "--saved"]) == 0
    assert capsysbinary.readouterr().out == saved_prompt.read_bytes()


def test_bundle_without_saved_uses_config_and_flags(saved_prompt, tmp_path, monkeypatch):
    bundle = tmp_path / "bundle"
    main(["unpack", str(saved_prompt), str(bundle)])
    monkeypatch.setenv("POSTTUI_MODEL", "configured-model")
    out = tmp_path / "site.txt"
    assert main(["prompt", str(bundle), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "[configured-model](" in text and "[toy-model-2](" not in text
    assert not text.startswith("{% raw %}")
    assert main(["prompt", str(bundle), "--saved", "--model", "flag-model", "--out", str(out), "--force"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("{% raw %}\n") and "[flag-model](" in text and "[toy-imagen-1](" in text


def test_prompt_lean_on_a_bundle(saved_prompt, tmp_path):
    bundle = tmp_path / "bundle"
    main(["unpack", str(saved_prompt), str(bundle)])
    site, lean = tmp_path / "site.txt", tmp_path / "lean.txt"
    assert main(["prompt", str(bundle), "--out", str(site)]) == 0
    assert main(["prompt", str(bundle), "--lean", "--out", str(lean)]) == 0
    assert lean.stat().st_size < site.stat().st_size
    assert "lee2018 | Lee 2018 | arXiv:1801.01234" in lean.read_text(encoding="utf-8")


def test_lean_and_saved_are_exclusive(saved_prompt, capsys):
    with pytest.raises(SystemExit) as info:
        main(["prompt", str(saved_prompt), "--lean", "--saved"])
    assert info.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_unpack_errors_are_clear(saved_prompt, tmp_path, capsys):
    assert main(["unpack", str(FIXTURE / "main.tex"), str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "does not look like a saved prompt" in err and "main.tex" in err and "Traceback" not in err
    bundle = tmp_path / "bundle"
    assert main(["unpack", str(saved_prompt), str(bundle)]) == 0
    capsys.readouterr()
    assert main(["unpack", str(saved_prompt), str(bundle)]) == 2
    assert "would overwrite" in capsys.readouterr().err
    assert main(["unpack", str(saved_prompt), str(bundle), "--force"]) == 0
    assert main(["unpack", str(tmp_path / "missing.txt"), str(bundle)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_malformed_saved_prompt_exits_2_with_the_block_named(saved_prompt, capsys):
    text = saved_prompt.read_text(encoding="utf-8").replace("3. **Paper Source (TeX):**\n", "")
    saved_prompt.write_text(text, encoding="utf-8")
    assert main(["prompt", str(saved_prompt)]) == 2
    err = capsys.readouterr().err
    assert "'3. Paper Source (TeX)' block" in err and str(saved_prompt) in err and "Traceback" not in err


def test_info_summarises_a_saved_prompt(saved_prompt, capsys):
    assert main(["info", str(saved_prompt)]) == 0
    out = capsys.readouterr().out
    for text in ("Toy Nested Sampling", "2403.01234", "2024-03-02-2403.01234", "Ada Lovelace", "6 references",
                 "site prompt", "lean prompt", "lean saves"):
        assert text in out


def test_info_without_prompt(saved_prompt, capsys):
    assert main(["info", str(saved_prompt), "--no-prompt"]) == 0
    out = capsys.readouterr().out
    assert "Toy Nested Sampling" in out and "site prompt" not in out


def test_seed_round_trips_through_the_cli(seed_prompt, tmp_path):
    bundle = tmp_path / "seed"
    assert main(["unpack", str(seed_prompt), str(bundle)]) == 0
    out = tmp_path / "seed.txt"
    assert main(["prompt", str(bundle), "--saved", "--out", str(out)]) == 0
    assert out.read_bytes() == seed_prompt.read_bytes()


def test_non_canonical_metadata_block_is_warned_about(saved_prompt, capsys):
    text = saved_prompt.read_text(encoding="utf-8")
    assert "dictitems:\n  id: http" in text
    saved_prompt.write_text(text.replace("dictitems:\n  id: http", "dictitems:\n  id:   http", 1), encoding="utf-8")
    assert main(["prompt", str(saved_prompt), "--saved"]) == 0
    captured = capsys.readouterr()
    assert "warning: the Paper Metadata block is not in yaml.dump form" in captured.err


def _lean_both_ways(bundle: Path) -> tuple[str, str]:
    """The lean prompt of ``bundle`` with its metadata read as FeedParserDicts and as plain dicts."""
    from posttui.sources import load

    tagged = build_prompt(load(bundle), "lean", model="m", image_model="i")
    plain_paper = load(bundle, feedparser_dicts=False)
    assert type(plain_paper.metadata) is dict
    return tagged, build_prompt(plain_paper, "lean", model="m", image_model="i")


def test_lean_prompt_is_the_same_from_plain_dict_metadata(saved_prompt, tmp_path):
    """``prompt --lean`` reads the metadata as plain dicts (it never dumps them): the same prompt."""
    bundle = tmp_path / "bundle"
    assert main(["unpack", str(saved_prompt), str(bundle)]) == 0
    tagged, plain = _lean_both_ways(bundle)
    assert tagged == plain
    example = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"
    tagged, plain = _lean_both_ways(example)
    assert tagged == plain


@pytest.mark.corpus
def test_lean_prompt_is_the_same_from_plain_dict_metadata_on_the_corpus(corpus_site, tmp_path):
    from posttui.sources.saved_prompt import unpack_saved_prompt

    prompts = sorted((corpus_site / "prompts/content").glob("*.txt"))
    for prompt in prompts:
        bundle = tmp_path / prompt.stem
        unpack_saved_prompt(prompt, bundle)
        tagged, plain = _lean_both_ways(bundle)
        assert tagged == plain, prompt.name
    assert len(prompts) >= 50
