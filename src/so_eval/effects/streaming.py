"""The outcome table and the event study's quarterly panel at national scale, streamed from a
Parquet status panel through DuckDB.

:func:`outcome_table_parquet` and :func:`quarterly_panel_parquet` give exactly the tables of
:func:`~so_eval.effects.outcomes.outcome_table` and
:func:`~so_eval.effects.outcomes.quarterly_panel` — same rows, columns, values and missing
values — but never hold the weekly status panel in memory: DuckDB reads ``status_weekly.parquet``
row group by row group, joins each row to its citizen's entry week and keeps only the counts.
What does not depend on how the panel is read (who takes part, the placebo entry weeks, the
windows, when a window is observable, the quarter grid) comes from the helpers in
:mod:`so_eval.effects.outcomes`, so the two ways cannot drift apart.

At 500,000 citizens × 522 weeks (260 million person-weeks) the weekly panel needs about 17 GiB
in pandas; here the outcome table takes about 0.8 GiB and the quarterly panel 1.2 GiB
(see ``benchmarks/README.md``), and the event study on that quarterly panel
(:func:`~so_eval.effects.did.group_time_att`, which keeps the influence functions per cell at
this size) 1.9 GiB in all.

Assumption, as in the schema: one row per citizen and week (``status_weekly`` is validated
unique on ``citizen_id, week``; duplicate rows would be counted twice here, once there).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from so_eval.dgp import BENEFIT_STATUSES, EDU, SELF, STATUSES
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

__all__ = ["duckdb_connection", "outcome_table_parquet", "quarterly_panel_parquet", "read_effect_inputs"]

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
    import duckdb

    with tempfile.TemporaryDirectory(prefix="so-eval-duckdb-") as tmp:
        con = duckdb.connect(config={
            "memory_limit": memory_limit,
            "threads": int(threads or os.cpu_count() or 1),
            "temp_directory": tmp,
            "preserve_insertion_order": False,
        })
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


def _bounds(con, source: str, where: str = "") -> tuple[pd.Timestamp, int]:
    [(lo, hi)] = con.sql(f"SELECT min(week), max(week) FROM {source} {where}").fetchall()
    if lo is None:
        raise ValueError("the status panel has no rows: effect measurement needs it")
    # nanoseconds, as so_eval.load reads dates: entry_week then has the same dtype as there
    return _panel_bounds(pd.Timestamp(lo).as_unit("ns"), pd.Timestamp(hi).as_unit("ns"))


def _epoch_us(day: pd.Timestamp | np.ndarray):
    return (day - pd.Timestamp("1970-01-01")) // pd.Timedelta(microseconds=1)


def _week_expr(first_week: pd.Timestamp) -> str:
    """SQL for a row's week index, counted from ``first_week`` (as ``WeekMatrix`` counts: whole
    weeks since that Monday, rounded down)."""
    return f"(epoch_us(CAST(week AS TIMESTAMP)) - {_epoch_us(first_week)}) // {_WEEK_US}"


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
    with duckdb_connection(memory_limit, threads) as con:
        first_week, n_weeks = _bounds(con, source)
        week = _entry_weeks(ids, entry_day, first_week, salt)
        known = np.isfinite(week)
        bounds = _segments(specs)
        # per citizen: the time span of the weeks around entry that any window covers; the
        # join keeps only rows inside it, and r counts weeks from its start
        entry = week[known].astype(np.int64)
        lo = _epoch_us(first_week) + (entry + bounds[0]) * _WEEK_US
        hi = _epoch_us(first_week) + (entry + bounds[-1]) * _WEEK_US
        import pyarrow as pa

        con.register("entries", pa.table({
            "citizen_id": pa.array(ids[known].to_numpy(dtype=object), pa.string()),
            "row_no": np.flatnonzero(known).astype(np.int32),
            "lo_us": lo, "lo": lo.astype("datetime64[us]"), "hi": hi.astype("datetime64[us]")}))
        segment_of = "CASE " + " ".join(f"WHEN r < {b - bounds[0]} THEN {i}" for i, b in enumerate(bounds[1:])) + " END"
        counts = con.sql(f"""
            SELECT row_no, {segment_of} AS segment,
                   {", ".join(f"count(*) FILTER (WHERE {_kind_condition(k)})::INTEGER AS {k}"
                              for k in ("self", "edu", "benefit", "observed"))}
            FROM (SELECT e.row_no, (epoch_us(CAST(s.week AS TIMESTAMP)) - e.lo_us) // {_WEEK_US} AS r,
                         {_STATUS_CODE} AS k
                  FROM {source} s JOIN entries e ON s.citizen_id = e.citizen_id
                       AND CAST(s.week AS TIMESTAMP) >= e.lo AND CAST(s.week AS TIMESTAMP) < e.hi)
            GROUP BY ALL
        """).fetchnumpy()
    # weeks of each kind by citizen and segment (zero where a citizen has no rows there)
    n_seg = len(bounds) - 1
    cells = np.asarray(counts["row_no"], dtype=np.int64) * n_seg + np.asarray(counts["segment"])
    by_segment = {}
    for k in ("self", "edu", "benefit", "observed"):
        by_segment[k] = np.zeros(len(ids) * n_seg)
        by_segment[k][cells] = np.asarray(counts[k])
        by_segment[k] = by_segment[k].reshape(len(ids), n_seg)
    del counts, cells

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
    return _assemble(ids, len(entry_day), week, first_week, values, citizens)


def quarterly_panel_parquet(
    path: str | os.PathLike[str],
    citizens: pd.DataFrame,
    courses: pd.DataFrame,
    *,
    outcome: str = "selfsupport",
    last_year: int | None = None,
    memory_limit: str = MEMORY_LIMIT,
    threads: int | None = None,
) -> pd.DataFrame:
    """:func:`~so_eval.effects.outcomes.quarterly_panel` computed over a Parquet status panel.

    The same rows, values and order as ``quarterly_panel(ds, outcome=..., last_year=...)``; the
    weeks are counted by DuckDB (``GROUP BY citizen, quarter``, one group per cell of the
    result). To save memory at national scale (20 million rows for 500,000 citizens ×
    40 quarters) ``citizen_id`` and ``quarter`` are categorical columns (the same values as the
    strings there).

    Parameters are as for :func:`outcome_table_parquet`, plus ``outcome`` (``"selfsupport"`` or
    ``"education"``) and ``last_year`` as for ``quarterly_panel``.

    Raises
    ------
    FileNotFoundError if ``path`` is missing; ValueError if no rows are left.
    """
    if outcome not in ("selfsupport", "education"):
        raise ValueError(f"outcome must be 'selfsupport' or 'education', got {outcome!r}")
    source = _parquet(path)
    ids = pd.Index(citizens["citizen_id"])
    where = f"WHERE year(week) <= {int(last_year)}" if last_year is not None else ""
    with duckdb_connection(memory_limit, threads) as con:
        first_week, n_weeks = _bounds(con, source, where)
        q_of_week, labels = _quarter_grid(first_week, n_weeks)
        n_q = len(labels)
        import pyarrow as pa

        con.register("citizen_rows", pa.table({
            "citizen_id": pa.array(ids.to_numpy(dtype=object), pa.string()),
            "row_no": np.arange(len(ids), dtype=np.int32)}))
        quarter_of = "[" + ", ".join(str(int(q)) for q in q_of_week) + "]"  # by week index + 1
        kind = "self" if outcome == "selfsupport" else "edu"
        counts = con.sql(f"""
            SELECT (c.row_no * {n_q} + q - 1)::INTEGER AS cell,
                   count(*) FILTER (WHERE {_kind_condition(kind)})::SMALLINT AS hits,
                   count(*) FILTER (WHERE {_kind_condition("observed")})::SMALLINT AS seen
            FROM (SELECT citizen_id, {quarter_of}[{_week_expr(first_week)} + 1] AS q, {_STATUS_CODE} AS k
                  FROM {source} {where}) s
            JOIN citizen_rows c ON s.citizen_id = c.citizen_id
            GROUP BY cell
        """).fetchnumpy()
    # float32 and in place, as quarterly_panel divides; each temporary freed as soon as it can be
    share = np.zeros(len(ids) * n_q, dtype=np.float32)
    seen = np.zeros(len(ids) * n_q, dtype=np.float32)
    cell = counts.pop("cell")
    share[cell] = counts.pop("hits")
    seen[cell] = counts.pop("seen")
    del counts, cell
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(share, seen, out=share)
    del seen
    group, late = _entry_quarters(courses, ids, first_week, n_q)
    keep = ~late
    n_kept = int(keep.sum())
    share = share.reshape(len(ids), n_q)[keep] if late.any() else share
    out = pd.DataFrame({"citizen_id": pd.Categorical.from_codes(
        np.repeat(np.arange(n_kept, dtype=np.int32), n_q), categories=pd.Index(ids[keep]), validate=False)})
    out["period"] = np.tile(np.arange(1, n_q + 1), n_kept)
    out["quarter"] = pd.Categorical.from_codes(np.tile(np.arange(n_q, dtype=np.int8), n_kept), categories=labels)
    out["group"] = np.repeat(group[keep], n_q)
    out[outcome] = share.ravel().astype(float)
    return out


def read_effect_inputs(folder: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The citizens and courses tables of a dataset folder (``citizens.csv``, ``courses.csv``),
    read with the columns the effect measurement needs: pseudonyms as strings, dates parsed.

    For the national panel (:func:`so_eval.demo_national.write_national`), whose weekly status
    panel is too large for :func:`so_eval.load`; this reads and checks nothing else.
    """
    folder = Path(folder)
    read = {"dtype": str, "keep_default_na": False, "na_values": [""], "encoding": "utf-8"}
    citizens = pd.read_csv(folder / "citizens.csv", **read)
    citizens["birth_year"] = citizens["birth_year"].astype(int)
    courses = pd.read_csv(folder / "courses.csv", usecols=["course_id", "citizen_id", "start"], **read)
    courses["start"] = pd.to_datetime(courses["start"], format="%Y-%m-%d")
    return citizens, courses
