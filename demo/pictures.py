"""Small pictures for the demo, drawn with Pillow (no files shipped, nothing fetched): a scene per kind of
work — buildings, a school, an elderly-care room, a road, fields, a river, street lamps, a clinic, a study
corner, a crowd, a parcel — in a few variants each. About 6 KB apiece; the demo's photo rows share this
small pool (``pool``), so the seed stays fast and the media folder small at any scale."""

import io
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

SIZE = (360, 240)
VARIANTS = 6
FOLDER = "demo"

SKY = [(135, 190, 235), (160, 205, 240), (250, 200, 150), (120, 170, 220), (200, 225, 245), (180, 200, 230)]
GROUND = [(110, 160, 90), (130, 170, 100), (150, 150, 140), (95, 145, 85)]
WALL = [(235, 225, 210), (225, 205, 180), (210, 215, 225), (240, 235, 220), (200, 190, 180)]
RED = (196, 30, 40)


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, colour, scale: float = 1.0) -> None:
    r = int(9 * scale)
    draw.ellipse((x - r, y - 3 * r, x + r, y - r), fill=(240, 205, 170))
    draw.rounded_rectangle((x - int(1.3 * r), y - r, x + int(1.3 * r), y + 3 * r), radius=r // 2, fill=colour)


def _sun(draw, rng) -> None:
    x = rng.randint(40, 320)
    draw.ellipse((x - 18, 16, x + 18, 52), fill=(255, 215, 90))


def _buildings(draw, rng, *, school=False, clinic=False) -> None:
    left = 10
    while left < 340:
        width, height = rng.randint(50, 90), rng.randint(70, 150)
        top = 190 - height
        wall = rng.choice(WALL)
        draw.rectangle((left, top, left + width, 190), fill=wall, outline=(120, 110, 100))
        for wy in range(top + 10, 180, 18):
            for wx in range(left + 8, left + width - 10, 16):
                draw.rectangle((wx, wy, wx + 8, wy + 10), fill=(120, 160, 200))
        if school and left < 120:
            draw.line((left + width // 2, top, left + width // 2, top - 40), fill=(90, 90, 90), width=2)
            draw.rectangle((left + width // 2, top - 40, left + width // 2 + 22, top - 26), fill=RED)
        if clinic and left < 120:
            cx, cy = left + width // 2, top + 20
            draw.rectangle((cx - 12, cy - 4, cx + 12, cy + 4), fill=RED)
            draw.rectangle((cx - 4, cy - 12, cx + 4, cy + 12), fill=RED)
        left += width + rng.randint(4, 14)


def _road(draw, rng) -> None:
    draw.polygon([(150, 120), (210, 120), (340, 240), (20, 240)], fill=(80, 80, 85))
    for step in range(6):
        y = 130 + step * 19
        draw.rectangle((177, y, 183, y + 9), fill=(245, 245, 245))
    for x in (40, 90, 270, 320):
        draw.ellipse((x - 16, 80, x + 16, 118), fill=(70, 140, 70))
        draw.rectangle((x - 2, 115, x + 2, 130), fill=(110, 80, 50))


def _fields(draw, rng) -> None:
    for row in range(6):
        colour = (100 + rng.randint(0, 60), 160 + rng.randint(0, 40), 60 + rng.randint(0, 30))
        draw.polygon(
            [(0, 110 + row * 22), (360, 100 + row * 22), (360, 122 + row * 22), (0, 132 + row * 22)],
            fill=colour,
        )


def _river(draw, rng) -> None:
    draw.rectangle((0, 120, 360, 240), fill=rng.choice(GROUND))
    points = [(x, 170 + int(12 * ((x // 40) % 2 - 0.5))) for x in range(0, 361, 40)]
    draw.polygon(points + [(360, 215), (0, 215)], fill=(80, 140, 200))
    for x in range(20, 360, 70):
        draw.ellipse((x - 14, 95, x + 14, 135), fill=(60, 130, 70))
        draw.rectangle((x - 2, 132, x + 2, 150), fill=(110, 80, 50))


def _lamps(draw, rng) -> None:
    draw.rectangle((0, 170, 360, 240), fill=(70, 70, 75))
    for x in range(40, 360, 90):
        draw.rectangle((x - 2, 70, x + 2, 175), fill=(60, 60, 60))
        draw.line((x, 72, x + 22, 72), fill=(60, 60, 60), width=3)
        draw.ellipse((x + 14, 70, x + 32, 84), fill=(255, 235, 140))
        draw.polygon([(x + 23, 84), (x - 5, 175), (x + 55, 175)], fill=(150, 140, 95))


def _room(draw, rng, *, study=False) -> None:
    draw.rectangle((0, 0, 360, 240), fill=rng.choice(WALL))
    draw.rectangle((0, 180, 360, 240), fill=(170, 130, 90))
    draw.rectangle((240, 40, 330, 110), fill=(150, 200, 235), outline=(255, 255, 255), width=4)
    if study:
        draw.rectangle((40, 130, 200, 140), fill=(140, 95, 60))
        draw.rectangle((50, 140, 58, 185), fill=(140, 95, 60))
        draw.rectangle((182, 140, 190, 185), fill=(140, 95, 60))
        draw.line((170, 130, 170, 95), fill=(80, 80, 80), width=3)
        draw.polygon([(155, 95), (185, 95), (175, 82), (165, 82)], fill=(250, 220, 90))
        for i, colour in enumerate([(200, 60, 60), (60, 120, 200), (80, 170, 90), (230, 180, 60)]):
            draw.rectangle((70 + i * 12, 105, 80 + i * 12, 130), fill=colour)
    else:
        draw.rounded_rectangle((40, 130, 180, 185), radius=8, fill=(180, 90, 70))
        _person(draw, 80, 150, (120, 120, 160))
        _person(draw, 140, 150, (90, 140, 110))


def _crowd(draw, rng) -> None:
    draw.rectangle((0, 150, 360, 240), fill=rng.choice(GROUND))
    draw.rectangle((60, 40, 300, 90), fill=RED)
    for i in range(9):
        _person(
            draw, 30 + i * 38, 190 + (i % 2) * 10, rng.choice([(60, 90, 160), (170, 60, 60), (80, 130, 90)])
        )


def _parcel(draw, rng) -> None:
    draw.rectangle((0, 0, 360, 240), fill=rng.choice(WALL))
    draw.rectangle((0, 190, 360, 240), fill=(170, 130, 90))
    draw.rectangle((150, 110, 250, 190), fill=(200, 160, 110), outline=(130, 100, 70), width=2)
    draw.rectangle((195, 110, 205, 190), fill=RED)
    _person(draw, 100, 165, (170, 40, 40))
    _person(draw, 290, 165, (90, 110, 150))


SCENES = {
    "buildings": lambda d, r: _buildings(d, r),
    "school": lambda d, r: _buildings(d, r, school=True),
    "clinic": lambda d, r: _buildings(d, r, clinic=True),
    "care": lambda d, r: _room(d, r),
    "study": lambda d, r: _room(d, r, study=True),
    "road": _road,
    "fields": _fields,
    "river": _river,
    "lamps": _lamps,
    "crowd": _crowd,
    "parcel": _parcel,
}


def draw(scene: str, variant: int) -> bytes:
    """One picture of ``scene`` (a key of ``SCENES``), the same bytes every time for the same variant."""
    rng = random.Random(f"{scene}-{variant}")
    image = Image.new("RGB", SIZE, (45, 55, 95) if scene == "lamps" else rng.choice(SKY))
    canvas = ImageDraw.Draw(image)
    if scene not in ("care", "study", "parcel", "lamps"):
        canvas.rectangle((0, 150, 360, 240), fill=rng.choice(GROUND))
        _sun(canvas, rng)
    SCENES[scene](canvas, rng)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=60, optimize=True)
    return buffer.getvalue()


def pool() -> dict[str, list[str]]:
    """The stored names of every scene's variants, drawn and saved once (kept when already there)."""
    names: dict[str, list[str]] = {}
    for scene in SCENES:
        names[scene] = []
        for variant in range(VARIANTS):
            name = f"{FOLDER}/{scene}-{variant}.jpg"
            if not default_storage.exists(name):
                # A shared pool, not a row's file: on disk at once (jiangyan.helpers.storage writes row files
                # only when their transaction commits).
                default_storage.save_now(name, ContentFile(draw(scene, variant)))
            names[scene].append(name)
    return names
