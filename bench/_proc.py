"""Process-level measurements shared by the bench scripts: CPU time and peak RSS of one child process.

CPU time (user + system) rather than wall time, so a busy neighbour on the shared machine inflates the numbers
less; each command runs several times and the lowest value is kept (noise only ever adds time). Children may
cache bytecode (see :func:`bench_env`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PEERS = {"pymarkdown": "pymarkdownlnt", "mdformat": "mdformat", "arxiv-to-prompt": "arxiv-to-prompt"}
"""Peer command -> the PyPI package that provides it (the project's optional ``bench`` extra)."""


@dataclass
class Run:
    cpu: float
    """User + system CPU seconds of the child."""
    rss_mib: float
    """Peak resident set size of the child, MiB."""
    returncode: int


def bench_env() -> dict[str, str]:
    """The environment for measured commands: Python may cache bytecode (in a folder of its own under the temp
    directory, never in the source tree), as it does for any installed program. With PYTHONDONTWRITEBYTECODE set
    (as in some shells), every run of an editable install would compile each posttui module again, while the
    peers, installed from wheels, load their bytecode: that measures the environment, not the program."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "posttui-bench-pycache")
    return env


def with_bytecode_cache() -> None:
    """Run this bench script again under :func:`bench_env` when this process may not cache bytecode: what a script
    measures in process (the app's UI-loop steps in bench/tui.py) would otherwise include compiling, on the UI
    thread, modules the app imports as it goes, a cost an installed posttui does not have. (On this project's VM
    the effect on the worst step was within the machine's own noise, issue 14's fifth note.)"""
    if sys.dont_write_bytecode and not os.environ.get("POSTTUI_BENCH_REEXEC"):
        env = {**bench_env(), "POSTTUI_BENCH_REEXEC": "1"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def run_once(argv: list[str], *, cwd: str | Path | None = None) -> Run:
    """Run ``argv`` with its output discarded and return its own CPU time and peak RSS (``wait4``)."""
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=sink, cwd=cwd, env=bench_env())
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def best(argv: list[str], repeat: int = 3, **kwargs) -> Run:
    """The lowest CPU time (and lowest peak RSS) of ``repeat`` runs, after one unmeasured run (which may write the
    bytecode cache)."""
    run_once(argv, **kwargs)
    runs = [run_once(argv, **kwargs) for _ in range(repeat)]
    return Run(min(r.cpu for r in runs), min(r.rss_mib for r in runs), runs[0].returncode)


def best_interleaved(argvs: list[list[str]], repeat: int = 7, **kwargs) -> list[Run]:
    """:func:`best` of each command, their runs taken in turn (A B A B ...) after one unmeasured run of each: on a
    shared machine a slow spell then touches every command alike, and the lowest of more runs is nearer each
    one's own cost (noise only ever adds time)."""
    for argv in argvs:
        run_once(argv, **kwargs)
    runs: list[list[Run]] = [[] for _ in argvs]
    for _ in range(repeat):
        for argv, kept in zip(argvs, runs):
            kept.append(run_once(argv, **kwargs))
    return [Run(min(r.cpu for r in kept), min(r.rss_mib for r in kept), kept[0].returncode) for kept in runs]


def peer(command: str) -> list[str] | None:
    """The argv prefix of a peer tool installed beside this Python, or None (with a note on how to get it)."""
    found = Path(sys.executable).parent / command
    path = str(found) if found.is_file() else shutil.which(command)
    if path is None:
        print(f"({command} is not installed: pip install -e '.[bench]' (package {PEERS.get(command, command)}) "
              "to compare against it)")
        return None
    return [path]


POSTTUI = [sys.executable, "-m", "posttui"]
