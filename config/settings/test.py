"""Test settings: fast hashing, media in a temp folder, eager tasks unless a test starts a worker."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="prescreen-media-")
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The audit trail's trigger refuses TRUNCATE unless the session sets this (common migration
    # 0004); the test runner empties every table with TRUNCATE after a transactional test.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c prescreen.audit_truncate=on"  # noqa: F405

# The guide's page cache in this process's memory whether or not REDIS_URL is set, emptied before every
# test (tests/conftest.py); tests/guide/test_public_cache.py points it at the real Redis to test that.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages"},
}
