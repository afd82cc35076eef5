"""What a newcomer meets at the command line: mistyped commands, wrong files, piped output, modes of new files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from posttui.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_mistyped_command_is_not_taken_for_a_paper(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["genrate", "x"], capsys)
    assert code == 2
    assert "unknown command 'genrate' (did you mean `posttui generate`?)" in err
    assert "commands: info, prompt, unpack, check, generate, sessions, resume, models" in err
    code, _, err = run(["frobnicate"], capsys)
    assert code == 2 and "unknown command 'frobnicate'" in err


def test_a_wrong_option_shows_the_commands_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["info", "--bogus", "X"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: posttui info") and "posttui info: error: unrecognized arguments: --bogus" in err


def test_help_and_version_import_no_command():
    code = ("import sys, posttui.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('posttui.cli.') and m not in ('posttui.cli.common', 'posttui.cli.output')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert "generate" in out and "models" in out


@pytest.mark.parametrize("name, content, message", [
    ("README.md", "# hello\n", "is not a paper source (a .md file, not TeX, an archive or a saved prompt)"),
    ("notes.txt", "some notes\n", "notes.txt: is not a paper source (a .txt file"),
    ("paper.pdf", "%PDF-1.4\n", "is a PDF: PDF-only papers cannot be read"),
])
def test_a_file_that_is_no_paper_source_says_what_it_is(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    for command in ("prompt", "info"):
        code, _, err = run([command, path], capsys)
        assert code == 2 and message in err and f"{name}.tex" not in err


def test_check_a_folder_says_so(capsys, tmp_path):
    code, _, err = run(["check", tmp_path], capsys)
    assert code == 2 and "is a folder, not a post file" in err


def test_sessions_for_another_paper_does_not_say_there_are_none(capsys, tmp_path):
    assert main(["generate", str(EXAMPLE), "--out", str(tmp_path / "draft.md")]) == 0
    capsys.readouterr()
    code, out, _ = run(["sessions", "--paper", "nonexistent"], capsys)
    assert code == 0 and "No sessions of 'nonexistent'; `posttui sessions` lists all of them" in out
    assert "No sessions yet" not in out


def test_new_files_are_0644_and_out_never_replaces_without_force(capsys, tmp_path):
    out = tmp_path / "prompt.txt"
    assert main(["prompt", str(EXAMPLE), "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    code, _, err = run(["prompt", EXAMPLE, "--out", out], capsys)
    assert code == 2 and "already exists; not overwritten" in err
    draft = tmp_path / "draft.md"
    draft.write_text("mine")
    code, stdout, err = run(["generate", EXAMPLE, "--out", draft], capsys)
    assert code == 2 and "already exists; not overwritten" in err and "generating" not in err
    assert draft.read_text() == "mine"
    assert main(["generate", str(EXAMPLE), "--out", str(draft), "--force"]) == 0
    assert draft.read_text() != "mine"


def test_options_that_need_save_say_so(capsys):
    code, _, err = run(["generate", EXAMPLE, "--image"], capsys)
    assert code == 2 and "--image and --image-model only apply when saving" in err
    code, _, err = run(["generate", EXAMPLE, "--allow-errors"], capsys)
    assert code == 2 and "--allow-errors only applies when saving" in err


def _site_with_post(tmp_path, text: str) -> Path:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: t\n")
    post = site / "_posts" / "post.md"
    post.write_text(text)
    return post


def test_diff_reports_the_file_as_it_is_and_marks_a_missing_final_newline(capsys, tmp_path):
    post = _site_with_post(tmp_path, "<!-- BEGINNING OF GENERATED POST -->\nSee \\citet{x} here.\n"
                                     "Visit \\emph{this} page.")
    code, out, err = run(["check", post, "--diff"], capsys)
    assert "\\ No newline at end of file" in out
    code_now, _, _ = run(["check", post], capsys)
    assert code == code_now  # --diff changes nothing, so it says what plain `check` says
    assert post.read_text().endswith("Visit \\emph{this} page.")


def test_check_piped_into_head_still_exits_with_the_errors(tmp_path):
    post = _site_with_post(tmp_path, "<!-- BEGINNING OF GENERATED POST -->\nSee \\citet{x}.\n" * 200)
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "posttui", "check", str(post)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1, err
    assert "Traceback" not in err and "BrokenPipe" not in err
