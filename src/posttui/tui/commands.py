"""The command palette: every keymap action by name, with its current key and what it does; actions that cannot
run now are listed too, dimmed, with the reason (choosing one says why instead of doing nothing)."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from .keymap import ACTIONS, key_of


class ActionCommands(Provider):
    """Offers the actions of the screen in front."""

    def _entries(self):
        screen = self.screen
        why_not = getattr(screen, "why_not", None)
        for a in ACTIONS:
            if not hasattr(screen, f"action_{a.action}"):
                continue
            text = f"{a.label} ({key_of(self.app, a.id)})"
            try:
                reason = why_not(a.action) if why_not is not None else None
            except Exception:  # noqa: BLE001 - a screen still mounting
                reason = "the screen is still opening"
            if reason is None:
                yield a, text, a.help, partial(screen.run_action, a.action), True
            else:
                note = f"unavailable: {reason}"
                yield a, text, note, partial(self.app.notify, f"{a.label} is {note}.", timeout=4), False

    async def discover(self) -> Hits:
        for a, text, help, callback, enabled in self._entries():
            yield DiscoveryHit(text if enabled else Text(text, style="dim"), callback, text=text, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for a, text, help, callback, enabled in self._entries():
            score = max(matcher.match(text), matcher.match(a.help) * 0.5)
            if score > 0:
                shown = matcher.highlight(text)
                if not enabled:
                    shown.stylize("dim")
                    score *= 0.5  # what can run comes first
                yield Hit(score, shown, callback, text=text, help=help)
