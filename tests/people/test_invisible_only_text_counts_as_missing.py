"""A required name made only of invisible characters (zero-width spaces, direction marks) is missing, as in cases."""

import pytest

from jiceng.errors import InvalidInput
from jiceng.people.actions import clean_text


@pytest.mark.parametrize("value", ["\u200b\u200b", "\u202e", " \u3000 "])
def test_invisible_only_text_is_refused_as_missing(value):
    with pytest.raises(InvalidInput) as refused:
        clean_text(value, "name", "姓名", 40, required=True)
    assert refused.value.field == "name" and "请填写姓名" in refused.value.message


def test_visible_text_is_kept():
    assert clean_text("  张三  ", "name", "姓名", 40, required=True) == "张三"
