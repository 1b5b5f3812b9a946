import json
import re

from django.core.management.base import BaseCommand, CommandError

from guide.comparison import GuideReferenceError, resolve_reference
from guide.diff import diff_guides, diff_to_json, render_text

_NUMBER = re.compile(r"[vV]\d+")


def references(tokens: list[str]) -> list[str]:
    """``["2022", "v2", "2023"]`` → ``["2022 v2", "2023"]``: a version number given as its own word
    belongs to the year before it."""
    out: list[str] = []
    for token in tokens:
        if _NUMBER.fullmatch(token) and out and re.fullmatch(r"\d{4}", out[-1]):
            out[-1] = f"{out[-1]} {token}"
        else:
            out.append(token)
    return out


class Command(BaseCommand):
    help = (
        "Compare two guides: A and B are each a year (2022: its published version), a version (2022v2 or "
        '"2022 v2") or a guide file (.txt/.pdf/.docx, read and not stored). Prints what changed from A to '
        "B as a summary, or as JSON with --json."
    )

    def add_arguments(self, parser):
        parser.add_argument("guides", nargs="+", metavar="A B", help="the two guides to compare")
        parser.add_argument("--json", action="store_true", help="print the differences as JSON")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the summary")

    def handle(self, *args, guides, json: bool = False, lang: str = "zh", **options):
        named = references(guides)
        if len(named) != 2:
            raise CommandError(f"expected two guides (A B), got {len(named)}: {' '.join(named)}")
        try:
            (label_a, a), (label_b, b) = (resolve_reference(ref) for ref in named)
        except GuideReferenceError as exc:
            raise CommandError(str(exc)) from None
        diff = diff_guides(a, b)
        if json:
            self.stdout.write(_dumps({"a": label_a, "b": label_b, **diff_to_json(diff)}))
        else:
            self.stdout.write(render_text(diff, lang, (label_a, label_b)), ending="")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
