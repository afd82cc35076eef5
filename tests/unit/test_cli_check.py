"""`posttui check`: site posts with their saved prompts, formats, exit codes, --fix/--diff, stdin."""

from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace

import pytest

from posttui.cli import main
from posttui.paper import Paper
from posttui.prompt import output_template, saved_prompt_text

NAME = "2024-01-02-2401.01234"
META = {
    "id": "http://arxiv.org/abs/2401.01234v1",
    "title": "A Test Paper",
    "published": "2024-01-02T10:00:00Z",
    "authors": [{"name": "Ada Lovelace"}, {"name": "Charles Babbage"}],
    "summary": "We test engines.",
}
BBL = r"""\begin{thebibliography}{3}
\bibitem[Smith(2020)]{smith2020} Smith A., 2020, \doi{10.1000/abc.123}
\bibitem[Jones(2019)]{jones2019} Jones B., 2019, arXiv:1901.00001
\bibitem[Brown(2018)]{brown2018} Brown C., 2018, arXiv:1801.00002
\end{thebibliography}"""
MEMBERS = {"Ada Lovelace": {"links": {"Webpage": "https://ada.example.org"}, "image": "/assets/group/images/ada.jpg"}}
WORDS = "The engine computes numbers quickly and the authors explain each step with care and detail. " * 25


def narrative(cite: str = "[1801.00002](https://arxiv.org/abs/1801.00002)") -> str:
    return (
        "Our paper [2401.01234](https://arxiv.org/abs/2401.01234) by [Ada Lovelace](https://ada.example.org) "
        "builds on [10.1000/abc.123](https://doi.org/10.1000/abc.123) and "
        f"[1901.00001](https://arxiv.org/abs/1901.00001) and {cite}.\n\n## Details\n\n" + WORDS + "\n"
    )


@pytest.fixture
def site(tmp_path):
    paper = Paper(arxiv_id="2401.01234", metadata=META, bbl=BBL, homepage="Home page.", members=MEMBERS)
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: test\n")
    (root / "prompts" / "content").mkdir(parents=True)
    (root / "prompts" / "content" / f"{NAME}.txt").write_text(saved_prompt_text(paper), encoding="utf-8")
    template = output_template(paper)
    (root / "_posts" / f"{NAME}.md").write_text(template.fill(narrative()), encoding="utf-8")
    (root / "_posts" / "2024-02-02-workshop.md").write_text("---\nlayout: post\n---\nNot a paper post.\n")
    return SimpleNamespace(root=root, template=template)


def run_cli(args, capsys, stdin: str | None = None):
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(["check", *args])
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_site_mode_clean_post_and_skipped_post(site, capsys):
    code, out, err = run_cli(["--site", str(site.root)], capsys)
    assert code == 0, out
    assert "1 post checked (1 clean)" in out
    assert "skipped" in out and "2024-02-02-workshop.md" in out and "no saved prompt" in out


def test_findings_text_json_github_and_exit_1(site, capsys):
    post = site.root / "_posts" / f"{NAME}.md"
    post.write_text(site.template.fill(narrative(r"\citep{brown2018}")), encoding="utf-8")
    code, out, _ = run_cli([str(post)], capsys)
    assert code == 1
    line = next(l for l in out.splitlines() if "PT020" in l)
    assert line.startswith(f"{post}:10:") and "[error]" in line and "(fixable)" in line

    code, out, _ = run_cli([str(post), "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 1 and [r["rule"] for r in rows] == ["PT030", "PT020"]  # the citation was the third reference
    cite = rows[1]
    assert set(cite) == {"path", "rule", "severity", "message", "line", "column", "end_line", "end_column", "fixable"}
    assert cite["fixable"] is True and cite["line"] == cite["end_line"] == 10
    assert cite["end_column"] - cite["column"] == len(r"\citep{brown2018}")
    assert rows[0]["fixable"] is False and rows[0]["severity"] == "error"

    code, out, _ = run_cli([str(post), "--format", "github"], capsys)
    assert out.startswith(f"::error file={post},line=9,col=")
    assert f"::error file={post},line=10,col=" in out and "title=PT020::" in out

    assert run_cli([str(post), "--ignore", "PT020"], capsys)[0] == 1
    assert run_cli([str(post), "--ignore", "PT020,PT03"], capsys)[0] == 0


def test_diff_then_fix_writes_atomically_and_rechecks(site, capsys):
    post = site.root / "_posts" / f"{NAME}.md"
    broken = site.template.fill(narrative(r"\citep{brown2018}"))
    post.write_text(broken, encoding="utf-8")
    code, out, err = run_cli([str(post), "--diff"], capsys)
    assert "-" in out and "+" in out and "([1801.00002](https://arxiv.org/abs/1801.00002))" in out
    assert post.read_text(encoding="utf-8") == broken
    code, out, _ = run_cli([str(post), "--fix"], capsys)
    assert code == 0
    assert "fixed 1 finding (PT020×1)" in out
    assert "PT030" not in out  # re-checked after fixing: the citation became the third reference link
    fixed = post.read_text(encoding="utf-8")
    assert "\\citep" not in fixed and "([1801.00002](https://arxiv.org/abs/1801.00002))" in fixed
    assert list(post.parent.glob(".*.tmp")) == []
    code, out, _ = run_cli([str(post), "--fix"], capsys)
    assert code == 0 and "fixed" not in out


def test_stdin_with_context(site, capsys):
    prompt = site.root / "prompts" / "content" / f"{NAME}.txt"
    text = "```markdown\n" + site.template.fill(narrative()) + "\n```\n"
    code, out, _ = run_cli(["-", "--context", str(prompt), "--format", "json"], capsys, stdin=text)
    assert code == 1 and {r["rule"] for r in json.loads(out)} == {"PT001"}
    assert json.loads(out)[0]["path"] == "-"
    code, out, err = run_cli(["-", "--context", str(prompt), "--fix"], capsys, stdin=text)
    assert out.startswith("---\nlayout: post") and "```" not in out
    assert "fixed 2 findings (PT001×2)" in err


def test_site_config_is_applied(site, capsys):
    (site.root / ".posttui.toml").write_text("[check]\nmin_references = 9\n")
    code, out, _ = run_cli(["--site", str(site.root)], capsys)
    assert code == 1 and "PT030" in out


def test_usage_and_input_errors_exit_2(site, tmp_path, capsys):
    assert run_cli([str(tmp_path / "missing.md")], capsys)[0] == 2
    assert run_cli([], capsys)[0] == 2
    assert run_cli(["--site", str(tmp_path)], capsys)[0] == 2
    post = site.root / "_posts" / f"{NAME}.md"
    code, _, err = run_cli([str(post), "--select", "PT999"], capsys)
    assert code == 2 and "unknown rule id" in err
    (site.root / ".posttui.toml").write_text("[check]\nbogus = 1\n")
    code, _, err = run_cli([str(post)], capsys)
    assert code == 2 and ".posttui.toml" in err and "bogus" in err
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe not utf-8")
    assert run_cli([str(bad)], capsys)[0] == 2


def test_post_outside_a_site_is_checked_without_context(tmp_path, capsys):
    post = tmp_path / "draft.md"
    post.write_text("Some text with \\cite{x}.\n")
    code, out, _ = run_cli([str(post)], capsys)
    assert code == 1 and "PT020" in out and "no paper context" in out


def test_crlf_post_is_judged_like_lf_and_fix_converts_it(site, capsys):
    post = site.root / "_posts" / f"{NAME}.md"
    lf = post.read_text(encoding="utf-8")
    post.write_bytes(lf.replace("\n", "\r\n").encode("utf-8"))
    code, out, _ = run_cli([str(post)], capsys)
    assert code == 0 and "(1 clean)" in out
    code, out, _ = run_cli([str(post), "--fix"], capsys)
    assert code == 0 and "converted CRLF line endings to LF" in out and "fixed" not in out
    assert post.read_bytes() == lf.encode("utf-8")


def test_list_rules(capsys):
    code, out, _ = run_cli(["--list-rules"], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 24
    assert lines[0].startswith("PT001  error") and "(fix: unwrap)" in lines[0]
    assert any(line.startswith("PT061  info") for line in lines)


def test_json_report_over_several_posts_is_one_json_dump(site, capsys):
    """The report is assembled post by post; it must read exactly as json.dumps of every row at once."""
    first = site.root / "_posts" / f"{NAME}.md"
    second = site.root / "_posts" / "2024-01-03-2401.01234.md"
    second.write_text(first.read_text(encoding="utf-8").replace("## Details", "## Details\n\n\\citep{smith2020}"),
                      encoding="utf-8")
    clean = site.root / "_posts" / "2024-01-04-2401.01234.md"
    clean.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    args = [str(first), str(second), str(clean), "--context", str(site.root / "prompts" / "content" / f"{NAME}.txt"),
            "--format", "json"]
    code, out, _ = run_cli(args, capsys)
    rows = json.loads(out)
    assert rows and out == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    code, out, _ = run_cli([str(site.root / "_posts" / "2024-02-02-workshop.md"), "--format", "json",
                            "--ignore", "PT"], capsys)
    assert out == "[]\n"


def test_the_report_is_kept_packed_and_given_back_exactly():
    """check --site keeps its report zlib-packed until every post is checked: what comes back is what went in,
    characters split across the unpacking pieces included, and it packs well (the site's memory stays flat)."""
    from posttui.cli.check import _PackedText

    packed = _PackedText()
    assert packed.empty and "".join(packed.pieces()) == ""
    parts = [f"_posts/2024-0{n % 9 + 1}-post-é{n}.md:{n}:1: PT020 [error] `\\citep{{x{n}}}` — “ü” 😀\n"
             for n in range(20_000)]
    packed = _PackedText()
    for part in parts:
        packed.append(part)
    assert not packed.empty
    assert sum(len(b) for b in packed._packed) * 5 < len("".join(parts).encode())
    pieces = list(packed.pieces())
    assert len(pieces) > 1 and "".join(pieces) == "".join(parts)
