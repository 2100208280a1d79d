"""Masking personal data for viewers without a need to see it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳建国 → 欧**国."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only the last two digits."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_id_number(value: str) -> str:
    """431102199001011234 → 4311**********1234."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(address: str) -> str:
    """Hide the exact spot but keep the neighbourhood: house, building and room numbers go.

    南津路88号3栋201室 → 南津路**号*栋***室. Digits (ASCII and full-width) are
    replaced; the street and village names stay, so the address still says
    roughly where the matter is.
    """
    return "".join("*" if ch.isdigit() else ch for ch in address)


def person_fields(name: str, phone: str, id_number: str, address: str, *, reveal: bool) -> dict:
    """A case's personal data as shown to a viewer: raw when ``reveal``, masked otherwise."""
    if reveal:
        return {"name": name, "phone": phone, "id_number": id_number, "address": address, "masked": False}
    return {
        "name": mask_name(name), "phone": mask_phone(phone), "id_number": mask_id_number(id_number),
        "address": mask_address(address), "masked": True,
    }


# --- personal data inside free text ------------------------------------------
# Descriptions, results, notes and category fields are typed by people, who put
# phone numbers, ID numbers and the parties' names in them. These patterns find
# them; digits may be ASCII or full-width, separated by single spaces or hyphens.
_D = "[0-9０-９]"
_X = "[0-9０-９Xx]"
_S = "[ \\-－]?"  # one optional space or hyphen between groups
_NOT_DIGIT_BEFORE = "(?<![0-9０-９])"
_NOT_DIGIT_AFTER = "(?![0-9０-９])"


def _grouped(*groupings: tuple[int, ...], last: str = _D) -> str:
    """Digit groups of the given sizes with optional separators between groups (the last digit may be ``last``)."""
    forms = []
    for sizes in groupings:
        parts = [f"{_D}{{{n}}}" for n in sizes[:-1]] + [f"{_D}{{{sizes[-1] - 1}}}{last}"]
        forms.append(_S.join(parts))
    return "(?:" + "|".join(forms) + ")"


# 431102 19900101 1234, 4311 0219 9001 0112 34, 431102-1990-0101-1234 …
ID18_RE = re.compile(_NOT_DIGIT_BEFORE + _grouped((6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (18,), last=_X) + "(?![0-9０-９A-Za-z])")
ID15_RE = re.compile(_NOT_DIGIT_BEFORE + _grouped((6, 6, 3), (15,)) + _NOT_DIGIT_AFTER)
# 13812345678, 138 1234 5678, 138-1234-5678, +86 138…
MOBILE_RE = re.compile(
    _NOT_DIGIT_BEFORE + "(?:(?:\\+|＋)?(?:86|８６)[ \\-－]?)?" + "(?=[1１][3-9３-９])" + _grouped((3, 4, 4), (11,), (3, 8)) + _NOT_DIGIT_AFTER
)
# 0746-8221234, (0746)8221234, 0746 822 1234, 010-6552-1234
LANDLINE_RE = re.compile(
    _NOT_DIGIT_BEFORE + "(?:[(（][0０]" + _D + "{2,3}[)）]|[0０]" + _D + "{2,3})" + _S
    + "(?:" + _D + "{7,8}|" + _D + "{3,4}" + _S + _D + "{4})" + _NOT_DIGIT_AFTER
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx")


def _mask_match(match: re.Match, keep_head: int, keep_tail: int, last: int = 0) -> str:
    """Keep a few leading and trailing digits (so staff can tell numbers apart), star the rest."""
    digits = _digits(match.group(0))[-last:]
    hidden = max(len(digits) - keep_head - keep_tail, 1)
    head = digits[:keep_head] if len(digits) > keep_head + keep_tail else ""
    tail = digits[-keep_tail:] if len(digits) > keep_head + keep_tail else ""
    return head + "*" * hidden + tail


def mask_free_text(text: str, names: Iterable[str] = ()) -> str:
    """Mask ID numbers, mobile and landline numbers and the given names inside free text.

    ``names`` are the people this case is about (the reporter, a dispute's
    parties); names of one character are skipped, as they would mask ordinary
    words. Text with none of these is returned unchanged.
    """
    if not text:
        return text
    text = ID18_RE.sub(lambda m: _mask_match(m, 4, 4), text)
    text = ID15_RE.sub(lambda m: _mask_match(m, 4, 3), text)
    text = MOBILE_RE.sub(lambda m: _mask_match(m, 3, 4, last=11), text)  # without a +86 prefix
    text = LANDLINE_RE.sub(lambda m: _mask_match(m, 0, 2), text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def mask_free_value(value: Any, names: Iterable[str] = ()) -> Any:
    """``mask_free_text`` through a category field's value: text, lists of text, nested dicts."""
    if isinstance(value, str):
        return mask_free_text(value, names)
    if isinstance(value, list):
        return [mask_free_value(v, names) for v in value]
    if isinstance(value, dict):
        return {k: mask_free_value(v, names) for k, v in value.items()}
    return value
