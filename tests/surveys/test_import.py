import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiangyan.core.exceptions import ApplicationError
from jiangyan.models import AuditEvent
from surveys import services, spreadsheets
from surveys.choices import Channel
from surveys.models import Answer, Response, Suggestion
from tests.clients import sign_in
from tests.factories import CommunityFactory

from .factories import ResponseFactory, import_row, import_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db):
    return CommunityFactory()


def test_import_writes_every_row_with_its_answers_and_suggestions(s, admin_user, place):
    file = import_sheet(
        s, [import_row(place), import_row(place, phone="13600136001", channel="大走访", text="")]
    )
    assert services.responses_import(actor=admin_user, survey=s["survey"], file=file) == 2
    rows = sorted(Response.objects.all(), key=lambda r: r.phone)  # the phone is encrypted: sorted here
    assert [r.channel for r in rows] == [Channel.IMPORT, Channel.VISIT]
    assert rows[0].submitted_at.strftime("%Y-%m-%d") == "2021-05-20"
    assert Answer.objects.filter(response=rows[0]).count() == 6
    assert Suggestion.objects.count() == 1
    assert AuditEvent.objects.filter(verb="survey.responses_import").count() == 1


def test_import_with_one_bad_row_writes_nothing_and_names_theimport_row(s, admin_user, place):
    file = import_sheet(
        s,
        [
            import_row(place),
            import_row(place, phone="13600136001", rating=9),
            import_row(place, phone="13600136002"),
        ],
    )
    with pytest.raises(ApplicationError) as raised:
        services.responses_import(actor=admin_user, survey=s["survey"], file=file)
    errors = raised.value.fields["file"]
    assert len(errors) == 1 and errors[0].startswith("第 3 行：") and "3. 养老服务满意度" in errors[0]
    assert Response.objects.count() == 0 and Answer.objects.count() == 0 and Suggestion.objects.count() == 0


def test_import_names_every_kind_of_badimport_row(s, admin_user, place):
    ResponseFactory(survey=s["survey"], phone="13600136009")
    file = import_sheet(
        s,
        [
            import_row(place, phone="12345"),
            import_row(place, community="不存在社区"),
            import_row(place, phone="13600136003", single="100岁"),
            import_row(place, phone="13600136003"),
            import_row(place, phone="13600136004", single=None),
            import_row(place, phone="13600136005", channel="飞鸽传书", time="昨天"),
        ],
    )
    with pytest.raises(ApplicationError) as raised:
        services.responses_import(actor=admin_user, survey=s["survey"], file=file)
    errors = "\n".join(raised.value.fields["file"])
    assert "第 2 行：手机号不正确" in errors
    assert "第 3 行：社区" in errors
    assert "第 4 行：1. 年龄段：选项“100岁”不存在" in errors
    assert "第 5 行：手机号与第 4 行重复" in errors
    assert "第 6 行：1. 年龄段：此题为必答题" in errors
    assert "第 7 行：" in errors and "渠道“飞鸽传书”无效" in errors and "提交时间格式不正确" in errors
    assert Response.objects.count() == 1


def test_import_refuses_phone_that_already_answered(s, admin_user, place):
    ResponseFactory(survey=s["survey"], phone="13600136000")
    with pytest.raises(ApplicationError) as raised:
        services.responses_import(
            actor=admin_user, survey=s["survey"], file=import_sheet(s, [import_row(place)])
        )
    assert "第 2 行" in raised.value.fields["file"][0]
    assert Response.objects.count() == 1


def test_import_refuses_a_file_that_is_not_a_workbook(s, admin_user):
    with pytest.raises(ApplicationError, match="无法读取"):
        services.responses_import(actor=admin_user, survey=s["survey"], file=io.BytesIO(b"not a workbook"))


def test_import_page_shows_row_errors(client, s, admin_user, place):
    sign_in(client, admin_user)
    upload = SimpleUploadedFile("r.xlsx", import_sheet(s, [import_row(place, rating=0)]).getvalue())
    response = client.post(f"/surveys/{s['survey'].pk}/import/", {"file": upload})
    assert response.status_code == 400
    assert "第 2 行" in response.content.decode() and Response.objects.count() == 0


def test_import_template_has_a_column_per_question(client, s, admin_user, place):
    sign_in(client, admin_user)
    response = client.get(f"/surveys/{s['survey'].pk}/import/template.xlsx")
    header = [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows())]
    assert header[:5] == list(spreadsheets.IMPORT_FIXED_COLUMNS) and header[5] == "1. 年龄段"
    # and the template, filled in, imports
    workbook = load_workbook(io.BytesIO(response.content))
    workbook.active.append(import_row(place))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    posted = client.post(
        f"/surveys/{s['survey'].pk}/import/", {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())}
    )
    assert posted.status_code == 302 and Response.objects.count() == 1
