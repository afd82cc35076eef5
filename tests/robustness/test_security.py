"""Security review as tests: the API key never lands in a file, and the source tree has no unsafe constructs.

The scan walks the AST of every module under ``src/`` (comments and strings cannot fool it) for: ``yaml.load`` /
``load_all`` without a safe Loader and the unsafe loaders themselves; ``eval``/``exec``/``compile``; ``pickle``,
``marshal``, ``shelve``; ``os.system``/``os.popen``/``os.exec*``; subprocess with ``shell=True`` or a command
string; ``tarfile`` extraction without ``filter='data'``; and ``$EDITOR`` run through a shell.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from catalogue import POST_NAME, Ctx, make_site, saved_prompt_source
from fake_gemini import FakeGemini

from posttui.cli import main

SRC = Path(__file__).resolve().parents[2] / "src"
MARKER = "fake-gemini-key-posttui-marker-7f3c9e21"  # unique, and not shaped like a real key
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader", "MetadataLoader", "_LimitedLoader"}
UNSAFE_YAML = {"unsafe_load", "full_load", "unsafe_load_all", "full_load_all", "Loader", "UnsafeLoader",
               "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill"}
SUBPROCESS_CALLS = {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"}


# ----- the API key never written --------------------------------------------------------------------------------
def test_api_key_is_never_written_to_any_file(tmp_path, monkeypatch, capsys):
    """A full run (stream, save with image, a failed run keeping a partial draft, session listing) with a marker
    key: no file under the run's folders (site, sessions, partial drafts, cache, config, drafts) contains it."""
    from posttui.config import Config
    from posttui.llm.offline import OfflineWriter

    for name, sub in (("POSTTUI_DATA_DIR", "data"), ("POSTTUI_CACHE_DIR", "cache")):
        monkeypatch.setenv(name, str(tmp_path / sub))
    config = tmp_path / "config.toml"
    config.write_text('image_generation = true\nimage_model = "gemini-2.5-flash-image"\n')
    monkeypatch.setenv("POSTTUI_CONFIG", str(config))
    monkeypatch.setenv("GEMINI_API_KEY", MARKER)
    monkeypatch.setenv("POSTTUI_GEMINI_RETRY_DELAY", "0.01")
    ctx = Ctx(tmp_path, monkeypatch)
    source = saved_prompt_source(ctx)
    site = make_site(ctx)
    paper = __import__("posttui").load(source)
    with FakeGemini(chunk_size=64) as fake:
        monkeypatch.setenv("POSTTUI_GEMINI_BASE_URL", fake.base_url)
        image_config = Config(image_model="gemini-2.5-flash-image")
        fake.text = OfflineWriter(paper, model="gemini-2.5-pro", config=image_config).post()
        fake.script = ["success", "success", "image"]
        assert main(["generate", str(source), "--site", str(site), "--save", "--out", str(tmp_path / "draft.md")]) == 0
        fake.mode = "midstream"
        assert main(["generate", str(source)]) == 2
        assert main(["sessions", "--json"]) == 0
        used = [r for r in fake.requests if r.headers.get("x-goog-api-key") == MARKER]
    out, err = capsys.readouterr()
    assert used, "the marker key was never sent: the test would prove nothing"
    assert (site / "_posts" / f"{POST_NAME}.md").is_file() and (site / f"assets/images/posts/{POST_NAME}.png").is_file()
    assert list((tmp_path / "data" / "partial").iterdir()), "the failed run kept no partial draft"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("sessions.db") for p in written)
    leaks = [str(p) for p in written if MARKER.encode() in p.read_bytes()]
    assert leaks == []
    assert MARKER not in out and MARKER not in err


async def test_api_key_is_never_written_by_the_app(tmp_path, monkeypatch):
    """The app with a marker key: open a saved prompt, generate through the fake Gemini, approve into the site,
    take a screenshot; no file it wrote (site, session database, screenshot) contains the key."""
    from posttui.config import Config
    from posttui.llm.offline import OfflineWriter
    from posttui.tui.app import PosttuiApp
    from posttui.tui.screens.main import MainScreen

    for name, sub in (("POSTTUI_DATA_DIR", "data"), ("POSTTUI_CACHE_DIR", "cache")):
        monkeypatch.setenv(name, str(tmp_path / sub))
    monkeypatch.setenv("GEMINI_API_KEY", MARKER)
    ctx = Ctx(tmp_path, monkeypatch)
    source = saved_prompt_source(ctx)
    site = make_site(ctx)
    paper = __import__("posttui").load(source)

    async def until(pilot, predicate, what: str) -> None:
        import time

        end = time.monotonic() + 30
        while not predicate():
            assert time.monotonic() < end, f"timed out waiting for {what}"
            await pilot.pause(0.05)

    with FakeGemini(chunk_size=200) as fake:
        monkeypatch.setenv("POSTTUI_GEMINI_BASE_URL", fake.base_url)
        monkeypatch.setenv("POSTTUI_GEMINI_ATTEMPTS", "1")
        fake.text = OfflineWriter(paper, model="gemini-2.5-pro", config=Config()).post()
        app = PosttuiApp(source=str(source), site=site, backend_name="gemini", offer_resume=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
            screen = app.screen
            await pilot.pause(0.3)
            await pilot.press("ctrl+g")
            await until(pilot, lambda: screen.status.state in ("done", "failed", "blocked"), "generation")
            assert screen.status.state == "done", screen.status.state
            await pilot.pause(0.3)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.status.state == "saved", "the save")
            app.save_screenshot(filename="screen.svg", path=str(tmp_path))
        used = [r for r in fake.requests if r.headers.get("x-goog-api-key") == MARKER]
    assert used, "the marker key was never sent: the test would prove nothing"
    assert (site / "_posts" / f"{POST_NAME}.md").is_file() and (tmp_path / "screen.svg").is_file()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("sessions.db") for p in written)
    assert [str(p) for p in written if MARKER.encode() in p.read_bytes()] == []


# ----- static scan of the source ----------------------------------------------------------------------------------
def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_string(node: ast.AST) -> bool:
    """A command given as one string (literal, f-string, or string concatenation): only a shell can split it."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_string(node.left) or _is_string(node.right)
    return False


def scan(tree: ast.AST, filename: str) -> list[str]:
    """Every unsafe construct in one module, as ``file:line: what``."""
    problems: list[str] = []

    def report(node: ast.AST, what: str) -> None:
        problems.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    report(node, f"imports {name} (deserialising it runs code)")
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                for alias in node.names:
                    if alias.name in UNSAFE_YAML or alias.name in ("load", "load_all"):
                        report(node, f"from yaml import {alias.name} (use yamlio.load_yaml)")
        if isinstance(node, ast.Attribute) and _dotted(node.value) == "yaml" and node.attr in UNSAFE_YAML:
            report(node, f"yaml.{node.attr} (constructs arbitrary Python objects)")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name in ("eval", "exec", "compile"):
            report(node, f"{name}()")
        if name in ("yaml.load", "yaml.load_all"):
            loader = _keyword(node, "Loader") or (node.args[1] if len(node.args) > 1 else None)
            loader_name = _dotted(loader).rsplit(".", 1)[-1] if loader is not None else ""
            if loader_name not in SAFE_LOADERS:
                report(node, f"{name}() without a safe Loader")
        if name in ("os.system", "os.popen") or name.startswith(("os.exec", "os.spawn")):
            report(node, f"{name}() (a shell or an unchecked exec)")
        if name.rsplit(".", 1)[-1] in SUBPROCESS_CALLS and name.startswith(("subprocess", "asyncio")) or name in (
            "asyncio.create_subprocess_shell",
        ):
            shell = _keyword(node, "shell")
            if name == "asyncio.create_subprocess_shell" or name.endswith(("getoutput", "getstatusoutput")):
                report(node, f"{name}() runs a shell")
            elif shell is not None and not (isinstance(shell, ast.Constant) and shell.value is False):
                report(node, f"{name}(shell=...) runs a shell")
            elif node.args and _is_string(node.args[0]):
                report(node, f"{name}() with a command string instead of an argument list")
        if name.endswith((".extractall", ".extract")) and "tar" in name.lower() or name.endswith(".extractall"):
            flt = _keyword(node, "filter")
            if not (isinstance(flt, ast.Constant) and flt.value == "data"):
                report(node, f"{name}() without filter='data'")
    return problems


def test_source_tree_has_no_unsafe_constructs():
    modules = sorted(SRC.rglob("*.py"))
    assert len(modules) > 30
    problems = []
    for path in modules:
        problems += scan(ast.parse(path.read_text(encoding="utf-8"), str(path)), str(path.relative_to(SRC)))
    assert problems == []


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("import yaml\nyaml.load(text)", "yaml.load() without a safe Loader"),
        ("import yaml\nyaml.load(text, Loader=yaml.Loader)", "yaml.Loader"),
        ("import yaml\nyaml.load(text, Loader=yaml.FullLoader)", "yaml.FullLoader"),
        ("import yaml\nyaml.unsafe_load(text)", "yaml.unsafe_load"),
        ("from yaml import load", "from yaml import load"),
        ("eval(user)", "eval()"),
        ("exec(code)", "exec()"),
        ("import pickle\npickle.loads(data)", "imports pickle"),
        ("import os\nos.system('ls ' + name)", "os.system()"),
        ("import subprocess\nsubprocess.run(cmd, shell=True)", "shell=...) runs a shell"),
        ("import subprocess\nsubprocess.run(f'{editor} {path}')", "command string"),
        ("import subprocess\nsubprocess.Popen('vi ' + path)", "command string"),
        ("import tarfile\ntar.extractall(dest)", "without filter='data'"),
        ("import tarfile\ntar.extractall(dest, filter='fully_trusted')", "without filter='data'"),
    ],
)
def test_scanner_catches(snippet, expected):
    problems = scan(ast.parse(snippet), "x.py")
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "snippet",
    [
        "import yaml\nyaml.load(text, Loader=_LimitedLoader)",
        "import yaml\nyaml.safe_load(text)",
        "import subprocess\nsubprocess.run(shlex.split(editor) + [path], check=False)",
        "import tarfile\ntar.extractall(dest, filter='data')",
        "ast.literal_eval(x)",
    ],
)
def test_scanner_accepts_the_safe_forms(snippet):
    assert scan(ast.parse(snippet), "x.py") == []


def test_editor_is_run_as_an_argument_list():
    """``$EDITOR`` with a hostile value is split into words and never reaches a shell."""
    uses = [
        (path, line)
        for path in SRC.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"environ.get\(\"(EDITOR|VISUAL)\"\)", line)
    ]
    for path, line in uses:
        assert "shlex.split" in line, f"{path}: {line.strip()}"


def test_unsafe_archive_is_never_extracted_even_partially(tmp_path):
    """An archive mixing good members with a ``..`` member is refused before anything is written anywhere."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ("main.tex", "../../escape.tex"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))
    source = tmp_path / "inner" / "source.tar.gz"
    source.parent.mkdir()
    source.write_bytes(buffer.getvalue())
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "posttui", "info", "--no-prompt", str(source)],
                          capture_output=True, text=True, env=env, cwd=source.parent, timeout=60)
    assert proc.returncode == 2 and "'../../escape.tex' points outside the archive" in proc.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
