"""Import (all rows or none, bad rows named), export round trip, template and ledger."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jiangyan.models import AuditEvent
from projects.models import Indicator, Milestone, Project
from projects.services import ImportRejected, projects_import
from tests.factories import TownFactory, UnitFactory

from .sheets import project_rows, workbook_bytes

pytestmark = pytest.mark.django_db
START = datetime.date(2021, 5, 1)


@pytest.fixture
def rows(db):
    UnitFactory(name="区民政局")
    TownFactory(name="溱潼镇")
    return project_rows(50, unit="区民政局", town="溱潼镇", start=START)


def counts():
    return Project.objects.count(), Milestone.objects.count(), Indicator.objects.count()


def test_one_bad_row_in_50_writes_nothing_and_names_the_row(admin_user, rows):
    rows["projects"][25][6] = "不存在的单位"  # sheet row 27 (row 1 is the header)
    with pytest.raises(ImportRejected) as caught:
        projects_import(actor=admin_user, upload=workbook_bytes(rows))
    assert counts() == (0, 0, 0)
    assert caught.value.row_errors == ["「项目」第 27 行：领办单位“不存在的单位”不存在。"]


def test_every_bad_row_is_reported_with_its_reason(admin_user, rows):
    rows["projects"][2][10] = "2021-13-45"
    rows["projects"][3][0] = rows["projects"][1][0]
    rows["milestones"][0][3] = 15  # project 1's weights now sum to 105
    rows["indicators"][1][3] = "abc"
    with pytest.raises(ImportRejected) as caught:
        projects_import(actor=admin_user, upload=workbook_bytes(rows))
    text = "\n".join(caught.value.row_errors)
    assert "「项目」第 4 行：“计划开始”不是有效日期" in text
    assert "「项目」第 5 行：编号“JY2030-002”与第 3 行重复。" in text
    assert "「项目」第 2 行：项目“JY2030-001”的节点权重合计为 105，应为 100。" in text
    assert "「指标」第 3 行：目标值应为数字。" in text
    assert counts() == (0, 0, 0)


def test_import_page_shows_the_bad_rows_and_writes_nothing(client, admin_user, rows):
    rows["projects"][25][3] = "不存在的工程"
    client.force_login(admin_user)
    upload = SimpleUploadedFile("p.xlsx", workbook_bytes(rows).getvalue())
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 200
    assert "「项目」第 27 行：工程“不存在的工程”不存在。" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_import_page_rejects_a_file_that_is_not_a_workbook(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("projects:import"), {"file": SimpleUploadedFile("p.xlsx", b"not a zip")})
    assert response.status_code == 200
    assert "无法读取该文件" in response.content.decode()
    response = client.post(reverse("projects:import"), {"file": SimpleUploadedFile("p.csv", b"a,b")})
    assert "请上传 .xlsx 文件。" in response.content.decode()


def test_good_import_round_trips_through_export(client, admin_user, rows):
    result = projects_import(actor=admin_user, upload=workbook_bytes(rows))
    assert (result.projects, result.milestones, result.indicators) == (50, 200, 100)
    assert AuditEvent.objects.filter(verb="project.import").count() == 50
    client.force_login(admin_user)
    response = client.get(reverse("projects:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))

    def sheet(name, width):
        values = list(book[name].iter_rows(min_row=2, values_only=True))
        return [[v.date() if isinstance(v, datetime.datetime) else v for v in row[:width]] for row in values]

    assert sheet("项目", 14) == [[c if c != "" else None for c in row] for row in rows["projects"]]
    assert sheet("节点", 6) == [[c if c != "" else None for c in row] for row in rows["milestones"]]
    assert sheet("指标", 5) == rows["indicators"]
    # The export is itself importable: into an empty registry it gives the same projects back.
    Project.objects.all().delete()
    again = projects_import(actor=admin_user, upload=io.BytesIO(response.content))
    assert (again.projects, again.milestones, again.indicators) == (50, 200, 100)


def test_export_follows_the_filters(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    response = client.get(reverse("projects:export"), {"q": "导入测试项目7"})  # anonymous: public only
    book = load_workbook(io.BytesIO(response.content))
    assert [r[0] for r in book["项目"].iter_rows(min_row=2, values_only=True)] == ["JY2030-007"]


def test_template_downloads_and_imports_its_example(client, admin_user):
    UnitFactory(name="区教育局")
    UnitFactory(name="区妇女联合会")
    TownFactory(name="罗塘街道")
    client.force_login(admin_user)
    response = client.get(reverse("projects:import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    result = projects_import(actor=admin_user, upload=io.BytesIO(response.content))
    assert result.projects == 1 and result.milestones == 3


def test_ledger_xlsx_and_print_page(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    response = client.get(reverse("projects:ledger-xlsx", args=["JY2030-001"]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["一单一表"]
    assert "JY2030-001" in ws["A1"].value
    page = client.get(reverse("projects:ledger", args=["JY2030-001"]))
    assert page.status_code == 200
    assert "css/ledger.css" in page.content.decode()  # its @page rule sets A4
    assert "size: A4" in (settings.BASE_DIR / "static/css/ledger.css").read_text()
