"""User configuration: a TOML file plus environment overrides, validated strictly.

Resolution order (later wins): built-in defaults, ``$POSTTUI_CONFIG`` or the platform config file
(``config.toml`` in the user config dir), then ``POSTTUI_*`` environment variables. Tests point the arXiv base
URLs and the cache/data directories at temporary places through the environment.
The API key is deliberately *not* part of the configuration: it is read from the environment at call time only
(see :func:`api_key`) so that it can never be written to a file.
"""

from __future__ import annotations

import os
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
    """Seconds without a byte from Gemini before a call fails (thinking models can be silent for minutes). It
    limits each read, never the whole stream."""
    gemini_server_timeout: float = 1200.0
    """The deadline Google gets for the whole request (the ``X-Server-Timeout`` header): long enough for a
    2.5 Pro answer that thinks for minutes and then writes a long post."""
    gemini_attempts: int = 4
    """Requests for a Gemini call that fails before its text starts (5xx, network, per-minute 429); 1 disables
    retries. Daily or zero quotas and stalls are never retried."""
    gemini_retry_delay: float = 1.0
    """First wait between those requests in seconds (doubling up to 20 s; a 429's RetryInfo delay wins)."""
    gemini_max_wait: float = 120.0
    """The most seconds one call may spend waiting between retries, all waits together; a longer wait asked
    for by Google fails at once and says so."""
    max_output_tokens: int = 0
    """The longest answer the model may write, in tokens (0: the model's own limit, 65,536 for 2.5 Pro). A draft
    cut at this limit ends with finish reason MAX_TOKENS."""
    resolve_references: str = "cache"
    """Looking up reference identifiers online (:mod:`posttui.resolve`): ``off``, ``cache`` (use answers cached
    by an earlier ``--resolve`` run, never the network; the default) or ``online`` (always look up)."""
    semantic_scholar_url: str = "https://api.semanticscholar.org/graph/v1"
    """Semantic Scholar Graph API base; ``/paper/arXiv:ID/references`` is appended (key: ``$S2_API_KEY``)."""
    inspire_url: str = "https://inspirehep.net/api"
    """INSPIRE-HEP REST API base; ``/literature?q=...`` is appended."""
    crossref_url: str = "https://api.crossref.org"
    """Crossref REST API base; ``/works?query.bibliographic=...`` is appended."""
    doi_api_url: str = "https://doi.org/api/handles"
    """doi.org handle API; ``/DOI`` is appended (``posttui check --online``)."""
    crossref_mailto: str = ""
    """An e-mail address sent to Crossref so requests join its polite pool (optional)."""
    crossref_max_queries: int = 40
    """At most this many Crossref look-ups per paper (one per entry still unmatched)."""
    api_pace: float = 1.0
    """Multiplier of each API's polite interval between requests (0 disables the pause; tests only)."""

    def resolve_cache_path(self) -> Path:
        """Where answers of the reference services are cached (:mod:`posttui.resolve.web`)."""
        return self.cache_path() / "resolve"

    def cache_path(self) -> Path:
        if self.cache_dir is not None:
            return Path(self.cache_dir)
        if os.environ.get("POSTTUI_CACHE_DIR"):  # a Config() built directly (the app, tests) obeys it too
            return Path(os.environ["POSTTUI_CACHE_DIR"])
        import platformdirs

        return _under_existing_home(Path(platformdirs.user_cache_dir(APP_NAME)), "cache", "POSTTUI_CACHE_DIR")

    def data_path(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        if os.environ.get("POSTTUI_DATA_DIR"):  # a Config() built directly (the app, tests) obeys it too
            return Path(os.environ["POSTTUI_DATA_DIR"])
        import platformdirs

        return _under_existing_home(Path(platformdirs.user_data_dir(APP_NAME)), "data", "POSTTUI_DATA_DIR")


def _under_existing_home(path: Path, kind: str, variable: str) -> Path:
    """``path`` (a platform default folder), refused when it lies in a home folder that does not exist:
    posttui never creates a missing home (``HOME=/nonexistent`` for a service account, run as root)."""
    home = Path(os.path.expanduser("~"))
    if not home.is_dir() and (path == home or home in path.parents):
        raise ConfigError(
            f"the home folder {home} does not exist, so there is no {kind} folder ({path}); posttui does not "
            "create a home folder",
            hint=f"set {variable} to a folder posttui may use, or set HOME to your real home folder",
        )
    return path


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
    "POSTTUI_GEMINI_SERVER_TIMEOUT": "gemini_server_timeout",
    "POSTTUI_GEMINI_MAX_WAIT": "gemini_max_wait",
    "POSTTUI_MAX_OUTPUT_TOKENS": "max_output_tokens",
    "POSTTUI_RESOLVE": "resolve_references",
    "POSTTUI_SEMANTIC_SCHOLAR_URL": "semantic_scholar_url",
    "POSTTUI_INSPIRE_URL": "inspire_url",
    "POSTTUI_CROSSREF_URL": "crossref_url",
    "POSTTUI_DOI_API_URL": "doi_api_url",
    "POSTTUI_CROSSREF_MAILTO": "crossref_mailto",
    "POSTTUI_API_PACE": "api_pace",
}

RESOLVE_MODES = ("off", "cache", "online")


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
        import tomllib  # only with a config file: most runs have none, and the parser compiles its regexes

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"is not valid TOML: {exc}", path=path) from None
        for key, value in data.items():
            values[key] = _coerce(key, value, str(path))
    for env, name in _ENV.items():
        if environ.get(env):
            values[name] = _coerce(name, environ[env], f"${env}")
    mode = values.get("resolve_references", "cache")
    if mode not in RESOLVE_MODES:
        raise ConfigError(f"setting 'resolve_references' must be one of {', '.join(RESOLVE_MODES)}, not {mode!r}",
                          path=str(path), hint="use off, cache or online")
    return replace(Config(), **values)


API_KEY_VARIABLES = ("GEMINI_API_KEY", "GOOGLE_API_KEY")


def api_key_source(environ: dict | None = None) -> str | None:
    """The name of the variable the API key comes from (for messages about a rejected key), or None."""
    environ = os.environ if environ is None else environ
    for name in API_KEY_VARIABLES:
        if environ.get(name, "").strip():
            return name
    return None


def api_key(environ: dict | None = None) -> str | None:
    """The Gemini API key from ``GEMINI_API_KEY`` or ``GOOGLE_API_KEY`` (never stored anywhere)."""
    environ = os.environ if environ is None else environ
    name = api_key_source(environ)
    return environ[name].strip() if name else None
