"""403, 404, 500 and a failed CSRF check are pages of the site: in Chinese, with the menu and a way back."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from jiceng.web.error_views import server_error
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db


def test_a_user_of_another_village_gets_the_chinese_404_page_for_a_case(world, client):
    case = submit(world, village=world.villages[-1])
    other = world.villages[0]
    client.force_login(world.users[f"cun-{other.code}"])
    response = client.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
                          HTTP_REFERER=f"http://testserver/cases/?state=open")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and f"工单 {case.number} 不存在" in page  # the reason access.access_case gave
    assert 'href="/cases/?state=open"' in page  # back to where the user came from
    assert "工单查询" in page and 'class="brand"' in page  # inside the frame, menus included
    assert case.title not in page and "Page not found" not in page


def test_an_unknown_address_gets_the_chinese_404_page_without_internals(client):
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "登录" in page
    assert "no/such" not in page.split("<main>")[1].split("login")[0]  # the resolver's tried patterns are not shown


def test_a_resident_opening_staff_tools_gets_the_chinese_403_page(world, client):
    client.force_login(world.users["resident-1"])
    response = client.get("/insurance/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "您无权打开此页面" in page and "返回上一页" in page
    assert 'href="/"' in page  # no referer: back goes home


def test_the_error_page_speaks_english_to_who_chose_english(world, client):
    client.cookies["django_language"] = "en"
    page = client.get("/no/such/page/").content.decode()
    assert "Page not found" in page and "页面不存在" not in page


def test_a_form_without_its_csrf_token_gets_the_chinese_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "表单已失效" in page and "重新提交" in page and "CSRF verification failed" not in page


def test_the_500_page_is_framed_in_chinese(world, rf: RequestFactory):
    request = rf.get("/cases/")
    request.user = world.users["leader"]
    response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in page and "工单查询" in page


class _BrokenUser:
    """A request whose user cannot be read, as when the database itself is what failed."""

    @property
    def is_authenticated(self):
        raise RuntimeError("database unavailable")


def test_the_500_page_still_answers_when_the_frame_cannot_be_drawn(rf: RequestFactory):
    request = rf.get("/")
    request.user = _BrokenUser()
    response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in page and 'href="/"' in page
