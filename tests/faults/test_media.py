"""Faults of the media directory under the real web server: gunicorn (config/gunicorn.py, one sync
worker) against the PostgreSQL test database, its MEDIA_ROOT made full (a small tmpfs filled to the
last byte: ENOSPC), read-only (the tmpfs remounted read-only: EROFS) or over the worker's file size
limit (RLIMIT_FSIZE set on the running worker: EFBIG). A draft and an attachment uploaded then get
the clear 503 page (never a traceback, in the page or the server's log), and nothing is left: no
file in MEDIA_ROOT, no row, no audit entry. Once the directory takes files again the same uploads
work, on the same running server. Everything started or mounted here is stopped or unmounted here."""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from common.models import AuditEntry
from proposals.docgen import build_docx
from proposals.models import Attachment, DraftUpload
from tests.factories.proposals import complete_data, make_proposal, make_user, pdf_bytes
from tests.faults.conftest import ROOT, _free_port, record, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MESSAGE = "文件暂时无法保存，请稍后再试。这次上传的内容没有保存，之前保存的数据不受影响。"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def regular_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class Server:
    """gunicorn with one sync worker, in its own session; its output drained into ``log``."""

    def __init__(self, *, media: Path, tmp: Path):
        db = connection.settings_dict
        self.port = _free_port()
        self.media = media
        self.lines: list[str] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions signed in by this test are valid there
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CONN_MAX_AGE": "0",
            "CELERY_TASK_ALWAYS_EAGER": "true",  # the uploaded draft is read in the request: no broker
            "MEDIA_ROOT": str(media),
            "STATIC_ROOT": str(tmp / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_ACCESS_LOG": "-",
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("REDIS_URL", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,  # a pipe, not a file: a file size limit on the worker spares it
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        wait_until(self._answers, timeout=60, step=0.2)

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def _answers(self) -> bool:
        assert self.process.poll() is None, "".join(self.lines)
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def request(self, method: str, path: str, *, body: bytes = b"", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        self.process = None


class Browser:
    """A signed-in user's cookies and CSRF token against ``server``."""

    def __init__(self, server: Server, user):
        client = Client()
        client.force_login(user)  # a session row in the test database, which the server reads
        self.server = server
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        status, headers, html = self.get("/proposals/upload/")
        assert status == 200, html[:500]
        self.cookies[settings.CSRF_COOKIE_NAME] = re.search(
            rf"{settings.CSRF_COOKIE_NAME}=([^;]+)", headers["Set-Cookie"]
        ).group(1)
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def _cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def get(self, path: str):
        return self.server.request("GET", path, headers={"Cookie": self._cookie()})

    def post_file(self, path: str, *, fields: dict, name: str, content: bytes, content_type: str):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in {"csrfmiddlewaretoken": self.token, **fields}.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Cookie": self._cookie(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://127.0.0.1:{self.server.port}{path}",
        }
        return self.server.request("POST", path, body=body, headers=headers)


# --- the faults: each breaks the media directory for the running server and mends it again -------


def _mount_tmpfs(path: Path) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs here: {done.stderr.strip()}")


class Full:
    """A 1 MiB tmpfs filled to its last byte by one file (root has no reserve on tmpfs)."""

    errno = errno.ENOSPC
    mounted = True

    def __init__(self, media: Path, server: Server):
        self.filler = media / "filler"

    def apply(self) -> None:
        with self.filler.open("wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC

    def mend(self) -> None:
        self.filler.unlink()

    def left(self) -> list[str]:
        return ["filler"] if self.filler.exists() else []


class ReadOnly:
    """The tmpfs remounted read-only under the running server, then read-write again."""

    errno = errno.EROFS
    mounted = True

    def __init__(self, media: Path, server: Server):
        self.media = media

    def _remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.media)], check=True)

    def apply(self) -> None:
        self._remount("ro")

    def mend(self) -> None:
        self._remount("rw")

    def left(self) -> list[str]:
        return []


class SizeLimit:
    """RLIMIT_FSIZE of 16 KiB set on the running gunicorn worker (prlimit): a draft is larger, so
    its write stops part-way with EFBIG; the limit lifted again afterwards."""

    errno = errno.EFBIG
    mounted = False

    def __init__(self, media: Path, server: Server):
        self.pid = server.worker_pid()
        self.saved = None

    def apply(self) -> None:
        self.saved = resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))

    def mend(self) -> None:
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, self.saved)

    def left(self) -> list[str]:
        return []


@pytest.fixture
def media(tmp_path, request):
    path = Path(tempfile.mkdtemp(prefix="prescreen-fault-media-"))
    fault = request.param
    if fault.mounted:
        _mount_tmpfs(path)
    try:
        yield fault, path
    finally:
        if fault.mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(path)], capture_output=True)
            subprocess.run(["umount", str(path)], check=True)
        subprocess.run(["rm", "-rf", str(path)], check=True)


@pytest.fixture
def server(media, tmp_path):
    _fault, path = media
    started = Server(media=path, tmp=tmp_path)
    started.start()
    try:
        yield started
    finally:
        started.stop()
        connection.close()


@pytest.mark.parametrize(
    "media", [Full, ReadOnly, SizeLimit], indirect=True, ids=["full", "read-only", "size-limit"]
)
def test_uploads_into_a_broken_media_directory_fail_clearly_leave_nothing_and_work_once_mended(media, server):
    fault_class, path = media
    applicant = make_user("media-fault")
    proposal = make_proposal(owner=applicant)
    browser = Browser(server, applicant)
    draft = build_docx(complete_data(reference="MEDIA-FAULT"))
    letter = pdf_bytes() + b"%" + b"\n" * 20000  # over the size limit's 16 KiB too
    assert len(draft) > 16 * 1024

    def upload_draft():
        return browser.post_file(
            "/proposals/upload/", fields={}, name="草稿.docx", content=draft, content_type=DOCX
        )

    def upload_letter():
        return browser.post_file(
            f"/proposals/{proposal.pk}/attachments/",
            fields={"kind": "recommendation_letter"},
            name="推荐函.pdf",
            content=letter,
            content_type="application/pdf",
        )

    fault = fault_class(path, server)
    fault.apply()
    for send in (upload_draft, upload_letter):
        status, headers, html = send()
        assert (status, headers.get("Retry-After")) == (503, "60"), html[:2000]
        assert 'data-testid="error-file-not-saved"' in html
        assert MESSAGE in html
        assert "Traceback" not in html
    assert regular_files(path) == fault.left()  # no temporary, partial or empty file
    assert DraftUpload.objects.count() == 0
    assert Attachment.objects.filter(proposal=proposal, file__gt="").count() == 0
    assert AuditEntry.objects.filter(action__in=["draft.uploaded", "attachment.added"]).count() == 0
    log = "".join(server.lines)
    assert f"[Errno {fault.errno}]" in log
    assert "Traceback" not in log

    fault.mend()
    started = time.monotonic()
    status, headers, html = upload_draft()
    stored = DraftUpload.objects.get()
    assert (status, headers["Location"]) == (302, f"/proposals/uploads/{stored.pk}/"), html[:2000]
    status, headers, html = upload_letter()
    assert (status, headers["Location"]) == (302, f"/proposals/{proposal.pk}/"), html[:2000]
    record(f"media {fault_class.__name__}: mended → both uploads stored", time.monotonic() - started)
    attachment = Attachment.objects.get(proposal=proposal, file__gt="")
    assert (
        hashlib.sha256((path / stored.file.name).read_bytes()).hexdigest()
        == hashlib.sha256(draft).hexdigest()
    )
    assert (path / attachment.file.name).read_bytes() == letter
    assert regular_files(path) == sorted([stored.file.name, attachment.file.name])
    assert "Traceback" not in "".join(server.lines)
