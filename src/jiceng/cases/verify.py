"""Integrity checks over the ledger: hash chains and replay = stored state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import chain, workflow
from .models import Case, CaseEvent


@dataclass
class Problem:
    number: str
    seq: int | None
    kind: str  # "chain" or "state"
    detail: str


def check_case_events(case: Case, events: list[CaseEvent]) -> list[Problem]:
    """Check one case: the chain links, each hash, the sequence, and replay."""
    problems: list[Problem] = []
    prev = chain.GENESIS
    snapshot = workflow.Snapshot()
    for expected_seq, e in enumerate(events, start=1):
        if e.seq != expected_seq:
            problems.append(Problem(case.number, e.seq, "chain", f"序号不连续：应为{expected_seq}"))
            break
        if e.prev_hash != prev:
            problems.append(Problem(case.number, e.seq, "chain", "前序哈希不匹配"))
            break
        content = chain.event_content(
            case_number=case.number, seq=e.seq, action=e.action, from_state=e.from_state, to_state=e.to_state, actor_id=e.actor_id,
            at=e.at, unit_id=e.unit_id, note=e.note, payload=e.payload,
        )
        if chain.link_hash(prev, content) != e.hash:
            problems.append(Problem(case.number, e.seq, "chain", "事件内容与哈希不符（记录被改写）"))
            break
        if (snapshot.state or "") != e.from_state:
            problems.append(Problem(case.number, e.seq, "state", f"事件起始状态“{e.from_state}”与重放状态“{snapshot.state}”不符"))
            break
        snapshot = workflow.apply(snapshot, e.action, e.to_state, e.payload, e.note)
        prev = e.hash
    else:
        if case.last_hash != prev:
            problems.append(Problem(case.number, None, "chain", "工单记录的末尾哈希与事件链不符（事件被删除或追加）"))
        if snapshot != case.snapshot():
            diff = [f for f in workflow.SNAPSHOT_FIELDS if getattr(snapshot, f) != getattr(case.snapshot(), f)]
            problems.append(Problem(case.number, None, "state", "重放结果与存储状态不一致：" + "、".join(diff)))
    return problems


def iter_problems(cases=None, batch: int = 2000) -> Iterator[Problem]:
    """Verify every case (or a queryset of them), streaming in id order."""
    qs = (cases if cases is not None else Case.objects.all()).order_by("pk")
    last_pk = 0
    while True:
        page = list(qs.filter(pk__gt=last_pk)[:batch])
        if not page:
            return
        by_case: dict[int, list[CaseEvent]] = {c.pk: [] for c in page}
        for e in CaseEvent.objects.filter(case_id__in=by_case).order_by("case_id", "seq"):
            by_case[e.case_id].append(e)
        for c in page:
            yield from check_case_events(c, by_case[c.pk])
        last_pk = page[-1].pk
