"""config/settings/production.py passes Django's deployment checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(**extra) -> subprocess.CompletedProcess:
    # A clean environment: nothing the test run itself sets (DJANGO_ALLOW_ASYNC_UNSAFE
    # from the browser tests, DEBUG, ...) may leak into the checked process.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
        PLAIN_HTTP="false",
        SECURE_HSTS_PRELOAD="false",
    )
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues_under_production_settings():
    result = check_deploy()
    # The one silenced check is security.W021 (HSTS preload), left to the operator.
    assert (result.returncode, result.stdout.strip(), result.stderr) == (
        0,
        "System check identified no issues (1 silenced).",
        "",
    )


def test_check_deploy_with_hsts_preload_needs_no_silencing():
    result = check_deploy(SECURE_HSTS_PRELOAD="true")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (
        0,
        "System check identified no issues (0 silenced).",
        "",
    )


def test_plain_http_switches_off_redirect_hsts_and_secure_cookies_together():
    result = check_deploy(PLAIN_HTTP="true")
    reported = sorted(
        code
        for code in ("security.W004", "security.W008", "security.W012", "security.W016")
        if code in result.stderr + result.stdout
    )
    assert (result.returncode, reported) == (
        1,
        ["security.W004", "security.W008", "security.W012", "security.W016"],
    )


def production_settings(monkeypatch, **env):
    import importlib

    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("PLAIN_HTTP", "false")
    monkeypatch.setenv("SECURE_HSTS_PRELOAD", "false")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import config.settings.base as base
    import config.settings.production as module

    importlib.reload(base)
    return importlib.reload(module)


def test_production_is_https_only_by_default(monkeypatch):
    prod = production_settings(monkeypatch)
    assert (
        prod.SECURE_SSL_REDIRECT,
        prod.SECURE_HSTS_SECONDS,
        prod.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        prod.SESSION_COOKIE_SECURE,
        prod.CSRF_COOKIE_SECURE,
    ) == (True, 31536000, True, True, True)


def test_plain_http_turns_every_https_setting_off(monkeypatch):
    prod = production_settings(monkeypatch, PLAIN_HTTP="true")
    assert (
        prod.SECURE_SSL_REDIRECT,
        prod.SECURE_HSTS_SECONDS,
        prod.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        prod.SESSION_COOKIE_SECURE,
        prod.CSRF_COOKIE_SECURE,
    ) == (False, 0, False, False, False)


def test_health_probes_are_answered_over_plain_http_while_pages_redirect(monkeypatch, client, settings, db):
    prod = production_settings(monkeypatch)
    settings.SECURE_SSL_REDIRECT = prod.SECURE_SSL_REDIRECT
    settings.SECURE_REDIRECT_EXEMPT = prod.SECURE_REDIRECT_EXEMPT
    health = client.get("/healthz")
    page = client.get("/accounts/login/")
    assert (health.status_code, page.status_code, page["Location"]) == (
        200,
        301,
        "https://testserver/accounts/login/",
    )


def test_production_offers_password_reset_only_with_a_mail_server(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    without = production_settings(monkeypatch).PASSWORD_RESET_ENABLED
    with_mail = production_settings(monkeypatch, EMAIL_URL="smtp+tls://u:p@mail.example.org:587")
    assert (without, with_mail.PASSWORD_RESET_ENABLED, with_mail.EMAIL_HOST, with_mail.EMAIL_USE_TLS) == (
        False,
        True,
        "mail.example.org",
        True,
    )
