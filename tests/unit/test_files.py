"""The one writer: atomic for regular files, write-through for character devices and FIFOs, refusal otherwise."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from posttui.errors import WriteError
from posttui.files import write_file


def test_new_file_is_written_exactly_with_mode_0644(tmp_path):
    target = tmp_path / "post.md"
    assert write_file(target, "a\r\nb\n") is False
    assert target.read_bytes() == b"a\r\nb\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_existing_file_needs_overwrite_and_keeps_its_mode(tmp_path):
    target = tmp_path / "post.md"
    target.write_text("old")
    target.chmod(0o600)
    with pytest.raises(WriteError, match="already exists; not overwritten") as info:
        write_file(target, "new")
    assert "--force" in str(info.value) and target.read_text() == "old"
    assert write_file(target, "new", overwrite=True) is True
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_symlink_is_refused_and_its_target_untouched(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("real")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    with pytest.raises(WriteError, match="is a symbolic link") as info:
        write_file(link, "new", overwrite=True)
    assert str(real) in str(info.value)
    assert link.is_symlink() and real.read_text() == "real"


def test_directory_is_refused(tmp_path):
    with pytest.raises(WriteError, match="is a directory"):
        write_file(tmp_path, "x", overwrite=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_character_device_is_written_through_never_replaced(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device, made inside the temp folder
    write_file(node, "draft", overwrite=False)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
    reader.start()
    for _ in range(200):  # wait until the reader has the pipe open
        try:
            write_file(fifo, "through the pipe")
            break
        except WriteError as exc:
            assert "no reader" in str(exc)
            threading.Event().wait(0.01)
    reader.join(5)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_fifo_without_reader_is_a_clear_error_not_a_hang(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="is a pipe with no reader"):
        write_file(fifo, "x")


def test_only_one_os_replace_in_the_sources():
    from pathlib import Path

    import posttui

    src = Path(posttui.__file__).parent
    calls = [(p.name, n) for p in src.rglob("*.py") for n, line in enumerate(p.read_text().splitlines(), 1)
             if "os.replace(" in line]
    assert calls == [("files.py", calls[0][1])] if calls else False
