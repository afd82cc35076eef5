"""The command palette: every keymap action by name, with its current key and what it does."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .keymap import ACTIONS


class ActionCommands(Provider):
    """Offers the actions of the screen in front (greyed-out ones are left out)."""

    def _available(self):
        screen = self.screen
        keymap = dict(getattr(self.app, "keymap_overrides", {}) or {})
        for a in ACTIONS:
            if not hasattr(screen, f"action_{a.action}"):
                continue
            try:
                if screen.check_action(a.action, ()) is not True:
                    continue
            except Exception:  # noqa: BLE001 - a screen still mounting
                continue
            key = keymap.get(a.id, a.key)
            yield a, f"{a.label} ({key})", partial(screen.run_action, a.action)

    async def discover(self) -> Hits:
        for a, text, callback in self._available():
            yield DiscoveryHit(text, callback, help=a.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for a, text, callback in self._available():
            score = max(matcher.match(text), matcher.match(a.help) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=a.help)
