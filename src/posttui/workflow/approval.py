"""The approval gate: what stands between a draft and the site, judged the same way in every front end.

Saving needs a site, no open error (unless the user explicitly allows errors), and no file in the way (unless
the user explicitly allows replacing, after seeing what changes). The two permissions are separate: replacing
an old post never lets a draft with errors through, and allowing errors never replaces a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PosttuiError


class ApprovalError(PosttuiError):
    """Saving was refused by the gate (errors open, or files in the way); nothing was written."""


@dataclass
class Approval:
    """What saving the current draft would meet."""

    site: object
    """The :class:`~posttui.site.Site` the post would be saved into."""
    post_name: str
    errors: list = field(default_factory=list)
    """Error-level findings open in the draft."""
    existing: list[Path] = field(default_factory=list)
    """Files the save would write that already exist in the site."""
    old_post: str | None = None
    """The text of the post already in the site (to show what changes), or None."""
    image: bool = False
    """Whether saving makes the header image (``image_generation`` on); otherwise the post has none."""

    def refusal(self, *, allow_errors: bool = False, overwrite: bool = False) -> ApprovalError | None:
        """Why saving with these permissions is refused, or None when it may go ahead."""
        if self.errors and not allow_errors:
            n = len(self.errors)
            listed = "; ".join(f"{f.rule} line {f.line}" for f in self.errors[:5])
            more = f" and {n - 5} more" if n > 5 else ""
            return ApprovalError(
                f"not saved: {n} error-level problem{'s' if n != 1 else ''} open ({listed}{more})",
                hint="fix them (mechanical fixes, repair, or an edit), or save anyway with --allow-errors",
            )
        if self.existing and not overwrite:
            root = Path(str(getattr(self.site, "root", "")))
            listed = ", ".join(_relative(p, root) for p in self.existing)
            return ApprovalError(
                f"already in the site: {listed}; nothing was written",
                path=root,
                hint="use --force to replace them (posttui never overwrites a post silently)",
            )
        return None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
