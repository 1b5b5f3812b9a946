"""Reads for comparing guides (the compare page and ``guide_diff``): which versions a user may compare,
a version's data as compared (its corrections applied), and the command line's references. Importing
it gives the diff's summary (``guide.diff``) Django's gettext for its words."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import translation

from common.roles import is_officer

from . import diff
from .models import GuideVersion
from .parsing.errors import GuideError
from .parsing.readers import parse_file
from .parsing.types import to_json
from .services.versions import version_effective_data

Status = GuideVersion.Status
READ = (Status.DRAFT, Status.PUBLISHED, Status.SUPERSEDED)
_VERSION = re.compile(r"(\d{4})\s*[vV](\d+)")
_YEAR = re.compile(r"\d{4}")


@functools.lru_cache(maxsize=1024)
def translate_words(text: str, lang: str, context: str) -> str:
    """A word of the diff's summary (``guide.diff.WORDS``) from the gettext catalogue of ``lang``,
    whatever language is active (the command line asks for one); remembered, as Django reads the
    catalogues once."""
    with translation.override(lang):
        return translation.pgettext(context, text)


@receiver(setting_changed)
def _forget_words(*, setting: str, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        translate_words.cache_clear()


diff.install_translator(translate_words)


class GuideReferenceError(ValueError):
    """A command-line reference that names no guide; the message is one line."""


def comparable_versions(*, user) -> QuerySet[GuideVersion]:
    """The versions ``user`` may compare: every read version for officers and admins, the published
    ones for everybody else (the public guide). Newest year first; the parse is not loaded."""
    statuses = READ if is_officer(user) else (Status.PUBLISHED,)
    return (
        GuideVersion.objects.filter(status__in=statuses, year__isnull=False)
        .only("id", "year", "number", "status", "source_name")
        .order_by("-year", "-number")
    )


def compared_data(version: GuideVersion) -> dict:
    """What a version says: its reading with its corrections in force (what publishing writes)."""
    return version_effective_data(version)


def resolve_reference(text: str) -> tuple[str, dict]:
    """``"2022"`` (the year's published version), ``"2022v2"`` or ``"2022 v2"`` (a version) or the path of
    a guide file (parsed here, nothing stored) as (label, data). Raises GuideReferenceError."""
    text = text.strip()
    match = _VERSION.fullmatch(text)
    if match:
        year, number = int(match[1]), int(match[2])
        version = GuideVersion.objects.filter(year=year, number=number, status__in=READ).first()
        if version is None:
            raise GuideReferenceError(f"no version {year} v{number}")
        return version.label, compared_data(version)
    if _YEAR.fullmatch(text) and not Path(text).is_file():
        version = GuideVersion.objects.filter(year=int(text), status=Status.PUBLISHED).first()
        if version is None:
            raise GuideReferenceError(f"no published guide for {text}")
        return version.label, compared_data(version)
    path = Path(text)
    if not path.is_file():
        raise GuideReferenceError(f"not a year (2022), a version (2022v2) or a guide file: {text}")
    try:
        return path.name, to_json(parse_file(path))
    except GuideError as exc:
        raise GuideReferenceError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise GuideReferenceError(f"{path.name}: cannot read file ({exc.strerror or exc})") from None
