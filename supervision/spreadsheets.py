"""Reports as xlsx: one workbook per report, written from its stored data (so a published bulletin exports
exactly what was published), one sheet per part, laid out for A4 (``jiangyan.helpers.xlsx.print_ready``).
Every heading and label is a catalogue string in the reader's language, and so are the title and the names of
units and lookup rows that have an English name (``reports.glossary``); no key of the stored data reaches
the sheet."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from jiangyan.helpers import xlsx

from .choices import ReportKind
from .models import Report
from .reports import UNSPECIFIED, glossary

# The figures of ``data["totals"]`` (projects.selectors.project_totals) as the report pages name them.
TOTAL_LABELS = {
    "projects": gettext_lazy("实事项目"),
    "started": gettext_lazy("已开工"),
    "active": gettext_lazy("推进中"),
    "completed": gettext_lazy("已完成"),
    "behind": gettext_lazy("滞后"),
    "far_behind": gettext_lazy("滞后超阈值"),
    "average_progress": gettext_lazy("平均进度(%)"),
    "average_variance": gettext_lazy("平均偏差(点)"),
}
SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _title(text: str) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of ``[]:*?/\\``), in any language."""
    return SHEET_TITLE_UNSAFE.sub(" ", str(text))[:31]


def _sheet(workbook: Workbook, report: Report, title: str, header: list, rows) -> None:
    sheet = xlsx.table_sheet(workbook, _title(title), [str(h) for h in header], rows)
    xlsx.print_ready(sheet, title=f"{report.local_title} · {sheet.title}")


def _summary(workbook: Workbook, report: Report, pairs: list[tuple[str, object]], totals=None) -> None:
    """The first sheet: the title, period and status, the totals with the previous period's and the
    change (``totals``: their keys), then the other figures, one per row."""
    sheet = workbook.active
    sheet.title = _title(_("概况"))
    sheet.merge_cells("A1:D1")
    xlsx.put(sheet, row=1, column=1, value=report.local_title).font = Font(bold=True, size=14)
    period = _("%(start)s 至 %(end)s") % {
        "start": f"{report.period_start:%Y-%m-%d}",
        "end": f"{report.period_end:%Y-%m-%d}",
    }
    xlsx.append(sheet, [_("统计时段"), period])
    xlsx.append(sheet, [_("状态"), str(report.get_status_display())])
    if totals:
        data = report.data
        previous, changes = data.get("previous_totals") or {}, data.get("changes") or {}
        xlsx.append(sheet, [])
        xlsx.append(sheet, [_("项目"), _("本期"), _("上期"), _("变化")])
        for cell in sheet[sheet.max_row]:
            cell.font = xlsx.HEADER_FONT
        for key in totals:
            label = str(TOTAL_LABELS[key])
            xlsx.append(sheet, [label, data["totals"].get(key), previous.get(key), changes.get(key)])
        xlsx.append(sheet, [])
    for label, value in pairs:
        xlsx.append(sheet, [str(label), value])
    xlsx.print_ready(sheet, title=report.local_title, header_rows=0)


def _project_header() -> list[str]:
    return [
        _("项目编号"),
        _("项目名称"),
        _("领办单位"),
        _("工程"),
        _("序时进度(%)"),
        _("实际进度(%)"),
        _("偏差(点)"),
        _("逾期节点"),
    ]


def _project_rows(rows: list[dict], names):
    for p in rows:
        yield [
            p["code"],
            p["title"],
            names.name(p["lead_unit__name"]),
            names.name(p.get("program__name", "")),
            p["expected_pct"],
            p["actual_pct"],
            p["variance"],
            p["late_milestones"],
        ]


def _weekly(workbook: Workbook, report: Report, names) -> None:
    data = report.data
    totals = data["totals"]
    _summary(
        workbook,
        report,
        [
            (_("本周到期节点"), totals["due_soon"]),
            (_("逾期节点"), totals["overdue_milestones"]),
            (_("7天未述职项目"), totals["silent_projects"]),
            (_("待派单心愿"), totals.get("awaiting_dispatch", 0)),
            (_("超时未认领心愿"), totals["unclaimed_wishes"]),
            (_("认领逾期心愿"), totals["overdue_claims"]),
            (_("待答复督办单"), totals["open_orders"]),
        ],
    )
    due, overdue, silent, order = _("本周到期节点"), _("逾期节点"), _("7天未述职"), _("督办单")
    never = _("从未报送")
    items = []
    for unit in data["units"]:
        for kind, label in (("due_soon", due), ("overdue", overdue)):
            items += [
                [names.name(unit["unit"]), label, m["code"], m["title"], m["milestone"], m["planned_date"]]
                for m in unit[kind]
            ]
        items += [
            [names.name(unit["unit"]), silent, p["code"], p["title"], "", p["last_statement"] or never]
            for p in unit["silent"]
        ]
        items += [
            [names.name(unit["unit"]), order, o["code"], o["target"], o["reason"], o["deadline"]]
            for o in unit["orders"]
        ]
    _sheet(
        workbook,
        report,
        _("领办单位"),
        [_("领办单位"), _("事项"), _("编号"), _("名称"), _("节点/事由"), _("日期")],
        items,
    )
    unclaimed, late = _("超时未认领"), _("认领逾期")
    items = []
    for community in data["communities"]:
        items += [
            [community["community"], unclaimed, w["code"], w["title"], w["opened_at"]]
            for w in community["unclaimed"]
        ]
        items += [
            [community["community"], late, w["code"], w["title"], w["promised_date"]]
            for w in community["overdue"]
        ]
        items += [
            [community["community"], order, o["code"], o["target"], o["deadline"]]
            for o in community["orders"]
        ]
    _sheet(
        workbook,
        report,
        _("社区（村）"),
        [_("社区（村）"), _("事项"), _("编号"), _("名称"), _("日期")],
        items,
    )


def _tenday(workbook: Workbook, report: Report, names) -> None:
    data = report.data
    wishes, conversion = data["wishes"], data["conversion"]
    _summary(
        workbook,
        report,
        [
            (_("本旬收到心愿"), wishes["period"]["received"]),
            (_("本旬认领心愿"), wishes["period"]["claimed"]),
            (_("本旬实现心愿"), wishes["period"]["fulfilled"]),
            (_("累计回访满意率(%)"), wishes["satisfaction_rate"]),
            (_("问题清单"), conversion["items"]),
            (_("列入履职清单"), conversion["with_duty"]),
            (_("转化为项目"), conversion["with_project"]),
            (_("本旬下发督办单"), data["orders"]["issued"]),
            (_("逾期督办单"), data["orders"]["overdue"]),
        ],
        totals=[k for k in TOTAL_LABELS if k in data["totals"]],
    )
    _sheet(workbook, report, _("滞后项目"), _project_header(), _project_rows(data["behind"], names))
    _sheet(
        workbook,
        report,
        _("本旬完成项目"),
        [_("项目编号"), _("项目名称"), _("领办单位"), _("完成日期")],
        (
            [p["code"], p["title"], names.name(p["lead_unit__name"]), p["completed_on"]]
            for p in data["completed"]
        ),
    )
    _sheet(
        workbook,
        report,
        _("领办单位排名"),
        [
            _("名次"),
            _("领办单位"),
            _("项目"),
            _("滞后"),
            _("序时进度"),
            _("述职及时率"),
            _("评议得分"),
            _("逾期督办"),
            _("综合得分"),
            _("上期名次"),
        ],
        (
            [
                r["rank"],
                names.name(r["unit"]),
                r["projects"],
                r["behind"],
                r["progress"],
                r["timeliness"],
                r["evaluation"],
                r["overdue_orders"],
                r["score"],
                r["previous_rank"],
            ]
            for r in data["ranking"]
        ),
    )


def _monthly(workbook: Workbook, report: Report, names) -> None:
    data = report.data
    _summary(
        workbook,
        report,
        [(_("滞后阈值（百分点）"), data["points"])],
        totals=[k for k in TOTAL_LABELS if k in data["totals"]],
    )
    unspecified = _(UNSPECIFIED)
    groups = (
        ("by_program", _("分工程"), _("工程")),
        ("by_domain", _("分领域"), _("领域")),
        ("by_town", _("分镇街"), _("镇（街道）")),
    )
    for key, title, group in groups:
        _sheet(
            workbook,
            report,
            title,
            [
                group,
                _("项目"),
                _("已完成"),
                _("完成率(%)"),
                _("滞后"),
                _("平均进度(%)"),
                _("平均偏差(点)"),
                _("较上月滞后"),
            ],
            (
                [
                    names.name(g["group"]) if g["group"] is not None else unspecified,
                    g["projects"],
                    g["completed"],
                    g["completion_rate"],
                    g["behind"],
                    g["average_progress"],
                    g["average_variance"],
                    g["change"].get("behind"),
                ]
                for g in data[key]
            ),
        )
    _sheet(
        workbook,
        report,
        _("调度议题-项目"),
        _project_header(),
        _project_rows(data["agenda"]["projects"], names),
    )
    _sheet(
        workbook,
        report,
        _("调度议题-督办单"),
        [_("编号"), _("督办对象"), _("事由"), _("责任单位（社区）"), _("时限"), _("逾期天数")],
        (
            [
                o["code"],
                o["target"],
                o["reason"],
                names.name(o["respondent"]),
                o["deadline"],
                o["days_overdue"],
            ]
            for o in data["agenda"]["orders"]
        ),
    )
    _sheet(
        workbook,
        report,
        _("月度趋势"),
        [_("月份"), _("已完成"), _("滞后"), _("滞后超阈值")],
        ([m["label"], m["completed"], m["behind"], m["far_behind"]] for m in data["trend"]),
    )


WRITERS = {ReportKind.WEEKLY: _weekly, ReportKind.TENDAY: _tenday, ReportKind.MONTHLY: _monthly}


def report_workbook(report: Report) -> Workbook:
    workbook = Workbook()
    WRITERS[report.kind](workbook, report, glossary())
    return workbook


def report_filename(report: Report) -> str:
    return f"{report.local_title}.xlsx"
