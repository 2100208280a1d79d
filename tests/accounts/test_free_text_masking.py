"""Personal data typed into free text is masked: phone and ID numbers never survive, ordinary text is untouched."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from jiceng.people.masking import mask_free_text, mask_free_value

# Independent detectors (not the implementation's patterns): strip separators, then look for digit runs.
FULLWIDTH = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")


def _digit_runs(text: str) -> list[str]:
    flat = re.sub(r"(?<=[0-9])[ \-](?=[0-9Xx])", "", text.translate(FULLWIDTH)).replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    return re.findall(r"[0-9]+[Xx]?", flat)


def _has_phone_or_id(text: str) -> bool:
    for run in _digit_runs(text):
        if re.fullmatch(r"(86)?1[3-9][0-9]{9}", run) or re.fullmatch(r"0[0-9]{9,11}", run):
            return True
        if re.fullmatch(r"[0-9]{17}[0-9Xx]|[0-9]{15}", run):
            return True
    return False


# Prose without digits: CJK, Latin letters, punctuation, spaces.
prose = st.text(alphabet=st.sampled_from(list("的了是在我有和人这中大为上个国不到说们街道路灯坏水管楼邻居吵架，。！？、abcXyz ()（）")), max_size=40)
digit = st.sampled_from(list("0123456789"))
sep = st.sampled_from(["", "", "", " ", "-"])


@st.composite
def spaced(draw, digits: str, groupings: list[tuple[int, ...]]) -> str:
    """The digits in one of the groupings people write, with a space, hyphen or nothing between groups."""
    sizes = draw(st.sampled_from(groupings))
    out, at = [], 0
    for n in sizes:
        out.append(digits[at:at + n])
        at += n
    text = out[0]
    for group in out[1:]:
        text += draw(sep) + group
    return text


@st.composite
def mobile(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(digit, min_size=9, max_size=9)))
    prefix = draw(st.sampled_from(["", "", "+86 ", "86"]))
    text = prefix + draw(spaced(number, [(3, 4, 4), (11,), (3, 8)]))
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if draw(st.booleans()) and not prefix else text


@st.composite
def landline(draw) -> str:
    area = "0" + "".join(draw(st.lists(digit, min_size=2, max_size=3)))
    local = draw(st.sampled_from("23456789")) + "".join(draw(st.lists(digit, min_size=6, max_size=7)))
    return draw(st.sampled_from([f"{area}-{local}", f"({area}){local}", f"{area}{local}", f"{area} {local}",
                                 f"{area}-{local[:-4]}-{local[-4:]}"]))


@st.composite
def id_number(draw) -> str:
    if draw(st.booleans()):
        raw = "".join(draw(st.lists(digit, min_size=17, max_size=17))) + draw(st.sampled_from("0123456789X"))
    else:
        raw = "".join(draw(st.lists(digit, min_size=15, max_size=15)))
    groupings = [(6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (18,)] if len(raw) == 18 else [(6, 6, 3), (15,)]
    return draw(spaced(raw, groupings))


personal = st.one_of(mobile(), landline(), id_number())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(prose, personal), min_size=1, max_size=4), prose)
@example([("电话", "13812345678")], "")
@example([("身份证", "4311 0219 9001 0112 34")], "。")
@example([("座机", "(0746)8221234")], "")
def test_no_phone_or_id_number_survives(pieces, tail):
    text = "".join(p + " " + n + "，" for p, n in pieces) + tail
    masked = mask_free_text(text)
    assert not _has_phone_or_id(masked), (text, masked)
    for _prefix, number in pieces:
        assert number not in masked


@settings(max_examples=300, deadline=None)
@given(prose)
def test_ordinary_text_is_unchanged(text):
    assert mask_free_text(text) == text


@settings(max_examples=200, deadline=None)
@given(prose, st.integers(min_value=0, max_value=999_999), prose)
def test_short_numbers_dates_and_amounts_are_unchanged(before, number, after):
    text = f"{before}{number}{after} 2026-01-15 14:30 第3号楼"
    assert mask_free_text(text) == text


def test_the_given_names_are_masked_and_others_kept():
    text = "张三明与邻居欧阳建国因漏水争吵，王五调解"
    masked = mask_free_text(text, names=["张三明", "欧阳建国", ""])
    assert masked == "张*明与邻居欧**国因漏水争吵，王五调解"


def test_one_character_names_are_not_masked():
    assert mask_free_text("水管破了", names=["水"]) == "水管破了"


def test_a_mobile_keeps_its_head_and_tail_and_loses_the_prefix():
    assert mask_free_text("请拨 +86 139-1234-5678 联系") == "请拨 139****5678 联系"


def test_category_field_values_are_masked_inside_lists():
    assert mask_free_value({"parties": ["张三明 13812345678", "李四"], "count": 2}, names=["李四"]) == {
        "parties": ["张三明 138****5678", "李*"], "count": 2}
