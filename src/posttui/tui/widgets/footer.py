"""The key footer, updated in place.

Textual's Footer removes and re-creates all its keys whenever the screen's bindings change: on every focus change,
and every time a model call starts or ends and keys are greyed out or back. That is eight rebuilds of about
fourteen keys in the main screen's first two seconds, 8-21 ms each (bench/tui.py). Mostly only which keys are
enabled has changed, and then the keys here are updated in place. Any other change rebuilds them as Textual does.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True  # what Footer's own handler sets before it schedules a rebuild
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._refresh_keys)

    def shown_keys(self) -> list[tuple[str, str, str, str, bool, str]]:
        """(key, key display, description, action, enabled, tooltip) of each key Footer.compose would show: the
        first shown binding of each action. Empty when a binding belongs to a group (only a rebuild draws those)."""
        first: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                if binding.group is not None:
                    return []
                first.setdefault(binding.action, (binding.key, self.app.get_key_display(binding),
                                                  binding.description, binding.action, enabled, tooltip))
        return list(first.values())

    async def _refresh_keys(self) -> None:
        wanted = self.shown_keys()
        keys = list(self.query_children(FooterKey))
        if not wanted or [(k.key, k.key_display, k.description, k.action) for k in keys] != [w[:4] for w in wanted]:
            await self.recompose()
            return
        for key, (*_, enabled, tooltip) in zip(keys, wanted):
            if key._disabled == enabled:  # FooterKey keeps its state in _disabled and the -disabled class
                key._disabled = not enabled
                key.set_class(not enabled, "-disabled")
            if key.tooltip != (tooltip or None):
                key.tooltip = tooltip or None
