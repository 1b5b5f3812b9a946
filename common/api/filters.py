"""Query parameters of the API's list filters.

The pages' filter forms send an empty value for "any" (全部状态); the API's schema documents its
enum and integer filters without one, so an empty value there is refused (400), as the schema
says, rather than read as "any": a client leaves the parameter out instead."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def refuse_blank(query_params, names) -> None:
    """400 naming each of ``names`` given with an empty value."""
    blank = {
        name: [_("不能为空；不按这一项筛选时请省去这个参数。")]
        for name in names
        if "" in query_params.getlist(name)
    }
    if blank:
        raise ValidationError(blank)
