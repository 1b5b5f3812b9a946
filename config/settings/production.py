"""Production: secrets must come from the environment; HTTPS only (redirect, HSTS,
secure cookies) unless PLAIN_HTTP=true is set explicitly for a plain-HTTP intranet.
`manage.py check --deploy` reports no issues with these settings."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")

# The one switch for a deployment without TLS (an intranet on plain HTTP): it turns
# off the redirect, HSTS and secure-only cookies together. Off by default.
PLAIN_HTTP = env.bool("PLAIN_HTTP", default=False)
HTTPS = not PLAIN_HTTP

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Internal health probes speak plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading is a promise for the whole domain that is slow to take back; it is the
# operator's decision (SECURE_HSTS_PRELOAD=true), so its check (W021) is silenced
# while it is off.
SECURE_HSTS_PRELOAD = HTTPS and env.bool("SECURE_HSTS_PRELOAD", default=False)
if HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# Without a mail server the reset links would only reach the server's log, so the
# reset page tells users to ask an administrator instead.
PASSWORD_RESET_ENABLED = bool(env("EMAIL_URL", default=""))
