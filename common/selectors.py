"""Shared reads: the state of the job service as the outbox sees it."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import OutboxMessage

# Pending rows older than this mean the job service (the broker, or every relay) is down.
OUTBOX_STALL_SECONDS = 5


def jobs_waiting_for_service() -> bool:
    """True when work has been waiting in the outbox longer than a relay pass should
    take: pages then say it will run when the job service is back."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    cutoff = timezone.now() - timedelta(seconds=OUTBOX_STALL_SECONDS)
    return OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lt=cutoff).exists()


def outbox_status() -> dict[str, int | float | None]:
    """Pending rows that are due, and the age in seconds of the oldest (None if none)."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=now)
    oldest = due.order_by("available_at").values_list("available_at", flat=True).first()
    return {
        "pending": due.count(),
        "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
    }
