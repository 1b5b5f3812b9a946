"""Print the proposal read from a draft (PDF / DOCX) in the interchange format.

Writes nothing anywhere: no database, no files. A file that cannot be read gives
one line on stderr and exit status 1.
"""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from proposals.extraction import ExtractionError, extract
from proposals.interchange import proposal_to_dict

log = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Command(BaseCommand):
    help = "Read a draft proposal (PDF or DOCX) and print it as interchange JSON with a 'warnings' list."
    requires_migrations_checks = False
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--compact", action="store_true", help="one line of JSON instead of indented")

    def handle(self, *args, file: Path, compact: bool, **options):
        limit = settings.MAX_UPLOAD_BYTES
        try:
            size = file.stat().st_size
            if size > limit:
                raise CommandError(f"{file}: file too large ({size} bytes, limit {limit})")
            with file.open("rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise CommandError(_one_line(f"{file}: {exc.strerror or exc}")) from exc
        try:
            result = extract(data, max_bytes=limit, max_pages=settings.MAX_UPLOAD_PAGES)
        except ExtractionError as exc:
            raise CommandError(_one_line(f"{file}: {exc.code}: {exc.message}")) from exc
        except Exception as exc:  # a bad file must not end in a traceback
            log.debug("extraction failed", exc_info=True)
            raise CommandError(
                _one_line(f"{file}: cannot read the file ({type(exc).__name__}: {exc})")
            ) from exc
        out = proposal_to_dict(result.proposal)
        out["warnings"] = [
            {"path": w.path, "code": w.code, "message": w.message, "page": w.page} for w in result.warnings
        ]
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=None if compact else 2))
