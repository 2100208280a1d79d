"""One calculation run over a JSON list of bills, shared by the CLI, web and API.

Pure Python: bad bills are reported by id and left out, the good ones are
computed with the year accumulation of :func:`~.engine.calculate_year`. The
policy is either given, or chosen for each bill by its date and the person's
village code among candidate policies (:func:`~.selection.choose_policy`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .bills import Bill, parse_bills
from .engine import BillResult, calculate_year, result_to_json
from .messages import Message, bill_messages
from .policy import Policy
from .risk import RiskFinding, find_risks
from .selection import NoPolicy, PolicyEntry, choose_policy


@dataclass
class CalcRun:
    """Bills, their results (same order) and the rejected bills.

    ``entries`` has one item per input bill, in input order: the JSON result
    of a computed bill, or ``{"index", "id", "error"}`` for a rejected one.
    ``policies[i]`` is the policy ``bills[i]`` was computed under.
    """

    bills: list[Bill]
    results: list[BillResult]
    errors: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    rejected_people: set[str]
    policies: list[Policy] = field(default_factory=list)
    used: list[PolicyEntry | Policy] = field(default_factory=list)

    def messages(self, *, rows: Sequence[int] | None = None, show_bills: bool = True) -> list[Message]:
        """The rejected bills as messages (one per problem; ``rows[index]`` renumbers)."""
        errors = self.errors if rows is None else [{**e, "row": rows[e["index"]]} for e in self.errors]
        return bill_messages(errors, show_bills=show_bills)

    def risks(self, threshold: Any = None, income_share: Any = None) -> list[RiskFinding]:
        """Person-years above a risk threshold; people with a rejected bill are left out
        (their year is incomplete). Without thresholds, each year uses its own policy's
        ``[risk]``; each finding names the policy it was judged under."""
        skip = self.rejected_people
        if threshold is not None or income_share is not None:
            groups = {id(p): (p, (threshold, income_share)) for p in self.policies}
        else:
            groups = {id(p): (p, risk_settings(p)) for p in self.policies}
        findings: list[RiskFinding] = []
        for key, (policy, (limit, share)) in groups.items():
            picked = [i for i, p in enumerate(self.policies) if id(p) == key]
            found = find_risks([self.bills[i] for i in picked], [self.results[i] for i in picked],
                               threshold=limit, income_share=share, skip_people=skip)
            findings.extend(dataclasses.replace(f, policy_name=policy.name) for f in found)
        findings.sort(key=lambda f: (f.year, f.person))
        return findings


def run_calc(policy: Policy | Sequence[PolicyEntry], raw_bills: list[Any], *, explain: bool = True) -> CalcRun:
    """Parse and compute ``raw_bills`` (a JSON list).

    ``policy`` is one policy for every bill (a bill outside its period is
    rejected), or the candidate policies from which each bill's is chosen by
    its date and ``area`` (a bill no policy covers is rejected, saying which
    years are covered and how to add a policy).
    """
    if not isinstance(raw_bills, list):
        raise ValueError("账单文件必须是 JSON 数组")
    fixed = policy if isinstance(policy, Policy) else None
    bills, errors = parse_bills(raw_bills, fixed)
    chosen: list[Policy] = []
    used: dict[int, PolicyEntry | Policy] = {}
    if fixed is not None:
        chosen = [fixed] * len(bills)
        used[id(fixed)] = fixed
    else:
        kept: list[Bill] = []
        index_of = _indexes(raw_bills, errors)
        for bill, index in zip(bills, index_of, strict=True):
            try:
                entry = choose_policy(policy, bill.date, bill.area)  # type: ignore[arg-type]
            except NoPolicy as exc:
                errors.append({"index": index, "id": bill.id, "person": bill.person, "problems": [("date", str(exc))],
                               "reason": f"就诊日期：{exc}"})
                continue
            kept.append(bill)
            chosen.append(entry.policy)
            used.setdefault(id(entry.policy), entry)
        bills = kept
        _check_rejected_dates(policy, raw_bills, errors)  # type: ignore[arg-type]
        errors.sort(key=lambda e: e["index"])
    results = _calculate(bills, chosen, explain)
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
    return CalcRun(bills, results, errors, entries, rejected_people, chosen, list(used.values()))


def _check_rejected_dates(entries: Sequence[PolicyEntry], raw_bills: list[Any], errors: list[dict[str, Any]]) -> None:
    """A rejected bill whose date no policy covers says so too, so every problem is told at once."""
    from .bills import _OPTIONAL_READERS, _READERS

    for error in errors:
        raw = raw_bills[error["index"]]
        fields = {f for f, _reason in error["problems"]}
        if not isinstance(raw, dict) or "date" in fields:
            continue
        try:
            day = _READERS["date"](raw.get("date"))
            area = _OPTIONAL_READERS["area"](raw["area"]) if raw.get("area") not in (None, "") else None
            choose_policy(entries, day, area)
        except NoPolicy as exc:
            error["problems"].append(("date", str(exc)))
            error["reason"] += f"；就诊日期：{exc}"
        except ValueError:
            continue  # the date or area is itself wrong, and already reported


def _indexes(raw_bills: list[Any], errors: list[dict[str, Any]]) -> list[int]:
    """Input positions of the bills parse_bills accepted (in order)."""
    bad = {e["index"] for e in errors}
    return [i for i in range(len(raw_bills)) if i not in bad]


def _calculate(bills: list[Bill], chosen: list[Policy], explain: bool) -> list[BillResult]:
    """Year accumulation per policy, results back in input order."""
    out: list[BillResult | None] = [None] * len(bills)
    for policy in {id(p): p for p in chosen}.values():
        picked = [i for i, p in enumerate(chosen) if p is policy]
        for i, result in zip(picked, calculate_year(policy, [bills[i] for i in picked], explain=explain), strict=True):
            out[i] = result
    return [r for r in out if r is not None]


def risk_settings(policy: Policy, threshold: Any = None, income_share: Any = None) -> tuple[Any, Any]:
    """The risk thresholds to use: the ones given, else the policy's ``[risk]`` section.

    Raises ``ValueError`` when neither is available.
    """
    if threshold is None and income_share is None and policy.risk is not None:
        threshold, income_share = policy.risk.self_pay_threshold, policy.risk.income_share
    if threshold is None and income_share is None:
        raise ValueError(f"没有因病返贫风险标准：政策“{policy.name}”没有 [risk] 一节，也没有另行指定")
    return threshold, income_share
