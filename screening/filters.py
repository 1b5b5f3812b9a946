import django_filters
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from proposals.enums import ProposalState
from proposals.models import Proposal

from . import selectors
from .enums import Outcome
from .labels import DJANGO_LANGUAGES
from .messages import RULE_TITLE_TEXTS, rule_title


def rule_choices() -> list[tuple[str, str]]:
    """The rules by their titles in the page's language ("配套经费比例", "Matching funding ratio"), in
    the report's order; called for each form, so the language is the request's."""
    language = get_language() or ""
    lang = next((key for key, code in DJANGO_LANGUAGES.items() if language.startswith(code[:2])), "zh")
    return [(rule_id, rule_title(rule_id, lang)) for rule_id in RULE_TITLE_TEXTS]


class ScreeningFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_keyword", label=_("关键词"))
    guide_year = django_filters.NumberFilter(label=_("指南年度"))
    direction_code = django_filters.CharFilter(label=_("指南方向"))
    state = django_filters.ChoiceFilter(choices=ProposalState.choices, label=_("状态"), empty_label=_("不限"))
    overall = django_filters.ChoiceFilter(
        field_name="latest_overall", choices=Outcome.choices, label=_("预审结论"), empty_label=_("不限")
    )
    rule = django_filters.ChoiceFilter(
        method="filter_rule", choices=rule_choices, label=_("未通过的条件"), empty_label=_("不限")
    )

    class Meta:
        model = Proposal
        fields = ["q", "guide_year", "direction_code", "state", "overall", "rule"]

    def filter_keyword(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(reference__icontains=value))

    def filter_rule(self, queryset, name, value):
        return selectors.proposals_failing(queryset, rule=value)
