"""Production gunicorn settings:  gunicorn -c config/gunicorn.py config.wsgi:application

Every value can be changed from the environment (names below). Requests are short:
draft extraction and screening run in Celery workers, not in the request, so a request
that takes longer than `timeout` is a stuck worker and is killed.

The reverse proxy must cap the request body too. Django refuses a body over
MAX_REQUEST_BYTES (one upload plus the form fields, 25 MiB by default; see
common/uploadhandlers.py), but only once a sync worker is reading it: a slow 200 MB
upload would still hold that worker. In nginx, with the same figure:

    client_max_body_size 25m;      # answers 413 before the body reaches gunicorn
    proxy_request_buffering on;    # the default: nginx takes the slow upload, not a worker

and forward X-Forwarded-Proto (production.py trusts it) from the proxy's address only
(FORWARDED_ALLOW_IPS below).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Socket. In a container: GUNICORN_BIND=0.0.0.0:8000 behind the proxy.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
backlog = _int("GUNICORN_BACKLOG", 2048)

# Workers: sync workers (one request at a time each, no thread-safety questions);
# WEB_CONCURRENCY is the conventional variable. 2 x cores + 1 is gunicorn's rule of
# thumb for I/O-bound pages; on a host shared with Celery workers use fewer.
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # on restart/deploy: finish what is running
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # a bit longer than the proxy's upstream keep-alive is pointless

# Restart each worker after a number of requests (with jitter, so they do not all
# restart at once): bounds the damage of a slow memory leak in a library.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Request line and headers (the body is capped by Django and the proxy, see above).
# The longest URLs are filtered lists with Chinese keywords, far under 4 KiB.
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 4094)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 64)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)

# The workers' heartbeat files: on tmpfs, so a slow or full disk (or Docker's
# overlay filesystem) cannot make healthy workers look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Only the proxy may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "prescreen"


def post_worker_init(worker):
    """The worker has loaded the app: its start-up objects are kept out of the collector's scans
    (common.runtime.freeze_startup_heap), so a request's collections scan what it allocated."""
    from common.runtime import freeze_startup_heap

    freeze_startup_heap()
