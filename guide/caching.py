"""The guide's public pages from a cache: ``@public_page`` on a view.

What is cached: the whole page as anonymous visitors GET it, in the ``pages`` cache (settings
``CACHES``: Redis when ``REDIS_URL`` is set, local memory otherwise). Signed-in users always get a
fresh page: their header carries their name, their role's links, their unread notifications and
possibly a message, and they are few next to the public. A request that has a message waiting
(one set for an anonymous visitor before a redirect) is rendered fresh as well, and so is a query
string with parameters the page does not take (so nobody fills the cache with ``?x=1``, ``?x=2`` …).

The key: ``guide-page:<site>:<versions>:<language>:<path>`` — the published version of every year
(the year switcher and the compare page show the other years, so publishing any year changes it),
the interface language and the full path with its query string (hashed), and ``<site>``, a digest of
the code, templates and catalogues (a deploy that changes what a page looks like starts with new
keys) and of the database's name (sites sharing a Redis server never share pages). Publishing a
version is therefore the invalidation: it sets ``Guide.published_version``
(``guide.services.versions.version_publish`` → ``guide_save``) and calls :func:`versions_changed`,
so the next request asks for a key that is not there. A process reads the published versions (one
small query) at most once per ``VERSIONS_TTL`` second: a version published by another process (a
worker, ``manage.py ingest_guide --publish``) shows there within that second. Nothing else writes
the rows the pages read (the Django admin aside: it edits rows behind the versions' back and is not
tracked here). Old keys expire after the cache's ``TIMEOUT``.

Each process keeps the pages it served last in front of the shared cache (:class:`NearPages`, up to
``NEAR_BYTES``): a hit there costs no round trip and no unpickling. Its keys are the same, so it is
never staler than the shared cache.

The CSRF token: every page has one (the language switch is a POST form). The page is rendered with
a throwaway CSRF secret and its tokens are replaced by a placeholder before it is stored; each
response gets the visitor's own secret, freshly masked as Django masks it (:func:`_masked`, one draw
from the system's random source where Django's ``get_token`` makes 32: on this page that was the
largest cost left). A new visitor's secret is made by ``get_token``, which also sets the cookie; a
known visitor's cookie is not sent again with every cached page (Django would, to push its expiry a
year further; once it expires the visitor simply gets a new one). So no visitor's token, and no
secret, is ever stored or shown to anybody else.

ETag: the digest of the stored page with a digest of the visitor's CSRF secret, weak (the masked
token differs on every response); ``If-None-Match`` with it answers 304. The secret is part of it
because a page kept by the browser carries a token of that secret: after the cookie changes, the
page must be sent again.

A cache outage (Redis unreachable or timing out) degrades to rendering (and to the near pages): the
error is logged and the shared cache is not asked again for ``OUTAGE_PAUSE`` seconds (by this
process), so a dead server costs at most one timeout per pause.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.utils.autoreload import file_changed
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from redis.exceptions import RedisError

from .models import Guide

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
OUTAGE_PAUSE = 30.0  # seconds without asking a cache that failed
VERSIONS_TTL = 1.0  # seconds a process trusts the published versions it read (see published_versions)
NEAR_BYTES = 16 * 1024 * 1024  # pages each process keeps in front of the shared cache (NearPages)
MAX_PATH = 1000  # longer paths (with their query) are rendered, never stored
CACHE_ERRORS = (RedisError, OSError)

# Rendering a page to be stored uses this CSRF secret (32 allowed characters), never a visitor's.
_RENDER_SECRET = "guidepagecachedtokenplaceholder0"
_PLACEHOLDER = b"\x00csrf-token\x00"
# Masking a CSRF token (_masked): random bytes → allowed characters (the bytes past the last whole
# multiple of their number dropped, so each character is equally likely), and char + char → char.
_CHARS = CSRF_ALLOWED_CHARS.encode()
_FAIR = 256 - 256 % len(_CHARS)
_TO_CHAR = bytes(_CHARS[b % len(_CHARS)] for b in range(_FAIR)) + bytes(256 - _FAIR)
_UNFAIR = bytes(range(_FAIR, 256))
_SHIFTED = {
    a + b: CSRF_ALLOWED_CHARS[(i + j) % len(_CHARS)]
    for i, a in enumerate(CSRF_ALLOWED_CHARS)
    for j, b in enumerate(CSRF_ALLOWED_CHARS)
}
_TOKEN_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
_CODE_DIRS = ("config", "common", "guide", "proposals", "screening", "templates", "locale")
_CODE_SUFFIXES = (".py", ".html", ".mo")


_versions = {"token": "", "until": float("-inf")}  # published_versions, until when it holds


@dataclass(frozen=True)
class CachedPage:
    content: bytes  # with _PLACEHOLDER where the CSRF tokens go
    content_type: str
    digest: str


@functools.cache
def code_token() -> str:
    """A digest of what decides how a page looks besides the rows: the Python code, the templates and
    the compiled catalogues, and which database the rows are in (two sites sharing a Redis server
    never share pages). Computed once per process (runserver's reloader resets it)."""
    database = settings.DATABASES["default"]
    digest = hashlib.sha256(
        "|".join(str(database.get(k, "")) for k in ("ENGINE", "NAME", "HOST", "PORT")).encode()
    )
    base = settings.BASE_DIR
    for name in _CODE_DIRS:
        for path in sorted((base / name).rglob("*")):
            if path.suffix in _CODE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _code_changed(sender, file_path, **kwargs) -> None:
    code_token.cache_clear()  # runserver reloads templates and catalogues without a restart


file_changed.connect(_code_changed, dispatch_uid="guide.caching.code_changed")


def published_versions() -> str:
    """``2022.5-2024.9``: each year with the id of its published version. One query, at most once per
    ``VERSIONS_TTL`` seconds in a process (:func:`versions_changed` forgets it at once)."""
    now = time.monotonic()
    if now >= _versions["until"]:
        rows = Guide.objects.order_by("year").values_list("year", "published_version_id")
        token = "-".join(f"{year}.{version or 0}" for year, version in rows)
        _versions.update(token=token, until=now + VERSIONS_TTL)
    return _versions["token"]


def versions_changed() -> None:
    """Forget the published versions this process knows (publishing calls it: the next request reads
    them again)."""
    _versions["until"] = float("-inf")


def page_key(request: HttpRequest, full_path: str | None = None) -> str:
    path = hashlib.sha256((full_path or request.get_full_path()).encode()).hexdigest()[:32]
    return f"guide-page:{code_token()}:{published_versions()}:{get_language()}:{path}"


class NearPages:
    """The pages this process served last, in front of the shared cache: a hit here costs no round
    trip to Redis and no unpickling. The keys are the shared cache's, so an entry is never stale; the
    least recently used go past ``limit`` bytes of content. Thread-safe."""

    def __init__(self, limit: int):
        self.limit = limit
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            self._size += len(page.content) - (len(old.content) if old else 0)
            self._pages[key] = page
            while self._size > self.limit:
                _key, dropped = self._pages.popitem(last=False)
                self._size -= len(dropped.content)

    def discard(self, key: str) -> None:
        with self._lock:
            page = self._pages.pop(key, None)
            self._size -= len(page.content) if page else 0

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._size = 0


near = NearPages(NEAR_BYTES)


def forget() -> None:
    """Forget what this process holds: its near pages and the published versions (the tests, between
    two of them)."""
    near.clear()
    versions_changed()


def _cache_usable(cache) -> bool:
    return getattr(cache, "_guide_pages_down_until", 0.0) <= time.monotonic()


def _cache_failed(cache, exc: Exception) -> None:
    logger.warning("page cache unavailable, rendering instead (%s: %s)", type(exc).__name__, exc)
    cache._guide_pages_down_until = time.monotonic() + OUTAGE_PAUSE


def _cache_get(key: str) -> CachedPage | None:
    cache = caches[CACHE_ALIAS]
    if not _cache_usable(cache):
        return None
    try:
        page = cache.get(key)
    except CACHE_ERRORS as exc:
        _cache_failed(cache, exc)
        return None
    return page if isinstance(page, CachedPage) else None


def _cache_set(key: str, page: CachedPage) -> None:
    cache = caches[CACHE_ALIAS]
    if not _cache_usable(cache):
        return
    try:
        cache.set(key, page)
    except CACHE_ERRORS as exc:
        _cache_failed(cache, exc)


def _render(view: Callable, request: HttpRequest, args, kwargs) -> tuple[HttpResponse, CachedPage | None]:
    """The view's response (with the visitor's CSRF token), and the page to store: None when it must
    not be stored (not a plain 200, or a cookie of its own)."""
    meta = request.META
    saved = {name: meta[name] for name in ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE") if name in meta}
    meta["CSRF_COOKIE"] = _RENDER_SECRET
    try:
        response = view(request, *args, **kwargs)
    finally:
        meta.pop("CSRF_COOKIE", None)
        meta.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
        meta.update(saved)
    if response.streaming:
        return response, None
    content = _TOKEN_INPUT.sub(rb"\1" + _PLACEHOLDER + rb"\2", response.content)
    if response.status_code != 200 or response.cookies:
        response.content = content.replace(_PLACEHOLDER, get_token(request).encode())
        return response, None
    return response, CachedPage(
        content=content,
        content_type=response["Content-Type"],
        digest=hashlib.sha256(content).hexdigest()[:32],
    )


def _masked(secret: str) -> str:
    """``secret`` masked as Django masks a CSRF token for a form (``django.middleware.csrf``: a random
    mask of allowed characters, then the secret with each character shifted by the mask's; the
    middleware unmasks it), with the mask drawn in one call to the system's random source instead of
    one per character — most of what a cached page would cost otherwise."""
    mask = b""
    while len(mask) < len(secret):
        mask += secrets.token_bytes(len(secret) + 8).translate(_TO_CHAR, _UNFAIR)
    mask_text = mask[: len(secret)].decode()
    return mask_text + "".join(_SHIFTED[s + m] for s, m in zip(secret, mask_text, strict=True))


def _serve(request: HttpRequest, page: CachedPage) -> HttpResponse:
    secret = request.META.get("CSRF_COOKIE")
    token = None
    if secret is None:  # CsrfViewMiddleware has checked a cookie's format
        token = get_token(request)  # a new visitor: Django makes the secret, the cookie is set on the way out
        secret = request.META["CSRF_COOKIE"]
    # the secret's digest: 32 random characters are not found again from it
    etag = f'W/"{page.digest}-{hashlib.sha256(secret.encode()).hexdigest()[:16]}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified.headers["ETag"] = etag
        return not_modified
    token = token or _masked(secret)
    response = HttpResponse(
        page.content.replace(_PLACEHOLDER, token.encode()), content_type=page.content_type
    )
    response.headers["ETag"] = etag
    response.headers["Vary"] = "Cookie"  # the token and the language come from cookies
    return response


def _has_messages(request: HttpRequest) -> bool:
    """Whether a message waits for this visitor. Django's message storage (the default, cookie then
    session) keeps them in a cookie or the session: without either cookie there is none to load."""
    if (
        CookieStorage.cookie_name not in request.COOKIES
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    ):
        return False
    return len(get_messages(request)) > 0


def _cacheable_request(request: HttpRequest, params: frozenset[str], full_path: str) -> bool:
    return (
        request.method == "GET"  # HEAD goes to the view, which may refuse it (the compare page does)
        and len(full_path) <= MAX_PATH
        and set(request.GET) <= params
        and not request.user.is_authenticated
        and not _has_messages(request)
    )


def public_page(view: Callable | None = None, *, params: Iterable[str] = ()) -> Callable:
    """Serve ``view`` to anonymous visitors from the ``pages`` cache (see the module's docstring).
    ``params``: the query parameters the page takes (a filter's fields); with any other, it renders."""
    allowed = frozenset(params)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            full_path = request.get_full_path()
            if not _cacheable_request(request, allowed, full_path):
                return view(request, *args, **kwargs)
            key = page_key(request, full_path)
            page = near.get(key)
            if page is None:
                page = _cache_get(key)
                if page is None:
                    response, page = _render(view, request, args, kwargs)
                    if page is None:
                        return response
                    _cache_set(key, page)
                near.put(key, page)
            return _serve(request, page)

        return wrapper

    return decorate(view) if view is not None else decorate
