"""Bills (one hospital stay or visit) and parsing them from JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jiceng.people.idnumber import validate_id_number

from .categories import normalise_category
from .money import parse_amount
from .policy import HOSPITAL_LEVELS

if TYPE_CHECKING:  # pragma: no cover
    from .policy import Policy

REQUIRED_FIELDS = ("id", "person", "category", "date", "hospital_level", "total", "in_policy")
#: Optional fields used only by the risk link (因病返贫风险), never by the tiers.
OPTIONAL_FIELDS = ("area", "household_income", "name", "id_number")
_AREA_RE = re.compile(r"^\d{12}$")
# Officials write the level in words; accept them beside 1, 2, 3.
_LEVEL_WORDS = {"一级": "1", "二级": "2", "三级": "3", "一级医院": "1", "二级医院": "2", "三级医院": "3"}


@dataclass(frozen=True)
class Bill:
    """One medical bill.

    ``total`` is the whole cost; ``in_policy`` the part inside the policy
    (政策范围内费用), never more than ``total``. ``groups`` names special groups
    (e.g. ``"pneumoconiosis"``) the person belongs to for this bill.
    Fields are normalised on creation; bad values raise ``ValueError`` with a
    Chinese reason.

    The optional ``area`` (12-digit village code), ``household_income``,
    ``name`` and ``id_number`` are not used by the calculation; the risk link
    uses them to open a monitoring case in the person's village.
    """

    id: str
    person: str
    category: str
    date: dt.date
    hospital_level: str
    total: Decimal
    in_policy: Decimal
    groups: tuple[str, ...] = field(default=())
    area: str | None = None
    household_income: Decimal | None = None
    name: str | None = None
    id_number: str | None = None

    def __post_init__(self) -> None:
        # Frozen dataclass: normalise through object.__setattr__.
        set_ = object.__setattr__
        set_(self, "id", _ident(self.id, "id"))
        set_(self, "person", _ident(self.person, "person"))
        set_(self, "category", normalise_category(self.category))
        set_(self, "date", _date(self.date))
        set_(self, "hospital_level", _level(self.hospital_level))
        set_(self, "total", _amount(self.total, "total"))
        set_(self, "in_policy", _amount(self.in_policy, "in_policy"))
        set_(self, "groups", _groups(self.groups))
        for name in OPTIONAL_FIELDS:
            value = getattr(self, name)
            if value is not None:
                set_(self, name, _OPTIONAL_READERS[name](value))
        if self.in_policy > self.total:
            raise ValueError("政策范围内费用大于总费用")

    @property
    def out_of_policy(self) -> Decimal:
        """The part of the cost outside the policy; always paid by the person."""
        return self.total - self.in_policy


def parse_bills(
    json_list: Iterable[Any] | str, policy: Policy | None = None
) -> tuple[list[Bill], list[dict[str, Any]]]:
    """Parse bills from a JSON list (or JSON text).

    Returns ``(bills, errors)``. Each error is ``{"index", "id", "reason"}``
    with a Chinese reason (all problems of that bill, joined by "；"); good
    bills are still returned so they can be computed. When ``policy`` is given
    the date must also fall in its effective period.
    """
    if isinstance(json_list, str):
        json_list = json.loads(json_list, parse_float=Decimal)
    bills: list[Bill] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(json_list):
        problems: list[tuple[str, str]] = []
        if not isinstance(raw, dict):
            problems.append(("", "账单必须是 JSON 对象"))
            errors.append(_error(index, None, None, problems))
            continue
        values, problems = _read_values(raw)
        bill_id = values.get("id")
        if bill_id is not None:
            if bill_id in seen:
                problems.append(("id", f"账单编号与第 {seen[bill_id] + 1} 条重复"))
            else:
                seen[bill_id] = index
        if "total" in values and "in_policy" in values and values["in_policy"] > values["total"]:
            problems.append(("in_policy", "政策范围内费用大于总费用"))
        if policy is not None and "date" in values and not policy.covers(values["date"]):
            problems.append(("date", f"日期不在政策有效期内（{policy.name}：{policy.period}）"))
        if problems:
            shown = bill_id if bill_id is not None else _raw_id(raw)
            errors.append(_error(index, shown, values.get("person") or _raw_person(raw), problems))
            continue
        bills.append(Bill(**values))
    return bills, errors


def _read_values(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The normalised fields of one JSON bill and its problems as ``(field, reason)``."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for name in REQUIRED_FIELDS:
        if name not in raw or raw[name] is None or (isinstance(raw[name], str) and not raw[name].strip()):
            problems.append((name, "未填写"))
    for name, reader in _READERS.items():
        if name not in raw or raw[name] is None or (isinstance(raw[name], str) and not raw[name].strip()):
            continue
        try:
            values[name] = reader(raw[name])
        except ValueError as exc:
            problems.append((name, str(exc)))
    if "groups" in raw and raw["groups"] is not None:
        try:
            values["groups"] = _groups(raw["groups"])
        except ValueError as exc:
            problems.append(("groups", str(exc)))
    for name, reader in _OPTIONAL_READERS.items():
        # An empty optional value (e.g. a blank spreadsheet cell) means "not given".
        if raw.get(name) is None or raw.get(name) == "":
            continue
        try:
            values[name] = reader(raw[name])
        except ValueError as exc:
            problems.append((name, str(exc)))
    return values, problems


def _error(index: int, bill_id: str | None, person: str | None, problems: list[tuple[str, str]]) -> dict[str, Any]:
    """A rejected bill: ``reason`` joins its problems with their Chinese labels."""
    from .messages import problem_text

    return {"index": index, "id": bill_id, "person": person, "problems": problems,
            "reason": "；".join(problem_text(field, reason) for field, reason in problems)}


def _raw_person(raw: dict[str, Any]) -> str | None:
    value = raw.get("person")
    return None if value is None or isinstance(value, (dict, list)) else (str(value).strip() or None)


def bill_from_json(raw: dict[str, Any]) -> Bill:
    """Build one bill from a JSON object; raises ``ValueError`` on bad input."""
    bills, errors = parse_bills([raw])
    if errors:
        raise ValueError(errors[0]["reason"])
    return bills[0]


# --------------------------------------------------------------------------


def _ident(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("必须是文字或整数")
    text = str(value).strip()
    if not text:
        raise ValueError("不能为空")
    return text


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"日期格式不正确：{value!r}（应为 YYYY-MM-DD）")


def _level(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("未知的医院等级（只能是 1、2、3，即一级、二级、三级医院）")
    text = str(value).strip()
    text = _LEVEL_WORDS.get(text, text)
    if text not in HOSPITAL_LEVELS:
        raise ValueError(f"未知的医院等级：{text}（只能是 1、2、3，即一级、二级、三级医院）")
    return text


def _amount(value: Any, name: str) -> Decimal:
    from .messages import field_label

    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ValueError(f"{field_label(name)}：{exc}") from None


def _groups(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError("必须是群体代码的数组")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError("群体代码必须是非空文字")
        if item.strip() not in out:
            out.append(item.strip())
    return tuple(out)


def _area(value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, bool) or not _AREA_RE.match(text):
        raise ValueError("应为12位数字（如 431102101201）")
    return text


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("姓名必须是非空文字")
    text = value.strip()
    if len(text) > 32:
        raise ValueError("姓名过长（最多32个字）")
    return text


def _raw_id(raw: dict[str, Any]) -> str | None:
    value = raw.get("id")
    return None if value is None else str(value)


_READERS = {
    "id": lambda v: _ident(v, "id"),
    "person": lambda v: _ident(v, "person"),
    "category": normalise_category,
    "date": _date,
    "hospital_level": _level,
    "total": parse_amount,
    "in_policy": parse_amount,
}

_OPTIONAL_READERS = {
    "area": _area,
    "household_income": parse_amount,
    "name": _name,
    "id_number": validate_id_number,
}
