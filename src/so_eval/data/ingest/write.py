"""Writing the dataset: the new folder built beside the old one, validated, logged and swapped in.

One ingest at a time writes a dataset (:func:`_lock`). The candidate folder is a copy of the
dataset with the merged tables written into it (:func:`_write_table`); it is checked with the
rules of :func:`so_eval.data.loading.validate` (:func:`_validate_candidate`), whose problems are
located back in the user's files (:func:`_locate`); only then is a line appended to the
ingest log (:data:`LOG_NAME`) and the folder swapped in (:func:`_swap`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from so_eval import folders
from so_eval.data import pseudonym as ps
from so_eval.data import template as tpl
from so_eval.data.ingest.merge import _empty_existing, _Existing, _Merged
from so_eval.data.ingest.names import _mask_digits, _show
from so_eval.data.ingest.results import Conflict, FileReport, IngestError, IngestProblem, IngestReport, TableCounts
from so_eval.data.ingest.sources import _Input
from so_eval.data.ingest.values import _Normaliser
from so_eval.data.loading import Problem, validate
from so_eval.data.model import TABLES, WITHDRAWN, stored_columns

LOG_NAME = "ingest_log.jsonl"


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
    try:
        return version("so-eval")
    except PackageNotFoundError:
        return "unknown"


def _earlier_file_hashes(into: Path, key: bytes) -> set:
    """The SHA-256 of every file ingested into ``into`` before (from its log); :class:`IngestError`
    if those ingests used another pseudonym key."""
    log = _read_log(into) if into.is_dir() else []
    check = ps.key_check(key)
    earlier = {e.get("key_check") for e in log if e.get("key_check")}
    if earlier and earlier != {check}:
        raise IngestError(
            [
                IngestProblem(
                    "(pseudonym key)",
                    None,
                    None,
                    None,
                    f"the pseudonym key differs from the key used for earlier ingests into {into.name}; the "
                    "same CPR number would get another pseudonym. Use the same key as before",
                )
            ]
        )
    return {f.get("sha256") for e in log for f in e.get("files", []) if isinstance(f, dict)}


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
    if (existing.raw is not None and WITHDRAWN in existing.raw.columns) or (
        WITHDRAWN in added.columns and (added[WITHDRAWN] == "true").any()
    ):
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
        out = (
            pd.concat([raw.reindex(columns=order), new], ignore_index=True) if len(new) else raw.reindex(columns=order)
        )
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


def _write(
    into: Path,
    inputs: list[_Input],
    merged: _Merged,
    counts: dict[tuple[int, str], TableCounts],
    conflicts: list[Conflict],
    notes: list[IngestProblem],
    norm: _Normaliser,
    key: bytes,
    when: dt.datetime,
    seen_hashes: set,
    problems: list[IngestProblem],
    changes=(),
) -> IngestReport:
    """Build the candidate next to ``into``, validate it (also when there are problems already, so
    that all are reported at once), log the ingest and swap the candidate in; :class:`IngestError`
    (and nothing changed) if there is any problem."""
    tmp = folders.temp_dir(into, "ingest")
    try:
        offsets = _build_candidate(tmp, into, merged)
        found = _validate_candidate(tmp)
        if found or problems:
            located = [_locate(p, offsets, into, norm) for p in found]
            raise IngestError(_finish(problems + located, norm), notes, conflicts)
        file_reports, totals = _file_reports(inputs, counts, seen_hashes)
        entry = _log_entry(into, file_reports, totals, changes, notes, norm, key, when)
        log_path = tmp / LOG_NAME
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        _swap(tmp, into)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return IngestReport(into, entry["time"], file_reports, totals, conflicts, notes, entry, list(changes))


def _build_candidate(tmp: Path, into: Path, merged: _Merged) -> dict[str, tuple[int, list]]:
    """Copy the dataset into ``tmp`` (with its permissions) and write the merged tables there (and
    an empty file for each required table that is missing); per table merged, (the number of
    stored rows, the provenance of the rows added)."""
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
            _write_table(
                target,
                table,
                _empty_existing(table),
                pd.DataFrame({c: pd.Series([], dtype=object) for c in spec.columns}),
            )
    return offsets


def _file_reports(
    inputs: list[_Input], counts: dict[tuple[int, str], TableCounts], seen_hashes: set
) -> tuple[list[FileReport], dict[str, TableCounts]]:
    """(what each file contributed, the counts per table over all files, in load order)."""
    totals: dict[str, TableCounts] = {}
    file_reports = []
    for inp in inputs:
        fr = FileReport(inp.display, inp.sha256, already_ingested=inp.sha256 in seen_hashes, read_as=tuple(inp.read_as))
        for table in TABLES:
            c = counts.get((inp.index, table))
            if c is not None:
                fr.tables[table] = c
                totals.setdefault(table, TableCounts()).add(c)
        file_reports.append(fr)
    return file_reports, {t: totals[t] for t in TABLES if t in totals}


def _log_entry(
    into: Path,
    file_reports: list[FileReport],
    totals: dict[str, TableCounts],
    changes,
    notes: list[IngestProblem],
    norm: _Normaliser,
    key: bytes,
    when: dt.datetime,
) -> dict:
    """The ingest's line in the log: file names (CPR-shaped text masked), hashes, counts and the
    changes made with ``update`` — no values otherwise."""
    return {
        "time": when.isoformat(timespec="seconds"),
        "dataset": into.name,
        "files": [
            {
                "file": _mask_digits(f.file),
                "sha256": f.sha256,
                "already_ingested": f.already_ingested,
                "read_as": [_mask_digits(r) for r in f.read_as],
                "tables": {t: c.as_dict() for t, c in f.tables.items()},
            }
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
        problems = [p for p in validate(folder) if not (p.file == courses.name and p.row is None and p.column is None)]
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
        return IngestProblem(
            f"{into.name}/{p.file} (existing data)", None, p.row, p.column, _translate(p.message, table, norm)
        )
    src, pos = prov[k - n_existing]
    column = src.headers.get(p.column, tpl.header(table, p.column)) if p.column else None
    return IngestProblem(
        src.file, src.sheet, src.rows[pos], column and _show(column, 60), _translate(p.message, table, norm)
    )


def _translate(message: str, table: str, norm: _Normaliser) -> str:
    def fk(m: re.Match) -> str:
        t = _FILE_TABLE.get(m.group(1))
        return f"does not exist (neither in the sheet '{tpl.sheet_name(t)}' nor in the dataset)" if t else m.group(0)

    if re.fullmatch(r"'(nan|NaT|<NA>|None)' is not a .*", message):
        return "value is missing"
    msg = re.sub(r"does not exist in (\w+\.(?:csv|parquet))", fk, message)
    m = re.match(r"^(\w+) (\d{4})-(\d\d)-(\d\d) is before (\w+) (\d{4})-(\d\d)-(\d\d)$", msg)
    if m:
        msg = (
            f"{tpl.header(table, m.group(1))} {m.group(4)}-{m.group(3)}-{m.group(2)} is before "
            f"{tpl.header(table, m.group(5))} {m.group(8)}-{m.group(7)}-{m.group(6)}"
        )
    msg = re.sub(
        r"P[0-9a-f]{16}", lambda x: f"CPR {norm.masks[x.group(0)]}" if x.group(0) in norm.masks else x.group(0), msg
    )
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
        out.append(
            IngestProblem(
                _mask_digits(p.file),
                p.sheet and _mask_digits(p.sheet),
                p.row,
                p.column and _mask_digits(p.column),
                _mask_digits(p.message),
            )
        )
    out.sort(key=lambda p: (p.file, p.sheet or "", p.row or 0, p.column or "", p.message))
    return out
