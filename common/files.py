"""Writing files to the media storage so that a failed write leaves nothing behind.

Every file the application stores (a draft upload, an attachment, a guide file, an export) is
written through :func:`new_files`, which opens the block whose transaction writes the row naming
the file::

    with new_files() as files, transaction.atomic():
        upload = DraftUpload(...)
        files.save(upload.file, "docx", data)   # in place, under its final name, when this returns
        upload.save()

The design, and what it guarantees:

* **The row never names a missing file.** ``files.save`` writes the content to a hidden temporary
  name in the destination's own directory (``.<random>.part``: same directory, same filesystem, so
  the move is atomic), flushes and fsyncs it, then moves it to its final (random, unused) name and
  fsyncs the directory, all before it returns. Only then can the row that names it be saved, and
  it is committed after that. There is no moment at which a committed row points at a name that
  does not exist (moving the file after commit would open exactly that window).
* **A file no row names is removed.** If writing fails part-way, the temporary file is removed at
  once (no 0-byte or 8-KB leftovers). If the block raises after the file was moved into place —
  the transaction rolled back, a later write or the COMMIT itself failed — every file written in
  the block is removed before the exception goes on. ``files.discard()`` removes them on purpose
  (a worker that lost its claim). ``new_files`` is entered *outside* ``transaction.atomic()``, so
  a failing COMMIT is seen too.
* **Inside a caller's transaction** (a ``new_files`` block that exits while an outer
  ``transaction.atomic`` is still open, e.g. ``guide_ingest`` around ``version_create_from_file``)
  the files are removed when the block fails; Django offers no hook for a later rollback of the
  outer transaction, so a file written there survives that rollback (a random name no row points
  at — never a row pointing at nothing). Open the outermost transaction with ``new_files`` to get
  the full guarantee.
* A process killed between the move and the COMMIT leaves its file behind (no code runs); a
  process killed mid-write leaves a ``.*.part`` file, recognisable as unfinished.

An unwritable or full media directory (EACCES, EPERM, EROFS, ENOSPC, EFBIG, EDQUOT) raises
:class:`FileNotSaved`, which the views answer with a 503 page (``common.views_files``), the API
with a 503 JSON error (``storage_unavailable``) and the export job records as its error. Any
other ``OSError`` is cleaned up the same way and raised as it is.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile, File
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

# The errors of a media directory that cannot take a file now: read-only, no permission, full,
# over quota or over the process's file size limit.
UNAVAILABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EFBIG, errno.EDQUOT})

# link(2) refused by the filesystem itself (no hard links there): the file is renamed instead.
NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK})

MESSAGE = _("文件暂时无法保存，请稍后再试。这次上传的内容没有保存，之前保存的数据不受影响。")


class FileNotSaved(Exception):
    """The media storage could not take a file (``errno`` says why); nothing was kept."""

    message = MESSAGE

    def __init__(self, *, name: str, error: OSError) -> None:
        super().__init__(f"{name}: {error.strerror or error} (errno {error.errno})")
        self.name = name
        self.errno = error.errno


class NewFiles:
    """The files written in one :func:`new_files` block (see the module's docstring)."""

    def __init__(self) -> None:
        self._written: list[tuple[object, str]] = []  # (storage, name)

    def save(self, target, name: str, content: bytes | File) -> str:
        """Write ``content`` and return its final name. ``target`` is a model's file field
        (``upload.file``: its ``upload_to`` makes the name, and the field is set to the result, as
        ``FieldFile.save(..., save=False)`` does) or a storage (``name`` is then used as given).
        Raises FileNotSaved (nothing left behind) or the OSError itself for other errors."""
        if isinstance(content, bytes):
            content = ContentFile(content)
        if isinstance(target, FieldFile):
            storage = target.storage
            wanted = target.field.generate_filename(target.instance, name)
            final = self._write(storage, wanted, content, max_length=target.field.max_length)
            target.name = final
            setattr(target.instance, target.field.attname, final)
            target._committed = True
        else:
            final = self._write(target, name, content, max_length=None)
        return final

    def discard(self) -> None:
        """Remove every file written in the block (the caller decided not to keep them)."""
        while self._written:
            storage, name = self._written.pop()
            _remove_quietly(storage, name)

    def _write(self, storage, name: str, content: File, *, max_length: int | None) -> str:
        try:
            storage.path(name)
        except NotImplementedError:  # a storage without local paths: its own save, then classify
            final = _classified(name, lambda: storage.save(name, content, max_length=max_length))
        else:
            final = _classified(name, lambda: _write_local(storage, name, content, max_length=max_length))
        self._written.append((storage, final))
        return final


@contextmanager
def new_files() -> Iterator[NewFiles]:
    """A block whose files are kept only if it ends without an exception; enter it outside the
    ``transaction.atomic()`` that writes their rows (``with new_files() as files,
    transaction.atomic():``). See the module's docstring for what it guarantees."""
    files = NewFiles()
    try:
        yield files
    except BaseException:
        files.discard()
        raise


def _classified(name: str, write):
    try:
        return write()
    except OSError as exc:
        if exc.errno in UNAVAILABLE:
            log.error("media storage cannot take %s: %s", name, exc)
            raise FileNotSaved(name=name, error=exc) from exc
        raise


def _write_local(storage, name: str, content: File, *, max_length: int | None) -> str:
    """Temporary file in the destination directory → fsync → hard link to a free final name
    (never overwrites) → fsync of the directory. Removes what it wrote when anything fails."""
    name = storage.get_available_name(name, max_length=max_length)
    directory = os.path.dirname(storage.path(name))
    _makedirs(storage, directory)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
    final = None
    try:
        with os.fdopen(fd, "wb") as out:
            _copy(content, out)
            out.flush()
            os.fsync(out.fileno())
        if storage.file_permissions_mode is not None:
            os.chmod(temporary, storage.file_permissions_mode)
        while final is None:
            try:
                os.link(temporary, storage.path(name))
            except FileExistsError:  # taken since get_available_name: another free name
                name = storage.get_available_name(name, max_length=max_length)
                continue
            except OSError as exc:
                if exc.errno not in NO_HARD_LINKS:
                    raise
                os.replace(temporary, storage.path(name))  # a filesystem without hard links
            final = name
        _unlink_quietly(temporary)
        _fsync_directory(directory)
    except BaseException:
        _unlink_quietly(temporary)
        if final is not None:
            _unlink_quietly(storage.path(final))
        raise
    return final


def _copy(content: File, out) -> None:
    for chunk in content.chunks():  # from the start: chunks() seeks to 0 where it can
        out.write(chunk if isinstance(chunk, bytes) else chunk.encode())


def _makedirs(storage, directory: str) -> None:
    mode = storage.directory_permissions_mode
    if mode is None:
        os.makedirs(directory, exist_ok=True)
        return
    old = os.umask(0o777 & ~mode)  # as FileSystemStorage does: the mode applies to every level
    try:
        os.makedirs(directory, mode=mode, exist_ok=True)
    finally:
        os.umask(old)


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not remove %s", path, exc_info=True)


def _remove_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        log.warning("could not remove %s", name, exc_info=True)
