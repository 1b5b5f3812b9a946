"""Pictures of the source regions of a guide version's values (guide.rendering).

A published version is the public guide: its pictures are public, for the regions its sources call
for (what the ``guide_source`` tag links; any other region is a 404 for the public, so an anonymous
visitor cannot have arbitrary pictures drawn and stored). Any other version's (a draft under review,
a superseded or failed one) are for officers and admins only, any region; to anyone else such a
picture does not exist (404). Bad coordinates are a 400, a page that is not there a 404; a region
PDFium cannot draw is a 404 too, never a 500. A picture drawn once is served from the cache."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from common.roles import is_officer

from ..models import GuideVersion
from ..parsing.sandbox import SandboxError
from ..rendering import RegionError, cache_path, cached_region, known_regions, parse_boxes, region, region_key

log = logging.getLogger(__name__)


def cache_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "cache" / "guide-sources"


@require_GET
def source_image(request, pk: int, page: int):
    version = get_object_or_404(GuideVersion.objects.only("pk", "status", "kind", "file", "sha256"), pk=pk)
    public = version.status == GuideVersion.Status.PUBLISHED
    if not public and not is_officer(request.user):
        raise Http404
    if version.kind != "pdf" or not version.file:
        raise Http404
    try:
        boxes = parse_boxes(request.GET.getlist("b"))
    except RegionError as exc:
        raise BadRequest(str(exc)) from None
    path = cache_path(cache_root(), version=version.pk, document=version.sha256, page=page, boxes=boxes)
    if not path.is_file():
        data = GuideVersion.objects.filter(pk=pk).values_list("data", flat=True).first() or {}
        if not is_officer(request.user) and region_key(page, boxes) not in known_regions(data):
            raise Http404  # the public gets the pictures the guide's sources call for, nothing else
        try:
            where = region(page=page, boxes=boxes, page_sizes=data.get("page_sizes") or [])
        except RegionError as exc:
            if exc.code == "no_page":
                raise Http404 from None
            raise BadRequest(str(exc)) from None

        def pdf() -> bytes:
            with version.file.open("rb") as fh:
                return fh.read()

        try:
            path = cached_region(
                cache_root(), version=version.pk, document=version.sha256, where=where, pdf=pdf
            )
        except (SandboxError, OSError) as exc:
            log.warning("guide version %s: no picture of page %s (%s)", pk, page, exc)
            raise Http404 from None
    response = FileResponse(path.open("rb"), content_type="image/png")
    if public:
        response["Cache-Control"] = "public, max-age=86400"
    return response
