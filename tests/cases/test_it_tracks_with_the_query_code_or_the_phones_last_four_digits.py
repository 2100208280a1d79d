"""Following a case without an account (access.track_case), through the web page and REST: the 查询码, or instead the last
four digits of the reporter's phone, with wrong digits counted per case; the receipt's QR code opens the tracking page."""

from __future__ import annotations

import html
import re

import pytest
import segno
from django.core.cache import cache
from django.test import Client

from tests.api.helpers import client_for

from .helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Rate limits and guess counters live in the cache, which outlives each test's database."""
    settings.PUBLIC_TRACK_RATE = "1000/h"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def petition(world):
    """A case of a non-public category: following it needs a secret."""
    return submit(world, category="xinfang-visit", fields={"petitioners": 2}, reporter_phone="138-1234-5678")


def _opens(adapter: str, number: str, code: str, address: str = "10.0.0.1") -> bool:
    anon = Client(REMOTE_ADDR=address)
    if adapter == "web":
        r = anon.get("/track/", {"number": number, "code": code})
        assert r.status_code == 200
        return 'class="timeline"' in r.content.decode()
    r = anon.get(f"/api/v1/public/cases/{number}", {"code": code})
    assert r.status_code in (200, 404), r.status_code
    return r.status_code == 200


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_phones_last_four_digits_open_the_case_as_the_query_code_does(petition, adapter):
    assert _opens(adapter, petition.number, "5678")
    assert _opens(adapter, petition.number, petition.query_code)
    assert not _opens(adapter, petition.number, "")
    assert not _opens(adapter, petition.number, "1234")  # other digits of the phone
    assert not _opens(adapter, petition.number, "345678")  # more digits are not the last four
    assert not _opens(adapter, petition.number, "５６７８")  # full-width digits are not taken for ASCII ones


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_case_without_a_phone_opens_only_with_its_query_code(world, adapter):
    case = submit(world, category="xinfang-visit", fields={"petitioners": 1}, reporter_phone="")
    assert not _opens(adapter, case.number, "0000")
    assert _opens(adapter, case.number, case.query_code)


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_chinese_code_gets_the_not_found_answer_not_an_error(petition, adapter):
    assert not _opens(adapter, petition.number, "查询码")


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_wrong_digits_from_many_addresses_close_the_digits_for_that_case(world, petition, adapter):
    other = submit(world, category="xinfang-visit", fields={"petitioners": 1}, reporter_phone="13900001111")
    for i in range(10):  # a guesser spreading tries over addresses is not stopped by the per-address limit
        assert not _opens(adapter, petition.number, f"{i:04d}", address=f"10.1.0.{i}")
    assert not _opens(adapter, petition.number, "5678", address="10.2.0.1"), "after ten wrong guesses the digits no longer open it"
    assert _opens(adapter, petition.number, petition.query_code, address="10.2.0.1")  # the 查询码 still does
    assert _opens(adapter, other.number, "1111", address="10.2.0.1")  # and other cases are not affected


def test_web_lookups_stay_rate_limited_per_address(petition, settings):
    settings.PUBLIC_TRACK_RATE = "3/m"
    anon = Client(REMOTE_ADDR="10.3.0.1")
    pages = [anon.get("/track/", {"number": petition.number, "code": "5678"}).content.decode() for _ in range(4)]
    assert all('class="timeline"' in p for p in pages[:3])
    assert 'class="timeline"' not in pages[3] and "请求过于频繁" in pages[3]


def test_the_receipts_qr_code_opens_the_tracking_page_with_the_code(world):
    resident = world.users["resident-3"]
    case = submit(world, category="xinfang-visit", fields={"petitioners": 1}, user=resident)
    page = client_for(resident).get(f"/cases/{case.number}/receipt/").content.decode()
    url = html.unescape(re.search(r'<span class="hash">(http[^<]+)</span>', page).group(1))
    assert url == f"http://localhost/track/?number={case.number}&code={case.query_code}"
    assert segno.make(url, error="m").svg_data_uri(scale=4, border=2) in html.unescape(page)  # the QR code encodes exactly this address
    opened = Client(REMOTE_ADDR="10.4.0.1").get(url.removeprefix("http://localhost")).content.decode()
    assert case.number in opened and 'class="timeline"' in opened and case.category.name in opened
