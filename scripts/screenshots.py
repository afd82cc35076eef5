"""Write the README's screenshots (SVG) into screenshots/ by driving the real app headless on the example paper.

    python scripts/screenshots.py [OUTDIR]

Uses a temporary data folder and site, the offline writer, and no network.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "synthetic-paper"


def _damaged(post: str) -> str:
    """The offline post with two typical model mistakes, so the screenshots show problems highlighted."""
    return post.replace("Okonkwo et al. showed", "\\citet{okonkwo2024} showed", 1).replace(
        "(https://doi.org/10.3847/1538-4357/ac6a1f)", "(http://dx.doi.org/10.3847/1538-4357/ac6a1f)", 1)


async def _idle(pilot, screen) -> None:
    for _ in range(400):
        await pilot.pause(0.05)
        if not screen.busy and screen.review.checker_ready \
                and screen.checks.idle \
                and not [w for w in screen.workers if w.group.startswith("preview") and w.is_running]:
            return
    raise SystemExit("the app did not settle")


async def _main_screen(paper, store, site, size, out: Path, name: str, *, refused: bool = False) -> None:
    from posttui.llm.offline import OfflineBackend
    from posttui.tui.app import PosttuiApp

    app = PosttuiApp(paper=paper, store=store, site=site, offer_resume=False,
                     backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=size) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "MainScreen" and app.screen.review.checker_ready:
                break
        screen = app.screen
        await pilot.press("ctrl+g")
        await _idle(pilot, screen)
        text = _damaged(screen.editor.text)
        screen.review.record(text, "edit")
        screen.show_text(text)
        await _idle(pilot, screen)
        screen.problems.focus()
        await pilot.press("enter")
        screen.problems.focus()
        if refused:
            screen.show_text(text.replace("In [2611.01234](https://arxiv.org/abs/2611.01234), ", "In this paper, "))
            await _idle(pilot, screen)
            await pilot.press("ctrl+s")
            await pilot.pause(0.5)
        app.clear_notifications()
        await pilot.pause(0.2)
        app.save_screenshot(f"{name}.svg", str(out))


async def _start(store, size, out: Path) -> None:
    from posttui.tui.app import PosttuiApp

    app = PosttuiApp(store=store, backend_name="offline")
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        app.save_screenshot("start.svg", str(out))


async def _help(paper, store, out: Path) -> None:
    from posttui.llm.offline import OfflineBackend
    from posttui.tui.app import PosttuiApp

    app = PosttuiApp(paper=paper, store=store, offer_resume=False, backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("f1")
        await pilot.pause(0.3)
        app.save_screenshot("help.svg", str(out))


async def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["POSTTUI_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.pop("GEMINI_API_KEY", None)
        os.environ.pop("GOOGLE_API_KEY", None)
        import posttui
        from posttui.session import SessionStore

        site = Path(tmp) / "site"
        (site / "_posts").mkdir(parents=True)
        (site / "_config.yml").write_text("title: Example group\n", encoding="utf-8")
        paper = posttui.load(EXAMPLE)
        store = SessionStore.open(Path(tmp) / "sessions.db")
        await _main_screen(paper, store, site, (120, 40), out, "main-120x40")
        await _main_screen(paper, store, site, (80, 24), out, "main-80x24")
        await _main_screen(paper, store, site, (120, 40), out, "approve-refused", refused=True)
        await _start(store, (100, 30), out)
        await _help(paper, store, out)
        store.close()
    for path in sorted(out.glob("*.svg")):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    raise SystemExit(asyncio.run(main(target)))
