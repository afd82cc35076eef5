"""`.posttui.toml`: strict validation with messages that name the file and key."""

import pytest

from posttui.errors import ConfigError
from posttui.siteconfig import load_site_config, parse_site_config


def test_defaults_without_a_file(tmp_path):
    cfg = load_site_config(tmp_path)
    opts = cfg.options()
    assert (opts.min_references, opts.min_words, opts.max_words, opts.select, opts.ignore) == (3, 250, None, (), ())


def test_values_are_read_and_cli_selection_wins(tmp_path):
    (tmp_path / ".posttui.toml").write_text(
        '[check]\nselect = ["pt0"]\nignore = ["PT061"]\nmin_references = 5\nmin_words = 100\nmax_words = 900\n'
    )
    cfg = load_site_config(tmp_path)
    assert cfg.select == ("PT0",) and cfg.ignore == ("PT061",)
    opts = cfg.options(select=["PT020"], ignore=["PT021"])
    assert opts.select == ("PT020",) and opts.ignore == ("PT061", "PT021")
    assert (opts.min_references, opts.min_words, opts.max_words) == (5, 100, 900)
    assert not opts.enabled("PT061") and opts.enabled("PT020") and not opts.enabled("PT030")


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[check]\nmin_refs = 3\n", "unknown key 'min_refs'"),
        ("[checks]\n", "unknown key 'checks'"),
        ("min_words = 1\n[check]\nmin_words = 2\n", "set twice"),
        ('[check]\nmin_words = "many"\n', "whole number"),
        ("[check]\nmin_words = -1\n", "negative"),
        ('[check]\nignore = ["PT999"]\n', "unknown rule id 'PT999'"),
        ("[check]\nignore = \"PT061\"\n", "list of rule ids"),
        ("[check]\nmin_words = 300\nmax_words = 200\n", "below"),
        ("[check\n", "not valid TOML"),
    ],
)
def test_strict_validation(tmp_path, text, needle):
    with pytest.raises(ConfigError) as err:
        parse_site_config(text, tmp_path / ".posttui.toml")
    assert needle in str(err.value)
    assert ".posttui.toml" in str(err.value)


def test_the_readme_example_works_as_written(tmp_path):
    """The README's `.posttui.toml` example is read from the README itself, so the two cannot drift apart."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"`\.posttui\.toml`[^`]*```toml\n(.*?)```", readme, re.S)
    assert example, "the README has a ```toml block after its mention of .posttui.toml"
    (tmp_path / ".posttui.toml").write_text(example.group(1), encoding="utf-8")
    cfg = load_site_config(tmp_path)
    assert cfg.select or cfg.ignore or cfg.min_references != 3
