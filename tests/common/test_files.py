"""common.files: a file is in place under its final name when ``save`` returns, removed again when
its block fails, and a full, read-only or unwritable media directory is FileNotSaved with nothing
left behind. The faults are real where the machine allows it in a test: a file size limit
(RLIMIT_FSIZE) and an unprivileged user in a forked child; the other errnos come from a copy that
writes 8 KB and then fails, as a full disk does."""

from __future__ import annotations

import errno
import hashlib
import os
import resource
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.db import transaction

import common.files
from common.api.errors import exception_handler
from common.files import FileNotSaved, new_files
from proposals.models import DraftUpload
from tests.factories.proposals import make_user

DATA = bytes(range(256)) * 256  # 64 KiB


def files_under(root) -> list[str]:
    """Every regular file under ``root``, relative, sorted (hidden temporary files included)."""
    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def storage(tmp_path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path / "media")


def fail_after_8_kb(error: int):
    """A copy that writes 8 KB into the temporary file, then fails with ``error`` (a full disk)."""

    def copy(content, out):
        out.write(DATA[:8192])
        out.flush()
        raise OSError(error, os.strerror(error))

    return copy


def in_child(work) -> int:
    """Run ``work()`` in a forked child; returns its exit status (what ``work`` returned, 0-255)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            code = work()
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


# --- written in place ------------------------------------------------------------------------


def test_save_to_a_storage_puts_the_content_under_the_name_and_nothing_else(storage):
    with new_files() as files:
        name = files.save(storage, "private/ab/file", DATA)
        assert storage.open(name).read() == DATA  # in place before the block ends
    assert name == "private/ab/file"
    assert files_under(storage.location) == ["private/ab/file"]
    assert oct(os.stat(storage.path(name)).st_mode & 0o777) == oct(storage.file_permissions_mode or 0o644)


def test_a_taken_name_is_never_overwritten(storage):
    storage.save("private/file", ContentFile(b"first"))
    with new_files() as files:
        name = files.save(storage, "private/file", b"second")
    assert name != "private/file"
    assert (storage.open("private/file").read(), storage.open(name).read()) == (b"first", b"second")


def test_save_to_a_model_field_sets_the_field_to_the_random_final_name(db):
    upload = DraftUpload(owner=make_user(), kind="pdf", original_name="x.pdf", size=len(DATA))
    with new_files() as files, transaction.atomic():
        name = files.save(upload.file, "pdf", DATA)
        upload.save()
    assert name.startswith("private/")
    assert DraftUpload.objects.get(pk=upload.pk).file.name == name
    assert DraftUpload.objects.get(pk=upload.pk).file.read() == DATA


def test_a_django_file_is_written_from_its_start(storage, tmp_path):
    source = tmp_path / "export"
    source.write_bytes(DATA)
    with source.open("rb") as handle, new_files() as files:
        handle.read(100)  # a file already read from: still written whole
        name = files.save(storage, "jobs/export", File(handle))
    assert hashlib.sha256(storage.open(name).read()).hexdigest() == hashlib.sha256(DATA).hexdigest()


# --- removed when the block fails ----------------------------------------------------------------


def test_a_block_that_raises_after_the_write_leaves_no_file(storage):
    with pytest.raises(RuntimeError), new_files() as files:
        files.save(storage, "private/a", DATA)
        files.save(storage, "private/b", DATA)
        raise RuntimeError("the row could not be written")
    assert files_under(storage.location) == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_neither_row_nor_file(settings):
    owner = make_user()
    with pytest.raises(RuntimeError), new_files() as files, transaction.atomic():
        upload = DraftUpload(owner=owner, kind="pdf", original_name="x.pdf", size=len(DATA))
        name = files.save(upload.file, "pdf", DATA)
        upload.save()
        assert os.path.exists(os.path.join(settings.MEDIA_ROOT, name))
        raise RuntimeError("after the row")
    assert DraftUpload.objects.count() == 0
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, name))


def test_discard_removes_what_the_block_wrote(storage):
    with new_files() as files:
        files.save(storage, "private/a", DATA)
        files.discard()
    assert files_under(storage.location) == []


# --- a media directory that cannot take the file -------------------------------------------------


@pytest.mark.parametrize(
    "error", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM]
)
def test_a_full_or_read_only_directory_is_file_not_saved_and_the_partial_file_is_removed(
    storage, monkeypatch, error
):
    storage.save("private/kept", ContentFile(b"earlier"))
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(error))
    with pytest.raises(FileNotSaved) as raised, new_files() as files:
        files.save(storage, "private/new", DATA)
    assert (raised.value.errno, raised.value.name) == (error, "private/new")
    assert files_under(storage.location) == ["private/kept"]  # no 8 KB or 0 B leftover
    assert (
        str(raised.value.message)
        == "文件暂时无法保存，请稍后再试。这次上传的内容没有保存，之前保存的数据不受影响。"
    )


def test_another_os_error_is_raised_as_it_is_and_leaves_nothing(storage, monkeypatch):
    monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(errno.EIO))
    with pytest.raises(OSError) as raised, new_files() as files:
        files.save(storage, "private/new", DATA)
    assert (type(raised.value), raised.value.errno) == (OSError, errno.EIO)
    assert files_under(storage.location) == []


def test_a_failed_write_removes_the_files_written_before_it_in_the_block(storage, monkeypatch):
    with pytest.raises(FileNotSaved), new_files() as files:
        files.save(storage, "private/first", DATA)
        monkeypatch.setattr(common.files, "_copy", fail_after_8_kb(errno.ENOSPC))
        files.save(storage, "private/second", DATA)
    assert files_under(storage.location) == []


def test_over_the_processs_file_size_limit_the_partial_file_is_removed(storage):
    """A real EFBIG: the kernel writes up to RLIMIT_FSIZE and refuses the rest (Python ignores
    SIGXFSZ), in a forked child so the limit stays there."""
    os.makedirs(storage.location)

    def work() -> int:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))
        try:
            with new_files() as files:
                files.save(storage, "private/big", DATA)
        except FileNotSaved as exc:
            return exc.errno
        return 0

    assert in_child(work) == errno.EFBIG
    assert files_under(storage.location) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
def test_a_directory_the_process_may_not_write_is_file_not_saved():
    """A real EACCES: a child running as ``nobody`` writes into root's 0755 directory (one it may
    enter and read, so the refusal is the write's)."""
    location = tempfile.mkdtemp(prefix="prescreen-denied-")
    os.chmod(location, 0o755)
    storage = FileSystemStorage(location=location)

    def work() -> int:
        os.setgid(65534)
        os.setuid(65534)
        try:
            with new_files() as files:
                files.save(storage, "private/denied", DATA)
        except FileNotSaved as exc:
            return exc.errno
        return 0

    try:
        assert in_child(work) == errno.EACCES
        assert os.listdir(location) == []  # not even its directory
    finally:
        shutil.rmtree(location)


# --- the API's answer -----------------------------------------------------------------------------


def test_the_api_answers_503_storage_unavailable_with_retry_after():
    error = FileNotSaved(name="private/x", error=OSError(errno.ENOSPC, "No space left on device"))
    response = exception_handler(error, {"request": None})
    assert (response.status_code, response["Retry-After"]) == (503, "60")
    assert response.data == {
        "error": {
            "code": "storage_unavailable",
            "message": "文件暂时无法保存，请稍后再试。这次上传的内容没有保存，之前保存的数据不受影响。",
            "fields": {},
        }
    }
