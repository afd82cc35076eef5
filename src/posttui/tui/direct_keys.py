"""A key the focused widget does not use goes straight to the app's bindings, not through each container (issue 14).

Textual gives a key to the focused widget. When the widget does not stop it, the key goes up the DOM, one message
queue at a time: each container, then the screen, then the app, which looks up the bindings (the widget's own, the
screen's, the app's). Every hand-off waits for a turn of the event loop, and so for every heavy step that is ready
in that turn. At the end of a stream, a key bound on the screen waited through two or three such steps, 46-50 ms
median (bench/tui.py end), where one hand-off would have waited through one.

The containers above our widgets have no key handlers, and neither does the screen, so the hand-offs do nothing but
wait. :class:`DirectKeys` sends a key its widget leaves to the app at once when every node in between would have
passed it on unchanged:
- none defines a key handler (``_on_key``, ``on_key``, ``@on(events.Key)``) beyond Textual's default, nor a
  ``key_<name>`` method for the key;
- each is running, attached and takes keys (not disabled for them);
- none is the key's sender (Textual stops a key at its sender's child).
Otherwise the key takes Textual's way. The app then handles it exactly as a key that climbed the DOM: the same
bindings, found from the focused widget up, in the same order. Keys keep their order: each passes through the
focused widget's queue and then the app's, as before.
"""

from __future__ import annotations

from functools import lru_cache

from textual import events
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.widget import Widget

_KEY_MESSAGES = frozenset(events.Key.__mro__)
"""A key handler registered with ``@on`` for any of these classes receives keys."""

_DEFAULT_KEY_HANDLERS = frozenset({Widget, DOMNode, MessagePump, object})
"""Classes whose key handling is Textual's default: ``Widget._on_key`` calls ``key_<name>`` methods, checked
per key by :func:`_passes_on`."""


@lru_cache(maxsize=None)
def _handles_keys(cls: type) -> bool:
    """Whether a class, or one it derives from (beyond Textual's defaults), has a key handler of its own."""
    for base in cls.__mro__:
        if base in _DEFAULT_KEY_HANDLERS:
            continue
        namespace = vars(base)
        if "_on_key" in namespace or "on_key" in namespace:
            return True
        decorated = namespace.get("_decorated_handlers") or {}
        if any(message in _KEY_MESSAGES for message in decorated):
            return True
    return False


def _passes_on(node: MessagePump, event: events.Key) -> bool:
    """Whether ``node`` would pass ``event`` up unchanged: no handler of its own for it, running, attached, and
    taking keys (see the module)."""
    if _handles_keys(type(node)) or node._closing or node._closed or not node.check_message_enabled(event):
        return False
    if isinstance(node, Widget) and not node.is_attached:
        return False
    return not any(hasattr(node, f"key_{alias}") or hasattr(node, f"_key_{alias}") for alias in event.name_aliases)


def direct_route(widget: Widget, event: events.Key) -> MessagePump | None:
    """The app, when ``event`` may go to it straight from ``widget`` (see the module); else None."""
    app = widget.app
    node = widget._parent
    while node is not app:
        if node is None or node is event._sender or not _passes_on(node, event):
            return None
        node = node._parent
    return app


class DirectKeys:
    """For a focusable widget: a key it does not stop goes straight to the app when the nodes in between would
    only pass it on (see the module)."""

    async def _on_message(self, message) -> None:
        if type(message) is not events.Key or not message.bubble:
            await super()._on_message(message)
            return
        message.bubble = False  # the widget's own handlers run as ever; only the climb is ours
        try:
            await super()._on_message(message)
        finally:
            del message.bubble
        if message._stop_propagation or not self.is_attached:
            return
        target = direct_route(self, message)
        if target is None:  # (checked after the widget's handlers, which may have moved or removed things)
            target = self._parent
            if message._sender is not None and message._sender is target:
                message.stop()  # what Textual does when the parent sent the key
            if target is None or not self.is_parent_active:
                return
        message._bubble_to(target)
