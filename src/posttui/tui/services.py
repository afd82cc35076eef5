"""The app's one doorway into the core: checking, fixing, conversations, saving.

Screens call these small functions instead of reaching into ``posttui.rules``, ``posttui.llm`` and
``posttui.site`` directly, so the UI code reads as the user's workflow and the core stays free of Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Checker:
    """Checks drafts of one paper (the context is gathered once)."""

    paper: object
    model: str | None = None
    """The model named in the post's footer (the template the draft is compared with)."""
    image_model: str | None = None
    site: Path | None = None
    """The Jekyll site: its ``.posttui.toml`` selects rules and sets thresholds, as for ``posttui check``."""

    def __post_init__(self) -> None:
        from ..rules import CheckContext, load_rules
        from ..siteconfig import load_site_config

        load_rules()
        self.options = load_site_config(self.site).options()
        self.context = CheckContext.from_paper(self.paper, model=self.model, image_model=self.image_model)

    def check(self, text: str, *, partial: bool = False) -> list:
        from ..rules import check

        return check(text, self.context, partial=partial, options=self.options)

    def streaming(self):
        """An incremental checker for a stream (re-checks only the changed tail, at most every 0.25 s)."""
        from ..rules import StreamingChecker

        return StreamingChecker(self.context, options=self.options)

    def fix_all(self, text: str) -> tuple[str, int]:
        """Every mechanical fix, re-checked until stable; returns the text and how many fixes were applied."""
        from ..rules import fix

        result = fix(text, self.context, options=self.options)
        return result.text, len(result.applied)

    def fix_one(self, text: str, finding) -> str:
        from ..rules.fixes import apply_fixes

        return apply_fixes(text, [finding.fix])[0]


def is_site(path: Path) -> bool:
    """A Jekyll site: a folder with ``_config.yml`` and ``_posts/``."""
    return (path / "_config.yml").is_file() and (path / "_posts").is_dir()


def find_site(start: Path) -> Path | None:
    """The Jekyll site containing ``start`` (it or a parent), or None."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if is_site(candidate):
            return candidate
    return None


def saved_prompts(site: Path, limit: int = 200) -> list[Path]:
    """Saved prompts of a site, newest first."""
    folder = site / "prompts" / "content"
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.txt"), reverse=True)[:limit]


async def propose_revision(kind: str, backend, prompt: str, draft: str, findings, offset: int, check=None):
    """Ask the model for a repair of the open problems, or for the section under ``offset``; returns a
    :class:`~posttui.llm.conversation.Revision` (nothing is applied: the user accepts or rejects a diff)."""
    from ..errors import PosttuiError
    from ..llm.conversation import regenerate_section, repair
    from ..postformat import section_at

    if kind == "repair":
        return await repair(backend, prompt, draft, findings, check=check)
    section = section_at(draft, offset)
    if section is None:
        raise PosttuiError("the cursor is not in the narrative",
                           hint="put the cursor in a section of the post (between the markers) and try again")
    return await regenerate_section(backend, prompt, draft, section, check=check)


def existing_files(site: Path, paper) -> list[Path]:
    from ..site import Site

    return Site(site).existing(paper.post_name)


def existing_post(site: Path, paper) -> str | None:
    from ..site import Site

    path = Site(site).paths(paper.post_name).post
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


async def save_post(site: Path, paper, text: str, prompt: str, backend, *, config=None, force: bool = False,
                    warn=None) -> list[Path]:
    """Write the post, its prompt, its image prompt (a second model call, as the site does) and, when
    ``image_generation`` is on, the header image, atomically. A failed image prompt or image is reported through
    ``warn`` and the post is saved without it: a post without a picture is still a post."""
    import asyncio

    from ..errors import LLMError
    from ..llm.image import generate_image, write_image_prompt
    from ..site import Site

    target = Site(site)
    image_prompt = image = None
    try:
        image_prompt = (await write_image_prompt(backend, text, config=config)).text
    except LLMError as exc:
        if warn:
            warn(f"No image prompt (the post is saved without one): {exc}")
    if config is not None and config.image_generation and image_prompt:
        try:
            image = (await generate_image(backend, image_prompt, config=config)).data
        except LLMError as exc:
            if warn:
                warn(f"No header image (the post is saved without one): {exc}")
    report = await asyncio.to_thread(
        target.save, paper.post_name, post=text, prompt=prompt, image_prompt=image_prompt, image=image, force=force
    )
    return list(report.written)
