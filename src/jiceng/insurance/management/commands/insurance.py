"""``jiceng insurance …``: the medical protection engine on the command line.

Subcommands: ``calc`` (bills → results with steps, optionally opening risk
cases), ``batch`` (vectorised year batch with totals), ``subsidy`` (enrollment
subsidy by person and area), ``roster-check`` (应保尽保: who is not enrolled).

Exit codes: 0 everything done; 1 nothing done (bad policy, unreadable file,
missing column); 2 wrong arguments; 3 done, but some bills or rows were
rejected — they are listed on stderr and in the output, the rest is computed.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from jiceng.areas.models import Area
from jiceng.accounts.models import User
from jiceng.errors import DomainError
from jiceng.insurance import registry, services
from jiceng.insurance.batch import calculate_batch
from jiceng.insurance.bills import OPTIONAL_FIELDS, REQUIRED_FIELDS, parse_bills
from jiceng.insurance.calc import run_calc
from jiceng.insurance.messages import bill_messages
from jiceng.insurance.selection import PolicyEntry
from jiceng.insurance.categories import CATEGORY_NAMES
from jiceng.insurance.money import from_cents, parse_amount
from jiceng.insurance.policy import Policy, PolicyError, load_policy, shipped_policies
from jiceng.insurance.subsidy import subsidy_totals
from jiceng.insurance.subsidy_rows import subsidy_rows
from jiceng.insurance.tables import (
    INSURED_SHEET,
    VULNERABLE_SHEET,
    TableError,
    cell_problems,
    read_people,
    read_table,
    roster_check_tables,
    roster_workbook,
    rows_workbook,
)

PARTIAL = 3
AMOUNT_COLUMNS = ("total", "basic", "critical", "assistance", "special_aid", "self_pay")


class Command(BaseCommand):
    help = "Medical protection (三重保障): calc, batch, subsidy, roster-check. See docs/medical-protection.md."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{calc,batch,subsidy,roster-check,policy}")

        calc = sub.add_parser("calc", help="compute bills (JSON array) with every step")
        calc.add_argument("--policy", help="policy TOML file or policy id; default: each bill's policy by its date and area")
        calc.add_argument("--bills", required=True, help="JSON array of bills")
        calc.add_argument("--out", help="write the JSON results here (default: standard output)")
        calc.add_argument("--open-risk-cases", action="store_true",
                          help="open a 因病返贫风险 case for each person-year above the risk threshold")
        calc.add_argument("--risk-threshold", help="yearly self-pay threshold in yuan (default: the policy's [risk])")
        calc.add_argument("--risk-income-share", help="share of household income, e.g. 0.5 (default: the policy's [risk])")

        batch = sub.add_parser("batch", help="vectorised year batch of a county's bills (CSV or JSON) with totals")
        batch.add_argument("--policy", required=True)
        batch.add_argument("--bills", required=True, help=".json (array) or .csv with the bill columns")
        batch.add_argument("--out", help=".json or .csv for the per-bill results (default: JSON on standard output)")

        subsidy = sub.add_parser("subsidy", help="enrollment subsidy per person by category, totals by area")
        subsidy.add_argument("--policy", required=True)
        subsidy.add_argument("--people", help=".xlsx or .csv with 村（社区）代码 and 人员类别 columns (optional with --registry)")
        _registry_arguments(subsidy)
        subsidy.add_argument("--out", help=".xlsx, .csv or .json for the per-person subsidy")

        roster = sub.add_parser("roster-check", help="应保尽保: vulnerable people not on the insured roster")
        roster.add_argument("--roster", required=True, help="insured roster, .xlsx or .csv with a 身份证号码 column")
        roster.add_argument("--vulnerable",
                            help="vulnerable people, .xlsx or .csv: 身份证号码, 姓名, 人员类别, 村（社区）代码 (optional with --registry)")
        _registry_arguments(roster)
        roster.add_argument("--out", help="write the result workbook (.xlsx) here")

        policy = sub.add_parser("policy", help="the policies: list them, add an office's file, show one")
        actions = policy.add_subparsers(dest="policy_action", required=True, metavar="{list,add,show}")
        listing = actions.add_parser("list", help="every usable policy with its region and period")
        listing.add_argument("--all", action="store_true", help="include superseded versions")
        add = actions.add_parser("add", help="validate a policy file and store it as a new version")
        add.add_argument("file", help="policy TOML file")
        add.add_argument("--supersede", action="store_true",
                         help="replace the active policy of the same region and period (it stays readable)")
        add.add_argument("--note", default="", help="why this version (e.g. the document number)")
        show = actions.add_parser("show", help="print a policy's file")
        show.add_argument("id", help="policy id, e.g. example-hunan-2026 or office-3")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {"calc": self.calc, "batch": self.batch, "subsidy": self.subsidy, "roster-check": self.roster_check,
                   "policy": self.policy}
        handler[options["subcommand"]](options)

    # ------------------------------------------------------------------ calc

    def calc(self, options: dict[str, Any]) -> None:
        policy = _policy(options["policy"]) if options["policy"] else _catalog()
        raw = _read_json(options["bills"])
        try:
            run = run_calc(policy, raw)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        _write_text(options["out"], json.dumps(run.entries, ensure_ascii=False, indent=2) + "\n", self.stdout)
        info = self.stdout if options["out"] else self.stderr
        for used in run.used:
            info.write(f"适用政策：{services.used_policy(used)['label']}")
        for message in run.messages():
            self.stderr.write(f"未计算：{message.text}")
        if options["open_risk_cases"]:
            self._risk_cases(run, options, info)
        computed = len(run.results)
        if options["out"]:
            info.write(f"已计算 {computed} 张账单，结果写入 {options['out']}")
        if run.errors:
            raise CommandError(f"{len(run.errors)} 张账单有误未计算，其余 {computed} 张已计算", returncode=PARTIAL)

    def _risk_cases(self, run: Any, options: dict[str, Any], info: Any) -> None:
        threshold = _optional_amount(options["risk_threshold"], "--risk-threshold")
        share = _optional_share(options["risk_income_share"])
        try:
            findings = run.risks(threshold, share)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if run.rejected_people:
            info.write(f"{len(run.rejected_people)} 名参保人有账单未通过校验，本次不判断其因病返贫风险")
        try:
            outcomes = services.do_open_risk_cases(findings, triggered_by=None, via="jiceng insurance calc")
        except services.InvalidInput as exc:
            raise CommandError(exc.message) from None
        for outcome in outcomes:
            info.write(outcome.message())
        if not findings:
            info.write("没有参保人的年度自付超过因病返贫风险标准")

    # ------------------------------------------------------------------ batch

    def batch(self, options: dict[str, Any]) -> None:
        policy = _policy(options["policy"])
        path = options["bills"]
        is_csv = path.lower().endswith(".csv")
        raw, row_numbers = _read_csv_bills(path) if is_csv else (_read_json(path), None)
        if not isinstance(raw, list):
            raise CommandError("账单文件必须是 JSON 数组")
        bills, errors = parse_bills(raw, policy)
        try:
            result = calculate_batch(policy, bills)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        rows = []
        for i, bill in enumerate(bills):
            amounts = result.row(i)
            rows.append({"id": bill.id, "person": bill.person, "area": bill.area or "", "total": f"{bill.total:.2f}",
                         **{k: f"{amounts[k]:.2f}" for k in AMOUNT_COLUMNS[1:]},
                         "reimbursed_ratio": f"{amounts['reimbursed_ratio']:.4f}"})
        totals = {k: f"{v:.2f}" for k, v in result.totals().items()}
        by_area = _totals_by_area(bills, result)
        out = options["out"]
        if out and out.lower().endswith(".csv"):
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=["id", "person", "area", *AMOUNT_COLUMNS, "reimbursed_ratio"])
            writer.writeheader()
            writer.writerows(rows)
            _write_text(out, buffer.getvalue(), self.stdout)
        else:
            document = {"policy": policy.name, "bills": rows, "totals": totals, "by_area": by_area,
                        "errors": [{"index": e["index"], "id": e["id"], "error": e["reason"]} for e in errors]}
            _write_text(out, json.dumps(document, ensure_ascii=False, indent=2) + "\n", self.stdout)
        info = self.stdout if out else self.stderr
        numbered = errors if row_numbers is None else [{**e, "row": row_numbers[e["index"]]} for e in errors]
        for message in bill_messages(numbered):
            self.stderr.write(f"未计算：{message.text}")
        info.write(f"共计算 {len(bills)} 张账单：总费用 {totals['total']} 元，基本医保 {totals['basic']} 元，"
                   f"大病保险 {totals['critical']} 元，医疗救助 {totals['assistance']} 元，"
                   f"特殊群体救助 {totals['special_aid']} 元，个人自付 {totals['self_pay']} 元")
        for area in by_area:
            info.write(f"  {area['area'] or '（未注明村）'}：{area['bills']} 张，总费用 {area['total']} 元，个人自付 {area['self_pay']} 元")
        if errors:
            raise CommandError(f"{len(errors)} 张账单有误未计算，其余 {len(bills)} 张已计算", returncode=PARTIAL)

    # ------------------------------------------------------------------ subsidy

    def subsidy(self, options: dict[str, Any]) -> None:
        policy = _policy(options["policy"])
        table = _table(options["people"], "参保人员") if options["people"] else None
        if table is None and not options["registry"]:
            raise CommandError("请用 --people 指定人员表，或用 --registry --as 用户名 读取人员登记库")
        try:
            numbered = read_people(table)[0] if table is not None else None
        except TableError as exc:
            raise CommandError(str(exc)) from None
        if options["registry"]:
            user, day = _registry_reader(options)
            numbered = registry.subsidy_people(user, day, numbered)
        good, problems = subsidy_rows(policy, numbered)
        totals = subsidy_totals(policy, [(r["village_code"], r["category"]) for r in good])
        out = options["out"]
        if out:
            header = ["row", "village_code", "category", "subsidy", "id_number", "name"]
            values = [[r["row"], r["village_code"], r["category"], f"{r['subsidy']:.2f}", r.get("id_number", ""), r.get("name", "")]
                      for r in good]
            if out.lower().endswith(".xlsx"):
                Path(out).write_bytes(rows_workbook("参保资助", ["行号", "村（社区）代码", "人员类别", "资助金额（元）", "身份证号码", "姓名"], values))
            elif out.lower().endswith(".csv"):
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                writer.writerow(header)
                writer.writerows(values)
                _write_text(out, buffer.getvalue(), self.stdout)
            else:
                _write_text(out, json.dumps([dict(zip(header, v, strict=True)) for v in values], ensure_ascii=False, indent=2) + "\n",
                            self.stdout)
        grand = sum((t["amount"] for t in totals.values()), Decimal("0.00"))
        self.stdout.write(f"保费 {policy.subsidy.premium} 元/人；共 {len(good)} 人，资助合计 {grand:.2f} 元")
        for area, t in totals.items():
            cats = "，".join(f"{CATEGORY_NAMES[c]} {v['people']} 人 {v['amount']:.2f} 元" for c, v in t["by_category"].items())
            self.stdout.write(f"  {area}：{t['people']} 人，受资助 {t['subsidised']} 人，{t['amount']:.2f} 元（{cats}）")
        if table is not None:
            self._problems(cell_problems(table, problems))
        if problems:
            raise CommandError(f"{len({p.row for p in problems})} 行有误未计入", returncode=PARTIAL)

    # ------------------------------------------------------------------ roster-check

    def roster_check(self, options: dict[str, Any]) -> None:
        insured = _table(options["roster"], INSURED_SHEET)
        vulnerable = _table(options["vulnerable"], VULNERABLE_SHEET) if options["vulnerable"] else None
        if vulnerable is None and not options["registry"]:
            raise CommandError("请用 --vulnerable 指定困难群体名单，或用 --registry --as 用户名 读取人员登记库")
        try:
            if options["registry"]:
                user, day = _registry_reader(options)
                report = registry.roster_report(user, day, insured, vulnerable)
                # The operator holds the files, not the registry: its people are shown as the user may see them.
                report.missing = registry.shown_missing(user, report.missing, lambda code: True)
            else:
                report = roster_check_tables(insured, vulnerable)
        except TableError as exc:
            raise CommandError(str(exc)) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        names = _village_names(list(report.missing))
        if options["out"]:
            # The operator of the command line already holds both files, so listed rows are not masked.
            Path(options["out"]).write_bytes(roster_workbook(report, names))
        self.stdout.write(f"参保名册 {report.insured_count} 人；困难群体名单核对 {report.checked_count} 人，"
                          f"未参保 {report.missing_count} 人，涉及 {len(report.missing)} 个村（社区）")
        for village, people in report.missing.items():
            self.stdout.write(f"  {village} {names.get(village, '')}：{len(people)} 人")
            if not options["out"]:
                for p in people:
                    where = "人员登记库" if p.get("source") == registry.REGISTRY else f"第 {p['row']} 行"
                    self.stdout.write(f"    {where} {p['name']} {p['id_number']} {CATEGORY_NAMES[p['category']]}")
        if options["out"]:
            self.stdout.write(f"结果已写入 {options['out']}（工作表：未参保人员、按村汇总、问题行）")
        self._problems(report.problems)
        if report.problems:
            raise CommandError(f"{len(report.problems)} 处数据有误（见上），这些行未核对", returncode=PARTIAL)

    def _problems(self, problems: list[Any]) -> None:
        for p in problems:
            self.stderr.write(p.text)

    # ------------------------------------------------------------------ policy

    def policy(self, options: dict[str, Any]) -> None:
        action = options["policy_action"]
        if action == "add":
            path = Path(options["file"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"无法读取 {path}：{exc.strerror}") from None
            try:
                row = services.do_add_policy(data, user=None, via="jiceng insurance policy add",
                                             supersede=options["supersede"], note=options["note"])
            except services.InvalidInput as exc:
                raise CommandError(exc.message) from None
            entry = services.office_entry(row)
            self.stdout.write(f"已保存 {row.policy_id}：{entry.label}，{entry.coverage}")
            for old in row.supersedes.all():
                self.stdout.write(f"  取代 {old.policy_id}：{old}（仍可查阅：jiceng insurance policy show {old.policy_id}）")
            return
        if action == "show":
            entry_id = options["id"]
            try:
                entry = services.find_policy_entry(entry_id)
            except services.InvalidInput as exc:
                raise CommandError(exc.message) from None
            if entry.origin == "office":
                self.stdout.write(services.OfficePolicy.objects.get(pk=int(entry_id[7:])).toml, ending="")
            else:
                self.stdout.write(shipped_policies()[entry_id].read_text(encoding="utf-8"), ending="")
            return
        entries = services.policy_catalog(include_superseded=options["all"])
        for entry in entries:
            origin = "内置示例" if entry.origin == "shipped" else f"{entry.uploaded_by} 于 {entry.uploaded_at:%Y-%m-%d %H:%M} 上传"
            state = "（已被取代）" if entry.superseded else ""
            flag = "，含示例数字" if entry.policy.illustrative_keys() else ""
            self.stdout.write(f"{entry.id}\t{entry.coverage}\t{entry.label}{state}（{origin}{flag}）")


# --------------------------------------------------------------------------


def _policy(value: str) -> Policy:
    path = Path(value)
    shipped = shipped_policies()
    if not path.exists() and value in shipped:
        path = shipped[value]
    elif not path.exists() and value.startswith("office-"):
        try:
            return services.find_policy_entry(value).policy
        except services.InvalidInput as exc:
            raise CommandError(exc.message) from None
    if not path.exists():
        raise CommandError(f"找不到政策文件 {value}（内置政策：{'、'.join(shipped)}；本单位添加的政策见 jiceng insurance policy list）")
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise CommandError(f"政策文件 {value} 有误：{exc}") from None


def _catalog() -> list[Any]:
    try:
        return services.policy_catalog()
    except DatabaseError:
        # No database (an office laptop): the shipped policies still work.
        return [PolicyEntry(pid, load_policy(path)) for pid, path in shipped_policies().items()]


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except OSError as exc:
        raise CommandError(f"无法读取 {path}：{exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path} 不是有效的 JSON（UTF-8）：{exc}") from None


def _read_csv_bills(path: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The CSV's bills and each one's row number in the file (the header is row 1)."""
    table = _table(path, "账单")
    header = [h for h in table.header]
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if missing:
        raise CommandError(f"{path}：表头缺少列 {', '.join(missing)}")
    known = set(REQUIRED_FIELDS) | set(OPTIONAL_FIELDS) | {"groups"}
    out = []
    numbers = []
    for number, values in table.rows:
        row = {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h in known}
        groups = str(row.get("groups") or "").replace("|", ";").replace("，", ";").replace(",", ";")
        row["groups"] = [g for g in (x.strip() for x in groups.split(";")) if g]
        out.append(row)
        numbers.append(number)
    return out, numbers


def _registry_arguments(parser: Any) -> None:
    parser.add_argument("--registry", action="store_true",
                        help="read the registry's people and tags (特困, 低保, 监测对象) in the user's scope too")
    parser.add_argument("--as", dest="username", default="", help="the user whose scope and need apply (with --registry)")
    parser.add_argument("--on", default="", help="the day the tags are read on, YYYY-MM-DD (default: today)")


def _registry_reader(options: dict[str, Any]) -> tuple[Any, Any]:
    """The user (``--as``, required: the registry is read in someone's scope) and the day of ``--on``."""
    if not options["username"]:
        raise CommandError("读取人员登记库时请用 --as 用户名 指明以谁的权限读取")
    user = User.objects.filter(username=options["username"], is_active=True).first()
    if user is None:
        raise CommandError(f"没有启用的用户“{options['username']}”")
    try:
        services.require_staff(user)
        return user, registry.check_day(options["on"])
    except DomainError as exc:
        raise CommandError(exc.message) from None


def _table(path: str, label: str) -> Any:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取 {path}：{exc.strerror}") from None
    try:
        return read_table(data, path, label)
    except TableError as exc:
        raise CommandError(str(exc)) from None


def _write_text(path: str | None, text: str, stdout: Any) -> None:
    if path:
        Path(path).write_text(text, encoding="utf-8")
    else:
        stdout.write(text, ending="")


def _optional_amount(value: str | None, flag: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise CommandError(f"{flag}：{exc}") from None


def _optional_share(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        share = Decimal(value)
    except ArithmeticError:
        share = Decimal("NaN")
    if not share.is_finite() or share < 0 or share > 1:
        raise CommandError("--risk-income-share：应为 0 到 1 之间的小数，如 0.5")
    return share


def _totals_by_area(bills: list[Any], result: Any) -> list[dict[str, Any]]:
    """Sums per village code in exact int64 cents (bills without a code under "")."""
    if not bills:
        return []
    areas = np.array([b.area or "" for b in bills], dtype=str)
    codes, inverse = np.unique(areas, return_inverse=True)
    out = []
    sums = {}
    for name in AMOUNT_COLUMNS:
        acc = np.zeros(len(codes), np.int64)
        np.add.at(acc, inverse, getattr(result, name))
        sums[name] = acc
    counts = np.bincount(inverse, minlength=len(codes))
    for i, code in enumerate(codes):
        out.append({"area": str(code), "bills": int(counts[i]), **{k: f"{from_cents(int(sums[k][i])):.2f}" for k in AMOUNT_COLUMNS}})
    return out


def _village_names(codes: list[str]) -> dict[str, str]:
    try:
        return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    except DatabaseError:
        # The check works without a database (e.g. on an office laptop); names are a courtesy.
        return {}
