"""Start-up: a headless command imports what it uses and nothing more (the cost is in bench/startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
before = set(sys.modules)
from posttui.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(set(sys.modules) - before)))
"""

HEAVY = ("asyncio", "ssl", "yaml", "feedparser", "pylatexenc", "markdown_it", "google", "textual", "platformdirs",
         "bibtexparser", "pathlib")


def imported(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_version_and_help_import_only_the_entry_point():
    for args in (["--version"], ["--help"]):
        modules = imported(*args)
        assert sorted(m for m in modules if m.startswith("posttui")) == [
            "posttui", "posttui.cli", "posttui.errors", "posttui.version"
        ], args
        assert not [m for m in modules if m.split(".")[0] in HEAVY], args


def test_check_without_a_saved_prompt_imports_no_yaml_tags_or_latex_parser(tmp_path):
    post = tmp_path / "post.md"
    post.write_text("---\nlayout: post\n---\nSome text.\n", encoding="utf-8")
    modules = imported("check", str(post))
    assert not [m for m in modules if m.split(".")[0] in ("feedparser", "pylatexenc", "asyncio", "ssl", "textual")]
    assert "posttui.cli.generate" not in modules


def test_checking_a_site_post_reads_no_bibliography_text(corpus_site):
    post = sorted((corpus_site / "_posts").glob("2020-*.md"))[0]
    modules = imported("check", str(post), "--format", "json")
    assert "posttui.references" in modules  # keys and identifiers were read...
    assert "pylatexenc" not in modules  # ...but no entry's LaTeX was turned into text


def test_opening_the_resolver_imports_no_http_stack():
    """Every command that opens a paper consults the resolver's cache (offline by default); the client comes only
    when there is a cache to read, and http.client, ssl and urllib.request only when a request is really made."""
    probe = ("import json, sys\nbefore = set(sys.modules)\nimport posttui.resolve\n"
             "print(json.dumps(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    modules = json.loads(out.strip().splitlines()[-1])
    assert "posttui.resolve" in modules
    assert "posttui.resolve.web" not in modules and "posttui.resolve.services" not in modules  # with a cache only
    assert not [m for m in modules if m.split(".")[0] in ("ssl", "http", "email", "feedparser", "socket")]
    assert "urllib.request" not in modules


def test_lean_prompt_imports_no_generation_app_feedparser_or_network_client(tmp_path):
    from pathlib import Path

    bundle = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"
    modules = imported("prompt", str(bundle), "--lean", "--out", str(tmp_path / "lean.txt"))
    assert (tmp_path / "lean.txt").is_file()
    assert not [m for m in modules if m.split(".")[0] in ("asyncio", "google", "textual", "markdown_it", "rich")]
    # the metadata's feedparser tags are read as plain dicts: neither feedparser nor the HTTP stack it imports
    assert not [m for m in modules if m.split(".")[0] in ("feedparser", "ssl", "http", "email")]
    assert not [m for m in modules if m.startswith(("posttui.cli.generate", "posttui.llm", "posttui.tui",
                                                    "posttui.session", "posttui.rules", "posttui.workflow"))]


def test_lean_prompt_without_a_group_file_imports_no_author_matching(tmp_path):
    """The group file's entries are checked by posttui.authors; a paper without one whose authors.yaml is already
    matched (the test fixture, like an unpacked saved prompt) never needs that module."""
    from test_saved_prompt import FIXTURE

    assert (FIXTURE / "authors.yaml").is_file() and not list(FIXTURE.glob("group*"))
    modules = imported("prompt", str(FIXTURE), "--lean", "--out", str(tmp_path / "lean.txt"))
    assert (tmp_path / "lean.txt").is_file()
    assert "posttui.sources.local" in modules
    assert "posttui.authors" not in modules


STYLE_MACRO_ENTRIES = r"""
\bibitem{kvellestad}
A.~Kvellestad, P.~Scott, and M.~White, {\it {GAMBIT and its Application}},  {\em \ppnp} {\bf 113} (2020)
  103769, [ ]. Addendum in \cite{gambit_addendum}.

\bibitem{wong}
K.~C. {Wong}, {\em et.~al.}, {\it {A 2.4\% measurement of $H_{0}$ from lensed quasars: $5.3\sigma$ tension}}, .

\bibitem{moresco}
M.~{Moresco}, {\it {The Hubble parameter at z\raisebox{-0.5ex}\textasciitilde0.45}},  {\em \jcap} {\bf 2016} (2016) 014.

\bibitem{blomqvist}
M.~{Blomqvist}, {\it {Ly{\ensuremath{\alpha}} absorption}},  {\em \aap} {\bf 629} (2019) A86.

\bibitem{serra}
\bibfield  {author} {\bibinfo {author} {\bibfnamefont {A.~C.} \bibnamefont {Serra}}, }  {} {\bibinfo {title}
  {{Double Chooz. \textit{CERN EP colloquium}, September 20, 2016}}}\BibitemShut {NoStop}
"""


def test_lean_prompt_reads_a_bibliography_of_style_macros_without_the_latex_parser(tmp_path):
    """Journal macros the converter does not know (\\ppnp), \\cite, \\raisebox, \\textasciitilde, \\ensuremath{\\alpha},
    \\BibitemShut and short math in an entry's text are read by the fast paths (as the parser reads them), so the
    lean prompt of such a bibliography imports no pylatexenc; nor the archive, TOML, glob or resolver-matching
    modules a folder without a config file or resolver cache never uses, nor the post parser."""
    import shutil

    from test_saved_prompt import FIXTURE

    bundle = tmp_path / "paper"
    shutil.copytree(FIXTURE, bundle)
    bbl = bundle / "refs.bbl"
    bbl.write_text(bbl.read_text(encoding="utf-8").replace("\\end{thebibliography}",
                                                           STYLE_MACRO_ENTRIES + "\\end{thebibliography}"),
                   encoding="utf-8")
    out = tmp_path / "lean.txt"
    modules = imported("prompt", str(bundle), "--lean", "--out", str(out))
    table = out.read_text(encoding="utf-8")
    for line in ("kvellestad | Kvellestad et al. 2020 |", "wong | Wong | -", "moresco | Moresco 2016 |",
                 "blomqvist | Blomqvist 2019 |", "serra | Serra 2016 |"):
        assert line in table, line
    assert not [m for m in modules if m.split(".")[0] in ("pylatexenc", "tarfile", "tomllib", "glob", "difflib")]
    assert "posttui.resolve.match" not in modules and "posttui.postformat" not in modules  # no post is parsed


def test_the_app_draws_its_loading_screen_without_the_review_loop():
    """The app module is what `posttui` imports before its first frame (the loading screen): the workflow, the
    checker's rules and the model clients come later, with the main screen."""
    probe = ("import json, sys\nbefore = set(sys.modules)\nimport posttui.tui.app\n"
             "print(json.dumps(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    modules = json.loads(out.strip().splitlines()[-1])
    assert "posttui.tui.app" in modules and "posttui.tui.runtime_tuning" in modules
    assert not [m for m in modules if m.startswith(("posttui.workflow", "posttui.rules", "posttui.llm",
                                                    "posttui.tui.screens.main"))]
