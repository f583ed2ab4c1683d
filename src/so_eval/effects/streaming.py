"""The outcome table and the event study's quarterly panel at national scale, streamed from a
Parquet status panel.

:func:`outcome_table_parquet` and :func:`quarterly_panel_parquet` give exactly the tables of
:func:`~so_eval.effects.outcomes.outcome_table` and
:func:`~so_eval.effects.outcomes.quarterly_panel` — same rows, columns, values and missing
values — but never hold the weekly status panel in memory. The outcome table comes from DuckDB,
which reads ``status_weekly.parquet`` row group by row group, joins each row to its citizen's
entry week and keeps only the counts; the quarterly panel is counted batch by batch from pyarrow
with numpy (:func:`quarterly_matrix_parquet`, a citizens × quarters matrix that
:func:`~so_eval.effects.did.group_time_att_wide` takes without a long panel). What does not
depend on how the panel is read (who takes part, the placebo entry weeks, the windows, when a
window is observable, the quarter grid) comes from the helpers in
:mod:`so_eval.effects.outcomes`, so the ways cannot drift apart.

At 500,000 citizens × 522 weeks (260 million person-weeks) the weekly panel needs about 17 GiB
in pandas; here the outcome table takes about 0.8 GiB, and the quarterly matrix with the event
study on it (group-time ATT and its aggregation) about 0.8 GiB as well (see
``benchmarks/README.md``).

Assumption, as in the schema: one row per citizen and week (``status_weekly`` is validated
unique on ``citizen_id, week``; duplicate rows would be counted twice here, once there).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from so_eval.data.model import BENEFIT_STATUSES, EDU, SELF, STATUSES
from so_eval.effects.outcomes import (
    _assemble,
    _entry_quarters,
    _entry_weeks,
    _inside,
    _panel_bounds,
    _quarter_grid,
    _sample,
    _share,
    _window_specs,
)

__all__ = [
    "QuarterlyMatrix",
    "duckdb_connection",
    "outcome_table_parquet",
    "quarterly_matrix_parquet",
    "quarterly_panel_parquet",
    "read_effect_inputs",
]

MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit here: with Python, pandas and the results it keeps a process under
2 GiB. DuckDB spills what it can to a temporary folder beyond it."""

_WEEK_US = 7 * 24 * 3600 * 1_000_000
_KIND_STATUSES = {"self": (SELF,), "edu": (EDU,), "benefit": BENEFIT_STATUSES}


def _sql_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


# A row's status as its position in STATUSES (1, 2, …; NULL if missing or not a known status,
# i.e. not observed, as WeekMatrix codes it). One list lookup per row is several times cheaper
# than comparing the string with each status of a kind.
_STATUS_CODE = f"list_position([{_sql_list(STATUSES)}], status)"


def _kind_condition(kind: str, code: str = "k") -> str:
    """SQL: the row's status code ``code`` is of ``kind`` ("self", "edu", "benefit", "observed")."""
    if kind == "observed":
        return f"{code} > 0"
    codes = sorted(STATUSES.index(x) + 1 for x in _KIND_STATUSES[kind])
    if codes == list(range(codes[0], codes[-1] + 1)):  # a run of codes: two comparisons
        return f"{code} BETWEEN {codes[0]} AND {codes[-1]}"
    return f"{code} IN ({', '.join(map(str, codes))})"


@contextlib.contextmanager
def duckdb_connection(memory_limit: str = MEMORY_LIMIT, threads: int | None = None) -> Iterator:
    """An in-memory DuckDB connection with a memory limit, ``threads`` worker threads (default:
    every core) and its own temporary folder for spilling, removed afterwards.

    Example
    -------
    >>> with duckdb_connection() as con:
    ...     con.execute("SELECT 42").fetchall()
    [(42,)]
    """
    with tempfile.TemporaryDirectory(prefix="so-eval-duckdb-") as tmp:
        con = duckdb.connect(
            config={
                "memory_limit": memory_limit,
                "threads": int(threads or os.cpu_count() or 1),
                "temp_directory": tmp,
                "preserve_insertion_order": False,
            }
        )
        try:
            # every join here is to a table of (nearly) all the panel's citizens: a filter on the
            # scan built from its keys would drop nothing and costs a fifth of the time
            with contextlib.suppress(duckdb.Error):  # (no such optimizer in older DuckDB)
                con.execute("SET disabled_optimizers = 'join_filter_pushdown'")
            yield con
        finally:
            con.close()


def _parquet(path: str | os.PathLike[str]) -> str:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"status panel not found: {path}")
    return f"read_parquet({_sql_list([path.as_posix()])})"


def _bounds(con, source: str) -> tuple[pd.Timestamp, int]:
    [(lo, hi)] = con.sql(f"SELECT min(week), max(week) FROM {source}").fetchall()
    if lo is None:
        raise ValueError("the status panel has no rows: effect measurement needs it")
    # nanoseconds, as so_eval.load reads dates: entry_week then has the same dtype as there
    return _panel_bounds(pd.Timestamp(lo).as_unit("ns"), pd.Timestamp(hi).as_unit("ns"))


def _epoch_us(day: pd.Timestamp | np.ndarray):
    return (day - pd.Timestamp("1970-01-01")) // pd.Timedelta(microseconds=1)


def _segments(specs) -> np.ndarray:
    """The boundaries (offsets from the entry week) that cut the weeks around entry into
    segments such that every window of ``specs`` is a run of whole segments."""
    return np.array(sorted({o for _, _, o, _, _ in specs} | {o + n for _, _, o, n, _ in specs}))


def outcome_table_parquet(
    path: str | os.PathLike[str],
    citizens: pd.DataFrame,
    courses: pd.DataFrame,
    *,
    entry_from: str | pd.Timestamp | None = None,
    entry_to: str | pd.Timestamp | None = None,
    salt: str = "so-eval",
    memory_limit: str = MEMORY_LIMIT,
    threads: int | None = None,
) -> pd.DataFrame:
    """:func:`~so_eval.effects.outcomes.outcome_table` computed over a Parquet status panel.

    Same rules and the same result as ``outcome_table(ds)`` for a dataset with these
    ``citizens``, ``courses`` and the status panel in ``path`` (columns ``citizen_id``, ``week``,
    ``status``). The panel's first and last week come from the whole file (``min``/``max``);
    every citizen's window counts come from one DuckDB query: the panel joined to the citizens'
    entry weeks, keeping the 208 weeks around entry that the windows cover. The window
    boundaries cut those weeks into seven segments (104–53 and 52–1 weeks before entry, weeks
    1–25, 26, 27–51, 52 and 53–104 after), and the query counts weeks of each kind with
    ``count(*) FILTER (...)`` by citizen and segment; every window is then a sum of whole
    segments. (A filtered count per window, fifteen of them, evaluated per row took three times
    as long.)

    Parameters
    ----------
    path : str or path-like
        The status panel, ``status_weekly.parquet``.
    citizens, courses : DataFrame
        The citizens table (``citizen_id``, ``birth_year``, ``gender``, ``target_group``,
        ``origin``) and the courses table (``citizen_id``, ``start``).
    entry_from, entry_to, salt
        As for ``outcome_table``.
    memory_limit : str
        DuckDB's memory limit (it spills to a temporary folder beyond it).
    threads : int, optional
        DuckDB's worker threads (default: every core).

    Returns
    -------
    DataFrame as :func:`~so_eval.effects.outcomes.outcome_table`.

    Raises
    ------
    FileNotFoundError if ``path`` is missing; ValueError if the panel has no rows.

    Example
    -------
    >>> from so_eval.effects.streaming import outcome_table_parquet, read_effect_inputs
    >>> citizens, courses = read_effect_inputs("data/demo")          # doctest: +SKIP
    >>> t = outcome_table_parquet("data/demo/status_weekly.parquet", citizens, courses)  # doctest: +SKIP
    """
    source = _parquet(path)
    ids, entry_day = _sample(citizens, courses, entry_from, entry_to)
    specs = _window_specs()
    bounds = _segments(specs)
    with duckdb_connection(memory_limit, threads) as con:
        first_week, n_weeks = _bounds(con, source)
        week = _entry_weeks(ids, entry_day, first_week, salt)
        counts = _segment_counts(con, source, ids, week, first_week, bounds)
    by_segment = _by_segment(counts, len(ids), len(bounds) - 1)
    del counts
    values = _window_values(specs, bounds, week, n_weeks, by_segment)
    return _assemble(ids, len(entry_day), week, first_week, values, citizens)


def _segment_counts(
    con, source: str, ids: pd.Index, week: np.ndarray, first_week: pd.Timestamp, bounds: np.ndarray
) -> dict:
    """Weeks of each kind by citizen (``row_no``, the citizen's row) and segment around entry,
    from one DuckDB query (rows of citizens and segments without any week are not there)."""
    known = np.isfinite(week)
    # per citizen: the time span of the weeks around entry that any window covers; the
    # join keeps only rows inside it, and r counts weeks from its start
    entry = week[known].astype(np.int64)
    lo = _epoch_us(first_week) + (entry + bounds[0]) * _WEEK_US
    hi = _epoch_us(first_week) + (entry + bounds[-1]) * _WEEK_US
    entries = {
        "citizen_id": pa.array(ids[known].to_numpy(dtype=object), pa.string()),
        "row_no": np.flatnonzero(known).astype(np.int32),
        "lo_us": lo,
        "lo": lo.astype("datetime64[us]"),
        "hi": hi.astype("datetime64[us]"),
    }
    con.register("entries", pa.table(entries))
    segment_of = "CASE " + " ".join(f"WHEN r < {b - bounds[0]} THEN {i}" for i, b in enumerate(bounds[1:])) + " END"
    counts = ", ".join(
        f"count(*) FILTER (WHERE {_kind_condition(k)})::INTEGER AS {k}" for k in ("self", "edu", "benefit", "observed")
    )
    return con.sql(f"""
        SELECT row_no, {segment_of} AS segment,
               {counts}
        FROM (SELECT e.row_no, (epoch_us(CAST(s.week AS TIMESTAMP)) - e.lo_us) // {_WEEK_US} AS r,
                     {_STATUS_CODE} AS k
              FROM {source} s JOIN entries e ON s.citizen_id = e.citizen_id
                   AND CAST(s.week AS TIMESTAMP) >= e.lo AND CAST(s.week AS TIMESTAMP) < e.hi)
        GROUP BY ALL
    """).fetchnumpy()


def _by_segment(counts: dict, n_ids: int, n_seg: int) -> dict[str, np.ndarray]:
    """Weeks of each kind as citizens × segments matrices (zero where a citizen has no rows)."""
    cells = np.asarray(counts["row_no"], dtype=np.int64) * n_seg + np.asarray(counts["segment"])
    by_segment = {}
    for k in ("self", "edu", "benefit", "observed"):
        by_segment[k] = np.zeros(n_ids * n_seg)
        by_segment[k][cells] = np.asarray(counts[k])
        by_segment[k] = by_segment[k].reshape(n_ids, n_seg)
    return by_segment


def _window_values(specs, bounds: np.ndarray, week: np.ndarray, n_weeks: int, by_segment: dict) -> dict:
    """Each window's count or share, as a sum of whole segments (NaN where the window is not
    inside the panel)."""
    values = {}
    for col, kind, offset, length, how in specs:
        first, last = np.searchsorted(bounds, [offset, offset + length])
        inside = _inside(week + offset, length, n_weeks)
        count = np.where(inside, by_segment[kind][:, first:last].sum(axis=1), np.nan)
        if how == "share":
            seen = np.where(inside, by_segment["observed"][:, first:last].sum(axis=1), np.nan)
            values[col] = _share(count, seen)
        else:
            values[col] = count
    return values


@dataclass(frozen=True, eq=False)
class QuarterlyMatrix:
    """The event study's citizen × quarter outcome as a matrix: what
    :func:`~so_eval.effects.outcomes.quarterly_panel` gives in long form, one row per citizen.

    Attributes
    ----------
    citizen_ids : Index
        The citizens, in the citizens table's order, without those whose first course started
        outside the panel's quarters (as ``quarterly_panel`` leaves them out).
    group : ndarray of int
        Per citizen, the running quarter of their first course (1 = the panel's first quarter),
        0 for citizens with no course.
    values : ndarray of float32, citizens × quarters
        The share of observed weeks with the outcome's status; NaN where no week was observed.
    labels : list of str
        The quarters' labels ("2023K2"); the running quarter numbers (``period``) are 1, 2, ….
    outcome : str
        ``"selfsupport"`` or ``"education"``.
    """

    citizen_ids: pd.Index
    group: np.ndarray
    values: np.ndarray
    labels: list[str]
    outcome: str

    @property
    def periods(self) -> np.ndarray:
        """The running quarter numbers 1, 2, … of the columns."""
        return np.arange(1, len(self.labels) + 1)

    def to_long(self) -> pd.DataFrame:
        """The long panel of ``quarterly_panel``: citizen_id, period, quarter, group and the
        outcome (as float64), one row per citizen and quarter. ``citizen_id`` and ``quarter``
        are categorical (the same values as the strings there), which saves memory at national
        scale (20 million rows)."""
        n, n_q = self.values.shape
        out = pd.DataFrame(
            {
                "citizen_id": pd.Categorical.from_codes(
                    np.repeat(np.arange(n, dtype=np.int32), n_q), categories=self.citizen_ids, validate=False
                )
            }
        )
        out["period"] = np.tile(self.periods, n)
        out["quarter"] = pd.Categorical.from_codes(np.tile(np.arange(n_q, dtype=np.int8), n), categories=self.labels)
        out["group"] = np.repeat(self.group, n_q)
        out[self.outcome] = self.values.ravel().astype(float)
        return out


_MONDAY_0 = pd.Timestamp("1969-12-29")  # a Monday: weeks are counted from it (3 days before 1970)
_EPOCH = pd.Timestamp("1970-01-01")
_ROW_GROUP_ROWS = 1 << 19
"""Rows read at a time from a Parquet row group (row groups are read whole up to this)."""
_DENSE_CELLS = 1 << 22
"""Largest citizens × quarters × statuses table a batch is counted into directly; a batch that
would need more (a file not grouped by citizen) is counted by sorting its cells instead."""


def _day_ticks(t: pa.Array) -> tuple[np.ndarray, int]:
    """A ``week`` column without missing values as int64 ticks since 1970 and the ticks per day
    (dates: days or milliseconds; timestamps: their unit)."""
    if pa.types.is_date32(t.type):
        return t.cast(pa.int32()).to_numpy().astype(np.int64), 1
    if pa.types.is_date64(t.type):
        return t.cast(pa.int64()).to_numpy(), 86_400_000
    if not pa.types.is_timestamp(t.type):
        t = t.cast(pa.timestamp("us"))
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[t.type.unit]
    return t.cast(pa.int64()).to_numpy(), 86_400 * per_second


def _calendar_quarter(monday: np.ndarray) -> np.ndarray:
    """The calendar quarter (year × 4 + quarter − 1) of each Monday, given as weeks since
    :data:`_MONDAY_0`."""
    day = (np.asarray(monday, dtype=np.int64) * 7 - 3).astype("datetime64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64)
    return year * 4 + 1970 * 4 + day.astype("datetime64[M]").astype(np.int64) % 12 // 3


class _QuarterCounts:
    """Weeks of a kind and observed weeks by citizen and calendar quarter, summed over batches
    of the status panel. The quarters held grow to those the rows fall in, so the panel's first
    and last week need not be known before the rows are read."""

    def __init__(self, ids: pd.Index, kind: int, last_year: int | None):
        # pseudonym -> row; a batch's few distinct pseudonyms are looked up here (a dict: a
        # pandas get_indexer call costs milliseconds per batch at 500,000 citizens)
        self.row = {cid: i for i, cid in enumerate(ids.tolist()) if isinstance(cid, str)}
        self.kind = kind  # the status counted as a hit (its position in STATUSES)
        self.cut_day = None if last_year is None else (pd.Timestamp(f"{int(last_year) + 1}-01-01") - _EPOCH).days
        # weeks of the kind and observed weeks, citizens × calendar quarters first_quarter, …
        self.hits = np.zeros((len(ids), 0), dtype=np.int32)
        self.seen = np.zeros((len(ids), 0), dtype=np.int32)
        self.first_quarter = 0
        self.first_day: int | None = None  # the first and last day (since 1970) of a row counted
        self.last_day: int | None = None
        self._lock = threading.Lock()

    def _cover(self, first_quarter: int, last_quarter: int) -> None:
        """Widen the matrices (with zeros) to hold these calendar quarters."""
        have = self.hits.shape[1]
        lo, hi = (
            (first_quarter, last_quarter)
            if have == 0
            else (min(first_quarter, self.first_quarter), max(last_quarter, self.first_quarter + have - 1))
        )
        if have and lo == self.first_quarter and hi == self.first_quarter + have - 1:
            return
        for name in ("hits", "seen"):
            wide = np.zeros((len(self.hits), hi - lo + 1), dtype=np.int32)
            if have:
                wide[:, self.first_quarter - lo : self.first_quarter - lo + have] = getattr(self, name)
            setattr(self, name, wide)
        self.first_quarter = lo

    def add(self, citizen: pa.DictionaryArray, week: pa.Array, status: pa.DictionaryArray) -> None:
        """Count one batch of rows (``citizen_id`` and ``status`` dictionary-encoded)."""
        if week.null_count:  # a row without a week lies in no week: left out
            keep = week.is_valid()
            citizen, week, status = citizen.filter(keep), week.filter(keep), status.filter(keep)
        t, per_day = _day_ticks(week)
        if self.cut_day is not None and len(t) and t.max() >= self.cut_day * per_day:
            kept = np.flatnonzero(t < self.cut_day * per_day)  # year(week) <= last_year
            citizen, status, t = citizen.take(kept), status.take(kept), t[kept]
        if len(t) == 0:
            return
        lo, hi = int(t.min()), int(t.max())
        # each row's week (as WeekMatrix counts: whole weeks since a Monday, rounded down) and
        # the calendar quarter of that week, as an offset from the batch's first quarter
        week_ticks, origin = 7 * per_day, (_MONDAY_0 - _EPOCH).days * per_day
        w_lo, w_hi = (lo - origin) // week_ticks, (hi - origin) // week_ticks
        quarter = _calendar_quarter(np.arange(w_lo, w_hi + 1))
        q_first = int(quarter[0])
        width = int(quarter[-1]) - q_first + 1
        # one cell per (status, citizen, quarter) of the batch: the statuses and citizens are
        # the batch's dictionary entries, plus one slot each for a missing value
        n_cit, n_status = len(citizen.dictionary) + 1, len(status.dictionary) + 1
        size = n_status * n_cit * width
        index = np.int64 if size >= 2**31 else np.int32
        cell = np.multiply(_codes(status, n_status - 1), n_cit * width, dtype=index)
        cell += np.multiply(_codes(citizen, n_cit - 1), width, dtype=index)
        w = t - (origin + w_lo * week_ticks)
        del t
        w //= week_ticks
        cell += (quarter - q_first).astype(index)[w]
        del w
        code = [STATUSES.index(x) if x in STATUSES else -1 for x in status.dictionary.to_pylist()]
        hit = np.flatnonzero(np.equal(code, self.kind))
        seen = np.flatnonzero(np.greater_equal(code, 0))  # missing or unknown: not observed
        row_of = np.array([self.row.get(x, -1) for x in citizen.dictionary.to_pylist()] + [-1])
        if size <= max(_DENSE_CELLS, 4 * len(cell)):  # the usual case: a few citizens per batch
            n = np.bincount(cell, minlength=size).reshape(n_status, n_cit, width)
            del cell
            mine = np.flatnonzero(row_of >= 0)  # citizens not in the citizens table: left out
            rows = row_of[mine]
            h = n[hit].sum(axis=0, dtype=np.int32)[mine]
            s = n[seen].sum(axis=0, dtype=np.int32)[mine]
            # a dictionary holds each pseudonym once, so the rows are distinct and += is exact
            distinct = len(np.unique(rows)) == len(rows)
            with self._lock:
                self._span(lo // per_day, hi // per_day, q_first, q_first + width - 1)
                span = slice(q_first - self.first_quarter, q_first - self.first_quarter + width)
                if distinct:
                    self.hits[rows, span] += h
                    self.seen[rows, span] += s
                else:
                    np.add.at(self.hits[:, span], rows, h)
                    np.add.at(self.seen[:, span], rows, s)
        else:  # citizens spread over the batch (a file not grouped by citizen): sort the cells
            u, n = np.unique(cell, return_counts=True)
            del cell
            k, c, j = u // (n_cit * width), u // width % n_cit, u % width
            keep = np.isin(k, seen) & (row_of[c] >= 0)
            rows, j, n, is_hit = row_of[c[keep]], j[keep], n[keep].astype(np.int32), np.isin(k[keep], hit)
            with self._lock:
                self._span(lo // per_day, hi // per_day, q_first, q_first + width - 1)
                j += q_first - self.first_quarter
                np.add.at(self.seen, (rows, j), n)
                np.add.at(self.hits, (rows, j), n * is_hit)

    def _span(self, first_day: int, last_day: int, first_quarter: int, last_quarter: int) -> None:
        self.first_day = first_day if self.first_day is None else min(self.first_day, first_day)
        self.last_day = last_day if self.last_day is None else max(self.last_day, last_day)
        self._cover(first_quarter, last_quarter)


def _codes(column: pa.DictionaryArray, missing: int) -> np.ndarray:
    """A dictionary-encoded column's codes, ``missing`` where the value is missing."""
    codes = column.indices
    return (codes.fill_null(missing) if codes.null_count or column.null_count else codes).to_numpy()


def _count_quarters(path: Path, counts: _QuarterCounts, threads: int) -> None:
    """Read ``citizen_id``, ``week`` and ``status`` of the Parquet file row group by row group
    (at most :data:`_ROW_GROUP_ROWS` rows at a time) on ``threads`` threads into ``counts``."""
    columns = ["citizen_id", "week", "status"]
    with pq.ParquetFile(path) as f:
        meta = f.metadata
        missing = [c for c in columns if c not in f.schema_arrow.names]
    if missing:
        raise ValueError("the status panel has no column(s) " + ", ".join(missing))

    def read(i: int) -> None:
        # a ParquetFile per task: one is not safe to share between threads
        with pq.ParquetFile(path, metadata=meta, read_dictionary=["citizen_id", "status"]) as f:
            for batch in f.iter_batches(batch_size=_ROW_GROUP_ROWS, row_groups=[i], columns=columns, use_threads=False):
                counts.add(*(batch.column(c) for c in columns))

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(read, range(meta.num_row_groups)):
            pass


def quarterly_matrix_parquet(
    path: str | os.PathLike[str],
    citizens: pd.DataFrame,
    courses: pd.DataFrame,
    *,
    outcome: str = "selfsupport",
    last_year: int | None = None,
    threads: int | None = None,
) -> QuarterlyMatrix:
    """The event study's quarterly panel over a Parquet status panel, as a citizens × quarters
    matrix (:class:`QuarterlyMatrix`): the same citizens, quarters and values as
    :func:`~so_eval.effects.outcomes.quarterly_panel` (``outcome`` and ``last_year`` as there),
    ready for :func:`~so_eval.effects.did.group_time_att_wide` without a long panel.

    The file is read with pyarrow, row group by row group on ``threads`` threads (default:
    every core), ``citizen_id`` and ``status`` as dictionary codes. Within a batch of rows each
    row is a cell — the pseudonym's code, the calendar quarter of its week, the status's code —
    counted with ``np.bincount``; the counts are then added to the citizens' rows through the
    batch's few distinct pseudonyms, not row by row. That holds whatever the row order: a
    batch whose rows belong to very many citizens (a file not grouped by citizen) is counted by
    sorting its cells instead, more slowly, to the same counts. The panel's first and last week
    are those of the rows counted. (A DuckDB ``GROUP BY citizen, quarter`` — 20 million groups
    at national scale — took three to four times as long as the benchmark's floor, a plain
    ``GROUP BY citizen, year`` over the file; this takes about as long as the floor; see
    ``benchmarks/README.md``.)

    Raises
    ------
    FileNotFoundError if ``path`` is missing; ValueError if no rows are left, a column is
    missing or ``outcome`` is not known.

    Example
    -------
    >>> from so_eval.effects.did import group_time_att_wide
    >>> m = quarterly_matrix_parquet("data/demo/status_weekly.parquet", citizens, courses)  # doctest: +SKIP
    >>> res = group_time_att_wide(m.values, m.group, periods=m.periods, outcome=m.outcome)  # doctest: +SKIP
    """
    if outcome not in ("selfsupport", "education"):
        raise ValueError(f"outcome must be 'selfsupport' or 'education', got {outcome!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"status panel not found: {path}")
    ids = pd.Index(citizens["citizen_id"])
    counts = _QuarterCounts(ids, STATUSES.index(SELF if outcome == "selfsupport" else EDU), last_year)
    _count_quarters(path, counts, int(threads or os.cpu_count() or 1))
    if counts.first_day is None:
        raise ValueError("the status panel has no rows: effect measurement needs it")
    # the panel's first week and its quarters, from the first and last day counted
    first_week, n_weeks = _panel_bounds(
        _EPOCH + pd.Timedelta(days=counts.first_day), _EPOCH + pd.Timedelta(days=counts.last_day)
    )
    first_week = first_week.as_unit("ns")
    _, labels = _quarter_grid(first_week, n_weeks)
    q_first = int(_calendar_quarter(np.array([(first_week - _MONDAY_0).days // 7]))[0])
    group, late = _entry_quarters(courses, ids, first_week, len(labels))
    keep = np.flatnonzero(~late)  # first course outside the panel's quarters: left out
    # float32 and divided in place, as quarterly_panel divides; NaN where nothing was observed
    values = np.full((len(keep), len(labels)), np.nan, dtype=np.float32)
    for j in range(len(labels)):
        at = q_first + j - counts.first_quarter  # the quarters with rows are a subset of these
        if 0 <= at < counts.seen.shape[1]:
            hits = counts.hits[keep, at].astype(np.float32)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(hits, counts.seen[keep, at].astype(np.float32), out=values[:, j])
    del counts
    return QuarterlyMatrix(citizen_ids=ids[keep], group=group[keep], values=values, labels=labels, outcome=outcome)


def quarterly_panel_parquet(
    path: str | os.PathLike[str],
    citizens: pd.DataFrame,
    courses: pd.DataFrame,
    *,
    outcome: str = "selfsupport",
    last_year: int | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """:func:`~so_eval.effects.outcomes.quarterly_panel` computed over a Parquet status panel.

    The same rows, values and order as ``quarterly_panel(ds, outcome=..., last_year=...)``: the
    long form of :func:`quarterly_matrix_parquet` (:meth:`QuarterlyMatrix.to_long`). To save
    memory at national scale (20 million rows for 500,000 citizens × 40 quarters)
    ``citizen_id`` and ``quarter`` are categorical columns (the same values as the strings
    there). For the event study at that scale, :func:`quarterly_matrix_parquet` with
    :func:`~so_eval.effects.did.group_time_att_wide` skips the long panel altogether.

    Parameters are as for :func:`quarterly_matrix_parquet`.

    Raises
    ------
    FileNotFoundError if ``path`` is missing; ValueError if no rows are left.
    """
    return quarterly_matrix_parquet(
        path, citizens, courses, outcome=outcome, last_year=last_year, threads=threads
    ).to_long()


def read_effect_inputs(folder: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The citizens and courses tables of a dataset folder (``citizens.csv``, ``courses.csv``),
    read with the columns the effect measurement needs: pseudonyms as strings, dates parsed.

    For the national panel (:func:`so_eval.demo.national.write_national`), whose weekly status
    panel is too large for :func:`so_eval.load`; this reads and checks nothing else.
    """
    folder = Path(folder)
    read = {"dtype": str, "keep_default_na": False, "na_values": [""], "encoding": "utf-8"}
    citizens = pd.read_csv(folder / "citizens.csv", **read)
    citizens["birth_year"] = citizens["birth_year"].astype(int)
    courses = pd.read_csv(folder / "courses.csv", usecols=["course_id", "citizen_id", "start"], **read)
    courses["start"] = pd.to_datetime(courses["start"], format="%Y-%m-%d")
    return citizens, courses
