"""`manage.py relay`: publish the outbox and sweep lost work, until stopped."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from common.relay import relay_forever
from common.runtime import yield_to_requests


class Command(BaseCommand):
    help = "Publish pending outbox rows to the job queue and re-send lost work (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--node", default="", help="worker node name whose earlier work to release")
        parser.add_argument("--parent-pid", type=int, default=None, help="stop when this process is gone")

    def handle(self, *args, node: str, parent_pid: int | None, **options):
        # a backstop beside the request's own publishing: it yields the CPU to the web as batch work does
        yield_to_requests(settings.WORKER_NICE)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            relay_forever(node=node, parent_pid=parent_pid, should_stop=lambda: bool(stopping))
        except KeyboardInterrupt:
            pass
