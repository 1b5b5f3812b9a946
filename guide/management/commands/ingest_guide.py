import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from guide.models import Guide
from guide.parsing.errors import GuideParseError, GuideReadError
from guide.parsing.types import to_json
from guide.services import guide_parse_file, version_create_from_file, version_publish


class Command(BaseCommand):
    help = (
        "Read a guide (.txt, .pdf, .docx) into a new draft version to review (--publish: publish it at "
        "once); --json prints the parsed structure, --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="print the parsed guide as JSON on stdout")
        parser.add_argument("--dry-run", action="store_true", help="parse only, write nothing")
        parser.add_argument(
            "--publish", action="store_true", help="publish the new version at once (screening uses it)"
        )
        parser.add_argument(
            "--if-absent",
            action="store_true",
            help="do nothing when the file's year already has a guide (for start-up scripts: never a second version)",
        )

    def handle(
        self,
        *args,
        path,
        json: bool = False,
        dry_run: bool = False,
        publish: bool = False,
        if_absent: bool = False,
        **options,
    ):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            if if_absent and not dry_run:
                parsed, _sha = guide_parse_file(path=file)
                if Guide.objects.filter(year=parsed.year).exists():
                    self.stdout.write(f"guide {parsed.year}: present, left as it is")
                    return
            if dry_run:
                parsed, _sha = guide_parse_file(path=file)
                data = to_json(parsed)
                version = None
            else:
                version = version_create_from_file(path=file)
                if publish:
                    version = version_publish(version=version)
                data = version.data
        except (GuideReadError, GuideParseError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"{path}: cannot read file ({exc.strerror or exc})") from None
        if json:
            self.stdout.write(_dumps(data))
        if version is not None:
            # with --json, stdout is the JSON only: what was stored goes to stderr
            out = self.stderr if json else self.stdout
            state = "published" if publish else "draft"
            checks = sum(
                1 for w in data.get("warnings") or () if isinstance(w, dict) and w.get("severity") == "check"
            )
            warnings = version.warning_count - checks
            out.write(
                f"{state} {version.label}: {len(data['areas'])} areas, {len(data['directions'])} directions, "
                f"{len(data['formal_review'])} formal-review clauses; {warnings} warnings, {checks} to check"
            )
            out.write(f"review: {reverse('guide:version_review', args=[version.pk])}")
        for warning in data.get("warnings") or ():
            self.stderr.write(f"warning: {_warning(warning)}")
        if version is not None:
            for entry in (version.carried or {}).get("vanished", ()):
                self.stderr.write(
                    f"warning: correction of {entry['address']} not carried over: no longer read"
                )


def _warning(warning) -> str:
    if isinstance(warning, str):
        return warning
    item = warning.get("item")
    severity = "" if warning.get("severity", "warning") == "warning" else f"({warning['severity']}) "
    return f"{severity}{f'[{item}] ' if item else ''}{warning.get('message', '')}"


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
