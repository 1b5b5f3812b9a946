"""Shared start-up for the benchmark scripts: Django on a database of the benchmark's own.

Importing this module sets Django up; a benchmark that needs tables calls
:func:`database` first thing. That creates a throwaway database and migrates it:
a database named ``prescreen_bench_<pid>`` on the PostgreSQL server of
``DATABASE_URL`` when that points at PostgreSQL, otherwise an SQLite file in a
temporary folder. It is dropped when the process exits (also on Ctrl-C or an
exception). Uploaded files go to a temporary MEDIA_ROOT (and STATIC_ROOT). Nothing of a developer's
own database is read or written, so `make bench` runs on a fresh clone.

Processes the benchmark spawns (bench_screening's worker processes) inherit the
environment and so use the same database; only the process that created it drops it.
"""

import atexit
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GUIDE_TXT = ROOT / "fixtures" / "guides" / "2022-strategic-cooperation.txt"

_OWNER = "PRESCREEN_BENCH_OWNER"  # pid of the process that chose (and will drop) the database


def _postgres(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql", "postgis")


def _choose_database() -> None:
    """Point DATABASE_URL and MEDIA_ROOT at throwaway places (names only; nothing is created)."""
    if os.environ.get(_OWNER):
        return  # a child process of a benchmark: keep its parent's database
    tmp = tempfile.mkdtemp(prefix="prescreen-bench-")
    source = os.environ.get("DATABASE_URL", "")
    if _postgres(source):
        parts = urlsplit(source)
        url = urlunsplit(parts._replace(path=f"/prescreen_bench_{os.getpid()}"))
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    os.makedirs(f"{tmp}/static")  # an empty STATIC_ROOT: whitenoise warns when there is none
    os.environ.update(
        {
            "DATABASE_URL": url,
            "MEDIA_ROOT": f"{tmp}/media",
            "STATIC_ROOT": f"{tmp}/static",
            "BENCH_TMP": tmp,
            _OWNER: str(os.getpid()),
        }
    )


_choose_database()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()


def _maintenance_dsn(url: str) -> str:
    """The same server, its `postgres` database (CREATE/DROP DATABASE cannot run inside the target)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def _drop() -> None:
    from django.db import connections

    connections.close_all()
    url = os.environ["DATABASE_URL"]
    if _postgres(url):
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(_maintenance_dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(os.environ["BENCH_TMP"], ignore_errors=True)


def database() -> str:
    """Create and migrate this benchmark's throwaway database; return its vendor."""
    from django.core.management import call_command
    from django.db import connection

    if os.environ[_OWNER] != str(os.getpid()):
        return connection.vendor  # created by the parent process
    url = os.environ["DATABASE_URL"]
    if _postgres(url):
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(_maintenance_dsn(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    atexit.register(_drop)
    # SIGTERM (e.g. `kill`) would skip atexit: turn it into a normal exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    call_command("migrate", verbosity=0, interactive=False)
    return connection.vendor
