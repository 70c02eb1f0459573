"""A warm LibreOffice, driven over UNO, answering conversion requests on stdin/stdout.

This file runs under the system Python that has ``uno`` (Debian: python3-uno), not
Wenku's own interpreter, usually inside the bubblewrap sandbox together with the
soffice.bin it starts. It must not import anything from Wenku.

Protocol, one JSON object per line:
  out: {"ready": true}                                   once LibreOffice answers
  in:  {"in": "/job/3/in.docx", "out": "/job/3/out.pdf", "html": false}
  out: {"ok": true} | {"ok": false, "error": "load_failed|export_failed|crashed", "detail": "..."}
On end of input the bridge stops LibreOffice and exits. Timeouts are the caller's job:
it kills the whole sandbox.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}
</oor:items>
"""
# Hardening: never fetch what a document links to, never run its macros, never
# update its links; no locking, autosave or recovery in a throw-away profile.
SETTINGS = [
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "1"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "false"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "false"),
    ("/org.openoffice.Office.Recovery/AutoSave", "Enabled", "false"),
    ("/org.openoffice.Office.Recovery/RecoveryInfo", "Enabled", "false"),
    ("/org.openoffice.Setup/L10N", "ooSetupSystemLocale", "zh-CN"),
    ("/org.openoffice.Setup/Office", "ooSetupInstCompleted", "true"),
]

FILTERS = (
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
    ("com.sun.star.text.WebDocument", "writer_web_pdf_Export"),
    ("com.sun.star.text.GenericTextDocument", "writer_pdf_Export"),
)


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def write_profile(profile):
    user = os.path.join(profile, "user")
    os.makedirs(user, exist_ok=True)
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, value in SETTINGS
    )
    with open(os.path.join(user, "registrymodifications.xcu"), "w") as fh:
        fh.write(PROFILE_XCU.format(items=items))


def reply(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class Office:
    def __init__(self, soffice, profile, pipe):
        self.args = [
            soffice,
            "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ]
        self.url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
        self.proc = None
        self.desktop = None

    def start(self, deadline=120.0):
        # soffice.bin exits with 81 once after creating a fresh profile; start it again.
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=sys.stderr)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        started = time.monotonic()
        while time.monotonic() - started < deadline:
            try:
                ctx = resolver.resolve(self.url)
                self.desktop = ctx.ServiceManager.createInstanceWithContext(
                    "com.sun.star.frame.Desktop", ctx
                )
                return
            except NoConnectException:
                if self.proc.poll() is not None:
                    self.proc = subprocess.Popen(
                        self.args, stdin=subprocess.DEVNULL, stdout=sys.stderr
                    )
                time.sleep(0.05)
        raise RuntimeError("LibreOffice did not start")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def responsive(self):
        """Alive and answering over UNO (a killed office may not have exited yet)."""
        if not self.alive():
            return False
        try:
            self.desktop.getFrames()
        except Exception:
            return False
        return True

    def convert(self, source, target, html):
        load = [
            prop("Hidden", True),
            prop("ReadOnly", False),  # a copy in the job folder: sheets are widened before export
            prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
            prop("UpdateDocMode", 0),  # NO_UPDATE
        ]
        if html:
            load.append(prop("FilterName", "HTML (StarWriter)"))
        try:
            doc = self.desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(source), "_blank", 0, tuple(load)
            )
        except Exception as exc:
            return {"ok": False, "error": "load_failed", "detail": type(exc).__name__}
        if doc is None:
            return {"ok": False, "error": "load_failed", "detail": "no document"}
        try:
            if html:
                set_a4(doc)
            if doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
                fit_sheets(doc)
            filter_name = next(
                (name for service, name in FILTERS if doc.supportsService(service)), None
            )
            if filter_name is None:
                return {"ok": False, "error": "load_failed", "detail": "unknown document type"}
            doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", filter_name),))
            return {"ok": True}
        except Exception as exc:
            return {"ok": False, "error": "export_failed", "detail": type(exc).__name__}
        finally:
            with contextlib.suppress(Exception):
                doc.close(True)

    def stop(self):
        if self.desktop is not None:
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# Spreadsheets: a cell wider than its column is clipped in print (text cut at the column
# edge, numbers and dates shown as ###), in the page image and so in the text layer. Each
# used column is widened to its content (never narrowed; at most COLUMN_CAP), then the
# sheet is scaled so its used width fits the page — shrinking at most to MIN_SCALE; a wider
# sheet goes on over several pages across instead of becoming unreadable. A capped
# column's cells wrap (rows grow), or the end of a long cell would be cut at the cap.
COLUMN_CAP = 15000  # 1/100 mm: 15 cm
MIN_SCALE = 0.4
MAX_COLUMNS = 256


def fit_sheets(doc):
    styles = doc.getStyleFamilies().getByName("PageStyles")
    widths = {}
    sheets = doc.getSheets()
    for index in range(sheets.getCount()):
        sheet = sheets.getByIndex(index)
        width = widen_columns(sheet)
        style = sheet.PageStyle
        widths[style] = max(widths.get(style, 0), width)
    for name, width in widths.items():
        if not styles.hasByName(name):
            continue
        style = styles.getByName(name)
        if (
            style.ScaleToPagesX
            or style.ScaleToPagesY
            or style.ScaleToPages
            or style.PageScale != 100
        ):
            continue  # the author chose how it prints
        printable = style.Width - style.LeftMargin - style.RightMargin
        if printable <= 0 or width <= printable:
            continue
        style.ScaleToPagesX = max(1, -(-width // int(printable / MIN_SCALE)))
        style.ScaleToPagesY = 0


def widen_columns(sheet):
    """Widen the sheet's used columns to their content; return the used width."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    used = cursor.getRangeAddress()
    last = min(used.EndColumn, MAX_COLUMNS - 1)
    columns = sheet.getColumns()
    total = 0
    capped = False
    for index in range(last + 1):
        column = columns.getByIndex(index)
        if not column.IsVisible:
            continue
        before = column.Width
        column.OptimalWidth = True
        after = column.Width
        if after < before:
            column.Width = after = before
        elif after > COLUMN_CAP:
            column.Width = after = COLUMN_CAP
            column.IsTextWrapped = True
            capped = True
        total += after
    if capped:
        rows = sheet.getCellRangeByPosition(0, 0, last, used.EndRow).getRows()
        rows.OptimalHeight = True
    if used.EndColumn > last:
        # Columns past MAX_COLUMNS are printed as they are; their width counts all the same,
        # or the scale computed from the rest would shrink the sheet below MIN_SCALE.
        rest = sheet.getCellRangeByPosition(last + 1, 0, used.EndColumn, 0)
        total += rest.Size.Width
    return total


def cold_convert(soffice, profile, request):
    """``soffice --convert-to pdf`` on one document, with the same hardened profile."""
    write_profile(profile)
    source, target = request["in"], request["out"]
    outdir = os.path.join(os.path.dirname(target), "cold")
    os.makedirs(outdir, exist_ok=True)
    argv = [
        soffice,
        "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        outdir,
        source,
    ]
    made = os.path.join(outdir, os.path.splitext(os.path.basename(source))[0] + ".pdf")
    for _attempt in range(2):  # soffice.bin exits with 81 once after creating the profile
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=sys.stderr,
                                  stderr=sys.stderr, timeout=600, check=False)  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            return {"ok": False, "error": "crashed", "detail": type(exc).__name__}
        if done.returncode != 81:
            break
    if not os.path.isfile(made) or os.path.getsize(made) == 0:
        return {"ok": False, "error": "crashed", "detail": "the cold conversion failed too"}
    os.replace(made, target)
    return {"ok": True}


def set_a4(doc):
    """HTML imports get the locale's paper; our text formats are typeset on A4."""
    styles = doc.getStyleFamilies().getByName("PageStyles")
    for name in styles.getElementNames():
        style = styles.getByName(name)
        style.Width, style.Height = 21000, 29700  # 1/100 mm
        style.LeftMargin = style.RightMargin = 2000
        style.TopMargin = style.BottomMargin = 2200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--pipe", required=True)
    args = parser.parse_args()
    write_profile(args.profile)
    office = Office(args.soffice, args.profile, args.pipe)
    office.start()
    reply(ready=True, pid=office.proc.pid)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                result = office.convert(request["in"], request["out"], request.get("html", False))
            except Exception as exc:  # the UNO bridge itself broke: LibreOffice is gone
                result = {"ok": False, "error": "crashed", "detail": type(exc).__name__}
            if not result.get("ok") and not office.responsive():
                # It died under the call (and may not have exited yet): a crash, not a
                # document LibreOffice cannot read.
                result = {"ok": False, "error": "crashed", "detail": "LibreOffice exited"}
            if result.get("error") == "crashed" and not request.get("html", False):
                # Some documents crash LibreOffice only when loaded over UNO (Word 97 files
                # whose form fields make Writer build widgets off its main thread); the
                # command line's own conversion loads them on the main thread.
                result = cold_convert(args.soffice, args.profile + "-cold", request)
                result.setdefault("detail", "converted by a cold LibreOffice after a crash")
                # A warm LibreOffice again before answering, so the next request finds one.
                office.stop()
                office = Office(args.soffice, args.profile, args.pipe)
                try:
                    office.start()
                except Exception:
                    reply(ok=False, error="crashed", detail="LibreOffice did not restart")
                    return 3
                reply(**result)
                continue
            reply(**result)
            if result.get("error") == "crashed":
                return 3
    finally:
        office.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
