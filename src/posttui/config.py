"""User configuration: a TOML file plus environment overrides, validated strictly.

Resolution order (later wins): built-in defaults, ``$POSTTUI_CONFIG`` or the platform config file
(``config.toml`` in the user config dir), then ``POSTTUI_*`` environment variables. Tests point the arXiv base
URLs and the cache/data directories at temporary places through the environment.
The API key is deliberately *not* part of the configuration: it is read from the environment at call time only
(see :func:`api_key`) so that it can never be written to a file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

APP_NAME = "posttui"


@dataclass(frozen=True)
class Config:
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    """Atom API endpoint; ``?id_list=ID`` is appended."""
    arxiv_src_url: str = "https://arxiv.org/src"
    """Source endpoint; ``/ID`` is appended."""
    cache_dir: Path | None = None
    """Where arXiv downloads are cached (default: the platform user cache dir)."""
    data_dir: Path | None = None
    """Where the session database lives (default: the platform user data dir)."""
    model: str = "gemini-2.5-pro"
    """Text model used for drafts, named in the post footer."""
    image_model: str = "imagen-4.0-generate-001"
    """Image model named in the footer."""
    image_generation: bool = False
    """Whether to generate the header image itself (optional step)."""
    template_dir: Path | None = None
    """A directory with the user's own prompt templates (same file names as the packaged ones)."""
    max_archive_bytes: int = 200 * 1024 * 1024
    """Size cap for an extracted source archive."""
    fetch_timeout: float = 30.0
    """Seconds to wait for arXiv."""
    gemini_base_url: str | None = None
    """Override for the Gemini API base URL (tests point it at a local fake server)."""
    prices: dict = field(default_factory=dict)
    """Per-model prices in USD per million tokens: ``{model: {"input": x, "output": y}}``."""
    gemini_timeout: float = 300.0
    """Seconds without a byte from Gemini before a call fails (thinking models can be silent for minutes)."""
    gemini_attempts: int = 4
    """Tries for a Gemini call that fails before its stream starts (429, 5xx, network); 1 disables retries."""
    gemini_retry_delay: float = 1.0
    """First wait between those tries in seconds (doubling, with jitter, up to 20 s)."""

    def cache_path(self) -> Path:
        if self.cache_dir is not None:
            return Path(self.cache_dir)
        if os.environ.get("POSTTUI_CACHE_DIR"):  # a Config() built directly (the app, tests) obeys it too
            return Path(os.environ["POSTTUI_CACHE_DIR"])
        import platformdirs

        return Path(platformdirs.user_cache_dir(APP_NAME))

    def data_path(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        if os.environ.get("POSTTUI_DATA_DIR"):  # a Config() built directly (the app, tests) obeys it too
            return Path(os.environ["POSTTUI_DATA_DIR"])
        import platformdirs

        return Path(platformdirs.user_data_dir(APP_NAME))


_ENV = {
    "POSTTUI_ARXIV_API_URL": "arxiv_api_url",
    "POSTTUI_ARXIV_SRC_URL": "arxiv_src_url",
    "POSTTUI_CACHE_DIR": "cache_dir",
    "POSTTUI_DATA_DIR": "data_dir",
    "POSTTUI_MODEL": "model",
    "POSTTUI_IMAGE_MODEL": "image_model",
    "POSTTUI_TEMPLATE_DIR": "template_dir",
    "POSTTUI_GEMINI_BASE_URL": "gemini_base_url",
    "POSTTUI_GEMINI_TIMEOUT": "gemini_timeout",
    "POSTTUI_GEMINI_ATTEMPTS": "gemini_attempts",
    "POSTTUI_GEMINI_RETRY_DELAY": "gemini_retry_delay",
}


def config_file() -> Path:
    if os.environ.get("POSTTUI_CONFIG"):
        return Path(os.environ["POSTTUI_CONFIG"])
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _coerce(name: str, value, source: str):
    kinds = {f.name: f.type for f in fields(Config)}
    if name not in kinds:
        raise ConfigError(f"unknown setting {name!r}", path=source, hint=f"known settings: {', '.join(sorted(kinds))}")
    kind = str(kinds[name])
    try:
        if "Path" in kind:
            return Path(value).expanduser() if value not in (None, "") else None
        if kind == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "dict":
            if not isinstance(value, dict):
                raise TypeError("expected a table")
            return value
        return str(value) if value is not None else None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r} has an invalid value {value!r} ({exc})", path=source) from None


def load_config(path: Path | None = None, environ: dict | None = None) -> Config:
    """Read the config file (if any) and the environment into a validated :class:`Config`."""
    environ = os.environ if environ is None else environ
    path = path or config_file()
    values: dict = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"is not valid TOML: {exc}", path=path) from None
        for key, value in data.items():
            values[key] = _coerce(key, value, str(path))
    for env, name in _ENV.items():
        if environ.get(env):
            values[name] = _coerce(name, environ[env], f"${env}")
    return replace(Config(), **values)


def api_key(environ: dict | None = None) -> str | None:
    """The Gemini API key from ``GEMINI_API_KEY`` or ``GOOGLE_API_KEY`` (never stored anywhere)."""
    environ = os.environ if environ is None else environ
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        value = environ.get(name, "").strip()
        if value:
            return value
    return None
