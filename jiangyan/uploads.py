"""Checked image uploads (DESIGN §4): image types only, a size limit, re-encoded, stored under a random
name. Forms use ``ImageUploadField``; services call ``clean_image`` for files that arrive another way."""

import io
import uuid
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
MAX_SIDE = 2400


def clean_image(upload) -> SimpleUploadedFile:
    """Validate ``upload`` as an image and return a re-encoded copy with a random name.

    Re-encoding drops anything hidden after the image data and strips EXIF (which may carry a
    resident's location)."""
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        limit_mb = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError(_("图片不能超过 %(mb)s MB。") % {"mb": limit_mb}, code="too_large")
    try:
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        fmt = image.format
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("只能上传 JPG、PNG、WEBP 或 GIF 图片。"), code="not_image") from exc
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("只能上传 JPG、PNG、WEBP 或 GIF 图片。"), code="not_image")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out_ext = ALLOWED_FORMATS[fmt]
    if out_ext == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG" if out_ext == "jpg" else out_ext.upper(), quality=85)
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[out_ext]
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.{out_ext}", buffer.getvalue(), content_type=content_type)


@deconstructible
class RandomUploadPath:
    """``upload_to``: ``<prefix>/<yyyy>/<random>.<ext>`` whatever name the client sent; the prefix defaults
    to the model's app label. A class, so migrations can serialise it."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = PurePosixPath(filename).suffix.lower() or ".jpg"
        prefix = self.prefix or instance._meta.app_label
        return f"{prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomUploadPath) and other.prefix == self.prefix


def random_upload_path(prefix: str = "") -> RandomUploadPath:
    return RandomUploadPath(prefix)


class ImageUploadField(forms.FileField):
    """A form field that accepts one image and hands back its re-encoded copy."""

    def to_python(self, data):
        upload = super().to_python(data)
        return clean_image(upload) if upload else upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images at once (``<input multiple>``); at most ``max_files``."""

    def __init__(self, *args, max_files: int = 6, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > self.max_files:
            raise ValidationError(_("最多上传 %(n)s 张图片。") % {"n": self.max_files}, code="too_many")
        return [clean_image(super(MultipleImageField, self).clean(f, initial)) for f in files]
