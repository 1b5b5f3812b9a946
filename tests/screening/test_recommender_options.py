"""The applicant's form offers the Recommender registry where a recommender is picked."""

import re

from django.template import Context, Template
from django.urls import reverse

from screening.registries import registries_import
from tests.factories.proposals import make_user

OPTION = re.compile(r'<option value="([^"]*)"></option>')


def recommender_input(html: str) -> str:
    return re.search(r'<input[^>]*name="recommender"[^>]*>', html).group(0)


def test_form_offers_the_recommenders_as_a_datalist_and_a_list(client, db):
    registries_import(data={"recommenders": ["江苏省科学技术厅", "中国科学院"]})
    client.force_login(make_user("alice"))
    html = client.get(reverse("proposals:create")).content.decode()
    datalist = html[html.index('<datalist id="recommender-options">') : html.index("</datalist>")]
    assert OPTION.findall(datalist) == ["中国科学院", "江苏省科学技术厅"]
    assert 'list="recommender-options"' in recommender_input(html)
    assert "接受的推荐单位（2 个）" in html


def test_form_says_so_when_the_recommender_list_was_never_loaded(client, db):
    client.force_login(make_user("alice"))
    html = client.get(reverse("proposals:create")).content.decode()
    assert "<datalist" not in html
    assert "list=" not in recommender_input(html)
    assert "推荐单位名单尚未载入" in html


def test_form_shows_no_list_for_a_registry_loaded_empty(client, db):
    registries_import(data={"recommenders": []})
    client.force_login(make_user("alice"))
    html = client.get(reverse("proposals:create")).content.decode()
    assert "<datalist" not in html
    assert "推荐单位名单尚未载入" not in html


def test_recommender_options_query_count_does_not_grow_with_the_list(db, django_assert_num_queries):
    template = Template("{% load recommenders %}{% recommender_options None %}")
    registries_import(data={"recommenders": ["甲省科学技术厅"]})
    with django_assert_num_queries(2):
        small = template.render(Context())
    registries_import(data={"recommenders": [f"第{n}省科学技术厅" for n in range(200)]})
    with django_assert_num_queries(2):
        large = template.render(Context())
    assert (len(OPTION.findall(small)), len(OPTION.findall(large))) == (1, 200)
