"""Corpus parity check: every saved prompt of the site (and the seed) survives ``unpack`` + ``prompt --saved``.

Usage: ``python scripts/corpus_prompts.py SHARED_DIR`` (the directory holding ``corpus/site`` and ``seeds``).
For each ``corpus/site/prompts/content/*.txt`` except ``index.txt``, and for ``seeds/*.txt``, it runs the CLI
path ``posttui unpack FILE DIR`` then ``posttui prompt DIR --saved --out OUT`` and compares OUT with the original
bytes. It also checks that loading the saved prompt directly re-renders it. Prints the counts; exits 1 unless
every file is byte-identical.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path


def saved_prompts(shared: Path) -> list[Path]:
    content = shared / "corpus" / "site" / "prompts" / "content"
    files = sorted(p for p in content.glob("*.txt") if p.name != "index.txt")
    files += sorted((shared / "seeds").glob("*.txt"))
    return files


def _cli(argv: list[str]) -> tuple[int, str]:
    from posttui.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


def check(path: Path, work: Path) -> str | None:
    """None when the file round-trips exactly, else what went wrong."""
    from posttui.sources import load
    from posttui.prompt import saved_prompt_text

    original = path.read_bytes()
    direct = saved_prompt_text(load(path)).encode("utf-8")
    if direct != original:
        return f"direct re-render differs ({len(direct)} vs {len(original)} bytes)"
    bundle = work / path.stem
    code, err = _cli(["unpack", str(path), str(bundle)])
    if code != 0:
        return f"unpack failed: {err.strip()}"
    out = work / f"{path.stem}.out.txt"
    code, err = _cli(["prompt", str(bundle), "--saved", "--out", str(out)])
    if code != 0:
        return f"prompt --saved failed: {err.strip()}"
    produced = out.read_bytes()
    if produced != original:
        at = next((i for i, (a, b) in enumerate(zip(produced, original)) if a != b), min(len(produced), len(original)))
        return f"differs from byte {at} ({len(produced)} vs {len(original)} bytes): {produced[at:at + 60]!r}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    shared = Path(argv[1])
    files = saved_prompts(shared)
    if not files:
        print(f"no saved prompts under {shared}", file=sys.stderr)
        return 1
    failures = []
    with tempfile.TemporaryDirectory(prefix="posttui-corpus-prompts-") as tmp:
        for path in files:
            problem = check(path, Path(tmp))
            if problem:
                failures.append((path, problem))
                print(f"FAIL {path.name}: {problem}")
    ok = len(files) - len(failures)
    print(f"prompt parity: {ok}/{len(files)} saved prompts byte-identical after unpack + prompt --saved "
          f"({100.0 * ok / len(files):.1f}%)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
