"""Merging the incoming rows into the dataset: new rows, unchanged rows, conflicts and (with
``update``) new versions.

:func:`_incoming` normalises every table block that was read (:mod:`.values`) and dates the rows
without a registration date; :func:`_merge_all` reads the tables of the dataset they may meet
(:func:`_read_existing`: only the rows that may share a key with an incoming row are normalised)
and merges each table (:class:`_TableMerge`), following the rules "Nothing lost" and "Updates" of
:mod:`so_eval.data.ingest`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from so_eval.data import template as tpl
from so_eval.data.ingest.names import _show
from so_eval.data.ingest.results import Change, Conflict, IngestProblem, TableCounts
from so_eval.data.ingest.sources import _Input, _Source
from so_eval.data.ingest.values import _Normaliser
from so_eval.data.model import KEYS, TABLES, WITHDRAWN, stored_columns

_Incoming = dict[str, list[tuple[_Source, pd.DataFrame, np.ndarray]]]
"""Per table: (source, normalised rows, which rows had no registration date) of each block read."""

_Merged = dict[str, tuple["_Existing", pd.DataFrame, list[tuple[_Source, int]]]]
"""Per table: (the stored table, the rows to add, the source and position of each row added)."""


def _incoming(inputs: list[_Input], norm: _Normaliser, today: str, problems: list[IngestProblem]) -> _Incoming:
    """Every block read, normalised (CPR numbers pseudonymised); an empty registration date
    becomes ``today``. Each value that cannot be read, and each required value that is missing,
    is a problem."""
    incoming: _Incoming = {}
    for inp in inputs:
        for src in inp.sources:
            frame, defaulted = _normalised(src, norm, today, problems)
            incoming.setdefault(src.table, []).append((src, frame, defaulted))
    return incoming


def _normalised(
    src: _Source, norm: _Normaliser, today: str, problems: list[IngestProblem]
) -> tuple[pd.DataFrame, np.ndarray]:
    """(the block's rows normalised, in the stored columns; which rows had no registration date)."""
    cols = stored_columns(src.table)
    # withdrawn first: a withdrawal needs only the key (its other cells come from the
    # stored row), so its empty cells are not missing values
    cols = [WITHDRAWN] + [c for c in cols if c != WITHDRAWN]
    withdrawing = np.zeros(len(src.data), dtype=bool)
    canon = {}
    for col in cols:
        if col not in src.data.columns:
            canon[col] = np.full(len(src.data), None, dtype=object)
            continue
        values, errors = norm.column(src.data[col], src.table, col, pseudonymise=True)
        for pos, msg in errors.items():
            problems.append(
                IngestProblem(src.file, src.sheet, src.rows[pos], _show(src.headers.get(col, col), 60), msg)
            )
        canon[col] = values
        if col == WITHDRAWN:
            withdrawing = np.asarray(values == "true", dtype=bool)
        if tpl.is_required(src.table, col):
            for pos in np.flatnonzero(pd.isna(values)):
                if withdrawing[pos] and col not in KEYS[src.table]:
                    continue
                if int(pos) not in errors:
                    problems.append(
                        IngestProblem(
                            src.file,
                            src.sheet,
                            src.rows[pos],
                            _show(src.headers.get(col, col), 60),
                            "value is missing",
                        )
                    )
    frame = pd.DataFrame(canon, dtype=object)[stored_columns(src.table)]
    defaulted = frame["registered"].isna().to_numpy()
    frame.loc[defaulted, "registered"] = today
    return frame, defaulted


def _merge_all(
    into: Path,
    incoming: _Incoming,
    norm: _Normaliser,
    problems: list[IngestProblem],
    notes: list[IngestProblem],
    *,
    update: bool,
    today: str,
) -> tuple[_Merged, dict[tuple[int, str], TableCounts], list[Conflict], list[Change]]:
    """Merge each table's incoming rows with the dataset at ``into``, in load order: (the rows to
    add per table, counts per file and table, conflicts, changes)."""
    counts: dict[tuple[int, str], TableCounts] = {}
    conflicts: list[Conflict] = []
    changes: list[Change] = []
    merged: _Merged = {}
    for table in TABLES:
        parts = incoming.get(table, [])
        if not parts:
            continue
        key0 = KEYS[table][0]
        first_keys = {v for _, frame, _ in parts for v in frame[key0] if v is not None}
        existing = _read_existing(into, table, problems, first_keys)
        merge = _TableMerge(
            table, existing, norm, problems, notes, counts, conflicts, changes, update=update, today=today
        )
        added_rows, prov = merge.merge(parts)
        merged[table] = (existing, added_rows, prov)
    return merged, counts, conflicts, changes


@dataclass
class _Existing:
    """A table already in the dataset: as stored, and normalised where it may meet new rows."""

    raw: pd.DataFrame | None  # as stored (CSV: strings; Parquet: typed)
    canon: pd.DataFrame  # model columns, normalised, for the rows in ``positions``
    positions: np.ndarray  # which rows of ``raw`` are in ``canon``
    path: Path | None

    @property
    def n(self) -> int:
        return 0 if self.raw is None else len(self.raw)


def _empty_existing(table: str) -> _Existing:
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in stored_columns(table)})
    return _Existing(None, empty, np.zeros(0, dtype=int), None)


def _read_existing(into: Path, table: str, problems: list[IngestProblem], first_keys: set[str]) -> _Existing:
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
        problems.append(
            IngestProblem(
                shown,
                None,
                None,
                None,
                f"the existing file could not be read ({type(exc).__name__}); repair it before ingesting",
            )
        )
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


@dataclass
class _Part:
    """One block of incoming rows of a table, as the merge compares them."""

    src: _Source
    frame: pd.DataFrame
    defaulted: np.ndarray  # rows whose registration date was empty (today's date given)
    keys: list[str]
    content: list[str]  # each row without its registration date, as one string
    regs: list
    withdrawing: np.ndarray


class _TableMerge:
    """The merge of one table's incoming rows with its stored versions.

    Counts, conflicts, changes, problems and notes are appended to the lists given; see the
    package docstring for the rules.
    """

    def __init__(
        self,
        table: str,
        existing: _Existing,
        norm: _Normaliser,
        problems: list[IngestProblem],
        notes: list[IngestProblem],
        counts: dict[tuple[int, str], TableCounts],
        conflicts: list[Conflict],
        changes: list[Change],
        *,
        update: bool,
        today: str,
    ):
        self.table, self.existing, self.norm = table, existing, norm
        self.problems, self.notes, self.counts = problems, notes, counts
        self.conflicts, self.changes = conflicts, changes
        self.update, self.today = update, today
        self.cols = stored_columns(table)
        self.col_at = {col: j for j, col in enumerate(self.cols)}
        self.content_cols = [c for c in self.cols if c != "registered"]
        self.key_cols = KEYS[table]
        self.ex = existing.canon  # only the existing rows that may share a key with an incoming row
        self.ex_content = _keys(_not_withdrawn_as_false(self.ex), self.content_cols)
        self.ex_reg = self.ex["registered"].tolist() if len(self.ex) else []
        self.versions: dict[str, list[int]] = {}
        for i, k in enumerate(_keys(self.ex, self.key_cols)):
            self.versions.setdefault(k, []).append(i)
        self.latest = {k: max(v, key=lambda e: (self.ex_reg[e] or "", e)) for k, v in self.versions.items()}
        self.first_row = 2 if TABLES[table].fmt == "csv" else 1
        # the rows of this ingest taken so far, by key: (source, position, content, registered, defaulted)
        self.seen: dict[str, tuple[_Source, int, str, str, bool]] = {}

    def merge(self, parts: list[tuple[_Source, pd.DataFrame, np.ndarray]]) -> tuple[pd.DataFrame, list]:
        """New rows and new versions to add (normalised) and their provenance (source, position)."""
        new_frames: list[pd.DataFrame] = []
        prov: list[tuple[_Source, int]] = []
        for src, frame, defaulted in parts:
            take = self._merge_part(src, frame, defaulted)
            if take.any():
                new_frames.append(frame.loc[take])
                prov.extend((src, int(i)) for i in np.flatnonzero(take))
        added = (
            pd.concat(new_frames, ignore_index=True)
            if new_frames
            else pd.DataFrame({col: pd.Series([], dtype=object) for col in self.cols})
        )
        return added, prov

    def _merge_part(self, src: _Source, frame: pd.DataFrame, defaulted: np.ndarray) -> np.ndarray:
        """Which rows of one block to add."""
        c = self.counts.setdefault((src.file_index, self.table), TableCounts())
        c.read += len(frame)
        keys = _keys(frame, self.key_cols)
        withdrawing = (frame[WITHDRAWN] == "true").to_numpy()
        for i in np.flatnonzero(withdrawing):  # a withdrawal: empty cells from the stored row
            if keys[i] in self.latest:
                e = self.latest[keys[i]]
                for col in self.content_cols:
                    if frame.iat[i, self.col_at[col]] is None:
                        frame.iat[i, self.col_at[col]] = self.ex.iat[e, self.col_at[col]]
        content = _keys(_not_withdrawn_as_false(frame), self.content_cols)
        part = _Part(src, frame, defaulted, keys, content, frame["registered"].tolist(), withdrawing)
        required = [col for col in self.key_cols if tpl.is_required(self.table, col)]
        incomplete = frame[required].isna().any(axis=1).to_numpy()
        take = np.zeros(len(frame), dtype=bool)
        for i, k in enumerate(keys):
            if incomplete[i]:  # a key value is missing: reported as missing, not compared
                take[i] = True
                c.added += 1
            elif k in self.seen:  # a second row of this ingest with the same key
                self._repeated(part, i, c)
            elif k not in self.latest:
                take[i] = self._new_key(part, i, c)
            else:
                take[i] = self._stored_key(part, i, c)
        return take

    def _describe(self, part: _Part, i: int, *, masked: bool = True) -> str:
        return _describe_key(self.table, self.key_cols, part.frame.iloc[i], self.norm, masked=masked)

    def _repeated(self, part: _Part, i: int, c: TableCounts) -> None:
        """A row whose key an earlier row of this ingest has: unchanged if it is the same row,
        else a problem."""
        src = part.src
        osrc, opos, ocontent, oreg, odef = self.seen[part.keys[i]]
        if part.content[i] == ocontent and (part.defaulted[i] or odef or part.regs[i] == oreg):
            c.unchanged += 1
            return
        key0 = self.key_cols[0]
        where = f"{osrc.file}" + (f", sheet '{osrc.sheet}'" if osrc.sheet else "")
        self.problems.append(
            IngestProblem(
                src.file,
                src.sheet,
                src.rows[i],
                _show(src.headers.get(key0, tpl.header(self.table, key0)), 60),
                f"{self._describe(part, i)} also appears in "
                f"{where}, row {osrc.rows[opos]}, with other values; keep only one of the two rows",
            )
        )

    def _new_key(self, part: _Part, i: int, c: TableCounts) -> bool:
        """A row whose key is not in the dataset: added (a withdrawal of it is a problem)."""
        src = part.src
        if part.withdrawing[i]:
            self.problems.append(
                IngestProblem(
                    src.file,
                    src.sheet,
                    src.rows[i],
                    tpl.header(self.table, WITHDRAWN),
                    f"{self._describe(part, i)} is not in the dataset, so there is nothing to withdraw (check the ID)",
                )
            )
            return False
        self.seen[part.keys[i]] = (src, i, part.content[i], part.regs[i], bool(part.defaulted[i]))
        c.added += 1
        return True

    def _stored_key(self, part: _Part, i: int, c: TableCounts) -> bool:
        """A row whose key is in the dataset: unchanged, a conflict, or (with ``update``) a new
        version of it."""
        e = self.latest[part.keys[i]]
        if self._unchanged(part, i, e):
            c.unchanged += 1
            return False
        frame, at = part.frame, self.col_at
        diff = [
            col
            for col in self.cols
            if (frame.iat[i, at[col]] or (None if col != WITHDRAWN else "false"))
            != (self.ex.iat[e, at[col]] or (None if col != WITHDRAWN else "false"))
            and not (col == "registered" and part.defaulted[i])
        ]
        shown = tuple(
            (tpl.header(self.table, col), self.ex.iat[e, at[col]], frame.iat[i, at[col]])
            for col in diff
            if col != "registered"
        )
        only_registered = part.content[i] == self.ex_content[e]
        if not self.update or only_registered:
            c.conflicting += 1
            c.rejected += 1
            self.conflicts.append(
                Conflict(
                    self.table,
                    part.src.file,
                    part.src.sheet,
                    part.src.rows[i],
                    self._describe(part, i),
                    tuple(tpl.header(self.table, col) for col in diff),
                    int(self.existing.positions[e]) + self.first_row,
                    shown,
                    only_registered,
                )
            )
            return False
        if not self._new_version(part, i, e, diff, shown):
            return False
        c.updated += 1
        return True

    def _unchanged(self, part: _Part, i: int, e: int) -> bool:
        """True if the row is the stored row (its latest version ``e``), or an earlier version of
        it (an old file ingested again: a note says the current version was kept)."""
        k = part.keys[i]
        if part.content[i] == self.ex_content[e]:
            # the stored row (also: a re-ingest after an update); else only the date differs
            return bool(part.defaulted[i] or any(part.regs[i] == self.ex_reg[v] for v in self.versions[k]))
        if any(
            self.ex_content[v] == part.content[i] and (part.defaulted[i] or part.regs[i] == self.ex_reg[v])
            for v in self.versions[k]
        ):
            self.notes.append(
                IngestProblem(
                    part.src.file,
                    part.src.sheet,
                    part.src.rows[i],
                    None,
                    f"{self._describe(part, i)} is an earlier version of "
                    f"the row; the current version (registered {self.ex_reg[e]}) was kept. To go back to "
                    "these values, give the row a later Registreringsdato and ingest with --update",
                )
            )
            return True
        return False

    def _new_version(self, part: _Part, i: int, e: int, diff: list[str], shown: tuple) -> bool:
        """Register the row as a new version of the stored version ``e``: on its own registration
        date if that is later, else today; a problem if that is not later than ``e``'s."""
        src, frame = part.src, part.frame
        stored = self.ex_reg[e] or ""
        own = part.regs[i] if not part.defaulted[i] else None
        registered = own if own is not None and own > stored else self.today
        if registered <= stored:
            self.problems.append(
                IngestProblem(
                    src.file,
                    src.sheet,
                    src.rows[i],
                    tpl.header(self.table, "registered"),
                    f"{self._describe(part, i)} is stored in a version "
                    f"registered {self.ex_reg[e]}, not before today ({self.today}); a new version must be "
                    "registered later: write a later Registreringsdato in the row",
                )
            )
            return False
        frame.iat[i, self.col_at["registered"]] = registered
        self.changes.append(
            Change(
                self.table,
                src.file,
                src.sheet,
                src.rows[i],
                self._describe(part, i, masked=False),
                {col: frame.iat[i, self.col_at[col]] for col in self.key_cols},
                self.ex_reg[e],
                registered,
                bool(part.withdrawing[i]),
                shown,
                tuple(col for col in diff if col != "registered"),
            )
        )
        self.seen[part.keys[i]] = (src, i, part.content[i], registered, False)
        return True


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
