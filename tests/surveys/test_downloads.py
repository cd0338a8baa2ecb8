"""Every survey download arrives with a Chinese file name browsers keep (RFC 6266 ``filename*``)."""

from urllib.parse import quote

import pytest

from jiangyan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_survey_downloads_are_named_in_chinese(client_as, s):
    survey = s["survey"]
    admin = client_as(Role.ADMIN)
    for url, name in (
        (f"/surveys/{survey.pk}/import/template.xlsx", f"{survey.title}-导入模板.xlsx"),
        (f"/surveys/{survey.pk}/export/responses.xlsx", f"{survey.title}-答卷.xlsx"),
        ("/surveys/suggestions/export.xlsx", "全部问卷-已编码建议.xlsx"),
        (f"/surveys/suggestions/export.xlsx?survey={survey.pk}", f"{survey.title}-已编码建议.xlsx"),
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        header = response["Content-Disposition"]
        assert (
            header.startswith('attachment; filename="')
            and f"filename*=UTF-8''{quote(name, safe='')}" in header
        )
