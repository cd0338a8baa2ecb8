"""Checked image uploads (DESIGN §4): image types only, a size limit, re-encoded, stored under a random
name. Forms use ``ImageUploadField``; services call ``clean_image`` for files that arrive another way."""

import io
import time
import uuid
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
MAX_SIDE = 2400  # the longest side stored
MAX_DECLARED_SIDE = 20000  # the longest side accepted (with IMAGE_UPLOAD_MAX_PIXELS)


def _not_image() -> ValidationError:
    return ValidationError(_("只能上传 JPG、PNG、WEBP 或 GIF 图片。"), code="not_image")


def _too_many_pixels(fmt: str | None = None) -> ValidationError:
    megapixels = _pixel_limit(fmt) // 1_000_000
    return ValidationError(
        _("图片尺寸过大（最多 %(n)d 百万像素），请压缩后再上传。") % {"n": megapixels}, code="too_many_pixels"
    )


def _busy() -> ValidationError:
    return ValidationError(_("服务器正忙，图片暂时无法处理，请稍后再提交。"), code="busy")


class DecodeSlot:
    """One of ``IMAGE_DECODE_CONCURRENCY`` decoding slots of the whole site (keys in the shared cache, so
    every worker process counts alike): a flood of large photos occupies that many cores and that much
    memory, however many requests bring them, and the home page keeps its workers' CPU. A request waits
    up to ``IMAGE_DECODE_WAIT_SECONDS`` for a slot, then gets a form error. A slot expires by itself
    (``IMAGE_DECODE_SLOT_SECONDS``) if its worker dies; with the cache unreachable decoding is unbounded
    rather than refused."""

    def __enter__(self):
        self.key = None
        token = uuid.uuid4().hex
        deadline = time.monotonic() + settings.IMAGE_DECODE_WAIT_SECONDS
        while True:
            for slot in range(settings.IMAGE_DECODE_CONCURRENCY):
                key = f"image-decode-slot:{slot}"
                taken = cache.add(key, token, timeout=settings.IMAGE_DECODE_SLOT_SECONDS)
                if taken is None:  # no cache
                    return self
                if taken:
                    self.key, self.token = key, token
                    return self
            if time.monotonic() >= deadline:
                raise _busy()
            time.sleep(0.05)

    def __exit__(self, *exc_info):
        if self.key is not None and cache.get(self.key) == self.token:
            cache.delete(self.key)
        return False


def _pixel_limit(fmt: str | None) -> int:
    """JPEG is decoded at a reduced scale (``draft``); the other formats are decoded in full, so they get
    the lower ``IMAGE_FULL_DECODE_MAX_PIXELS`` (memory is about 4 bytes a pixel)."""
    if fmt == "JPEG":
        return settings.IMAGE_UPLOAD_MAX_PIXELS
    return min(settings.IMAGE_UPLOAD_MAX_PIXELS, settings.IMAGE_FULL_DECODE_MAX_PIXELS)


def clean_image(upload) -> SimpleUploadedFile:
    """Validate ``upload`` as an image and return a re-encoded copy with a random name.

    The pixel count the header declares is checked before anything is decoded: a small file can claim
    30000×30000 pixels (a decompression bomb) and would take gigabytes to decode. Re-encoding drops
    anything hidden after the image data and strips EXIF (which may carry a resident's location)."""
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        limit_mb = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError(_("图片不能超过 %(mb)s MB。") % {"mb": limit_mb}, code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
        width, height = image.size
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _not_image() from exc
    if width * height > _pixel_limit(image.format) or max(width, height) > MAX_DECLARED_SIDE:
        raise _too_many_pixels(image.format)
    with DecodeSlot():
        return _reencode(upload, image)


def _reencode(upload, image) -> SimpleUploadedFile:
    try:
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        fmt = image.format
        if fmt not in ALLOWED_FORMATS:
            raise _not_image()
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at the smallest scale still large enough
        image.load()
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        out_ext = ALLOWED_FORMATS[fmt]
        if out_ext == "jpg" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG" if out_ext == "jpg" else out_ext.upper(), quality=85)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _not_image() from exc
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
