"""The rule filter names the rules as people do, in the page's language."""

import pytest
from django.utils import translation

from proposals.models import Proposal
from screening.filters import rule_choices
from screening.messages import RULE_TITLE_TEXTS
from screening.workspace import selectors
from screening.workspace.filters import WorkspaceFilter


def test_rule_choices_are_the_chinese_titles_on_a_chinese_page():
    with translation.override("zh-hans"):
        choices = dict(rule_choices())
    assert choices["budget.matching_ratio"] == "配套经费比例"
    assert choices["pi.age"] == "项目负责人年龄"


def test_rule_choices_are_the_english_titles_on_an_english_page():
    with translation.override("en"):
        choices = dict(rule_choices())
    assert choices["budget.matching_ratio"] == "Matching funding ratio"
    assert choices["recommendation.recommender"] == "Designated recommender"


def test_rule_choices_list_every_rule_once_in_report_order_without_its_id():
    with translation.override("zh-hans"):
        choices = rule_choices()
    assert [rule_id for rule_id, _ in choices] == list(RULE_TITLE_TEXTS)
    assert [label for _, label in choices if "." in label or "—" in label] == []


@pytest.mark.django_db
def test_the_workspace_filter_renders_the_titles_of_the_request_language():
    with translation.override("en"):
        filterset = WorkspaceFilter(
            data={}, queryset=Proposal.objects.none(), years=[], choices=selectors.filter_choices(year=None)
        )
        html = str(filterset.form["rule"])
    assert '<option value="budget.matching_ratio">Matching funding ratio</option>' in html
    assert "budget.matching_ratio —" not in html
