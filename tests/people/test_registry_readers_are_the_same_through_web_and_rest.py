"""Who reads the registry at all is one rule (people.access.check_reads_registry) for the web pages and REST:
registry staff and helpers with paired households pass, and see only their scope; other residents are refused."""

from __future__ import annotations

import pytest

from jiceng.people.actions import do_set_tag, tag_kind
from jiceng.programmes.pairing import do_pair
from tests.api.helpers import client_for
from tests.programmes.helpers import household, party_scheme, staff_of

pytestmark = pytest.mark.django_db


def test_a_helper_reads_their_households_and_a_resident_without_pairings_is_refused(world):
    staff, helper, outsider = staff_of(world), world.users["resident-3"], world.users["resident-4"]
    helped, other = household(world), household(world)
    do_pair(staff, scheme=party_scheme(), helper=helper, household=helped)
    for h in (helped, other):
        do_set_tag(staff, h.head, tag_kind("dibao"), valid_from="2025-01-01", source="名册")

    as_helper, as_outsider = client_for(helper), client_for(outsider)
    held = as_helper.get("/api/v1/tags/held", {"kind": "dibao", "on": "2026-03-01"})
    assert held.status_code == 200
    assert {row["person"] for row in held.json()["items"]} == {helped.head_id}
    assert as_helper.get("/people/tags/", {"kind": "dibao", "on": "2026-03-01"}).status_code == 200

    assert as_outsider.get("/api/v1/tags/held", {"kind": "dibao", "on": "2026-03-01"}).status_code == 403
    assert as_outsider.get("/people/tags/", {"kind": "dibao", "on": "2026-03-01"}).status_code == 403
    for web, rest in (("/people/", "/api/v1/people"), ("/people/households/", "/api/v1/households")):
        assert as_outsider.get(web).status_code == 403 and as_outsider.get(rest).status_code == 403
        assert as_helper.get(web).status_code == 200 and as_helper.get(rest).status_code == 200
