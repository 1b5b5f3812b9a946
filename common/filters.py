"""The audit page's filters: who (username), what (action), the object (type and id) and a date
range in settings.TIME_ZONE. Each is served by an index that ends with the id (common.models)."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .selectors import audit_action_choices, audit_target_type_choices


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditFilter(django_filters.FilterSet):
    who = django_filters.CharFilter(label=_("操作人（用户名）"), field_name="actor__username")
    action = django_filters.ChoiceFilter(label=_("动作"), choices=audit_action_choices)
    target_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=audit_target_type_choices)
    target_id = django_filters.CharFilter(label=_("对象编号"))
    since = django_filters.DateFilter(
        label=_("起始日期"), method="filter_since", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("截止日期（含）"), method="filter_until", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["who", "action", "target_type", "target_id", "since", "until"]

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))
