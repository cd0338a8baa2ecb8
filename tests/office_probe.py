"""What LibreOffice makes of our workbooks, for ``tests/office.py`` — run with Debian's ``python3`` (the
``python3-uno`` bridge), not the project's interpreter.

``python3 tests/office_probe.py OUTDIR FILE.xlsx …`` starts one headless LibreOffice (its own profile),
opens each workbook, prints it to ``OUTDIR/<name>.pdf`` and writes JSON on stdout: for each file and
sheet, the page style LibreOffice read (landscape, pages across/down of "fit to", paper size), the print
title rows, and for every row of the used area the height LibreOffice itself finds optimal for the row's
content, in points (compare with the heights the workbook sets). One process for all files: starting
LibreOffice costs seconds, a workbook a fraction of one."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from xml.etree import ElementTree

import uno
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, process):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 90
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _sheet(doc, sheet) -> dict:
    """The page style LibreOffice read for ``sheet``; its rows are then set to their optimal height (one
    call for the used area, read back from the document saved as ODS)."""
    style = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    titles = sheet.TitleRows
    used = cursor.RangeAddress
    sheet.getCellRangeByPosition(0, 0, used.EndColumn, used.EndRow).Rows.OptimalHeight = True
    return {
        "name": sheet.Name,
        "landscape": bool(style.IsLandscape),
        "paper": [style.Size.Width, style.Size.Height],
        "pages_across": style.ScaleToPagesX,
        "pages_down": style.ScaleToPagesY,
        "title_rows": [titles.StartRow + 1, titles.EndRow + 1] if sheet.PrintTitleRows else None,
        "used_rows": used.EndRow + 1,
    }


ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
}
UNIT_POINTS = {"in": 72, "cm": 72 / 2.54, "mm": 72 / 25.4, "pt": 1}


def _points(length: str) -> float:
    number = length.rstrip("incmpt")
    return float(number) * UNIT_POINTS[length[len(number) :]]


def _row_heights(ods: str) -> dict[str, list[float]]:
    """The height in points of every row of each sheet of a saved ODS file."""
    with zipfile.ZipFile(ods) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    heights = {}
    for style in root.iter(f"{{{ODS['style']}}}style"):
        props = style.find(f"{{{ODS['style']}}}table-row-properties")
        if props is not None and props.get(f"{{{ODS['style']}}}row-height"):
            heights[style.get(f"{{{ODS['style']}}}name")] = _points(
                props.get(f"{{{ODS['style']}}}row-height")
            )
    sheets = {}
    for table in root.iter(f"{{{ODS['table']}}}table"):
        rows = []
        for row in table.iter(f"{{{ODS['table']}}}table-row"):
            repeat = min(int(row.get(f"{{{ODS['table']}}}number-rows-repeated", "1")), 100_000)
            rows += [heights.get(row.get(f"{{{ODS['table']}}}style-name"), 0.0)] * repeat
        sheets[table.get(f"{{{ODS['table']}}}name")] = rows
    return sheets


def main(outdir: str, paths: list[str]) -> dict:
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = f"jiangyan-probe-{os.getpid()}"
    command = [
        shutil.which("soffice") or "soffice",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
    ]
    # A new profile makes LibreOffice restart once: create it first, so the office we talk to stays.
    subprocess.run([*command, "--terminate_after_init"], capture_output=True, timeout=120, check=False)
    process = subprocess.Popen(
        [*command, f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # soffice is a launcher: the office is its child, ended with its group
    )
    report = {}
    try:
        context = _connect(pipe, process)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        for path in paths:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))
            if doc is None:
                raise RuntimeError(f"LibreOffice could not open {path}")
            name = os.path.splitext(os.path.basename(path))[0]
            pdf = os.path.join(os.path.abspath(outdir), f"{name}.pdf")
            # Printed first: setting the optimal heights below changes the document.
            doc.storeToURL(uno.systemPathToFileUrl(pdf), (_prop("FilterName", "calc_pdf_Export"),))
            sheets = [_sheet(doc, doc.Sheets.getByIndex(i)) for i in range(doc.Sheets.Count)]
            ods = os.path.join(os.path.abspath(outdir), f"{name}-optimal.ods")
            doc.storeToURL(uno.systemPathToFileUrl(ods), (_prop("FilterName", "calc8"),))
            doc.close(True)
            optimal = _row_heights(ods)
            for sheet in sheets:
                sheet["optimal_heights"] = optimal[sheet["name"]][: sheet.pop("used_rows")]
            report[path] = {"pdf": pdf, "sheets": sheets}
        try:
            desktop.terminate()
        except Exception:  # the bridge drops as LibreOffice quits
            pass
        process.wait(timeout=60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        shutil.rmtree(profile, ignore_errors=True)
    return report


if __name__ == "__main__":
    json.dump(main(sys.argv[1], sys.argv[2:]), sys.stdout)
