"""Filters for the proposal list (django-filter)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .enums import ProposalState
from .models import Person, Proposal, Unit


class ProposalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_keyword", label=_("关键词"))
    guide_year = django_filters.ChoiceFilter(label=_("指南年度"), empty_label=_("全部年度"))
    direction = django_filters.CharFilter(
        field_name="direction_code", lookup_expr="iexact", label=_("指南方向")
    )
    state = django_filters.ChoiceFilter(
        choices=ProposalState.choices, label=_("状态"), empty_label=_("全部状态")
    )

    class Meta:
        model = Proposal
        fields = ["q", "guide_year", "direction", "state"]

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["guide_year"].extra["choices"] = [(y, str(y)) for y in years]

    def filter_keyword(self, queryset, name, value):
        """Reference, title, recommender, a person's name or a unit's name (no duplicate rows)."""
        value = value.strip()
        if not value:
            return queryset
        people = Person.objects.filter(proposal=OuterRef("pk"), name__icontains=value)
        units = Unit.objects.filter(proposal=OuterRef("pk"), name__icontains=value)
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(recommender__icontains=value)
            | Q(Exists(people))
            | Q(Exists(units))
        )
