"""Our workbooks as LibreOffice prints them: the real client an office opens them with.

``print_workbooks(paths, outdir)`` runs ``tests/office_probe.py`` with Debian's ``python3`` (LibreOffice's
UNO bridge, package ``python3-uno``) once for all the files — starting LibreOffice costs seconds, a
workbook a fraction of one — and returns, per file, the PDF it printed and what LibreOffice read of each
sheet (page style, print titles, each row's height and the height LibreOffice finds optimal for it).
``printed_pages(pdf)`` is the text of each page (poppler's ``pdftotext``, in drawing order, so a cell's
wrapped lines follow each other). ``SKIP_REASON`` is why these tests cannot run here, or empty."""

import json
import re
import shutil
import subprocess
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("office_probe.py")
SPACE = re.compile(r"\s+")
# Emoji (residents write them) are drawn from the colour-emoji fallback font in a run of their own, so in
# drawing order they can come after the text that follows them in the cell ("吃力！！😓" for "吃力😓！！").
PICTOGRAPHS = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")


def _skip_reason() -> str:
    if not shutil.which("soffice"):
        return "LibreOffice (soffice) not installed: apt-get install libreoffice-calc"
    if not shutil.which("pdftotext"):
        return "pdftotext not installed: apt-get install poppler-utils"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode:
        return "LibreOffice's Python bridge missing: apt-get install python3-uno"
    return ""


SKIP_REASON = _skip_reason()


def print_workbooks(paths: list[Path], outdir: Path) -> dict[str, dict]:
    result = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE), str(outdir), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"LibreOffice probe failed: {result.stderr[-2000:]}")
    return {Path(path).stem: report for path, report in json.loads(result.stdout).items()}


def printed_pages(pdf: str) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", pdf, "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    """Text without its white space (a wrapped cell's lines read as one string) and without emoji (drawn
    out of order, see ``PICTOGRAPHS``)."""
    return PICTOGRAPHS.sub("", SPACE.sub("", text))
