import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .factories import IndicatorFactory, MilestoneFactory, ProjectFactory, open_evaluation


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def scene(db, unit):
    """Projects around ``unit`` (the ``unit_staff`` fixture's unit): its own public and non-public ones,
    and another unit's public and non-public ones. Each has a milestone and an indicator."""
    projects = {
        "own": ProjectFactory(lead_unit=unit),
        "own_hidden": ProjectFactory(lead_unit=unit, is_public=False),
        "other": ProjectFactory(),
        "other_hidden": ProjectFactory(is_public=False),
    }
    for project in projects.values():
        MilestoneFactory(project=project, weight=100)
        IndicatorFactory(project=project)
    open_evaluation()  # a round open today, the default criterion alone
    return projects
