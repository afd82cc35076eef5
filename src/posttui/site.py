"""The Jekyll site posttui saves into: finding and validating it, its files, and saving a post without losing one.

A site is a folder with ``_config.yml`` and ``_posts/``. :func:`find_site` finds it from any folder inside it, and
:func:`open_site` is the one place that turns what the user named (``--site DIR``, or the current folder) into a
validated :class:`Site`: every front end (CLI, app, notebook) goes through it, so they agree on what a site is.
The site also supplies the group file, the homepage and the checker settings (``.posttui.toml``).

Per post ``DATE-ID`` the site keeps::

    _posts/DATE-ID.md                  the post
    prompts/content/DATE-ID.txt        the generation prompt inside {% raw %} ... {% endraw %}
    prompts/images/DATE-ID.txt         the image prompt, wrapped the same way
    assets/images/posts/DATE-ID.png    the header image (optional)

Every file is written atomically (a temporary file in the same directory, flushed and fsynced, then moved into
place; the directory is fsynced too), so a crash leaves either the old file or the new one, never a torn one.
Without ``force`` nothing that exists is replaced: the check covers every target before the first write, and the
final move itself refuses to clobber (a hard link, which fails if the name exists). A target directory that
resolves outside the site (e.g. a ``_posts`` symlink to elsewhere) is refused, and two processes saving the same
post are kept apart by an ``O_EXCL`` lock file; the loser is told who holds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PosttuiError, SiteError
from .files import explain_os_error, write_file
from .prompt import unwrap_saved, wrap_saved
from .safenames import check_name

CONFIG_FILE = "_config.yml"
POSTS_DIR = "_posts"
CONTENT_PROMPTS_DIR = "prompts/content"
IMAGE_PROMPTS_DIR = "prompts/images"
IMAGES_DIR = "assets/images/posts"
GROUP_FILE = "assets/group/group.yaml"
HOMEPAGE_FILE = "index.md"
LOCK_STALE_SECONDS = 3600.0
"""A lock held from another machine (a shared folder) is taken over after this long."""
UNREADABLE_LOCK_SECONDS = 5.0
SITE_HINT = "name the site's top folder: the one that holds _config.yml and _posts/"


def is_site(path: str | Path) -> bool:
    """A Jekyll site: a folder with ``_config.yml`` and ``_posts/``."""
    path = Path(path)
    return (path / CONFIG_FILE).is_file() and (path / POSTS_DIR).is_dir()


def find_site(start: str | Path) -> Path | None:
    """The Jekyll site containing ``start`` (it, or the nearest parent that is a site), or None."""
    try:
        start = Path(start).expanduser().resolve()
    except OSError:
        return None
    for candidate in (start, *start.parents):
        if is_site(candidate):
            return candidate
    return None


def open_site(named: str | Path | None = None, *, cwd: str | Path | None = None) -> "Site | None":
    """The site to work in: ``named`` (``--site``) must be a site, else :class:`SiteError`; without it, the site
    around ``cwd`` (default: the current folder), or None outside any site."""
    if named is not None:
        return Site(named)
    found = find_site(Path.cwd() if cwd is None else cwd)
    return Site(found) if found is not None else None


def wrap_raw(text: str) -> str:
    """Text as the site saves prompts: inside ``{% raw %}`` so Jekyll does not interpret it."""
    return wrap_saved(text)


def is_wrapped(text: str) -> bool:
    return unwrap_saved(text)[1]


@dataclass(frozen=True)
class PostPaths:
    """Every file of one post in one site."""

    root: Path
    name: str

    @property
    def post(self) -> Path:
        return self.root / POSTS_DIR / f"{self.name}.md"

    @property
    def prompt(self) -> Path:
        return self.root / CONTENT_PROMPTS_DIR / f"{self.name}.txt"

    @property
    def image_prompt(self) -> Path:
        return self.root / IMAGE_PROMPTS_DIR / f"{self.name}.txt"

    @property
    def image(self) -> Path:
        return self.root / IMAGES_DIR / f"{self.name}.png"

    def all(self) -> list[Path]:
        return [self.post, self.prompt, self.image_prompt, self.image]


@dataclass
class SaveReport:
    written: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    """Files that existed before and were replaced (only with ``force``)."""
    recovered: list[Path] = field(default_factory=list)
    """Files of an earlier save that was killed half-way, put back as they were before it."""

    def describe(self) -> str:
        lines = []
        for path in self.written:
            lines.append(f"{'replaced' if path in self.replaced else 'wrote'} {path}")
        return "\n".join(lines)


class SiteLock:
    """An ``O_EXCL`` lock file for one post, so two posttui processes never save the same post at once.

    The file records the holder (pid, host, time). A holder on this machine is judged by whether its process is
    alive, never by the lock's age; a lock with no readable holder (its writer died between creating and filling
    it, e.g. on a full disk) is stale after a few seconds; a holder on another machine after ``LOCK_STALE_SECONDS``.
    """

    def __init__(self, root: Path, name: str):
        self.path = root / f".posttui-{name}.lock"
        self._held = False

    def _holder(self) -> dict:
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return holder if isinstance(holder, dict) else {}

    def _stale(self, holder: dict) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return True
        if not isinstance(holder.get("pid"), int):
            return age > UNREADABLE_LOCK_SECONDS
        if holder.get("host") != _host_name():
            return age > LOCK_STALE_SECONDS
        return not _alive(holder["pid"])

    def acquire(self) -> None:
        info = json.dumps({"pid": os.getpid(), "host": _host_name(), "time": time.time()})
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._holder()
                if self._stale(holder):
                    try:
                        self.path.unlink()
                    except FileNotFoundError:
                        pass
                    continue
                who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
                raise SiteError(
                    f"another posttui ({who}) is saving this post right now",
                    path=self.path,
                    hint="wait for it to finish; if no posttui is running, delete the lock file",
                ) from None
            except OSError as exc:
                reason, hint = explain_os_error(exc)
                raise SiteError(f"cannot save into the site: {reason}", path=self.path.parent, hint=hint) from None
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(info)
            except OSError as exc:  # a full disk: never leave an empty lock behind to block the next save
                self.path.unlink(missing_ok=True)
                reason, hint = explain_os_error(exc)
                raise SiteError(f"cannot save into the site: {reason}", path=self.path.parent, hint=hint) from None
            self._held = True
            return
        raise SiteError("cannot take the save lock", path=self.path, hint="delete the lock file and retry")

    def release(self) -> None:
        if self._held:
            try:
                self.path.unlink()
            except OSError:
                pass
            self._held = False

    def __enter__(self) -> "SiteLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _host_name() -> str:
    """This machine's name, for the lock file (socket is imported only when a lock is taken or judged)."""
    import socket

    return socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SaveJournal:
    """What a save is about to do, on disk before it does it, so that no signal or crash can leave half a save.

    Before the first file is touched, the folder ``.posttui-NAME.journal/`` receives a copy of every file the save
    will replace and a list of the files it will create. Only when every file is in place is the journal removed.
    A save that finds a journal left behind (its process was killed) rolls it back first: the files it had
    written are removed or restored, so the site is exactly as it was before that save, and the new save goes on.
    """

    def __init__(self, root: Path, name: str):
        self.folder = root / f".posttui-{name}.journal"

    @property
    def pending(self) -> bool:
        return (self.folder / "journal.json").is_file()

    def begin(self, targets: list[Path]) -> None:
        entries = []
        self.folder.mkdir(exist_ok=True)
        for i, path in enumerate(targets):
            backup = None
            if path.is_file():
                backup = f"{i}.bak"
                write_file(self.folder / backup, path.read_bytes(), overwrite=True)
            entries.append({"path": str(path), "backup": backup})
        write_file(self.folder / "journal.json", json.dumps({"pid": os.getpid(), "entries": entries}),
                   overwrite=True)

    def rollback(self) -> list[Path]:
        """Put every file of the journal back as it was; returns the files touched."""
        try:
            entries = json.loads((self.folder / "journal.json").read_text(encoding="utf-8"))["entries"]
        except (OSError, ValueError, KeyError, TypeError):
            entries = []
        touched = []
        from glob import escape as glob_escape  # only here: importing glob compiles its patterns

        for entry in entries:
            path = Path(entry["path"])
            for temporary in path.parent.glob(f".{glob_escape(path.name[:100])}.*.tmp"):  # a write cut short
                temporary.unlink(missing_ok=True)
            if entry.get("backup"):
                write_file(path, (self.folder / entry["backup"]).read_bytes(), overwrite=True)
            elif path.is_file():
                path.unlink()
            touched.append(path)
        self.finish()
        return touched

    def finish(self) -> None:
        if not self.folder.is_dir():
            return
        (self.folder / "journal.json").unlink(missing_ok=True)  # first: without it the rest is just leftovers
        for leftover in self.folder.iterdir():
            leftover.unlink(missing_ok=True)
        self.folder.rmdir()


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends (in the main thread; elsewhere the main thread gets
    them and this thread finishes its block anyway), then act on them as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    wanted = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {}
    for sig in wanted:
        try:
            previous[sig] = signal.signal(sig, lambda number, frame: caught.append(number))
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for number in caught[:1]:
            os.kill(os.getpid(), number)


class Site:
    """A Jekyll site folder (validated: ``_config.yml`` and ``_posts/``) that posttui reads from and saves into."""

    def __init__(self, root: str | Path):
        root = Path(root).expanduser()
        if not root.exists():
            raise SiteError("no such site folder", path=root, hint=SITE_HINT)
        if not root.is_dir():
            raise SiteError("is not a folder", path=root, hint=SITE_HINT)
        if not is_site(root):
            inside = find_site(root)
            hint = f"this folder is inside the site {inside}; name that folder" if inside else SITE_HINT
            raise SiteError("is not a Jekyll site (no _config.yml and _posts/ here)", path=root, hint=hint)
        self.root = root.resolve()
        self._settings = None

    def __repr__(self) -> str:
        return f"Site({str(self.root)!r})"

    # ----- what the site supplies -------------------------------------------------------------------------------
    @property
    def group_file(self) -> Path | None:
        """The group members file the authors are matched against, when the site has one."""
        path = self.root / GROUP_FILE
        return path if path.is_file() else None

    @property
    def homepage(self) -> Path | None:
        """The homepage pasted into the prompt as the tone reference, when the site has one."""
        path = self.root / HOMEPAGE_FILE
        return path if path.is_file() else None

    @property
    def settings(self):
        """The checker settings of ``.posttui.toml`` (a :class:`~posttui.siteconfig.SiteConfig`; read once, and a
        malformed file is a :class:`~posttui.errors.ConfigError` naming it)."""
        if self._settings is None:
            from .siteconfig import load_site_config

            self._settings = load_site_config(self.root)
        return self._settings

    def saved_prompts(self, limit: int = 200) -> list[Path]:
        """The site's saved prompts (one per paper post), newest first."""
        folder = self.root / CONTENT_PROMPTS_DIR
        if not folder.is_dir():
            return []
        return sorted(folder.glob("*.txt"), reverse=True)[:limit]

    def posts(self) -> list[Path]:
        """Every post file of the site, in name order."""
        return sorted(p for p in (self.root / POSTS_DIR).rglob("*") if p.suffix in (".md", ".markdown")
                      and p.is_file())

    def post_of(self, path: str | Path) -> bool:
        """True when ``path`` lies in this site's ``_posts`` folder."""
        try:
            Path(path).resolve().relative_to(self.root / POSTS_DIR)
        except (ValueError, OSError):
            return False
        return True

    def paths(self, name: str) -> PostPaths:
        hint = "a post name is DATE-ID, e.g. 2025-01-31-2501.01234"
        if name.startswith("."):
            raise SiteError(f"invalid post name {name!r} (a hidden file name)", hint=hint)
        return PostPaths(self.root, check_name(name, what="invalid post name", error=SiteError, hint=hint))

    def existing(self, name: str) -> list[Path]:
        return [p for p in self.paths(name).all() if p.exists() or p.is_symlink()]

    def _safe_dir(self, relative: str) -> Path:
        """The target directory, created if needed; refused when it (or a symlink on the way) leaves the site."""
        directory = self.root / relative
        resolved = directory.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise SiteError(
                f"{relative} resolves to {resolved}, outside the site; refusing to write there",
                path=directory,
                hint="replace the symlink with a real folder inside the site",
            )
        if directory.exists() and not directory.is_dir():
            raise SiteError("is not a folder", path=directory, hint="move the file aside")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason, hint = explain_os_error(exc)
            raise SiteError(f"cannot create the folder: {reason}", path=directory, hint=hint) from None
        return directory

    def _safe_target(self, path: Path) -> None:
        if path.is_symlink():
            raise SiteError("is a symbolic link; refusing to write through it", path=path, hint="remove the link")
        if path.is_dir():
            raise SiteError("is a directory where a file should be", path=path, hint="move the directory aside")

    def recover(self, name: str) -> list[Path]:
        """Undo a save of post ``name`` that was killed half-way (saving does this first); returns the files put
        back as they were before it."""
        with SiteLock(self.root, name):
            return self._recover(SaveJournal(self.root, name))

    @staticmethod
    def _recover(journal: "SaveJournal") -> list[Path]:
        if journal.pending:  # the commit had begun: put every file back as it was before it
            return journal.rollback()
        if journal.folder.is_dir():  # killed while copying the old files: nothing of the site was touched yet
            journal.finish()
        return []

    def save(
        self,
        name: str,
        *,
        post: str,
        prompt: str | None = None,
        image_prompt: str | None = None,
        image: bytes | None = None,
        force: bool = False,
    ) -> SaveReport:
        """Write the post and its companions. ``prompt``/``image_prompt`` are wrapped in ``{% raw %}`` unless
        they already are. Refuses (SiteError, nothing written) when any target exists and ``force`` is off."""
        paths = self.paths(name)
        plan: list[tuple[Path, str | bytes, str]] = []
        if image is not None:
            if not image.startswith(b"\x89PNG\r\n\x1a\n"):
                raise SiteError("the header image is not a PNG", path=paths.image, hint="regenerate the image")
            plan.append((paths.image, image, IMAGES_DIR))
        if prompt is not None:
            plan.append((paths.prompt, prompt if is_wrapped(prompt) else wrap_raw(prompt), CONTENT_PROMPTS_DIR))
        if image_prompt is not None:
            text = image_prompt if is_wrapped(image_prompt) else wrap_raw(image_prompt)
            plan.append((paths.image_prompt, text, IMAGE_PROMPTS_DIR))
        plan.append((paths.post, post, POSTS_DIR))  # the post goes last: it appears only once its files exist
        for _, _, relative in plan:
            self._safe_dir(relative)
        report = SaveReport()
        with SiteLock(self.root, name):
            journal = SaveJournal(self.root, name)
            report.recovered = self._recover(journal)
            for path, _, _ in plan:
                self._safe_target(path)
            clashes = [path for path, _, _ in plan if path.exists()]
            if clashes and not force:
                listed = ", ".join(str(p.relative_to(self.root)) for p in clashes)
                raise SiteError(
                    f"already in the site: {listed}; nothing was written",
                    path=self.root,
                    hint="use --force to replace them (posttui never overwrites a post silently)",
                )
            # All or nothing, even under signals: the journal holds copies of what is replaced; a failure rolls
            # back at once, a kill is rolled back by the next save; Ctrl+C and SIGTERM wait for the commit.
            with signals_deferred():
                try:
                    journal.begin([path for path, _, _ in plan])
                except (OSError, PosttuiError) as exc:  # e.g. a full disk before anything of the site was touched
                    with contextlib.suppress(OSError):
                        journal.finish()
                    reason = getattr(exc, "message", None) or str(exc)
                    raise SiteError(f"cannot save ({reason.removeprefix('cannot write: ')}); nothing was written",
                                    path=self.root, hint=getattr(exc, "hint", None)) from None
                try:
                    for path, data, _ in plan:
                        if write_file(path, data, overwrite=force):
                            report.replaced.append(path)
                        report.written.append(path)
                except BaseException:
                    try:
                        journal.rollback()
                    except (OSError, PosttuiError):
                        pass  # the journal stays; the next save rolls it back
                    raise
                journal.finish()
        return report
