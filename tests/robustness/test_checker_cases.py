"""Catalogue, part 4: the checker, the sessions database and standard output (issue 12, round 2).

Active content PT050 used to miss (entity-encoded schemes, reference definitions, <form>, Liquid), checker inputs
that were quadratic, fixes that broke Markdown, front matter Jekyll cannot read, ``check --fix`` on a file that
is not a post, a sessions database that is locked, newer or read-only, huge ids, and a standard output that is
full or cannot encode the text. Each case: exit status, the exact message, and what stays intact.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from catalogue import META, TEX, Case, Ctx, run_case, verify
from test_faults import draft_case, draft_untouched, in_first_paragraph

ROOT = Path(__file__).resolve().parents[2]


# ----- drafts ------------------------------------------------------------------------------------------------------
def at_end(extra: str):
    """A paragraph of its own just before the END marker."""

    def edit(post: str) -> str:
        return post.replace("<!-- END OF GENERATED POST -->", f"{extra}\n\n<!-- END OF GENERATED POST -->", 1)

    return edit


def draft_fix_case(edit):
    """``posttui check DRAFT --context SAVED --fix``."""
    inner = draft_case(edit)

    def setup(ctx: Ctx) -> list:
        return [*inner(ctx), "--fix"]

    return setup


def fixed_keeps(*wanted: str, gone: tuple[str, ...] = ()):
    def intact(ctx: Ctx, out: str, err: str) -> None:
        text = ctx.facts["draft"].read_text(encoding="utf-8")
        for piece in wanted:
            assert piece in text, piece
        for piece in gone:
            assert piece not in text, piece

    return intact


def front_matter_post(title_line: str):
    """A post outside any site (no context) whose front matter has ``title_line``."""

    def setup(ctx: Ctx) -> list:
        post = ctx.tmp / "post.md"
        post.write_text(
            f"---\nlayout: post\n{title_line}\ndate:   2024-01-02\ncategories: papers\n---\n"
            "![AI generated image](/assets/images/posts/2024-01-02-2401.01234.png)\n\n"
            "<!-- BEGINNING OF GENERATED POST -->\nHello.\n<!-- END OF GENERATED POST -->\n",
            encoding="utf-8",
        )
        ctx.facts.update(draft=post, before=post.read_bytes())
        return ["check", post]

    return setup


def hostile_size(piece: str, size: int = 56_000):
    """A draft holding ``size`` characters made of ``piece`` (the inputs that were quadratic)."""

    def edit(post: str) -> str:
        return at_end((piece * (size // len(piece) + 1))[:size])(post)

    return draft_case(edit)


def generated_title(title: str):
    """``posttui generate --backend offline`` on a bundle whose metadata title is ``title``."""

    def setup(ctx: Ctx) -> list:
        import yaml

        meta = yaml.safe_load(META)
        meta["title"] = title
        bundle = ctx.bundle("paper", {"main.tex": TEX, "metadata.yaml": yaml.safe_dump(meta)})
        ctx.facts.update(draft=ctx.tmp / "draft.md", title=title)
        return ["generate", "--backend", "offline", bundle, "--out", ctx.facts["draft"]]

    return setup


def title_round_trips(ctx: Ctx, out: str, err: str) -> None:
    """The draft's front matter is YAML whose title is the paper's title, character for character, and the
    checker finds nothing wrong with it."""
    import yaml

    from posttui.rules import check

    text = ctx.facts["draft"].read_text(encoding="utf-8")
    front = text.split("---\n", 2)[1]
    assert yaml.safe_load(front)["title"] == ctx.facts["title"]
    assert [f for f in check(text) if f.rule == "PT007"] == []


def readme_copy(fix: bool):
    def setup(ctx: Ctx) -> list:
        copy = ctx.tmp / "notes.md"
        copy.write_bytes((ROOT / "README.md").read_bytes())
        ctx.facts.update(draft=copy, before=copy.read_bytes(), path=str(copy))
        return ["check", copy, *(["--fix"] if fix else [])]

    return setup


def no_template_findings(ctx: Ctx, out: str, err: str) -> None:
    draft_untouched(ctx, out, err)
    assert not any(f" {rule} [" in out for rule in ("PT001", "PT002", "PT003", "PT004", "PT005", "PT006", "PT030"))


# ----- sessions database ------------------------------------------------------------------------------------------
def _db(ctx: Ctx) -> Path:
    return Path(os.environ["POSTTUI_DATA_DIR"]) / "sessions.db"


def _earlier_session(ctx: Ctx) -> Path:
    from posttui.session import SessionStore

    store = SessionStore.open()
    store.create("2501.00001", title="An earlier session")
    store.close()
    db = _db(ctx)
    ctx.facts["db"] = db
    return db


def db_locked(argv: list[str]):
    """Another program holds the database with an exclusive lock (rollback journal: even readers wait)."""

    def setup(ctx: Ctx) -> list:
        db = _earlier_session(ctx)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("PRAGMA journal_mode = DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        ctx.facts["cleanup"].append(holder.close)
        ctx.facts["before"] = db.read_bytes()
        return argv

    return setup


def db_newer(argv: list[str]):
    def setup(ctx: Ctx) -> list:
        db = _earlier_session(ctx)
        raw = sqlite3.connect(db, isolation_level=None)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("PRAGMA user_version = 99")
        raw.close()
        ctx.facts["before"] = db.read_bytes()
        return argv

    return setup


def db_left_alone(ctx: Ctx, out: str, err: str) -> None:
    """Nothing moved aside, the file unchanged, and (once the other program is gone) every session is there."""
    for cleanup in ctx.facts["cleanup"]:
        cleanup()
    ctx.facts["cleanup"].clear()
    db = ctx.facts["db"]
    assert sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["sessions.db"]
    assert db.read_bytes() == ctx.facts["before"]
    raw = sqlite3.connect(db)
    try:
        assert [r[0] for r in raw.execute("SELECT title FROM sessions")] == ["An earlier session"]
    finally:
        raw.close()


def _mount_tmpfs(ctx: Ctx, name: str, size: str) -> Path:
    """A small tmpfs under the case's folder (skips the case where mounting is not allowed)."""
    point = ctx.tmp / name
    point.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    ctx.facts["cleanup"].append(lambda: subprocess.run(["umount", "-l", str(point)], capture_output=True))
    return point


def db_read_only(argv: list[str]):
    """The data folder is a read-only mount holding a database with one session."""

    def setup(ctx: Ctx) -> list:
        from posttui.session import SessionStore

        folder = _mount_tmpfs(ctx, "readonly-data", "4m")
        store = SessionStore.open(folder / "sessions.db")
        store.create("2501.00001", title="An earlier session")
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        ctx.setenv("POSTTUI_DATA_DIR", str(folder))
        ctx.facts.update(db=folder / "sessions.db", before=(folder / "sessions.db").read_bytes())
        return argv

    return setup


def read_only_db_untouched(ctx: Ctx, out: str, err: str) -> None:
    assert ctx.facts["db"].read_bytes() == ctx.facts["before"]
    assert sorted(p.name for p in ctx.facts["db"].parent.iterdir()) == ["sessions.db"]


def listed_earlier_session(ctx: Ctx, out: str, err: str) -> None:
    read_only_db_untouched(ctx, out, err)
    assert "An earlier session" in out


def nothing_created(ctx: Ctx, out: str, err: str) -> None:
    assert not _db(ctx).exists() and not _db(ctx).parent.exists()


def offline_generate(ctx: Ctx) -> list:
    """A normal offline generation of a small bundle (exit 1: the toy paper's draft has too few references)."""
    bundle = ctx.bundle("paper", {"main.tex": TEX, "metadata.yaml": META})
    ctx.facts["draft"] = ctx.tmp / "draft.md"
    return ["generate", "--backend", "offline", bundle, "--out", ctx.facts["draft"]]


def draft_written(ctx: Ctx, out: str, err: str) -> None:
    assert "<!-- END OF GENERATED POST -->" in ctx.facts["draft"].read_text(encoding="utf-8")


def then(*checks):
    def intact(ctx: Ctx, out: str, err: str) -> None:
        for check in checks:
            check(ctx, out, err)

    return intact


# ----- standard output --------------------------------------------------------------------------------------------
def full_stdout_run(case: Case, ctx: Ctx, argv: list) -> tuple[int, str, str]:
    """The command with its standard output on a file of a tmpfs that is full."""
    folder = _mount_tmpfs(ctx, "full", "64k")
    with open(folder / "filler", "wb") as filler:
        try:
            filler.write(b"x" * 1024 * 1024)
        except OSError:
            pass
    env = dict(os.environ, **ctx.env)
    with open(folder / "out.txt", "wb") as out:
        proc = subprocess.run([sys.executable, "-m", "posttui", *map(str, argv)], stdout=out,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=ctx.tmp, timeout=120)
    return proc.returncode, "", proc.stderr


def ascii_stdout(argv_of):
    def setup(ctx: Ctx) -> list:
        ctx.setenv("PYTHONIOENCODING", "ascii")
        return argv_of(ctx)

    return setup


def non_ascii_post(ctx: Ctx) -> list:
    post = ctx.tmp / "Über.md"
    post.write_text("Some text with \\cite{x}.\n", encoding="utf-8")
    ctx.facts.update(draft=post, before=post.read_bytes())
    return ["check", post]


def no_exit_noise(ctx: Ctx, out: str, err: str) -> None:
    """One message, no traceback, and no 'Exception ignored' from the interpreter's own flush at exit."""
    assert "Exception ignored" not in err and err.count("posttui: error:") == 1, err


HUGE = "99999999999999999999999"
WHOLE = "is not a whole number from 1 to 9223372036854775807"

CASES = [
    # --- PT050: active content judged as the site renders it ---
    Case("raw-html-entity-encoded-javascript",
         draft_case(in_first_paragraph(' <a href="&#x6A;avascript:alert(1)">x</a>')), 1,
         "re:draft.md:\\d+:\\d+: PT050 \\[error\\] unsafe raw HTML \\(a `javascript:`/`data:` URL\\): remove it "
         "\\(fixable\\)", intact=draft_untouched),
    Case("raw-html-tab-in-scheme", draft_case(in_first_paragraph(' <a href="jav&#x09;ascript:alert(1)">x</a>')), 1,
         "re:PT050 \\[error\\] unsafe raw HTML \\(a `javascript:`/`data:` URL\\)", intact=draft_untouched),
    Case("raw-html-slash-separated-event", draft_case(in_first_paragraph(" <img/onerror=alert(1) src=x>")), 1,
         "re:PT050 \\[error\\] unsafe raw HTML \\(an `on...=` event attribute\\)", intact=draft_untouched),
    Case("markdown-link-entity-scheme", draft_case(in_first_paragraph(" [x](&#106;avascript:alert(1))")), 1,
         "re:PT050 \\[error\\] link with a `javascript:`/`data:` URL: remove it \\(fixable\\)",
         intact=draft_untouched),
    Case("markdown-link-escaped-colon", draft_case(in_first_paragraph(" [x](javascript\\:alert(1))")), 1,
         "re:PT050 \\[error\\] link with a `javascript:`/`data:` URL", intact=draft_untouched),
    Case("reference-definition-javascript", draft_case(at_end("Click [here][c].\n\n[c]: javascript:alert(1)")), 1,
         "re:PT050 \\[error\\] link definition with a `javascript:`/`data:` URL \\(kramdown makes every "
         "`\\[text\\]\\[id\\]` a live link\\): remove it \\(fixable\\)", intact=draft_untouched),
    Case("form-tag", draft_case(at_end('<form action="https://attacker.example"><input name="q"></form>')), 1,
         "re:PT050 \\[error\\] unsafe raw HTML \\(`<form>`\\): remove it \\(fixable\\)", intact=draft_untouched),
    Case("liquid-include", draft_case(at_end("{% include secret.html %}")), 1,
         "re:PT050 \\[error\\] `\\{{% include secret.html %\\}}` is Liquid, which Jekyll runs when it builds the "
         "site: remove it, or wrap literal braces in `\\{{% raw %\\}}...\\{{% endraw %\\}}` \\(fixable\\)",
         intact=draft_untouched),
    Case("liquid-output-in-code", draft_case(at_end("The config is `{{ site.github }}`.")), 1,
         "re:PT050 \\[error\\] `\\{{\\{{ site.github \\}}\\}}` is Liquid", intact=draft_untouched),
    Case("liquid-fix-wraps-in-raw", draft_fix_case(at_end("Shown as {{ site.title }} here.")), 0,
         "re:fixed 1 finding \\(PT050×1\\)",
         intact=fixed_keeps("Shown as {% raw %}{{ site.title }}{% endraw %} here.")),
    # --- checker inputs that were quadratic (bounded by the timeout; bench/hostile.py prints the times) ---
    Case("checker-56kb-unmatched-brackets", hostile_size("[x "), 0, "re:1 post checked", intact=draft_untouched,
         subprocess=True, timeout=60),
    Case("checker-56kb-unclosed-link-targets", hostile_size("[a](x "), 0, "re:1 post checked",
         intact=draft_untouched, subprocess=True, timeout=60),
    Case("checker-56kb-unclosed-math-and-code", hostile_size("\\( `` [` "), 0, "re:1 post checked",
         intact=draft_untouched, subprocess=True, timeout=60),
    Case("checker-deeply-nested-labels", hostile_size("[" * 20_000 + "x" + "](y)" * 9_000), 0,
         "re:1 post checked", intact=draft_untouched, subprocess=True, timeout=60),
    Case("checker-56kb-of-fixes", draft_fix_case(at_end("a~b \\textbf{x} 50\\% " * 3000)), 0,
         "re:fixed [\\d,]+ findings", intact=fixed_keeps("a b **x** 50%", gone=("\\textbf",)),
         subprocess=True, timeout=60),
    # --- fixes leave valid Markdown ---
    Case("fix-keeps-approximately-and-bold", draft_fix_case(at_end("A **~1700-fold speedup** over Fig.~2.")), 0,
         "re:fixed 1 finding \\(PT021×1\\)", intact=fixed_keeps("A **~1700-fold speedup** over Fig. 2.")),
    Case("fix-bold-with-spaces-inside", draft_fix_case(at_end("A \\textbf{ bold } claim.")), 0,
         "re:fixed 1 finding \\(PT021×1\\)", intact=fixed_keeps("A  **bold**  claim.")),
    Case("fix-no-broken-bold-before-punctuation", draft_case(at_end("a\\textbf{(x)}b")), 0,
         "re:PT021 \\[warning\\] `\\\\textbf\\{{...\\}}` is LaTeX: use Markdown (?!\\(fixable)",
         intact=draft_untouched),
    Case("fix-text-on-begin-marker-line",
         draft_fix_case(lambda post: post.replace("<!-- BEGINNING OF GENERATED POST -->\n",
                                                  "<!-- BEGINNING OF GENERATED POST -->", 1)), 0,
         "re:fixed 1 finding \\(PT004×1\\)", intact=fixed_keeps("<!-- BEGINNING OF GENERATED POST -->\nIn [")),
    # --- front matter ---
    Case("front-matter-backslash-escape-title", front_matter_post('title:  "$\\texttt{x}$ is fast"'), 1,
         "post.md:3:1: PT007 [error] front matter `title` holds a TAB: inside double quotes a backslash starts an "
         "escape (`\\t` is a TAB); write `\\\\` for a backslash, or use single quotes", intact=draft_untouched),
    Case("front-matter-quote-in-title", front_matter_post('title:  "a "quoted" title"'), 1,
         "post.md:3:1: PT007 [error] the front matter is not valid YAML (malformed YAML at line 2, column 13: "
         "expected <block end>, but found '<scalar>'): Jekyll will not read the post's title and date",
         intact=draft_untouched),
    Case("front-matter-line-separator", front_matter_post('title:  "a \\L b"'), 1,
         "PT007 [error] front matter `title` holds a line separator (U+2028)", intact=draft_untouched),
    Case("generated-title-with-quote-and-backslash", generated_title('A "quoted" $\\texttt{x}$ and \\alpha title'), 1,
         "re:posttui: draft written to \\S+draft.md", intact=title_round_trips),
    # --- check --fix on a file that is not a post ---
    Case("fix-refuses-a-non-post", readme_copy(True), 2,
         "posttui: error: {path}: not a post (no front matter and no BEGIN/END marker); left unchanged hint: --fix "
         "and --diff only touch posts; check it without them, or give the post file", intact=draft_untouched),
    Case("no-context-says-which-rules-it-skipped", readme_copy(False), 1,
         "", intact=no_template_findings),
    # --- sessions database ---
    Case("sessions-db-locked-listing", db_locked(["sessions"]), 2,
         "re:posttui: error: \\S+sessions.db: the session database is locked by another program \\(waited 2 s\\) "
         "hint: wait for the other posttui to finish, then try again; nothing was changed", intact=db_left_alone),
    Case("sessions-db-locked-generate", db_locked([]), 1,
         "re:posttui: sessions unavailable \\(\\S+sessions.db: the session database is locked by another program",
         intact=db_left_alone),
    Case("sessions-db-newer-listing", db_newer(["sessions"]), 2,
         "re:posttui: error: \\S+sessions.db: the session database was written by a newer posttui \\(schema version "
         "99; this posttui understands up to \\d+\\); it was left as it is hint: upgrade posttui, or set "
         "POSTTUI_DATA_DIR to use a separate database", intact=db_left_alone),
    Case("sessions-db-newer-generate", db_newer([]), 1,
         "re:posttui: sessions unavailable \\(\\S+: the session database was written by a newer posttui",
         intact=db_left_alone),
    Case("sessions-db-read-only-listing", db_read_only(["sessions"]), 0, "", intact=listed_earlier_session),
    Case("sessions-db-read-only-generate", db_read_only([]), 1,
         "re:posttui: The session database \\S+ is read-only: earlier sessions can be listed and reopened, but "
         "nothing new is recorded.", intact=then(read_only_db_untouched, draft_written)),
    Case("sessions-listing-creates-nothing", lambda ctx: ["sessions"], 0, "", intact=nothing_created),
    Case("sessions-limit-huge", lambda ctx: ["sessions", "--limit", HUGE], 2,
         f"posttui sessions: error: argument --limit: '{HUGE}' {WHOLE}", intact=nothing_created),
    Case("resume-id-huge", lambda ctx: ["resume", HUGE], 2,
         f"posttui resume: error: argument id: '{HUGE}' {WHOLE}", intact=nothing_created),
    # --- standard output ---
    Case("stdout-on-a-full-disk", lambda ctx: ["check", "--list-rules"], 2,
         "posttui: error: cannot write to standard output: the disk is full hint: send the output somewhere with "
         "room (or --out FILE where there is one)", intact=no_exit_noise),
    Case("stdout-ascii-only", ascii_stdout(non_ascii_post), 2,
         "posttui: error: cannot write `\\xdc` to standard output: its encoding is ascii hint: use a UTF-8 terminal "
         "or locale (e.g. LANG=C.UTF-8), or set PYTHONIOENCODING=utf-8",
         intact=then(draft_untouched, no_exit_noise), subprocess=True),
]

RUNNERS = {"stdout-on-a-full-disk": full_stdout_run}
GENERATE = {"sessions-db-locked-generate", "sessions-db-newer-generate", "sessions-db-read-only-generate"}


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_checker_case(case: Case, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "500")
    ctx = Ctx(tmp_path, monkeypatch, facts={"cleanup": []})
    try:
        if case.name in GENERATE:  # the fault is set up first, then a normal offline generation runs into it
            fault = case.setup
            case = Case(case.name, lambda c: [*fault(c), *offline_generate(c)], case.exit, case.message,
                        case.intact)
        runner = RUNNERS.get(case.name)
        if runner is None:
            code, out, err = run_case(case, ctx, capsys)
        else:
            code, out, err = runner(case, ctx, case.setup(ctx))
        verify(case, ctx, code, out, err, err + out)  # findings and summaries go to stdout, errors to stderr
    finally:
        for cleanup in reversed(ctx.facts["cleanup"]):
            cleanup()
