"""Applicant accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from common.roles import APPLICANT
from common.services import audit_record


def applicant_register(*, username: str, password: str, email: str = ""):
    """Create a user in the "applicant" group (the group is created when missing;
    its permissions come from `roles_ensure`). Returns the user."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, email=email)
        group, _created = Group.objects.get_or_create(name=APPLICANT)
        user.groups.add(group)
        audit_record(actor=user, action="account.registered", target=user)
    return user
