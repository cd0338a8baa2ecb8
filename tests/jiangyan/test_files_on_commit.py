"""Uploaded files are written only when the transaction that names them commits
(``jiangyan.helpers.storage``): a refused request or a rolled-back transaction leaves no file on disk. These
tests commit for real (``transactional_db``) and count the files under ``MEDIA_ROOT``."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects import services as project_services
from projects.models import ProjectPhoto
from tests.projects.conftest import png
from tests.projects.factories import IndicatorFactory, MilestoneFactory, ProjectFactory
from tests.wishes.factories import WISHER_PHONE, WishFactory
from wishes import services as wish_services
from wishes.choices import WishStatus
from wishes.models import Wish, WishPhoto

pytestmark = pytest.mark.django_db(transaction=True)


def files_on_disk() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class Refused(Exception):
    pass


def test_a_rolled_back_transaction_leaves_no_photo(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    with pytest.raises(Refused), transaction.atomic():
        project_services.photo_add(actor=unit_staff, project=project, images=[png(), png()], caption="现场")
        raise Refused
    assert not ProjectPhoto.objects.exists()
    assert files_on_disk() == []


def test_a_committed_photo_is_on_disk_under_its_rows_name(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    [photo] = project_services.photo_add(actor=unit_staff, project=project, images=[png()], caption="现场")
    assert files_on_disk() == [Path(settings.MEDIA_ROOT) / photo.image.name]


def test_statement_page_with_a_photo_refused_by_the_service_leaves_no_file(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit, status="not_started")
    today = timezone.localdate()
    response = client_as(unit_staff).post(
        f"/projects/{project.code}/statements/new/",
        {
            "period_start": today.isoformat(),
            "period_end": today.isoformat(),
            "text": "   ",  # the form accepts it; the service refuses an empty statement
            "photos": [png()],
        },
    )
    assert response.status_code == 200
    assert not project.statements.exists()
    assert files_on_disk() == []


def test_statement_api_with_a_photo_and_another_projects_indicator_leaves_no_file(client_as, unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    foreign = IndicatorFactory(project=ProjectFactory())
    today = timezone.localdate()
    response = client_as(unit_staff, api=True).post(
        f"/api/v1/projects/{project.code}/statements/",
        {
            "period_start": (today - datetime.timedelta(days=6)).isoformat(),
            "period_end": today.isoformat(),
            "text": "本周完成了施工",
            "indicator_values[0]indicator": foreign.pk,
            "indicator_values[0]value": "3",
            "photos": [png()],
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert not project.statements.exists()
    assert files_on_disk() == []


def test_milestone_refused_after_its_photos_leaves_no_file(unit_staff):
    project = ProjectFactory(lead_unit=unit_staff.unit)
    milestone = MilestoneFactory(project=project, weight=100)
    with pytest.raises(Refused), transaction.atomic():
        project_services.milestone_complete(
            actor=unit_staff, milestone=milestone, done_date=timezone.localdate(), evidence="", photos=[png()]
        )
        raise Refused
    assert files_on_disk() == []


def test_wish_photos_of_a_rolled_back_submission_leave_no_file(community):
    with pytest.raises(Refused), transaction.atomic():
        wish_services.wish_create(
            actor=None,
            community=community,
            category="repair",
            title="修理漏水水龙头",
            text="厨房水龙头漏水。",
            wisher_name="张桂兰",
            wisher_phone=WISHER_PHONE,
            channel="online",
            photos=[png()],
        )
        raise Refused
    assert not Wish.objects.exists() and not WishPhoto.objects.exists()
    assert files_on_disk() == []


def test_fulfilment_photos_are_written_when_the_fulfilment_commits(member, community):
    wish = WishFactory(community=community, status=WishStatus.CLAIMED, claimed_by=member)
    wish_services.wish_fulfil(actor=member, wish=wish, note="已送到", photos=[png()])
    [photo] = WishPhoto.objects.all()
    assert files_on_disk() == [Path(settings.MEDIA_ROOT) / photo.image.name]


def test_a_refused_fulfilment_page_post_leaves_no_file(client_as, member, community):
    wish = WishFactory(community=community, status=WishStatus.OPEN)
    response = client_as(member).post(f"/wishes/{wish.code}/fulfil/", {"note": "已送到", "photos": [png()]})
    assert response.status_code == 302  # back to the wish page with the refusal in its messages
    assert Wish.objects.get(pk=wish.pk).status == WishStatus.OPEN
    assert files_on_disk() == []


def test_save_now_writes_inside_a_transaction_that_is_rolled_back():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with pytest.raises(Refused), transaction.atomic():
        name = default_storage.save_now("pool/one.txt", ContentFile(b"shared"))
        raise Refused
    assert files_on_disk() == [Path(settings.MEDIA_ROOT) / name]
