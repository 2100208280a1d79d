"""Weekly and monthly reports of an area: one set of figures, three formats (HTML, Excel, PDF).

:func:`build_report` gathers the figures (from the rollup through metrics.py,
plus the live overdue and supervised lists); :func:`render_html`,
:func:`render_xlsx` and :func:`render_pdf` lay them out. Charts are drawn by
matplotlib with the vendored CJK font for Excel and PDF (the web page draws
them with ECharts); the PDF is typeset by WeasyPrint with the same font
embedded, so it reads the same on a machine without Chinese fonts.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from jiceng.areas.models import Area
from jiceng.cases import sla
from jiceng.cases.models import Case
from jiceng.cases.states import Channel, Urgency
from jiceng.triage.models import Device

from . import dashboard as dash
from . import metrics
from .access import Scope
from .periods import Period
from .themes import recurring

FONT_PATH = Path(__file__).parent / "static" / "stats" / "fonts" / "NotoSansSC-Regular-GB2312.otf"
FONT_FAMILY = "JicengReportCJK"
HOTSPOTS = 10


@dataclass
class Report:
    kind: str
    scope: Scope
    area_name: str
    period: Period
    generated_at: datetime
    kpis: list[metrics.Compared]
    by_channel: list[tuple[str, int]]
    by_category: list[dict]
    by_urgency: list[tuple[str, int]]
    hotspots: list[dict]
    themes: list
    overdue: list[tuple[Case, float]]
    supervised: list[Case]
    sites: list[dict]
    ranking: dict
    trend: list[dict]
    charts: dict[str, bytes] = field(default_factory=dict)

    @property
    def channel_urgency_rows(self) -> list[tuple]:
        """Channels and urgencies side by side, for a compact table."""
        n = max(len(self.by_channel), len(self.by_urgency))
        pad = lambda xs: list(xs) + [("", "")] * (n - len(xs))  # noqa: E731
        return [(*a, *b) for a, b in zip(pad(self.by_channel), pad(self.by_urgency))]

    @property
    def summary(self) -> str:
        """One paragraph a leader reads first."""
        f = {k.key: k for k in self.kpis}
        pct = lambda v: "—" if v is None else f"{v * 100:.1f}%"  # noqa: E731
        intake = f["intake"]
        change = "" if intake.mom is None else f"，环比{'增长' if intake.mom >= 0 else '下降'}{abs(intake.mom) * 100:.1f}%"
        return (f"本期共受理 {intake.value} 件{change}；响应率 {pct(f['response_rate'].value)}，解决率 {pct(f['resolution_rate'].value)}，"
                f"满意率 {pct(f['satisfaction_rate'].value)}，按时办结率 {pct(f['on_time_rate'].value)}；"
                f"目前超期 {len(self.overdue)}{'+' if len(self.overdue) >= dash.LIST_LIMIT else ''} 件，督办中 {len(self.supervised)}"
                f"{'+' if len(self.supervised) >= dash.LIST_LIMIT else ''} 件。")

    @property
    def title(self) -> str:
        word = "周报" if self.kind == "week" else "月报"
        return f"{self.area_name}社会治理{word}（{self.period.label}）"


def site_statistics(scope: Scope, period: Period) -> list[dict]:
    """Per AI-camera / sensor site: alert cases, alerts, their types and shares, how many were handled.

    One grouped query over the alert family's cases of the period, by the
    device and alert type each case records (its ``fields``); the number of
    alerts is the debounced series count where triage kept one, else one.
    """
    from django.db.models import Value
    from django.db.models.fields.json import KT
    from django.db.models.functions import Coalesce

    from .models import CaseFact

    # The period's alert cases found through the fact table's (day, area) index, then read by primary key:
    # the same cohort as created_at in the period, without walking a category's cases of every month.
    alert_ids = CaseFact.objects.filter(scope.q(), day__gte=period.start, day__lt=period.end,
                                        top_category_id__in=metrics.family_ids(metrics.SENSOR_FAMILY)).values("case_id")
    rows = list(Case.objects.filter(pk__in=alert_ids)
                .annotate(device=KT("fields__device_id"), kind=KT("fields__alert_type"), school=KT("fields__school"))
                .order_by().values("device", "kind", "school")
                .annotate(cases=Count("pk"), alerts=Sum(Coalesce("alert_series__count", Value(1))),
                          handled=Count("pk", filter=~Q(resolved_level="") | Q(state="closed"))))
    devices = {d: (site or name) for d, site, name in
               Device.objects.filter(device_id__in={r["device"] for r in rows}).values_list("device_id", "site", "name")}
    by_site: dict[str, dict[str, Any]] = {}
    for r in rows:  # one row per device and alert type: a few hundred at most
        site = r["school"] or devices.get(r["device"]) or r["device"] or "—"
        s = by_site.setdefault(site, {"site": site, "cases": 0, "alerts": 0, "handled": 0, "types": {}})
        s["cases"] += r["cases"]
        s["alerts"] += r["alerts"] or 0
        s["handled"] += r["handled"]
        kind = r["kind"] or "—"
        s["types"][kind] = s["types"].get(kind, 0) + (r["alerts"] or 0)
    total = sum(s["alerts"] for s in by_site.values()) or 1
    out = []
    for s in sorted(by_site.values(), key=lambda s: (-s["alerts"], s["site"])):
        s["share"] = round(s["alerts"] / total, 4)
        s["handled_rate"] = round(s["handled"] / s["cases"], 4) if s["cases"] else None
        s["types_text"] = "、".join(f"{t} {n}" for t, n in sorted(s["types"].items(), key=lambda kv: -kv[1]))
        out.append(s)
    return out


def _case_scope(scope: Scope) -> Q:
    return scope.q("case__area_id", "case__unit_id")


def dash_midnight(d):
    return datetime(d.year, d.month, d.day, tzinfo=sla.SHANGHAI)


def build_report(kind: str, scope: Scope, period: Period, cases: QuerySet[Case], now: datetime | None = None) -> Report:
    """The figures of one report; ``cases`` is what the reader may see (``visible_cases``), for the lists."""
    now = now or timezone.now()
    both = metrics.counts_by_pair(scope, period, "channel", "urgency")
    channels, urgencies = metrics.marginal(both, 0), metrics.marginal(both, 1)
    villages = dash.sort_rows(dash.area_breakdown(scope, period, "village"), "intake")[:HOTSPOTS]
    open_overdue = dash.overdue_among(cases.filter(scope.q()), now)
    supervised = dash.supervised_among(cases.filter(scope.q()))
    area = Area.objects.filter(code=scope.area_prefix.ljust(12, "0")).first() if scope.area_prefix else None
    return Report(
        kind=kind, scope=scope, area_name=area.name if area else (scope.label or "全域"), period=period, generated_at=now,
        kpis=metrics.compared_figures(scope, period),
        by_channel=[(str(Channel(k).label) if k in Channel.values else k, n) for k, n in sorted(channels.items(), key=lambda kv: -kv[1])],
        by_category=dash.category_breakdown(scope, period),
        by_urgency=[(str(Urgency(k).label) if k in Urgency.values else k, n) for k, n in sorted(urgencies.items(), key=lambda kv: -kv[1])],
        hotspots=villages, themes=recurring(scope, period)[:5], overdue=dash.overdue_by_days(open_overdue, now),
        supervised=supervised, sites=site_statistics(scope, period), ranking=dash.ranking(scope, period),
        trend=dash.trend(scope, kind, period.end - timezone.timedelta(days=1)),
    )


# --- charts --------------------------------------------------------------------------

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    if str(FONT_PATH) not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(FONT_PATH))
    matplotlib.rcParams["font.family"] = [font_manager.FontProperties(fname=str(FONT_PATH)).get_name()]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return out.getvalue()


def draw_charts(report: Report) -> dict[str, bytes]:
    """The report's charts as PNG images: the trend and intake by category and channel."""
    plt = _pyplot()
    charts = {}
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    labels = [r["label"][-3:] if report.kind == "week" else r["label"][2:] for r in report.trend]
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], [r["intake"] for r in report.trend], width=0.4, label="受理量", color="#2e5aac")
    ax.bar([x + 0.2 for x in xs], [r["resolved"] for r in report.trend], width=0.4, label="办结量", color="#0e7c4a")
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_title("受理与办结趋势（近12" + ("周" if report.kind == "week" else "个月") + "）", fontsize=11)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    charts["trend"] = _png(fig)
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 2.8))
    cats = report.by_category[:8]
    axes[0].barh([c["name"] for c in cats][::-1], [c["intake"] for c in cats][::-1], color="#b42318")
    axes[0].set_title("按类别受理", fontsize=11)
    axes[0].tick_params(labelsize=8)
    chans = report.by_channel[:6]
    if chans:
        axes[1].pie([n for _l, n in chans], labels=[lb for lb, _n in chans], textprops={"fontsize": 8}, startangle=90)
    axes[1].set_title("按渠道受理", fontsize=11)
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    charts["intake"] = _png(fig)
    return charts


# --- formats ---------------------------------------------------------------------------

def _context(report: Report, *, for_pdf: bool) -> dict:
    charts = report.charts or {}
    return {
        "r": report, "for_pdf": for_pdf,
        "font_url": FONT_PATH.as_uri(), "font_family": FONT_FAMILY,
        "chart_trend": base64.b64encode(charts["trend"]).decode() if "trend" in charts else "",
        "chart_intake": base64.b64encode(charts["intake"]).decode() if "intake" in charts else "",
    }


def render_html(report: Report, *, standalone: bool = True, web: bool = False) -> str:
    """The report as HTML: a whole file with matplotlib charts, or (``web``) the body of the page, whose charts ECharts draws."""
    if not report.charts and not web:
        report.charts = draw_charts(report)
    return render_to_string("stats/report_document.html", _context(report, for_pdf=False) | {"standalone": standalone, "web": web})


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    if not report.charts:
        report.charts = draw_charts(report)
    html = render_to_string("stats/report_document.html", _context(report, for_pdf=True) | {"standalone": True})
    return HTML(string=html, base_url=str(FONT_PATH.parent)).write_pdf()


def render_xlsx(report: Report) -> bytes:
    from jiceng.spreadsheet import add_image_sheet, add_sheet, new_workbook, workbook_bytes

    if not report.charts:
        report.charts = draw_charts(report)
    wb = new_workbook()
    add_sheet(wb, "指标", ["指标", "本期", "上期", "环比", "去年同期", "同比"],
              [[k.label, *(_cell(v, k.is_rate) for v in (k.value, k.previous)), _delta(k.mom, k.is_rate),
                _cell(k.last_year, k.is_rate), _delta(k.yoy, k.is_rate)] for k in report.kpis], first=True, caption=report.title)
    add_sheet(wb, "按类别", ["类别", "受理量", "响应率", "解决率", "满意率", "按时办结率"],
              [[c["name"], c["intake"], c["response_rate"], c["resolution_rate"], c["satisfaction_rate"], c["on_time_rate"]]
               for c in report.by_category], totals=["合计", sum(c["intake"] for c in report.by_category), "", "", "", ""])
    add_sheet(wb, "按渠道与紧急程度", ["渠道/紧急程度", "受理量"],
              [[lb, n] for lb, n in report.by_channel] + [["", ""]] + [[lb, n] for lb, n in report.by_urgency])
    add_sheet(wb, "热点村（社区）", ["村（社区）", "受理量", "响应率", "解决率", "满意率"],
              [[h["name"], h["intake"], h["response_rate"], h["resolution_rate"], h["satisfaction_rate"]] for h in report.hotspots])
    add_sheet(wb, "超期与督办", ["类型", "工单编号", "标题", "村（社区）", "承办单位", "超期（工作日）/督办次数"],
              [["超期", c.number, c.title, c.area.name, c.unit.name if c.unit_id else "", d] for c, d in report.overdue]
              + [["督办", c.number, c.title, c.area.name, c.unit.name if c.unit_id else "", c.supervise_count] for c in report.supervised])
    add_sheet(wb, "预警点位", ["点位", "预警工单", "预警次数", "占比", "已处置", "处置率", "预警类型"],
              [[s["site"], s["cases"], s["alerts"], s["share"], s["handled"], s["handled_rate"], s["types_text"]] for s in report.sites],
              totals=["合计", sum(s["cases"] for s in report.sites), sum(s["alerts"] for s in report.sites), "",
                      sum(s["handled"] for s in report.sites), "", ""])
    rank_rows = [[t["label"], r["rank"], r["name"], r["band"], r["score"], r["intake"], r["response_rate"], r["resolution_rate"],
                  r["satisfaction_rate"]] for t in report.ranking["tiers"] for r in t["rows"]]
    add_sheet(wb, "单位排名", ["层级", "名次", "单位", "档次", "综合得分率", "受理量", "响应率", "解决率", "满意率"], rank_rows)
    add_image_sheet(wb, "图表", [report.charts["trend"], report.charts["intake"]])
    return workbook_bytes(wb)


def _cell(value, is_rate: bool):
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if is_rate else value


def _delta(value, is_rate: bool) -> str:
    if value is None:
        return "—"
    return f"{'+' if value > 0 else ''}{value * 100:.1f}{'个百分点' if is_rate else '%'}"
