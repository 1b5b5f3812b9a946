"""Thin Celery tasks of the shared layer."""

import smtplib

from celery import shared_task

from . import outbox, services

# What sending mail raises when the server is down, refuses for now or times out: retried.
MAIL_ERRORS = (smtplib.SMTPException, OSError)
MAIL_RETRIES = 5


@shared_task(name="common.outbox_purge", acks_late=True)
def outbox_purge() -> None:
    """Daily (CELERY_BEAT_SCHEDULE): forget outbox rows published a week ago, and rate counts of past windows."""
    outbox.outbox_purge()
    services.rate_counts_purge()  # the sign-up and reset counts of past windows


@shared_task(
    name="common.notification_email",
    bind=True,
    acks_late=True,
    max_retries=MAIL_RETRIES,
    soft_time_limit=60,
    time_limit=70,
)
def notification_email(self, notification_id: int) -> None:
    """E-mail one notification (published through the outbox after the notification's commit).
    A mail error is retried with a bounded backoff (30 s, 1, 2, 4, 8 min); after the last try
    the error is recorded on the notification, which stays in the app either way."""
    try:
        services.notification_email_send(notification_id=notification_id)
    except MAIL_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.notification_email_failed(
                notification_id=notification_id, error=f"{type(exc).__name__}: {exc}"
            )
            return
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc
