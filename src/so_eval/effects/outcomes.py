"""Outcomes and pre-period covariates for effect measurement, defined once.

:func:`outcome_table` gives one row per citizen — participants and the comparison pool — with
the outcomes after (placebo) entry and the covariates before it; :func:`quarterly_panel` gives
the citizen × quarter panel for the staggered-entry event study. Both read the weekly status
panel (``status_weekly``) through a citizens × weeks matrix, so every citizen's windows are
computed at once.

The rules that do not depend on how the panel is read — who is a participant, the (placebo)
entry weeks, which windows give which outcome, when a window counts as observable, the quarter
grid — are small helpers here, shared with :mod:`so_eval.effects.streaming`, which computes the
same tables from a Parquet file through DuckDB at national scale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from so_eval.data.dataset import Dataset
from so_eval.data.model import BENEFIT_STATUSES, EDU, SELF, STATUSES

HORIZONS: dict[str, tuple[int, int]] = {"1-26": (1, 26), "27-52": (27, 52), "53-104": (53, 104)}
"""Windows of weeks after entry (week 1 is the week the course starts)."""

OUTCOMES: dict[str, str] = {
    "selfsupport_1_26": "Andel uger selvforsørgende, uge 1–26 efter start",
    "selfsupport_27_52": "Andel uger selvforsørgende, uge 27–52 efter start",
    "selfsupport_53_104": "Andel uger selvforsørgende, uge 53–104 efter start",
    "selfsupport_w26": "Selvforsørgende i uge 26 efter start",
    "selfsupport_w52": "Selvforsørgende i uge 52 efter start",
    "education_1_26": "Andel uger i uddannelse, uge 1–26 (unge)",
    "education_27_52": "Andel uger i uddannelse, uge 27–52 (unge)",
    "education_53_104": "Andel uger i uddannelse, uge 53–104 (unge)",
}
"""Outcome columns of :func:`outcome_table` and their Danish labels."""

COVARIATES: list[str] = ["benefit_weeks_52", "benefit_weeks_104", "age", "gender", "target_group", "origin"]
"""The pre-period covariates: weeks on benefit in the 52 and 104 weeks before entry, age in the
entry year, gender, target group and origin."""

COVARIATE_LABELS = {
    "benefit_weeks_52": "Uger på ydelse, 52 uger før",
    "benefit_weeks_104": "Uger på ydelse, 104 uger før",
    "age": "Alder",
    "gender": "Køn",
    "target_group": "Målgruppe",
    "origin": "Oprindelse",
}


def _window_specs() -> list[tuple[str, str, int, int, str]]:
    """The windows behind the outcome table's outcome and covariate columns.

    One tuple per column: ``(column, kind, offset, length, how)``. The window is the weeks
    ``entry + offset`` to ``entry + offset + length - 1`` (week indices; the entry week has
    offset 0, so week *k* after entry has offset *k* − 1); ``kind`` is the status counted
    (``"self"``, ``"edu"`` or ``"benefit"``); ``how`` is ``"share"`` (weeks of ``kind`` over
    observed weeks) or ``"count"`` (weeks of ``kind``).
    """
    specs = []
    for name, (a, b) in HORIZONS.items():
        tag = name.replace("-", "_")
        specs.append((f"selfsupport_{tag}", "self", a - 1, b - a + 1, "share"))
        specs.append((f"education_{tag}", "edu", a - 1, b - a + 1, "share"))
    specs += [
        ("selfsupport_w26", "self", 25, 1, "share"),
        ("selfsupport_w52", "self", 51, 1, "share"),
        ("benefit_weeks_52", "benefit", -52, 52, "count"),
        ("benefit_weeks_104", "benefit", -104, 104, "count"),
    ]
    return specs


def _panel_bounds(min_week, max_week) -> tuple[pd.Timestamp, int]:
    """First week (the Monday on or before the earliest ``week``) and number of weeks of a
    status panel whose ``week`` column runs from ``min_week`` to ``max_week``."""
    first_week = pd.Timestamp(min_week).normalize()
    first_week -= pd.Timedelta(days=first_week.day_of_week)  # the Monday
    return first_week, int((pd.Timestamp(max_week) - first_week).days // 7) + 1


def _week_index(days, first_week: pd.Timestamp) -> np.ndarray:
    """Column index of the week each date falls in, counted from ``first_week`` (may be < 0)."""
    return ((pd.to_datetime(days) - first_week).dt.days // 7).to_numpy()


def _inside(start: np.ndarray, length: int, n_weeks: int) -> np.ndarray:
    """Whether the window ``[start, start + length)`` lies wholly inside a panel of ``n_weeks``."""
    start = np.asarray(start, dtype=float)
    return np.isfinite(start) & (start >= 0) & (start + length <= n_weeks)


def _share(count: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Weeks of a kind over observed weeks; NaN where no week was observed (or NaN)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seen > 0, count / seen, np.nan)


def _sample(citizens: pd.DataFrame, courses: pd.DataFrame, entry_from, entry_to) -> tuple[pd.Index, pd.Series]:
    """Who is in the outcome table: the participants (first course started in the entry window)
    followed by the comparison pool (no course at all).

    Returns the pseudonyms in that order and, for the participants, the start of their first
    course (the entry day), in the same order.
    """
    first = courses.groupby("citizen_id")["start"].min()
    lo = pd.Timestamp(entry_from) if entry_from is not None else pd.Timestamp.min
    hi = pd.Timestamp(entry_to) if entry_to is not None else pd.Timestamp.max
    treated_ids = first.index[(first >= lo) & (first <= hi)]
    took_part = set(first.index.tolist())  # plain Python: fast at 500,000 citizens too
    no_course = np.array([cid not in took_part for cid in citizens["citizen_id"].tolist()], dtype=bool)
    pool_ids = citizens.loc[no_course, "citizen_id"]
    ids = pd.Index(treated_ids.tolist() + pool_ids.tolist(), name="citizen_id")
    return ids, first.reindex(treated_ids)


def _entry_weeks(ids: pd.Index, entry_day: pd.Series, first_week: pd.Timestamp, salt: str) -> np.ndarray:
    """Entry week index (float, counted from ``first_week``) of every citizen in ``ids``: the
    participants' own (``entry_day``, the first ``len(entry_day)`` ids), then the pool's placebo
    weeks, drawn from the participants' by :func:`_placebo_pick` (NaN if there are none)."""
    t_week = _week_index(pd.Series(entry_day.to_numpy()), first_week)
    pool_ids = ids[len(entry_day) :]
    if len(t_week):
        pick = _placebo_pick(pd.Index(pool_ids.tolist(), dtype=object), len(t_week), salt)
        c_week = np.sort(t_week)[pick]
    else:
        c_week = np.full(len(pool_ids), np.nan)
    return np.concatenate([t_week, c_week]).astype(float)


def _assemble(
    ids: pd.Index,
    n_treated: int,
    week: np.ndarray,
    first_week: pd.Timestamp,
    values: dict[str, np.ndarray],
    citizens: pd.DataFrame,
) -> pd.DataFrame:
    """The outcome table from its parts: pseudonyms (participants first), entry week indices,
    the window values by column (see :func:`_window_specs`) and the citizens table."""
    treated = np.r_[np.ones(n_treated, int), np.zeros(len(ids) - n_treated, int)]
    out = pd.DataFrame({"citizen_id": ids, "treated": treated})
    entry_week = first_week + pd.to_timedelta(np.nan_to_num(week) * 7, unit="D")
    out["entry_week"] = pd.Series(entry_week).where(np.isfinite(week))
    out["entry_year"] = out["entry_week"].dt.year
    entry = out["entry_week"].dt
    out["entry_quarter"] = entry.year.astype("Int64").astype(str) + "K" + entry.quarter.astype("Int64").astype(str)
    for col, *_ in _window_specs():
        out[col] = values[col]
    info = citizens.set_index("citizen_id").reindex(ids)
    out["age"] = (out["entry_year"] - info["birth_year"].to_numpy()).astype(float)
    out["gender"] = info["gender"].to_numpy()
    out["target_group"] = info["target_group"].to_numpy()
    out["origin"] = info["origin"].fillna("ukendt").to_numpy()
    young = out["target_group"] == "unge"
    for name in HORIZONS:
        col = f"education_{name.replace('-', '_')}"
        out[col] = out[col].where(young)
    cols = ["citizen_id", "treated", "entry_week", "entry_year", "entry_quarter"] + list(OUTCOMES) + COVARIATES
    return out[cols]


def _status_codes(status: pd.Series) -> np.ndarray:
    """Position of each week's status in :data:`STATUSES` (−1 for a missing or unknown status:
    that week counts as not observed). A categorical with exactly those categories, as
    :func:`so_eval.load` gives the panel, is read without looking at the text."""
    if isinstance(status.dtype, pd.CategoricalDtype) and list(status.cat.categories) == list(STATUSES):
        return status.cat.codes.to_numpy()
    return pd.Index(list(STATUSES)).get_indexer(status)


def _row_index(ids: pd.Index, citizen: pd.Series) -> np.ndarray:
    """``ids.get_indexer(citizen)``, looked up once per run of equal pseudonyms: a status panel
    lists each citizen's weeks together, so two million rows are a few thousand runs (any order
    gives the same answer; one with many short runs is looked up row by row)."""
    n = len(citizen)
    if n < 2:
        return ids.get_indexer(citizen)
    arr = pa.array(citizen, from_pandas=True)
    new_run = pc.fill_null(pc.not_equal(arr[1:], arr[:-1]), True).to_numpy(zero_copy_only=False)
    starts = np.concatenate(([0], np.flatnonzero(new_run) + 1))
    if len(starts) > n // 4:
        return ids.get_indexer(citizen)
    first = ids.get_indexer(pd.Index(arr.take(pa.array(starts)).to_pandas()))
    return np.repeat(first, np.diff(np.append(starts, n)))


class WeekMatrix:
    """The status panel as a citizens × weeks matrix of status codes (−1 = no row that week)."""

    def __init__(self, status_weekly: pd.DataFrame, citizen_ids: Iterable[str]):
        ids = pd.Index(list(citizen_ids))
        sw = status_weekly
        if len(sw) == 0:
            raise ValueError("the dataset has no status_weekly table: effect measurement needs it")
        self.first_week, self.n_weeks = _panel_bounds(sw["week"].min(), sw["week"].max())
        self.ids = ids
        rows = _row_index(ids, sw["citizen_id"])
        cols = ((sw["week"] - self.first_week).dt.days // 7).to_numpy()
        status = _status_codes(sw["status"])
        keep = rows >= 0
        self.codes = np.full((len(ids), self.n_weeks), -1, dtype=np.int8)
        self.codes[rows[keep], cols[keep]] = status[keep]
        observed = self.codes >= 0
        self._cum = {
            "observed": _cumsum(observed),
            "self": _cumsum(self.codes == STATUSES.index(SELF)),
            "edu": _cumsum(self.codes == STATUSES.index(EDU)),
            "benefit": _cumsum(np.isin(self.codes, [STATUSES.index(s) for s in BENEFIT_STATUSES])),
        }

    def week_index(self, days: pd.Series) -> np.ndarray:
        """Column index of the week each date falls in (may lie outside the matrix)."""
        return _week_index(days, self.first_week)

    def window(self, kind: str, start: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
        """Per citizen: weeks of ``kind`` and observed weeks in ``[start, start + length)``;
        both NaN where the window is not wholly inside the panel."""
        start = np.asarray(start, dtype=float)
        inside = _inside(start, length, self.n_weeks)
        s = np.where(inside, start, 0).astype(int)
        r = np.arange(len(s))
        cum, obs = self._cum[kind], self._cum["observed"]
        count = (cum[r, s + length] - cum[r, s]).astype(float)
        seen = (obs[r, s + length] - obs[r, s]).astype(float)
        return np.where(inside, count, np.nan), np.where(inside, seen, np.nan)

    def share(self, kind: str, start: np.ndarray, length: int) -> np.ndarray:
        return _share(*self.window(kind, start, length))


def _cumsum(a: np.ndarray) -> np.ndarray:
    out = np.zeros((a.shape[0], a.shape[1] + 1), dtype=np.int32)
    np.cumsum(a, axis=1, out=out[:, 1:])
    return out


def _placebo_pick(citizen_ids: pd.Index, n_choices: int, salt: str) -> np.ndarray:
    """A deterministic pseudo-random index in ``[0, n_choices)`` per citizen, from a hash of the
    pseudonym (so a control's placebo entry week does not depend on row order or a seed)."""
    out = np.empty(len(citizen_ids), dtype=np.int64)
    for i, cid in enumerate(citizen_ids):
        digest = hashlib.blake2b(f"{salt}:{cid}".encode(), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "big") % n_choices
    return out


def outcome_table(
    ds: Dataset,
    *,
    entry_from: str | pd.Timestamp | None = None,
    entry_to: str | pd.Timestamp | None = None,
    salt: str = "so-eval",
) -> pd.DataFrame:
    """One row per citizen: participation, outcomes after entry and covariates before it.

    Rules:

    * *participants* (treated = 1): citizens whose **first** course started between
      ``entry_from`` and ``entry_to`` (default: any time); the *entry week* is the week of that
      start. Citizens whose first course started outside the window are left out.
    * *comparison pool* (treated = 0): citizens with no course at all. Each gets a placebo entry
      week, drawn from the participants' entry weeks by a keyed hash of the pseudonym, so that
      both groups are measured over the same calendar weeks.
    * *outcomes*: share of weeks with status ``selvforsørgelse`` in weeks 1–26, 27–52 and
      53–104 after entry (week 1 = the entry week); self-supporting in week 26 and in week 52;
      for young people, share of weeks in education (``uddannelse``) in the same windows. A
      window that is not wholly inside the panel gives a missing outcome (not yet observable).
    * *covariates*: weeks on a public benefit in the 52 and 104 weeks before the entry week,
      age in the entry year, gender, target group and origin.

    Tælleregel: Deltagere er borgere, hvis første forløb startede i perioden; startugen er uge 1.
    Sammenligningsgruppen er borgere uden forløb, som får en tilfældig (men fast) startuge blandt
    deltagernes. Udfaldet er andelen af uger som selvforsørgende i uge 1–26, 27–52 og 53–104 efter
    start; for unge også andelen af uger i uddannelse. Forhåndsvariable: uger på offentlig ydelse i
    52 og 104 uger før start, alder, køn, målgruppe og oprindelse.

    Returns
    -------
    DataFrame with columns citizen_id, treated, entry_week, entry_year, entry_quarter, the
    outcomes in :data:`OUTCOMES`, and the covariates in :data:`COVARIATES`.
    """
    ids, entry_day = _sample(ds.citizens, ds.courses, entry_from, entry_to)
    m = WeekMatrix(ds.status_weekly, ids)
    week = _entry_weeks(ids, entry_day, m.first_week, salt)
    values = {
        col: (m.share(kind, week + offset, length) if how == "share" else m.window(kind, week + offset, length)[0])
        for col, kind, offset, length, how in _window_specs()
    }
    return _assemble(ids, len(entry_day), week, m.first_week, values, ds.citizens)


def quarterly_panel(ds: Dataset, *, outcome: str = "selfsupport", last_year: int | None = None) -> pd.DataFrame:
    """Citizen × quarter panel for the staggered-entry event study.

    Rule: for every citizen (participants and the comparison pool) and every calendar quarter of
    the status panel, the share of observed weeks with status ``selvforsørgelse`` (``outcome`` =
    ``"selfsupport"``) or ``uddannelse`` (``"education"``). ``group`` is the quarter (as a running
    number, 1 = the panel's first quarter) in which the citizen's first course started, 0 for
    citizens who never took part. Quarters after ``last_year`` are left out.

    Returns
    -------
    Long DataFrame with columns citizen_id, period (running quarter number), quarter (label
    like "2023K2"), group, and the outcome.
    """
    sw = ds.status_weekly
    if last_year is not None:
        sw = sw.loc[sw["week"].dt.year <= last_year]
    ids = pd.Index(ds.citizens["citizen_id"])
    m = WeekMatrix(sw, ids)
    q_of_week, labels = _quarter_grid(m.first_week, m.n_weeks)
    kind = {"selfsupport": STATUSES.index(SELF), "education": STATUSES.index(EDU)}[outcome]
    hit = (m.codes == kind).astype(np.float32)
    seen = (m.codes >= 0).astype(np.float32)
    n_q = len(labels)
    onehot = np.zeros((m.n_weeks, n_q), dtype=np.float32)
    onehot[np.arange(m.n_weeks), q_of_week - 1] = 1
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (hit @ onehot) / (seen @ onehot)
    group, late = _entry_quarters(ds.courses, ids, m.first_week, n_q)
    out = pd.DataFrame(
        {
            "citizen_id": np.repeat(ids.to_numpy(), n_q),
            "period": np.tile(np.arange(1, n_q + 1), len(ids)),
            "quarter": np.tile(labels, len(ids)),
            "group": np.repeat(group, n_q),
            outcome: share.ravel().astype(float),
        }
    )
    if late.any():  # first course outside the panel's quarters: neither treated nor control
        out = out.loc[~out["citizen_id"].isin(ids[late])]
    return out.reset_index(drop=True)


def _quarter_grid(first_week: pd.Timestamp, n_weeks: int) -> tuple[np.ndarray, list[str]]:
    """Quarter (running number, 1 = the quarter of ``first_week``) of each of the panel's
    ``n_weeks`` weeks, and the quarters' labels ("2023K2")."""
    weeks = first_week + pd.to_timedelta(np.arange(n_weeks) * 7, unit="D")
    q_of_week = (weeks.year - weeks[0].year) * 4 + weeks.quarter - weeks[0].quarter + 1
    n_q = int(q_of_week.max())
    labels = [
        f"{weeks[0].year + (q - 1 + weeks[0].quarter - 1) // 4}K{(q - 1 + weeks[0].quarter - 1) % 4 + 1}"
        for q in range(1, n_q + 1)
    ]
    return np.asarray(q_of_week), labels


def _entry_quarters(
    courses: pd.DataFrame, ids: pd.Index, first_week: pd.Timestamp, n_q: int
) -> tuple[np.ndarray, np.ndarray]:
    """The event study's cohorts. Per citizen in ``ids``: ``group``, the running quarter in which
    their first course started (0 for citizens with no course), and ``late``, whether their
    first course started outside the panel's ``n_q`` quarters (such citizens are neither
    treated nor controls and are left out)."""
    first = courses.groupby("citizen_id")["start"].min().reindex(ids)
    group = (first.dt.year - first_week.year) * 4 + first.dt.quarter - first_week.quarter + 1
    group = group.where(group.between(1, n_q), np.nan)  # entries outside the panel: not usable
    late = (first.notna() & group.isna()).to_numpy()
    return group.fillna(0).to_numpy().astype(int), late
