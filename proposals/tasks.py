"""Thin Celery tasks: primary keys in (if any), one service call."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from common.tasks import MAIL_ERRORS, MAIL_RETRIES

from . import selectors, services


@shared_task(
    bind=True,
    name="proposals.draft_extract",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXTRACTION_TIME_LIMIT + 15,
    time_limit=selectors.extraction_hard_time_limit(),
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=False,
    max_retries=5,
)
def draft_extract_task(self, upload_id: int) -> None:
    # A redelivery or retry carries the same task id and takes the upload over at once.
    services.draft_extract(upload_id=upload_id, task_id=self.request.id, retries=self.request.retries)


@shared_task(name="proposals.requeue_stale_uploads", acks_late=True)
def requeue_stale_uploads_task() -> None:
    """Periodic (common.worker and CELERY_BEAT_SCHEDULE): uploads whose reading was lost are sent again."""
    services.uploads_requeue_stale()


@shared_task(bind=True, name="proposals.signup_mail", acks_late=True, max_retries=MAIL_RETRIES)
def signup_mail_task(self, email: str, context: dict) -> None:
    """The sign-up e-mail, after the response (outbox). A mail error is retried with a bounded backoff."""
    try:
        services.accounts.signup_mail_send(email=email, context=context)
    except MAIL_ERRORS as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc


@shared_task(name="proposals.password_reset_mail", acks_late=True)
def password_reset_mail_task(email: str, domain: str, use_https: bool) -> None:
    """The password-reset e-mail, after the response (outbox); the link's token is made here."""
    services.accounts.password_reset_mail_send(email=email, domain=domain, use_https=use_https)
