"""Saving into a Jekyll site: exact paths and wrappers, atomic writes, no clobbering, unsafe paths refused."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from posttui.errors import SiteError, WriteError
from posttui.files import write_file as atomic_write
from posttui.site import Site, SiteLock, wrap_raw

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
NAME = "2025-01-31-2501.01234"


@pytest.fixture
def site(tmp_path) -> Site:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: x\n")
    return Site(root)


def test_save_writes_every_file_where_the_site_expects_it(site):
    report = site.save(NAME, post="POST\n", prompt="\nTitle: the prompt", image_prompt="an image", image=PNG)
    root = site.root
    assert (root / f"_posts/{NAME}.md").read_bytes() == b"POST\n"
    assert (root / f"prompts/content/{NAME}.txt").read_text() == "{% raw %}\n\nTitle: the prompt\n{% endraw %}"
    assert (root / f"prompts/images/{NAME}.txt").read_text() == "{% raw %}\nan image\n{% endraw %}"
    assert (root / f"assets/images/posts/{NAME}.png").read_bytes() == PNG
    assert len(report.written) == 4 and report.replaced == []
    assert report.written[-1].name == f"{NAME}.md"  # the post is written last
    assert not list(root.rglob("*.tmp")) and not list(root.glob(".posttui-*.lock"))


def test_already_wrapped_prompt_is_not_wrapped_twice(site):
    site.save(NAME, post="P", prompt=wrap_raw("x"))
    assert (site.root / f"prompts/content/{NAME}.txt").read_text() == "{% raw %}\nx\n{% endraw %}"


def test_text_is_written_byte_for_byte(site):
    post = "line one\r\nünïcode — line two\n\n"
    site.save(NAME, post=post)
    assert (site.root / f"_posts/{NAME}.md").read_bytes() == post.encode("utf-8")


def test_existing_post_is_never_overwritten_without_force(site):
    site.save(NAME, post="first", prompt="p1")
    with pytest.raises(SiteError) as info:
        site.save(NAME, post="second", prompt="p2", image_prompt="new")
    message = str(info.value)
    assert f"already in the site: prompts/content/{NAME}.txt, _posts/{NAME}.md; nothing was written" in message
    assert "--force" in message
    assert (site.root / f"_posts/{NAME}.md").read_text() == "first"
    assert not (site.root / f"prompts/images/{NAME}.txt").exists()  # nothing written, not even new files


def test_force_replaces_and_reports(site):
    site.save(NAME, post="first")
    report = site.save(NAME, post="second", force=True)
    assert (site.root / f"_posts/{NAME}.md").read_text() == "second"
    assert report.replaced == [site.root / f"_posts/{NAME}.md"]
    assert "replaced" in report.describe()


def test_atomic_write_refuses_a_file_that_appears_during_the_save(tmp_path, monkeypatch):
    target = tmp_path / "post.md"
    real_link = os.link

    def racing_link(src, dst):
        Path(dst).write_text("written by someone else")
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(WriteError, match="appeared while saving"):
        atomic_write(target, "mine")
    assert target.read_text() == "written by someone else"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]  # temp file cleaned up


def test_failed_write_leaves_old_file_intact_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "post.md"
    target.write_text("old")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(WriteError) as info:
        atomic_write(target, "new", overwrite=True)
    assert "no space left on the device" in str(info.value) and str(target) in str(info.value)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


def _fail_on_post(monkeypatch):
    """Make fsync fail (disk full) only while the post itself is written."""
    real_fsync = os.fsync

    def fsync(fd):
        if f"{os.sep}_posts{os.sep}" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_save_that_fails_part_way_leaves_the_site_as_it_was(site, monkeypatch):
    _fail_on_post(monkeypatch)
    with pytest.raises(WriteError, match="no space left on the device"):
        site.save(NAME, post="POST", prompt="p", image_prompt="i")
    assert not (site.root / f"prompts/content/{NAME}.txt").exists()
    assert not (site.root / f"prompts/images/{NAME}.txt").exists()
    monkeypatch.undo()
    site.save(NAME, post="POST", prompt="p", image_prompt="i")  # the retry is not refused as "already in the site"
    assert (site.root / f"_posts/{NAME}.md").read_text() == "POST"


def test_a_forced_save_that_fails_part_way_restores_the_replaced_files(site, monkeypatch):
    site.save(NAME, post="old post", prompt="old prompt")
    before = (site.root / f"prompts/content/{NAME}.txt").read_bytes()
    _fail_on_post(monkeypatch)
    with pytest.raises(WriteError):
        site.save(NAME, post="new post", prompt="new prompt", force=True)
    assert (site.root / f"prompts/content/{NAME}.txt").read_bytes() == before
    assert (site.root / f"_posts/{NAME}.md").read_text() == "old post"


def test_symlinked_posts_dir_pointing_outside_is_refused(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "_config.yml").write_text("title: x\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "_posts").symlink_to(outside)
    with pytest.raises(SiteError) as info:
        Site(root).save(NAME, post="x")
    assert "_posts resolves to" in str(info.value) and "outside the site; refusing" in str(info.value)
    assert list(outside.iterdir()) == []


def test_symlink_inside_the_site_is_allowed(tmp_path):
    root = tmp_path / "site"
    (root / "real_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: x\n")
    (root / "_posts").symlink_to(root / "real_posts")
    Site(root).save(NAME, post="x")
    assert (root / f"real_posts/{NAME}.md").read_text() == "x"


def test_target_that_is_a_symlink_or_directory_is_refused(site):
    (site.root / f"_posts/{NAME}.md").mkdir()
    with pytest.raises(SiteError, match="is a directory where a file should be"):
        site.save(NAME, post="x", force=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_site_gives_a_clear_message(site):
    posts = site.root / "_posts"
    posts.chmod(0o555)
    try:
        with pytest.raises(SiteError) as info:
            site.save(NAME, post="x")
    finally:
        posts.chmod(0o755)
    assert "permission denied" in str(info.value) and "writable" in str(info.value)


def test_read_only_message_when_root_cannot_tell(tmp_path, monkeypatch):
    """Same message path when the OS says EACCES (runs also as root, by simulating the refusal)."""
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(WriteError) as info:
        atomic_write(tmp_path / "x.md", "x")
    assert f"{tmp_path}: cannot write into this folder: permission denied" in str(info.value)


def test_lock_held_by_a_live_process_refuses_a_second_saver(site):
    with SiteLock(site.root, NAME):
        with pytest.raises(SiteError) as info:
            site.save(NAME, post="x")
    assert "another posttui (process" in str(info.value) and "is saving this post right now" in str(info.value)
    assert not (site.root / f"_posts/{NAME}.md").exists()
    site.save(NAME, post="x")  # released: saving works again


def test_stale_lock_of_a_dead_process_is_taken_over(site):
    import json
    import socket

    lock = site.root / f".posttui-{NAME}.lock"
    lock.write_text(json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname(), "time": 0}))
    site.save(NAME, post="x")
    assert not lock.exists()


def test_two_threads_saving_the_same_post_one_wins_no_torn_file(site):
    results: list[object] = []
    barrier = threading.Barrier(2)

    def save(text):
        barrier.wait()
        try:
            site.save(NAME, post=text * 10000)
            results.append("ok")
        except SiteError as exc:
            results.append(exc)

    threads = [threading.Thread(target=save, args=(c,)) for c in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    (error,) = [r for r in results if r != "ok"]
    assert "already in the site" in str(error) or "is saving this post" in str(error) or "appeared" in str(error)
    text = (site.root / f"_posts/{NAME}.md").read_text()
    assert text in ("A" * 10000, "B" * 10000)


def test_missing_site_and_bad_names(tmp_path):
    with pytest.raises(SiteError, match="no such site folder"):
        Site(tmp_path / "nope")
    with pytest.raises(SiteError, match="is not a Jekyll site"):
        Site(tmp_path)
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("title: x\n")
    with pytest.raises(SiteError, match="is not a Jekyll site") as info:
        Site(tmp_path / "_posts")
    assert f"this folder is inside the site {tmp_path}" in str(info.value)
    with pytest.raises(SiteError, match="invalid post name"):
        Site(tmp_path).save("../evil", post="x")


def test_find_and_open_the_site_from_any_folder_inside_it(tmp_path):
    from posttui.site import find_site, open_site

    (tmp_path / "_posts" / "deep").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("title: x\n")
    assert find_site(tmp_path / "_posts" / "deep") == tmp_path.resolve()
    assert open_site(cwd=tmp_path / "_posts" / "deep").root == tmp_path.resolve()
    assert open_site(cwd=tmp_path.parent) is None
    with pytest.raises(SiteError, match="is not a Jekyll site"):
        open_site(tmp_path / "_posts", cwd=tmp_path)


def test_non_png_image_is_refused(site):
    with pytest.raises(SiteError, match="not a PNG"):
        site.save(NAME, post="x", image=b"GIF89a")


def test_a_lock_is_judged_by_its_process_not_its_age(site):
    import json
    import socket
    import time

    lock = site.root / f".posttui-{NAME}.lock"
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "time": 0}))
    os.utime(lock, (time.time() - 86400, time.time() - 86400))  # a day old, but its process (this one) lives
    with pytest.raises(SiteError, match="is saving this post right now"):
        site.save(NAME, post="x")
    dead = subprocess_pid_that_exited()
    lock.write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "time": time.time()}))
    site.save(NAME, post="x")  # a fresh lock of a dead process is taken over at once
    assert not lock.exists()


def test_an_empty_lock_left_by_a_full_disk_blocks_only_for_seconds(site, monkeypatch):
    import time

    lock = site.root / f".posttui-{NAME}.lock"
    lock.write_text("")
    with pytest.raises(SiteError, match="is saving this post right now"):
        site.save(NAME, post="x")  # it may be a saver between creating and filling its lock
    os.utime(lock, (time.time() - 10, time.time() - 10))
    site.save(NAME, post="x", force=True)
    assert not lock.exists()


def test_taking_the_lock_on_a_full_disk_leaves_no_empty_lock(site, monkeypatch):


    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    with pytest.raises(SiteError, match="no space left on the device"):
        SiteLock(site.root, NAME).acquire()
    assert not (site.root / f".posttui-{NAME}.lock").exists()



def subprocess_pid_that_exited() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
