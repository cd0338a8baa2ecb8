"""The project list by spreadsheet: import (all rows or none, bad rows named), update by code with a preview
field by field, nothing deleted silently, the export's round trip as "no changes", the template, downloads
with Chinese file names, and one rounding rule for scores in the ledger."""

import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from demo.projects import seed_lookups
from jiangyan.core.roles import Role
from jiangyan.models import AuditEvent
from projects import importing, spreadsheets
from projects.choices import EvaluatorRole, ProjectStatus
from projects.models import Indicator, IndicatorUpdate, Milestone, Project
from projects.services import ImportRejected, projects_import, projects_import_preview
from tests.clients import sign_in
from tests.factories import TownFactory, UnitFactory, UserFactory
from tests.matrix import expect, outcome
from tests.race import needs_postgresql, race

from .factories import EvaluationFactory, IndicatorFactory, MilestoneFactory, ProjectFactory, current_year
from .sheets import project_rows, workbook_bytes

pytestmark = pytest.mark.django_db
START = datetime.date(2021, 5, 1)


@pytest.fixture
def rows(db):
    UnitFactory(name="区民政局")
    UnitFactory(name="区卫生健康委员会")
    TownFactory(name="溱潼镇")
    TownFactory(name="俞垛镇")
    return project_rows(50, unit="区民政局", town="溱潼镇", start=START)


def counts():
    return Project.objects.count(), Milestone.objects.count(), Indicator.objects.count()


def export_bytes(client, **query) -> bytes:
    response = client.get(reverse("projects:export"), query)
    assert response.status_code == 200
    return response.content


def preview(admin_user, content: bytes) -> importing.ImportPlan:
    return projects_import_preview(actor=admin_user, upload=io.BytesIO(content))


def edit(content: bytes, changes) -> bytes:
    """The workbook ``content`` with ``changes(book)`` applied, as an office worker would in Excel."""
    book = load_workbook(io.BytesIO(content))
    changes(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_of(sheet, code: str, name: str | None = None) -> int:
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == code and (name is None or row[1].value == name):
            return row[0].row
    raise AssertionError(f"{code} {name} not in {sheet.title}")


# --- all or nothing, every bad row named ----------------------------------------------------------------


def test_one_bad_row_in_50_writes_nothing_and_names_the_row(admin_user, rows):
    rows["projects"][25][6] = "不存在的单位"  # sheet row 27 (row 1 is the header)
    with pytest.raises(ImportRejected) as caught:
        projects_import(actor=admin_user, upload=workbook_bytes(rows))
    assert counts() == (0, 0, 0)
    assert caught.value.row_errors == ["「项目」第 27 行：领办单位“不存在的单位”不存在。"]


def test_every_bad_row_is_reported_with_its_reason(admin_user, rows):
    rows["projects"][2][10] = "2021-13-45"
    rows["projects"][3][0] = rows["projects"][1][0]
    rows["projects"][4][0] = "import"  # would shadow the page /projects/import/
    rows["projects"][5][8] = "王" * 51
    rows["milestones"][0][3] = 15  # project 1's weights now sum to 105
    rows["indicators"][1][3] = "abc"
    rows["indicators"][3][4] = "1.005"
    with pytest.raises(ImportRejected) as caught:
        projects_import(actor=admin_user, upload=workbook_bytes(rows))
    text = "\n".join(caught.value.row_errors)
    assert "「项目」第 4 行：“计划开始”不是可识别的日期" in text
    assert "「项目」第 5 行：编号“JY2030-002”与第 3 行重复。" in text
    assert "「项目」第 6 行：编号“import”无效" in text
    assert "「项目」第 7 行：“责任领导”超过 50 个字。" in text
    assert "「项目」第 2 行：项目“JY2030-001”的节点权重合计为 105，应为 100。" in text
    assert "「指标」第 3 行：目标值应为数字。" in text
    assert "「指标」第 5 行：当前值最多保留两位小数。" in text
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("weight", ["1e10000000", "9" * 5000, "1e-10000000", float("inf")])
def test_a_weight_like_1e10000000_is_a_row_error_at_once(admin_user, rows, weight):
    """Issue 10: ``int(Decimal("1e10000000"))`` kept a worker busy past its timeout. The exponent is now
    checked before anything computes with the number."""
    rows["milestones"][1][3] = weight
    with pytest.raises(ImportRejected) as caught:
        projects_import(actor=admin_user, upload=workbook_bytes(rows))
    assert "「节点」第 3 行：权重应为 0 到 100 的整数。" in caught.value.row_errors
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("raw", ["1e10000000", "-1e10000000", "1e16", "nan", "Infinity", "1" * 41])
def test_numbers_out_of_any_range_are_refused_before_arithmetic(raw):
    with pytest.raises(ValueError):
        spreadsheets.parse_decimal(raw)
    with pytest.raises(ValueError):
        spreadsheets.parse_weight(raw)
    assert spreadsheets.parse_weight("40") == 40 and spreadsheets.parse_weight(40.0) == 40
    assert spreadsheets.parse_decimal(0.1 + 0.2) == Decimal("0.3")


def test_import_page_shows_the_bad_rows_and_writes_nothing(client, admin_user, rows):
    rows["projects"][25][3] = "不存在的工程"
    sign_in(client, admin_user)
    upload = SimpleUploadedFile("p.xlsx", workbook_bytes(rows).getvalue())
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 400
    assert "「项目」第 27 行：工程“不存在的工程”不存在。" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_import_page_rejects_a_file_that_is_not_a_workbook(client, admin_user):
    sign_in(client, admin_user)
    response = client.post(reverse("projects:import"), {"file": SimpleUploadedFile("p.xlsx", b"not a zip")})
    assert response.status_code == 400
    assert "无法读取该文件" in response.content.decode()
    response = client.post(reverse("projects:import"), {"file": SimpleUploadedFile("p.csv", b"a,b")})
    assert "请上传 .xlsx 文件。" in response.content.decode()


# --- create, preview, confirm ---------------------------------------------------------------------------


def test_upload_previews_without_writing_and_confirm_writes_what_was_shown(client, admin_user, rows):
    sign_in(client, admin_user)
    upload = SimpleUploadedFile("p.xlsx", workbook_bytes(rows).getvalue())
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 200
    assert counts() == (0, 0, 0)
    plan = response.context["plan"]
    assert len(plan.created) == 50 and not plan.updated
    page = response.content.decode()
    assert "新建 50 个项目，更新 0 个，0 个无变化。" in page
    assert "JY2030-017" in page and "导入测试项目17" in page

    confirm = client.post(
        reverse("projects:import-confirm"), {"token": response.context["token"], "digest": plan.digest}
    )
    assert confirm.status_code == 302
    assert counts() == (50, 200, 100)
    assert AuditEvent.objects.filter(verb="project.import").count() == 50
    event = AuditEvent.objects.for_object(Project.objects.get(code="JY2030-001")).get()
    assert event.actor == admin_user and event.after["action"] == "create"
    # The staged file is spent: confirming twice does not import twice.
    again = client.post(
        reverse("projects:import-confirm"), {"token": response.context["token"], "digest": plan.digest}
    )
    assert again.status_code == 302 and counts() == (50, 200, 100)


@pytest.mark.parametrize("role,expected", expect(default=403, anonymous="login", admin="ok"))
def test_only_the_office_confirms_an_import(client_as, admin_user, rows, role, expected):
    content = workbook_bytes(rows).getvalue()
    token = importing.stage_upload(user=admin_user, content=content)
    data = {"token": token, "digest": preview(admin_user, content).digest}
    assert outcome(client_as(role).post(reverse("projects:import-confirm"), data)) == expected
    # The office's own confirmation imports; nobody else's does.
    assert counts() == ((50, 200, 100) if role == Role.ADMIN else (0, 0, 0))


def test_a_staged_upload_belongs_to_the_user_who_previewed_it(client, admin_user, rows):
    sign_in(client, admin_user)
    upload = SimpleUploadedFile("p.xlsx", workbook_bytes(rows).getvalue())
    response = client.post(reverse("projects:import"), {"file": upload})
    other = UserFactory(roles=[Role.ADMIN])
    sign_in(client, other)
    confirm = client.post(
        reverse("projects:import-confirm"),
        {"token": response.context["token"], "digest": response.context["plan"].digest},
    )
    assert confirm.status_code == 302 and counts() == (0, 0, 0)
    assert "预览已过期" in client.get(reverse("projects:import")).content.decode()


def test_a_registry_changed_after_the_preview_is_previewed_again_not_written(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    rows["projects"][0][1] = "新的名称"
    sign_in(client, admin_user)
    response = client.post(
        reverse("projects:import"), {"file": SimpleUploadedFile("p.xlsx", workbook_bytes(rows).getvalue())}
    )
    token, digest = response.context["token"], response.context["plan"].digest
    Project.objects.filter(code="JY2030-002").update(title="别人刚改的名称")  # meanwhile, in the admin
    confirm = client.post(reverse("projects:import-confirm"), {"token": token, "digest": digest})
    assert confirm.status_code == 409
    assert Project.objects.get(code="JY2030-001").title == "导入测试项目1"  # nothing written
    fresh = confirm.context["plan"]
    assert {p.code for p in fresh.updated} == {"JY2030-001", "JY2030-002"}
    client.post(reverse("projects:import-confirm"), {"token": token, "digest": fresh.digest})
    assert Project.objects.get(code="JY2030-001").title == "新的名称"
    assert Project.objects.get(code="JY2030-002").title == "导入测试项目2"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_the_same_new_projects_create_them_once(admin_user, rows):
    seed_lookups()  # a transactional test may follow another that emptied the migration's lookups
    content = workbook_bytes(rows).getvalue()
    digest = preview(admin_user, content).digest

    def confirm():
        return projects_import(actor=admin_user, upload=io.BytesIO(content), expected_digest=digest)

    results, errors = race([confirm, confirm])
    assert len(results) == 1 and len(errors) == 1
    assert getattr(errors[0], "code", "") == "import_changed"
    assert counts() == (50, 200, 100)


# --- update by code, nothing deleted silently -----------------------------------------------------------


@pytest.fixture
def registry(admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    return admin_user


def test_reupload_updates_by_code_and_the_preview_names_each_change(client, registry, rows):
    admin_user = registry
    sign_in(client, admin_user)
    done = START + datetime.timedelta(days=70)
    rows["projects"][0][1] = "导入测试项目1（扩面）"
    rows["projects"][0][7] = "区卫生健康委员会"
    rows["projects"][0][9] = "溱潼镇、俞垛镇"
    rows["projects"][0][13] = "已完成"
    rows["milestones"][1][4] = done  # project 1's second milestone done
    rows["milestones"][2][3], rows["milestones"][3][3] = 25, 45  # weights moved, still 100
    rows["indicators"][0][3] = 200  # target
    rows["indicators"][0][4] = 150  # current value
    rows["projects"].append(rows["projects"][1][:])
    rows["projects"][-1][0] = "JY2030-051"
    response = client.post(
        reverse("projects:import"), {"file": SimpleUploadedFile("p.xlsx", workbook_bytes(rows).getvalue())}
    )
    plan = response.context["plan"]
    assert [p.code for p in plan.created] == ["JY2030-051"]
    assert [p.code for p in plan.updated] == ["JY2030-001"]
    assert len(plan.unchanged) == 49
    (update,) = plan.updated
    assert [(c.field, c.before, c.after) for c in update.changes] == [
        ("项目名称", "导入测试项目1", "导入测试项目1（扩面）"),
        ("协办单位", "—", "区卫生健康委员会"),
        ("实施镇街", "溱潼镇", "溱潼镇、俞垛镇"),
        ("状态", "推进中", "已完成"),
    ]
    items = {
        (i.name, i.action): [(c.field, c.before, c.after) for c in i.changes] for i in update.item_changes
    }
    assert items == {
        ("节点2", "update"): [("实际完成日期", "—", f"{done:%Y-%m-%d}")],
        ("节点3", "update"): [("权重", "30", "25")],
        ("节点4", "update"): [("权重", "40", "45")],
        ("服务老人", "update"): [("目标值", "101", "200"), ("当前值", "1", "150")],
    }
    page = response.content.decode()
    assert "导入测试项目1（扩面）" in page and "区卫生健康委员会" in page
    assert counts() == (50, 200, 100)  # a preview writes nothing

    client.post(
        reverse("projects:import-confirm"), {"token": response.context["token"], "digest": plan.digest}
    )
    project = Project.objects.get(code="JY2030-001")
    assert project.title == "导入测试项目1（扩面）" and project.status == ProjectStatus.COMPLETED
    assert {t.name for t in project.towns.all()} == {"溱潼镇", "俞垛镇"}
    assert project.milestones.get(name="节点2").done_date == done
    assert list(project.milestones.values_list("weight", flat=True)) == [10, 20, 25, 45]
    indicator = project.indicators.get(name="服务老人")
    assert (indicator.target_value, indicator.current_value) == (200, 150)
    assert IndicatorUpdate.objects.get(indicator=indicator).previous_value == 1
    verbs = list(AuditEvent.objects.for_object(project).values_list("verb", flat=True))
    assert verbs == ["project.import", "project.import", "project.indicator_update", "project.status"]
    event = AuditEvent.objects.for_object(project).filter(verb="project.import").last()
    assert event.before["项目名称"] == "导入测试项目1" and event.after["项目名称"] == "导入测试项目1（扩面）"
    assert "修改：项目名称、协办单位、实施镇街、状态" in event.note
    assert Project.objects.count() == 51
    assert not AuditEvent.objects.for_object(Project.objects.get(code="JY2030-002")).exclude(
        after__action="create"
    )


def test_nothing_is_deleted_silently(registry, rows):
    admin_user = registry
    reported = START + datetime.timedelta(days=40)  # a lead unit marked it done in the portal
    Milestone.objects.filter(project__code="JY2030-002", name="节点2").update(done_date=reported)
    del rows["projects"][49]  # JY2030-050 leaves the sheet: it stays in the registry
    rows["milestones"] = [r for r in rows["milestones"] if r[0] != "JY2030-050"]
    rows["indicators"] = [r for r in rows["indicators"] if r[0] != "JY2030-050"]
    # JY2030-001 drops 节点4 and 建成站点 (not done, no values reported): removed, and the preview says so.
    rows["milestones"] = [r for r in rows["milestones"] if (r[0], r[1]) != ("JY2030-001", "节点4")]
    rows["milestones"][2][3] = 70
    rows["indicators"] = [r for r in rows["indicators"] if (r[0], r[1]) != ("JY2030-001", "建成站点")]
    # JY2030-002's 节点2 is done in the registry; the sheet leaves its done date empty: it stays done.
    plan = projects_import_preview(actor=admin_user, upload=workbook_bytes(rows))
    assert plan.untouched == 1
    (update,) = plan.updated
    assert {(i.kind, i.name, i.action) for i in update.item_changes} == {
        ("milestone", "节点3", "update"),
        ("milestone", "节点4", "delete"),
        ("indicator", "建成站点", "delete"),
    }
    kept = next(p for p in plan.unchanged if p.code == "JY2030-002").kept
    assert [(i.name, i.note) for i in kept] == [
        ("节点2", "已于 2021-06-10 完成，表中未填完成日期，保留系统记录")
    ]
    projects_import(actor=admin_user, upload=workbook_bytes(rows), expected_digest=plan.digest)
    assert Project.objects.filter(code="JY2030-050").exists()
    assert list(Milestone.objects.filter(project__code="JY2030-001").values_list("name", flat=True)) == [
        "节点1",
        "节点2",
        "节点3",
    ]
    assert Milestone.objects.get(project__code="JY2030-002", name="节点2").done_date == reported

    # A done milestone, or an indicator with reported values, is never removed by a sheet.
    rows["milestones"] = [r for r in rows["milestones"] if (r[0], r[1]) != ("JY2030-002", "节点2")]
    rows["milestones"][4][3] = 50  # JY2030-002's 节点3: 10 + 50 + 40 keeps the weights at 100
    Indicator.objects.filter(project__code="JY2030-003", name="建成站点").update(current_value=1)
    IndicatorUpdate.objects.create(
        indicator=Indicator.objects.get(project__code="JY2030-003", name="建成站点"),
        previous_value=0,
        value=1,
    )
    rows["indicators"] = [r for r in rows["indicators"] if (r[0], r[1]) != ("JY2030-003", "建成站点")]
    with pytest.raises(ImportRejected) as caught:
        projects_import(actor=admin_user, upload=workbook_bytes(rows))
    assert (
        "「项目」第 3 行：节点“节点2”已完成，不能通过导入删除（表中没有该节点）。" in caught.value.row_errors
    )
    assert "「项目」第 4 行：指标“建成站点”已有填报记录，不能通过导入删除（表中没有该指标）。" in (
        caught.value.row_errors
    )


def test_a_sheet_of_codes_and_statuses_only_changes_statuses(registry):
    admin_user = registry
    wb = Workbook()
    wb.active.title = "项目"
    wb.active.append(["编号", "项目名称", "状态"])
    wb.active.append(["JY2030-003", "导入测试项目3", "暂缓"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = projects_import(actor=admin_user, upload=io.BytesIO(buffer.getvalue()))
    assert (result.created, result.updated, result.milestones) == (0, 1, 0)
    project = Project.objects.get(code="JY2030-003")
    assert project.status == ProjectStatus.SUSPENDED and project.towns.get().name == "溱潼镇"
    assert project.milestones.count() == 4


# --- round trip -----------------------------------------------------------------------------------------


@pytest.fixture
def varied_registry(db):
    """Projects as the portal holds them after months of work: done milestones with evidence (one that
    looks like a formula), decimals, several units and towns, non-public, every status."""
    units = [UnitFactory(name=n) for n in ("区民政局", "区卫生健康委员会", "区医疗保障局")]
    towns = [TownFactory(name=n) for n in ("罗塘街道", "溱潼镇")]
    for n, status in enumerate(ProjectStatus.values, start=1):
        project = ProjectFactory(
            code=f"JY2021-{n:03d}",
            title=f'=HYPERLINK("x") 项目{n}' if n == 1 else f"敬老院提档升级（第{n}批）",
            summary="-负号开头的简介" if n == 2 else "",
            lead_unit=units[0],
            status=status,
            is_public=n != 3,
        )
        project.cooperating_units.set(units[1:])
        project.towns.set(towns[: n % 2 + 1])
        MilestoneFactory(project=project, weight=30, done_date=project.planned_start, evidence="@现场照片")
        MilestoneFactory(project=project, weight=70, name="全面完成")
        IndicatorFactory(project=project, target_value=Decimal("12.5"), current_value=Decimal("0.75"))
    return Project.objects.all()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_export_imports_back_as_no_changes(client, admin_user, varied_registry, language):
    sign_in(client, admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the switch at the foot of every page
    response = client.get(reverse("projects:export"))
    assert response["Content-Language"] == language
    content = response.content
    with translation.override(language):  # the office imports it in the same language
        plan = preview(admin_user, content)
    assert not plan.has_changes
    assert [p.code for p in plan.unchanged] == [p.code for p in varied_registry.order_by("code")]
    assert all(not p.kept for p in plan.unchanged)
    before = AuditEvent.objects.count()
    result = projects_import(actor=admin_user, upload=io.BytesIO(content))
    assert (result.created, result.updated, result.milestones, result.indicators) == (0, 0, 0, 0)
    assert AuditEvent.objects.count() == before


def test_an_export_of_a_filtered_list_imports_back_as_no_changes(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    sign_in(client, admin_user)
    content = export_bytes(client, q="导入测试项目7")
    plan = preview(admin_user, content)
    assert [p.code for p in plan.unchanged] == ["JY2030-007"] and not plan.has_changes
    assert plan.untouched == 49


def test_export_cells_read_back_as_the_imported_values(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    sign_in(client, admin_user)
    book = load_workbook(io.BytesIO(export_bytes(client)))

    def sheet(name, width):
        values = list(book[name].iter_rows(min_row=2, values_only=True))
        return [[v.date() if isinstance(v, datetime.datetime) else v for v in row[:width]] for row in values]

    assert sheet("项目", 14) == [[c if c != "" else None for c in row] for row in rows["projects"]]
    assert sheet("节点", 6) == [[c if c != "" else None for c in row] for row in rows["milestones"]]
    assert sheet("指标", 5) == rows["indicators"]


def test_export_follows_the_filters(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    response = client.get(reverse("projects:export"), {"q": "导入测试项目7"})  # anonymous: public only
    book = load_workbook(io.BytesIO(response.content))
    assert [r[0] for r in book["项目"].iter_rows(min_row=2, values_only=True)] == ["JY2030-007"]


# --- the template and the downloads ---------------------------------------------------------------------


def test_the_untouched_template_imports_cleanly_on_an_empty_registry(client, admin_user):
    for name in ("区教育局", "共青团姜堰区委", "区民政局", "区妇女联合会"):
        UnitFactory(name=name)
    TownFactory(name="罗塘街道")
    sign_in(client, admin_user)
    response = client.get(reverse("projects:import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    result = projects_import(actor=admin_user, upload=io.BytesIO(response.content))
    assert (result.created, result.milestones, result.indicators) == (1, 3, 1)
    project = Project.objects.get()
    assert project.code == f"JY{timezone.localdate().year}-001"
    assert project.lead_unit.name == "共青团姜堰区委" and project.domain.name == "教育"


def test_the_template_example_takes_a_code_the_registry_does_not_have(client, admin_user):
    UnitFactory(name="区教育局")
    year = current_year().year  # a code of the current campaign year
    ProjectFactory(code=f"JY{year}-001")
    sign_in(client, admin_user)
    content = client.get(reverse("projects:import-template")).content
    plan = preview(admin_user, content)
    assert [p.code for p in plan.created] == [f"JY{year}-002"] and not plan.updated


def test_every_download_has_a_chinese_file_name_browsers_keep(client, admin_user, rows):
    projects_import(actor=admin_user, upload=workbook_bytes(rows))
    sign_in(client, admin_user)
    for url, name in (
        (reverse("projects:import-template"), "实事项目导入模板.xlsx"),
        (reverse("projects:export"), f"实事项目清单-{timezone.localdate():%Y%m%d}.xlsx"),
        (reverse("projects:ledger-xlsx", args=["JY2030-001"]), "JY2030-001-一单一表.xlsx"),
    ):
        header = client.get(url)["Content-Disposition"]
        assert header.startswith('attachment; filename="'), header
        assert f"filename*=UTF-8''{quote(name, safe='')}" in header


# --- the ledger and the one rounding rule ---------------------------------------------------------------


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


def test_a_score_reads_the_same_on_the_page_the_ledger_and_its_xlsx(client, supervisor):
    project = ProjectFactory()
    for score in (5, 5, 4, 4, 4, 3, 2, 2):  # 29 / 8 = 3.625
        EvaluationFactory(project=project, score=score, evaluator_role=EvaluatorRole.PARTY_MEMBER)
    sign_in(client, supervisor)
    page = client.get(project.get_absolute_url()).content.decode()
    ledger = client.get(reverse("projects:ledger", args=[project.code])).content.decode()
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("projects:ledger-xlsx", args=[project.code])).content)
    )
    averages = next(row[1] for row in sheet["一单一表"].iter_rows(values_only=True) if row[0] == "评价均分")
    assert "3.63" in page and "3.63" in ledger and "普通党员议 3.63" in averages
    assert "3.62" not in page + ledger + averages


def test_spreadsheet_cells_from_people_are_text_not_formulas(client, admin_user, varied_registry):
    sign_in(client, admin_user)
    book = load_workbook(io.BytesIO(export_bytes(client)))
    title = book["项目"]["B2"]
    assert title.value.startswith("=HYPERLINK") and title.data_type == "s" and title.quotePrefix
    evidence = book["节点"]["F2"]
    assert evidence.value == "@现场照片" and evidence.data_type == "s"
    ledger = load_workbook(
        io.BytesIO(client.get(reverse("projects:ledger-xlsx", args=["JY2021-001"])).content)
    )
    cells = [c for row in ledger["一单一表"].iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
