import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guide.parsing.english import english_load, english_path
from guide.parsing.errors import GuideParseError, GuideReadError
from guide.parsing.types import to_json
from guide.services import guide_parse_file, guide_save


class Command(BaseCommand):
    help = "Parse a guide (.txt, .pdf, .docx) and store it; --json prints the parsed structure."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="print the parsed guide as JSON on stdout")
        parser.add_argument("--dry-run", action="store_true", help="parse only, write nothing")

    def handle(self, *args, path, json: bool = False, dry_run: bool = False, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed, sha = guide_parse_file(path=file)
            english = english_load(file)
        except (GuideReadError, GuideParseError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"{path}: cannot read file ({exc.strerror or exc})") from None
        if json:
            self.stdout.write(_dumps(to_json(parsed)))
        if not dry_run:
            guide = guide_save(
                parsed=parsed,
                source_name=file.name,
                sha256=sha,
                english=english,
                english_name=english_path(file).name if english is not None else "",
            )
            if not json:
                self.stdout.write(
                    f"ingested {guide.year}: {len(parsed.areas)} areas, {len(parsed.directions)} directions, "
                    f"{len(parsed.formal_review)} formal-review clauses"
                )
        for warning in parsed.warnings:
            self.stderr.write(f"warning: {warning}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
