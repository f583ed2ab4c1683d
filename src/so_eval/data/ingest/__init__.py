"""Ingest filled-in workbooks and CSV/Parquet exports into a dataset folder, safely.

``ingest(files, into)`` reads the files, maps the Danish headers back to the model's columns,
normalises every value to the dataset's CSV form (ISO dates, ``.`` decimals, ``true``/``false``,
``;``-separated lists), replaces every CPR number by a pseudonym (:mod:`so_eval.data.pseudonym`),
merges the rows with the dataset already in ``into`` and checks the merged result with exactly
the rules of :func:`so_eval.data.loading.validate`. Only then is the dataset replaced.

Rules
-----
* **What is read.** A workbook (``.xlsx``): every sheet named like a sheet of the template
  (:data:`so_eval.data.template.SHEETS`; the English table code, e.g. ``courses``, works too); the
  help and list sheets are skipped; a missing sheet is simply a table without new rows; another
  sheet holding data is an error (it may be a renamed table) — unless it is the workbook's only
  sheet with data, which is then matched by its headers like a CSV file. A CSV (``.csv``) or
  Parquet (``.parquet``) file: the file name decides the table (``forløb.csv``, ``courses.csv``,
  ``borgere-2024.csv``); if it does not name one (``jobcenter_export.csv``), the header row does:
  the one table whose required columns are all there and that the most headers belong to (a tie
  or no fit is an error naming the candidates). ``table=`` (``--table``) gives the table of
  every file instead. CSV files are UTF-8 (with or without BOM), UTF-16 with BOM, or
  Windows-1252 (Danish Excel's "CSV (semikolonsepareret)"): valid UTF-8 is read as UTF-8,
  anything else as Windows-1252, and text garbled by a double conversion (``Ã¸``) is refused.
  They are separated by ``;``, ``,`` or tab. The summary says how each file was read. Headers
  may be the template's Danish headers or the column codes; ``cpr``/``CPR-nummer`` means the
  citizen ID. Row 1 is the header.
* **Bad files cost little.** Workbooks are read in streaming (read-only) mode. Before anything
  is loaded, the zip directory's unpacked sizes are checked (a sheet at most 256 MB, any other
  XML part 64 MB, all XML parts together 512 MB); each sheet's XML is then streamed once, stopping past
  the limit whatever the directory claims, to find its last row with a value, its number of
  filled cells (at most 3 mio.) and its merged cells; only the rows up to the last value are
  parsed, so formatted empty rows below the data cost only that one pass. A CSV file may be at
  most 512 MB.
* **Values.** Dates ``31-12-2024``, ``31.12.2024``, ``31/12/2024``, ``2024-12-31`` or a date
  cell; numbers ``12,5``, ``12.5``, ``1.234,5`` or a number cell (``1.500`` is refused as
  ambiguous); yes/no as ``ja``/``nej`` (also true/false, 1/0, x); categories case-insensitive,
  also by their Danish label (``Kvinde`` → ``k``). Empty rows are skipped; surrounding
  whitespace is removed. An empty ``Registreringsdato`` becomes the day of the ingest (and is
  not compared when a row is re-ingested); a report made ``as_of`` an earlier day does not count
  such a row, says in its method section how many rows were registered after its ``as_of``, and
  stops with a message naming the table and the date if a table it needs is then empty.
* **CPR numbers** in the citizen-ID column become pseudonyms (see :mod:`so_eval.data.pseudonym`),
  in any spelling (``010180-1234``, ``0101801234``, ``010180 1234``, an en dash, a slash …; a
  valid date part, substitute numbers included). A citizen-ID cell that is not a CPR number
  must be a pseudonym (``P`` and 16 hex digits) or an ID already in the dataset's citizens
  table; anything else (``010180-123``, ``01018O-1234``, a name) is refused and never stored.
  A CPR-shaped number in any other cell (:func:`so_eval.data.pseudonym.find_cpr`) rejects the row
  ("looks like a CPR number"). Columns the model does not know are dropped with a warning,
  never stored; a column that may hold names gets a warning of its own.
* **Nothing lost.** Each table has a key (:data:`KEYS`). A row whose key is new is added; a row
  identical to the stored row (its latest version) is counted as unchanged; so is a row identical
  to an earlier version of it (an old file ingested again: a warning says the current version was
  kept). A row with an existing key but other content is a **conflict**: it is not applied, the
  stored row stays, and the conflict is listed with the old → new value of each changed column.
  Two rows of one ingest with the same key and different content are an error. Re-ingesting a
  file adds nothing.
* **Updates** (``update=True``, ``so-eval ingest --update``). A changed row is added as a **new
  version** of its key (a course that has now ended, a corrected job date); the earlier versions
  stay in the file, so that the data as known on any earlier day — and every report made from
  them — can be reproduced (:mod:`so_eval.data.model`). The new version is registered on the row's own
  registration date if that is later than the stored version's, else on the day of the ingest;
  it must come out later than the stored version's (else the row is refused: a stored version
  registered today or later cannot be replaced today). A row with ``Trukket tilbage`` = ja
  (column ``withdrawn``) adds a withdrawal version: its empty cells are taken from the stored
  version; a key not in the dataset cannot be withdrawn. Only the registration date differing is
  a conflict even with ``update`` (a registration date is never rewritten). Each change is
  listed (old → new per column; citizen IDs only as pseudonyms) and logged.
* **All or nothing.** Any problem (a bad value, a broken reference, an unreadable file) raises
  :class:`IngestError` listing every problem with file, sheet, row (as Excel shows it, the header
  is row 1) and the column header the user sees; the dataset is then not touched at all. A
  successful ingest builds the new dataset in a temporary folder beside ``into``, validates it,
  appends one JSON line to ``ingest_log.jsonl`` (file names, SHA-256, counts, time — no values,
  except the old → new values of the rows changed with ``update``, citizen IDs as pseudonyms),
  and swaps the folders in one step (:func:`so_eval.folders.swap`; the old folder is
  removed once the new one is in place). One ingest at a time writes a dataset (a second one
  waits for the lock); the next ingest removes the temporary folders of one that was killed.
* **The key.** The pseudonym key is never stored. The log keeps a one-way check value of it;
  an ingest with a different key into the same dataset is refused (the same CPR number would
  get another pseudonym).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from so_eval import folders
from so_eval import glossary as g
from so_eval.data import pseudonym as ps
from so_eval.data import template as tpl
from so_eval.files import file_hash
from so_eval.data.loading import Problem, validate
from so_eval.data.model import KEYS, TABLES, WITHDRAWN, stored_columns

LOG_NAME = "ingest_log.jsonl"

# KEYS (imported from so_eval.data.model): the key of each table; rows with the same key are versions
# of the same fact (jobs by job_id, progression by citizen, course, date and step, learnings and
# partnerships by the whole row except the registration date).

NAME_WORDS = frozenset(
    {"navn", "name", "fornavn", "efternavn", "mellemnavn", "borgernavn", "kaldenavn",
     "surname", "firstname", "lastname", "fullname", "givenname"}
)
_CPR_HEADERS = (
    "cpr", "cpr-nummer", "cpr nummer", "cprnummer", "cpr-nr", "cpr-nr.", "cpr nr", "cpr nr.",
    "cprnr", "cpr_nr", "personnummer", "borger", "borger-id", "borger id", "borgerid", "pseudonym",
)
_SKIP_SHEETS = frozenset({"hjælp", "hjaelp", "help", "vejledning", "lister", "lists"})
_TRUE = frozenset({"ja", "j", "true", "sand", "yes", "y", "1", "x"})
_FALSE = frozenset({"nej", "n", "false", "falsk", "no", "0"})
_MAX_CELLS = 3_000_000
_MAX_INT = 10**15


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class IngestProblem:
    """One problem with the input, located as the user sees it (row 1 = the header row)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class IngestError(ValueError):
    """Nothing was ingested; ``.problems`` lists every problem (``.warnings`` the warnings)."""

    def __init__(self, problems: list[IngestProblem], warnings: list[IngestProblem] | None = None,
                 conflicts: list[Conflict] | None = None):
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        self.conflicts = list(conflicts or [])
        lines = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        also = (f"\n(also {len(self.conflicts)} row(s) conflict with the dataset and would not be "
                "applied: see .conflicts)" if self.conflicts else "")
        super().__init__(
            f"nothing was ingested: {len(self.problems)} problem(s):\n{lines}{more}{also}"
        )


@dataclass
class TableCounts:
    """Rows of one table in one ingest.

    ``read``: data rows read (empty rows not counted); ``added``: rows with a new key written;
    ``updated``: new versions of existing rows written (with ``update``; withdrawals included);
    ``unchanged``: identical to a row already in the dataset or earlier in this ingest;
    ``conflicting``: same key as an existing row but other content; ``rejected``: rows not
    applied (the conflicting ones — a file with invalid rows is rejected as a whole instead,
    with :class:`IngestError`).
    """

    read: int = 0
    added: int = 0
    unchanged: int = 0
    conflicting: int = 0
    rejected: int = 0
    updated: int = 0

    _FIELDS = ("read", "added", "updated", "unchanged", "conflicting", "rejected")

    def add(self, other: TableCounts) -> None:
        for f in self._FIELDS:
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in self._FIELDS}


def _shown_value(v: object) -> str:
    return "(empty)" if v is None else f"'{_show(v)}'"


def _changes_text(changes: tuple[tuple[str, object, object], ...]) -> str:
    return "; ".join(f"{h}: {_shown_value(old)} → {_shown_value(new)}" for h, old, new in changes)


@dataclass(frozen=True)
class Conflict:
    """An incoming row whose key exists with other content; it was not applied."""

    table: str
    file: str
    sheet: str | None
    row: int
    key: str
    columns: tuple[str, ...]
    existing_row: int
    changes: tuple[tuple[str, object, object], ...] = ()
    """(header, stored value, value in this row) per differing column (citizen IDs as pseudonyms)."""
    only_registered: bool = False

    def __str__(self) -> str:
        where = [self.file] + ([f"sheet '{self.sheet}'"] if self.sheet else []) + [f"row {self.row}"]
        shown = f" ({_changes_text(self.changes)})" if self.changes else ""
        hint = ("a registration date is never changed" if self.only_registered
                else "to record this row as a new version of it, ingest with --update")
        return (
            f"{', '.join(where)}: {self.key} already exists in the dataset "
            f"({TABLES[self.table].filename} row {self.existing_row}) with another "
            f"{', '.join(repr(c) for c in self.columns)}{shown}; the existing row was kept and this "
            f"row was not applied ({hint})"
        )


@dataclass(frozen=True)
class Change:
    """A new version of an existing row, written with ``update`` (a correction or a withdrawal)."""

    table: str
    file: str
    sheet: str | None
    row: int
    key: str
    """The row's key in words (citizen IDs as pseudonyms, never CPR numbers)."""
    key_values: dict
    replaces: str
    """The registration date of the version it replaces."""
    registered: str
    withdrawn: bool
    changes: tuple[tuple[str, object, object], ...]
    """(header, old value, new value) per changed column."""
    codes: tuple[str, ...] = ()
    """The column codes of ``changes``."""

    def __str__(self) -> str:
        where = [self.file] + ([f"sheet '{self.sheet}'"] if self.sheet else []) + [f"row {self.row}"]
        what = "withdrawn" if self.withdrawn else _changes_text(self.changes)
        return (f"{', '.join(where)}: {self.key}: {what} (a new version registered {self.registered}; "
                f"the version registered {self.replaces} is kept)")

    def as_log(self) -> dict:
        return {"table": self.table, "key": self.key_values, "registered": self.registered,
                "replaces": self.replaces, "withdrawn": self.withdrawn,
                "changes": {c: [old, new] for c, (_, old, new) in zip(self.codes, self.changes)}}


@dataclass
class FileReport:
    """What one input file contributed."""

    file: str
    sha256: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    already_ingested: bool = False
    read_as: tuple[str, ...] = ()
    """How the file was read (a CSV file's encoding and separator; the table, where its name
    did not say it)."""


@dataclass
class IngestReport:
    """The outcome of a successful :func:`ingest`."""

    into: Path
    time: str
    files: list[FileReport]
    tables: dict[str, TableCounts]
    conflicts: list[Conflict]
    warnings: list[IngestProblem]
    log_entry: dict
    changes: list[Change] = field(default_factory=list)
    """The new versions written (with ``update``)."""

    @property
    def added(self) -> int:
        return sum(c.added for c in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.tables.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.tables.values())

    @property
    def conflicting(self) -> int:
        return sum(c.conflicting for c in self.tables.values())

    @property
    def no_op(self) -> bool:
        """True if the dataset's tables did not change (only the log line was added)."""
        return self.added == 0 and self.updated == 0

    def summary(self) -> str:
        """A few lines for the command line."""
        lines = [f"Ingested into {self.into}:" if not self.no_op else f"Nothing new for {self.into}:"]
        for name, c in self.tables.items():
            lines.append(
                f"  {tpl.sheet_name(name):<18} {c.read:>6} read, {c.added:>6} added, "
                + (f"{c.updated:>6} updated, " if self.updated else "")
                + f"{c.unchanged:>6} unchanged, {c.conflicting:>6} conflicting"
            )
        for f in self.files:
            if f.read_as:
                lines.append(f"  read: {f.file}: {'; '.join(f.read_as)}")
            if f.already_ingested:
                lines.append(f"  note: {f.file} was ingested before (same SHA-256)")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        for ch in self.changes:
            lines.append(f"  updated: {ch}")
        for cf in self.conflicts:
            lines.append(f"  conflict: {cf}")
        return "\n".join(lines)


# -- names -----------------------------------------------------------------------------------


def _norm(text: object) -> str:
    s = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").replace("\ufeff", "")
    s = re.sub(r"\s+", " ", s).strip().casefold()
    return s.rstrip("*: ").strip()


def _ascii(s: str) -> set[str]:
    return {
        s,
        s.replace("æ", "ae").replace("ø", "oe").replace("å", "aa"),
        s.replace("æ", "ae").replace("ø", "o").replace("å", "a"),
    }


def _variants(text: str) -> set[str]:
    n = _norm(text)
    out = {n, n.replace("_", " "), n.replace("-", " ")}
    short = re.sub(r"\s*\(.*?\)\s*", " ", n).strip()
    if short:
        out |= {short, short.replace("-", " ")}
    return {a for o in out if o for a in _ascii(o)}


def _header_lookup(table: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    cols = stored_columns(table)
    for col in cols:  # Danish headers and codes first, then looser aliases
        for v in _variants(tpl.header(table, col)) | _variants(col):
            lookup.setdefault(v, col)
    for col in cols:
        label = g.LABELS.get(col)
        if label:
            for v in _variants(label):
                lookup.setdefault(v, col)
    for alias in ("tilbagetrukket", "trukket tilbage (ja/nej)", "withdrawn"):
        for v in _variants(alias):
            lookup.setdefault(v, WITHDRAWN)
    if "citizen_id" in cols:
        for alias in _CPR_HEADERS:
            for v in _variants(alias):
                lookup.setdefault(v, "citizen_id")
    return lookup


_LOOKUPS = {t: _header_lookup(t) for t in TABLES}


def _table_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in TABLES:
        for name in (t, tpl.sheet_name(t), g.TABLE_LABELS.get(t, "")):
            if name:
                for v in _variants(name):
                    out.setdefault(v, t)
    extra = {"aftaler": "agreements", "initiativer": "enterprises", "jobs": "jobs",
             "status": "status_weekly", "status ugentlig": "status_weekly"}
    for k, t in extra.items():
        for v in _ascii(k):
            out.setdefault(v, t)
    return out


_TABLE_ALIASES = _table_aliases()


def table_for_name(name: str) -> str | None:
    """The table a sheet or file name (without extension) stands for; ``""`` for the help and
    list sheets; None if unknown.

    >>> table_for_name("Forløb"), table_for_name("courses"), table_for_name("borgere_2024")
    ('courses', 'courses', 'citizens')
    """
    n = _norm(name)
    if n in _SKIP_SHEETS:
        return ""
    if n in _TABLE_ALIASES:
        return _TABLE_ALIASES[n]
    for alias in sorted(_TABLE_ALIASES, key=len, reverse=True):
        if n.startswith(alias) and len(n) > len(alias) and n[len(alias)] in " _-.":
            return _TABLE_ALIASES[alias]
    return None


def _is_name_header(text: str) -> bool:
    n = _norm(text)
    words = set(re.split(r"[^\w]+", n))
    return bool(words & NAME_WORDS) or "navn" in n


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _show(value: object, limit: int = 40) -> str:
    s = str(value)
    s = re.sub(r"[\r\n\t]+", " ", s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _mask_digits(text: str) -> str:
    """Mask anything CPR-shaped (any spelling, see :func:`so_eval.data.pseudonym.mask_cpr`) in a file
    name or message."""
    return ps.mask_cpr(text)


# -- reading ---------------------------------------------------------------------------------


@dataclass
class _Source:
    """The rows of one table from one file (or sheet), with where each row came from."""

    file: str
    file_index: int
    sheet: str | None
    table: str
    headers: dict[str, str]            # column code -> header as written in the file
    rows: list[int]                    # row number as the user sees it, per data row
    data: pd.DataFrame                 # column codes -> raw values (object)


@dataclass
class _Input:
    path: Path
    display: str
    sha256: str
    index: int
    sources: list[_Source] = field(default_factory=list)
    read_as: list[str] = field(default_factory=list)   # how it was read, for the summary


def _is_empty(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str):
        return not v.strip().replace("\u00a0", "").replace("\ufeff", "").replace("\u200b", "")
    return False


def _build_source(
    inp: _Input,
    file_index: int,
    sheet: str | None,
    table: str,
    raw_headers: list,
    body: list[tuple[int, list]],
    problems: list[IngestProblem],
    notes: list[IngestProblem],
    *,
    letters: bool,
) -> _Source | None:
    """Map headers to codes and keep the non-empty rows of one table block."""
    spec = TABLES[table]
    where = {"file": inp.display, "sheet": sheet}

    def col_name(j: int) -> str:
        return f"column {_column_letter(j)}" if letters else f"column {j + 1}"

    mapped: dict[int, str] = {}
    by_code: dict[str, list[int]] = {}
    header_text: dict[int, str] = {}
    width = max([len(raw_headers)] + [len(r) for _, r in body]) if body else len(raw_headers)
    for j in range(width):
        h = raw_headers[j] if j < len(raw_headers) else None
        if _is_empty(h):
            continue
        text = re.sub(r"\s+", " ", str(h)).strip()
        header_text[j] = text
        code = _map_header(table, text)
        if code is None:
            if table != "enterprises" and _is_name_header(text):
                msg = "this column may hold citizens' names; it was dropped and is never stored"
            else:
                msg = "unknown column; it was ignored and is not stored"
            notes.append(IngestProblem(**where, row=1, column=_show(text, 60), message=msg))
            continue
        mapped[j] = code
        by_code.setdefault(code, []).append(j)
    for code, cols in by_code.items():
        if len(cols) > 1:
            names = ", ".join(f"'{_show(header_text[j], 60)}'" for j in cols)
            for j in cols[1:]:
                problems.append(
                    IngestProblem(
                        **where, row=1, column=_show(header_text[j], 60),
                        message=f"more than one column is '{tpl.header(table, code)}' ({names}); "
                        "keep only one",
                    )
                )
    kept: list[tuple[int, list]] = []
    for rownum, values in body:
        if all(_is_empty(v) for v in values):
            continue  # an empty row
        for j, v in enumerate(values):
            if j not in header_text and not _is_empty(v):
                problems.append(
                    IngestProblem(
                        **where, row=rownum, column=col_name(j),
                        message="there is a value in a column without a header"
                        + ("" if letters else " (check the separator and the quotes)"),
                    )
                )
                break
        kept.append((rownum, values))
    if kept:
        for col in spec.columns:
            if col not in by_code and tpl.is_required(table, col):
                problems.append(
                    IngestProblem(**where, row=1, column=tpl.header(table, col),
                                  message="a required column is missing")
                )
    if not kept:
        return None
    data = {
        code: [vals[cols[0]] if cols[0] < len(vals) else None for _, vals in kept]
        for code, cols in by_code.items()
    }
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()},
                         index=pd.RangeIndex(len(kept)))
    headers = {code: header_text[cols[0]] for code, cols in by_code.items()}
    return _Source(inp.display, file_index, sheet, table, headers, [r for r, _ in kept], frame)


def _read_xlsx(inp: _Input, idx: int, problems: list, notes: list, table_opt: str | None = None) -> None:
    """Read a workbook in streaming mode, after checking its size without unpacking it.

    The limits (:data:`_MAX_SHEET_XML` and the others) are checked on the zip directory before
    anything is loaded, then each sheet's XML is streamed once (never held whole) to find where
    its values end, how many there are and which cells are merged; only the rows up to the last
    one holding a value are then parsed, so formatted but empty rows below the data cost little.
    """
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    def file_problem(message: str, sheet: str | None = None) -> None:
        problems.append(IngestProblem(inp.display, sheet, None, None, message))

    try:
        sizes = _check_zip(inp.path)
    except _TooLarge as exc:
        file_problem(str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - any reason a file is not a readable workbook
        file_problem(f"the file could not be read as an Excel workbook (.xlsx): {type(exc).__name__}")
        return
    try:
        # openpyxl reads each sheet's stored dimension when it opens the workbook, and parses the
        # whole sheet to find out that there is none; the scan below tells where the values end
        with warnings.catch_warnings(), mock.patch.object(ReadOnlyWorksheet, "_get_size", _no_size):
            warnings.simplefilter("ignore")
            wb = load_workbook(inp.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any reason a file is not a readable workbook
        file_problem(f"the file could not be read as an Excel workbook (.xlsx): {type(exc).__name__}")
        return
    try:
        sheets = []  # (worksheet, table or None, scan)
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
                file_problem(str(exc), ws.title)
                continue
            except Exception as exc:  # noqa: BLE001 - a damaged member (bad CRC, broken deflate)
                file_problem(f"the sheet could not be read ({type(exc).__name__}); save the workbook "
                             "again in Excel", ws.title)
                continue
            if scan.values > _MAX_CELLS or scan.last_row > _MAX_ROWS:
                file_problem(
                    f"the sheet is too large ({scan.values:,} filled cells in {scan.last_row:,} rows; "
                    f"the limit is {_MAX_CELLS:,} cells and {_MAX_ROWS:,} rows); split it or delete "
                    "what does not belong to the table".replace(",", "."), ws.title)
                continue
            sheets.append((ws, table, scan))
        data_sheets = [s for s in sheets if s[2].has_rows]  # (a header alone is no data)
        if table_opt is not None:
            if not data_sheets and not any(p.file == inp.display for p in problems):
                file_problem("no sheet of the workbook holds any data")
                return
            if len(data_sheets) > 1:
                file_problem(
                    f"--table can only be used with a workbook of one sheet; this one has "
                    f"{len(data_sheets)} sheets with data "
                    f"({', '.join(repr(ws.title) for ws, _, _ in data_sheets)}); name each sheet "
                    "after its table instead (as in the template)")
                return
            sheets = [(ws, table_opt, scan) for ws, _, scan in data_sheets]
        by_headers = table_opt is None and len(data_sheets) == 1 and data_sheets[0][1] is None
        found = False
        for ws, table, scan in sheets:
            if table is None and not (by_headers and ws is data_sheets[0][0]):
                if scan.values > 0:
                    file_problem(
                        "this sheet is not one of the template's sheets "
                        f"({', '.join(tpl.sheet_names().values())}); rename it to the right one or "
                        "delete it (or, for a workbook of one sheet, give the table with --table)",
                        ws.title)
                continue
            rows = _sheet_rows(ws, scan, inp, problems)
            if rows is None:
                continue
            header = list(rows[0]) if rows else []
            if table is None:
                table, how = _table_by_headers(header, inp, ws.title, problems)
                if table is None:
                    continue
                inp.read_as.append(f"sheet '{ws.title}' as {tpl.sheet_name(table)} ({how})")
            elif table_opt is not None:
                inp.read_as.append(f"sheet '{ws.title}' as {tpl.sheet_name(table)} (--table)")
            found = True
            for ref in scan.merged:
                rng = _cell_range(ref)
                if rng is None:
                    continue
                j = rng.min_col - 1
                h = header[j] if j < len(header) and not _is_empty(header[j]) else None
                problems.append(
                    IngestProblem(inp.display, ws.title, rng.min_row,
                                  _show(h, 60) if h is not None else f"column {_column_letter(j)}",
                                  f"cells {rng.coord} are merged; unmerge them and fill in every cell")
                )
            body = [(i + 2, r) for i, r in enumerate(rows[1:])]
            src = _build_source(inp, idx, ws.title, table, header, body, problems, notes, letters=True)
            if src is not None:
                inp.sources.append(src)
        if not found and not any(p.file == inp.display for p in problems):
            file_problem("no sheet of the template was found (expected one or more of: "
                         f"{', '.join(tpl.sheet_names().values())})")
    finally:
        wb.close()


def _no_size(ws) -> None:
    """Stands in for ``ReadOnlyWorksheet._get_size`` while a workbook is opened (see above): the
    sheet keeps no dimension (rows are then as long as their own last cell)."""


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
_MAX_ROWS = 1_000_000
"""Most rows a sheet may use up to its last filled cell."""
_CHUNK = 4 * 2**20


def _mb(n: float) -> str:
    """Bytes as Danish megabytes: ``0,4 MB``, ``320 MB``, ``1.024 MB``."""
    mb = n / 2**20
    if mb < 10:
        return f"{mb:.1f} MB".replace(".", ",")
    return f"{mb:,.0f} MB".replace(",", ".")


def _check_zip(path: Path) -> dict[str, int]:
    """The unpacked size of each member of the workbook at ``path``, from its zip directory
    (nothing is unpacked); :class:`_TooLarge` if a limit is passed."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = _sheet_members(zf) if len(infos) <= _MAX_MEMBERS else {}
    if len(infos) > _MAX_MEMBERS:
        raise _TooLarge(f"the workbook has {len(infos):,} parts (the limit is {_MAX_MEMBERS:,}); "
                        "it is not a workbook saved by Excel".replace(",", "."))
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
            what = (f"the sheet '{names[name]}'" if name in names else "a sheet") if is_sheet \
                else f"its part {name}"
            raise _TooLarge(
                f"the workbook is too large to read safely: {what} unpacks to "
                f"{_mb(info.file_size)} (the limit is {_mb(limit)}), although the file is "
                f"{_mb(path.stat().st_size)}; delete empty formatted rows and columns, or save the "
                "table as CSV and ingest that")
    if total > _MAX_TOTAL_XML:
        raise _TooLarge(
            f"the workbook is too large to read safely: it unpacks to {_mb(total)} (the limit is "
            f"{_mb(_MAX_TOTAL_XML)}); split it into smaller workbooks or save the tables as CSV")
    return sizes


def _sheet_members(zf) -> dict[str, str]:
    """Sheet name by zip member (``xl/worksheets/sheet1.xml`` → ``Forløb``), read from the
    workbook's small index parts; {} if they are missing, odd or larger than 1 MB."""
    import posixpath
    from xml.etree import ElementTree as ET

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
        targets = {el.get("Id"): el.get("Target", "") for el in ET.fromstring(rels)
                   if el.tag.endswith("Relationship")}
        out = {}
        for el in ET.fromstring(book).iter():
            if el.tag.endswith("}sheet") or el.tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                target = targets.get(rid)
                if target:
                    member = (target.lstrip("/") if target.startswith("/")
                              else posixpath.normpath(posixpath.join("xl", target)))
                    out[member] = el.get("name", "")
        return out
    except ET.ParseError:
        return {}


@dataclass
class _SheetScan:
    """What one pass over a sheet's XML found (without parsing it)."""

    last_row: int = 0                    # the last row holding a value (0: none)
    values: int = 0                      # cells holding a value
    merged: list[str] = field(default_factory=list)   # merged ranges, e.g. "A2:B2"
    rows_numbered: bool = True           # every row carries its number (r="…")

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
                    "save the table as CSV and ingest that")
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


def _cell_range(ref: str):
    from openpyxl.worksheet.cell_range import CellRange

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
            problems.append(IngestProblem(
                inp.display, ws.title, None, None,
                f"the sheet is too large (more than {_MAX_CELLS:,} cells up to its last filled row, "
                f"{len(rows) + 1:,}); delete the empty formatted columns to the right".replace(",", ".")))
            return None
        rows.append(r)
    while rows and all(_is_empty(v) for v in rows[-1]):
        rows.pop()
    return rows


def _map_header(table: str, text: str) -> str | None:
    """The column code a header stands for in ``table`` (None if unknown)."""
    lookup = _LOOKUPS[table]
    return lookup.get(_norm(text)) or next(
        (lookup[v] for v in sorted(_variants(text)) if v in lookup), None
    )


def _table_by_headers(header: list, inp: _Input, sheet: str | None,
                      problems: list) -> tuple[str | None, str]:
    """The table a file (or sheet) holds, told by its header row: the one table whose required
    columns are all there and that the most headers belong to. (None, "") and a problem listing
    the candidates if no table or more than one fits."""
    texts = [re.sub(r"\s+", " ", str(h)).strip() for h in header if not _is_empty(h)]
    scores = []
    for table in TABLES:
        codes = {c for c in (_map_header(table, t) for t in texts) if c is not None}
        missing = [c for c in TABLES[table].columns if tpl.is_required(table, c) and c not in codes]
        scores.append((len(codes), -len(missing), table, missing))
    fitting = sorted((s for s in scores if not s[3]), reverse=True)
    names = {t: tpl.sheet_name(t) for t in TABLES}
    table_list = ", ".join(sorted({t for t in TABLES}))
    where = "sheet" if sheet else "file name"
    if fitting and (len(fitting) == 1 or fitting[0][0] > fitting[1][0]):
        return fitting[0][2], "told by its headers"
    if fitting:
        tied = [t for t in TABLES if any(s[2] == t and s[0] == fitting[0][0] for s in fitting)]
        message = (f"the {where} does not say which table it holds, and its headers fit more than one: "
                   f"{', '.join(f'{names[t]} ({t})' for t in tied)}; give the table with --table "
                   f"{tied[0]} (or name the {'sheet' if sheet else 'file'} after it)")
    else:
        near = sorted(scores, key=lambda s: (len(s[3]), -s[0]))[:3]
        hints = "; ".join(
            f"{names[t]} ({t}) lacks {', '.join(repr(tpl.header(t, c)) for c in miss[:4])}"
            for n_found, _, t, miss in near if n_found > 0
        ) or "no header is a column of any table"
        message = (f"the {where} does not say which table it holds, and its headers do not fit any "
                   f"table ({hints}); name the {'sheet' if sheet else 'file'} after its table (e.g. "
                   f"borgere.csv) or give it with --table NAME (one of: {table_list})")
    problems.append(IngestProblem(inp.display, sheet, 1 if texts else None, None, message))
    return None, ""


_ENCODINGS = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252",
              "utf-16": "UTF-16"}
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


_MAX_CSV = 512 * 2**20
"""Largest CSV file read (bytes); the weekly status of a whole municipality is far below."""


def _read_csv(inp: _Input, idx: int, table: str | None, problems: list, notes: list) -> None:
    size = inp.path.stat().st_size
    if size > _MAX_CSV:
        problems.append(IngestProblem(
            inp.display, None, None, None,
            f"the file is too large to read safely ({_mb(size)}; the limit is {_mb(_MAX_CSV)}); "
            "split it, or save large tables such as the weekly status as Parquet"))
        return
    data = inp.path.read_bytes()
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            IngestProblem(inp.display, None, line, None,
                          "the file is not UTF-8 or Windows-1252 text (the first bad character is on "
                          "this row); in Excel save it as 'CSV UTF-8' or 'CSV (semikolonsepareret)'")
        )
        return
    if not text.strip():
        problems.append(IngestProblem(inp.display, None, None, None, "the file is empty (no header row)"))
        return
    bad = _MOJIBAKE.search(text)
    if bad:
        problems.append(
            IngestProblem(inp.display, None, text[: bad.start()].count("\n") + 1, None,
                          f"the text is garbled ('{bad.group(0)}' stands for æ, ø or å): the file was "
                          "converted to UTF-8 twice; export it again from the source")
        )
        return
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        # a loop, so that the rows read before an error are counted
        for rec in reader:
            records.append(rec)  # noqa: PERF402
    except csv.Error as exc:
        problems.append(
            IngestProblem(inp.display, None, len(records) + 1, None,
                          f"the row could not be read as CSV ({exc}); check the quotes")
        )
        return
    header = records[0] if records else []
    shown = {"\t": "tab", ";": "';'", ",": "','"}[delimiter]
    how = ""
    if table is None:
        table, how = _table_by_headers(header, inp, None, problems)
        if table is None:
            return
    inp.read_as.append(f"{_ENCODINGS[encoding]}, {shown}-separated"
                       + (f", as {tpl.sheet_name(table)} ({how})" if how else ""))
    body = [(i + 2, r) for i, r in enumerate(records[1:])]
    src = _build_source(inp, idx, None, table, header, body, problems, notes, letters=False)
    if src is not None:
        inp.sources.append(src)


def _read_parquet(inp: _Input, idx: int, table: str | None, problems: list, notes: list) -> None:
    try:
        df = pd.read_parquet(inp.path)
    except Exception as exc:  # noqa: BLE001 - any reason a file is not readable Parquet
        problems.append(
            IngestProblem(inp.display, None, None, None,
                          f"the file could not be read as Parquet: {type(exc).__name__}")
        )
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
            notes.append(IngestProblem(inp.display, None, None, _show(c, 60),
                                       "unknown column; it was ignored and is not stored"))
        elif code in headers:
            problems.append(IngestProblem(inp.display, None, None, _show(c, 60),
                                          "more than one column gives the same column; keep one"))
        else:
            headers[code] = str(c)
    missing = [c for c in TABLES[table].columns if c not in headers and tpl.is_required(table, c)]
    for c in missing:
        problems.append(IngestProblem(inp.display, None, None, tpl.header(table, c),
                                      "a required column is missing"))
    if len(df) == 0:
        return
    frame = pd.DataFrame({code: df[h].reset_index(drop=True) for code, h in headers.items()})
    inp.sources.append(
        _Source(inp.display, idx, None, table, headers, list(range(1, len(df) + 1)), frame)
    )


# -- values ----------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that cannot be normalised; the message is for the user."""


_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def _date(v: object) -> str:
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        try:
            d = pd.Timestamp(v)
        except (ValueError, OverflowError):
            raise _Bad(f"'{_show(v)}' is not a valid date") from None
        if d is pd.NaT or not 1900 <= d.year <= 2100:
            raise _Bad(f"'{_show(v)}' has a year outside 1900–2100")
        return d.date().isoformat()
    if isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
        raise _Bad(f"{_show(v)} is a number, not a date; write the date as dd-mm-yyyy, e.g. 31-12-2024")
    if isinstance(v, (dt.time, dt.timedelta)):
        raise _Bad(f"'{_show(v)}' is a time, not a date; write the date as dd-mm-yyyy")
    s = _text(v)
    m = _DMY.match(s)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _YMD.match(s)
        if not m:
            raise _Bad(f"'{_show(s)}' is not a date; write it as dd-mm-yyyy, e.g. 31-12-2024")
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise _Bad(f"'{_show(s)}' is not a valid date (no such day)") from None
    if not 1900 <= d.year <= 2100:
        raise _Bad(f"'{_show(s)}' has a year outside 1900–2100")
    return d.isoformat()


def _text(v: object) -> str:
    if isinstance(v, str):
        s = v.replace("\u00a0", " ").replace("\ufeff", "").replace("\u200b", "")
        return unicodedata.normalize("NFC", s).strip()
    if isinstance(v, (bool, np.bool_)):
        raise _Bad(f"'{v}' is a yes/no value; text was expected")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and abs(f) < _MAX_INT:
            return str(int(f))
        return repr(f)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        try:
            shown = pd.Timestamp(v).strftime("%d-%m-%Y")
        except (ValueError, OverflowError):
            shown = str(v)
        raise _Bad(
            f"Excel turned this value into a date ({shown}); format the column as text and type "
            "the value again"
        )
    if isinstance(v, (dt.time, dt.timedelta)):
        raise _Bad(f"'{_show(v)}' is a time; text was expected")
    return str(v).strip()


def _bool(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1):
        return "true" if v == 1 else "false"
    s = _text(v).casefold()
    if s in _TRUE:
        return "true"
    if s in _FALSE:
        return "false"
    raise _Bad(f"'{_show(s)}' is not ja or nej")


def _int(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        raise _Bad(f"'{v}' is a yes/no value; a whole number was expected")
    if isinstance(v, (int, np.integer)):
        n = int(v)
    elif isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f) or not f.is_integer():
            raise _Bad(f"'{_show(v)}' is not a whole number")
        if abs(f) >= _MAX_INT:
            raise _Bad(f"'{_show(v)}' is too large")
        n = int(f)
    else:
        s = re.sub(r"[ \u00a0]", "", _text(v))
        if re.fullmatch(r"[+-]?\d+", s):
            n = int(s) if len(s) < 20 else _MAX_INT
        elif re.fullmatch(r"[+-]?\d+[.,]0+", s):
            n = int(s.replace(",", ".").split(".")[0])
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", s):
            n = int(s.replace(".", ""))
        else:
            raise _Bad(f"'{_show(s)}' is not a whole number")
    if abs(n) >= _MAX_INT:
        raise _Bad(f"'{_show(v)}' is too large")
    return str(n)


def _float(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        raise _Bad(f"'{v}' is a yes/no value; a number was expected")
    if isinstance(v, (int, np.integer, float, np.floating)):
        f = float(v)
    else:
        s = re.sub(r"[ \u00a0]", "", _text(v))
        if re.fullmatch(r"[+-]?\d+", s):
            f = float(s)
        elif re.fullmatch(r"[+-]?\d+,\d+", s):
            f = float(s.replace(",", "."))
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d+", s):
            f = float(s.replace(".", "").replace(",", "."))
        elif re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", s):
            whole = s.replace(".", "")
            raise _Bad(
                f"'{s}' is ambiguous: write {whole} (without a thousands point) or "
                f"{s.replace('.', ',')} (with a decimal comma)"
            )
        elif re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
            f = float(s)
        else:
            raise _Bad(f"'{_show(s)}' is not a number (e.g. 12,5)")
    if not math.isfinite(f):
        raise _Bad(f"'{_show(v)}' is not a finite number")
    return repr(f)


def _category_map(allowed: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code in allowed:
        for name in (code, g.category_label(code)):
            for v in _ascii(_norm(name)):
                out.setdefault(v, code)
    return out


@dataclass
class _ColumnRule:
    kind: str
    categories: dict[str, str] | None = None
    allowed: tuple[str, ...] = ()


def _rules(table: str) -> dict[str, _ColumnRule]:
    out = {}
    for col in stored_columns(table):
        kind = tpl.column_kind(table, col)
        allowed = tpl.allowed_values(table, col)
        out[col] = _ColumnRule(kind, _category_map(allowed) if allowed else None, allowed or ())
    return out


_RULES = {t: _rules(t) for t in TABLES}


def _normalise_value(v: object, rule: _ColumnRule) -> str | None:
    if _is_empty(v):
        return None
    kind = rule.kind
    if kind == "date":
        return _date(v)
    if kind == "bool":
        return _bool(v)
    if kind == "int":
        return _int(v)
    if kind == "float":
        return _float(v)
    s = _text(v)
    if not s:
        return None
    if kind == "list":
        items = [i.strip() for i in re.split(r"[;,]", s) if i.strip()]
        if rule.categories is not None:
            unknown = [i for i in items if _norm(i) not in rule.categories]
            if unknown:
                raise _Bad(f"unknown value(s) {', '.join(repr(_show(u)) for u in unknown)} "
                           f"(allowed, separated by ';': {', '.join(rule.allowed)})")
            items = [rule.categories[_norm(i)] for i in items]
        return ";".join(items) or None
    if rule.categories is not None:
        if _norm(s) not in rule.categories:
            raise _Bad(f"unknown value '{_show(s)}' (allowed: {', '.join(rule.allowed)})")
        return rule.categories[_norm(s)]
    return s


class _Normaliser:
    """Normalises values column by column (each distinct value once) and pseudonymises CPRs.

    ``known`` are the citizen IDs already in the dataset: such an ID is kept as it is (a dataset
    made by ``so-eval demo`` or by hand, with IDs like ``C17``), unless it looks like a CPR
    number (:func:`so_eval.data.pseudonym.cpr_like`).
    """

    def __init__(self, key: bytes | None, known: Iterable[str] = ()):
        self.key = key
        self.known = frozenset(known)
        self.masks: dict[str, str] = {}      # pseudonym -> masked CPR (for messages)
        self.pseudonymised = 0

    def citizen(self, v: object) -> str | None:
        """A citizen-ID cell: a CPR number becomes its pseudonym; a pseudonym (``P`` and 16 hex
        digits) or an ID already in the dataset is kept; anything else is refused."""
        if _is_empty(v):
            return None
        digits = ps.normalise_cpr(v)
        if digits is not None and self.key is not None:
            p = ps.pseudonymise(digits, self.key)
            self.masks[p] = ps.mask(digits)
            return p
        s = _text(v)
        if not s:
            return None
        if ps.is_pseudonym(s) or (s in self.known and not ps.cpr_like(s)):
            return s
        raise _Bad(ps.citizen_id_problem(s))

    def column(self, values: pd.Series, table: str, col: str, *, pseudonymise: bool):
        """(normalised values, {position: message})."""
        rule = _RULES[table][col]
        fast = values.dtype != object
        if fast and rule.kind == "date" and pd.api.types.is_datetime64_any_dtype(values):
            out = values.dt.strftime("%Y-%m-%d")
            out = out.astype(object).where(values.notna(), None)
            bad = values.notna() & ((values.dt.year < 1900) | (values.dt.year > 2100))
            errors = {int(i): f"'{values.iloc[i]}' has a year outside 1900–2100"
                      for i in np.flatnonzero(bad.to_numpy())}
            return out.to_numpy(dtype=object), errors
        is_citizen = col == "citizen_id" and pseudonymise
        if fast:  # typed values (Parquet, CSV read as text): each distinct value once, vectorised
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            results = [self._one(u, rule, col, is_citizen) for u in list(uniques)]
            table_ = np.array([r[0] for r in results] + [None], dtype=object)
            out = table_[codes]
            errors = {}
            bad = [k for k, r in enumerate(results) if r[1] is not None]
            if bad:
                for i in np.flatnonzero(np.isin(codes, bad)):
                    errors[int(i)] = results[codes[i]][1]
            cpr = [k for k, r in enumerate(results) if r[2]]
            if cpr:
                self.pseudonymised += int(np.isin(codes, cpr).sum())
            return out, errors
        arr = values.to_numpy(dtype=object)
        out = np.empty(len(arr), dtype=object)
        errors: dict[int, str] = {}
        cache: dict[tuple, tuple[str | None, str | None, bool]] = {}
        for i, v in enumerate(arr):
            try:  # (type, value): True, 1 and 1.0 are equal but not the same input
                ck = (type(v), v)
                hash(ck)
            except TypeError:
                ck = None
            hit = cache.get(ck) if ck is not None else None
            if hit is None:
                hit = self._one(v, rule, col, is_citizen)
                if ck is not None:
                    cache[ck] = hit
            out[i] = hit[0]
            if hit[1] is not None:
                errors[i] = hit[1]
            if hit[2]:
                self.pseudonymised += 1
        return out, errors

    def _one(self, v: object, rule: _ColumnRule, col: str, is_citizen: bool):
        """(normalised value, message or None, was a CPR number) for one distinct value.

        Outside the citizen-ID column a cell holding a CPR-shaped number
        (:func:`so_eval.data.pseudonym.find_cpr`) is refused, whatever the column's kind, before it
        is read as a category, number or date; so is a number cell in a text column that is a
        CPR number with the leading zero dropped.
        """
        if col != "citizen_id":
            found = _cpr_in_cell(v, rule)
            if found:
                return None, (f"looks like a CPR number ({found}); CPR numbers belong only in "
                              f"the column '{tpl.CITIZEN_HEADER}', where they are replaced by a "
                              "pseudonym"), False
        try:
            res = self.citizen(v) if is_citizen else _normalise_value(v, rule)
        except _Bad as exc:
            return None, str(exc), False
        was_cpr = is_citizen and res is not None and res in self.masks
        if res is not None and col != "citizen_id" and rule.kind in ("text", "list"):
            spans = ps.find_cpr(res)
            if spans:
                return None, (f"looks like a CPR number ({spans[0].masked}); CPR numbers belong "
                              f"only in the column '{tpl.CITIZEN_HEADER}'"), False
        return res, None, was_cpr


def _cpr_in_cell(v: object, rule: _ColumnRule) -> str | None:
    """The masked CPR number in a cell outside the citizen-ID column, or None."""
    if isinstance(v, str):
        spans = ps.find_cpr(v.translate(_INVISIBLE))
        return spans[0].masked if spans else None
    if rule.kind in ("text", "list") and isinstance(v, (int, float, np.integer, np.floating)) \
            and not isinstance(v, (bool, np.bool_)):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and 10**8 <= f < 10**10:
            digits = ps.normalise_cpr(int(f))
            return ps.mask(digits) if digits else None
    return None


_INVISIBLE = str.maketrans("", "", "\ufeff\u200b\u200c\u200d\u2060\u00ad")


def _known_citizens(into: Path) -> set[str]:
    """The citizen IDs already in the dataset at ``into`` (none if it has no citizens table)."""
    path = into / TABLES["citizens"].filename
    if not path.is_file():
        return set()
    try:
        ids = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                          usecols=["citizen_id"])["citizen_id"]
    except Exception:  # noqa: BLE001 - unreadable: reported when the dataset is read
        return set()
    return {v.strip() for v in ids if v.strip()}


# -- existing dataset ------------------------------------------------------------------------


@dataclass
class _Existing:
    """A table already in the dataset: as stored, and normalised where it may meet new rows."""

    raw: pd.DataFrame | None           # as stored (CSV: strings; Parquet: typed)
    canon: pd.DataFrame                # model columns, normalised, for the rows in ``positions``
    positions: np.ndarray              # which rows of ``raw`` are in ``canon``
    path: Path | None

    @property
    def n(self) -> int:
        return 0 if self.raw is None else len(self.raw)


def _empty_existing(table: str) -> _Existing:
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in stored_columns(table)})
    return _Existing(None, empty, np.zeros(0, dtype=int), None)


def _read_existing(into: Path, table: str, problems: list[IngestProblem],
                   first_keys: set[str]) -> _Existing:
    """Read a table of the dataset; only the rows whose first key value occurs among the incoming
    rows (``first_keys``) are normalised for comparison (a large panel stays fast)."""
    spec = TABLES[table]
    path = into / spec.filename
    cols = stored_columns(table)
    if not path.exists():
        return _empty_existing(table)
    shown = f"{into.name}/{spec.filename}"
    try:
        if spec.fmt == "csv":
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        else:
            raw = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - the existing file is unreadable for any reason
        problems.append(IngestProblem(shown, None, None, None,
                                      f"the existing file could not be read ({type(exc).__name__}); "
                                      "repair it before ingesting"))
        return _empty_existing(table)
    key0 = KEYS[table][0]
    if key0 in raw.columns:
        first = raw[key0].astype(object).where(raw[key0].notna(), "").astype(str).str.strip()
        positions = np.flatnonzero(first.isin(first_keys).to_numpy())
    else:
        positions = np.arange(len(raw))
    subset = raw.iloc[positions].reset_index(drop=True)
    norm = _Normaliser(None)
    canon = {}
    for c in cols:
        if c in subset.columns:
            values, _ = norm.column(subset[c], table, c, pseudonymise=False)
            canon[c] = values
        else:
            canon[c] = np.full(len(subset), None, dtype=object)
    return _Existing(raw, pd.DataFrame(canon, dtype=object), positions, path)


def _keys(frame: pd.DataFrame, cols: Iterable[str]) -> list[str]:
    cols = list(cols)
    if not cols or len(frame) == 0:
        return [""] * len(frame)
    parts = [pd.Series(frame[c].to_numpy(dtype=object)).fillna("\x00").astype(str) for c in cols]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "\x1f" + part
    return joined.tolist()


# -- the ingest ------------------------------------------------------------------------------


@contextlib.contextmanager
def _lock(into: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``into``, waiting for another ingest to finish (POSIX), and
    remove the temporary folders a killed ingest left beside it."""
    with folders.locked(into, wait=True, what=f"so-eval ingest into {into.name}"):
        folders.remove_leftovers(into, ("ingest",))
        yield


def _read_log(into: Path) -> list[dict]:
    path = into / LOG_NAME
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("so-eval")
    except PackageNotFoundError:
        return "unknown"


def _now(now) -> dt.datetime:
    if now is None:
        return dt.datetime.now().astimezone()
    t = pd.Timestamp(now).to_pydatetime()
    return t if t.tzinfo else t.astimezone()


def ingest(
    files: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    into: str | os.PathLike[str],
    *,
    key: str | bytes | None = None,
    now: dt.datetime | str | None = None,
    table: str | None = None,
    update: bool = False,
) -> IngestReport:
    """Ingest workbooks and CSV/Parquet exports into the dataset folder ``into``.

    Parameters
    ----------
    files
        One or more ``.xlsx``, ``.csv`` or ``.parquet`` files (see the module docstring).
    into
        The dataset folder, e.g. ``data/2025``; created if it does not exist.
    key
        The pseudonym key; default: ``SO_EVAL_PSEUDONYM_KEY`` or ``SO_EVAL_PSEUDONYM_KEY_FILE``.
    now
        The time of the ingest (for the log and for empty registration dates); default now.
    table
        The table every file holds (code or Danish name, e.g. ``jobs`` or ``Job``), for files
        whose name does not say it; a workbook must then have one sheet with data. Default: a
        file's table is told by its name, else by its header row.
    update
        Add changed rows as new versions of their key (and rows marked ``Trukket tilbage`` as
        withdrawals) instead of reporting them as conflicts; see the module docstring.

    Returns
    -------
    IngestReport
        Rows read, added, updated, unchanged and conflicting per table and per file, the new
        versions (``changes``), conflicts, warnings and the log entry that was written.

    Raises
    ------
    IngestError
        If there is no usable key, or any input row or file has a problem; every problem is
        listed and nothing is written.

    Examples
    --------
    >>> from so_eval.data.ingest import ingest
    >>> report = ingest(["udfyldt.xlsx"], "data/2025")  # doctest: +SKIP
    >>> print(report.summary())                          # doctest: +SKIP
    """
    try:
        key_bytes = ps.load_key(key)
    except ps.PseudonymKeyError as exc:
        raise IngestError([IngestProblem("(pseudonym key)", None, None, None, str(exc))]) from None
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    paths = [Path(f) for f in files]
    into = Path(into).expanduser().resolve()
    when = _now(now)
    if table is not None:
        code = table if table in TABLES else table_for_name(table)
        if not code:
            raise IngestError([IngestProblem(
                "(--table)", None, None, None,
                f"'{_show(table)}' is not a table; use one of: {', '.join(TABLES)} "
                "(or its Danish sheet name, e.g. Borgere)")])
        table = code
    if not paths:
        raise IngestError([IngestProblem("(no files)", None, None, None, "no files were given")])
    if into.exists() and not into.is_dir():
        raise IngestError([IngestProblem(str(into), None, None, None,
                                         "the target exists and is not a folder")])
    into.parent.mkdir(parents=True, exist_ok=True)
    with _lock(into):
        return _ingest_locked(paths, into, key_bytes, when, table, update)


def _ingest_locked(paths: list[Path], into: Path, key: bytes, when: dt.datetime,
                   table_opt: str | None = None, update: bool = False) -> IngestReport:
    problems: list[IngestProblem] = []
    notes: list[IngestProblem] = []
    log = _read_log(into) if into.is_dir() else []
    check = ps.key_check(key)
    earlier = {e.get("key_check") for e in log if e.get("key_check")}
    if earlier and earlier != {check}:
        raise IngestError([IngestProblem(
            "(pseudonym key)", None, None, None,
            f"the pseudonym key differs from the key used for earlier ingests into {into.name}; the "
            "same CPR number would get another pseudonym. Use the same key as before",
        )])
    seen_hashes = {f.get("sha256") for e in log for f in e.get("files", []) if isinstance(f, dict)}

    # 1. read every file
    inputs: list[_Input] = []
    for i, path in enumerate(paths):
        display = path.name
        if not path.is_file():
            problems.append(IngestProblem(display, None, None, None, "file not found"))
            continue
        inp = _Input(path, display, file_hash(path), i)
        inputs.append(inp)
        ext = path.suffix.casefold()
        if ext in (".xlsx", ".xlsm"):
            _read_xlsx(inp, i, problems, notes, table_opt)
            continue
        if ext not in (".csv", ".parquet"):
            problems.append(IngestProblem(
                display, None, None, None,
                f"unsupported file type '{path.suffix}'; use .xlsx (the template), .csv or .parquet",
            ))
            continue
        if table_opt is not None:
            file_table = table_opt
            inp.read_as.append(f"as {tpl.sheet_name(table_opt)} (--table)")
        else:  # by its name; if the name does not say, by its headers (while reading)
            file_table = table_for_name(path.stem) or None
        if ext == ".csv":
            _read_csv(inp, i, file_table, problems, notes)
        else:
            _read_parquet(inp, i, file_table, problems, notes)

    # 2. normalise values and pseudonymise CPR numbers
    norm = _Normaliser(key, known=_known_citizens(into))
    today = when.date().isoformat()
    incoming: dict[str, list[tuple[_Source, pd.DataFrame, np.ndarray]]] = {}
    for inp in inputs:
        for src in inp.sources:
            cols = stored_columns(src.table)
            # withdrawn first: a withdrawal needs only the key (its other cells come from the
            # stored row), so its empty cells are not missing values
            cols = [WITHDRAWN] + [c for c in cols if c != WITHDRAWN]
            withdrawing = np.zeros(len(src.data), dtype=bool)
            canon = {}
            for col in cols:
                if col in src.data.columns:
                    values, errors = norm.column(src.data[col], src.table, col, pseudonymise=True)
                    for pos, msg in errors.items():
                        problems.append(IngestProblem(src.file, src.sheet, src.rows[pos],
                                                      _show(src.headers.get(col, col), 60), msg))
                    canon[col] = values
                    if col == WITHDRAWN:
                        withdrawing = np.asarray(values == "true", dtype=bool)
                    if tpl.is_required(src.table, col):
                        for pos in np.flatnonzero(pd.isna(values)):
                            if withdrawing[pos] and col not in KEYS[src.table]:
                                continue
                            if int(pos) not in errors:
                                problems.append(IngestProblem(
                                    src.file, src.sheet, src.rows[pos],
                                    _show(src.headers.get(col, col), 60), "value is missing"))
                else:
                    canon[col] = np.full(len(src.data), None, dtype=object)
            frame = pd.DataFrame(canon, dtype=object)[stored_columns(src.table)]
            defaulted = frame["registered"].isna().to_numpy()
            frame.loc[defaulted, "registered"] = today
            incoming.setdefault(src.table, []).append((src, frame, defaulted))

    # 3. merge with the existing dataset
    counts: dict[tuple[int, str], TableCounts] = {}
    conflicts: list[Conflict] = []
    changes: list[Change] = []
    merged: dict[str, tuple[_Existing, pd.DataFrame, list[tuple[_Source, int]]]] = {}
    for table in TABLES:
        parts = incoming.get(table, [])
        if not parts:
            continue
        key0 = KEYS[table][0]
        first_keys = {v for _, frame, _ in parts for v in frame[key0] if v is not None}
        existing = _read_existing(into, table, problems, first_keys)
        added_rows, prov = _merge(table, existing, parts, counts, conflicts, problems, norm,
                                  update=update, today=today, changes=changes, notes=notes)
        merged[table] = (existing, added_rows, prov)

    # 4. build the candidate next to the target, validate it with load.validate (also when there
    # are problems already, so that all are reported at once), swap it in
    return _write(into, inputs, merged, counts, conflicts, notes, norm, key, when, seen_hashes,
                  problems, changes)


def _merge(table, existing, parts, counts, conflicts, problems, norm, *, update=False, today=None,
           changes=None, notes=None):
    """New rows and new versions to add (normalised) and their provenance; counts, conflicts and
    (with ``update``) changes filled in. See the module docstring for the rules."""
    spec_cols = stored_columns(table)
    col_at = {col: j for j, col in enumerate(spec_cols)}
    content_cols = [c for c in spec_cols if c != "registered"]
    key_cols = KEYS[table]
    changes = changes if changes is not None else []
    notes = notes if notes is not None else []
    ex = existing.canon  # only the existing rows that may share a key with an incoming row
    ex_keys = _keys(ex, key_cols)
    ex_content = _keys(_not_withdrawn_as_false(ex), content_cols)
    ex_reg = ex["registered"].tolist() if len(ex) else []
    versions: dict[str, list[int]] = {}
    for i, k in enumerate(ex_keys):
        versions.setdefault(k, []).append(i)
    latest = {k: max(v, key=lambda e: (ex_reg[e] or "", e)) for k, v in versions.items()}
    first_row = 2 if TABLES[table].fmt == "csv" else 1

    def where(src: _Source) -> str:
        return f"{src.file}" + (f", sheet '{src.sheet}'" if src.sheet else "")

    new_frames: list[pd.DataFrame] = []
    prov: list[tuple[_Source, int]] = []
    seen: dict[str, tuple[_Source, int, str, str, bool]] = {}
    for src, frame, defaulted in parts:
        c = counts.setdefault((src.file_index, table), TableCounts())
        c.read += len(frame)
        keys = _keys(frame, key_cols)
        withdrawing = (frame[WITHDRAWN] == "true").to_numpy()
        for i in np.flatnonzero(withdrawing):  # a withdrawal: empty cells from the stored row
            if keys[i] in latest:
                e = latest[keys[i]]
                for col in content_cols:
                    if frame.iat[i, col_at[col]] is None:
                        frame.iat[i, col_at[col]] = ex.iat[e, col_at[col]]
        content = _keys(_not_withdrawn_as_false(frame), content_cols)
        regs = frame["registered"].tolist()
        required = [col for col in key_cols if tpl.is_required(table, col)]
        incomplete = frame[required].isna().any(axis=1).to_numpy()
        take = np.zeros(len(frame), dtype=bool)
        for i, k in enumerate(keys):
            if incomplete[i]:  # a key value is missing: reported as missing, not compared
                take[i] = True
                c.added += 1
                continue
            if k in seen:  # a second row of this ingest with the same key
                osrc, opos, ocontent, oreg, odef = seen[k]
                if content[i] == ocontent and (defaulted[i] or odef or regs[i] == oreg):
                    c.unchanged += 1
                    continue
                problems.append(IngestProblem(
                    src.file, src.sheet, src.rows[i],
                    _show(src.headers.get(key_cols[0], tpl.header(table, key_cols[0])), 60),
                    f"{_describe_key(table, key_cols, frame.iloc[i], norm)} also appears in "
                    f"{where(osrc)}, row {osrc.rows[opos]}, with other values; keep only one of the two rows",
                ))
                continue
            if k not in latest:
                if withdrawing[i]:
                    problems.append(IngestProblem(
                        src.file, src.sheet, src.rows[i], tpl.header(table, WITHDRAWN),
                        f"{_describe_key(table, key_cols, frame.iloc[i], norm)} is not in the dataset, "
                        "so there is nothing to withdraw (check the ID)",
                    ))
                    continue
                seen[k] = (src, i, content[i], regs[i], bool(defaulted[i]))
                take[i] = True
                c.added += 1
                continue
            e = latest[k]
            if content[i] == ex_content[e]:
                if defaulted[i] or any(regs[i] == ex_reg[v] for v in versions[k]):
                    c.unchanged += 1  # the stored row (also: a re-ingest after an update)
                    continue
            elif any(ex_content[v] == content[i] and (defaulted[i] or regs[i] == ex_reg[v])
                     for v in versions[k]):
                c.unchanged += 1  # an earlier version of the row (an old file ingested again)
                notes.append(IngestProblem(
                    src.file, src.sheet, src.rows[i], None,
                    f"{_describe_key(table, key_cols, frame.iloc[i], norm)} is an earlier version of "
                    f"the row; the current version (registered {ex_reg[e]}) was kept. To go back to "
                    "these values, give the row a later Registreringsdato and ingest with --update",
                ))
                continue
            diff = [col for col in spec_cols
                    if (frame.iat[i, col_at[col]] or (None if col != WITHDRAWN else "false"))
                    != (ex.iat[e, col_at[col]] or (None if col != WITHDRAWN else "false"))
                    and not (col == "registered" and defaulted[i])]
            shown = tuple((tpl.header(table, col), ex.iat[e, col_at[col]], frame.iat[i, col_at[col]])
                          for col in diff if col != "registered")
            only_registered = content[i] == ex_content[e]
            if not update or only_registered:
                c.conflicting += 1
                c.rejected += 1
                conflicts.append(Conflict(
                    table, src.file, src.sheet, src.rows[i],
                    _describe_key(table, key_cols, frame.iloc[i], norm), tuple(tpl.header(table, col) for col in diff),
                    int(existing.positions[e]) + first_row, shown, only_registered,
                ))
                continue
            # a new version of the row
            own = regs[i] if not defaulted[i] else None
            registered = own if own is not None and own > (ex_reg[e] or "") else today
            if registered <= (ex_reg[e] or ""):
                problems.append(IngestProblem(
                    src.file, src.sheet, src.rows[i], tpl.header(table, "registered"),
                    f"{_describe_key(table, key_cols, frame.iloc[i], norm)} is stored in a version "
                    f"registered {ex_reg[e]}, not before today ({today}); a new version must be "
                    "registered later: write a later Registreringsdato in the row",
                ))
                continue
            frame.iat[i, col_at["registered"]] = registered
            changes.append(Change(
                table, src.file, src.sheet, src.rows[i],
                _describe_key(table, key_cols, frame.iloc[i], norm, masked=False),
                {col: frame.iat[i, col_at[col]] for col in key_cols}, ex_reg[e], registered,
                bool(withdrawing[i]), shown, tuple(col for col in diff if col != "registered"),
            ))
            seen[k] = (src, i, content[i], registered, False)
            take[i] = True
            c.updated += 1
        if take.any():
            new_frames.append(frame.loc[take])
            prov.extend((src, int(i)) for i in np.flatnonzero(take))
    added = (pd.concat(new_frames, ignore_index=True) if new_frames
             else pd.DataFrame({col: pd.Series([], dtype=object) for col in spec_cols}))
    return added, prov


def _not_withdrawn_as_false(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with an empty ``withdrawn`` read as ``false`` (for comparing rows)."""
    if WITHDRAWN not in frame.columns:
        return frame.assign(**{WITHDRAWN: "false"})
    return frame.assign(**{WITHDRAWN: frame[WITHDRAWN].where(frame[WITHDRAWN].notna(), "false")})


def _describe_key(table: str, key_cols, row: pd.Series, norm: _Normaliser, *, masked: bool = True) -> str:
    """The row's key in words; a citizen ID as its masked CPR number (``masked``) or as its
    pseudonym (never the CPR number)."""
    if len(key_cols) > 4:
        return "the same entry"
    parts = []
    for col in key_cols:
        v = row[col]
        if v is None:
            shown = "(empty)"
        elif col == "citizen_id" and v in norm.masks and masked:
            shown = f"CPR {norm.masks[v]}"
        else:
            shown = f"'{_show(v)}'"
        parts.append(f"{tpl.header(table, col)} {shown}")
    return "the row with " + ", ".join(parts)


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Normalised strings → typed columns (for Parquet)."""
    out = {}
    for col in [c for c in stored_columns(table) if c in frame.columns or c != WITHDRAWN]:
        values = frame[col] if col in frame.columns else pd.Series([None] * len(frame), dtype=object)
        kind = tpl.column_kind(table, col)
        if kind == "date":
            out[col] = pd.to_datetime(values, format="ISO8601").astype("datetime64[us]")
        elif kind == "bool":
            out[col] = values.map({"true": True, "false": False}).astype("boolean")
        elif kind == "int":
            out[col] = pd.to_numeric(values).astype("Int64")
        elif kind == "float":
            out[col] = pd.to_numeric(values).astype("float64")
        else:
            out[col] = values.astype(object).where(values.notna(), None).astype("string")
    return pd.DataFrame(out)


def _write_table(path: Path, table: str, existing: _Existing, added: pd.DataFrame) -> None:
    spec = TABLES[table]
    cols = spec.columns
    if ((existing.raw is not None and WITHDRAWN in existing.raw.columns)
            or (WITHDRAWN in added.columns and (added[WITHDRAWN] == "true").any())):
        cols = stored_columns(table)  # the column is written once a table has a withdrawal
    else:
        added = added.drop(columns=[WITHDRAWN], errors="ignore")
    if spec.fmt == "csv":
        if existing.raw is not None:
            raw = existing.raw.astype(object)
            order = list(raw.columns) + [c for c in cols if c not in raw.columns]
        else:
            raw = pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
            order = cols
        new = added.reindex(columns=order).astype(object)
        out = pd.concat([raw.reindex(columns=order), new], ignore_index=True) if len(new) else raw.reindex(columns=order)
        out = out.astype(object).where(out.notna(), "")
        path.write_text(out.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        return
    new = _typed(added, table)
    if existing.raw is not None and len(existing.raw.columns):
        old = existing.raw.copy()
        for col in old.columns:
            if isinstance(old[col].dtype, pd.CategoricalDtype):
                old[col] = old[col].astype(str)
        out = pd.concat([old, new], ignore_index=True) if len(new) else old
    else:
        out = new
    out.to_parquet(path, index=False)


def _write(into, inputs, merged, counts, conflicts, notes, norm, key, when, seen_hashes, problems,
           changes=()):
    tmp = folders.temp_dir(into, "ingest")
    try:
        mode = (into.stat().st_mode & 0o7777) if into.is_dir() else (0o777 & ~_umask())
        os.chmod(tmp, mode)
        if into.is_dir():
            for item in into.iterdir():
                dest = tmp / item.name
                if item.is_dir():
                    shutil.copytree(item, dest, symlinks=True)
                else:
                    shutil.copy2(item, dest, follow_symlinks=False)
        offsets: dict[str, tuple[int, list]] = {}
        for table, spec in TABLES.items():
            target = tmp / spec.filename
            if table in merged:
                existing, added, prov = merged[table]
                if len(added) or existing.path is None:
                    _write_table(target, table, existing, added)
                offsets[table] = (existing.n, prov)
            elif not target.exists() and spec.required:
                _write_table(target, table, _empty_existing(table),
                             pd.DataFrame({c: pd.Series([], dtype=object) for c in spec.columns}))
        found = _validate_candidate(tmp)
        if found or problems:
            located = [_locate(p, offsets, into, norm) for p in found]
            raise IngestError(_finish(problems + located, norm), notes, conflicts)

        totals: dict[str, TableCounts] = {}
        file_reports = []
        for inp in inputs:
            fr = FileReport(inp.display, inp.sha256, already_ingested=inp.sha256 in seen_hashes,
                            read_as=tuple(inp.read_as))
            for table in TABLES:
                c = counts.get((inp.index, table))
                if c is not None:
                    fr.tables[table] = c
                    totals.setdefault(table, TableCounts()).add(c)
            file_reports.append(fr)
        totals = {t: totals[t] for t in TABLES if t in totals}
        entry = {
            "time": when.isoformat(timespec="seconds"),
            "dataset": into.name,
            "files": [
                {"file": _mask_digits(f.file), "sha256": f.sha256, "already_ingested": f.already_ingested,
                 "read_as": [_mask_digits(r) for r in f.read_as],
                 "tables": {t: c.as_dict() for t, c in f.tables.items()}}
                for f in file_reports
            ],
            "totals": {t: c.as_dict() for t, c in totals.items()},
            "added": sum(c.added for c in totals.values()),
            "updated": sum(c.updated for c in totals.values()),
            "no_op": sum(c.added + c.updated for c in totals.values()) == 0,
            "changes": [ch.as_log() for ch in changes],
            "cpr_pseudonymised": norm.pseudonymised,
            "columns_dropped": len(notes),
            "key_check": ps.key_check(key),
            "so_eval": _version(),
        }
        log_path = tmp / LOG_NAME
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        _swap(tmp, into)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return IngestReport(into, entry["time"], file_reports, totals, conflicts, notes, entry, list(changes))


def _validate_candidate(folder: Path) -> list:
    """:func:`so_eval.data.loading.validate` on the candidate dataset.

    ``validate`` cannot yet check a dataset whose ``courses.csv`` has no rows (pandas 3 raises
    a TypeError in ``load._check_courses`` when mapping through an empty table), which happens
    when a new dataset is built up table by table. For that case only, the dataset is validated
    without its (empty) courses table, and the one rule that then goes unchecked — every
    ``course_id`` of progression and jobs must exist in courses — is applied here, with the
    message ``validate`` uses. With rows in courses, this is exactly ``validate(folder)``.
    """
    courses = folder / TABLES["courses"].filename
    if not courses.exists():
        return validate(folder)
    try:
        n = len(pd.read_csv(courses, dtype=str, keep_default_na=False, encoding="utf-8"))
    except Exception:  # noqa: BLE001 - unreadable: validate reports it
        return validate(folder)
    if n:
        return validate(folder)
    hidden = folder / f".{courses.name}.empty"
    os.replace(courses, hidden)
    try:
        problems = [p for p in validate(folder)
                    if not (p.file == courses.name and p.row is None and p.column is None)]
    finally:
        os.replace(hidden, courses)
    seen = {(p.file, p.row, p.column) for p in problems}
    for table in ("progression", "jobs"):
        path = folder / TABLES[table].filename
        if not path.exists():
            continue
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except Exception:  # noqa: BLE001, S112 - unreadable: already reported by validate
            continue
        if "course_id" not in df.columns:
            continue
        for i, v in enumerate(df["course_id"]):
            where = (path.name, i + 2, "course_id")
            if v.strip() and where not in seen:
                problems.append(Problem(*where, f"'{v.strip()}' does not exist in {courses.name}"))
    return problems


def _swap(tmp: Path, into: Path) -> None:
    """Put ``tmp`` in place of ``into`` in one step; the old folder is removed once the new one
    is in (if the process is killed first, the next ingest removes it)."""
    old = folders.swap(tmp, into)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- problems from validate, located in the user's files --------------------------------------


_FILE_TABLE = {spec.filename: name for name, spec in TABLES.items()}


def _locate(p, offsets, into: Path, norm: _Normaliser) -> IngestProblem:
    """Map a problem of the candidate dataset back to the file, sheet, row and header."""
    table = _FILE_TABLE.get(p.file)
    if table is None or p.row is None:
        return IngestProblem(f"{into.name}/{p.file}", None, p.row, p.column, p.message)
    spec = TABLES[table]
    first = 2 if spec.fmt == "csv" else 1
    k = p.row - first
    n_existing, prov = offsets.get(table, (None, []))
    if n_existing is None or k < n_existing:
        return IngestProblem(f"{into.name}/{p.file} (existing data)", None, p.row, p.column,
                             _translate(p.message, table, norm))
    src, pos = prov[k - n_existing]
    column = src.headers.get(p.column, tpl.header(table, p.column)) if p.column else None
    return IngestProblem(src.file, src.sheet, src.rows[pos], column and _show(column, 60),
                         _translate(p.message, table, norm))


def _translate(message: str, table: str, norm: _Normaliser) -> str:
    def fk(m: re.Match) -> str:
        t = _FILE_TABLE.get(m.group(1))
        return (f"does not exist (neither in the sheet '{tpl.sheet_name(t)}' nor in the dataset)"
                if t else m.group(0))

    if re.fullmatch(r"'(nan|NaT|<NA>|None)' is not a .*", message):
        return "value is missing"
    msg = re.sub(r"does not exist in (\w+\.(?:csv|parquet))", fk, message)
    m = re.match(r"^(\w+) (\d{4})-(\d\d)-(\d\d) is before (\w+) (\d{4})-(\d\d)-(\d\d)$", msg)
    if m:
        msg = (f"{tpl.header(table, m.group(1))} {m.group(4)}-{m.group(3)}-{m.group(2)} is before "
               f"{tpl.header(table, m.group(5))} {m.group(8)}-{m.group(7)}-{m.group(6)}")
    msg = re.sub(r"P[0-9a-f]{16}", lambda x: f"CPR {norm.masks[x.group(0)]}"
                 if x.group(0) in norm.masks else x.group(0), msg)
    return re.sub(r"'([^']{60,})'", lambda x: f"'{_show(x.group(1))}'", msg)


def _finish(problems: list[IngestProblem], norm: _Normaliser) -> list[IngestProblem]:
    """One problem per cell, CPR-like text masked, in file/sheet/row order."""
    seen: set = set()
    out = []
    for p in problems:
        k = (p.file, p.sheet, p.row, p.column) if p.row is not None else (p.file, p.sheet, p.column, p.message)
        if k in seen:
            continue
        seen.add(k)
        out.append(IngestProblem(_mask_digits(p.file), p.sheet and _mask_digits(p.sheet), p.row,
                                 p.column and _mask_digits(p.column), _mask_digits(p.message)))
    out.sort(key=lambda p: (p.file, p.sheet or "", p.row or 0, p.column or "", p.message))
    return out


__all__ = [
    "KEYS",
    "LOG_NAME",
    "Change",
    "Conflict",
    "FileReport",
    "IngestError",
    "IngestProblem",
    "IngestReport",
    "TableCounts",
    "ingest",
    "table_for_name",
]
