"""The bad-input and fault catalogue's machinery: the Case record, input builders, and the runner.

A case builds its input (or its fault) under a temporary folder, runs one posttui command the way a user would
(``posttui.cli.main(argv)`` in-process, or a real subprocess when it must be killed, timed out or run twice at
once), and then checks three things: the exit status, the exact message the user sees (whitespace-normalised,
because rich wraps warnings to the terminal width), and what must still be intact afterwards.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from posttui.cli import main
from fixture_papers import GENERATE_PAPER, generate_paper

FIXTURE = GENERATE_PAPER
POST_NAME = "2025-03-06-2503.04567"

TEX = (
    "\\documentclass{article}\n\\title{A Title}\n\\begin{document}\n"
    "\\begin{abstract}An abstract.\\end{abstract}\nHello \\cite{a}.\n\\end{document}\n"
)
META = (
    "title: A Title\npublished: '2024-01-02T00:00:00Z'\nid: http://arxiv.org/abs/2401.00001v1\n"
    "summary: An abstract.\nauthors:\n- name: Ada Lovelace\n"
)


def squash(text: str) -> str:
    """Whitespace-normalised text: rich wraps long warnings at the terminal width."""
    return " ".join(text.split())


@dataclass
class Ctx:
    """What a case's setup and checks share: the temporary folder, the environment, facts to check later."""

    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    env: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)

    def setenv(self, name: str, value: str) -> None:
        self.env[name] = value
        self.monkeypatch.setenv(name, value)

    def bundle(self, name: str, files: dict[str, str | bytes]) -> Path:
        """A source folder with ``files`` (relative name -> text or bytes)."""
        folder = self.tmp / name
        for rel, data in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def tarball(self, name: str, members: list[tuple[tarfile.TarInfo, bytes | None]], *, gz: bool = True) -> Path:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for info, data in members:
                tar.addfile(info, io.BytesIO(data) if data is not None else None)
        raw = buffer.getvalue()
        path = self.tmp / name
        path.write_bytes(gzip.compress(raw, mtime=0) if gz else raw)
        return path


def member(name: str, data: bytes = b"", *, kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple:
    """One tar member: a regular file with ``data``, or a link/device of ``kind``."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o644
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        return info, data
    return info, None


@dataclass
class Case:
    """One bad input or fault and the answer posttui owes the user."""

    name: str
    setup: Callable[[Ctx], list[str]]
    """Builds the input/fault under ``ctx.tmp``; returns the posttui argv."""
    exit: int
    message: str
    """The text the user must see on stderr, whitespace-normalised; ``{name}`` fields come from ``ctx.facts``.
    A value starting with ``re:`` is a regular expression (searched, whitespace-normalised) instead."""
    intact: Callable[[Ctx, str, str], None] | None = None
    """Checks what must still hold afterwards (files untouched, nothing created, ...); gets ctx, stdout, stderr."""
    library: Callable[[Ctx], Any] | None = None
    """The same input through the library API; must raise ``error``."""
    error: type[BaseException] | None = None
    subprocess: bool = False
    """Run as a real ``python -m posttui`` process (bounded by ``timeout``) instead of in-process."""
    timeout: float = 120.0
    xfail: str | None = None
    """Reason, when the case documents a known bug its owner has not fixed yet (strict xfail)."""

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail)] if self.xfail else []
        return pytest.param(self, id=self.name, marks=marks)


def run_case(case: Case, ctx: Ctx, capsys) -> tuple[int, str, str]:
    argv = [str(a) for a in case.setup(ctx)]
    if case.subprocess:
        env = dict(os.environ, **ctx.env, PYTHONUNBUFFERED="1")
        proc = subprocess.run(
            [sys.executable, "-m", "posttui", *argv],
            capture_output=True, text=True, env=env, cwd=ctx.tmp, timeout=case.timeout,
        )
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    else:
        capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
    return code, out, err


def check_message(case: Case, ctx: Ctx, err: str) -> None:
    seen = squash(err)
    if case.message.startswith("re:"):
        pattern = squash(case.message[3:].format(**ctx.facts))
        assert re.search(pattern, seen), f"{case.name}: /{pattern}/ not in stderr:\n{err}"
    else:
        expected = squash(case.message.format(**ctx.facts))
        assert expected in seen, f"{case.name}: expected message not in stderr.\nexpected: {expected}\nstderr:\n{err}"
    assert "Traceback" not in err, f"{case.name}: a traceback reached the user:\n{err}"


fixture_paper = generate_paper


def verify(case: Case, ctx: Ctx, code: int, out: str, err: str, stream: str) -> None:
    """The checks every catalogue case makes: exit status, the message in ``stream``, what must be intact, and the
    library's exception type."""
    assert code == case.exit, f"{case.name}: exit {code}, expected {case.exit}\n{err[-3000:]}"
    if case.message:
        check_message(case, ctx, stream)
    if case.intact is not None:
        case.intact(ctx, out, err)
    if case.library is not None:
        with pytest.raises(case.error):
            case.library(ctx)


def saved_prompt_source(ctx: Ctx, paper=None, name: str = POST_NAME) -> Path:
    """The fixture paper written as a saved prompt (a source ``posttui generate`` accepts)."""
    from posttui.prompt import saved_prompt_text

    path = ctx.tmp / f"{name}.txt"
    path.write_text(saved_prompt_text(paper or fixture_paper()), encoding="utf-8")
    return path


def make_site(ctx: Ctx, name: str = "site") -> Path:
    root = ctx.tmp / name
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: test\n")
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative name -> bytes), to compare before and after."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
