"""The import on lists as the district's offices keep them (``tests/projects/office_files.py``): every value
each file means reaches the registry, the preview names every column it did not use, every row it skipped
and the values it read otherwise than spelt, errors come sorted by sheet and row, and the same files saved
again by LibreOffice import the same way. Nothing here is tuned on the portal's own template or export."""

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.models import Unit, UnitAlias
from accounts.selectors import unit_names
from demo.accounts import UNIT_ALIASES
from jiangyan.core.roles import Role
from projects import spreadsheets
from projects.models import ImportSynonym, Project
from projects.services import ImportRejected, projects_import, projects_import_preview
from tests.clients import sign_in
from tests.factories import UserFactory

from .office_files import BASELINE, GOOD_FILES, MISTAKE_ERRORS, MISTAKES, Meant, OfficeFile, registry_before

pytestmark = pytest.mark.django_db
FILES = {f.name[0]: f for f in GOOD_FILES}


@pytest.fixture
def district(db):
    """The demo district's organisation and lookups, and the projects of ``BASELINE`` in the registry."""
    registry_before()


def held(code: str) -> Meant:
    """What the registry holds for ``code``, in the terms of ``Meant``."""
    p = Project.objects.get(code=code)
    labels = spreadsheets.status_labels()
    return Meant(
        title=p.title,
        summary=p.summary,
        program=p.program.name,
        domain=p.domain.name,
        groups=frozenset(g.name for g in p.target_groups.all()),
        lead=p.lead_unit.name,
        cooperating=frozenset(u.name for u in p.cooperating_units.all()),
        leader=p.responsible_leader,
        towns=frozenset(t.name for t in p.towns.all()),
        start=p.planned_start,
        end=p.planned_end,
        public=p.is_public,
        status=labels[p.status],
        milestones=frozenset(
            (m.name, m.planned_date, m.weight, m.done_date, m.evidence) for m in p.milestones.all()
        ),
        indicators=frozenset((i.name, i.unit, i.target_value, i.current_value) for i in p.indicators.all()),
    )


def meant(m: Meant) -> Meant:
    """``m`` with its lists as sets (the registry keeps no order of towns or groups)."""
    return Meant(
        **{
            **m.__dict__,
            "groups": frozenset(m.groups),
            "cooperating": frozenset(m.cooperating),
            "towns": frozenset(m.towns),
            "milestones": frozenset(m.milestones),
            "indicators": frozenset((n, u, Decimal(str(t)), Decimal(str(c))) for n, u, t, c in m.indicators),
        }
    )


def preview(admin_user, content: bytes):
    return projects_import_preview(actor=admin_user, upload=io.BytesIO(content))


def import_file(admin_user, content: bytes):
    plan = preview(admin_user, content)
    projects_import(actor=admin_user, upload=io.BytesIO(content), expected_digest=plan.digest)
    return plan


# --- every value the office meant ---------------------------------------------------------------------------


@pytest.mark.parametrize("office", GOOD_FILES, ids=lambda f: f.name)
def test_every_value_of_an_office_file_reaches_the_registry_as_the_office_meant_it(
    admin_user, district, office: OfficeFile
):
    content = office.content()
    plan = preview(admin_user, content)
    assert {p.code for p in plan.created} == office.created
    assert {p.code for p in plan.updated} == office.updated
    before = Project.objects.count()
    projects_import(actor=admin_user, upload=io.BytesIO(content), expected_digest=plan.digest)

    assert Project.objects.count() == before + len(office.created)  # a code in any case or width is one
    for code, expected in office.projects.items():
        assert held(code) == meant(expected), code
    for code, expected in BASELINE.items():
        if code not in office.projects:
            assert held(code) == meant(expected), code
    again = preview(admin_user, content)  # read the same way twice: the file now says what the registry does
    assert not again.has_changes, [(p.code, p.changes, p.item_changes) for p in again.projects if p.changes]


@pytest.mark.parametrize("office", GOOD_FILES, ids=lambda f: f.name)
def test_the_preview_names_every_column_it_did_not_use_and_every_row_it_skipped(
    admin_user, district, office: OfficeFile
):
    book = preview(admin_user, office.content()).book
    read = [s for s in book.sheets if s.kind]
    assert {s.name: s.unused for s in read if s.unused} == office.unused
    assert {
        s.name: {n: k.kind for k in s.skipped for n in k.rows} for s in read if s.skipped
    } == office.skipped
    assert [s.name for s in book.sheets if not s.kind] == office.ignored_sheets
    assert all(s.reason for s in book.sheets if not s.kind)


@pytest.mark.parametrize("office", GOOD_FILES, ids=lambda f: f.name)
def test_the_preview_shows_how_it_read_the_values_it_did_not_take_as_spelt(
    admin_user, district, office: OfficeFile
):
    readings = preview(admin_user, office.content()).book.sorted_readings()
    for sheet, row, original, read in office.readings:
        assert any(
            r.sheet == sheet and r.number == row and original in r.original and read in r.read
            for r in readings
        ), (sheet, row, original, read, [(r.sheet, r.number, r.original, r.read) for r in readings])
    positions = [r.position for r in readings]
    assert positions == sorted(positions)


def test_a_list_with_mistakes_names_each_one_sorted_by_sheet_and_row_and_writes_nothing(admin_user, district):
    before = Project.objects.count()
    with pytest.raises(ImportRejected) as caught:
        preview(admin_user, MISTAKES.content())
    errors = caught.value.row_errors
    assert len(errors) == len(MISTAKE_ERRORS), errors
    for message, (sheet, row, words) in zip(errors, MISTAKE_ERRORS, strict=True):
        assert message.startswith(f"「{sheet}」第 {row} 行："), (message, sheet, row)
        assert all(word in message for word in words), (message, words)
    with pytest.raises(ImportRejected):
        projects_import(actor=admin_user, upload=io.BytesIO(MISTAKES.content()))
    assert Project.objects.count() == before


# --- the same files as a real spreadsheet program saves them ------------------------------------------------


@pytest.fixture(scope="module")
def resaved(tmp_path_factory) -> dict[str, bytes]:
    """Every good office file opened and saved again by LibreOffice (its own XML, styles and merges)."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    folder = tmp_path_factory.mktemp("office")
    sources = []
    for key, office in FILES.items():
        path = folder / f"{key}.xlsx"
        path.write_bytes(office.content())
        sources.append(str(path))
    out = folder / "resaved"
    profile = folder / "profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *sources],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return {key: (out / f"{key}.xlsx").read_bytes() for key in FILES}


@pytest.mark.parametrize("key", sorted(FILES))
def test_an_office_file_saved_again_by_libreoffice_imports_the_same(admin_user, district, resaved, key):
    office = FILES[key]
    import_file(admin_user, resaved[key])
    for code, expected in office.projects.items():
        assert held(code) == meant(expected), code
    assert not preview(admin_user, office.content()).has_changes  # the original reads the same


# --- the office's own words ------------------------------------------------------------------------------


def _one_sheet(header: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_header_the_office_adds_as_a_synonym_is_read_from_then_on(admin_user, district):
    content = _one_sheet(
        ["编号", "项目名称", "工程", "领域", "承办科室", "完成时限"],
        [["JY2021-090", "便民服务窗口", "提质增效", "政务服务", "区行政审批局", "2021年10月"]],
    )
    with pytest.raises(ImportRejected) as caught:
        preview(admin_user, content)
    assert "「Sheet」第 2 行：“领办单位”不能为空。" in caught.value.row_errors
    assert caught.value.book.sheets[0].unused == ["承办科室"]  # said, not dropped
    ImportSynonym.objects.create(target="project.lead_unit", text="承办科室")
    plan = preview(admin_user, content)
    assert plan.created[0].values["lead_unit"].name == "区行政审批局"


@pytest.fixture
def superuser(db):
    return UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)


def test_a_unit_alias_the_office_adds_in_the_admin_finds_the_unit(client, admin_user, superuser, district):
    content = _one_sheet(
        ["编号", "项目名称", "工程", "领域", "牵头单位", "完成时限"],
        [["JY2021-091", "城区停车泊位", "利民惠民", "交通出行", "区交警大队", "2021年10月"]],
    )
    with pytest.raises(ImportRejected):
        preview(admin_user, content)
    sign_in(client, superuser)
    unit = Unit.objects.get(name="区公安分局")
    response = client.post(reverse("admin:accounts_unitalias_add"), {"unit": unit.pk, "alias": "区交警大队"})
    assert response.status_code == 302
    assert preview(admin_user, content).created[0].values["lead_unit"] == unit


def test_an_alias_naming_another_unit_is_refused_in_the_admin(client, superuser, district):
    sign_in(client, superuser)
    response = client.post(
        reverse("admin:accounts_unitalias_add"),
        {"unit": Unit.objects.get(name="区民政局").pk, "alias": "区卫健委"},
    )
    assert response.status_code == 200
    assert "已是“区卫生健康委员会”的名称或别称" in response.content.decode()
    assert not UnitAlias.objects.filter(alias="区卫健委", unit__name="区民政局").exists()


def test_a_synonym_reading_as_two_columns_is_refused(client, superuser, district):
    sign_in(client, superuser)
    response = client.post(
        reverse("admin:projects_importsynonym_add"),
        {"target": "project.responsible_leader", "text": "牵 头单位"},
    )
    assert response.status_code == 200
    assert "已读作“项目表：领办单位”" in response.content.decode()


def test_a_lead_unit_nobody_goes_by_gets_the_nearest_unit_as_a_suggestion(admin_user, district):
    content = _one_sheet(
        ["编号", "项目名称", "工程", "领域", "牵头单位", "完成时限"],
        [["JY2021-092", "社区食堂", "利民惠民", "养老", "区民证局", "2021年10月"]],
    )
    with pytest.raises(ImportRejected) as caught:
        preview(admin_user, content)
    assert caught.value.row_errors == ["「Sheet」第 2 行：牵头单位“区民证局”不存在。是否为“区民政局”？"]


# --- dates, numbers, codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "end", "expected"),
    [
        ("2021年3月", True, "2021-03-31"),
        ("2021年3月", False, "2021-03-01"),
        ("2021年2月", True, "2021-02-28"),
        ("2021.3", True, "2021-03-31"),
        (2021.3, True, "2021-03-31"),
        (2021.12, True, "2021-12-31"),
        ("2021-3-31", True, "2021-03-31"),
        ("2021/3/31", False, "2021-03-31"),
        ("2021.3.31", True, "2021-03-31"),
        ("20210331", True, "2021-03-31"),
        ("２０２１年３月３１日", True, "2021-03-31"),
        (44286, True, "2021-03-31"),
        ("44286", True, "2021-03-31"),
        ("12月底前", True, "2021-12-31"),
        ("12月底前完成", True, "2021-12-31"),
        ("年底前", True, "2021-12-31"),
        ("年内", False, "2021-01-01"),
        ("6月中旬", True, "2021-06-20"),
        ("6月中旬", False, "2021-06-11"),
        ("6月上旬", True, "2021-06-10"),
        ("6月下旬", False, "2021-06-21"),
        ("十二月", True, "2021-12-31"),
        ("九月底", True, "2021-09-30"),
        ("三季度", True, "2021-09-30"),
        ("第二季度", False, "2021-04-01"),
        ("上半年", True, "2021-06-30"),
        ("2022年底", True, "2022-12-31"),
        ("8月31日", True, "2021-08-31"),
    ],
)
def test_date_spellings_of_the_offices(cell, end, expected):
    value, _spelt = spreadsheets.read_date(cell, end=end, year=2021)
    assert f"{value:%Y-%m-%d}" == expected


@pytest.mark.parametrize("cell", ["待定", "2021年13月", "明年", "1899-01-01", "2021年2月30日", 12.5, True])
def test_what_is_no_date_stays_an_error(cell):
    with pytest.raises(ValueError):
        spreadsheets.read_date(cell, end=True, year=2021)


@pytest.mark.parametrize(
    ("cell", "start", "end"),
    [
        ("2021.3—2021.12", "2021-03-01", "2021-12-31"),
        ("2021年4月-10月", "2021-04-01", "2021-10-31"),
        ("2021年5月至年底", "2021-05-01", "2021-12-31"),
        ("2021-3-1至2021-12-31", "2021-03-01", "2021-12-31"),
        ("2021.3～2022.6", "2021-03-01", "2022-06-30"),
        ("2021-3-31", None, "2021-03-31"),
    ],
)
def test_a_period_in_one_cell_gives_start_and_end(cell, start, end):
    got_start, got_end = spreadsheets.read_period(cell, year=2021)
    assert (got_start and f"{got_start:%Y-%m-%d}") == start
    assert f"{got_end:%Y-%m-%d}" == end


@pytest.mark.parametrize(
    ("cell", "percent", "value", "unit"),
    [
        (0.9, True, "90", "%"),
        (0.625, True, "62.5", "%"),
        ("90%", False, "90", "%"),
        ("96.5％", False, "96.5", "%"),
        ("１２０００", False, "12000", ""),
        ("20,000", False, "20000", ""),
        ("3万", False, "30000", ""),
        ("2万人", False, "20000", "人"),
        ("85所", False, "85", "所"),
        (155, False, "155", ""),
    ],
)
def test_numbers_read_as_the_sheet_shows_them(cell, percent, value, unit):
    number = spreadsheets.read_number(cell, percent=percent)
    assert (number.value, number.unit) == (Decimal(value), unit)


def test_a_weight_in_a_percent_cell_or_as_percent_text_is_its_points():
    assert spreadsheets.parse_weight(0.2, percent=True) == 20
    assert spreadsheets.parse_weight("30%") == 30
    with pytest.raises(ValueError):
        spreadsheets.parse_weight("20所")


# --- the page ----------------------------------------------------------------------------------------------


def test_the_preview_page_shows_what_it_read_and_the_confirmation_writes_it(client, admin_user, district):
    sign_in(client, admin_user)
    upload = SimpleUploadedFile("清单.xlsx", FILES["A"].content())
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    for words in (
        "未使用的列",
        "序号、备注",
        "跳过的行",
        "合计行",
        "注释行",
        "第 11 行",
        "读取时改写的值",
        "2021年12月",
        "2021-12-31",
        "团区委",
        "共青团姜堰区委",
        'data-label="',
    ):
        assert words in page, words
    token = response.context["token"]
    response = client.post(
        reverse("projects:import-confirm"), {"token": token, "digest": response.context["plan"].digest}
    )
    assert response.status_code == 302
    assert held("JY2021-003") == meant(FILES["A"].projects["JY2021-003"])


def test_the_page_lists_sorted_errors_and_the_columns_it_did_not_use(client, admin_user, district):
    sign_in(client, admin_user)
    upload = SimpleUploadedFile("有误.xlsx", MISTAKES.content())
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    positions = [page.index(f"「{sheet}」第 {row} 行") for sheet, row, _words in MISTAKE_ERRORS]
    assert positions == sorted(positions)
    assert "未使用的列" in page and "序号" in page


def _workbook(build) -> bytes:
    wb = Workbook()
    build(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PK\x03\x04 broken", "无法读取该文件"),
        (Path(__file__).read_bytes(), "不是 .xlsx 工作簿"),
        (_workbook(lambda wb: None), "没有项目表"),
        (_workbook(lambda wb: wb.active.append(["姓名", "电话"])), "没有项目表"),
        (_workbook(lambda wb: wb.active.append(["编号", "项目名称"])), "没有数据行"),
        (
            _workbook(
                lambda wb: [
                    wb.active.append(r) for r in (["编号", "牵头单位", "责任单位"], ["JY1", "a", "b"])
                ]
            ),
            "都读作“领办单位”",
        ),
    ],
    ids=["broken-zip", "not-a-zip", "empty", "no-header", "no-rows", "two-lead-columns"],
)
def test_a_file_the_import_cannot_read_is_a_clear_message_never_a_500(
    client, admin_user, district, content, words
):
    sign_in(client, admin_user)
    response = client.post(reverse("projects:import"), {"file": SimpleUploadedFile("p.xlsx", content)})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Project.objects.count() == len(BASELINE)


def test_two_lead_units_in_one_cell_are_named_as_such(admin_user, district):
    content = _one_sheet(
        ["编号", "项目名称", "工程", "领域", "牵头单位", "完成时限"],
        [["JY2021-093", "社区食堂", "利民惠民", "养老", "区民政局、区卫健委", "2021年10月"]],
    )
    with pytest.raises(ImportRejected) as caught:
        preview(admin_user, content)
    assert caught.value.row_errors == [
        "「Sheet」第 2 行：牵头单位只能填一个单位（其他单位请填在协办单位）：区民政局、区卫健委。"
    ]


def test_a_template_header_cannot_be_made_to_mean_another_column(client, superuser, district):
    sign_in(client, superuser)
    url = reverse("admin:projects_importsynonym_add")
    response = client.post(url, {"target": "project.title", "text": "状 态"})
    assert response.status_code == 200
    assert "是模板的表头" in response.content.decode()


def test_rows_far_below_that_are_only_formatted_are_no_rows(admin_user, district):
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "项目名称", "工程", "领域", "牵头单位", "完成时限"])
    ws.append(["JY2021-094", "社区食堂", "利民惠民", "养老", "区民政局", "2021年10月"])
    ws.cell(row=30000, column=3).font = Font(bold=True)  # a formatted cell, no value
    buffer = io.BytesIO()
    wb.save(buffer)
    assert [p.code for p in preview(admin_user, buffer.getvalue()).created] == ["JY2021-094"]


def test_every_alias_the_demo_seeds_names_one_unit_and_no_other(district):
    aliases = UnitAlias.objects.select_related("unit")
    assert aliases.count() == sum(len(a) for a in UNIT_ALIASES.values())
    for alias in aliases:
        alias.full_clean()  # not another unit's name, short name or alias


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("区教育局", "区教育局"),
        ("教育局", "区教育局"),
        ("姜堰区教育局", "区教育局"),
        ("区 教育局", "区教育局"),
        ("区人社局", "区人力资源和社会保障局"),
        ("人社局", "区人力资源和社会保障局"),
        ("区卫健委", "区卫生健康委员会"),
        ("卫健委", "区卫生健康委员会"),
        ("团区委", "共青团姜堰区委"),
        ("泰州市姜堰生态环境局", "区生态环境局"),
        ("区委政法委", "区委政法委员会"),
    ],
)
def test_units_are_found_by_the_names_offices_write(district, written, unit):
    assert unit_names().find(written).unit.name == unit
