"""Settings shared by every environment. Everything configurable is read from the
environment through one reader (django-environ); `.env.example` lists each variable."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets the site's own page in the reader's language (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

INSTALLED_APPS = [
    "common.admin_site.AuditedAdminConfig",  # django.contrib.admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "axes",
    "common",
    "guide",
    "proposals",
    "screening",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "common.middleware.PrivateNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view reads a body: an oversized request gets a page that says why (413).
    "common.middleware.RequestTooLargeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.role",
                "common.context_processors.notifications",
            ],
        },
    },
]

# Form widgets from Django's own Jinja2 templates of them where it has them (common/forms_rendering.py)
FORM_RENDERER = "common.forms_rendering.WidgetRenderer"

WSGI_APPLICATION = "config.wsgi.application"

# With nothing configured: SQLite in the project folder (the embedded default).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling (django-axes): failures are counted in the database, so every
# gunicorn worker sees them. After AXES_FAILURE_LIMIT wrong passwords for one
# username from one IP address, that pair is refused (HTTP 429, the lockout page)
# for AXES_COOLOFF_TIME; a successful login resets the count. Admins unlock in
# the admin ("Access attempts") or with `manage.py axes_reset_username <name>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every manage.py command; lockouts are still logged
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "common.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "common.lockout.client_ip"
# Drafts one account may hold at once (form, upload, API; an officer's import is not counted against
# it): each is screened at every check, so one account's work stays bounded.
MAX_DRAFTS_PER_ACCOUNT = env.int("MAX_DRAFTS_PER_ACCOUNT", default=50)
# Failed logins from one client address across all usernames (the lockout above counts per username
# and address): past this many in this many seconds the login page answers 429 for that address.
LOGIN_FAILURES_PER_ADDRESS = (
    env.int("LOGIN_FAILURES_PER_ADDRESS", default=30),
    env.int("LOGIN_FAILURES_PER_ADDRESS_SECONDS", default=900),
)
# Requests that send mail, counted per client address and per e-mail address typed (common.RateCount,
# in the database: shared by every worker): (how many, in how many seconds). Past the address's
# limit the page answers 429; past an e-mail's, a reset request is answered as usual but sends nothing.
SIGNUP_LIMITS = {
    "address": (env.int("SIGNUP_PER_ADDRESS_PER_HOUR", default=10), 3600),
    "email": (env.int("SIGNUP_PER_EMAIL_PER_DAY", default=3), 86400),
}
PASSWORD_RESET_LIMITS = {
    "address": (env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=20), 3600),
    "email": (env.int("PASSWORD_RESET_PER_EMAIL_PER_HOUR", default=3), 3600),
}
# Reverse proxies in front of the app that append to X-Forwarded-For (0 = use the
# socket address; never trust a header a client can set itself).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# E-mail (password reset, sign-up confirmation). Unset = printed to the console.
# EMAIL_URL: e.g. smtp+tls://user:password@mail.example.org:587 (django-environ's form).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = 10  # seconds: a dead mail server must not hang a worker
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="prescreen@localhost")
# The site's address as users reach it, for links in e-mails sent outside a request (notifications).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Password reset by e-mail is offered when mail can reach the user: always on the
# embedded default (the link is printed in the console), in production only with
# EMAIL_URL set (see production.py); otherwise the reset page says to ask an admin.
PASSWORD_RESET_ENABLED = True
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # seconds: reset links work for one day

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files are private: MEDIA_ROOT is never served by URL; downloads go
# through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
MAX_UPLOAD_PAGES = env.int("MAX_UPLOAD_PAGES", default=200)
# Uploaded drafts are read in a child process with this much address space and this many
# seconds (proposals.extraction.sandbox); the task's own soft limit is 15 s later.
EXTRACTION_TIME_LIMIT = env.int("EXTRACTION_TIME_LIMIT", default=60)
EXTRACTION_MEMORY_BYTES = env.int("EXTRACTION_MEMORY_BYTES", default=768 * 1024 * 1024)
# Guide files uploaded by officers are read the same way (guide.parsing.sandbox), with room
# for a long PDF: pdfplumber takes every positioned line of every page.
GUIDE_READING_TIME_LIMIT = env.int("GUIDE_READING_TIME_LIMIT", default=120)
GUIDE_READING_MEMORY_BYTES = env.int("GUIDE_READING_MEMORY_BYTES", default=1024 * 1024 * 1024)
# Form fields (everything but files) of one request; Django answers 400 past it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The whole request body: one file at the upload limit plus the form fields. A larger
# multipart body is refused (400) before anything is written to disk; nginx's
# client_max_body_size must be at least this (25m with the defaults).
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_HANDLERS = [
    "common.uploadhandlers.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Celery: with REDIS_URL unset, tasks run eagerly in-process (embedded default).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # job state lives in the database, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Pool processes and relays run this much nicer than the web (Linux scheduling weight about a tenth at
# 10): on a machine that runs both, a page does not wait for a core behind a draft being read or batch
# screening, and that work still gets every cycle the web leaves (common.runtime.yield_to_requests; 0:
# as is). A worker that takes the applicant's queue ("checks": checks and submissions) yields
# WORKER_NICE_CHECKS instead: its work is short and an applicant waits for it, so it shares the cores
# with the web as an equal rather than waiting until the web pauses. Niceness counts only between
# processes the kernel schedules together (one session or cgroup): see README, "Workers yield".
WORKER_NICE = env.int("WORKER_NICE", default=10)
WORKER_NICE_CHECKS = env.int("WORKER_NICE_CHECKS", default=0)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Separate queues: a long extraction never delays a check (start workers for both,
# see `make worker`); the relay and sweeps run in every worker (common.worker). An
# applicant's own check or submission, and recovered work, go to the fast lane
# (common.outbox.FAST_QUEUE, "checks"), which workers consume first (queue_order_strategy
# "priority": the order of -Q), never behind batch chunks or collision re-screens.
CELERY_TASK_ROUTES = {
    "proposals.draft_extract": {"queue": "extraction"},
    "guide.read_version": {"queue": "extraction"},
    "screening.*": {"queue": "screening"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Bounded workers: a pool process is replaced after this many tasks or once its
# resident memory passes this many KiB (parsing itself runs in a memory-capped child).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=512 * 1024)
# Longer than the longest task's hard limit (an unacknowledged message of a worker
# that died is restored after this long; leases recover its work sooner).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=180),
    "queue_order_strategy": "priority",
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker to come back

# Caches. "pages" holds the guide's public pages (guide.caching): with REDIS_URL, on that Redis server
# in the next database after Celery's (redis://host:6379/0 → /1), keys prefixed "prescreen"; without
# it, this process's memory. Keys carry the published versions, so publishing needs no purge; entries
# expire after a day. "default" (the API's throttles) stays in local memory.
if REDIS_URL:
    _redis = urlsplit(REDIS_URL)
    _pages_db = int(_redis.path.strip("/") or 0) + 1
    _pages_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis._replace(path=f"/{_pages_db}").geturl(),
        "KEY_PREFIX": "prescreen",
        # a dead or unreachable server costs a page at most this long (then guide.caching pauses it)
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "TIMEOUT": 24 * 60 * 60,
    }
else:
    _pages_cache = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "guide-pages",
        "OPTIONS": {"MAX_ENTRIES": 500},
        "TIMEOUT": 24 * 60 * 60,
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": _pages_cache,
}

# Job reliability (see README → Reliability): screening chunks' soft time limit (the
# hard one is 10 s later, a claim's lease 20 s later); how long a new cross-proposal
# collision waits so that a burst re-screens each proposal once; when queued work
# whose message was lost is sent again; how often workers relay the outbox and sweep.
SCREENING_TIME_LIMIT = env.int("SCREENING_TIME_LIMIT", default=60)
SCREENING_COLLISION_DELAY = env.float("SCREENING_COLLISION_DELAY", default=10.0)
# A check asked again within this many seconds of an identical one (same data, same inputs) shares it.
SCREENING_CHECK_REUSE = env.float("SCREENING_CHECK_REUSE", default=10.0)
SCREENING_QUEUED_RESEND = env.int("SCREENING_QUEUED_RESEND", default=30)
UPLOAD_QUEUED_RESEND = env.int("UPLOAD_QUEUED_RESEND", default=30)
OUTBOX_RELAY_INTERVAL = env.float("OUTBOX_RELAY_INTERVAL", default=1.0)
SWEEP_INTERVAL = env.float("SWEEP_INTERVAL", default=5.0)
# A published outbox row whose work has not started this long while its queue is empty was lost
# by the broker: it is published again (a broker that restarted empty is noticed at once).
OUTBOX_RESEND_AFTER = env.float("OUTBOX_RESEND_AFTER", default=30.0)
# /healthz says "degraded" past these (seconds): no relay heartbeat, an outbox row not published,
# published work not started, work of HEALTH_BACKLOGS waiting to start.
HEALTH_THRESHOLDS = {
    "relay_heartbeat": env.float("HEALTH_RELAY_HEARTBEAT", default=30.0),
    "outbox_pending": env.float("HEALTH_OUTBOX_PENDING", default=30.0),
    "outbox_not_started": env.float("HEALTH_OUTBOX_NOT_STARTED", default=300.0),
    "work_waiting": env.float("HEALTH_WORK_WAITING", default=300.0),
}
HEALTH_BACKLOGS = {"screening runs": "screening.selectors.runs_backlog"}
# Tasks told (through the outbox) when a proposal is submitted: (proposal id, user id).
ON_PROPOSAL_SUBMITTED = ["screening.proposal_submitted"]
# What asks an applicant to confirm a submission: a function (proposal) → [(rule id,
# label)] of the failing checks of the draft ("" for none); proposals never import screening.
SUBMIT_WARNINGS = "screening.selectors.draft_failures"
# Notifications (common.Notification): the catalogues of their kinds (kind id → its title and
# body, rendered in the reader's language), and who is told when a guide version is published
# (guide calls common.services.hooks_run("ON_GUIDE_PUBLISHED", year=..., by=...)).
NOTIFICATION_KINDS = ["screening.notifications.KINDS"]
ON_GUIDE_PUBLISHED = ["screening.notifications.notify_stale_results"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# The workers relay the outbox and sweep lost work themselves (common.worker); beat
# runs the same sweeps as a backstop, and purges the published outbox daily.
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-screening-runs": {"task": "screening.requeue_stale", "schedule": 60.0},
    "requeue-stale-draft-uploads": {"task": "proposals.requeue_stale_uploads", "schedule": 60.0},
    "requeue-stale-guide-readings": {"task": "guide.requeue_stale_readings", "schedule": 60.0},
    "purge-outbox": {"task": "common.outbox_purge", "schedule": 86400.0},
    "sweep-workspace-jobs": {"task": "screening.workspace_sweep", "schedule": 60.0},
}
# What the relay (common.relay) sweeps, and what a restarting worker gives back.
RELAY_SWEEPS = [
    "screening.services.runs_requeue_stale",
    "proposals.services.uploads_requeue_stale",
    "guide.services.reading.readings_requeue_stale",
    "guide.services.publishing.publishes_requeue_stale",
    "screening.workspace.services.bulk_jobs_sweep",  # also deletes expired export files
    "screening.registries.registry_imports_requeue_stale",
]
RELAY_RELEASES = [
    "screening.services.runs_release_worker",
    "proposals.services.uploads_release_worker",
    "guide.services.reading.readings_release_worker",
    "guide.services.publishing.publishes_release_worker",
    "screening.workspace.services.bulk_jobs_release_worker",
    "screening.workspace.services.export_parts_release_worker",
    "screening.registries.registry_imports_release_worker",
]

# --- The API: /api/v1/ (config/api.py; common/api/ holds the shared pieces) ---------------
INSTALLED_APPS += ["rest_framework", "rest_framework.authtoken", "drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    # Token first, so a request without credentials gets 401 with `WWW-Authenticate: Token`;
    # session clients (the docs page) need the CSRF token on unsafe methods.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: no browsable API (its pages have inline scripts); /api/v1/docs/ is the UI.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "common.api.parsers.JSONParser"
    ],  # depth-limited; uploads name MultiPartParser
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["common.api.throttling.AnonThrottle", "common.api.throttling.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # throttling by address: never trust a client's X-Forwarded-For
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS answers 405: the schema describes every endpoint
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("指南预审工作台 API"),
    "DESCRIPTION": _(
        "已发布的指南（公开）、申报书、预审运行与报告、名单。身份认证：请求头 `Authorization: Token <key>`"
        "（管理员在管理后台 Auth Token → Tokens 中创建），或网站的登录会话（修改类请求须带 CSRF 令牌）。"
        '所有错误的答复都是 `{"error": {"code", "message", "fields"}}`（组件 Error）。'
        "文字的语言：django_language cookie，其次 Accept-Language（zh-hans、en）。"
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PartnerRequirementKindEnum": "guide.models.PartnerRequirement.Kind",
        "AttachmentKindEnum": "proposals.enums.AttachmentKind",
        "ProposalStateEnum": "proposals.enums.ProposalState",
        "OutcomeEnum": "screening.enums.Outcome",
        "RunStatusEnum": "screening.enums.RunStatus",
        "RegistryNameEnum": "screening.enums.RegistryName",
    },
    # Served from the package's own static files: the app runs offline under a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # no deep links: Swagger UI puts them as links inside the operation buttons (nested-interactive)
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
}
