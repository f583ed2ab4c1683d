"""The rows of one table from one file or sheet, with their headers mapped to the model's columns.

An :class:`_Input` is one file given to the ingest; each of its tables (a CSV file, a workbook's
sheet) becomes a :class:`_Source`: its headers mapped to column codes (:func:`_build_source`),
its non-empty rows with the row number the user sees. :func:`_table_by_headers` tells the table
of a file whose name does not say it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from so_eval.data import template as tpl
from so_eval.data.ingest.names import _is_name_header, _map_header, _show
from so_eval.data.ingest.results import IngestProblem
from so_eval.data.ingest.values import _is_empty
from so_eval.data.model import TABLES


@dataclass
class _Source:
    """The rows of one table from one file (or sheet), with where each row came from."""

    file: str
    file_index: int
    sheet: str | None
    table: str
    headers: dict[str, str]  # column code -> header as written in the file
    rows: list[int]  # row number as the user sees it, per data row
    data: pd.DataFrame  # column codes -> raw values (object)


@dataclass
class _Input:
    """One file given to the ingest, and the table blocks read from it."""

    path: Path
    display: str
    sha256: str
    index: int
    sources: list[_Source] = field(default_factory=list)
    read_as: list[str] = field(default_factory=list)  # how it was read, for the summary


def _column_letter(index: int) -> str:
    return get_column_letter(index + 1)


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
    where = {"file": inp.display, "sheet": sheet}
    width = max([len(raw_headers)] + [len(r) for _, r in body]) if body else len(raw_headers)
    header_text, by_code = _map_headers(table, raw_headers, width, where, problems, notes)
    kept = _kept_rows(body, header_text, where, problems, letters=letters)
    if not kept:
        return None
    for col in TABLES[table].columns:
        if col not in by_code and tpl.is_required(table, col):
            problems.append(
                IngestProblem(**where, row=1, column=tpl.header(table, col), message="a required column is missing")
            )
    data = {
        code: [vals[cols[0]] if cols[0] < len(vals) else None for _, vals in kept] for code, cols in by_code.items()
    }
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()}, index=pd.RangeIndex(len(kept)))
    headers = {code: header_text[cols[0]] for code, cols in by_code.items()}
    return _Source(inp.display, file_index, sheet, table, headers, [r for r, _ in kept], frame)


def _map_headers(
    table: str,
    raw_headers: list,
    width: int,
    where: dict,
    problems: list[IngestProblem],
    notes: list[IngestProblem],
) -> tuple[dict[int, str], dict[str, list[int]]]:
    """(header text by position, positions by column code) of a header row. A header the table
    does not know is a note (the column is dropped); two headers for one column are a problem."""
    by_code: dict[str, list[int]] = {}
    header_text: dict[int, str] = {}
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
        by_code.setdefault(code, []).append(j)
    for code, cols in by_code.items():
        if len(cols) > 1:
            names = ", ".join(f"'{_show(header_text[j], 60)}'" for j in cols)
            for j in cols[1:]:
                problems.append(
                    IngestProblem(
                        **where,
                        row=1,
                        column=_show(header_text[j], 60),
                        message=f"more than one column is '{tpl.header(table, code)}' ({names}); keep only one",
                    )
                )
    return header_text, by_code


def _kept_rows(
    body: list[tuple[int, list]],
    header_text: dict[int, str],
    where: dict,
    problems: list[IngestProblem],
    *,
    letters: bool,
) -> list[tuple[int, list]]:
    """The rows that are not empty; a value in a column without a header is a problem (one per row)."""
    kept: list[tuple[int, list]] = []
    for rownum, values in body:
        if all(_is_empty(v) for v in values):
            continue  # an empty row
        for j, v in enumerate(values):
            if j not in header_text and not _is_empty(v):
                problems.append(
                    IngestProblem(
                        **where,
                        row=rownum,
                        column=f"column {_column_letter(j)}" if letters else f"column {j + 1}",
                        message="there is a value in a column without a header"
                        + ("" if letters else " (check the separator and the quotes)"),
                    )
                )
                break
        kept.append((rownum, values))
    return kept


def _table_by_headers(header: list, inp: _Input, sheet: str | None, problems: list) -> tuple[str | None, str]:
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
        message = (
            f"the {where} does not say which table it holds, and its headers fit more than one: "
            f"{', '.join(f'{names[t]} ({t})' for t in tied)}; give the table with --table "
            f"{tied[0]} (or name the {'sheet' if sheet else 'file'} after it)"
        )
    else:
        near = sorted(scores, key=lambda s: (len(s[3]), -s[0]))[:3]
        hints = (
            "; ".join(
                f"{names[t]} ({t}) lacks {', '.join(repr(tpl.header(t, c)) for c in miss[:4])}"
                for n_found, _, t, miss in near
                if n_found > 0
            )
            or "no header is a column of any table"
        )
        message = (
            f"the {where} does not say which table it holds, and its headers do not fit any "
            f"table ({hints}); name the {'sheet' if sheet else 'file'} after its table (e.g. "
            f"borgere.csv) or give it with --table NAME (one of: {table_list})"
        )
    problems.append(IngestProblem(inp.display, sheet, 1 if texts else None, None, message))
    return None, ""
