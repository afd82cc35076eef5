"""The app's questions around a model's proposal and around saving: shown as dialogs, decided by the user.

Both flows ask the workflow (:class:`posttui.workflow.Review`) what is true and let it act: a revision is shown
as a diff and accepted or rejected; the approval gate's open errors and existing files are each confirmed
separately (allowing errors never replaces a file, replacing a file never lets errors through).
"""

from __future__ import annotations

import asyncio

from ..errors import LLMError, PosttuiError
from .keymap import key_of
from ..postformat import section_at
from .screens.dialogs import ConfirmDialog, DiffDialog, ProgressDialog
from .widgets.problems import severity_of


async def revise(screen, kind: str, offset: int = 0) -> None:
    """Ask for a repair or a section, show the diff, and make it the draft if the user accepts."""
    review, app = screen.review, screen.app
    progress = ProgressDialog(_progress_title(review.text, kind, offset), screen.action_stop)
    await app.push_screen(progress)
    try:
        revision = await review.propose(kind, offset=offset, on_chunk=progress.write)
    except LLMError as exc:
        screen.notify(str(exc), title=f"{kind.title()} failed", severity="error", timeout=15)
        return
    except PosttuiError as exc:
        screen.notify(str(exc), title=f"{kind.title()} not possible", severity="warning", timeout=10)
        return
    finally:
        await _close(app, progress)
    what = "Repair of the open problems" if kind == "repair" else f"New text for {revision.section.label}"
    remaining = [f for f in revision.findings if severity_of(f) == "error"]
    note = f"After it, {len(remaining)} error(s) remain." if remaining else "After it, no error remains."
    if await app.push_screen_wait(DiffDialog(f"{what}: accept?", review.text, revision.text, intro=note)):
        review.accept(revision)
        screen.show_text(review.text)
        screen.notify(f"{kind.title()} accepted; {key_of(app, 'undo_version')} goes back.")
    else:
        screen.notify(f"{kind.title()} rejected; the draft is unchanged.")


def _progress_title(text: str, kind: str, offset: int) -> str:
    if kind == "repair":
        return "Repairing the open problems: the new draft as it arrives"
    section = section_at(text, offset)
    label = (section.heading or "the opening") if section is not None else "the section"
    return f'Regenerating "{label}": the new text as it arrives'


async def _close(app, dialog) -> None:
    """Take ``dialog`` off the screen stack once it is on top again (the quit question may have opened above it)."""
    while dialog in app.screen_stack and app.screen is not dialog:
        await asyncio.sleep(0.05)
    if app.screen is dialog:
        await app.pop_screen()


async def approve(screen) -> None:
    """The approval gate as questions, then the save."""
    review, app = screen.review, screen.app
    gate = await asyncio.to_thread(review.approval)
    screen.show_findings(review.text, review.findings)
    allow_errors = overwrite = False
    if gate.errors:
        n = len(gate.errors)
        listing = "\n".join(f"• {f.rule} line {f.line}: {f.message}" for f in gate.errors[:20])
        more = f"\n… and {n - 20} more" if n > 20 else ""
        allow_errors = await app.push_screen_wait(ConfirmDialog(
            f"Not saved: {n} error-level problem{'s' if n != 1 else ''} open",
            f"{listing}{more}\n\nFix them (Fix all, Repair, or edit), or save anyway.",
            yes="Save anyway", no="Back to the draft", danger=True, id="errors-dialog"))
        if not allow_errors:
            screen.notify("Not saved.")
            return
    if gate.existing:
        listed = "\n".join(f"  {p.relative_to(review.site.root)}" for p in gate.existing)
        title = f"Overwrite {len(gate.existing)} file{'s' if len(gate.existing) != 1 else ''} in the site?"
        intro = f"Already in the site:\n{listed}"
        dialog = (DiffDialog(title, gate.old_post, review.text, yes="Overwrite", no="Keep the old files",
                             old_name="site", new_name="draft", danger=True,
                             intro=intro + "\n\nThe post changes like this:")
                  if gate.old_post is not None else
                  ConfirmDialog(title, intro, yes="Overwrite", no="Keep the old files", danger=True,
                                id="overwrite-dialog"))
        overwrite = await app.push_screen_wait(dialog)
        if not overwrite:
            screen.notify("Not saved; the files in the site are unchanged.")
            return
    try:
        report = await review.save(allow_errors=allow_errors, overwrite=overwrite)
    except PosttuiError as exc:
        screen.notify(str(exc), title="Not saved", severity="error", timeout=15)
        return
    screen.notify("Saved:\n" + "\n".join(str(p.relative_to(review.site.root)) for p in report.written), timeout=10)
    if review.text != screen.editor.text:  # the image lines settled on save (posttui.claims)
        screen.show_text(review.text)
