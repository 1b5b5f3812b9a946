import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self';")
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_chinese_is_the_default_language(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>登录</h1>" in response.content.decode()
