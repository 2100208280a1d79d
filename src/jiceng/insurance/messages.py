"""The messages an official reads about bad input, built in one place.

Every adapter (web form, command line, REST API, the roster-check workbook)
shows these texts, so the same problem reads the same everywhere: the row, the
field's Chinese label, the reason. A problem that belongs to the person rather
than to one bill (a wrong ID number, an unknown village code) is one message
that lists the rows it affects, not one per bill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Chinese labels of the bill fields, the form fields and the request fields.
FIELD_LABELS: dict[str, str] = {
    "id": "账单编号",
    "person": "参保人",
    "category": "人员类别",
    "date": "就诊日期",
    "hospital_level": "医院等级",
    "total": "总费用",
    "in_policy": "政策范围内费用",
    "groups": "特殊群体",
    "group": "特殊群体",
    "area": "村（社区）代码",
    "household_income": "家庭年收入",
    "name": "姓名",
    "id_number": "身份证号码",
    "village_code": "村（社区）代码",
    "policy": "政策",
    "policy_id": "政策",
    "policy_toml": "政策文件",
    "policy_file": "政策文件",
    "supersede": "替换现有版本",
    "bills": "账单",
    "people": "人员表",
    "roster": "参保名册",
    "vulnerable": "困难群体名单",
    "risk": "因病返贫风险标准",
    "open_risk_case": "因病返贫风险工单",
    "open_risk_cases": "因病返贫风险工单",
    "": "账单",
}

#: Fields that describe the person, not the bill: one message per person.
PERSON_FIELDS = frozenset({"person", "category", "area", "household_income", "name", "id_number", "groups"})


def field_label(field: str | None) -> str:
    """The Chinese label of a field key (the key itself only if unknown)."""
    return FIELD_LABELS.get(field or "", field or "")


def problem_text(field: str, reason: str) -> str:
    """``"总费用：金额格式不正确：'abc'"``."""
    return f"{field_label(field)}：{reason}"


def rows_text(rows: Sequence[int]) -> str:
    """``"第 3 行"`` or ``"第 1、2、5 行"``."""
    return f"第 {'、'.join(str(r) for r in rows)} 行"


@dataclass(frozen=True)
class Message:
    """One problem, the rows (and bills) it affects, and its text."""

    field: str
    reason: str
    rows: tuple[int, ...]
    bills: tuple[str, ...] = ()
    show_bills: bool = True

    @property
    def label(self) -> str:
        return field_label(self.field)

    @property
    def text(self) -> str:
        bills = [b for b in self.bills if b]
        ids = f"（账单 {'、'.join(bills)}）" if self.show_bills and bills else ""
        return f"{rows_text(self.rows)}{ids} {problem_text(self.field, self.reason)}"

    def as_dict(self) -> dict[str, Any]:
        return {"rows": list(self.rows), "bills": list(self.bills), "field": self.field, "label": self.label,
                "reason": self.reason, "text": self.text}


def bill_messages(errors: Iterable[Mapping[str, Any]], *, show_bills: bool = True) -> list[Message]:
    """Group the per-bill errors of :func:`~.bills.parse_bills` into messages.

    Each error has ``index``, ``id``, ``problems`` (``[(field, reason)]``),
    optionally ``person`` and ``row`` (default ``index + 1``). A person's
    problem (e.g. a bad ID number on each of their bills) becomes one message
    listing every row; a bill's own problem stays with its row.
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for error in errors:
        row = int(error.get("row") or error["index"] + 1)
        person = error.get("person")
        for field, reason in error.get("problems", ()):
            key: tuple[Any, ...] = ("person", person, field, reason) if person and field in PERSON_FIELDS else ("row", row, field, reason)
            entry = groups.setdefault(key, {"field": field, "reason": reason, "rows": [], "bills": []})
            if row not in entry["rows"]:
                entry["rows"].append(row)
                entry["bills"].append(str(error.get("id") or ""))
    messages = [Message(g["field"], g["reason"], tuple(g["rows"]), tuple(g["bills"]), show_bills) for g in groups.values()]
    messages.sort(key=lambda m: (m.rows[0], m.field))
    return messages


def cell_text(sheet: str, row: int, column: str, reason: str) -> str:
    """``"困难群体名单 第 5 行 A（身份证号码）列：校验码错误…"``: a spreadsheet cell's problem."""
    where = f"{sheet} " if sheet else ""
    return f"{where}第 {row} 行 {column} 列：{reason}"
