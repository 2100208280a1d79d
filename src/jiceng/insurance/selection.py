"""Choosing the policy of a bill by its date and the person's region.

Pure Python: the callers hand in the candidate policies (shipped files and
the policies an office added, see :func:`jiceng.insurance.services.policy_catalog`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .policy import Policy

SHIPPED = "shipped"
OFFICE = "office"

#: How an official adds a policy; quoted when no policy covers a date.
HOW_TO_ADD = "请管理员在“管理后台 › 医疗保障政策”上传当地政策文件（TOML），或运行 jiceng insurance policy add 文件.toml"


@dataclass(frozen=True)
class PolicyEntry:
    """A policy that can be chosen: where it comes from and, for an office's, which version."""

    id: str
    policy: Policy
    origin: str = SHIPPED
    version: int = 1
    uploaded_by: str = ""
    uploaded_at: dt.datetime | None = None
    superseded: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        """``"湖南省永州市…（2026 年度，示例）· 2026 年度"`` without repeating the years."""
        name, years = self.policy.name, self.policy.years
        text = name if years.split(" ")[0] in name else f"{name}（{years}）"
        return text if self.origin == SHIPPED else f"{text}（第 {self.version} 版）"

    @property
    def region_code(self) -> str:
        """The region as the 6-digit code documents use (12 digits below county level)."""
        prefix = self.policy.region_prefix
        return prefix.ljust(6, "0") if len(prefix) <= 6 else self.policy.region

    @property
    def coverage(self) -> str:
        """``"431100 · 2026-01-01 至 2026-12-31"``: the region and the period."""
        return f"{self.region_code} · {self.policy.period}"


class NoPolicy(ValueError):
    """No policy covers a date (and region); the message lists what is covered and how to add one."""


def choose_policy(entries: Sequence[PolicyEntry], day: dt.date, area: str | None) -> PolicyEntry:
    """The policy for a bill of ``day`` for a person living in ``area`` (a 12-digit code, or None).

    Among the active policies whose period covers ``day`` and whose region
    contains ``area``: the smallest region wins (a county's own policy over its
    city's), then an office's policy over a shipped example, then the latest
    version. Without an area the region must be unambiguous. Raises
    :class:`NoPolicy` with a Chinese message.
    """
    active = [e for e in entries if not e.superseded]
    found = [e for e in active if e.policy.applies_to(day, area)]
    if not found:
        raise NoPolicy(no_policy_message(active, day, area))
    if area is None and len({e.policy.region for e in found}) > 1:
        regions = "、".join(sorted({e.region_code for e in found}))
        raise NoPolicy(f"{day.isoformat()} 有多个地区的政策（{regions}），请填写村（社区）代码以确定适用哪一个")
    found.sort(key=lambda e: (len(e.policy.region_prefix), e.origin == OFFICE, e.version, e.policy.effective_from),
               reverse=True)
    return found[0]


def no_policy_message(entries: Sequence[PolicyEntry], day: dt.date, area: str | None) -> str:
    """"没有适用于 2027-03-01 的医疗保障政策。已有：…。" with how to add one."""
    where = f"（村（社区）代码 {area}）" if area else ""
    covered = "；".join(f"{e.label}：{e.coverage}" for e in sorted(entries, key=lambda e: (e.policy.region, e.policy.effective_from)))
    have = f"已有的政策：{covered}。" if covered else "系统中还没有任何政策。"
    return f"没有适用于 {day.isoformat()}{where} 的医疗保障政策。{have}{HOW_TO_ADD}。"
