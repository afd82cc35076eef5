"""Checking drafts of one paper with the site's settings: the context is gathered once, the rules run often."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..rules import CheckContext, CheckOptions, StreamingChecker, check, fix, load_rules
from ..rules.fixes import apply_fixes


@dataclass
class Checker:
    """Checks, streams and fixes drafts of ``paper``; ``options`` come from the site's ``.posttui.toml``."""

    paper: object
    model: str | None = None
    """The model named in the post's footer (the template the draft is compared with)."""
    image_model: str | None = None
    options: CheckOptions = field(default_factory=CheckOptions)

    def __post_init__(self) -> None:
        load_rules()
        self.context = CheckContext.from_paper(self.paper, model=self.model, image_model=self.image_model)

    def check(self, text: str, *, partial: bool = False) -> list:
        return check(text, self.context, partial=partial, options=self.options)

    def streaming(self) -> StreamingChecker:
        """An incremental checker for a stream (re-checks only the changed tail)."""
        return StreamingChecker(self.context, options=self.options)

    def fix_all(self, text: str) -> tuple[str, list]:
        """Every mechanical fix, re-checked until stable: the new text and the findings that were fixed."""
        result = fix(text, self.context, options=self.options)
        return result.text, list(result.applied)

    def fix_one(self, text: str, finding) -> str:
        return apply_fixes(text, [finding.fix])[0]
