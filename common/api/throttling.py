"""Rate limits for the API: ``anon`` per address, ``user`` per account, from settings
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (env ``API_THROTTLE_ANON`` /
``API_THROTTLE_USER``). Over the limit: 429 in the one error body, with ``Retry-After``.

DRF's throttles read their rates once, when the class is defined; these read them on
every request, so a changed setting (a test's override) applies at once. The counts
live in Django's default cache (per process with the default local-memory cache: with
several gunicorn workers each has its own count; configure a shared cache to make the
limit global). The client address honours ``TRUSTED_PROXY_COUNT`` (``NUM_PROXIES``),
so a client cannot pick its own bucket with a forged X-Forwarded-For."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    pass


class UserThrottle(_RateFromSettings, UserRateThrottle):
    pass
