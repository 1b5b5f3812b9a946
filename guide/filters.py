"""Filters for the direction list (django-filter)."""

import json
from decimal import Decimal

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Direction, PartnerRequirement

PARTNER_CHOICES = [
    ("any", _("有任何合作要求")),
    ("countries_required", _("须有多国合作单位参与")),
    ("countries_indicator", _("须同多国开展合作（考核指标）")),
    (PartnerRequirement.Kind.CONTINENTS, _("合作单位须来自指定大洲")),
    (PartnerRequirement.Kind.INSTITUTION_KIND, _("须有指定类型的参与机构")),
    (PartnerRequirement.Kind.LICENCE, _("须具备指定资质")),
    ("none", _("无合作要求")),
]


def ratio_value(value) -> str:
    """Decimal('2.00') → '2': the value the ratio filter takes."""
    return f"{Decimal(value).normalize():f}"


def format_ratio(value) -> str:
    """Decimal('2.00') → '2:1'."""
    return f"{ratio_value(value)}:1"


class DirectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_keyword", label=_("关键词"))
    area = django_filters.ChoiceFilter(field_name="area__number", label=_("领域"), empty_label=_("全部领域"))
    ratio = django_filters.ChoiceFilter(method="filter_ratio", label=_("配套比例"), empty_label=_("不限"))
    partner = django_filters.ChoiceFilter(
        method="filter_partner", choices=PARTNER_CHOICES, label=_("合作要求"), empty_label=_("不限")
    )
    type = django_filters.ChoiceFilter(method="filter_type", label=_("项目类型"), empty_label=_("全部类型"))

    class Meta:
        model = Direction
        fields = ["q", "area", "ratio", "partner", "type"]

    def __init__(self, *args, guide, areas, ratios, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].extra["choices"] = [(a.number, f"{a.number}. {a.title}") for a in areas]
        ratio_choices = [("none", _("无配套要求")), ("any", _("有配套要求"))]
        ratio_choices += [(ratio_value(r), format_ratio(r)) for r in ratios]
        self.filters["ratio"].extra["choices"] = ratio_choices
        # The guide's project types (guide.selectors.project_types), as its directions' tags name them.
        self.filters["type"].extra["choices"] = [(name, name) for name in types]

    def filter_keyword(self, queryset, name, value):
        """Every whitespace-separated word must match one of the fields (AND over words, OR over
        fields), in any order: "Hydrogen fuel cell" finds a direction titled "... fuel cells ...
        hydrogen ...", "储氢 材料" one whose text has both. A single word that is a direction's code
        ("10.1") also matches that code exactly. Full-width spaces separate words too."""
        words = value.split()
        if not words:
            return queryset
        for word in words:
            queryset = queryset.filter(self._word_matches(word))
        return queryset

    @staticmethod
    def _word_matches(word: str) -> Q:
        # English words match the English titles and keywords of the guide's data file
        # (guide.parsing.english), when it has one; the guide's own text is Chinese.
        return (
            Q(title__icontains=word)
            | Q(title_en__icontains=word)
            | Q(keywords_en__icontains=word)
            | Q(code__iexact=word)
            | Q(research_content__icontains=word)
            | Q(indicators_text__icontains=word)
            | Q(notes__icontains=word)
            | Q(other_requirements__icontains=word)
        )

    def filter_ratio(self, queryset, name, value):
        if value == "none":
            return queryset.filter(applied_ratio__isnull=True)
        if value == "any":
            return queryset.filter(applied_ratio__isnull=False)
        return queryset.filter(applied_ratio=Decimal(value))

    def filter_type(self, queryset, name, value):
        """Directions whose ``project_types`` list holds the type. JSON containment (``__contains``) is
        PostgreSQL's only; the list's JSON text holds the name in quotes on every database, escaped
        (``"\\u9752…"``, SQLite keeps Django's ASCII JSON) or not (PostgreSQL's jsonb as text)."""
        return queryset.filter(
            Q(project_types__icontains=json.dumps(value))
            | Q(project_types__icontains=json.dumps(value, ensure_ascii=False))
        )

    def filter_partner(self, queryset, name, value):
        reqs = PartnerRequirement.objects.all()
        if value == "none":
            return queryset.exclude(pk__in=reqs.values("direction_id"))
        if value == "countries_required":
            reqs = reqs.filter(kind=PartnerRequirement.Kind.FOREIGN_COUNTRIES, strength="required")
        elif value == "countries_indicator":
            reqs = reqs.filter(kind=PartnerRequirement.Kind.FOREIGN_COUNTRIES, strength="indicator")
        elif value != "any":
            reqs = reqs.filter(kind=value)
        return queryset.filter(pk__in=reqs.values("direction_id"))
