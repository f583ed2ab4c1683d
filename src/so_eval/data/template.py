"""The Excel template the coordinator fills in, with Danish sheet names and column headers.

:func:`write_template` writes one sheet per table of :data:`so_eval.data.model.TABLES` except
``status_weekly`` (the weekly benefit status comes as a CSV/Parquet export), a help sheet
(``Hjælp``) explaining every column, drop-down lists for every category column (and ja/nej for
yes/no columns), and dd-mm-yyyy date formats. :mod:`so_eval.data.ingest` reads the filled workbook
back. The words (sheet names, headers, explanations, examples) are in
:mod:`so_eval.data.template_text`, the single place where column codes meet the headers users
see; this module holds the facts about each column (:func:`column_kind`, :func:`allowed_values`,
:func:`is_required`, :func:`header`) and writes the workbook.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from so_eval import glossary as g
from so_eval.data.model import TABLES, WITHDRAWN, stored_columns
from so_eval.data.template_text import (
    CITIZEN_HEADER,
    EXAMPLES,
    EXPLANATIONS,
    HEADERS,
    HELP_SHEET,
    INTRO,
    KIND_LABELS,
    LISTS_SHEET,
    REGISTERED_HELP,
    SHEETS,
    WITHDRAWN_HEADER,
)
from so_eval.files import atomic_write_bytes

TEMPLATE_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t != "status_weekly")
"""The tables that have a sheet in the template, in load order."""

DATE_FORMAT = "DD-MM-YYYY"
MAX_ROWS = 5000
"""Rows (below the header) that get drop-down lists and formats."""

_BOOL_VALUES = ("ja", "nej")

_HEADER_FILL = "DDEBF7"
"""The fill of the header cells (light blue)."""


# -- column facts ----------------------------------------------------------------------------


def column_kind(table: str, column: str) -> str:
    """``"date"``, ``"bool"``, ``"int"``, ``"float"``, ``"list"`` or ``"text"``."""
    if column == WITHDRAWN:
        return "bool"
    spec = TABLES[table]
    dtype = spec.column_dtype(column)
    if "datetime" in dtype:
        return "date"
    if dtype == "bool":
        return "bool"
    if "int" in dtype:
        return "int"
    if "float" in dtype:
        return "float"
    if column in spec.list_columns:
        return "list"
    return "text"


def allowed_values(table: str, column: str) -> tuple[str, ...] | None:
    """The allowed category codes of a column (from the schema's ``isin`` check), or None."""
    spec = TABLES[table]
    if column == WITHDRAWN:
        return None
    if column in spec.list_columns:
        return tuple(str(v) for v in spec.list_columns[column])
    for check in spec.model.to_schema().columns[column].checks:
        if check.name == "isin":
            return tuple(str(v) for v in check.statistics["allowed_values"])
    return None


def is_required(table: str, column: str) -> bool:
    """True if the column must be filled in (``registered`` defaults to the ingest date)."""
    if column in ("registered", WITHDRAWN):
        return False
    return not TABLES[table].model.to_schema().columns[column].nullable


def header(table: str, column: str) -> str:
    """The Danish header of a column (the code itself if none is defined)."""
    return HEADERS.get(table, {}).get(column, column)


def sheet_name(table: str) -> str:
    """The sheet name of a table (its Danish label, or the code, if none is defined)."""
    name = SHEETS.get(table) or g.TABLE_LABELS.get(table) or table
    return re.sub(r"[\\/?*\[\]:]", "-", name)[:31]


def _example(table: str, column: str) -> str:
    kind = column_kind(table, column)
    if column in EXAMPLES:
        return EXAMPLES[column]
    if kind == "date":
        return "31-12-2024"
    if kind == "bool":
        return "ja"
    allowed = allowed_values(table, column)
    if allowed:
        return allowed[0]
    return ""


def _help_rows() -> list[list[str]]:
    rows = []
    for table in TEMPLATE_TABLES:
        for column in stored_columns(table):
            allowed = allowed_values(table, column)
            kind = column_kind(table, column)
            allowed_text = ", ".join(allowed) if allowed else ("ja, nej" if kind == "bool" else "")
            explanation = REGISTERED_HELP if column == "registered" else EXPLANATIONS.get(table, {}).get(column, "")
            rows.append(
                [
                    sheet_name(table),
                    header(table, column),
                    column,
                    KIND_LABELS[kind],
                    "ja" if is_required(table, column) else "nej",
                    allowed_text,
                    _example(table, column),
                    explanation,
                ]
            )
    return rows


# -- writing ---------------------------------------------------------------------------------


def build_workbook() -> Workbook:
    """The template as an ``openpyxl.Workbook`` (not saved)."""
    wb = Workbook()
    _help_sheet(wb.active)
    lists = _Lists(wb.create_sheet(LISTS_SHEET))
    for table in TEMPLATE_TABLES:
        _table_sheet(wb.create_sheet(sheet_name(table)), table, lists)
    lists.ws.sheet_state = "hidden"
    wb.move_sheet(lists.ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    return wb


def _help_sheet(ws) -> None:
    """The help sheet: the introduction, then one row per column of every table."""
    ws.title = HELP_SHEET
    for i, line in enumerate(INTRO, start=1):
        ws.cell(row=i, column=1, value=line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    top = len(INTRO) + 2
    titles = ["Ark", "Kolonne", "Kode", "Type", "Påkrævet", "Tilladte værdier", "Eksempel", "Forklaring"]
    for j, title in enumerate(titles, start=1):
        c = ws.cell(row=top, column=j, value=title)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for i, row in enumerate(_help_rows(), start=top + 1):
        for j, value in enumerate(row, start=1):
            c = ws.cell(row=i, column=j, value=value)
            c.number_format = "@"
            c.alignment = Alignment(wrap_text=j in (6, 8), vertical="top")
    for j, width in enumerate([20, 42, 18, 24, 10, 48, 22, 70], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


class _Lists:
    """The (hidden) list sheet: one column per category list, referenced by the drop-downs."""

    def __init__(self, ws):
        self.ws = ws
        self.refs: dict[tuple[str, ...], str] = {}

    def ref(self, values: tuple[str, ...]) -> str:
        """The cell range holding ``values`` (written in the next free column the first time)."""
        if values not in self.refs:
            col = len(self.refs) + 1
            letter = get_column_letter(col)
            self.ws.cell(row=1, column=col, value=", ".join(values)[:60])
            for i, v in enumerate(values, start=2):
                self.ws.cell(row=i, column=col, value=v).number_format = "@"
            self.refs[values] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        return self.refs[values]


def _table_sheet(ws, table: str, lists: _Lists) -> None:
    """A table's sheet: the headers with their explanation as a comment, date and text formats,
    and a drop-down list for each category and yes/no column."""
    ws.freeze_panes = "A2"
    for j, column in enumerate(stored_columns(table), start=1):
        letter = get_column_letter(j)
        h = header(table, column)
        c = ws.cell(row=1, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        kind = column_kind(table, column)
        note = EXPLANATIONS.get(table, {}).get(column) or REGISTERED_HELP
        c.comment = Comment(f"{note}\nType: {KIND_LABELS[kind]}", "so-eval")
        ws.column_dimensions[letter].width = max(12, min(40, len(h) + 4))
        if kind == "date":
            ws.column_dimensions[letter].number_format = DATE_FORMAT  # the whole column
        elif kind in ("text", "list"):
            ws.column_dimensions[letter].number_format = "@"  # keeps CPR leading zeros
        values = _BOOL_VALUES if kind == "bool" else allowed_values(table, column)
        if values and kind != "list":
            dv = DataValidation(
                type="list",
                formula1=lists.ref(tuple(values)),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Ugyldig værdi",
                error=f"Vælg en af værdierne på listen ({', '.join(values)}).",
                promptTitle=h[:32],
                prompt=", ".join(values)[:255],
                showInputMessage=True,
            )
            dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.add_data_validation(dv)


def write_template(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write the Excel template (``.xlsx``) to ``path``.

    Parameters
    ----------
    path
        Where to write the workbook, e.g. ``skabelon.xlsx``.
    overwrite
        Replace an existing file. Without it an existing file is never touched.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> from so_eval.data.template import write_template
    >>> write_template("skabelon.xlsx")  # doctest: +SKIP
    PosixPath('skabelon.xlsx')
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{path} already exists and was left untouched (it may hold filled-in data); "
            "choose another file name or pass overwrite=True (so-eval template --force)"
        )
    buf = io.BytesIO()
    build_workbook().save(buf)
    atomic_write_bytes(path, buf.getvalue())
    return path


def sheet_names() -> dict[str, str]:
    """Table code → sheet name, for the tables in the template."""
    return {t: sheet_name(t) for t in TEMPLATE_TABLES}


__all__ = [
    "CITIZEN_HEADER",
    "EXPLANATIONS",
    "HEADERS",
    "HELP_SHEET",
    "LISTS_SHEET",
    "SHEETS",
    "TEMPLATE_TABLES",
    "WITHDRAWN_HEADER",
    "allowed_values",
    "build_workbook",
    "column_kind",
    "header",
    "is_required",
    "sheet_name",
    "sheet_names",
    "write_template",
]
