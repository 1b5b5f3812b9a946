"""The workspace list's filters (django-filter). The choices that depend on the data (directions,
areas, recommenders of the year) come from the selectors; the stale filter runs last, on what the
others left."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from proposals.enums import ProposalState
from proposals.models import Proposal

from ..enums import Outcome
from ..filters import rule_choices
from . import selectors

YES_NO = [("yes", _("是")), ("no", _("否"))]


HANDED_IN = "handed_in"  # the state filter's value for every handed-in state (the dashboard's 已提交)


def state_choices():
    return [(HANDED_IN, _("已提交（全部）")), *ProposalState.choices]


def overall_choices():
    return [
        *Outcome.choices,
        (selectors.NOT_SCREENED, _("未预审")),
        (selectors.RUN_FAILED, _("预审运行失败")),
    ]


class WorkspaceFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(field_name="guide_year", label=_("指南年度"), empty_label=None)
    q = django_filters.CharFilter(method="filter_keyword", label=_("关键词"))
    direction = django_filters.ChoiceFilter(
        field_name="direction_code", label=_("指南方向"), empty_label=_("不限")
    )
    area = django_filters.ChoiceFilter(method="filter_area", label=_("领域"), empty_label=_("不限"))
    state = django_filters.ChoiceFilter(
        method="filter_state", choices=state_choices, label=_("状态"), empty_label=_("不限")
    )
    overall = django_filters.ChoiceFilter(
        method="filter_overall", choices=overall_choices, label=_("预审结论"), empty_label=_("不限")
    )
    rule = django_filters.ChoiceFilter(
        method="filter_rule", choices=rule_choices, label=_("未通过的条件"), empty_label=_("不限")
    )
    recommender = django_filters.CharFilter(lookup_expr="icontains", label=_("推荐单位"))
    lead_unit = django_filters.CharFilter(method="filter_lead_unit", label=_("牵头单位"))
    pi = django_filters.CharFilter(method="filter_pi", label=_("项目负责人（姓名或证件号码）"))
    submitted_from = django_filters.DateFilter(
        method="filter_submitted_from", label=_("提交日期自"), widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = django_filters.DateFilter(
        method="filter_submitted_to", label=_("提交日期至"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reviewed = django_filters.ChoiceFilter(
        method="filter_reviewed", choices=YES_NO, label=_("已审阅"), empty_label=_("不限")
    )
    stale = django_filters.ChoiceFilter(
        method="filter_stale", choices=YES_NO, label=_("结果可能已过时"), empty_label=_("不限")
    )

    class Meta:
        model = Proposal
        fields = []

    def __init__(self, data=None, *args, years: list[int], choices: dict, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]
        self.filters["direction"].extra["choices"] = choices["direction"]
        self.filters["area"].extra["choices"] = choices["area"]

    @property
    def selected_year(self) -> int | None:
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return int(data["year"]) if data.get("year") else None

    def filter_state(self, queryset, name, value):
        if value == HANDED_IN:
            return queryset.filter(state__in=selectors.HANDED_IN)
        return queryset.filter(state=value)

    def filter_keyword(self, queryset, name, value):
        return selectors.proposals_search(queryset, value)

    def filter_area(self, queryset, name, value):
        return selectors.proposals_in_area(queryset, year=self.selected_year, number=int(value))

    def filter_overall(self, queryset, name, value):
        return selectors.proposals_with_overall(queryset, value)

    def filter_rule(self, queryset, name, value):
        return selectors.proposals_failing(queryset, value)

    def filter_lead_unit(self, queryset, name, value):
        value = value.strip()
        return selectors.proposals_with_lead_unit(queryset, value) if value else queryset

    def filter_pi(self, queryset, name, value):
        value = value.strip()
        return selectors.proposals_with_pi(queryset, value) if value else queryset

    def filter_submitted_from(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_local_midnight(value))

    def filter_submitted_to(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=_local_midnight(value + dt.timedelta(days=1)))

    def filter_reviewed(self, queryset, name, value):
        return queryset.filter(review__isnull=value != "yes")

    def filter_stale(self, queryset, name, value):
        return selectors.proposals_stale(queryset, stale=value == "yes")


def _local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the site's time zone (an indexed range, not a date cast per row)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_current_timezone())


SORT_LABELS = {
    "reference": _("编号"),
    "title": _("项目名称"),
    "direction": _("指南方向"),
    "state": _("状态"),
    "submitted": _("提交时间"),
}


def filter_description(query: str) -> list[tuple[str, str]]:
    """The filters a list's query string sets, in people's words and the active language: (label,
    value) pairs such as ("指南方向", "4.1 新能源汽车…") or ("预审结论", "不通过"), in the filter form's
    order, then the sort; what the list does not know (a page cursor, a stray parameter) is left out.
    Three queries (the years, the directions and areas of the year)."""
    data = QueryDict(query or "")
    years = selectors.workspace_years()
    try:
        year = int(data.get("year") or 0) or None
    except ValueError:
        year = None
    filterset = WorkspaceFilter(
        data,
        queryset=Proposal.objects.none(),
        years=years,
        choices=selectors.filter_choices(year=year if year in years else None),
    )
    described = []
    for name, one in filterset.filters.items():
        raw = data.get(name, "").strip()
        if not raw:
            continue
        choices = one.extra.get("choices") or []
        choices = {str(k): v for k, v in (choices() if callable(choices) else choices)}
        described.append((str(one.label), str(choices.get(raw, raw))))
    if data.get("sort"):
        name, descending = selectors.sort_of(data["sort"])
        order = _("降序") if descending else _("升序")
        described.append(
            (str(_("排序")), _("%(column)s（%(order)s）") % {"column": SORT_LABELS[name], "order": order})
        )
    return described


def filter_text(query: str, *, lang: str) -> str:
    """filter_description in ``lang`` ("zh" or "en") on one line: "指南年度：2022；预审结论：不通过"."""
    with translation.override("en" if lang == "en" else "zh-hans"):
        colon, sep = ("：", "；") if lang != "en" else (": ", "; ")
        return sep.join(f"{label}{colon}{value}" for label, value in filter_description(query))
