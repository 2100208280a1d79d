"""Photos and files of a case open from the case page and the API only for those who may read the case, and only as recorded."""

from __future__ import annotations

import pytest
from django.conf import settings

from jiceng.cases.actions import Upload, do_case_action
from tests.api.helpers import client_for
from tests.browser.conftest import photo_png

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def with_files(world, django_capture_on_commit_callbacks):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    with django_capture_on_commit_callbacks(execute=True):  # files are written when the event commits
        case = do_case_action(case, "note", staff, {"note": "现场照片和说明"},
                              uploads=[Upload("路灯.png", photo_png(), "image/png"), Upload("说明.pdf", PDF, "application/pdf")])
    photo, pdf = case.attachments.order_by("pk")
    return case, staff, photo, pdf


def _path(adapter: str, case, att) -> str:
    return f"/cases/{case.number}/files/{att.pk}/" if adapter == "web" else f"/api/v1/cases/{case.number}/attachments/{att.pk}"


def test_the_case_page_shows_the_photo_as_a_thumbnail_and_the_pdf_as_a_download(world, with_files):
    case, staff, photo, pdf = with_files
    page = client_for(staff).get(f"/cases/{case.number}/").content.decode()
    assert f'<img src="/cases/{case.number}/files/{photo.pk}/"' in page
    assert f'href="/cases/{case.number}/files/{pdf.pk}/">说明.pdf' in page
    assert "现场照片和说明" in page and "记录完整" in page


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_reader_of_the_case_gets_the_recorded_bytes(world, with_files, adapter):
    case, staff, photo, pdf = with_files
    r = client_for(staff).get(_path(adapter, case, photo))
    assert r.status_code == 200 and r.content == photo_png() and r["Content-Type"] == "image/png"
    r = client_for(staff).get(_path(adapter, case, pdf))
    assert r.status_code == 200 and r.content == PDF and r["Content-Disposition"].startswith("attachment")


def test_the_web_shows_photos_inline_but_never_other_files(world, with_files):
    case, staff, photo, pdf = with_files
    assert client_for(staff).get(_path("web", case, photo))["Content-Disposition"].startswith("inline")
    assert client_for(staff).get(_path("web", case, photo) + "?download=1")["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_another_village_gets_not_found(world, with_files, adapter):
    case, _staff, photo, _pdf = with_files
    neighbour = next(v for v in world.villages if v.code != case.area_id)
    r = client_for(village_staff(world, neighbour.code)).get(_path(adapter, case, photo))
    assert r.status_code == 404 and photo_png() not in r.content


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_file_of_another_case_is_not_reached_through_this_one(world, with_files, adapter):
    case, staff, photo, _pdf = with_files
    other = handling_case(world, title="另一件")
    r = client_for(staff).get(_path(adapter, other, photo))
    assert r.status_code == 404


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_file_rewritten_on_disk_is_refused(world, with_files, adapter):
    case, staff, photo, _pdf = with_files
    (settings.MEDIA_ROOT / photo.storage_name).write_bytes(photo_png() + b"x")
    r = client_for(staff).get(_path(adapter, case, photo))
    assert r.status_code == 409 and photo_png() not in r.content
    assert "jiceng verify" in r.content.decode()  # the message tells whom to call
