from django.core.management.base import BaseCommand

from common.services import DEMO_USERS, demo_users_ensure


class Command(BaseCommand):
    help = "Create the role groups and the documented demo accounts (idempotent)."

    def handle(self, *args, **options):
        demo_users_ensure()
        for username, password, role in DEMO_USERS:
            self.stdout.write(f"{role:10s} {username} / {password}")
