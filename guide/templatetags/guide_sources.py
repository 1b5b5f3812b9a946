"""Where a guide value was read: ``{% load guide_sources %}{% guide_source source version %}``.

``source`` is a value's source as stored (``guide.parsing.types.Source.to_json``: ``{"blocks": [12],
"pages": [3], "boxes": [[page, x0, top, x1, bottom], …]}``) or None; ``version`` is the
``GuideVersion`` it belongs to, a ``Guide`` (its published version), a version's primary key, or
None. It renders ``guide/_source.html``: "原文第 N 页" (a PDF; "第 N–M 页" across pages) with a
picture of the region per page (``guide:source_image``, in a ``<details>`` so that it loads only when
opened), or "原文第 N 段" for a DOCX or text document (from the blocks); nothing without a source.
A malformed source renders nothing rather than breaking the page."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from guide.rendering import picture_boxes

register = template.Library()


def _version(version) -> tuple[int | None, str | None]:
    """(primary key, document kind) of what the tag was given; None where unknown."""
    if version is None or version == "":
        return None, None
    if isinstance(version, int):
        return version, None
    if hasattr(version, "published_version_id"):  # a Guide: its published version
        return version.published_version_id, getattr(version, "document_kind", None) or None
    return getattr(version, "pk", None), getattr(version, "kind", None) or None


def _span(numbers: list[int]) -> tuple[int, int]:
    return min(numbers), max(numbers)


def source_context(source, version=None) -> dict:
    """What ``_source.html`` shows: ``label`` ("" for nothing) and ``pictures`` (url, page)."""
    if not isinstance(source, dict):
        return {"label": "", "pictures": []}
    try:
        boxes = [[int(b[0]), *(float(v) for v in b[1:])] for b in source.get("boxes") or ()]
        if any(len(b) != 5 for b in boxes):
            return {"label": "", "pictures": []}
        pages = sorted({int(p) for p in source.get("pages") or ()} | {b[0] for b in boxes})
        blocks = sorted({int(b) for b in source.get("blocks") or ()})
    except (TypeError, ValueError, IndexError):
        return {"label": "", "pictures": []}
    pk, kind = _version(version)
    if pages:
        first, last = _span(pages)
        if first == last:
            label = gettext("原文第 %(page)s 页") % {"page": first}
        else:
            label = gettext("原文第 %(first)s–%(last)s 页") % {"first": first, "last": last}
        pictures = []
        if pk is not None and kind in (None, "pdf"):
            for page in pages:
                on_page = [b[1:] for b in boxes if b[0] == page]
                if not on_page:
                    continue
                query = urlencode(
                    [("b", ",".join(f"{v:.1f}" for v in box)) for box in picture_boxes(on_page)]
                )
                url = reverse("guide:source_image", args=[pk, page])
                pictures.append(
                    {
                        "url": f"{url}?{query}",
                        "page": page,
                        "alt": gettext("原文第 %(page)s 页的相应位置") % {"page": page},
                    }
                )
        return {"label": label, "pictures": pictures}
    if blocks:
        first, last = _span(blocks)
        if first == last:
            label = gettext("原文第 %(n)s 段") % {"n": first}
        else:
            label = gettext("原文第 %(first)s–%(last)s 段") % {"first": first, "last": last}
        return {"label": label, "pictures": []}
    return {"label": "", "pictures": []}


@register.inclusion_tag("guide/_source.html")
def guide_source(source, version=None) -> dict:
    return source_context(source, version)


@register.filter
def source_of(sources, key: str):
    """``guide.sources|source_of:"eligibility.max_domestic_units"`` (keys with dots)."""
    return sources.get(key) if isinstance(sources, dict) else None
