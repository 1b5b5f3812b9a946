"""Set the demo up without ever overwriting what users made (``make setup`` / ``make run``).

* the bundled guide is ingested (as a version, published at once) only when its year is not in
  the database;
* the demo accounts are created when missing (an existing account is left alone);
* the demo batches are imported and screened only into an empty database — no
  proposal and no registry ever loaded or edited — unless ``--force`` (``make demo``),
  which imports them anyway and replaces the registries with the demo ones.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from common.services import demo_users_ensure
from proposals.models import Proposal
from screening.models import GuideExpert, MisconductEntry, OngoingProject, Recommender, RegistryLoad

GUIDE = Path("fixtures/guides/2022-strategic-cooperation.txt")
DEMO_DIR = Path("fixtures/demo")
# (file, owner): the README tour's three proposals belong to the demo applicant; the
# generated batch comes "from the submission system" (screen_proposals' batch account).
BATCHES = (("batch-2022.json", "applicant"), ("batch-2022-generated.json", None))


def database_is_empty() -> bool:
    """No proposal at all and no registry ever loaded, uploaded or edited."""
    return not (
        Proposal.objects.exists()
        or RegistryLoad.objects.exists()
        or any(m.objects.exists() for m in (OngoingProject, MisconductEntry, GuideExpert, Recommender))
    )


class Command(BaseCommand):
    help = (
        "Ingest the bundled guide if its year is missing, create the missing demo accounts, and "
        "import and screen the demo batches into an empty database (--force: even into one that "
        "holds data, replacing the registries with the demo ones)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="load the demo batches even when the database holds proposals or registries",
        )
        parser.add_argument("--guide", default=str(GUIDE), help=f"guide file to ingest (default {GUIDE})")

    def handle(self, *args, force: bool = False, guide: str = str(GUIDE), **options):
        self._guide(Path(settings.BASE_DIR) / guide)
        created = demo_users_ensure()
        self.stdout.write(
            f"demo accounts: {', '.join(created) if created else 'all present, left as they are'}"
        )
        if not force and not database_is_empty():
            self.stdout.write(
                "the database holds proposals or registries: demo batches not loaded "
                "(`make demo` loads them anyway)"
            )
            return
        # screen_proposals screens every imported proposal as one batch (without the
        # per-submission screenings, which would screen each one again)
        for name, owner in BATCHES:
            call_command(
                "screen_proposals",
                str(Path(settings.BASE_DIR) / DEMO_DIR / name),
                owner=owner,
                stdout=self.stdout,
                stderr=self.stderr,
            )

    def _guide(self, path: Path) -> None:
        # a new version of the year, published at once (the demo has nobody to review it)
        call_command(
            "ingest_guide", str(path), "--publish", "--if-absent", stdout=self.stdout, stderr=self.stderr
        )
