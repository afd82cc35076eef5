"""Keys as data: every action of the app has an id, a default key, a label and a help text.

Bindings, the footer, the help screen and the command palette are all built from :data:`ACTIONS`, so a user can
remap any key by id in ``keys.toml`` beside the config file (``[keys]`` table: ``generate = "f5"``), applied with
:meth:`textual.app.App.set_keymap`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding

from ..errors import ConfigError


@dataclass(frozen=True)
class Action:
    id: str
    key: str
    action: str
    label: str
    help: str
    priority: bool = False
    show: bool = True


ACTIONS: tuple[Action, ...] = (
    Action("generate", "ctrl+g", "generate", "Generate", "Write a new draft with the model (the old one stays in history)", True),
    Action("stop", "escape", "stop", "Stop", "Stop the running model call at once (draft, repair, section, image prompt), keeping what arrived", True),
    Action("regenerate", "ctrl+r", "regenerate_section", "Regen section", "Rewrite the section under the cursor; shown as a diff to accept or reject", True, False),
    Action("repair", "ctrl+t", "repair", "Repair", "Ask the model to fix the open problems; shown as a diff to accept or reject", True, False),
    Action("fix_all", "ctrl+l", "fix_all", "Fix all", "Apply every mechanical fix (no model call)", True),
    Action("fix_one", "f", "fix_selected", "Fix", "Apply the fix of the selected problem (in the Problems list)", False),
    Action("undo_version", "ctrl+u", "undo_version", "Undo ver", "Go back to the previous draft version (kept across restarts)", True, False),
    Action("redo_version", "ctrl+y", "redo_version", "Redo ver", "Go forward again to the version an undo left", True, False),
    Action("approve", "ctrl+s", "approve", "Approve", "Approve and save post, prompt and image prompt into the site", True),
    Action("edit", "ctrl+e", "external_edit", "$EDITOR", "Edit the draft in $EDITOR; it reloads and re-checks on return", True, False),
    Action("view", "f2", "cycle_view", "Editor/Preview", "Switch the view: editor, split, preview (below 80 columns: draft, preview, paper)", True, False),
    Action("problems", "f3", "focus_problems", "Problems", "Move to the Problems list (Enter jumps to the problem)", True, False),
    Action("tabs", "f4", "next_tab", "Next tab", "Show the next paper tab: Source, References, Authors, Prompt", True, False),
    Action("help", "f1", "help", "Help", "Show every key", True),
    Action("quit", "ctrl+q", "quit_app", "Quit", "Quit (asks when there is unsaved work)", True),
)

BY_ID = {a.id: a for a in ACTIONS}


def bindings(ids: tuple[str, ...] | None = None) -> list[Binding]:
    chosen = ACTIONS if ids is None else tuple(BY_ID[i] for i in ids)
    return [
        Binding(a.key, a.action, a.label, show=a.show, priority=a.priority, tooltip=a.help, id=a.id)
        for a in chosen
    ]


def key_of(app, action_id: str) -> str:
    """The key that runs ``action_id`` now (the user's keymap, else the default), for hints and messages."""
    return (getattr(app, "keymap_overrides", None) or {}).get(action_id, BY_ID[action_id].key)


def help_rows(overrides: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(key, id, what it does) for every key: the help screen shows these, and the README's key table lists the
    same rows (a test compares them)."""
    overrides = overrides or {}
    rows = [(overrides.get(a.id, a.key), a.id, a.help) for a in ACTIONS]
    rows += [("enter", "jump", "In the Problems list: show the problem in the editor (the list keeps the focus, "
                               "so the fix key fixes it)"),
             ("ctrl+p", "palette", "Command palette: every action by name (unavailable ones say why)"),
             ("tab", "", "Move between the panes")]
    return rows


OTHER_KEYS = {"enter": "jump (Enter in the Problems list)", "ctrl+p": "the command palette",
              "tab": "moving between panes", "shift+tab": "moving between panes"}
"""Keys the app uses outside :data:`ACTIONS` (a remapped action must not take them)."""


def check_keymap(overrides: dict[str, str], path: Path | None = None) -> None:
    """Refuse a keymap in which one key runs two actions (the footer would show one and run the other)."""
    owner: dict[str, str] = {key: f"{what} (built in)" for key, what in OTHER_KEYS.items()}
    for a in ACTIONS:
        for key in overrides.get(a.id, a.key).split(","):
            key = key.strip().lower()
            if not key:
                raise ConfigError(f"the key for {a.id!r} is empty", path=path, hint='e.g. generate = "f5"')
            if key in owner:
                raise ConfigError(f"{key!r} is bound to both {owner[key]!r} and {a.id!r}", path=path,
                                  hint="give one of them another key in the [keys] table")
            owner[key] = a.id


def keys_file() -> Path:
    from ..config import config_file

    return config_file().with_name("keys.toml")


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The user's remapped keys (id -> key), validated against the known action ids."""
    path = path or keys_file()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"is not valid TOML: {exc}", path=path) from None
    table = data.get("keys", {})
    if not isinstance(table, dict):
        raise ConfigError("[keys] must be a table of action id = key", path=path)
    bad = sorted(set(table) - set(BY_ID))
    if bad:
        raise ConfigError(f"unknown action ids {bad}", path=path, hint=f"known ids: {', '.join(BY_ID)}")
    keymap = {k: str(v) for k, v in table.items()}
    check_keymap(keymap, path)
    return keymap
