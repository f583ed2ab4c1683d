"""The ingest, step by step: read the files, normalise their values, merge them with the dataset,
write the new dataset (see :mod:`so_eval.data.ingest` for the rules).

:func:`ingest` checks its arguments and takes the dataset's lock; :func:`_ingest_locked` then
runs the steps in order: :func:`_read_inputs` reads each file by its kind (:mod:`.read`), then
:mod:`.merge` normalises and merges the rows, and :mod:`.write` writes the new dataset.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from so_eval.data import pseudonym as ps
from so_eval.data import template as tpl
from so_eval.data.ingest.merge import _incoming, _merge_all
from so_eval.data.ingest.names import _show, table_for_name
from so_eval.data.ingest.read import _read_csv, _read_parquet, _read_xlsx
from so_eval.data.ingest.results import IngestError, IngestProblem, IngestReport
from so_eval.data.ingest.sources import _Input
from so_eval.data.ingest.values import _known_citizens, _Normaliser
from so_eval.data.ingest.write import _earlier_file_hashes, _lock, _write
from so_eval.data.model import TABLES
from so_eval.files import file_hash


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
        One or more ``.xlsx``, ``.csv`` or ``.parquet`` files (see :mod:`so_eval.data.ingest`).
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
        withdrawals) instead of reporting them as conflicts; see :mod:`so_eval.data.ingest`.

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
        table = _table_code(table)
    if not paths:
        raise IngestError([IngestProblem("(no files)", None, None, None, "no files were given")])
    if into.exists() and not into.is_dir():
        raise IngestError([IngestProblem(str(into), None, None, None, "the target exists and is not a folder")])
    into.parent.mkdir(parents=True, exist_ok=True)
    with _lock(into):
        return _ingest_locked(paths, into, key_bytes, when, table, update)


def _table_code(table: str) -> str:
    """The code of the table ``--table`` names (a code or a Danish sheet name); IngestError if none."""
    code = table if table in TABLES else table_for_name(table)
    if not code:
        message = (
            f"'{_show(table)}' is not a table; use one of: {', '.join(TABLES)} (or its Danish sheet name, e.g. Borgere)"
        )
        raise IngestError([IngestProblem("(--table)", None, None, None, message)])
    return code


def _ingest_locked(
    paths: list[Path],
    into: Path,
    key: bytes,
    when: dt.datetime,
    table_opt: str | None = None,
    update: bool = False,
) -> IngestReport:
    """The ingest, while the dataset's lock is held."""
    problems: list[IngestProblem] = []
    notes: list[IngestProblem] = []
    seen_hashes = _earlier_file_hashes(into, key)
    # 1. read every file
    inputs = _read_inputs(paths, table_opt, problems, notes)
    # 2. normalise values and pseudonymise CPR numbers
    norm = _Normaliser(key, known=_known_citizens(into))
    today = when.date().isoformat()
    incoming = _incoming(inputs, norm, today, problems)
    # 3. merge with the existing dataset
    merged, counts, conflicts, changes = _merge_all(into, incoming, norm, problems, notes, update=update, today=today)
    # 4. build the candidate next to the target, validate it with load.validate (also when there
    # are problems already, so that all are reported at once), swap it in
    return _write(into, inputs, merged, counts, conflicts, notes, norm, key, when, seen_hashes, problems, changes)


def _read_inputs(
    paths: list[Path], table_opt: str | None, problems: list[IngestProblem], notes: list[IngestProblem]
) -> list[_Input]:
    """Read every file: a workbook by its sheets; a CSV or Parquet file as the table its name says
    (else its headers), or as ``table_opt`` (``--table``)."""
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
            problems.append(
                IngestProblem(
                    display,
                    None,
                    None,
                    None,
                    f"unsupported file type '{path.suffix}'; use .xlsx (the template), .csv or .parquet",
                )
            )
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
    return inputs
