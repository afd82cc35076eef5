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

:class:`DirectBindings` (the app) goes one step further for a key the focused widget itself would not use (a
widget says which keys it uses: :meth:`DirectKeys.leaves_key`): its bindings are looked up at once, where Textual
looks up the priority bindings, and the key goes nowhere when one of them runs. That is one hand-off instead of
three. It is done only when no earlier key is still on its way (keys handed to a widget are counted until they are
done or back at the app), so that a binding never runs before the keys typed ahead of it. One thing differs from
Textual, for keys that arrive faster than they are handled: Textual lets keys typed after a binding key land while
that key climbs, before its binding runs; looked up at once, the binding runs first, as when each key is handled
before the next arrives.
"""

from __future__ import annotations

import weakref
from functools import lru_cache

from textual import events
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.widgets import TextArea

_KEY_MESSAGES = frozenset(events.Key.__mro__)
"""A key handler registered with ``@on`` for any of these classes receives keys."""

_DEFAULT_KEY_HANDLERS = frozenset({Widget, DOMNode, MessagePump, object})
"""Classes whose key handling is Textual's default: ``Widget._on_key`` calls ``key_<name>`` methods, checked
per key by :func:`_has_key_method`."""


@lru_cache(maxsize=None)
def _handles_keys(cls: type, described: type | None = None) -> bool:
    """Whether a class, or one it derives from (beyond Textual's defaults and ``described``, whose handler the
    widget describes itself), has a key handler of its own."""
    for base in cls.__mro__:
        if base in _DEFAULT_KEY_HANDLERS or base is described:
            continue
        namespace = vars(base)
        if "_on_key" in namespace or "on_key" in namespace:
            return True
        decorated = namespace.get("_decorated_handlers") or {}
        if any(message in _KEY_MESSAGES for message in decorated):
            return True
    return False


def _has_key_method(node: MessagePump, event: events.Key) -> bool:
    """Whether ``node`` has a ``key_<name>`` method for ``event`` (which ``Widget._on_key`` would call)."""
    return any(hasattr(node, f"key_{alias}") or hasattr(node, f"_key_{alias}") for alias in event.name_aliases)


def _passes_on(node: MessagePump, event: events.Key) -> bool:
    """Whether ``node`` would pass ``event`` up unchanged: no handler of its own for it, running, attached, and
    taking keys (see the module)."""
    if _handles_keys(type(node)) or node._closing or node._closed or not node.check_message_enabled(event):
        return False
    if isinstance(node, Widget) and not node.is_attached:
        return False
    return not _has_key_method(node, event)


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

    KEY_HANDLER_DESCRIBED: type | None = None
    """The class whose key handler :meth:`leaves_key` describes (None: the widget has no handler of its own)."""

    def leaves_key(self, event: events.Key) -> bool:
        """Whether the widget's own handlers would do nothing with ``event`` but pass it on. Any other handler
        (a subclass's, ``@on``, a ``key_`` method) makes it False; a widget with a handler of its own describes it
        by overriding this (and setting :attr:`KEY_HANDLER_DESCRIBED`)."""
        return not _handles_keys(type(self), self.KEY_HANDLER_DESCRIBED) and not _has_key_method(self, event)

    def left_key(self, event: events.Key) -> None:
        """Do what the widget's handlers do with a key they leave, when its binding runs without it coming here."""

    def _forward_event(self, event) -> None:
        if type(event) is events.Key:
            _keys_out(self.app).add(event)  # on its way until done here or back at the app
        super()._forward_event(event)

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
            _keys_out(self.app).discard(message)  # done
            return
        target = direct_route(self, message)
        if target is None:  # (checked after the widget's handlers, which may have moved or removed things)
            target = self._parent
            if message._sender is not None and message._sender is target:
                message.stop()  # what Textual does when the parent sent the key
            if target is None or not self.is_parent_active:
                _keys_out(self.app).discard(message)
                return
        message._bubble_to(target)


class TextAreaKeys(DirectKeys):
    """:class:`DirectKeys` for a TextArea, whose key handler inserts printable keys and Enter (and, when Tab
    indents, Tab and Escape), and restarts the cursor's blink for every key."""

    KEY_HANDLER_DESCRIBED = TextArea

    def leaves_key(self, event: events.Key) -> bool:
        if event.is_printable or event.key == "enter":
            return False
        if self.tab_behavior == "indent" and event.key in ("tab", "escape"):
            return False
        return super().leaves_key(event)

    def left_key(self, event: events.Key) -> None:
        self._restart_blink()


def _keys_out(app) -> weakref.WeakSet:
    """The keys the app handed to a :class:`DirectKeys` widget that are not done yet (a key dropped unhandled, with
    a widget removed, drops out by itself)."""
    out = getattr(app, "_direct_keys_out", None)
    if out is None:
        out = app._direct_keys_out = weakref.WeakSet()
    return out


class DirectBindings:
    """For the app: the bindings of a key the focused widget would not use are looked up at once (see the
    module)."""

    _key_arriving: events.Key | None = None

    async def on_event(self, event) -> None:
        if type(event) is not events.Key:
            await super().on_event(event)
        elif event.is_forwarded:  # a key back from a widget
            try:
                await super().on_event(event)
            finally:
                _keys_out(self).discard(event)
        else:
            self._key_arriving = event
            try:
                await super().on_event(event)
            finally:
                self._key_arriving = None

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        if await super()._check_bindings(key, priority):
            return True
        event, self._key_arriving = self._key_arriving, None
        if not priority or event is None or event.key != key:
            return False
        # Where Textual found no priority binding and would hand the key to the focused widget.
        focused = self.focused
        if (not isinstance(focused, DirectKeys) or _keys_out(self) or not focused.leaves_key(event)
                or direct_route(focused, event) is not self):
            return False
        focused.left_key(event)
        return await super()._check_bindings(key)
