"""Case states, actions and ratings: names only, no rules (see workflow.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # 待受理
    ACCEPTED = "accepted", _("Accepted, awaiting dispatch")  # 已受理/定单
    REFUSED = "refused", _("Refused")  # 不予受理
    DISPATCHED = "dispatched", _("Dispatched")  # 已派单
    HANDLING = "handling", _("Being handled")  # 办理中
    SUSPENDED = "suspended", _("Suspended")  # 挂起
    RESOLVED = "resolved", _("Resolved, awaiting return visit")  # 已办结
    DISPUTED = "disputed", _("Unsatisfied, awaiting supervisor")  # 不满意待裁决
    RATED = "rated", _("Rated, awaiting closure")  # 已评价
    CLOSED = "closed", _("Closed")  # 已销号
    MERGED = "merged", _("Merged")  # 已合并


TERMINAL_STATES = frozenset({State.REFUSED, State.CLOSED, State.MERGED})
OPEN_STATES = frozenset(set(State) - TERMINAL_STATES)
# Which deadline runs in each state: the time to accept, then the time to resolve.
PHASE_OF_STATE = {
    State.SUBMITTED: "accept",
    State.ACCEPTED: "resolve",
    State.DISPATCHED: "resolve",
    State.HANDLING: "resolve",
    State.SUSPENDED: "resolve",
}
# States with a running (or, when suspended, paused) clock.
TIMED_STATES = frozenset(PHASE_OF_STATE)
# States whose clock runs now (a suspended case's clock is paused); sorted, so every query and index spells them alike.
RUNNING_STATES = tuple(sorted(TIMED_STATES - {State.SUSPENDED}))
# States a unit works on: signed for or waiting to be signed for.
WITH_UNIT_STATES = frozenset({State.DISPATCHED, State.HANDLING, State.SUSPENDED})
# Before anyone has finished with the case: new alerts of the same series still join it.
COLLECTING_STATES = frozenset(OPEN_STATES - {State.RESOLVED, State.RATED, State.DISPUTED})


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")  # 点单
    ACCEPT = "accept", _("Accept with plan")  # 受理/定单
    SELF_HANDLE = "self_handle", _("Handle in the village")  # 自办: accept and handle at once
    REFUSE = "refuse", _("Refuse")  # 不予受理
    DISPATCH = "dispatch", _("Dispatch")  # 派单
    RETURN = "return", _("Return wrong dispatch")  # 退回
    CLAIM = "claim", _("Sign for")  # 签收
    NOTE = "note", _("Progress note")  # 办理进展
    SUSPEND = "suspend", _("Suspend")  # 挂起
    RESUME = "resume", _("Resume")  # 恢复
    REQUEST_EXTENSION = "request_extension", _("Request extension")  # 申请延期
    APPROVE_EXTENSION = "approve_extension", _("Approve extension")  # 批准延期
    REJECT_EXTENSION = "reject_extension", _("Reject extension")  # 驳回延期
    ESCALATE = "escalate", _("Escalate")  # 上报
    SUPERVISE = "supervise", _("Supervise")  # 督办
    TAKE_OWNERSHIP = "take_ownership", _("Take ownership")  # 包案
    RESOLVE = "resolve", _("Resolve")  # 办结
    RATE = "rate", _("Rate")  # 回访/评单
    WAIVE_RATING = "waive_rating", _("Waive rating")  # 免评（无法回访）
    DECIDE = "decide", _("Supervisor decision")  # 裁决
    CLOSE = "close", _("Close on ledger")  # 销号
    MERGE = "merge", _("Merge into original")  # 合并
    REMIND = "remind", _("Due-soon reminder")  # 临期提醒 (system)
    FLAG_OVERDUE = "flag_overdue", _("Overdue")  # 超期 (system)
    FLAG_REPLY_OVERDUE = "flag_reply_overdue", _("Supervision reply overdue")  # 督办回复超期 (system)
    ALERT_REPEAT = "alert_repeat", _("Repeated alerts")  # 告警重复 (system: a sensor's series count)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASIC = "basic", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


class Urgency(models.TextChoices):
    """How urgent a matter is; each category may set shorter limits per urgency."""

    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    CRITICAL = "critical", _("Critical")  # 特急


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    HOTLINE = "hotline", _("Hotline")
    PATROL = "patrol", _("Grid patrol")
    WECHAT = "wechat", _("WeChat group relay")
    VIDEO = "video", _("Video petition")
    SENSOR = "sensor", _("Sensor / AI camera")
    API = "api", _("API")
    VISIT = "visit", _("Walk-in visit")
