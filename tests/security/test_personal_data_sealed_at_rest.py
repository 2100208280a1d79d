"""Phones and ID numbers are encrypted at rest (jiceng.sealed), on SQLite and PostgreSQL.

Cases come in through every adapter (domain, REST, web form, Open311, the 待定位
queue, the demo generator); then every text column of every table is read with
raw SQL and no phone or ID number may appear. Lookups by phone and ID number
(frequent callers, repeat candidates) still work through the domain, REST and
the web, because they go through the keyed-hash columns.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from jiceng.api.keys import do_create_api_key
from jiceng.cases.models import Case, UnlocatedReport
from jiceng.demo.cases import generate_cases
from jiceng.sealed import blind_index
from jiceng.triage.callers import frequent_callers
from jiceng.triage.models import CaseKey
from jiceng.triage.repeats import find_repeat_candidates
from tests.api.helpers import client_for, key_client, post_json
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER = "13698765432", "11010519491231002X"
SECRETS = (PHONE, ID_NUMBER, "136 9876 5432", "1369876")


def _every_stored_text() -> list[tuple[str, str]]:
    """(table, value) for every non-empty value of every table, read with raw SQL."""
    out = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cur.fetchall():
                out.extend((table, str(v)) for v in row if v not in (None, ""))
    return out


def _plaintext_found() -> list[tuple[str, str]]:
    return [(t, v[:80]) for t, v in _every_stored_text() if any(s in v for s in SECRETS)]


def _submit_everywhere(world) -> None:
    village = world.villages[-1]
    submit(world, reporter_phone=PHONE, reporter_id_number=ID_NUMBER, title="路灯不亮", description="村口路灯坏了")
    client, _ = key_client("hotline")
    r = post_json(client, "/api/v1/cases", {"category": "minsheng-road", "area": village.code, "title": "路面坑洼",
                                             "description": "村道有坑", "reporter_name": "张三明", "reporter_phone": PHONE,
                                             "reporter_id_number": ID_NUMBER, "channel": "hotline"})
    assert r.status_code == 201, r.content
    web = client_for(village_staff(world, village.code))
    r = web.post("/cases/new/", {"category": "minsheng-road", "area": village.code, "title": "水渠堵塞", "description": "水渠被垃圾堵住",
                                 "reporter_name": "张三明", "reporter_phone": PHONE, "reporter_id_number": ID_NUMBER})
    assert r.status_code == 302, r.content.decode()[:500]
    _, raw = do_create_api_key("open311-client", area_code=world.county.code)
    r = Client(HTTP_HOST="localhost").post("/open311/v2/requests.json", {
        "api_key": raw, "jurisdiction_id": world.county.code[:6], "service_code": "minsheng-road", "address_id": village.code,
        "description": "桥栏杆断了", "last_name": "张", "first_name": "三明", "phone": PHONE})
    assert r.status_code == 200, r.content
    # A report that cannot be placed waits in the 待定位 queue with its reporter's phone.
    r = post_json(client, "/api/v1/cases", {"category": "minsheng-road", "address_string": "不知道哪里的某个地方", "title": "有人乱倒垃圾",
                                             "description": "路边有建筑垃圾", "reporter_name": "张三明", "reporter_phone": PHONE,
                                             "channel": "hotline"})
    assert r.status_code in (201, 202), r.content


def test_no_table_holds_a_phone_or_id_number_in_clear(world):
    _submit_everywhere(world)
    assert Case.objects.filter(reporter_phone_index=blind_index(PHONE, "phone")).count() == 4
    assert UnlocatedReport.objects.exists() and UnlocatedReport.objects.get().reporter_phone == PHONE
    assert _plaintext_found() == []
    # What the program reads is still the plaintext.
    assert set(Case.objects.values_list("reporter_phone", flat=True)) == {PHONE}


def test_the_demo_generator_writes_sealed_values(world):
    generate_cases(world, 60, seed=5)
    phones = [p for p in Case.objects.values_list("reporter_phone", flat=True) if p]
    assert phones and all(p.isdigit() for p in phones)
    with connection.cursor() as cur:
        cur.execute("SELECT reporter_phone, reporter_phone_index FROM cases_case WHERE reporter_phone <> ''")
        stored = cur.fetchall()
    assert stored and all(v.startswith("sealed1:") and ix for v, ix in stored)
    assert not set(phones) & {v for v, _ in stored}


def test_a_sealed_column_refuses_to_be_compared_with_a_value(world):
    submit(world, reporter_phone=PHONE)
    assert Case.objects.exclude(reporter_phone="").count() == 1  # "not given" still works
    with pytest.raises(ValueError, match="blind index"):
        list(Case.objects.filter(reporter_phone=PHONE))
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Case.objects.filter(reporter_phone__contains="1369"))


def _callers(world, n=3):
    now = timezone.now()
    return [submit(world, reporter_phone=PHONE, reporter_id_number=ID_NUMBER, title=f"反映第{i}次", description="反复来电反映同一问题",
                   now=now - timedelta(minutes=i)) for i in range(n)]


def test_frequent_callers_are_found_through_the_domain_rest_and_web(world):
    _callers(world, 4)
    leader = world.users["leader"]
    rows = frequent_callers(leader, min_cases=3, period_days=30, reveal=True)
    assert {(r.kind, r.count, r.value) for r in rows} == {("phone", 4, PHONE), ("id_number", 4, ID_NUMBER)}
    api = client_for(leader).get("/api/v1/triage/frequent-callers", {"min_cases": 3, "reveal": "true"})
    assert api.status_code == 200 and {(c["kind"], c["count"]) for c in api.json()} == {("phone", 4), ("id_number", 4)}
    assert PHONE in api.content.decode()
    page = client_for(leader).get("/triage/callers/", {"min": 3})
    assert page.status_code == 200 and "136****5432" in page.content.decode()


def test_a_repeat_by_the_same_phone_is_found_whatever_the_spelling(world):
    first = submit(world, reporter_phone=PHONE, title="反映情况", description="邻居家的狗整夜叫")
    again = submit(world, reporter_phone="+86 136-9876-5432", title="再次反映", description="晚上吵得睡不着")
    found = {c.case.pk: [r.code for r in c.reasons] for c in find_repeat_candidates(again)}
    assert "same_phone" in found[first.pk]
    assert CaseKey.objects.get(case=first).phone_hash == first.reporter_phone_index != ""
    staff = village_staff(world, again.area_id)
    r = client_for(staff).get(f"/api/v1/cases/{again.number}/repeat-candidates")
    assert r.status_code == 200 and first.number in r.content.decode()
