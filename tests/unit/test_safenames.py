"""The one constructor for paths made from input names: what it accepts, what it refuses and how it says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttui.errors import PosttuiError, SavedPromptError, SiteError, printable
from posttui.safenames import MAX_NAME_BYTES, check_date, check_name, id_stem, post_name, safe_join


@pytest.mark.parametrize("name", ["2025-01-31-2501.01234", "main.tex", "Inés Okafor", "a" * MAX_NAME_BYTES, "..x"])
def test_plain_names_are_accepted(name):
    assert safe_join("/bundle", name) == Path("/bundle") / name


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "is empty"),
        ("..", "is '..', which names a folder"),
        ("../evil", "holds a path separator ('/' or '\\')"),
        ("/tmp/evil", "holds a path separator"),
        ("a\\b", "holds a path separator"),
        ("C:evil", "starts with a drive letter"),
        ("a\x00b", "holds a NUL byte"),
        ("a\x1b[31mb", "holds control characters"),
        ("gpj\u202eexe.md", "holds control characters"),
        ("é" * 101, "is 202 bytes long; a file name may have at most 200"),
    ],
)
def test_unsafe_names_are_refused_with_the_reason(name, problem):
    with pytest.raises(SavedPromptError) as info:
        check_name(name, what="the post name", path="saved.txt", error=SavedPromptError)
    assert str(info.value).startswith("saved.txt: the post name ") and problem in str(info.value)
    assert "\x1b" not in str(info.value) and "\u202e" not in str(info.value)


@pytest.mark.parametrize("date", ["2024-02-29", "2000-02-29", "1999-12-31"])
def test_real_dates(date):
    assert check_date(date) == date


@pytest.mark.parametrize("date, problem", [("2024-02-30", "is not a calendar date"),
                                           ("2023-02-29", "is not a calendar date"),
                                           ("2024-13-01", "is not a calendar date"),
                                           ("2024/01/02", "is not a date written YYYY-MM-DD"),
                                           ("", "is not a date written YYYY-MM-DD")])
def test_impossible_dates(date, problem):
    with pytest.raises(PosttuiError, match=problem):
        check_date(date)


def test_old_style_ids_name_files_with_a_dash():
    assert id_stem("astro-ph/0601001") == "astro-ph-0601001"
    assert id_stem("math.AG/0601001") == "math.AG-0601001"
    assert id_stem("2501.01234") == "2501.01234" and id_stem("my-paper") == "my-paper"
    assert post_name("2006-01-01", "astro-ph/0601001") == "2006-01-01-astro-ph-0601001"


def test_post_name_refuses_what_cannot_be_a_file_name():
    with pytest.raises(SiteError, match="is 311 bytes long"):
        post_name("2025-03-06", "9" * 300, error=SiteError)
    with pytest.raises(PosttuiError, match="holds a path separator"):
        post_name("2025-03-06", "../../etc/x")


def test_printable_escapes_only_control_characters():
    assert printable("Inés Okafor") == "Inés Okafor"
    assert printable("a\x1b[31mb\x07\u202e") == "a\\x1b[31mb\\x07\\u202e"
    assert printable("a\nb", keep="\n") == "a\nb"
