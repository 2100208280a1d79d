"""Integrity checks over the ledger: everything a reader sees of a case is what its chain says.

For every case ``jiceng verify`` checks

* the hash chain: sequence, links, and each event's hash over all its columns
  (the actor's label included since chain version 2);
* the case's content columns against the digest in the submit event;
* the event-determined columns (state … suspended_at, fields) by replaying the events;
* attachments: each row against the entry its event recorded, and the bytes on
  disk against their SHA-256;
* a sensor case's alert count against its ``alert_repeat`` events;
* and, in :mod:`jiceng.cases.anchor`, every chain head against the last signed anchor.

Each problem names the case, the event where it applies, and the table column
(``case.title``, ``event.actor_label``, ``attachment.sha256``, ``file``, …)
that no longer matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps

from jiceng import filestore

from . import chain, workflow
from .models import Attachment, Case, CaseEvent
from .states import Action

# The Snapshot's names for columns whose database attribute differs.
_SNAPSHOT_COLUMN = {"unit_id": "unit_id", "owner_id": "owner_id"}
# An event's "case" is its case's number: a changed mark means the event was moved
# to another case (event.case_id) or the case renumbered (case.number).
_MOVED = ("event.case_id", "case.number")
_ATTACHMENT_KEYS = ("name", "sha256", "size", "content_type")


@dataclass
class Problem:
    number: str
    seq: int | None
    kind: str  # chain, content, state, attachment, file, alert, anchor
    detail: str
    columns: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        seq = f" 事件#{self.seq}" if self.seq else ""
        where = f"（{'、'.join(self.columns)}）" if self.columns else ""
        return f"{self.number}{seq} [{self.kind}] {self.detail}{where}"


class AttachmentTampered(Exception):
    """The bytes on disk no longer have the SHA-256 their case's record holds."""


def read_attachment_verified(att: Attachment) -> bytes:
    """The attachment's bytes, refused if they no longer hash to the recorded SHA-256.

    Downloads use this, so a file rewritten on disk is never served as the original.
    """
    try:
        return filestore.read_verified(att.storage_name, att.sha256)
    except filestore.StoredFileTampered:
        raise AttachmentTampered(att.storage_name) from None


# --- events -----------------------------------------------------------------

def _event_values(number: str, e: CaseEvent) -> dict:
    return chain.event_values(
        case_number=number, action=e.action, from_state=e.from_state, to_state=e.to_state, actor_id=e.actor_id,
        actor_label=e.actor_label, at=e.at, unit_id=e.unit_id, note=e.note, payload=e.payload,
    )


def _content(number: str, e: CaseEvent, version: int) -> str:
    return chain.event_content(
        case_number=number, seq=e.seq, action=e.action, from_state=e.from_state, to_state=e.to_state, actor_id=e.actor_id,
        at=e.at, unit_id=e.unit_id, note=e.note, payload=e.payload, actor_label=e.actor_label, version=version,
    )


def _event_problem(case: Case, e: CaseEvent, expected_prev: str) -> Problem | None:
    """Whether event ``e`` is what its hash says, naming the column that is not."""
    v2 = bool(e.marks)
    version = chain.VERSION if v2 else 1
    sealed = chain.link_hash(e.prev_hash, _content(case.number, e, version)) == e.hash
    if sealed and e.prev_hash == expected_prev:
        # The fingerprints are only a diagnosis: recomputed when something is wrong, not on
        # every event (that would cost verify 40% of its time for nothing a reader sees).
        return None
    values = _event_values(case.number, e)
    columns: list[str] = []
    if v2:
        differing = chain.differing_columns(e.marks, values, chain.EVENT_COLUMNS)
        columns = [f"event.{c}" for c in differing if c != "case"] + (list(_MOVED) if "case" in differing else [])
    elif chain.link_hash(e.prev_hash, _content(case.number, e, chain.VERSION)) == e.hash:
        columns = ["event.marks"]  # a version-2 event whose fingerprints were blanked
    if not columns:
        columns = ["event.prev_hash"] if e.prev_hash != expected_prev else ["event.hash"]
    detail = "事件内容与哈希不符（记录被改写）" if v2 or columns == ["event.marks"] else "事件内容与哈希不符（版本1记录，无法定位到列）"
    if columns == ["event.prev_hash"]:
        detail = "前序哈希不匹配"
    return Problem(case.number, e.seq, "chain", detail, tuple(columns))


# --- the case's content -------------------------------------------------------

def _content_problems(case: Case, events: list[CaseEvent]) -> list[Problem]:
    submit = events[0]
    p = submit.payload or {}
    if submit.action != Action.SUBMIT:
        return [Problem(case.number, 1, "chain", "第一个事件不是提交", ("event.action",))]
    if p.get("content_version") == 2:
        values = chain.content_values(case)
        if chain.content_digest_v2(values) == p.get("content"):
            return []
        columns = chain.differing_columns(str(p.get("content_marks", "")), values, chain.CONTENT_COLUMNS)
        return [Problem(case.number, None, "content", "工单内容与提交时的摘要不符", tuple(f"case.{c}" for c in columns) or ("case",))]
    return _legacy_content_problems(case, events)


def _legacy_content_problems(case: Case, events: list[CaseEvent]) -> list[Problem]:
    """Version-1 cases: the eleven-column digest, and what the events say of the rest."""
    submit = events[0]
    out: list[Problem] = []
    resolved: dict = {}
    for e in events:
        if e.action == Action.RESOLVE and (e.payload or {}).get("fields"):
            resolved.update(e.payload["fields"])
    fields = case.fields or {}
    changed = [k for k, v in resolved.items() if fields.get(k) != v]
    submitted = {k: v for k, v in fields.items() if k not in resolved}
    if changed or chain.legacy_content_digest(case, submitted) != submit.payload.get("content"):
        out.append(Problem(case.number, None, "content", "工单内容与提交时的摘要不符（版本1摘要，无法定位到列：标题、描述、地址、类别、区域、渠道、字段、匿名、报告人）", ("case",)))
    checks = {
        "created_at": case.created_at == submit.at,
        "created_by_id": case.created_by_id == submit.actor_id,
        "urgency": case.urgency == submit.payload.get("urgency", case.urgency),
        "reporter_id": case.reporter_id in (None, case.created_by_id),
    }
    bad = [f"case.{c}" for c, ok in checks.items() if not ok]
    if bad:
        out.append(Problem(case.number, None, "content", "工单内容与提交事件不符", tuple(bad)))
    return out


# --- attachments and files ------------------------------------------------------

def _entry_of(row: Attachment) -> dict:
    return {"name": row.name, "sha256": row.sha256, "size": row.size, "content_type": row.content_type}


def _differences(row: dict, entry: dict) -> list[str]:
    return [k for k in _ATTACHMENT_KEYS if k in entry and entry[k] != row[k]]


def _attachment_problems(case: Case, events: list[CaseEvent], rows: list[Attachment], file_cache: dict[str, bool] | None) -> list[Problem]:
    out: list[Problem] = []
    by_id = {e.pk: e for e in events}
    unclaimed = {e.pk: list((e.payload or {}).get("attachments") or []) for e in events}
    for row in rows:
        r = _entry_of(row)
        event = by_id.get(row.event_id)
        if event is None:
            owner = CaseEvent.objects.filter(pk=row.event_id).values_list("case_id", flat=True).first()
            column = "attachment.case_id" if owner is not None and owner != case.pk else "attachment.event_id"
            out.append(Problem(case.number, None, "attachment", f"附件“{row.name}”的记录不属于本工单的事件", (column,)))
            continue
        entries = unclaimed[event.pk]
        exact = next((x for x in entries if not _differences(r, x)), None)
        if exact is not None:
            entries.remove(exact)
            if row.uploaded_at != event.at:
                out.append(Problem(case.number, event.seq, "attachment", f"附件“{row.name}”的上传时间与事件时间不符", ("attachment.uploaded_at",)))
            continue
        elsewhere = any(not _differences(r, x) for pk, xs in unclaimed.items() if pk != event.pk for x in xs)
        if elsewhere or not entries:
            out.append(Problem(case.number, event.seq, "attachment", f"附件“{row.name}”不是该事件记录的附件", ("attachment.event_id",)))
            continue
        best = min(entries, key=lambda x: len(_differences(r, x)))
        entries.remove(best)
        cols = tuple(f"attachment.{k}" for k in _differences(r, best))
        out.append(Problem(case.number, event.seq, "attachment", f"附件记录与事件记录的附件“{best.get('name')}”不符", cols))
    for e in events:
        for x in unclaimed[e.pk]:
            out.append(Problem(case.number, e.seq, "attachment", f"事件记录的附件“{x.get('name')}”没有附件记录", ("attachment",)))
    if file_cache is not None:
        for e in events:
            for x in (e.payload or {}).get("attachments") or []:
                sha = str(x.get("sha256", ""))
                if sha not in file_cache:
                    file_cache[sha] = _file_matches(sha)
                if not file_cache[sha]:
                    out.append(Problem(case.number, e.seq, "file", f"附件“{x.get('name')}”的文件缺失或内容已被改动：{sha[:2]}/{sha}", ("file",)))
    return out


def _file_matches(sha: str) -> bool:
    path = filestore.path_of(filestore.storage_name(sha))
    try:
        h = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return False
    return h.hexdigest() == sha


# --- alert series ---------------------------------------------------------------

_ALERT_COLUMNS = ("device_id", "alert_type", "count", "first_seen", "last_seen")


def _alert_problems(case: Case, events: list[CaseEvent], series) -> list[Problem]:
    """A sensor case's shown count and times are those its last ``alert_repeat`` event recorded."""
    recorded = next((e for e in reversed(events) if e.action == Action.ALERT_REPEAT), None)
    if series is None:
        if recorded is not None:
            return [Problem(case.number, recorded.seq, "alert", "事件记录了告警计数，但告警序列缺失", ("alert.case_id",))]
        return []
    if recorded is None:
        if events and not events[0].marks:
            return []  # a series from before chain version 2: its count was never recorded; the next alert records it
        return [Problem(case.number, None, "alert", "告警序列没有事件记录（不属于本工单）", ("alert.case_id",))]
    p = recorded.payload
    shown = {"device_id": series.device_id, "alert_type": series.alert_type, "count": series.count,
             "first_seen": chain.canonical_time(series.first_seen), "last_seen": chain.canonical_time(series.last_seen)}
    bad = tuple(f"alert.{c}" for c in _ALERT_COLUMNS if shown[c] != p.get(c))
    if bad:
        return [Problem(case.number, recorded.seq, "alert", "告警计数与事件记录不符", bad)]
    return []


# --- one case ---------------------------------------------------------------------

def _anchor_problems(case: Case, events: list[CaseEvent], pinned: tuple[int, str], anchor_seq: int) -> list[Problem]:
    """The case still has, at the anchored position, the event with the anchored hash."""
    count, head = pinned
    at = next((e for e in events if e.seq == count), None)
    if len(events) < count or at is None:
        return [Problem(case.number, None, "anchor", f"事件链被截断：锚定#{anchor_seq}时有{count}个事件，现只有{len(events)}个", ("anchor",))]
    if at.hash != head:
        return [Problem(case.number, count, "anchor", f"锚定#{anchor_seq}之前的记录被改写（哈希链被重新计算）", ("anchor",))]
    return []


def check_case_events(case: Case, events: list[CaseEvent], attachments: list[Attachment] | None = None, *,
                      series=None, file_cache: dict[str, bool] | None = None, pinned: tuple[int, str] | None = None,
                      anchor_seq: int = 0) -> list[Problem]:
    """Check one case against its events (and its attachment rows, alert series and anchored head, when given)."""
    problems: list[Problem] = _anchor_problems(case, events, pinned, anchor_seq) if pinned else []
    prev = chain.GENESIS
    snapshot = workflow.Snapshot()
    seen_v2 = False
    for expected_seq, e in enumerate(events, start=1):
        if e.seq != expected_seq:
            moved = bool(e.marks) and "case" in chain.differing_columns(e.marks, _event_values(case.number, e), chain.EVENT_COLUMNS)
            problems.append(Problem(case.number, e.seq, "chain", f"序号不连续：应为{expected_seq}", _MOVED if moved else ("event.seq",)))
            break
        if seen_v2 and not e.marks:
            problems.append(Problem(case.number, e.seq, "chain", "版本2之后出现版本1事件（列指纹被清空）", ("event.marks",)))
            break
        if (p := _event_problem(case, e, prev)) is not None:
            problems.append(p)
            if p.columns != ("event.marks",):
                break
        seen_v2 = seen_v2 or bool(e.marks)
        if (snapshot.state or "") != e.from_state:
            problems.append(Problem(case.number, e.seq, "state", f"事件起始状态“{e.from_state}”与重放状态“{snapshot.state}”不符", ("event.from_state",)))
            break
        snapshot = workflow.apply(snapshot, e.action, e.to_state, e.payload, e.note)
        prev = e.hash
    else:
        problems += _head_problems(case, events, snapshot, prev)
        if events:
            problems += _content_problems(case, events)
        if attachments is not None:
            problems += _attachment_problems(case, events, attachments, file_cache)
        if events and (series is not None or any(e.action == Action.ALERT_REPEAT for e in events)):
            problems += _alert_problems(case, events, series)
    return problems


def _head_problems(case: Case, events: list[CaseEvent], snapshot: workflow.Snapshot, prev: str) -> list[Problem]:
    out: list[Problem] = []
    if case.last_hash != prev:
        out.append(Problem(case.number, None, "chain", "工单记录的末尾哈希与事件链不符（事件被删除或追加）", ("case.last_hash",)))
    if case.event_count != len(events):
        out.append(Problem(case.number, None, "chain", f"工单记录的事件数{case.event_count}与事件链的{len(events)}不符", ("case.event_count",)))
    if events and case.updated_at != events[-1].at:
        out.append(Problem(case.number, None, "state", "更新时间与最后一个事件的时间不符", ("case.updated_at",)))
    stored = case.snapshot()
    if snapshot.fields is None:  # version-1 case: its fields are checked against the v1 digest instead
        stored = stored.replace(fields=None)
    if snapshot != stored:
        diff = [f for f in workflow.SNAPSHOT_FIELDS if getattr(snapshot, f) != getattr(stored, f)]
        out.append(Problem(case.number, None, "state", "重放结果与存储状态不一致：" + "、".join(diff),
                           tuple(f"case.{_SNAPSHOT_COLUMN.get(f, f)}" for f in diff)))
    return out


# --- all cases ------------------------------------------------------------------

@dataclass
class Coverage:
    """What a verify run read: cases checked in full, and (``changed_only``) cases whose head the anchor vouched for."""

    checked: int = 0
    vouched: int = 0


def changed_since_anchor(pinned: dict[str, tuple[int, str]], batch: int = 10_000) -> tuple[list[int], int]:
    """Ids of the cases whose head is not the one the anchor pinned (new, grown, or rewritten), and how many are unchanged.

    Reads three columns of every case (no events): a head equal to the
    anchored one means the chain behind it was verified when it was
    anchored and the signed root still covers it.
    """
    changed: list[int] = []
    same = 0
    last = 0
    rows = Case.objects.order_by("pk").values_list("pk", "number", "event_count", "last_hash")
    while page := list(rows.filter(pk__gt=last)[:batch]):
        for pk, number, count, head in page:
            if pinned.get(number) == (count, head):
                same += 1
            else:
                changed.append(pk)
        last = page[-1][0]
    return changed, same


def _pages(qs, batch: int, only: list[int] | None) -> Iterator[list[Case]]:
    """Pages of ``qs`` in id order: all of it, or only the ids listed."""
    if only is not None:
        for i in range(0, len(only), batch):
            yield list(qs.filter(pk__in=only[i : i + batch]))
        return
    last_pk = 0
    while page := list(qs.filter(pk__gt=last_pk)[:batch]):
        yield page
        last_pk = page[-1].pk


def iter_problems(cases=None, batch: int = 2000, *, files: bool = True, anchors: bool = True, changed_only: bool = False,
                  coverage: Coverage | None = None, anchored=None) -> Iterator[Problem]:
    """Verify every case (or a queryset of them), streaming in id order, and the anchor log.

    ``changed_only`` (``jiceng verify --changed-since-anchor``): after checking
    the anchor log, verify in full only the cases whose head differs from the
    latest anchor's; the others are vouched for by the signed root. A chain
    rewritten below an unchanged head is found by the full run only, so run
    it too, less often (docs/security-record.md).

    ``anchored``: an anchor log already checked (``anchor.check_log()``) whose
    heads to hold the cases to; its own problems are then the caller's to report
    (a verify split into ranges checks the log once).
    """
    from . import anchor

    given = anchored is not None
    if not given:
        anchored = anchor.check_log() if anchors or changed_only else None
    pinned = anchored.heads if anchored else {}
    for message in anchored.problems if anchored and not given else []:
        yield Problem("—", None, "anchor", message, ("anchor",))
    coverage = coverage if coverage is not None else Coverage()
    seen: set[str] = set()
    qs = (cases if cases is not None else Case.objects.all()).order_by("pk")
    only: list[int] | None = None  # with changed_only: the ids to read in full
    if changed_only and anchored is not None:
        only, coverage.vouched = changed_since_anchor(pinned)
        seen = set(pinned)  # a vouched-for case is there (its head was just read); a missing one is found below
        if cases is None:
            seen = set(Case.objects.values_list("number", flat=True).iterator(chunk_size=10_000)) & seen
    AlertCase = apps.get_model("triage", "AlertCase") if apps.is_installed("jiceng.triage") else None
    file_cache: dict[str, bool] | None = {} if files else None
    for page in _pages(qs, batch, only):
        by_case: dict[int, list[CaseEvent]] = {c.pk: [] for c in page}
        for e in CaseEvent.objects.filter(case_id__in=by_case).order_by("case_id", "seq"):
            by_case[e.case_id].append(e)
        rows: dict[int, list[Attachment]] = {c.pk: [] for c in page}
        for a in Attachment.objects.filter(case_id__in=by_case).order_by("pk"):
            rows[a.case_id].append(a)
        series = {s.case_id: s for s in AlertCase.objects.filter(case_id__in=by_case)} if AlertCase else {}
        for c in page:
            seen.add(c.number)
            coverage.checked += 1
            yield from check_case_events(c, by_case[c.pk], rows[c.pk], series=series.get(c.pk), file_cache=file_cache,
                                         pinned=pinned.get(c.number), anchor_seq=anchored.seq if anchored else 0)
    if cases is None:
        for number in sorted(set(pinned) - seen):
            yield Problem(number, None, "anchor", f"锚定#{anchored.seq}时存在的工单已不在数据库中（被删除或改号）", ("anchor", "case.number"))
