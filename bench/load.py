"""The deadline rush, on a production-like stack that this script starts and stops itself.

    python bench/load.py [--threads 16] [--requests 3000] [--duration 60] [--drain 180]   (make load)

It starts, on loopback only:
- a throwaway PostgreSQL database ``prescreen_load_<pid>`` on the server of
  LOAD_DATABASE_URL (default ``postgres://postgres@127.0.0.1:5432/postgres``), migrated,
  with the 2022 guide ingested, the demo accounts and one applicant per client thread;
- its own redis-server (``--port 6391 --save "" --appendonly no``), never the machine's;
- gunicorn with config/gunicorn.py and config.settings.production (PLAIN_HTTP=true:
  an intranet on plain HTTP), two Celery workers laid out as `make worker` (checks first,
  two processes) and `make worker-extraction` (drafts, one process), each with its relay,
  and Celery beat (tolerated if it exits).

Then N client threads play anonymous visitors (the guide overview, the direction list
with filters, direction pages) and applicants (log in, create a proposal through the
form or upload a DOCX/PDF draft made by proposals/docgen.py and confirm what was read,
submit, open the detail page and the report), through the real forms with their CSRF
tokens. Each proposal is a project of its own (title, research content, one of
LEAD_UNITS lead units), except that every DUPLICATE_EVERY-th is the project before it handed
in again, which the duplicate rule finds (and re-screens the pair) as in a real call. Traffic stops at --requests requests or --duration seconds, whichever comes
first; then it waits at most --drain seconds for the submitted proposals to be screened
(polling the database).

It prints throughput, p50/p95/p99 per request kind and overall, errors (anything but
2xx/3xx, and connection failures) per kind, and the submit-to-screened latency.
Each page kind's p50 is also given against the same page measured unloaded (one
request at a time) in the same run. Everything started is stopped by pid at the end,
also on Ctrl-C or an error, and the database is dropped.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUIDE = "fixtures/guides/2022-strategic-cooperation.txt"
YEAR = 2022
PASSWORD = "load-applicant-2022"

# --------------------------------------------------------------------------- #
# Figures (pure)
# --------------------------------------------------------------------------- #


def percentile(samples: list[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest sample with at least p% of the samples
    at or below it (no interpolation: every figure printed is a measured one)."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    count: int
    errors: int
    p50: float | None
    p95: float | None
    p99: float | None


def summarize(samples: list[tuple[float, bool]]) -> Summary:
    """(duration, ok) pairs → count, errors and the percentiles of all durations."""
    durations = [d for d, _ in samples]
    return Summary(
        count=len(samples),
        errors=sum(1 for _, ok in samples if not ok),
        p50=percentile(durations, 50),
        p95=percentile(durations, 95),
        p99=percentile(durations, 99),
    )


# --------------------------------------------------------------------------- #
# The stack
# --------------------------------------------------------------------------- #


class Stack:
    """Everything the run starts, so that everything can be stopped."""

    def __init__(self, args, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.procs: list[tuple[str, subprocess.Popen]] = []
        base = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        parts = urllib.parse.urlsplit(base)
        self.maintenance_dsn = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        self.db_name = f"prescreen_load_{os.getpid()}"
        self.db_url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.db_name}"))
        self.db_created = False
        self.base_url = f"http://127.0.0.1:{args.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PLAIN_HTTP": "true",  # production.py: no HTTPS redirect, HSTS or secure-only cookies
            "DEBUG": "false",
            "DATABASE_URL": self.db_url,
            "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if args.web_workers:
            self.env["WEB_CONCURRENCY"] = str(args.web_workers)

    def run(self, *argv: str) -> str:
        done = subprocess.run(
            argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=self.args.setup_timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:3])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def manage(self, *argv: str) -> str:
        return self.run(sys.executable, "manage.py", *argv)

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        with open(self.tmp / f"{name}.log", "ab") as out:  # the child keeps its own copy of the file
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group (its children are found by its pid), but this script's session:
                # Linux shares the CPU between sessions first (autogroups), so in sessions of their own
                # the workers' lower priority (WORKER_NICE) would not reach the web. One session for the
                # whole stack is one supervisor's (see README, "Workers yield to the web").
                process_group=0,
            )
        self.procs.append((name, proc))
        return proc

    def up(self) -> None:
        import psycopg

        say(
            f"database {self.db_name}, redis :{self.args.redis_port}, gunicorn :{self.args.port}; logs in {self.tmp}"
        )
        with psycopg.connect(self.maintenance_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True
        self.start(
            "redis",
            "redis-server",
            "--port",
            str(self.args.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        )
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.manage("ingest_guide", GUIDE, "--publish", "--if-absent")
        self.manage("seed_demo")
        self.manage("shell", "-c", _USERS.format(count=self.args.threads, password=PASSWORD))
        self.wait_redis()
        self.start("gunicorn", str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application")
        # as `make worker` and `make worker-extraction`: checks first, and reading drafts apart
        for name, queues, concurrency in (
            ("screening", "checks,celery,screening", "2"),
            ("extraction", "extraction", "1"),
        ):
            self.start(
                f"worker-{name}",
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                concurrency,
                "-n",
                f"load-{name}@%h",
                "-l",
                "warning",
            )
        self.start(
            "beat",
            str(BIN / "celery"),
            "-A",
            "config",
            "beat",
            "-l",
            "warning",
            "-s",
            str(self.tmp / "beat-schedule"),
        )
        self.wait_http()

    def wait_redis(self) -> None:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.args.redis_port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.2)
        raise RuntimeError(
            f"redis-server on :{self.args.redis_port} did not answer (see {self.tmp}/redis.log)"
        )

    def wait_http(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, proc in self.procs:
                if name in ("gunicorn", "redis") and proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode} (see {self.tmp}/{name}.log)")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s (see {self.tmp}/gunicorn.log)")

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each started process with its children (its process
        group, from /proc: the live processes' own and reaped children's time), and by the
        PostgreSQL server's processes (the whole server: the machine should run nothing else)."""
        tick = os.sysconf("SC_CLK_TCK")
        groups = {proc.pid: name for name, proc in self.procs}
        used: dict[str, float] = defaultdict(float)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            seconds = sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
            name = groups.get(int(fields[2])) or ("postgresql" if comm.startswith("postgres") else None)
            if name:
                used[name] += seconds
        return used

    def exited(self) -> list[str]:
        return [f"{name} (exit {proc.returncode})" for name, proc in self.procs if proc.poll() is not None]

    def down(self) -> None:
        """Stop every process started: the web server and the Celery processes first,
        then Redis (so the workers do not lose their broker while shutting down); TERM,
        then KILL to what is left of each one's own process group after a grace period.
        Then drop the database."""
        first = [p for name, p in self.procs if name != "redis"]
        last = [p for name, p in self.procs if name == "redis"]
        for group in (first, last):
            for proc in group:
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 30
            for proc in group:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # its pid is its group's id (process_group=0)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.procs.clear()
        if self.db_created:
            import psycopg

            with psycopg.connect(self.maintenance_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.db_created = False


_USERS = """
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from common.roles import APPLICANT
from common.services import roles_ensure
roles_ensure()
hashed = make_password("{password}")
User = get_user_model()
users = User.objects.bulk_create(User(username=f"load{{i:03d}}", password=hashed) for i in range({count}))
Group.objects.get(name=APPLICANT).user_set.add(*User.objects.filter(username__startswith="load"))
"""


# --------------------------------------------------------------------------- #
# A browser: cookies, no automatic redirects, forms read from the page
# --------------------------------------------------------------------------- #


class Stop(Exception):
    """The request budget or the time cap is reached."""


@dataclass
class Response:
    status: int
    body: str
    location: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx comes back as an HTTPError with its Location


class Recorder:
    def __init__(self, max_requests: int, deadline: float):
        self.lock = threading.Lock()
        self.samples: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self.error_codes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.issued = 0
        self.max_requests = max_requests
        self.deadline = deadline
        self.first = self.last = None
        self.submitted: list[tuple[int, float, str]] = []  # proposal pk, wall clock at submit, how
        self.rejected: dict[str, int] = defaultdict(int)
        self.client_cpu = 0.0  # CPU seconds the client itself used (it shares the machine's cores)
        self.stack_cpu: dict[str, float] = {}  # CPU seconds of each part of the stack during the rush

    def take(self) -> None:
        with self.lock:
            if self.issued >= self.max_requests or time.monotonic() >= self.deadline:
                raise Stop
            self.issued += 1

    def add(self, kind: str, start: float, end: float, status: int) -> None:
        ok = 200 <= status < 400
        with self.lock:
            self.samples[kind].append((end - start, ok))
            if not ok:
                self.error_codes[kind][status] += 1
            self.first = start if self.first is None else min(self.first, start)
            self.last = end if self.last is None else max(self.last, end)


class Browser:
    def __init__(self, base_url: str, recorder: Recorder, timeout: float = 60):
        self.base_url = base_url
        self.recorder = recorder
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, kind: str, path: str, *, data=None, files=None) -> Response:
        self.recorder.take()
        body, headers = None, {"User-Agent": "prescreen-load/1", "Accept-Language": "zh-hans"}
        if files is not None:
            body, headers["Content-Type"] = _multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        start = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                status, text, location = r.status, r.read().decode("utf-8", "replace"), ""
        except urllib.error.HTTPError as e:
            status, text, location = (
                e.code,
                e.read().decode("utf-8", "replace"),
                e.headers.get("Location", ""),
            )
        except OSError:  # refused, reset, timed out
            status, text, location = 0, "", ""
        self.recorder.add(kind, start, time.monotonic(), status)
        return Response(status, text, urllib.parse.urlsplit(location).path if location else "")

    def get(self, kind: str, path: str) -> Response:
        return self.request(kind, path)


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            out.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{v}\r\n'.encode()
            )
    for name, (filename, content, content_type) in files.items():
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


class _Forms(HTMLParser):
    """Every <form> of a page with what a browser would send for it unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, None)
        elif tag == "option" and self._select:
            if fields[self._select] is None or "selected" in a:  # the first option unless one is selected
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1]["fields"][self._textarea] += data.removeprefix("\n")


def form_with(html: str, field: str) -> dict:
    """The fields of the page's form that has ``field`` (the nav has forms too)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if field in form["fields"]:
            return {k: ("" if v is None else v) for k, v in form["fields"].items()}
    raise LookupError(f"no form with {field!r} on the page")


# --------------------------------------------------------------------------- #
# What applicants send
# --------------------------------------------------------------------------- #


# A call's proposals come from many institutions, each with its own project; a few are the same
# project handed in twice (another applicant, another recommender): the duplicate rule finds those
# and re-screens the pair, as in a real call.
LEAD_UNITS = 40
DUPLICATE_EVERY = 25  # proposal n (n a multiple of it) is the project of proposal n - 1
_CITIES = ("北京", "上海", "广州", "武汉", "成都", "西安", "南京", "杭州", "天津", "长沙")
_KINDS = ("大学", "理工大学", "工业研究院", "先进技术研究所")
_TOPICS = (
    "高效电解水制氢",
    "固态储能电池",
    "二氧化碳捕集利用",
    "海上风电运维",
    "智能传感网络",
    "生物医药递送",
    "量子精密测量",
    "新型显示材料",
    "农业节水灌溉",
    "城市污水资源化",
)


def lead_unit(k: int):
    """The lead unit of institution ``k`` (0 ≤ k < LEAD_UNITS), with a valid credit code."""
    from proposals.identifiers import make_credit_code
    from proposals.interchange import UnitData

    return UnitData(
        name=f"{_CITIES[k % len(_CITIES)]}{_KINDS[k // len(_CITIES) % len(_KINDS)]}",
        credit_code=make_credit_code(f"486{k:05d}", authority="1", category="2", region="110000"),
        country="CN",
        type="university",
        registered_on=date(1950 + k, 9, 1),
        role="lead",
        third_party_testing=True,
    )


def proposal_data(n: int, direction: str):
    """A complete proposal of the 2022 call: its people distinct per ``n``; its project (title,
    research content, lead unit) distinct too, except that every DUPLICATE_EVERY-th proposal is
    the project of the one before it."""
    from proposals.identifiers import make_resident_id
    from tests.factories.proposal_docs import sample_proposal

    project = n - 1 if n > 1 and n % DUPLICATE_EVERY == 0 else n
    rnd = random.Random(project)
    p = sample_proposal()
    birth = date(1970 + n % 20, 1 + n % 12, 1 + n % 28)
    pi = replace(
        p.pi,
        name=f"负责人{n}",
        id_number=make_resident_id(birth, f"{n % 1000:03d}", "350102"),
        birth_date=birth,
    )
    members = []
    for k, m in enumerate(p.members):
        if m.id_number and m.id_number[:1].isdigit():
            b = date(1975 + k, 1 + (n + k) % 12, 1 + (n * 7 + k) % 28)
            m = replace(
                m,
                name=f"成员{n}-{k}",
                id_number=make_resident_id(b, f"{(n * 5 + k) % 1000:03d}", "110108"),
                birth_date=b,
            )
        members.append(m)
    alphabet = _alphabet()
    title = f"{rnd.choice(_TOPICS)}{''.join(rnd.choices(alphabet, k=6))}关键技术国际合作研究"
    # the template's opening sentence, then the project's own words
    content = p.research_content.split("。")[0] + "。" + "".join(rnd.choices(alphabet, k=600))
    units = [lead_unit(project % LEAD_UNITS), *(u for u in p.units if u.role != "lead")]
    return replace(
        p,
        reference=None,
        guide_year=YEAR,
        direction=direction,
        title=title,
        start_date=date(2023, 1, 1),
        end_date=date(2025, 12, 31),
        pi=pi,
        members=members,
        research_content=content,
        units=units,
    )


_ALPHABET: list[str] = []


def _alphabet() -> list[str]:
    if not _ALPHABET:
        text = (ROOT / GUIDE).read_text(encoding="utf-8")
        _ALPHABET.extend(sorted({c for c in text if "\u4e00" <= c <= "\u9fff"}))
    return _ALPHABET


def _value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def fill(fields: dict, data) -> dict:
    """The proposal form's fields (as read from the page) with ``data`` typed in."""
    out = {k: v for k, v in fields.items() if not re.match(r"^(units|members)-\d+-", k)}
    main = {
        "reference": "",
        "guide_year": data.guide_year,
        "direction": data.direction,
        "title": data.title,
        "recommender": data.recommender,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "national_funding": data.budget.national,
        "matching_funding": data.budget.matching,
        "research_content": data.research_content,
        "indicators": data.indicators,
    }
    out.update({k: _value(v) for k, v in main.items()})
    pi = data.pi
    for name in (
        "name",
        "id_number",
        "birth_date",
        "title",
        "degree",
        "employer",
        "employment",
        "employment_proofs",
    ):
        out[f"pi-{name}"] = _value(getattr(pi, name))
    out["pi-nationality"] = pi.nationality or ""
    out["pi-civil_servant"] = _value(pi.civil_servant)
    out["units-TOTAL_FORMS"] = str(len(data.units))
    for i, u in enumerate(data.units):
        for name in ("name", "credit_code", "country", "type", "registered_on", "role"):
            out[f"units-{i}-{name}"] = _value(getattr(u, name))
        for flag in ("third_party_testing", "hgr_license"):
            if getattr(u, flag):
                out[f"units-{i}-{flag}"] = "on"
    out["members-TOTAL_FORMS"] = str(len(data.members))
    for i, m in enumerate(data.members):
        for name, key in (
            ("name", "name"),
            ("id_number", "id_number"),
            ("birth_date", "birth_date"),
            ("nationality", "nationality"),
            ("employer", "unit"),
            ("task", "role"),
        ):
            out[f"members-{i}-{name}"] = _value(getattr(m, key))
    out["action"] = "submit"
    return out


# --------------------------------------------------------------------------- #
# Scenarios
# --------------------------------------------------------------------------- #


class Rush:
    def __init__(self, stack_url: str, recorder: Recorder, directions: list[str], areas: list[str]):
        self.url = stack_url
        self.rec = recorder
        self.directions = directions
        self.areas = areas
        self.counter = 0
        self.lock = threading.Lock()

    def next_n(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def browse(self, rnd: random.Random) -> None:
        b = Browser(self.url, self.rec)
        b.get("home", "/")
        query = rnd.choice(
            [
                "",
                "?ratio=any",
                "?partner=any",
                f"?area={rnd.choice(self.areas)}" if self.areas else "?q=材料",
                "?q=" + urllib.parse.quote(rnd.choice(["碳", "氢", "材料", "数据", "health"])),
            ]
        )
        b.get("direction_list", f"/guide/{YEAR}/directions/{query}")
        for code in rnd.sample(self.directions, k=min(2, len(self.directions))):
            b.get("direction", f"/guide/{YEAR}/directions/{code}/")

    def login(self, user: str) -> Browser:
        b = Browser(self.url, self.rec)
        page = b.get("login_page", "/accounts/login/")
        fields = form_with(page.body, "username")
        fields.update(username=user, password=PASSWORD)
        r = b.request("login", "/accounts/login/", data=fields)
        if r.status != 302:
            raise RuntimeError(f"login of {user} answered {r.status}")
        return b

    def _submitted(self, b: Browser, r: Response, how: str) -> None:
        confirm = re.fullmatch(r"/proposals/(\d+)/submit/confirm/", r.location) if r.status == 302 else None
        if confirm:  # the check of the content as it is now lists failing conditions: submit anyway
            page = b.get("submit_confirm", r.location)
            r = b.request(
                "submit_anyway",
                f"/proposals/{confirm.group(1)}/submit/",
                data=form_with(page.body, "confirm"),
            )
        m = re.fullmatch(r"/proposals/(\d+)/", r.location)
        if r.status != 302 or not m:
            with self.rec.lock:
                self.rec.rejected[how] += 1
            return
        pk = int(m.group(1))
        with self.rec.lock:
            self.rec.submitted.append((pk, time.time(), how))
        b.get("detail", r.location)
        b.get("report", f"/screening/proposals/{pk}/")

    def applicant_form(self, b: Browser, rnd: random.Random) -> None:
        data = proposal_data(self.next_n(), rnd.choice(self.directions))
        page = b.get("new_form", "/proposals/new/")
        r = b.request("create_submit", "/proposals/new/", data=fill(form_with(page.body, "title"), data))
        self._submitted(b, r, "form")

    def applicant_upload(self, b: Browser, rnd: random.Random) -> None:
        from proposals.docgen import build_docx, build_pdf

        data = proposal_data(self.next_n(), rnd.choice(self.directions))
        fmt = rnd.choice(["docx", "pdf"])
        content = build_docx(data) if fmt == "docx" else build_pdf(data)
        page = b.get("upload_page", "/proposals/upload/")
        fields = form_with(page.body, "csrfmiddlewaretoken")
        types = {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf",
        }
        r = b.request(
            "upload", "/proposals/upload/", data=fields, files={"file": (f"草稿.{fmt}", content, types[fmt])}
        )
        if r.status != 302:
            with self.rec.lock:
                self.rec.rejected["upload"] += 1
            return
        status_url = r.location
        waited_until = time.monotonic() + 60
        while True:  # the status page refreshes every 3 s until the draft is read
            page = b.get("upload_status", status_url)
            if 'name="title"' in page.body or page.status != 200 or time.monotonic() > waited_until:
                break
            time.sleep(3)
        if 'name="title"' not in page.body:
            with self.rec.lock:
                self.rec.rejected["upload (not read)"] += 1
            return
        # The applicant checks what was read and corrects it (here: types it all in again).
        r = b.request("confirm_submit", status_url, data=fill(form_with(page.body, "title"), data))
        self._submitted(b, r, "upload")

    def client(self, index: int, mix: tuple[float, float]) -> None:
        rnd = random.Random(index)
        user = f"load{index:03d}"
        session = None
        while True:
            try:
                x = rnd.random()
                if x < mix[0]:
                    self.browse(rnd)
                    continue
                if session is None:
                    session = self.login(user)
                if x < mix[0] + mix[1]:
                    self.applicant_form(session, rnd)
                else:
                    self.applicant_upload(session, rnd)
                if rnd.random() < 0.3:
                    session.get("proposal_list", "/proposals/")
                if rnd.random() < 0.2:
                    session = None  # logs in again next time (another browser, the next day)
            except Stop:
                return
            except (RuntimeError, LookupError) as exc:  # a page without the expected form: an error page
                with self.rec.lock:
                    self.rec.rejected[f"broken: {str(exc)[:60]}"] += 1
                session = None
                time.sleep(1)


# --------------------------------------------------------------------------- #
# Driving and reporting
# --------------------------------------------------------------------------- #


def say(text: str) -> None:
    print(text, flush=True)


def guide_links(url: str) -> tuple[list[str], list[str]]:
    with urllib.request.urlopen(f"{url}/guide/{YEAR}/directions/", timeout=30) as r:
        html = r.read().decode()
    codes = sorted(set(re.findall(rf'href="/guide/{YEAR}/directions/([0-9.]+)/"', html)))
    areas = sorted(set(re.findall(r'<option value="(\d+)"', html)))
    return codes, areas


def unloaded_baseline(url: str, directions: list[str]) -> dict[str, float]:
    """Each anonymous page kind, one request at a time before the rush: the denominator."""
    rec = Recorder(max_requests=10**9, deadline=time.monotonic() + 120)
    b = Browser(url, rec)
    for _ in range(10):
        b.get("healthz", "/healthz")
        b.get("home", "/")
        b.get("direction_list", f"/guide/{YEAR}/directions/")
        b.get("direction", f"/guide/{YEAR}/directions/{directions[0]}/")
    return {kind: percentile([d for d, _ in s], 50) for kind, s in rec.samples.items()}


# Where a submission's time goes, from the submit request's answer to the run's end:
# the follow-up's outbox row published, the follow-up started (it creates the run and
# executes it itself), the run claimed, the run done.
STAGES = ("follow-up published", "run created", "run claimed", "run done")


def screening_latencies(stack: Stack, submitted, drain: float) -> tuple[list[float], int, int, dict]:
    """Wait (at most ``drain`` s) until every submitted proposal has a finished run after
    its submission; return the latencies, the number failed, the number still pending and
    the time of each stage (STAGES) per screened proposal."""
    import psycopg

    if not submitted:
        return [], 0, 0, {}
    pks = [pk for pk, _, _ in submitted]
    sql = (
        "SELECT r.proposal_id, r.status, EXTRACT(EPOCH FROM r.finished_at), EXTRACT(EPOCH FROM f.sent_at), "
        "EXTRACT(EPOCH FROM r.queued_at), EXTRACT(EPOCH FROM r.started_at) "
        "FROM screening_screeningrun r "
        "LEFT JOIN common_outboxmessage f ON f.task = 'screening.proposal_submitted' "
        "AND f.args ->> 0 = r.proposal_id::text "
        "WHERE r.proposal_id = ANY(%s) AND r.finished_at IS NOT NULL AND r.status IN ('done', 'failed')"
    )
    deadline = time.monotonic() + drain
    with psycopg.connect(stack.db_url.replace("postgres://", "postgresql://", 1)) as conn:
        while True:
            finished: dict[int, tuple] = {}
            at = {pk: t for pk, t, _ in submitted}
            for pk, status, end, *marks in conn.execute(sql, [pks]).fetchall():
                end = float(end)
                if end >= at[pk] - 1 and (pk not in finished or end < finished[pk][1]):
                    finished[pk] = (status, end, marks)
            conn.rollback()
            if len(finished) == len(pks) or time.monotonic() >= deadline:
                break
            time.sleep(1)
    latencies = [end - at[pk] for pk, (status, end, _) in finished.items() if status == "done"]
    failed = sum(1 for status, _, _ in finished.values() if status == "failed")
    stages: dict[str, list[float]] = defaultdict(list)
    for pk, (status, end, marks) in finished.items():
        points = [at[pk], *(float(m) if m is not None else None for m in marks), end]
        if status != "done" or None in points:
            continue
        for stage, before, after in zip(STAGES, points[:-1], points[1:], strict=True):
            stages[stage].append(max(after - before, 0.0))
    return latencies, failed, len(pks) - len(finished), stages


SLOW_BY_DESIGN = frozenset({"login"})


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:7.0f}"


def report(
    rec: Recorder, baseline: dict[str, float], args, latencies, failed, pending, stages, stack: Stack
) -> None:
    elapsed = (rec.last - rec.first) if rec.first is not None else 0
    total = [s for samples in rec.samples.values() for s in samples]
    say("")
    say(
        f"{args.threads} threads, {len(total)} requests in {elapsed:.1f} s "
        f"(caps: {args.requests} requests, {args.duration} s): {len(total) / elapsed if elapsed else 0:.1f} req/s"
    )
    say(
        f"the load client itself used {rec.client_cpu:.1f} CPU-s "
        f"({rec.client_cpu / elapsed if elapsed else 0:.2f} of the {os.cpu_count()} cores) on the same machine"
    )
    if rec.stack_cpu:
        parts = ", ".join(f"{name} {seconds:.0f}" for name, seconds in sorted(rec.stack_cpu.items()))
        say(f"CPU-s during the rush (of {elapsed * (os.cpu_count() or 1):.0f} the cores had): {parts}")
    say(
        f"{'kind':16s} {'n':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'errors':>7s}  p50 / unloaded p50"
    )
    for kind in sorted(rec.samples):
        s = summarize(rec.samples[kind])
        ratio = f"{s.p50 / baseline[kind]:.1f}x" if kind in baseline and baseline[kind] else ""
        codes = ", ".join(f"{c or 'conn'}:{k}" for c, k in sorted(rec.error_codes[kind].items()))
        say(f"{kind:16s} {s.count:6d} {ms(s.p50)} {ms(s.p95)} {ms(s.p99)} {s.errors:7d}  {ratio} {codes}")
    s = summarize(total)
    say(f"{'overall':16s} {s.count:6d} {ms(s.p50)} {ms(s.p95)} {ms(s.p99)} {s.errors:7d}")
    # the aim is for pages; a login hashes the password (PBKDF2, Django's 1,000,000 rounds) by design
    pages = summarize(
        [x for kind, samples in rec.samples.items() if kind not in SLOW_BY_DESIGN for x in samples]
    )
    say(
        f"{'pages (no login)':16s} {pages.count:6d} {ms(pages.p50)} {ms(pages.p95)} {ms(pages.p99)} {pages.errors:7d}"
    )
    how = defaultdict(int)
    for _, _, h in rec.submitted:
        how[h] += 1
    say(
        f"submitted: {len(rec.submitted)} ({', '.join(f'{k} {v}' for k, v in sorted(how.items())) or 'none'}); "
        f"not accepted: {dict(rec.rejected) or 0}"
    )
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    say(
        f"submit to screened: {len(latencies)} screened, {failed} failed, {pending} not finished "
        f"within {args.drain} s of the end of traffic; "
        + (f"p50 {p50:.1f} s, p95 {p95:.1f} s" if latencies else "no latency")
    )
    if stages:
        say(
            "where that time goes (each stage from the end of the one before; the first from the submit answer):"
        )
        for stage in STAGES:
            values = stages.get(stage, [])
            say(
                f"  {stage:22s} p50 {percentile(values, 50) or 0:6.2f} s   p95 {percentile(values, 95) or 0:6.2f} s"
            )
    if stack.exited():
        say(f"exited during the run: {', '.join(stack.exited())} (logs in {stack.tmp})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _terminated(*_) -> None:
    say("terminated: stopping everything it started")
    sys.exit(143)  # runs main()'s finally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="stop after this many requests")
    parser.add_argument("--duration", type=float, default=60, help="stop after this many seconds of traffic")
    parser.add_argument("--drain", type=float, default=180, help="longest wait for screening after traffic")
    parser.add_argument("--browse", type=float, default=0.4, help="share of iterations that only browse")
    parser.add_argument(
        "--form", type=float, default=0.35, help="share creating through the form (rest: upload)"
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument(
        "--redis-port", type=int, default=0, help="its own Redis's port (default: a free one)"
    )
    parser.add_argument(
        "--web-workers", type=int, default=0, help="gunicorn workers (default: config/gunicorn.py)"
    )
    parser.add_argument("--setup-timeout", type=float, default=300)
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on any request error, failed or unscreened submission (CI)",
    )
    args = parser.parse_args(argv)
    args.port = args.port or _free_port()
    args.redis_port = args.redis_port or _free_port()
    sys.path.insert(0, str(ROOT))

    tmp = Path(tempfile.mkdtemp(prefix="prescreen-load-"))
    stack = Stack(args, tmp)
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even when started in the background
    try:
        stack.up()
        directions, areas = guide_links(stack.base_url)
        baseline = unloaded_baseline(stack.base_url, directions)
        rec = Recorder(args.requests, time.monotonic() + args.duration)
        rush = Rush(stack.base_url, rec, directions, areas)
        say(f"rush: {args.threads} threads, at most {args.requests} requests or {args.duration:.0f} s")
        threads = [
            threading.Thread(target=rush.client, args=(i, (args.browse, args.form)), daemon=True)
            for i in range(args.threads)
        ]
        cpu, stack_cpu = time.process_time(), stack.cpu_seconds()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 120)  # a request in flight has its own 60 s timeout
        rec.client_cpu = time.process_time() - cpu
        rec.stack_cpu = {k: v - stack_cpu.get(k, 0.0) for k, v in stack.cpu_seconds().items()}
        say(
            f"traffic over; waiting at most {args.drain:.0f} s for {len(rec.submitted)} submissions to be screened"
        )
        latencies, failed, pending, stages = screening_latencies(stack, list(rec.submitted), args.drain)
        report(rec, baseline, args, latencies, failed, pending, stages, stack)
        errors = sum(summarize(samples).errors for samples in rec.samples.values())
        if args.strict and (errors or failed or pending):
            say(f"strict: {errors} request errors, {failed} runs failed, {pending} not screened")
            return 1
        return 0
    except KeyboardInterrupt:
        say("interrupted: stopping everything it started")
        return 130
    finally:
        stack.down()
        if args.keep_logs:
            say(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
