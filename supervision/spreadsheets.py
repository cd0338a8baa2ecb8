"""Reports as xlsx: one workbook per report, written from its stored data (so a published bulletin exports
exactly what was published), one sheet per part, every cell written as text where it is text
(``jiangyan.xlsx``)."""

from openpyxl import Workbook
from openpyxl.styles import Font

from jiangyan import xlsx

from .choices import ReportKind
from .models import Report

BOLD = Font(bold=True)


def _sheet(workbook: Workbook, title: str, header: list[str], rows) -> None:
    sheet = workbook.create_sheet(title[:31])
    xlsx.append(sheet, header)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        xlsx.append(sheet, row)
    for column, label in zip(sheet.columns, header, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(10, min(48, len(str(label)) * 2 + 4))


def _summary(workbook: Workbook, report: Report, pairs: list[tuple[str, object]]) -> None:
    sheet = workbook.active
    sheet.title = "概况"
    xlsx.put(sheet, row=1, column=1, value=report.title).font = Font(bold=True, size=14)
    xlsx.append(sheet, ["统计时段", f"{report.period_start:%Y-%m-%d} 至 {report.period_end:%Y-%m-%d}"])
    xlsx.append(sheet, ["状态", str(report.get_status_display())])
    for label, value in pairs:
        xlsx.append(sheet, [label, value])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 40


PROJECT_HEADER = [
    "项目编号",
    "项目名称",
    "领办单位",
    "工程",
    "序时进度(%)",
    "实际进度(%)",
    "偏差(点)",
    "逾期节点",
]


def _project_rows(rows: list[dict]):
    for p in rows:
        yield [
            p["code"],
            p["title"],
            p["lead_unit__name"],
            p.get("program__name", ""),
            p["expected_pct"],
            p["actual_pct"],
            p["variance"],
            p["late_milestones"],
        ]


def _totals(data: dict) -> list[tuple[str, object]]:
    totals = data["totals"]
    return [
        ("实事项目", totals["projects"]),
        ("推进中", totals["active"]),
        ("已完成", totals["completed"]),
        ("滞后", totals["behind"]),
        ("平均进度(%)", totals["average_progress"]),
        ("平均偏差(点)", totals["average_variance"]),
    ]


def _weekly(workbook: Workbook, report: Report) -> None:
    data = report.data
    totals = data["totals"]
    _summary(
        workbook,
        report,
        [
            ("本周到期节点", totals["due_soon"]),
            ("逾期节点", totals["overdue_milestones"]),
            ("7天未述职项目", totals["silent_projects"]),
            ("超时未认领心愿", totals["unclaimed_wishes"]),
            ("认领逾期心愿", totals["overdue_claims"]),
            ("待答复督办单", totals["open_orders"]),
        ],
    )
    items = []
    for unit in data["units"]:
        for kind, label in (("due_soon", "本周到期节点"), ("overdue", "逾期节点")):
            items += [
                [unit["unit"], label, m["code"], m["title"], m["milestone"], m["planned_date"]]
                for m in unit[kind]
            ]
        items += [
            [unit["unit"], "7天未述职", p["code"], p["title"], "", p["last_statement"] or "从未报送"]
            for p in unit["silent"]
        ]
        items += [
            [unit["unit"], "督办单", o["code"], o["target"], o["reason"], o["deadline"]]
            for o in unit["orders"]
        ]
    _sheet(workbook, "领办单位", ["领办单位", "事项", "编号", "名称", "节点/事由", "日期"], items)
    items = []
    for community in data["communities"]:
        items += [
            [community["community"], "超时未认领", w["code"], w["title"], w["opened_at"]]
            for w in community["unclaimed"]
        ]
        items += [
            [community["community"], "认领逾期", w["code"], w["title"], w["promised_date"]]
            for w in community["overdue"]
        ]
        items += [
            [community["community"], "督办单", o["code"], o["target"], o["deadline"]]
            for o in community["orders"]
        ]
    _sheet(workbook, "社区（村）", ["社区（村）", "事项", "编号", "名称", "日期"], items)


def _tenday(workbook: Workbook, report: Report) -> None:
    data = report.data
    wishes, conversion = data["wishes"], data["conversion"]
    _summary(
        workbook,
        report,
        [
            *_totals(data),
            *((f"较上期：{k}", v) for k, v in data["changes"].items()),
            ("本旬收到心愿", wishes["period"]["received"]),
            ("本旬认领心愿", wishes["period"]["claimed"]),
            ("本旬实现心愿", wishes["period"]["fulfilled"]),
            ("累计回访满意率(%)", wishes["satisfaction_rate"]),
            ("问题清单", conversion["items"]),
            ("列入履职清单", conversion["with_duty"]),
            ("转化为项目", conversion["with_project"]),
            ("本旬下发督办单", data["orders"]["issued"]),
            ("逾期督办单", data["orders"]["overdue"]),
        ],
    )
    _sheet(workbook, "滞后项目", PROJECT_HEADER, _project_rows(data["behind"]))
    _sheet(
        workbook,
        "本旬完成项目",
        ["项目编号", "项目名称", "领办单位", "完成日期"],
        ([p["code"], p["title"], p["lead_unit__name"], p["completed_on"]] for p in data["completed"]),
    )
    _sheet(
        workbook,
        "领办单位排名",
        [
            "名次",
            "领办单位",
            "项目",
            "滞后",
            "序时进度",
            "述职及时率",
            "评议得分",
            "逾期督办",
            "综合得分",
            "上期名次",
        ],
        (
            [
                r["rank"],
                r["unit"],
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


def _monthly(workbook: Workbook, report: Report) -> None:
    data = report.data
    _summary(
        workbook,
        report,
        [*_totals(data), (f"滞后超 {data['points']:g} 个百分点", data["totals"]["far_behind"])],
    )
    header = ["分组", "项目", "已完成", "完成率(%)", "滞后", "平均进度(%)", "平均偏差(点)", "较上月滞后"]
    for key, title in (("by_program", "分工程"), ("by_domain", "分领域"), ("by_town", "分镇街")):
        _sheet(
            workbook,
            title,
            header,
            (
                [
                    g["group"],
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
    _sheet(workbook, "调度议题-项目", PROJECT_HEADER, _project_rows(data["agenda"]["projects"]))
    _sheet(
        workbook,
        "调度议题-督办单",
        ["编号", "督办对象", "事由", "责任单位（社区）", "时限", "逾期天数"],
        (
            [o["code"], o["target"], o["reason"], o["respondent"], o["deadline"], o["days_overdue"]]
            for o in data["agenda"]["orders"]
        ),
    )
    _sheet(
        workbook,
        "月度趋势",
        ["月份", "已完成", "滞后", "滞后超阈值"],
        ([m["label"], m["completed"], m["behind"], m["far_behind"]] for m in data["trend"]),
    )


WRITERS = {ReportKind.WEEKLY: _weekly, ReportKind.TENDAY: _tenday, ReportKind.MONTHLY: _monthly}


def report_workbook(report: Report) -> Workbook:
    workbook = Workbook()
    WRITERS[report.kind](workbook, report)
    return workbook


def report_filename(report: Report) -> str:
    return f"{report.title}.xlsx"
