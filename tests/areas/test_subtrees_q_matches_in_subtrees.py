"""areas.models.subtrees_q (the access modules' one area-scope filter) selects exactly the areas
in_subtrees accepts: one code range per prefix, none for no prefixes."""

from __future__ import annotations

import pytest

from jiceng.areas.models import Area, in_subtrees, subtrees_q

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cuts", [[], [9], [9, -12], [6]])
def test_the_filter_and_the_check_agree(world, cuts):
    # a township, a township and another township's village, the county: prefixes of the test world's codes
    prefixes = [world.villages[0].code[:9] if cut == 9 else world.villages[-1].code if cut == -12 else world.villages[0].code[:cut]
                for cut in cuts]
    codes = set(Area.objects.values_list("code", flat=True))
    selected = set(Area.objects.filter(subtrees_q("code", prefixes)).values_list("code", flat=True))
    assert selected == {c for c in codes if in_subtrees(c, prefixes)}
    assert bool(selected) == bool(prefixes)


def test_an_empty_code_is_in_no_subtree():
    assert not in_subtrees("", ["43"]) and not in_subtrees(None, ["43"])
