"""Applicant accounts."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from common.outbox import outbox_enqueue
from common.roles import APPLICANT
from common.services import audit_record

logger = logging.getLogger(__name__)


def applicant_register(*, username: str, password: str, email: str, login_url: str, reset_url: str):
    """Sign an applicant up without telling the requester whether `username` was free.

    Free (compared case-insensitively): creates an active user with `email` in the
    "applicant" group (created when missing; its permissions come from
    `roles_ensure`) and an audit entry. Taken: creates and changes nothing (the
    password is hashed all the same, so both cases take as long).

    Either way, once the transaction commits, one and the same e-mail goes to
    `email`: "if the username was free your account is ready (`login_url`);
    if you cannot log in it was taken: reset your password (`reset_url`) or pick
    another". A mail server failure is logged, not raised, in both cases alike.
    Not idempotent on purpose: a second call for the same name is the "taken" case.
    Returns the new user, or None when the username was taken."""
    User = get_user_model()
    user = None
    try:
        with transaction.atomic():
            if not User.objects.filter(username__iexact=username).exists():
                user = User.objects.create_user(username=username, password=password, email=email)
                group, _created = Group.objects.get_or_create(name=APPLICANT)
                user.groups.add(group)
                audit_record(actor=user, action="account.registered", target=user)
    except IntegrityError:  # the same name registered concurrently: the "taken" case
        user = None
    if user is None:
        make_password(password)
    context = {"username": username, "login_url": login_url, "reset_url": reset_url}
    with transaction.atomic():  # sent by a worker after the response: its timing tells nothing
        outbox_enqueue(task=SIGNUP_MAIL, args=[email, context])
    return user


SIGNUP_MAIL = "proposals.signup_mail"
PASSWORD_RESET_MAIL = "proposals.password_reset_mail"


def signup_mail_send(*, email: str, context: dict) -> None:
    """The sign-up e-mail (task proposals.signup_mail). A mail server error is raised: the task retries."""
    subject = render_to_string("registration/signup_email_subject.txt", context).strip()
    body = render_to_string("registration/signup_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def password_reset_request(*, email: str, domain: str, use_https: bool) -> None:
    """Ask for the reset e-mail of the accounts of ``email``: one outbox row, whatever the address
    (known or not), so the answer takes as long either way; the link and its token are made by the
    worker that sends it (password_reset_mail_send), never stored."""
    with transaction.atomic():
        outbox_enqueue(task=PASSWORD_RESET_MAIL, args=[email, domain, use_https])


def password_reset_mail_send(*, email: str, domain: str, use_https: bool) -> None:
    """Django's reset e-mail to each active account of ``email`` with a usable password (task
    proposals.password_reset_mail), the link built for ``domain``."""
    from django.contrib.auth.forms import PasswordResetForm

    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https, from_email=settings.DEFAULT_FROM_EMAIL)


def login_failures_clear(*, username: str) -> int:
    """Forget the failed logins recorded for `username` (from every address), so a
    user who was locked out and has just proven control of the account's e-mail
    by resetting the password can log in at once. Idempotent; returns the number
    of attempt records removed."""
    from axes.utils import reset

    return reset(username=username)
