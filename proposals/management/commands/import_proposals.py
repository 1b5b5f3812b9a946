"""Import proposals from an interchange JSON file.

The whole file is one transaction: any error (reported with its JSON path)
means nothing is written and exit status 1. Each proposal is written as a draft
and submitted when it passes the submission checks; the output says, per
proposal, "created as draft with N problems" (listing them) or "created, submitted". ``reference`` is the idempotency
key, so running the same file again updates the proposals in place (only ones
that came from an import; an applicant's own proposal is never overwritten).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.roles import APPLICANT, role_of
from proposals import services


class Command(BaseCommand):
    help = (
        "Import proposals from a JSON file (one proposal, a list, or {registries, proposals}). "
        "All or nothing per file; re-importing updates by reference."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--owner", help="username owning newly created proposals (required for new ones)")

    def handle(self, *args, file: Path, owner: str | None, **options):
        user = None
        if owner:
            try:
                user = get_user_model().objects.get(username=owner)
            except get_user_model().DoesNotExist:
                raise CommandError(f"no user named {owner!r}") from None
            if role_of(user) != APPLICANT:
                raise CommandError(f"{owner!r} is not an applicant; proposals belong to applicants")
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        # A shell user is trusted with the registries (the web page allows them to admins only).
        report = services.proposals_import_file(
            content=content, owner=user, source=f"cli:{file.name}", allow_registries=True
        )
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning.path or '/'}: {warning.message}")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"error: {error.path or '/'}: {error.message}")
            raise CommandError(f"{file}: {len(report.errors)} error(s); nothing imported")
        for item in report.proposals:
            self.stdout.write(f"{item.reference}: {_outcome(item)}")
            for problem in item.problems:
                self.stdout.write(f"    {problem.path}: {problem.message}")
        self.stdout.write(f"created {len(report.created)}, updated {len(report.updated)}")
        if report.registries:
            counts = ", ".join(f"{name} {count}" for name, count in sorted(report.registries.items()))
            self.stdout.write(f"registries: {counts}")


def _outcome(item) -> str:
    """ "created, submitted", "updated as draft with 2 problems", "unchanged, screened"."""
    if item.unchanged:
        return f"unchanged, {item.state}"
    verb = "created" if item.created else "updated"
    if item.problems:
        count = len(item.problems)
        return f"{verb} as draft with {count} problem{'' if count == 1 else 's'}"
    return f"{verb}, {item.state}"
