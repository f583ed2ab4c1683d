"""The rules a dataset is checked against beyond each table's schema, and the problems they find.

A :class:`Problem` names the file, the row as the user counts it (:func:`_first_row`) and the
column. Within a table: two versions of a key on one registration date (:func:`_check_versions`),
dates in the wrong order (:func:`_check_date_order`), unknown values in a list column
(:func:`_check_lists`), a CPR-shaped number in any text cell (:func:`check_no_cpr`). Between
tables, on each key's latest version: references (:func:`_check_relations`) and the rules that
tie a course's rows together (:func:`_check_courses`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval.data import pseudonym as ps
from so_eval.data.model import TABLES, TableSpec


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as the user would look for it."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


def _first_row(spec: TableSpec) -> int:
    """Row number of the first data row as the user counts it (CSV: after the header)."""
    return 2 if spec.fmt == "csv" else 1


def _check_versions(
    df: pd.DataFrame, spec: TableSpec, key: list[str], name: str, repeated: np.ndarray
) -> list[Problem]:
    """Two versions of one key registered on the same day: both rows are named. ``repeated``:
    the rows that share their key with another row."""
    schema = spec.model.to_schema()
    required = [c for c in key if not schema.columns[c].nullable]
    cols = [*key, "registered"]
    df = df.loc[repeated]
    known = df[required].notna().all(axis=1) & df["registered"].notna()
    dup = df.duplicated(cols, keep=False) & known
    if not dup.any():
        return []
    problems = []
    first = _first_row(spec)
    for i in df.index[dup.to_numpy()]:
        day = pd.Timestamp(df.at[i, "registered"]).date()
        if len(key) == 1:
            what = f"duplicate ID '{df.at[i, key[0]]}'"
        elif len(key) <= 4:
            what = "duplicate row (" + ", ".join(f"{c} '{df.at[i, c]}'" for c in key) + ")"
        else:
            what = "duplicate row"
        problems.append(
            Problem(
                name,
                int(i) + first,
                key[0],
                f"{what}: another row has the same key and the same registration date ({day}); "
                "a new version of a row needs a later registration date",
            )
        )
    return problems


def _check_date_order(df: pd.DataFrame, spec: TableSpec, name: str) -> list[Problem]:
    first = _first_row(spec)
    problems = []
    for start, end in spec.date_order:
        if start not in df.columns or end not in df.columns:
            continue
        s = pd.to_datetime(df[start], errors="coerce")
        e = pd.to_datetime(df[end], errors="coerce")
        bad = e.notna() & s.notna() & (e < s)
        for i in df.index[bad]:
            problems.append(
                Problem(
                    name,
                    int(i) + first,
                    end,
                    f"{end} {e[i].date()} is before {start} {s[i].date()}",
                )
            )
    return problems


def _check_lists(df: pd.DataFrame, spec: TableSpec, name: str) -> list[Problem]:
    first = _first_row(spec)
    problems = []
    for col, allowed in spec.list_columns.items():
        if col not in df.columns:
            continue
        for i, value in df[col].items():
            if pd.isna(value):
                continue
            items = [v.strip() for v in str(value).split(";")]
            unknown = [v for v in items if v not in allowed]
            if unknown:
                problems.append(
                    Problem(
                        name,
                        int(i) + first,
                        col,
                        f"unknown value(s) {', '.join(repr(u) for u in unknown)} "
                        f"(allowed, separated by ';': {', '.join(map(str, allowed))})",
                    )
                )
    return problems


# -- relations between tables ----------------------------------------------------------------


def _check_relations(tables: dict[str, pd.DataFrame], history: dict[str, pd.DataFrame] | None = None) -> list[Problem]:
    """References between tables and the rules of :func:`_check_courses`, on the latest versions
    (``tables``); ``history`` (every version) only says when a missing row was withdrawn."""
    history = history or {}
    problems: list[Problem] = []
    for name, spec in TABLES.items():
        df = tables.get(name)
        if df is None:
            continue
        first = _first_row(spec)
        for fk in spec.foreign_keys:
            target = tables.get(fk.table)
            if target is None or fk.column not in df.columns or fk.target_column not in target.columns:
                continue
            known = set(target[fk.target_column].dropna())
            if pd.Index(df[fk.column].dropna().unique()).isin(known).all():
                continue  # every distinct value is known (one look per value, not per row)
            bad = df[fk.column].notna() & ~df[fk.column].isin(known)
            ever = history.get(fk.table)
            withdrawn = set(ever[fk.target_column].dropna()) if ever is not None else set()
            for i in df.index[bad]:
                v = df.at[i, fk.column]
                problems.append(
                    Problem(
                        spec.filename,
                        int(i) + first,
                        fk.column,
                        f"'{v}' was withdrawn from {TABLES[fk.table].filename} (withdraw this row too)"
                        if v in withdrawn
                        else f"'{v}' does not exist in {TABLES[fk.table].filename}",
                    )
                )
    problems += _check_courses(tables)
    return problems


def _check_courses(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Rules that tie a course's rows together: end ⇔ end status, and events belong to the course's citizen."""
    problems: list[Problem] = []
    courses = tables.get("courses")
    if courses is None:
        return problems
    spec = TABLES["courses"]
    first = _first_row(spec)
    if {"end", "end_status", "end_step"} <= set(courses.columns):
        ended = courses["end"].notna()
        for col, what in (("end_status", "an end status"), ("end_step", "an end step")):
            for i in courses.index[ended & courses[col].isna()]:
                problems.append(
                    Problem(spec.filename, int(i) + first, col, f"the course has an end date but no {what}")
                )
        for i in courses.index[~ended & courses["end_status"].notna()]:
            problems.append(
                Problem(spec.filename, int(i) + first, "end", "the course has an end status but no end date")
            )
    if not {"course_id", "citizen_id", "start"} <= set(courses.columns) or courses.empty:
        return problems
    owner = courses.drop_duplicates("course_id").set_index("course_id")
    for name in ("progression", "jobs"):
        df = tables.get(name)
        if df is None or not {"course_id", "citizen_id"} <= set(df.columns):
            continue
        tspec = TABLES[name]
        tfirst = _first_row(tspec)
        expected = df["course_id"].map(owner["citizen_id"])
        bad = expected.notna() & df["citizen_id"].notna() & (expected != df["citizen_id"])
        for i in df.index[bad]:
            problems.append(
                Problem(
                    tspec.filename,
                    int(i) + tfirst,
                    "citizen_id",
                    f"'{df.at[i, 'citizen_id']}' is not the citizen of course '{df.at[i, 'course_id']}' "
                    f"('{expected[i]}')",
                )
            )
        date_col = "date" if name == "progression" else "start"
        if date_col in df.columns:
            course_start = pd.to_datetime(df["course_id"].map(owner["start"]), errors="coerce")
            when = pd.to_datetime(df[date_col], errors="coerce")
            early = course_start.notna() & when.notna() & (when < course_start)
            for i in df.index[early]:
                problems.append(
                    Problem(
                        tspec.filename,
                        int(i) + tfirst,
                        date_col,
                        f"{date_col} {when[i].date()} is before the start of course "
                        f"'{df.at[i, 'course_id']}' ({course_start[i].date()})",
                    )
                )
    return problems


def _cpr_values(values: list[str], *, citizen: bool) -> dict[str, str]:
    """The values holding a CPR-shaped number, with the message for each.

    The values are scanned as one text, separated by NUL characters (which the detector treats
    like the start and end of a text), so a large column costs one pass of the pattern.
    """
    bad: dict[str, str] = {}
    starts, pos = [], 0
    for v in values:
        starts.append(pos)
        pos += len(v) + 1
    for sp in ps.find_cpr("\x00".join(values)):
        v = values[bisect_right(starts, sp.start) - 1]
        bad.setdefault(v, f"looks like a CPR number ({sp.masked}); a CPR number must never be stored")
    if citizen:
        for v in values:
            if v not in bad and (v[:1].isdigit() or v[:3].casefold() in ("cpr", "per")) and ps.cpr_like(v):
                bad[v] = f"looks like a mistyped CPR number ({ps.mask(v)}), stored in clear instead of as a pseudonym"
    return bad


def check_no_cpr(df: pd.DataFrame, spec: TableSpec, name: str) -> list[Problem]:
    """A problem for each text cell that holds a CPR-shaped number (none may be stored).

    Every text column of the file is read (for a CSV: every column, as written), with the
    detector ingest and the publication guard use (:func:`so_eval.data.pseudonym.find_cpr`). In a
    ``citizen_id`` column a value that looks like a CPR number, perhaps mistyped
    (:func:`so_eval.data.pseudonym.cpr_like`: ``010180-123``, ``01018O-1234``), is a problem too: it
    is stored in clear instead of as a pseudonym. Each distinct value is checked once; the
    message shows only the first four digits.
    """
    problems: list[Problem] = []
    first = _first_row(spec)
    for col in df.columns:
        values = df[col]
        if not (pd.api.types.is_string_dtype(values.dtype) or isinstance(values.dtype, pd.CategoricalDtype)):
            continue
        uniques = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else pd.unique(values.dropna())
        bad = _cpr_values([str(u) for u in uniques], citizen=str(col) == "citizen_id")
        if not bad:
            continue
        for i, v in enumerate(values.astype(object)):
            message = None if pd.isna(v) else bad.get(str(v))
            if message:
                problems.append(
                    Problem(
                        name,
                        i + first,
                        str(col),
                        f"{message}; correct the cell, or ingest the source file again so that it is pseudonymised",
                    )
                )
    return problems
