"""Builds import workbooks for tests and the benchmark."""

import datetime
import io

from openpyxl import Workbook

from projects.spreadsheets import INDICATOR_COLUMNS, MILESTONE_COLUMNS, PROJECT_COLUMNS


def project_rows(count: int, *, unit: str, town: str, start: datetime.date, prefix: str = "JY2030") -> dict:
    """``count`` valid projects (4 milestones of weights 10/20/30/40 and 2 indicators each) as sheet rows."""
    projects, milestones, indicators = [], [], []
    for n in range(1, count + 1):
        code = f"{prefix}-{n:03d}"
        projects.append([
            code, f"导入测试项目{n}", "简介", "利民惠民", "养老", "老年、低收入", unit, "", "王局长", town,
            start, start + datetime.timedelta(days=200), "是" if n % 5 else "否", "推进中",
        ])  # fmt: skip
        for i, weight in enumerate((10, 20, 30, 40)):
            done = start + datetime.timedelta(days=30 * i) if i == 0 else None
            milestones.append(
                [code, f"节点{i + 1}", start + datetime.timedelta(days=50 * (i + 1)), weight, done, ""]
            )
        indicators.append([code, "服务老人", "人", 100 + n, n])
        indicators.append([code, "建成站点", "个", 5, 0])
    return {"projects": projects, "milestones": milestones, "indicators": indicators}


def workbook_bytes(rows: dict) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(PROJECT_COLUMNS)
    for row in rows["projects"]:
        ws.append(row)
    wm = wb.create_sheet("节点")
    wm.append(MILESTONE_COLUMNS)
    for row in rows["milestones"]:
        wm.append(row)
    wi = wb.create_sheet("指标")
    wi.append(INDICATOR_COLUMNS)
    for row in rows["indicators"]:
        wi.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "projects.xlsx"
    return buffer
