"""Reading the files: workbooks, CSV and Parquet exports, each into the tables it holds.

A workbook (:func:`_read_xlsx`) is checked on its zip directory before anything is unpacked
(:func:`_check_zip`), each sheet's XML is streamed once to find where its values end
(:func:`_scan_sheet`), and only the rows up to there are parsed. A CSV file (:func:`_read_csv`)
is decoded (:func:`_decode`) and its separator sniffed (:func:`_sniff_delimiter`). The limits
(:data:`_MAX_SHEET_XML` and the others) keep a bad file cheap.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange

from so_eval.data import template as tpl
from so_eval.data.ingest.names import _LOOKUPS, _mb, _norm, _show, table_for_name
from so_eval.data.ingest.results import IngestProblem
from so_eval.data.ingest.sources import _build_source, _column_letter, _Input, _Source, _table_by_headers
from so_eval.data.ingest.values import _is_empty
from so_eval.data.model import TABLES

# -- limits ----------------------------------------------------------------------------------------


class _TooLarge(Exception):
    """A workbook or sheet above a size limit; the message is for the user."""


_MAX_SHEET_XML = 256 * 2**20
"""Largest unpacked XML of one sheet (bytes). A filled template table of 100.000 rows is
about 40 MB; a sheet formatted down to Excel's last row without data about 60–120 MB."""
_MAX_PART_XML = 64 * 2**20
"""Largest unpacked size of any other XML part of a workbook (shared strings, styles, …)."""
_MAX_TOTAL_XML = 512 * 2**20
"""Largest unpacked size of all XML parts of a workbook together (pictures are not read)."""
_MAX_MEMBERS = 10_000
_MAX_CELLS = 3_000_000
"""Most filled cells a sheet may hold (and cells up to its last filled row)."""
_MAX_ROWS = 1_000_000
"""Most rows a sheet may use up to its last filled cell."""
_CHUNK = 4 * 2**20
_MAX_CSV = 512 * 2**20
"""Largest CSV file read (bytes); the weekly status of a whole municipality is far below."""


# -- workbooks -------------------------------------------------------------------------------------


def _read_xlsx(inp: _Input, idx: int, problems: list, notes: list, table_opt: str | None = None) -> None:
    """Read a workbook in streaming mode, after checking its size without unpacking it.

    The limits (:data:`_MAX_SHEET_XML` and the others) are checked on the zip directory before
    anything is loaded, then each sheet's XML is streamed once (never held whole) to find where
    its values end, how many there are and which cells are merged; only the rows up to the last
    one holding a value are then parsed, so formatted but empty rows below the data cost little.
    """
    opened = _open_workbook(inp, problems)
    if opened is None:
        return
    wb, sizes = opened
    try:
        sheets = _scanned_sheets(wb, sizes, inp, problems)
        data_sheets = [s for s in sheets if s[2].has_rows]  # (a header alone is no data)
        if table_opt is not None:
            sheets = _sheets_for_table(data_sheets, table_opt, inp, problems)
            if sheets is None:
                return
        # a workbook whose only sheet with data is not named after a table: told by its headers
        by_headers = table_opt is None and len(data_sheets) == 1 and data_sheets[0][1] is None
        found = False
        for ws, table, scan in sheets:
            if _read_sheet(
                inp,
                idx,
                ws,
                table,
                scan,
                problems,
                notes,
                by_headers=by_headers and ws is data_sheets[0][0],
                by_option=table_opt is not None,
            ):
                found = True
        if not found and not any(p.file == inp.display for p in problems):
            problems.append(
                _file_problem(
                    inp,
                    "no sheet of the template was found (expected one or more of: "
                    f"{', '.join(tpl.sheet_names().values())})",
                )
            )
    finally:
        wb.close()


def _file_problem(inp: _Input, message: str, sheet: str | None = None, row: int | None = None) -> IngestProblem:
    """A problem with a file (or sheet), not with one cell."""
    return IngestProblem(inp.display, sheet, row, None, message)


def _open_workbook(inp: _Input, problems: list) -> tuple[openpyxl.Workbook, dict[str, int]] | None:
    """The workbook opened read-only and the unpacked size of each zip member; None (and a
    problem) if it is too large or not a workbook."""
    try:
        sizes = _check_zip(inp.path)
    except _TooLarge as exc:
        problems.append(_file_problem(inp, str(exc)))
        return None
    except Exception as exc:  # noqa: BLE001 - any reason a file is not a readable workbook
        problems.append(
            _file_problem(inp, f"the file could not be read as an Excel workbook (.xlsx): {type(exc).__name__}")
        )
        return None
    try:
        # openpyxl reads each sheet's stored dimension when it opens the workbook, and parses the
        # whole sheet to find out that there is none; the scan tells where the values end
        with warnings.catch_warnings(), mock.patch.object(ReadOnlyWorksheet, "_get_size", _no_size):
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(inp.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any reason a file is not a readable workbook
        problems.append(
            _file_problem(inp, f"the file could not be read as an Excel workbook (.xlsx): {type(exc).__name__}")
        )
        return None
    return wb, sizes


def _scanned_sheets(wb, sizes: dict[str, int], inp: _Input, problems: list) -> list[tuple]:
    """(worksheet, table or None, scan) of every sheet but the help and list sheets; a sheet that
    cannot be scanned or is too large is a problem and left out."""
    sheets = []
    for ws in wb.worksheets:
        if not isinstance(ws, ReadOnlyWorksheet):
            continue
        table = table_for_name(ws.title)
        if table == "":
            continue
        member = getattr(ws, "_worksheet_path", "")
        try:
            scan = _scan_sheet(wb._archive, member, sizes.get(member, 0))
        except _TooLarge as exc:
            problems.append(_file_problem(inp, str(exc), ws.title))
            continue
        except Exception as exc:  # noqa: BLE001 - a damaged member (bad CRC, broken deflate)
            problems.append(
                _file_problem(
                    inp,
                    f"the sheet could not be read ({type(exc).__name__}); save the workbook again in Excel",
                    ws.title,
                )
            )
            continue
        if scan.values > _MAX_CELLS or scan.last_row > _MAX_ROWS:
            problems.append(
                _file_problem(
                    inp,
                    f"the sheet is too large ({scan.values:,} filled cells in {scan.last_row:,} rows; "
                    f"the limit is {_MAX_CELLS:,} cells and {_MAX_ROWS:,} rows); split it or delete "
                    "what does not belong to the table".replace(",", "."),
                    ws.title,
                )
            )
            continue
        sheets.append((ws, table, scan))
    return sheets


def _sheets_for_table(data_sheets: list[tuple], table: str, inp: _Input, problems: list) -> list[tuple] | None:
    """With ``--table``: the one sheet with data, read as ``table``; None (and a problem) if the
    workbook has no sheet with data or more than one."""
    if not data_sheets and not any(p.file == inp.display for p in problems):
        problems.append(_file_problem(inp, "no sheet of the workbook holds any data"))
        return None
    if len(data_sheets) > 1:
        problems.append(
            _file_problem(
                inp,
                f"--table can only be used with a workbook of one sheet; this one has "
                f"{len(data_sheets)} sheets with data "
                f"({', '.join(repr(ws.title) for ws, _, _ in data_sheets)}); name each sheet "
                "after its table instead (as in the template)",
            )
        )
        return None
    return [(ws, table, scan) for ws, _, scan in data_sheets]


def _read_sheet(
    inp: _Input,
    idx: int,
    ws,
    table: str | None,
    scan: _SheetScan,
    problems: list,
    notes: list,
    *,
    by_headers: bool,
    by_option: bool,
) -> bool:
    """Read one sheet as ``table`` (None: told by its headers if ``by_headers``, else a sheet that
    is not the template's); True if it was read as a table."""
    if table is None and not by_headers:
        if scan.values > 0:
            problems.append(
                _file_problem(
                    inp,
                    "this sheet is not one of the template's sheets "
                    f"({', '.join(tpl.sheet_names().values())}); rename it to the right one or "
                    "delete it (or, for a workbook of one sheet, give the table with --table)",
                    ws.title,
                )
            )
        return False
    rows = _sheet_rows(ws, scan, inp, problems)
    if rows is None:
        return False
    header = list(rows[0]) if rows else []
    if table is None:
        table, how = _table_by_headers(header, inp, ws.title, problems)
        if table is None:
            return False
        inp.read_as.append(f"sheet '{ws.title}' as {tpl.sheet_name(table)} ({how})")
    elif by_option:
        inp.read_as.append(f"sheet '{ws.title}' as {tpl.sheet_name(table)} (--table)")
    problems.extend(_merged_cells(inp, ws.title, scan, header))
    body = [(i + 2, r) for i, r in enumerate(rows[1:])]
    src = _build_source(inp, idx, ws.title, table, header, body, problems, notes, letters=True)
    if src is not None:
        inp.sources.append(src)
    return True


def _merged_cells(inp: _Input, sheet: str, scan: _SheetScan, header: list) -> list[IngestProblem]:
    """A problem for each merged range of a sheet, in the column of its first cell."""
    problems = []
    for ref in scan.merged:
        rng = _cell_range(ref)
        if rng is None:
            continue
        j = rng.min_col - 1
        h = header[j] if j < len(header) and not _is_empty(header[j]) else None
        problems.append(
            IngestProblem(
                inp.display,
                sheet,
                rng.min_row,
                _show(h, 60) if h is not None else f"column {_column_letter(j)}",
                f"cells {rng.coord} are merged; unmerge them and fill in every cell",
            )
        )
    return problems


# -- the size checks and the scan of a sheet -------------------------------------------------------


def _no_size(ws) -> None:
    """Stands in for ``ReadOnlyWorksheet._get_size`` while a workbook is opened (see above): the
    sheet keeps no dimension (rows are then as long as their own last cell)."""


def _check_zip(path: Path) -> dict[str, int]:
    """The unpacked size of each member of the workbook at ``path``, from its zip directory
    (nothing is unpacked); :class:`_TooLarge` if a limit is passed."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = _sheet_members(zf) if len(infos) <= _MAX_MEMBERS else {}
    if len(infos) > _MAX_MEMBERS:
        raise _TooLarge(
            f"the workbook has {len(infos):,} parts (the limit is {_MAX_MEMBERS:,}); "
            "it is not a workbook saved by Excel".replace(",", ".")
        )
    total = 0
    sizes: dict[str, int] = {}
    for info in infos:
        name = info.filename
        sizes[name] = info.file_size
        if not name.endswith((".xml", ".rels", ".vml")):
            continue  # pictures and other binary parts are never read
        total += info.file_size
        is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
        limit = _MAX_SHEET_XML if is_sheet else _MAX_PART_XML
        if info.file_size > limit:
            what = (f"the sheet '{names[name]}'" if name in names else "a sheet") if is_sheet else f"its part {name}"
            raise _TooLarge(
                f"the workbook is too large to read safely: {what} unpacks to "
                f"{_mb(info.file_size)} (the limit is {_mb(limit)}), although the file is "
                f"{_mb(path.stat().st_size)}; delete empty formatted rows and columns, or save the "
                "table as CSV and ingest that"
            )
    if total > _MAX_TOTAL_XML:
        raise _TooLarge(
            f"the workbook is too large to read safely: it unpacks to {_mb(total)} (the limit is "
            f"{_mb(_MAX_TOTAL_XML)}); split it into smaller workbooks or save the tables as CSV"
        )
    return sizes


def _sheet_members(zf) -> dict[str, str]:
    """Sheet name by zip member (``xl/worksheets/sheet1.xml`` → ``Forløb``), read from the
    workbook's small index parts; {} if they are missing, odd or larger than 1 MB."""

    def small(name: str) -> bytes | None:
        try:
            if zf.getinfo(name).file_size > 2**20:
                return None
            return zf.read(name)
        except (KeyError, OSError, ValueError, RuntimeError):
            return None

    book, rels = small("xl/workbook.xml"), small("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    try:
        targets = {el.get("Id"): el.get("Target", "") for el in ET.fromstring(rels) if el.tag.endswith("Relationship")}
        out = {}
        for el in ET.fromstring(book).iter():
            if el.tag.endswith("}sheet") or el.tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                target = targets.get(rid)
                if target:
                    member = (
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.normpath(posixpath.join("xl", target))
                    )
                    out[member] = el.get("name", "")
        return out
    except ET.ParseError:
        return {}


@dataclass
class _SheetScan:
    """What one pass over a sheet's XML found (without parsing it)."""

    last_row: int = 0  # the last row holding a value (0: none)
    values: int = 0  # cells holding a value
    merged: list[str] = field(default_factory=list)  # merged ranges, e.g. "A2:B2"
    rows_numbered: bool = True  # every row carries its number (r="…")

    @property
    def has_rows(self) -> bool:
        """True if a row below the header holds a value (or rows are not numbered: maybe)."""
        return self.last_row > 1 or (not self.rows_numbered and self.values > 0)


_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"')
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")


def _scan_sheet(archive, member: str, declared: int) -> _SheetScan:
    """Stream a sheet's XML once in chunks: where its values end, how many cells hold one and its
    merged cells. Stops with :class:`_TooLarge` as soon as more than :data:`_MAX_SHEET_XML` bytes
    came out (whatever the zip directory claims)."""
    scan = _SheetScan()
    prefix = b""
    row_tag, row_num = b"<row ", 0
    tail = b""
    read = 0
    first = True
    merged: dict[str, None] = {}
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > _MAX_SHEET_XML:
                raise _TooLarge(
                    f"the sheet unpacks to more than {_mb(_MAX_SHEET_XML)} (the limit; its zip "
                    f"entry claimed {_mb(declared)}); delete empty formatted rows and columns, or "
                    "save the table as CSV and ingest that"
                )
            if first:
                m = _ROOT.search(chunk[:4096])
                prefix = (m.group(1) or b"") if m else b""
                row_tag = b"<" + prefix + b"row "
                first = False
            buf = tail + chunk
            start = len(tail)  # markers starting before this were counted in the last chunk
            v_tag, is_tag = b"<" + prefix + b"v>", b"<" + prefix + b"is>"
            scan.values += buf.count(v_tag, max(0, start - len(v_tag) + 1))
            scan.values += buf.count(is_tag, max(0, start - len(is_tag) + 1))
            last_value = max(buf.rfind(v_tag), buf.rfind(is_tag))
            if last_value >= 0:
                r = buf.rfind(row_tag, 0, last_value)
                n = _row_number(buf, r) if r >= 0 else (row_num or None)
                if n is None:
                    scan.rows_numbered = False
                else:
                    scan.last_row = max(scan.last_row, n)
            r = buf.rfind(row_tag)
            if r >= 0 and buf.find(b">", r) >= 0:  # (a tag cut off at the end is read next time)
                n = _row_number(buf, r)
                if n is None:
                    scan.rows_numbered = False
                else:
                    row_num = n
            if b"mergeCell" in buf:
                for m in _MERGE.finditer(buf):
                    merged.setdefault(m.group(1).decode("ascii").upper(), None)
            tail = buf[-512:]
    scan.merged = list(merged)
    return scan


def _row_number(buf: bytes, pos: int) -> int | None:
    end = buf.find(b">", pos)
    m = _ROW_NUMBER.search(buf, pos, end if end >= 0 else len(buf))
    return int(m.group(1)) if m else None


def _cell_range(ref: str) -> CellRange | None:
    try:
        return CellRange(ref)
    except (ValueError, TypeError):
        return None


def _sheet_rows(ws, scan: _SheetScan, inp: _Input, problems: list) -> list[tuple] | None:
    """The rows of a read-only sheet up to its last value (each as long as its own last cell);
    None (and a problem) if it holds more cells than :data:`_MAX_CELLS`."""
    if scan.values == 0:
        return []
    ws.reset_dimensions()  # the stored dimension may be the formatted range: size rows by their cells
    rows: list[tuple] = []
    cells = 0
    max_row = scan.last_row if scan.rows_numbered else None
    for r in ws.iter_rows(min_row=1, max_row=max_row, values_only=True):
        cells += len(r)
        if cells > _MAX_CELLS:
            problems.append(
                IngestProblem(
                    inp.display,
                    ws.title,
                    None,
                    None,
                    f"the sheet is too large (more than {_MAX_CELLS:,} cells up to its last filled row, "
                    f"{len(rows) + 1:,}); delete the empty formatted columns to the right".replace(",", "."),
                )
            )
            return None
        rows.append(r)
    while rows and all(_is_empty(v) for v in rows[-1]):
        rows.pop()
    return rows


# -- CSV and Parquet -------------------------------------------------------------------------------


_ENCODINGS = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
_MOJIBAKE = re.compile("Ã[¦¸¥†˜…]")


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file: UTF-16 and UTF-8 by their BOM, else UTF-8 if the bytes are
    valid UTF-8, else Windows-1252 (what Danish Excel's "CSV (semikolonsepareret)" writes). A
    file that is neither raises UnicodeDecodeError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: of ``;``, ``,`` and tab, the one that splits the header row
    into the most fields (outside quotes), where the next rows agree; ``,`` by default."""
    lines = [ln for ln in text.split("\n", 6)[:6] if ln.strip()]
    first = re.sub(r'"[^"]*"', "", lines[0]) if lines else ""
    counts = {d: first.count(d) for d in (";", ",", "\t")}

    def agrees(d: str) -> int:  # how many of the following lines have as many fields
        return sum(re.sub(r'"[^"]*"', "", ln).count(d) == counts[d] for ln in lines[1:])

    best = max(counts, key=lambda d: (counts[d] > 0, agrees(d), counts[d], d == ","))
    return best if counts[best] else ","


def _read_csv(inp: _Input, idx: int, table: str | None, problems: list, notes: list) -> None:
    """Read a CSV file as ``table`` (None: told by its headers)."""
    decoded = _csv_text(inp, problems)
    if decoded is None:
        return
    text, encoding = decoded
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        # a loop, so that the rows read before an error are counted
        for rec in reader:
            records.append(rec)  # noqa: PERF402
    except csv.Error as exc:
        message = f"the row could not be read as CSV ({exc}); check the quotes"
        problems.append(_file_problem(inp, message, row=len(records) + 1))
        return
    header = records[0] if records else []
    shown = {"\t": "tab", ";": "';'", ",": "','"}[delimiter]
    how = ""
    if table is None:
        table, how = _table_by_headers(header, inp, None, problems)
        if table is None:
            return
    inp.read_as.append(
        f"{_ENCODINGS[encoding]}, {shown}-separated" + (f", as {tpl.sheet_name(table)} ({how})" if how else "")
    )
    body = [(i + 2, r) for i, r in enumerate(records[1:])]
    src = _build_source(inp, idx, None, table, header, body, problems, notes, letters=False)
    if src is not None:
        inp.sources.append(src)


def _csv_text(inp: _Input, problems: list) -> tuple[str, str] | None:
    """(text, encoding) of a CSV file; None (and a problem) if it is too large, not text, empty
    or garbled by a double conversion."""
    size = inp.path.stat().st_size
    if size > _MAX_CSV:
        problems.append(
            _file_problem(
                inp,
                f"the file is too large to read safely ({_mb(size)}; the limit is {_mb(_MAX_CSV)}); "
                "split it, or save large tables such as the weekly status as Parquet",
            )
        )
        return None
    data = inp.path.read_bytes()
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (
            "the file is not UTF-8 or Windows-1252 text (the first bad character is on this row); in "
            "Excel save it as 'CSV UTF-8' or 'CSV (semikolonsepareret)'"
        )
        problems.append(_file_problem(inp, message, row=line))
        return None
    if not text.strip():
        problems.append(_file_problem(inp, "the file is empty (no header row)"))
        return None
    bad = _MOJIBAKE.search(text)
    if bad:
        message = (
            f"the text is garbled ('{bad.group(0)}' stands for æ, ø or å): the file was converted to "
            "UTF-8 twice; export it again from the source"
        )
        problems.append(_file_problem(inp, message, row=text[: bad.start()].count("\n") + 1))
        return None
    return text, encoding


def _read_parquet(inp: _Input, idx: int, table: str | None, problems: list, notes: list) -> None:
    """Read a Parquet file as ``table`` (None: told by its headers); its columns keep their types."""
    try:
        df = pd.read_parquet(inp.path)
    except Exception as exc:  # noqa: BLE001 - any reason a file is not readable Parquet
        problems.append(_file_problem(inp, f"the file could not be read as Parquet: {type(exc).__name__}"))
        return
    if table is None:
        table, how = _table_by_headers(list(df.columns), inp, None, problems)
        if table is None:
            return
        inp.read_as.append(f"as {tpl.sheet_name(table)} ({how})")
    lookup = _LOOKUPS[table]
    headers: dict[str, str] = {}
    for c in df.columns:
        code = lookup.get(_norm(c))
        if code is None:
            notes.append(
                IngestProblem(inp.display, None, None, _show(c, 60), "unknown column; it was ignored and is not stored")
            )
        elif code in headers:
            problems.append(
                IngestProblem(
                    inp.display, None, None, _show(c, 60), "more than one column gives the same column; keep one"
                )
            )
        else:
            headers[code] = str(c)
    missing = [c for c in TABLES[table].columns if c not in headers and tpl.is_required(table, c)]
    for c in missing:
        problems.append(IngestProblem(inp.display, None, None, tpl.header(table, c), "a required column is missing"))
    if len(df) == 0:
        return
    frame = pd.DataFrame({code: df[h].reset_index(drop=True) for code, h in headers.items()})
    inp.sources.append(_Source(inp.display, idx, None, table, headers, list(range(1, len(df) + 1)), frame))
