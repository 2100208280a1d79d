"""One calculation run over a JSON list of bills, shared by the CLI, web and API.

Pure Python: bad bills are reported by id and left out, the good ones are
computed with the year accumulation of :func:`~.engine.calculate_year`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bills import Bill, parse_bills
from .engine import BillResult, calculate_year, result_to_json
from .policy import Policy
from .risk import RiskFinding, find_risks


@dataclass
class CalcRun:
    """Bills, their results (same order) and the rejected bills.

    ``entries`` has one item per input bill, in input order: the JSON result
    of a computed bill, or ``{"index", "id", "error"}`` for a rejected one.
    """

    bills: list[Bill]
    results: list[BillResult]
    errors: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    rejected_people: set[str]

    def risks(self, threshold: Any = None, income_share: Any = None) -> list[RiskFinding]:
        """Person-years above a risk threshold; people with a rejected bill are left out
        (their year is incomplete)."""
        return find_risks(self.bills, self.results, threshold=threshold, income_share=income_share,
                          skip_people=self.rejected_people)


def run_calc(policy: Policy, raw_bills: list[Any], *, explain: bool = True) -> CalcRun:
    """Parse and compute ``raw_bills`` (a JSON list) under ``policy``."""
    if not isinstance(raw_bills, list):
        raise ValueError("账单文件必须是 JSON 数组")
    bills, errors = parse_bills(raw_bills, policy)
    results = calculate_year(policy, bills, explain=explain)
    by_id = {r.id: result_to_json(r) for r in results}
    bad = {e["index"]: e for e in errors}
    entries: list[dict[str, Any]] = []
    rejected_people: set[str] = set()
    good = iter(bills)
    for index, raw in enumerate(raw_bills):
        if index in bad:
            entries.append({"index": index, "id": bad[index]["id"], "error": bad[index]["reason"]})
            person = raw.get("person") if isinstance(raw, dict) else None
            if person is not None and str(person).strip():
                rejected_people.add(str(person).strip())
        else:
            entries.append(by_id[next(good).id])
    return CalcRun(bills, results, errors, entries, rejected_people)


def risk_settings(policy: Policy, threshold: Any = None, income_share: Any = None) -> tuple[Any, Any]:
    """The risk thresholds to use: the ones given, else the policy's ``[risk]`` section.

    Raises ``ValueError`` when neither is available.
    """
    if threshold is None and income_share is None and policy.risk is not None:
        threshold, income_share = policy.risk.self_pay_threshold, policy.risk.income_share
    if threshold is None and income_share is None:
        raise ValueError("没有因病返贫风险标准：政策文件没有 [risk] 一节，也没有另行指定")
    return threshold, income_share
