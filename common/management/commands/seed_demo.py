from django.core.management.base import BaseCommand

from common.services import DEMO_USERS, demo_users_ensure


class Command(BaseCommand):
    help = (
        "Create the role groups and the documented demo accounts that are missing (idempotent; an "
        "existing account keeps its password unless --reset-passwords)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give existing demo accounts their documented password and role again",
        )

    def handle(self, *args, reset_passwords: bool = False, **options):
        created = set(demo_users_ensure(reset_passwords=reset_passwords))
        for username, password, role in DEMO_USERS:
            if username in created or reset_passwords:
                self.stdout.write(f"{role:10s} {username} / {password}")
            else:
                self.stdout.write(f"{role:10s} {username} (exists, left as it is)")
