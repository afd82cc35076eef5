"""Per-site checker settings: ``.posttui.toml`` at the root of a Jekyll site.

Example (the keys may also sit under a ``[check]`` table)::

    select = ["PT0"]          # rule ids or prefixes to run (default: all)
    ignore = ["PT061"]        # rule ids or prefixes to skip
    min_references = 3        # PT030: reference links required (the featured paper not counted)
    min_words = 250           # PT060: shorter narratives are flagged
    max_words = 1500          # PT060: longer narratives are flagged (default: no limit)

Validation is strict: an unknown table or key, a wrong type or an unknown rule id is an error that names the file
and the key, so a typo never silently changes what is checked.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

FILENAME = ".posttui.toml"

_KEYS = {
    "select": list,
    "ignore": list,
    "min_references": int,
    "min_words": int,
    "max_words": int,
}


@dataclass(frozen=True)
class SiteConfig:
    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_references: int = 3
    min_words: int = 250
    max_words: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def options(self, *, select=(), ignore=()):
        """The checker options, with command-line ``select``/``ignore`` taking precedence over the file's."""
        from .rules.base import CheckOptions, validate_rule_selectors

        return CheckOptions(
            select=validate_rule_selectors(select, source="--select") or self.select,
            ignore=self.ignore + validate_rule_selectors(ignore, source="--ignore"),
            min_references=self.min_references,
            min_words=self.min_words,
            max_words=self.max_words,
        )


def load_site_config(site: str | Path | None) -> SiteConfig:
    """Read ``SITE/.posttui.toml``; a missing file gives the defaults."""
    if site is None:
        return SiteConfig()
    path = Path(site) / FILENAME
    if not path.is_file():
        return SiteConfig()
    return parse_site_config(path.read_bytes().decode("utf-8", errors="replace"), path)


def parse_site_config(text: str, path: str | Path = FILENAME) -> SiteConfig:
    from .rules import load_rules
    from .rules.base import validate_rule_selectors

    load_rules()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path, hint="fix the syntax (see the example in the docs)")
    check = data.pop("check", {})
    if not isinstance(check, dict):
        raise ConfigError("`check` must be a table ([check])", path=path)
    both = sorted(set(data) & set(check))
    if both:
        raise ConfigError(f"{both[0]!r} is set twice (at the top and in [check])", path=path, hint="keep one")
    values: dict = {}
    for key, value in (*data.items(), *check.items()):
        kind = _KEYS.get(key)
        if kind is None:
            raise ConfigError(
                f"unknown key {key!r}", path=path, hint=f"known keys: {', '.join(sorted(_KEYS))}"
            )
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{key} must be a whole number, not {value!r}", path=path)
        if kind is int and value < 0:
            raise ConfigError(f"{key} must not be negative ({value})", path=path)
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{key} must be a list of rule ids like [\"PT061\"]", path=path)
            value = validate_rule_selectors(value, source=f"{path} ({key})")
        values[key] = value
    if "max_words" in values and values["max_words"] < values.get("min_words", 250):
        raise ConfigError(
            f"max_words ({values['max_words']}) is below min_words ({values.get('min_words', 250)})",
            path=path,
        )
    return SiteConfig(path=Path(path), **values)
