"""Project lists as the district's offices keep them, generated with openpyxl, and what each one means.

These workbooks are written the way clerks make them in Excel or WPS — not from the portal's template or
export, and not from the import's synonym list: a title and a subtitle above the header, headers padded
with spaces or broken over two lines, two-row headers, the office's own words for the columns (项目内容,
牵头单位, 配合单位, 实施地点, 完成时限 …), merged cells, one sheet per 工程 or 一、二、 section rows,
abbreviated unit names (区卫健委, 团区委, 教育局), 同上, dates spelt every way (2021年12月, 2021.6 typed as a
number, 12月底前, 6月中旬, Excel serials, full-width digits), percent cells, codes in lower case or full
width, 合计 and 注 rows, blank rows, and columns the portal has no use for (序号, 备注, 资金).

Each :class:`OfficeFile` says what the file means: the registry's projects after importing it (every
field, milestones and indicators), the columns the import cannot use, the rows it must skip and why, and a
few of the values it must read differently from how they are spelt. ``tests/projects/test_office_files.py``
imports every file and checks all of it. ``BASELINE`` is the registry before: the projects that some files
update (a lower-case code must update them, never make a second copy).

Nothing here is read by the import's code: keep it that way, or the test set stops testing anything."""

# ruff: noqa: E501 -- the rows below are the clerks' rows, kept as they typed them, a row a line or two

from __future__ import annotations

import datetime
import importlib
import io
from dataclasses import dataclass, field

from django.apps import apps
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from accounts.models import Town, Unit
from demo.accounts import TOWNS, seed_organisation
from demo.projects import seed_lookups
from projects import spreadsheets
from projects.models import Domain, Indicator, Milestone, Program, Project, TargetGroup
from tests.projects.factories import current_year

D = datetime.date
ALL_TOWNS = tuple(TOWNS)  # 全区: every town and sub-district, in the demo's order


def serial(day: datetime.date) -> int:
    """The number Excel keeps for ``day`` (what a cell holds after a paste of values into a General cell)."""
    return (day - D(1899, 12, 30)).days


@dataclass
class Meant:
    """One project as the registry should hold it after the import (every field)."""

    title: str
    summary: str
    program: str
    domain: str
    groups: tuple[str, ...]
    lead: str
    cooperating: tuple[str, ...]
    leader: str
    towns: tuple[str, ...]
    start: datetime.date
    end: datetime.date
    public: bool = True
    status: str = "未启动"
    # (name, planned date, weight, done date, evidence); None: the project has none
    milestones: tuple[tuple, ...] = ()
    # (name, unit, target, current)
    indicators: tuple[tuple, ...] = ()


@dataclass
class OfficeFile:
    """A workbook from an office and what it means."""

    name: str
    story: str
    build: callable
    projects: dict[str, Meant]  # code → the project after the import
    created: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    unused: dict[str, list[str]] = field(default_factory=dict)  # sheet → headers the import cannot use
    skipped: dict[str, dict[int, str]] = field(
        default_factory=dict
    )  # sheet → row → why ("blank", "total", …)
    # (sheet, row, what the cell says, how it must be read), a few of those the preview must show
    readings: list[tuple[str, int, str, str]] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)  # sheets that hold no project rows

    def content(self) -> bytes:
        wb = self.build()
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()


def _title(ws, text: str, width: int, row: int = 1, *, size: int = 16) -> None:
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=size)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _header(ws, row: int, names: list) -> None:
    for column, name in enumerate(names, start=1):
        if name is None:
            continue
        cell = ws.cell(row=row, column=column, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _rows(ws, first: int, rows: list[list]) -> None:
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=first + offset, column=column, value=value)


def _merge_down(ws, column: int, first: int, last: int) -> None:
    ws.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


# --- the registry before any of these files ---------------------------------------------------------------

BASELINE: dict[str, Meant] = {
    "JY2021-001": Meant(
        "“梦想小屋”圆梦行动", "为困境家庭青少年改造学习空间", "利民惠民", "教育", ("青少年",),
        "共青团姜堰区委", ("区民政局",), "王俊", ("罗塘街道",), D(2021, 3, 1), D(2021, 11, 30),
        status="推进中",
        milestones=(("摸排对象", D(2021, 4, 30), 30, None, ""), ("完成改造", D(2021, 11, 30), 70, None, "")),
        indicators=(("改造梦想小屋", "户", 155, 40),),
    ),
    "JY2021-030": Meant(
        "家庭医生签约服务提质", "做实家庭医生签约服务，重点人群应签尽签", "利民惠民", "医疗卫生", ("全体居民",),
        "区卫生健康委员会", ("区医疗保障局",), "陈红", ALL_TOWNS, D(2021, 3, 1), D(2021, 12, 31),
        status="推进中",
        milestones=(
            ("制定实施方案", D(2021, 3, 31), 20, None, ""),
            ("签约重点人群", D(2021, 6, 30), 50, None, ""),
            ("开展签约服务满意度评估", D(2021, 12, 31), 30, None, ""),
        ),
        indicators=(("重点人群签约率", "%", 90, 50), ("签约居民", "万人", 12, 6)),
    ),
    "JY2021-031": Meant(
        "城乡居民免费健康体检", "为65岁以上老人和低收入群体免费体检", "利民惠民", "医疗卫生", ("老年", "低收入"),
        "区卫生健康委员会", (), "陈红", ALL_TOWNS, D(2021, 3, 1), D(2021, 9, 30),
        status="推进中",
        milestones=(("制定体检方案", D(2021, 3, 31), 40, None, ""), ("完成体检", D(2021, 9, 30), 60, None, "")),
        indicators=(("体检人数", "人", 12000, 5000), ("体检满意率", "%", 95, 0)),
    ),
    "JY2021-040": Meant(
        "老旧小区改造（三水街道南苑小区）", "", "利民惠民", "住房保障", ("全体居民",),
        "区住房和城乡建设局", (), "赵刚", ("三水街道",), D(2021, 3, 1), D(2021, 9, 30),
    ),
}  # fmt: skip


def registry_before() -> None:
    """The demo district's organisation (towns, communities, units and their aliases), its lookup tables,
    the import's synonyms as migration 0005 seeds them (a transactional test's flush empties the table),
    and the projects of ``BASELINE`` already in the registry."""
    importlib.import_module("projects.migrations.0005_import_synonyms").seed(apps, None)

    seed_organisation()
    seed_lookups()
    statuses = spreadsheets.status_by_label()
    for code, meant in BASELINE.items():
        project = Project.objects.create(
            code=code,
            year=current_year(),
            title=meant.title,
            summary=meant.summary,
            program=Program.objects.get(name=meant.program),
            domain=Domain.objects.get(name=meant.domain),
            lead_unit=Unit.objects.get(name=meant.lead),
            responsible_leader=meant.leader,
            planned_start=meant.start,
            planned_end=meant.end,
            is_public=meant.public,
            status=statuses[meant.status],
        )
        project.target_groups.set(TargetGroup.objects.filter(name__in=meant.groups))
        project.cooperating_units.set(Unit.objects.filter(name__in=meant.cooperating))
        project.towns.set(Town.objects.filter(name__in=meant.towns))
        for order, (name, planned, weight, done, evidence) in enumerate(meant.milestones):
            Milestone.objects.create(
                project=project,
                name=name,
                planned_date=planned,
                weight=weight,
                done_date=done,
                evidence=evidence,
                order=order,
            )
        for order, (name, unit, target, current) in enumerate(meant.indicators):
            Indicator.objects.create(
                project=project, name=name, unit=unit, target_value=target, current_value=current, order=order
            )


def _after(code: str, **changes) -> Meant:
    """The baseline project ``code`` with ``changes``."""
    return Meant(**{**BASELINE[code].__dict__, **changes})


# --- A. the campaign office's master list: one sheet, title rows, merged 工程 ------------------------------


def _master_list() -> Workbook:
    wb = Workbook()
    ws = wb.active  # the clerk never renamed "Sheet"
    header = ["序号", "项目编号", "项目\n名称", "项目内容", "所属工程", "领域", "服务对象", "牵头  单位",
              "配合单位", "责任领导", "实施地点", "开始时间", "完成\n时限", "备注"]  # fmt: skip
    _title(ws, "姜堰区2021年“我为群众办实事”重点项目清单", len(header))
    _title(ws, "（第一批，共8项）", len(header), row=2, size=12)
    _header(ws, 3, header)
    ws.row_dimensions[3].height = 36
    _rows(ws, 4, [
        [1, "jy2021-001", "“梦想小屋”圆梦行动", "为全区155户“事实孤儿”家庭的孩子改造温馨的学习生活空间",
         "利民惠民", "教育", "青少年、低收入", "团区委", "区民政局、区妇联", "王俊", "全区", "2021年3月", "2021年12月",
         "续建项目"],
        [2, "JY2021-002", "“青仔”公益暑托班", "开设66个公益暑托班，服务学生2万余名", None, "教育", "青少年",
         "教育局", "团区委", "李明", "全区", 2021.6, "2021.8", None],
        [3, "JY2021-003", "敬老院提档升级", "对全区敬老院进行消防、适老化和护理条件改造", None, "养老", "老年",
         "区民政局", "区卫健委", "陈建华", "溱潼镇、俞垛镇、淤溪镇", "2021-3-1", "12月底前", None],
        [4, "JY2021-004", "“春风行动”就业援助", "举办专场招聘会，为失业人员和困难家庭提供技能培训和岗位推荐",
         None, "就业", "低收入、全体居民", "区人社局", "区总工会", "周国庆", "全区", datetime.datetime(2021, 2, 20),
         "年底前", "春节后启动"],
        [5, "JY2021-005", "高标准农田建设", "新建高标准农田2万亩，改善农田水利条件", "富民兴村", "农业农村",
         "全体居民", "区农业农村局", "区水利局、区财政局", "孙志强", "沈高镇、兴泰镇", "2021年4月", "2021年11月30日",
         None],
        [6, "JY2021-006", "农村人居环境整治提升", "开展村庄清洁行动，整治河塘沟渠和农村生活垃圾", None,
         "环境保护", "全体居民", None, "区生态环境局、各镇（街道）", "孙志强", "全区", "2021.3", "2021.10", None],
        [7, "JY2021-007", "企业服务“直通车”", "为规上企业解决用工、融资、审批难题", "智造强企", "经济发展",
         "企业", "区工信局", "区行政审批局、区人社局", "钱伟", "全区", "2021年5月", "2021年12月", None],
        [None] * len(header),
        [8, "JY2021-008", "矛盾纠纷多元化解", "建设区、镇、村三级矛盾纠纷调处中心", "崇法善治", "平安法治",
         "全体居民", "区委政法委", "区司法局、区信访局", "吴斌", "全区", "2021年3月", "2021年9月", None],
        ["合计", None, None, "共8项"],
        ["注：1.项目编号由区办实事办公室统一编排；2.完成时限以月计的，指当月底前完成。"],
    ])  # fmt: skip
    _merge_down(ws, 5, 4, 7)  # 利民惠民
    _merge_down(ws, 5, 8, 9)  # 富民兴村
    _merge_down(ws, 8, 8, 9)  # 区农业农村局 leads both
    ws.merge_cells("A13:C13")
    ws.merge_cells(start_row=14, start_column=1, end_row=14, end_column=len(header))
    for column, width in zip(
        "ABCDEFGHIJKLMN", (5, 12, 24, 40, 10, 10, 12, 12, 24, 8, 20, 11, 11, 10), strict=True
    ):
        ws.column_dimensions[column].width = width
    return wb


MASTER = OfficeFile(
    name="A 区办实事办公室总表",
    story="One sheet called Sheet, a title and a subtitle row, 工程 merged down over its projects, the same "
    "lead unit merged over two rows, abbreviations, 全区, every date spelling of a master list, a lower-case "
    "code of a project already in the registry, a blank row, a 合计 row and a 注 row.",
    build=_master_list,
    projects={
        "JY2021-001": _after(
            "JY2021-001",
            summary="为全区155户“事实孤儿”家庭的孩子改造温馨的学习生活空间",
            groups=("青少年", "低收入"),
            cooperating=("区民政局", "区妇女联合会"),
            towns=ALL_TOWNS,
            end=D(2021, 12, 31),
        ),
        "JY2021-002": Meant(
            "“青仔”公益暑托班",
            "开设66个公益暑托班，服务学生2万余名",
            "利民惠民",
            "教育",
            ("青少年",),
            "区教育局",
            ("共青团姜堰区委",),
            "李明",
            ALL_TOWNS,
            D(2021, 6, 1),
            D(2021, 8, 31),
        ),
        "JY2021-003": Meant(
            "敬老院提档升级",
            "对全区敬老院进行消防、适老化和护理条件改造",
            "利民惠民",
            "养老",
            ("老年",),
            "区民政局",
            ("区卫生健康委员会",),
            "陈建华",
            ("溱潼镇", "俞垛镇", "淤溪镇"),
            D(2021, 3, 1),
            D(2021, 12, 31),
        ),
        "JY2021-004": Meant(
            "“春风行动”就业援助",
            "举办专场招聘会，为失业人员和困难家庭提供技能培训和岗位推荐",
            "利民惠民",
            "就业",
            ("低收入", "全体居民"),
            "区人力资源和社会保障局",
            ("区总工会",),
            "周国庆",
            ALL_TOWNS,
            D(2021, 2, 20),
            D(2021, 12, 31),
        ),
        "JY2021-005": Meant(
            "高标准农田建设",
            "新建高标准农田2万亩，改善农田水利条件",
            "富民兴村",
            "农业农村",
            ("全体居民",),
            "区农业农村局",
            ("区水利局", "区财政局"),
            "孙志强",
            ("沈高镇", "兴泰镇"),
            D(2021, 4, 1),
            D(2021, 11, 30),
        ),
        "JY2021-006": Meant(
            "农村人居环境整治提升",
            "开展村庄清洁行动，整治河塘沟渠和农村生活垃圾",
            "富民兴村",
            "环境保护",
            ("全体居民",),
            "区农业农村局",
            ("区生态环境局",),
            "孙志强",
            ALL_TOWNS,
            D(2021, 3, 1),
            D(2021, 10, 31),
        ),
        "JY2021-007": Meant(
            "企业服务“直通车”",
            "为规上企业解决用工、融资、审批难题",
            "智造强企",
            "经济发展",
            ("企业",),
            "区工业和信息化局",
            ("区行政审批局", "区人力资源和社会保障局"),
            "钱伟",
            ALL_TOWNS,
            D(2021, 5, 1),
            D(2021, 12, 31),
        ),
        "JY2021-008": Meant(
            "矛盾纠纷多元化解",
            "建设区、镇、村三级矛盾纠纷调处中心",
            "崇法善治",
            "平安法治",
            ("全体居民",),
            "区委政法委员会",
            ("区司法局", "区信访局"),
            "吴斌",
            ALL_TOWNS,
            D(2021, 3, 1),
            D(2021, 9, 30),
        ),
    },  # fmt: skip
    created={f"JY2021-00{n}" for n in range(2, 9)},
    updated={"JY2021-001"},
    unused={"Sheet": ["序号", "备注"]},
    skipped={"Sheet": {11: "blank", 13: "total", 14: "note"}},
    readings=[
        ("Sheet", 4, "jy2021-001", "JY2021-001"),
        ("Sheet", 4, "团区委", "共青团姜堰区委"),
        ("Sheet", 4, "2021年12月", "2021-12-31"),
        ("Sheet", 4, "2021年3月", "2021-03-01"),
        ("Sheet", 5, "2021.6", "2021-06-01"),
        ("Sheet", 5, "2021.8", "2021-08-31"),
        ("Sheet", 6, "12月底前", "2021-12-31"),
        ("Sheet", 7, "年底前", "2021-12-31"),
        ("Sheet", 9, "2021.10", "2021-10-31"),
        ("Sheet", 12, "区委政法委", "区委政法委员会"),
    ],
)


# --- B. the civil affairs bureau: one sheet per 工程, two-row header, serial dates, 同上 ---------------------


def _by_program() -> Workbook:
    wb = Workbook()
    sheets = {
        "利民惠民工程": [
            [1, "ＪＹ２０２１－０１０", "社区睦邻点建设", "养老", "老年人", "民政局", "区卫生健康委员会", "陈建华",
             serial(D(2021, 4, 1)), serial(D(2021, 11, 30)), "正在推进", None],
            [2, "JY2021-011", "解决老年人运用智能技术困难", "养老", "老年人", "同上", "区数据局", "陈建华",
             datetime.datetime(2021, 3, 15), datetime.datetime(2021, 12, 31), "尚未启动", "与数据局共同推进"],
            [3, "JY2021-012", "困难群众“防贫保”", "社会保障", "低收入群体", "区民政局", "区医保局、区财政局", "刘芳",
             "2021/3/31", "2021/12/31", "已完成", None],
        ],
        "富民兴村工程": [
            [1, "JY2021-013", "农村留守老人关爱服务", "养老", "老年", "区民政局", "各镇（街道）", "刘芳",
             "2021-5-1", "2021-12-31", "推进中", None],
        ],
        "智造强企工程": [],
    }  # fmt: skip
    for index, (name, rows) in enumerate(sheets.items()):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = name
        _title(ws, f"区民政局2021年“我为群众办实事”项目推进表（{name}）", 12, size=14)
        _header(ws, 2, ["序号", "编号", "项目名称", "领域", "服务对象", "责任单位", None, "分管领导", "计划时间",
                        None, "进展情况", "备注"])  # fmt: skip
        _header(ws, 3, [None, None, None, None, None, "牵头单位", "配合单位", None, "开始", "完成"])
        for column in (1, 2, 3, 4, 5, 8, 11, 12):
            _merge_down(ws, column, 2, 3)
        ws.merge_cells("F2:G2")
        ws.merge_cells("I2:J2")
        _rows(ws, 4, rows)
    summary = wb.create_sheet("汇总")
    _header(summary, 1, ["工程", "项目数", "已完成"])
    _rows(summary, 2, [["利民惠民工程", 3, 1], ["富民兴村工程", 1, 0], ["合计", 4, 1]])
    return wb


BY_PROGRAM = OfficeFile(
    name="B 区民政局分工程表",
    story="One sheet per 工程 and no 工程 column, a two-row header (责任单位 over 牵头单位 / 配合单位, 计划时间 "
    "over 开始 / 完成), dates pasted as Excel serial numbers and as date cells, 同上 for the unit above, a "
    "full-width code, status words of the office, an empty 工程 sheet and a summary sheet.",
    build=_by_program,
    projects={
        "JY2021-010": Meant(
            "社区睦邻点建设",
            "",
            "利民惠民",
            "养老",
            ("老年",),
            "区民政局",
            ("区卫生健康委员会",),
            "陈建华",
            (),
            D(2021, 4, 1),
            D(2021, 11, 30),
            status="推进中",
        ),
        "JY2021-011": Meant(
            "解决老年人运用智能技术困难",
            "",
            "利民惠民",
            "养老",
            ("老年",),
            "区民政局",
            ("区数据局",),
            "陈建华",
            (),
            D(2021, 3, 15),
            D(2021, 12, 31),
            status="未启动",
        ),
        "JY2021-012": Meant(
            "困难群众“防贫保”",
            "",
            "利民惠民",
            "社会保障",
            ("低收入",),
            "区民政局",
            ("区医疗保障局", "区财政局"),
            "刘芳",
            (),
            D(2021, 3, 31),
            D(2021, 12, 31),
            status="已完成",
        ),
        "JY2021-013": Meant(
            "农村留守老人关爱服务",
            "",
            "富民兴村",
            "养老",
            ("老年",),
            "区民政局",
            (),
            "刘芳",
            (),
            D(2021, 5, 1),
            D(2021, 12, 31),
            status="推进中",
        ),
    },  # fmt: skip
    created={"JY2021-010", "JY2021-011", "JY2021-012", "JY2021-013"},
    unused={
        "利民惠民工程": ["序号", "备注"],
        "富民兴村工程": ["序号", "备注"],
        "智造强企工程": ["序号", "备注"],
    },
    readings=[
        ("利民惠民工程", 4, "ＪＹ２０２１－０１０", "JY2021-010"),
        ("利民惠民工程", 4, str(serial(D(2021, 4, 1))), "2021-04-01"),
        ("利民惠民工程", 4, "正在推进", "推进中"),
        ("利民惠民工程", 5, "同上", "民政局"),  # the cell above, then read as 区民政局
        ("利民惠民工程", 6, "2021/3/31", "2021-03-31"),
    ],
    ignored_sheets=["汇总"],
)


# --- C. the health commission's progress: codes in any case, percent cells, milestones merged by code --------


def _health_progress() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    _title(ws, "区卫健委2021年实事项目推进情况（截至9月底）", 5, size=14)
    _header(ws, 2, ["编号", "项目名称", "状态", "完成进度", "备注"])
    _rows(ws, 3, [
        ["jy2021-030", "家庭医生签约服务提质", "推进中", 0.45, None],
        ["Jy2021-031", "城乡居民免费健康体检", "已完成", 1, "9月28日全部完成"],
    ])  # fmt: skip
    for row in (3, 4):
        ws.cell(row=row, column=4).number_format = "0%"

    wm = wb.create_sheet("时间节点")
    _header(wm, 1, ["项目编号", "节点名称", "计划完成时间", "权重", "实际完成时间", "完成佐证"])
    _rows(wm, 2, [
        ["JY2021-030", "制定实施方案", "2021年3月", 0.2, "2021.3.25", "区卫健委文件"],
        [None, "签约重点人群", "6月底前", 0.5, None, None],
        [None, "开展签约服务满意度评估", "年底前", 0.3, None, None],
        ["jy2021-031", "制定体检方案", "2021-3-31", "40%", datetime.datetime(2021, 3, 20), None],
        [None, "完成体检", "2021年9月", "60%", "2021年9月28日", "体检台账"],
    ])  # fmt: skip
    for row in (2, 3, 4):
        wm.cell(row=row, column=4).number_format = "0%"
    _merge_down(wm, 1, 2, 4)
    _merge_down(wm, 1, 5, 6)

    wi = wb.create_sheet("目标指标")
    _header(wi, 1, ["项目编号", "指标名称", "单位", "目标值", "完成值"])
    _rows(wi, 2, [
        ["JY2021-030", "重点人群签约率", "%", 0.9, 0.62],
        ["JY2021-030", "签约居民", "万人", 12, 8.5],
        ["JY2021-031", "体检人数", "人", "１２０００", 12000],
        ["JY2021-031", "体检满意率", None, "95%", "96.5%"],
    ])  # fmt: skip
    for column in (4, 5):
        wi.cell(row=2, column=column).number_format = "0%"
    return wb


HEALTH = OfficeFile(
    name="C 区卫健委进度和指标表",
    story="Three sheets of the commission's own names (项目, 时间节点, 目标指标) updating two projects of the "
    "registry: codes in lower and mixed case, the project code merged down over its milestones, weights as "
    "percent cells and as text, indicator values in percent cells, as 95% text and in full-width digits.",
    build=_health_progress,
    projects={
        "JY2021-030": _after(
            "JY2021-030",
            milestones=(
                ("制定实施方案", D(2021, 3, 31), 20, D(2021, 3, 25), "区卫健委文件"),
                ("签约重点人群", D(2021, 6, 30), 50, None, ""),
                ("开展签约服务满意度评估", D(2021, 12, 31), 30, None, ""),
            ),
            indicators=(("重点人群签约率", "%", 90, 62), ("签约居民", "万人", 12, 8.5)),
        ),
        "JY2021-031": _after(
            "JY2021-031",
            status="已完成",
            milestones=(
                ("制定体检方案", D(2021, 3, 31), 40, D(2021, 3, 20), ""),
                ("完成体检", D(2021, 9, 30), 60, D(2021, 9, 28), "体检台账"),
            ),
            indicators=(("体检人数", "人", 12000, 12000), ("体检满意率", "%", 95, 96.5)),
        ),
    },
    updated={"JY2021-030", "JY2021-031"},
    unused={"项目": ["完成进度", "备注"]},
    readings=[
        ("项目", 3, "jy2021-030", "JY2021-030"),
        ("项目", 4, "Jy2021-031", "JY2021-031"),
        ("时间节点", 2, "0.2", "20"),
        ("时间节点", 3, "6月底前", "2021-06-30"),
        ("时间节点", 5, "40%", "40"),
        ("目标指标", 2, "0.9", "90"),
        ("目标指标", 2, "0.62", "62"),
        ("目标指标", 4, "１２０００", "12000"),
        ("目标指标", 5, "96.5%", "96.5"),
    ],
)


# --- D. the youth league: section rows 一、二、 instead of a 工程 column, no start dates ----------------------


def _youth_sections() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "团区委"
    header = ["序号", "编  号", "项　目　名　称", "具体内容", "领域", "受益群体", "领办单位", "协办单位", "联系领导",
              "实施镇（街道）", "计划完成时间", "是否公开"]  # fmt: skip
    _title(ws, "共青团姜堰区委2021年“我为青少年办实事”项目清单", len(header))
    ws.cell(
        row=2, column=1, value="填报单位：共青团姜堰区委（盖章）        联系人：张丽    电话：0523-88231234"
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    _header(ws, 3, header)
    _rows(ws, 4, [
        ["一、利民惠民工程"],
        [1, "JY2021－020", "青少年心理健康服务", "开通“青心”心理援助热线，进校园开展心理健康讲座", "医疗卫生",
         "青少年", "团区委", "区卫健委、区教育局", "张丽", "全区", "6月中旬", "是"],
        [2, "JY2021-021", "困境儿童结对帮扶", "组织团员青年与困境儿童一对一结对", "教育", "青少年、低收入家庭",
         "团区委", "区民政局", "张丽", "罗塘街道、三水街道", "2021年8月", "是"],
        ["二、富民兴村工程"],
        [3, "JY2021-022", "青年返乡创业扶持", "为返乡创业青年提供贴息贷款和创业导师", "就业", "全体居民",
         "共青团姜堰区委", "区人社局、区农业农村局", "李强", "张甸镇，白米镇", "7月上旬", "否"],
        [4, "JY2021-023", "乡村“复兴少年宫”", "在农村学校建设少年宫，开设周末兴趣课堂", "文化体育", "青少年",
         "团区委", "区文体广电和旅游局、区教育局", "李强", "华港镇、淤溪镇", "8月31日", "是"],
        [None],
        ["小计：4项"],
        ["注：计划完成时间未注明年份的均为2021年。"],
    ])  # fmt: skip
    for row in (4, 7, 12):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(header))
    return wb


YOUTH = OfficeFile(
    name="D 团区委分组清单",
    story="A title, a 填报单位 line, a header padded with spaces and full-width spaces, section rows "
    "一、利民惠民工程 / 二、富民兴村工程 carrying the 工程, no start dates at all, completion as 6月中旬, 7月上旬 "
    "and 8月31日 (the year from the title), a full-width dash in a code, a comma between towns, a 小计 row "
    "and a 注 row.",
    build=_youth_sections,
    projects={
        "JY2021-020": Meant(
            "青少年心理健康服务",
            "开通“青心”心理援助热线，进校园开展心理健康讲座",
            "利民惠民",
            "医疗卫生",
            ("青少年",),
            "共青团姜堰区委",
            ("区卫生健康委员会", "区教育局"),
            "张丽",
            ALL_TOWNS,
            D(2021, 1, 1),
            D(2021, 6, 20),
        ),
        "JY2021-021": Meant(
            "困境儿童结对帮扶",
            "组织团员青年与困境儿童一对一结对",
            "利民惠民",
            "教育",
            ("青少年", "低收入"),
            "共青团姜堰区委",
            ("区民政局",),
            "张丽",
            ("罗塘街道", "三水街道"),
            D(2021, 1, 1),
            D(2021, 8, 31),
        ),
        "JY2021-022": Meant(
            "青年返乡创业扶持",
            "为返乡创业青年提供贴息贷款和创业导师",
            "富民兴村",
            "就业",
            ("全体居民",),
            "共青团姜堰区委",
            ("区人力资源和社会保障局", "区农业农村局"),
            "李强",
            ("张甸镇", "白米镇"),
            D(2021, 1, 1),
            D(2021, 7, 10),
            public=False,
        ),
        "JY2021-023": Meant(
            "乡村“复兴少年宫”",
            "在农村学校建设少年宫，开设周末兴趣课堂",
            "富民兴村",
            "文化体育",
            ("青少年",),
            "共青团姜堰区委",
            ("区文体广电和旅游局", "区教育局"),
            "李强",
            ("华港镇", "淤溪镇"),
            D(2021, 1, 1),
            D(2021, 8, 31),
        ),
    },  # fmt: skip
    created={"JY2021-020", "JY2021-021", "JY2021-022", "JY2021-023"},
    unused={"团区委": ["序号"]},
    skipped={"团区委": {4: "heading", 7: "heading", 10: "blank", 11: "total", 12: "note"}},
    readings=[
        ("团区委", 5, "JY2021－020", "JY2021-020"),
        ("团区委", 5, "6月中旬", "2021-06-20"),
        ("团区委", 8, "7月上旬", "2021-07-10"),
        ("团区委", 9, "8月31日", "2021-08-31"),
        ("团区委", 6, "低收入家庭", "低收入"),
    ],
)


# --- E. the housing bureau from WPS: blank row under the title, merged unit and start, towns as partners -----


def _housing() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "住建局"
    header = ["编号", "项目名称", "工程", "领域", "服务\n对象", "责任\n单位", "协办\n单位", "责任人", "镇街",
              "开工时间", "竣工时间", "是否\n公开", "状态", "资金\n（万元）"]  # fmt: skip
    _title(ws, "区住建局2021年民生实事项目", len(header))
    _header(ws, 3, header)
    _rows(ws, 4, [
        ["JY2021-040", "老旧小区改造（三水街道南苑小区）", "利民惠民", "住房保障", "全体居民", "区住建局",
         "三水街道", "赵刚", "三水街道", datetime.datetime(2021, 3, 1), datetime.datetime(2021, 10, 31), "公开",
         "推进中", 850],
        ["jy2021-041", "老旧小区改造\n（罗塘街道人民路小区）", "同上", "住房保障", "全体居民", None, "罗塘街道",
         "赵刚", "罗塘街道", None, "2021.12", "公开", "实施中", 1200],
        ["JY2021-042", "老旧小区加装电梯", "利民惠民", "住房保障", "老年人", None, "区市场监管局", "赵刚",
         "罗塘街道、三水街道、天目山街道", None, "2021年12月底", "不公开", "未开工", 300],
        ["ＪＹ2021-043", "农村危房改造", "富民兴村", "住房保障", "低收入", "区住建局", "区民政局、区财政局", "赵刚",
         "各镇（街道）", "2021/4/1", "2021/11/30", "公开", "已完工", 600],
        ["合计", None, None, None, None, None, None, None, None, None, None, None, None, 2950],
    ])  # fmt: skip
    _merge_down(ws, 6, 4, 6)
    _merge_down(ws, 10, 4, 6)
    return wb


HOUSING = OfficeFile(
    name="E 区住建局民生实事表",
    story="A blank row between the title and a header broken over two lines (责任\\n单位, 是否\\n公开), the "
    "lead unit and the start merged down over three projects, 同上 in the 工程 column, a line break inside "
    "a title, towns written as cooperating units, 公开 / 不公开, the bureau's status words, a project of the "
    "registry and codes in lower case and full width, and a 合计 row in the code column.",
    build=_housing,
    projects={
        "JY2021-040": _after("JY2021-040", end=D(2021, 10, 31), status="推进中"),
        "JY2021-041": Meant(
            "老旧小区改造（罗塘街道人民路小区）",
            "",
            "利民惠民",
            "住房保障",
            ("全体居民",),
            "区住房和城乡建设局",
            (),
            "赵刚",
            ("罗塘街道",),
            D(2021, 3, 1),
            D(2021, 12, 31),
            status="推进中",
        ),
        "JY2021-042": Meant(
            "老旧小区加装电梯",
            "",
            "利民惠民",
            "住房保障",
            ("老年",),
            "区住房和城乡建设局",
            ("区市场监督管理局",),
            "赵刚",
            ("罗塘街道", "三水街道", "天目山街道"),
            D(2021, 3, 1),
            D(2021, 12, 31),
            public=False,
        ),
        "JY2021-043": Meant(
            "农村危房改造",
            "",
            "富民兴村",
            "住房保障",
            ("低收入",),
            "区住房和城乡建设局",
            ("区民政局", "区财政局"),
            "赵刚",
            ALL_TOWNS,
            D(2021, 4, 1),
            D(2021, 11, 30),
            status="已完成",
        ),
    },  # fmt: skip
    created={"JY2021-041", "JY2021-042", "JY2021-043"},
    updated={"JY2021-040"},
    unused={"住建局": ["资金（万元）"]},
    skipped={"住建局": {8: "total"}},
    readings=[
        ("住建局", 4, "三水街道", "未导入"),
        ("住建局", 5, "jy2021-041", "JY2021-041"),
        ("住建局", 5, "同上", "利民惠民"),
        ("住建局", 5, "2021.12", "2021-12-31"),
        ("住建局", 5, "实施中", "推进中"),
        ("住建局", 6, "2021年12月底", "2021-12-31"),
        ("住建局", 6, "不公开", "否"),
        ("住建局", 7, "已完工", "已完成"),
    ],
)


# --- F. the office's milestone plan: one period column, milestones and targets on their own sheets ----------


def _milestone_plan() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    _title(ws, "2021年“我为群众办实事”项目时序进度计划", 9, size=14)
    _header(
        ws,
        2,
        ["序号", "项目编号", "项目名称", "类别", "所属领域", "服务对象", "牵头单位", "责任领导", "实施周期"],
    )
    _rows(ws, 3, [
        [1, "JY2021-050", "城区路灯亮化", "利民惠民工程", "城市管理", "全体居民", "区城管局", "黄海", "2021.3—2021.12"],
        [2, "JY2021-051", "中小学校园安全提升", "利民惠民工程", "教育", "青少年", "区教育局", "马丽", "2021年4月-10月"],
        [3, "JY2021-052", "农村饮用水提质", "富民兴村工程", "水利水务", "全体居民", "区水务集团", "黄海",
         "2021年5月至年底"],
    ])  # fmt: skip

    wm = wb.create_sheet("进度安排")
    _title(wm, "各项目时序进度安排", 4, size=12)
    _header(wm, 2, ["项目编号", "时序节点", "时间", "权重(%)"])
    _rows(wm, 3, [
        ["JY2021-050", "完成路灯排查", "3月底", 20],
        [None, "完成设备招标", "6月30日", 30],
        [None, "全部安装亮灯", "12月20日前", 50],
        ["JY2021-051", "校园安全隐患排查", "4月", 0.3],
        [None, "完成整改", "九月底", 0.7],
        ["JY2021-052", "水厂改造开工", "2021年6月", 40],
        [None, "管网入户", "年底前", 60],
    ])  # fmt: skip
    _merge_down(wm, 1, 3, 5)
    _merge_down(wm, 1, 6, 7)
    _merge_down(wm, 1, 8, 9)
    for row in (6, 7):
        wm.cell(row=row, column=4).number_format = "0%"

    wi = wb.create_sheet("目标任务")
    _header(wi, 1, ["项目编号", "目标任务", "单位", "目标数"])
    _rows(wi, 2, [
        ["JY2021-050", "新装和修复路灯", "盏", 1200],
        ["JY2021-051", "完成隐患整改", None, "85所"],
        ["JY2021-052", "受益群众", "人", "3万"],
    ])  # fmt: skip
    return wb


PLAN = OfficeFile(
    name="F 区办时序进度计划",
    story="The office's plan: the 工程 as a 类别 column (利民惠民工程), one 实施周期 column holding start and end "
    "(2021.3—2021.12, 2021年4月-10月, 2021年5月至年底), a 进度安排 sheet whose code is merged down over each "
    "project's milestones with dates as 3月底, 6月30日, 九月底, weights as numbers and as percent cells, and "
    "a 目标任务 sheet with 85所 and 3万 as targets.",
    build=_milestone_plan,
    projects={
        "JY2021-050": Meant(
            "城区路灯亮化",
            "",
            "利民惠民",
            "城市管理",
            ("全体居民",),
            "区城市管理局",
            (),
            "黄海",
            (),
            D(2021, 3, 1),
            D(2021, 12, 31),
            milestones=(
                ("完成路灯排查", D(2021, 3, 31), 20, None, ""),
                ("完成设备招标", D(2021, 6, 30), 30, None, ""),
                ("全部安装亮灯", D(2021, 12, 20), 50, None, ""),
            ),
            indicators=(("新装和修复路灯", "盏", 1200, 0),),
        ),
        "JY2021-051": Meant(
            "中小学校园安全提升",
            "",
            "利民惠民",
            "教育",
            ("青少年",),
            "区教育局",
            (),
            "马丽",
            (),
            D(2021, 4, 1),
            D(2021, 10, 31),
            milestones=(
                ("校园安全隐患排查", D(2021, 4, 30), 30, None, ""),
                ("完成整改", D(2021, 9, 30), 70, None, ""),
            ),
            indicators=(("完成隐患整改", "所", 85, 0),),
        ),
        "JY2021-052": Meant(
            "农村饮用水提质",
            "",
            "富民兴村",
            "水利水务",
            ("全体居民",),
            "区水务集团",
            (),
            "黄海",
            (),
            D(2021, 5, 1),
            D(2021, 12, 31),
            milestones=(
                ("水厂改造开工", D(2021, 6, 30), 40, None, ""),
                ("管网入户", D(2021, 12, 31), 60, None, ""),
            ),
            indicators=(("受益群众", "人", 30000, 0),),
        ),
    },  # fmt: skip
    created={"JY2021-050", "JY2021-051", "JY2021-052"},
    unused={"项目": ["序号"]},
    readings=[
        ("项目", 3, "2021.3—2021.12", "2021-03-01"),
        ("项目", 4, "2021年4月-10月", "2021-10-31"),
        ("项目", 5, "2021年5月至年底", "2021-12-31"),
        ("项目", 3, "利民惠民工程", "利民惠民"),
        ("进度安排", 3, "3月底", "2021-03-31"),
        ("进度安排", 7, "九月底", "2021-09-30"),
        ("进度安排", 6, "0.3", "30"),
        ("目标任务", 3, "85所", "85"),
        ("目标任务", 4, "3万", "30000"),
    ],
)

GOOD_FILES = [MASTER, BY_PROGRAM, HEALTH, YOUTH, HOUSING, PLAN]


# --- G. a list with mistakes: every one named, sorted by sheet and row ----------------------------------------


def _with_mistakes() -> Workbook:
    wb = Workbook()
    header = ["序号", "编号", "项目名称", "领域", "服务对象", "牵头单位", "配合单位", "实施地点", "开始时间",
              "完成时间"]  # fmt: skip
    ws = wb.active
    ws.title = "利民惠民"
    _title(ws, "区人社局2021年实事项目", len(header))
    _header(ws, 2, header)
    _rows(ws, 3, [
        [1, "JY2021-060", "技能培训进社区", "就业", "全体居民", "区人设局", "区总工会", "全区", "2021年3月", "2021年10月"],
        [2, "JY2021-061", "零工市场建设", "就业", "全体居民", "区人社局", None, "全区", "2021年4月", "待定"],
        [3, "JY2021-060", "技能培训进社区（续）", "就业", "全体居民", "区人社局", None, "全区", "2021年3月",
         "2021年12月"],
    ])  # fmt: skip
    ws2 = wb.create_sheet("富民兴村")
    _title(ws2, "区人社局2021年实事项目", len(header))
    _header(ws2, 2, header)
    _rows(ws2, 3, [
        [1, "JY2021-062", "农民工返乡就业服务", "就业", "全体居民", "区人社局", "区卫建委", "溱潼镇、梁徐镇",
         "2021年3月", "2021年12月"],
        [2, "JY2021-063", "家门口就业服务站", "民生保障", "全体居民", "区人社局", None, "全区", "2021年5月",
         "2021年3月"],
    ])  # fmt: skip
    wm = wb.create_sheet("节点")
    _header(wm, 1, ["项目编号", "节点名称", "计划完成日期", "权重"])
    _rows(wm, 2, [
        ["JY2021-061", "选址", "2021年5月", 40],
        ["JY2021-061", "建成开放", "2021年9月", 50],
        ["JY2021-099", "不在表中的项目", "2021年9月", 100],
    ])  # fmt: skip
    return wb


MISTAKES = OfficeFile(
    name="G 区人社局有误的表",
    story="Two 工程 sheets and a 节点 sheet with mistakes a clerk makes: a misspelt unit (区人设局, 区卫建委), "
    "a date 待定, a code used twice, a 镇 that is a 街道, a domain the registry does not have, an end before "
    "its start, milestone weights summing to 90 and a milestone of a project the file does not list.",
    build=_with_mistakes,
    projects={},
)

# The errors of MISTAKES, in the order the preview lists them: by sheet (as the workbook orders them), then
# row. Each is (sheet, row, words the message must contain).
MISTAKE_ERRORS = [
    ("利民惠民", 3, ["区人设局", "区人力资源和社会保障局"]),
    ("利民惠民", 4, ["待定"]),
    ("利民惠民", 4, ["权重", "90"]),
    ("利民惠民", 5, ["JY2021-060", "第 3 行"]),
    ("富民兴村", 3, ["区卫建委", "区卫生健康委员会"]),
    ("富民兴村", 3, ["梁徐镇", "梁徐街道"]),
    ("富民兴村", 4, ["民生保障"]),
    ("富民兴村", 4, ["早于"]),
    ("节点", 4, ["JY2021-099"]),
]
