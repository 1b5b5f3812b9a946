import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from proposals.interchange import parse_batch
from proposals.models import Proposal
from proposals.services.imports import proposals_import
from screening import exports, selectors, services
from screening.tasks import CHUNK

BATCH_OWNER = "batch-import"


class Command(BaseCommand):
    help = (
        "Import a batch file (proposals and registries, interchange JSON) and screen every proposal "
        "against the ingested guide of its year; write the report JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--output", help="where to write the report JSON (omit to only print the summary)"
        )
        parser.add_argument("--owner", help=f"owner of new proposals (default: a '{BATCH_OWNER}' account)")

    def handle(self, *args, file: str, output: str | None = None, owner: str | None = None, **options):
        try:
            data = json.loads(Path(file).read_bytes().decode("utf-8-sig"))
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except ValueError as exc:  # not UTF-8, not JSON, or an integer too long to convert
            raise CommandError(f"{file}: not a JSON file ({exc})") from None
        except OSError as exc:
            raise CommandError(f"{file}: cannot read ({exc.strerror or exc})") from None
        if isinstance(data, dict) and "proposals" not in data and "registries" not in data:
            data = [data]

        # screened below as one batch: no per-submission screening on top of it
        report = proposals_import(
            data=data, owner=self._owner(owner), source=Path(file).name, follow_ups=False
        )
        for issue in report.warnings:
            self.stderr.write(f"warning: {issue.path}: {issue.message}")
        if not report.ok:
            for issue in report.errors:
                self.stderr.write(f"error: {issue.message}")
            raise CommandError(f"{file}: {len(report.errors)} error(s); nothing imported, nothing screened")

        references = [p.reference for p in parse_batch(data).proposals]
        proposals = {p.reference: p for p in Proposal.objects.filter(reference__in=references)}
        batch = services.screening_batch_create(
            proposals=[proposals[r] for r in references], label=Path(file).name, enqueue=False
        )
        run_ids = list(batch.runs.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(run_ids), CHUNK):
            services.screening_execute(run_ids=run_ids[start : start + CHUNK])

        runs = {r.proposal.reference: r for r in selectors.runs_for_export(run_ids)}
        result = exports.to_json(exports.report_items(runs[r] for r in references))
        if output:
            try:
                Path(output).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{output}: cannot write ({exc.strerror or exc})") from None
        counts = {}
        for item in result["results"]:
            counts[item["overall"]] = counts.get(item["overall"], 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        written = f"; report written to {output}" if output else ""
        self.stdout.write(f"screened {len(references)} proposals ({summary}){written}")

    def _owner(self, username: str | None):
        User = get_user_model()
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"--owner {username}: no such user") from None
        user, created = User.objects.get_or_create(username=BATCH_OWNER)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user
