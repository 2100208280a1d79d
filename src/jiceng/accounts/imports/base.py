"""What every registry import shares: the kind's columns, reading, the run, the summary and the files.

A kind (区划, 网格, 责任单位, 用户) says how one row is checked (``check``), which rows depend on
other rows of the same file (``depends_on``) and how a checked row is written (``write``, an upsert
by the natural key that answers created / updated / unchanged). :func:`run` does the rest the same
way for every kind: every row is checked before anything is written; with any error nothing is
written (``ImportRejected``) unless the caller explicitly chose ``valid_only``, in which case the
valid rows are written and the rejected ones, with their reasons, go to an error workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from jiceng import tabular
from jiceng.spreadsheet import excel_value
from jiceng.tabular import ImportRejected, RowError

from ..capabilities import Capability, require

MAX_ROWS = 100_000
FORMULA_STARTS = ("=", "+", "@")
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Checked:
    """One valid row: its spreadsheet number, natural key, what it needs from other rows, the values to write."""

    number: int
    key: str
    values: dict[str, Any]
    needs: tuple[str, ...] = ()  # natural keys of rows of the same file this row depends on
    need_column: str = ""  # the header of the column that names what the row needs
    order: int = 0  # rows are written by this, then by row number (parents before children)


class RegistryKind:
    """One kind of registry import; subclasses fill the class attributes and the three hooks."""

    key = ""
    label = ""  # the sheet's Chinese name
    columns: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()
    examples: list[list[str]] = []  # the template's example rows (codes no real county is likely to use)
    notes: list[str] = []

    def __init__(self, user: Any) -> None:
        self.user = user

    @property
    def labels(self) -> dict[str, str]:
        return {f: headers[0] for f, headers in self.columns.items()}

    def load(self) -> None:
        """Read what is registered; called once the import holds the lock, so a concurrent import's rows are seen."""

    def check(self, number: int, row: dict[str, str], errors: list[RowError]) -> Checked | None:
        raise NotImplementedError

    def missing(self, key: str) -> str:
        """Why a row cannot be written when what it needs (``key``) is neither registered nor in the file."""
        return _("“%(key)s”不存在") % {"key": key}

    def write(self, row: Checked) -> str:
        raise NotImplementedError

    # -- helpers for the kinds' checks ---------------------------------------------------------

    def error(self, errors: list[RowError], number: int, fieldname: str, message: str) -> None:
        errors.append(RowError(number, self.labels[fieldname], message))


def text_value(value: str, label: str, max_length: int, required: bool = True) -> str:
    """A text cell as it will be stored: not empty when required, not too long, not a formula."""
    if not value:
        if required:
            raise ValueError(_("不能为空"))
        return ""
    if value.startswith(FORMULA_STARTS):
        raise ValueError(_("“%(v)s”像是公式，%(label)s请直接填写文字") % {"v": value[:20], "label": label})
    if len(value) > max_length:
        raise ValueError(_("%(label)s最多 %(n)s 个字") % {"label": label, "n": max_length})
    return value


def split_list(value: str) -> list[str]:
    """A cell listing several codes: separated by 、，, ； ; or spaces."""
    for sep in ("、", "，", ",", "；", ";", "\n"):
        value = value.replace(sep, " ")
    return [v for v in value.split() if v]


@dataclass
class ImportSummary:
    """What a registry import did (or, dry run, would do)."""

    kind: str
    label: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    valid_only: bool = False
    new_users: list[str] = field(default_factory=list)
    error_file: bytes = b""

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def line(self) -> str:
        verb = _("将导入") if self.dry_run else _("已导入")
        text = _("%(verb)s%(label)s：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条") % {
            "verb": verb, "label": self.label, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.rejected:
            text += _("；%(n)s 行有错误未导入") % {"n": self.rejected}
        return text

    def as_dict(self) -> dict:
        return {"kind": self.kind, "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "dry_run": self.dry_run, "new_users": self.new_users,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors[:tabular.MAX_ERRORS_SHOWN]],
                "error_count": len(self.errors)}


def read_rows(kind: RegistryKind, data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The non-blank rows of a file of ``kind`` as text cells, numbered as in the spreadsheet."""
    table = tabular.read_table(data, filename, str(kind.label), max_rows=MAX_ROWS)
    positions = tabular.find_columns(table, kind.columns, kind.required)
    out = []
    for number, raw in tabular.records(table, positions):
        values = {f: tabular.cell_text(raw.get(f)) for f in kind.columns}
        if any(values.values()):
            out.append((number, values))
    if not out:
        raise tabular.TabularError(_("%(label)s：文件中没有数据行") % {"label": kind.label})
    return out


def _check_all(kind: RegistryKind, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[Checked], list[RowError]]:
    errors: list[RowError] = []
    checked: list[Checked] = []
    first: dict[str, int] = {}
    key_field = next(iter(kind.columns))
    in_file = {}  # the natural key each row names (valid or not), for dependency messages
    for number, values in rows:
        in_file.setdefault(values[key_field], number)
        row = kind.check(number, values, errors)
        if row is None:
            continue
        if row.key in first:
            errors.append(RowError(number, kind.labels[key_field], _("与第%(row)s行重复") % {"row": first[row.key]}))
            continue
        first[row.key] = number
        checked.append(row)
    # A row that needs another row of the file which has an error cannot be written either.
    bad_rows = {e.row for e in errors}
    changed = True
    while changed:
        changed = False
        for row in checked:
            if row.number in bad_rows:
                continue
            absent = [k for k in row.needs if k not in in_file]
            broken = [k for k in row.needs if k in in_file and (k not in first or first[k] in bad_rows)]
            if absent or broken:
                message = kind.missing(absent[0]) if absent else _("所依赖的“%(key)s”在本文件第%(row)s行，该行有错误") % {
                    "key": broken[0], "row": in_file[broken[0]]}
                errors.append(RowError(row.number, row.need_column or kind.labels[key_field], message))
                bad_rows.add(row.number)
                changed = True
    errors.sort(key=lambda e: e.row)
    good = sorted((r for r in checked if r.number not in bad_rows), key=lambda r: (r.order, r.number))
    return good, errors


def _serialise() -> None:
    """One registry import at a time, so two uploads of one file cannot both find a row new.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the project's IMMEDIATE transactions
    already take the database's one write lock when the transaction begins.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('jiceng.registry.import'))")


def run(kind: RegistryKind, rows: list[tuple[int, dict[str, str]]], *, dry_run: bool = False, valid_only: bool = False) -> ImportSummary:
    """Check every row, then write all (or, chosen explicitly, only the valid ones) in one transaction."""
    require(kind.user, Capability.IMPORT_REGISTRY)
    summary = ImportSummary(kind=kind.key, label=str(kind.label), rows=len(rows), dry_run=dry_run, valid_only=valid_only)
    with transaction.atomic():
        if not dry_run:
            _serialise()
        kind.load()
        good, errors = _check_all(kind, rows)
        if errors and not valid_only:
            raise ImportRejected(errors)
        summary.errors = errors
        if errors:
            summary.error_file = rejects_workbook(kind, rows, errors)
        sid = transaction.savepoint()
        for row in good:
            outcome = kind.write(row)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.new_users = list(getattr(kind, "new_usernames", []))
        if dry_run:
            transaction.savepoint_rollback(sid)  # the dry run writes too, so later rows see earlier ones, then undoes it
        else:
            transaction.savepoint_commit(sid)
    return summary


# --- the files people download ------------------------------------------------------------

def _workbook_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_workbook(label: str, header: list[str], examples: Iterable[list[str]], notes: Iterable[str], required: Iterable[str] = ()) -> bytes:
    """A template: the header (required columns marked in the notes), example rows, and a 说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(label)
    ws.append(header)
    for row in examples:
        ws.append([excel_value(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in ws.columns:
        for cell in col:
            cell.number_format = "@"  # codes stay text: 431102001001 must not become 4.31E+11
        ws.column_dimensions[col[0].column_letter].width = max(12, 2 * len(str(col[0].value or "")) + 4)
    ws.freeze_panes = "A2"
    info = wb.create_sheet(_("说明"))
    info.append([_("说明")])
    info["A1"].font = Font(bold=True)
    required = list(required)
    if required:
        info.append([_("必填的列：%(cols)s") % {"cols": "、".join(required)}])
    info.append([_("第一个工作表的第一行是表头，请不要改动；示例行请删除或改成您的数据。")])
    info.append([_("CSV 文件可为 UTF-8 或 GBK/GB18030 编码。同一文件重复导入不会重复创建，按代码（用户名）更新已有记录。")])
    for note in notes:
        info.append([str(note)])
    info.column_dimensions["A"].width = 100
    return _workbook_bytes(wb)


def kind_template(kind: RegistryKind) -> bytes:
    return template_workbook(kind.label, list(kind.labels.values()), kind.examples, kind.notes,
                             [kind.labels[f] for f in kind.required])


def rejects_workbook(kind: RegistryKind, rows: list[tuple[int, dict[str, str]]], errors: list[RowError]) -> bytes:
    """The rejected rows as they were, each with its row number and reasons, ready to correct and import again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.row, []).append(f"【{e.column}】{e.message}")
    wb = Workbook()
    ws = wb.active
    ws.title = _("未导入的行")
    ws.append([_("原行号"), *kind.labels.values(), _("错误原因")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, values in rows:
        if number in reasons:
            ws.append([number, *(excel_value(values.get(f, "")) for f in kind.columns), excel_value("；".join(reasons[number]))])
    ws.freeze_panes = "A2"
    ws.column_dimensions[ws.cell(1, len(kind.columns) + 2).column_letter].width = 80
    return _workbook_bytes(wb)
