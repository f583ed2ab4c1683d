"""The synthetic demo dataset: realistic in size and shape, deterministic from a seed.

The demo tells a story that exercises every branch of the annual report, and it writes what it
planted to ``truth.json`` beside the data so that tests can check that the workbench finds it:

* 2018–2025, a few thousand citizens in the target groups (participants and a comparison pool);
* ~150 new courses a year under ~40 agreements;
* 25 enterprises active at the end of 2021, growing toward 40 with three bottom lines — reached at
  the end of 2024, a year early — with some closures (one in 2025);
* 25–45 citizens a year coming into jobs, with 2023 below the norm of 30;
* an agreement whose citizens mostly drop out;
* late registrations: rows whose ``registered`` date falls after the annual report was made.

Everything random comes from one ``numpy.random.Generator`` seeded with ``seed``; the same seed
gives byte-identical files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from so_eval.demo import dgp
from so_eval import glossary as g
from so_eval.files import atomic_write_bytes, atomic_write_text

DEFAULT_SEED = 2022
FIRST_YEAR, LAST_YEAR = 2018, 2025
EXTRACT_DATE = pd.Timestamp("2026-01-31")
"""The day the demo data were 'extracted': nothing is registered after it."""
REPORT_DAY = (1, 15)
"""Month and day in January on which the annual report for the year before is made."""

#: distinct citizens coming into a job per year (the planted truth for goal 1)
JOBS_PER_YEAR = {2018: 32, 2019: 35, 2020: 31, 2021: 36, 2022: 38, 2023: 27, 2024: 41, 2025: 44}
#: new courses per year (2020 lower: COVID-19 lockdowns)
COURSES_PER_YEAR = {2018: 140, 2019: 150, 2020: 118, 2021: 145, 2022: 152, 2023: 150, 2024: 160, 2025: 158}
#: enterprises founded per year (before 2018: the first years of the municipality's work)
FOUNDED_PER_YEAR = {2014: 5, 2015: 6, 2016: 5, 2017: 4, 2018: 3, 2019: 2, 2020: 1, 2021: 4,
                    2022: 5, 2023: 6, 2024: 8, 2025: 3}
CLOSED_PER_YEAR = {2018: 1, 2019: 1, 2020: 2, 2021: 1, 2022: 1, 2023: 1, 2024: 1, 2025: 2}
N_CITIZENS = 3600
TARGET_GROUP_SHARES = {"ressourceforløb": 0.20, "kontanthjælp": 0.35, "fleksjob": 0.13,
                       "integration": 0.15, "unge": 0.17}
LATE_SHARE = 0.10
PLANTED_LATE_PER_YEAR = 2
JOB_CHANGES_PER_YEAR = 4
"""Citizens in a job who start a new one, per strategy year (job changes: not goal 1's count)."""
JOB_CHANGE_SEED = 4711
"""The planted job changes' own random stream (so that planting them changes nothing else)."""
"""Jobs per strategy year (2022–2024) registered after that year's annual report was made."""
"""Share of job rows registered late (30–120 days after the job started)."""
DROPOUT_AGREEMENT_RATE = 0.75
HIGH_JOBS_WEIGHT = 5.0
"""How much more likely a citizen of the planted high-job agreement is to be among the year's jobs."""
DROPOUT_SHIFT_FROM = pd.Timestamp("2025-01-01")
SHIFTED_DROPOUT = 0.42
"""Drop-out probability (outside the high-drop-out agreement) for courses ending from the shift."""
HORIZONS = {"1-26": (1, 26), "27-52": (27, 52), "53-104": (53, 104)}
"""Weeks after course start over which the effect outcomes are averaged."""
"""Drop-out probability in the planted high-drop-out agreement (others: about 0.12)."""

_NAME_A = ["Café", "Værksted", "Genbrug", "Køkken", "Have", "Cykel", "Bageri", "Bryggeri",
           "Butik", "Atelier", "Lager", "Gård", "Kantine", "Vaskeri", "Reparation", "Tømrer"]
_NAME_B = ["Grønne Hjerte", "Slagelse", "Korsør", "Skælskør", "Vestsjælland", "Nyt Liv",
           "Fællesskab", "Hånd i Hånd", "Søndermarken", "Antvorskov", "Fremtiden", "Havnen",
           "Solsikken", "Ringen", "Broen", "Kilden", "Stationen", "Trekanten"]


@dataclass
class DemoData:
    """The generated tables and the truth about them."""

    tables: dict[str, pd.DataFrame]
    truth: dict


def _date(rng: np.random.Generator, start: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp:
    days = max(int((end - start).days), 0)
    return start + pd.Timedelta(days=int(rng.integers(0, days + 1)))


def _year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)


def report_date(year: int) -> pd.Timestamp:
    """The day the annual report for ``year`` is made in the demo's story."""
    return pd.Timestamp(year + 1, *REPORT_DAY)


# -- enterprises -----------------------------------------------------------------------------


def _enterprises(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    names: set[str] = set()
    n = 0
    for year, count in FOUNDED_PER_YEAR.items():
        for _ in range(count):
            n += 1
            kind = str(rng.choice(g.ENTERPRISE_KINDS, p=[0.6, 0.25, 0.15]))
            while True:
                name = f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)}"
                if name not in names:
                    names.add(name)
                    break
            founded = _date(rng, *_year_bounds(year))
            sdgs = sorted(
                {17} | {int(x) for x in rng.choice([4, 8, 12, 15], size=rng.integers(1, 3), replace=False)}
            )
            rows.append(
                {
                    "enterprise_id": f"V{n:03d}",
                    "name": name,
                    "kind": kind,
                    "founded": founded,
                    "closed": pd.NaT,
                    "rsv_registered": bool(kind == "virksomhed" and rng.random() < 0.45),
                    "social": True,
                    "local": True,
                    "economic": True,
                    "sdg_goals": ";".join(str(s) for s in sdgs),
                    "circular": bool(rng.random() < 0.25),
                    "registered": founded + pd.Timedelta(days=int(rng.integers(0, 30))),
                }
            )
    ent = pd.DataFrame(rows)
    # closures: among enterprises founded at least a year before, chosen at random each year
    closed_ids: set[str] = set()
    for year, count in CLOSED_PER_YEAR.items():
        lo, hi = _year_bounds(year)
        candidates = ent.loc[
            (ent["founded"] < lo - pd.Timedelta(days=365)) & ~ent["enterprise_id"].isin(closed_ids)
        ]
        chosen = rng.choice(candidates.index.to_numpy(), size=count, replace=False)
        for i in sorted(chosen):
            ent.at[i, "closed"] = _date(rng, lo + pd.Timedelta(days=31), hi - pd.Timedelta(days=31))
            closed_ids.add(ent.at[i, "enterprise_id"])
    # one association still active works with two bottom lines only (no economic bottom line)
    open_forening = ent.index[(ent["kind"] == "forening") & ent["closed"].isna()]
    if len(open_forening) == 0:
        open_forening = ent.index[ent["closed"].isna()]
    ent.loc[open_forening[0], "economic"] = False
    return ent


# -- agreements ------------------------------------------------------------------------------


def _agreements(rng: np.random.Generator, ent: pd.DataFrame) -> pd.DataFrame:
    rows = []
    n = 0
    study_start = pd.Timestamp(FIRST_YEAR, 1, 1)
    for e in ent.sort_values(["founded", "enterprise_id"]).itertuples():
        if e.kind == "forening" and rng.random() < 0.5:
            continue  # some associations work without a cooperation agreement
        n_agreements = 2 if rng.random() < 0.25 else 1
        first_start = max(e.founded + pd.Timedelta(days=int(rng.integers(30, 150))), study_start)
        for k in range(n_agreements):
            start = first_start + pd.Timedelta(days=int(k * rng.integers(300, 900)))
            if start > pd.Timestamp(LAST_YEAR, 9, 30) or (pd.notna(e.closed) and start >= e.closed):
                continue
            end = e.closed if pd.notna(e.closed) else pd.NaT
            n += 1
            groups = sorted(
                rng.choice(g.TARGET_GROUPS, size=int(rng.integers(1, 4)), replace=False),
                key=g.TARGET_GROUPS.index,
            )
            steps = ["motivation", "afklaring", "praktik"] + (["småjob", "flere timer"] if rng.random() < 0.7 else [])
            places = int(rng.integers(3, 13))
            rows.append(
                {
                    "agreement_id": f"SA{n:03d}",
                    "enterprise_id": e.enterprise_id,
                    "start": start,
                    "end": end,
                    "places": places,
                    "target_groups": ";".join(groups),
                    "steps_offered": ";".join(steps),
                    "price": float(places * int(rng.integers(20, 61)) * 1000),
                    "registered": start - pd.Timedelta(days=int(rng.integers(0, 20))),
                }
            )
    return pd.DataFrame(rows)


# -- citizens --------------------------------------------------------------------------------


def _citizens(rng: np.random.Generator) -> pd.DataFrame:
    groups = rng.choice(
        list(TARGET_GROUP_SHARES), size=N_CITIZENS, p=list(TARGET_GROUP_SHARES.values())
    )
    birth = np.where(
        groups == "unge",
        rng.integers(1994, 2007, size=N_CITIZENS),
        rng.integers(1960, 2000, size=N_CITIZENS),
    )
    origin_p = {"integration": [0.0, 0.15, 0.85]}
    origins = [
        str(rng.choice(g.ORIGINS, p=origin_p.get(grp, [0.8, 0.06, 0.14]))) for grp in groups
    ]
    ids = set()
    pseudonyms = []
    while len(pseudonyms) < N_CITIZENS:
        pid = "B" + "".join(rng.choice(list("0123456789abcdef"), size=10))
        if pid not in ids:
            ids.add(pid)
            pseudonyms.append(pid)
    registered = [
        _date(rng, pd.Timestamp(2016, 1, 1), pd.Timestamp(2017, 12, 31)) for _ in range(N_CITIZENS)
    ]
    return pd.DataFrame(
        {
            "citizen_id": pseudonyms,
            "birth_year": birth.astype(int),
            "gender": rng.choice(g.GENDERS, size=N_CITIZENS),
            "target_group": groups,
            "origin": origins,
            "registered": registered,
        }
    )


# -- the weekly status panel -----------------------------------------------------------------

PANEL_START = pd.Timestamp("2016-01-04")
"""First week (a Monday) of the status panel: two years of history before the courses start."""
PANEL_END = pd.Timestamp("2025-12-29")


class _Panel:
    """Citizens × weeks status codes, realised as courses are assigned (see :mod:`so_eval.demo.dgp`)."""

    def __init__(self, rng: np.random.Generator, cit: pd.DataFrame, effect: dgp.EffectModel):
        self.weeks = pd.date_range(PANEL_START, PANEL_END, freq="7D")
        self.effect = effect
        self.tg = cit["target_group"].to_numpy()
        self.p_self, self.p_edu = dgp.baseline_probabilities(rng, cit)
        n, w = len(cit), len(self.weeks)
        self.u = rng.random((n, w))
        self.v = rng.random((n, w))
        self.shift = dgp.calendar_shift(self.weeks)
        self.benefit = dgp.benefit_codes(self.tg)
        self.entry = np.full(n, -1)
        p_self = np.clip(self.p_self[:, None] + self.shift[None, :], 0.0, 1 - self.p_edu[:, None])
        self.codes = dgp.draw_status(self.u, self.v, p_self, self.p_edu[:, None], self.benefit, self.tg[:, None])
        self._benefit_codes = np.array([dgp.STATUSES.index(b) for b in dgp.BENEFIT_STATUSES])
        self.cum = np.cumsum(np.isin(self.codes, self._benefit_codes), axis=1, dtype=np.int32)
        self.age_ref = dgp.age_at(cit["birth_year"], 2022)

    def week_index(self, day: pd.Timestamp) -> int:
        return int((day - PANEL_START).days // 7)

    def benefit_share_52(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Share of the 52 weeks before ``week`` on benefit, for citizens ``rows``."""
        return (self.cum[rows, week - 1] - self.cum[rows, week - 53]) / 52.0

    def enter(self, row: int, week: int) -> None:
        """The citizen starts a course in ``week``: from then on the effect applies."""
        if self.entry[row] >= 0:
            return  # the effect runs from the first course
        self.entry[row] = week
        k = np.arange(len(self.weeks)) - week + 1  # week of entry is week 1 after entry
        p_self = np.clip(self.p_self[row] + self.shift + self.effect.tau(k), 0.0, None)
        p_edu = np.clip(self.p_edu[row] + (self.effect.tau_education(k) if self.tg[row] == "unge" else 0.0), 0, 1)
        p_self = np.minimum(p_self, 1 - p_edu)
        self.codes[row] = dgp.draw_status(self.u[row], self.v[row], p_self, p_edu, self.benefit[row], self.tg[row])
        self.cum[row] = np.cumsum(np.isin(self.codes[row], self._benefit_codes), dtype=np.int32)

    def frame(self, cit: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        n, w = self.codes.shape
        status = pd.Categorical.from_codes(self.codes.ravel(), categories=list(dgp.STATUSES))
        weeks = np.tile(self.weeks.to_numpy(), n)
        lag = pd.to_timedelta(14, unit="D")
        return pd.DataFrame({
            "citizen_id": np.repeat(cit["citizen_id"].to_numpy(), w),
            "week": weeks,
            "status": status,
            "registered": np.minimum(weeks + lag, EXTRACT_DATE.to_datetime64()),
        })


# -- courses, progression and jobs -----------------------------------------------------------


def _courses(
    rng: np.random.Generator, agr: pd.DataFrame, cit: pd.DataFrame, panel: _Panel
) -> tuple[pd.DataFrame, str]:
    by_group = {grp: cit.index[cit["target_group"] == grp].to_numpy() for grp in g.TARGET_GROUPS}
    busy_until = pd.Series(pd.Timestamp(1900, 1, 1), index=cit.index)
    # candidates for the planted anomalies: the two open agreements with most places from before 2021
    early = agr.loc[(agr["start"] < pd.Timestamp(2021, 1, 1)) & agr["end"].isna()]
    ranked = early.sort_values(["places", "agreement_id"], ascending=[False, True])["agreement_id"]
    candidates = (str(ranked.iloc[0]), str(ranked.iloc[1]))
    rows = []
    n = 0
    for year, count in COURSES_PER_YEAR.items():
        lo, hi = _year_bounds(year)
        starts = sorted(_date(rng, lo, hi) for _ in range(count))
        for start in starts:
            active = agr.loc[(agr["start"] <= start) & (agr["end"].isna() | (agr["end"] > start))]
            weights = active["places"].to_numpy(dtype=float)
            a = active.iloc[int(rng.choice(len(active), p=weights / weights.sum()))]
            groups = a["target_groups"].split(";")
            pool = np.concatenate([by_group[grp] for grp in groups])
            free = pool[(busy_until.loc[pool] < start).to_numpy()]
            if len(free) == 0:
                free = cit.index[(busy_until < start).to_numpy()].to_numpy()
            # selection on observables: age, target group, weeks on benefit in the year before
            week = panel.week_index(start)
            score = dgp.selection_score(panel.age_ref[free], panel.tg[free], panel.benefit_share_52(free, week))
            weights = np.exp(score - score.max())
            ci = int(rng.choice(free, p=weights / weights.sum()))
            panel.enter(ci, week)
            duration = int(np.clip(rng.lognormal(np.log(160), 0.45), 45, 540))
            end = start + pd.Timedelta(days=duration)
            busy_until.loc[ci] = end
            n += 1
            start_step = str(rng.choice(["motivation", "afklaring", "praktik"], p=[0.45, 0.4, 0.15]))
            rows.append(
                {
                    "course_id": f"F{n:05d}",
                    "citizen_id": cit.at[ci, "citizen_id"],
                    "agreement_id": a["agreement_id"],
                    "start": start,
                    "end": end if end <= EXTRACT_DATE else pd.NaT,
                    "start_step": start_step,
                    "end_step": None,
                    "end_status": None,
                    "registered": start + pd.Timedelta(days=int(rng.integers(0, 15))),
                }
            )
    return pd.DataFrame(rows), candidates


def _assign_outcomes(
    rng: np.random.Generator,
    courses: pd.DataFrame,
    cit: pd.DataFrame,
    anomalies: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choose exactly JOBS_PER_YEAR[y] distinct citizens per year to come into a job; set the rest.

    ``anomalies`` plants the unusual: a ``high_dropout`` agreement whose citizens mostly drop
    out, a ``high_jobs`` agreement whose citizens come into jobs far more often than others
    (from 2022), and a level shift in monthly drop-outs from ``dropout_shift_from``.
    """
    dropout_agreement = anomalies.get("high_dropout")
    high_jobs = anomalies.get("high_jobs")
    shift_from = anomalies.get("dropout_shift_from")
    courses = courses.copy()
    group = courses["citizen_id"].map(cit.set_index("citizen_id")["target_group"])
    job_rows = []
    in_job: dict[int, set[str]] = {}
    ended = courses["end"].notna()
    for year, n_jobs in JOBS_PER_YEAR.items():
        lo, hi = _year_bounds(year)
        eligible = courses.index[
            ended
            & (courses["end"] >= lo)
            & (courses["end"] <= hi - pd.Timedelta(days=21))
            & (courses["agreement_id"] != dropout_agreement)
        ]
        # a citizen counts once a year; pick courses of distinct citizens
        eligible = courses.loc[eligible].drop_duplicates("citizen_id").index.to_numpy()
        weight = group.loc[eligible].map(
            {"fleksjob": 1.6, "kontanthjælp": 1.0, "integration": 0.8, "ressourceforløb": 0.6, "unge": 0.9}
        ).to_numpy(dtype=float)
        if high_jobs is not None and year >= 2022:
            weight = weight * np.where(courses.loc[eligible, "agreement_id"] == high_jobs, HIGH_JOBS_WEIGHT, 1.0)
        chosen = rng.choice(eligible, size=n_jobs, replace=False, p=weight / weight.sum())
        in_job[year] = set(courses.loc[chosen, "citizen_id"])
        for i in sorted(chosen):
            c = courses.loc[i]
            small = rng.random() < 0.25
            if small:
                job_type, hours, status = "småjob", float(rng.integers(2, 11)), "småjob"
            elif group[i] == "fleksjob":
                job_type, hours, status = "fleksjob", float(rng.integers(8, 26)), "job"
            elif group[i] == "unge" and rng.random() < 0.5:
                job_type, hours, status = "elev/lærling", 37.0, "job"
            else:
                job_type = str(rng.choice(["ordinært job", "deltidsjob"], p=[0.55, 0.45]))
                hours = 37.0 if job_type == "ordinært job" else float(rng.integers(15, 31))
                status = "job"
            start = c["end"] + pd.Timedelta(days=int(rng.integers(0, 21)))
            late = rng.random() < LATE_SHARE
            lag = int(rng.integers(30, 121)) if late else int(rng.integers(1, 21))
            job_end = start + pd.Timedelta(days=int(rng.integers(90, 900))) if rng.random() < 0.35 else pd.NaT
            job_rows.append(
                {
                    "citizen_id": c["citizen_id"],
                    "course_id": c["course_id"],
                    "start": start,
                    "end": job_end if pd.notna(job_end) and job_end <= EXTRACT_DATE else pd.NaT,
                    "job_type": job_type,
                    "weekly_hours": hours,
                    "registered": min(start + pd.Timedelta(days=lag), EXTRACT_DATE),
                }
            )
            courses.at[i, "end_status"] = status
            courses.at[i, "end_step"] = "småjob" if status == "småjob" else "job"
    # the other ended courses: where the citizen is after the course
    statuses = ["uddannelse", "praktik", "flere timer", "afklaring", "frafald", "andet"]
    for i in courses.index[ended & courses["end_status"].isna()]:
        c = courses.loc[i]
        if c["agreement_id"] == dropout_agreement:
            p = [0.02, 0.05, 0.03, 0.10, DROPOUT_AGREEMENT_RATE, 0.05]
        elif group[i] == "unge":
            p = [0.38, 0.12, 0.04, 0.20, 0.16, 0.10]
        else:
            p = [0.05, 0.20, 0.14, 0.30, 0.20, 0.11]
        if shift_from is not None and c["end"] >= shift_from and c["agreement_id"] != dropout_agreement:
            p = _raise_dropout(p, SHIFTED_DROPOUT)
        status = str(rng.choice(statuses, p=p))
        start_rank = g.STEP_RANK[c["start_step"]]
        if status in ("uddannelse", "praktik", "flere timer"):
            end_step = status
            if g.STEP_RANK[end_step] < start_rank:
                end_step = c["start_step"]
        elif status == "afklaring":
            end_step = "afklaring" if start_rank <= 2 else c["start_step"]
        else:  # frafald, andet: no progress, sometimes a step before leaving
            end_step = c["start_step"] if rng.random() < 0.8 else g.STEPS[min(start_rank, 4)]
        courses.at[i, "end_status"] = status
        courses.at[i, "end_step"] = end_step
    jobs = pd.DataFrame(job_rows)
    jobs.insert(0, "job_id", [f"J{i:05d}" for i in range(1, len(jobs) + 1)])  # the key: in row order
    # planted late registrations: in each strategy year before the last, two jobs started late in
    # the year are registered only after the annual report was made (so the report after corrects them)
    for year in range(2022, LAST_YEAR):
        late_in_year = jobs.index[(jobs["start"] >= pd.Timestamp(year, 11, 1)) & (jobs["start"].dt.year == year)
                                  & (jobs["registered"] <= report_date(year))]
        for i in late_in_year[:PLANTED_LATE_PER_YEAR]:
            jobs.at[i, "registered"] = report_date(year) + pd.Timedelta(days=int(rng.integers(5, 45)))
    jobs = _end_jobs_left_before(jobs, courses)
    return courses, _plant_job_changes(jobs)


def _end_jobs_left_before(jobs: pd.DataFrame, courses: pd.DataFrame) -> pd.DataFrame:
    """A citizen chosen to come into a job in a later year had left the earlier job: end it
    before the new course began (and at least two days before the new job), so that each of the
    year's JOBS_PER_YEAR citizens comes into employment from outside a job."""
    jobs = jobs.copy()
    course_start = jobs["course_id"].map(courses.set_index("course_id")["start"])
    for _, idx in jobs.sort_values("start").groupby("citizen_id").groups.items():
        idx = list(idx)
        for prev, new in zip(idx, idx[1:]):
            latest = min(course_start[new] - pd.Timedelta(days=1), jobs.at[new, "start"] - pd.Timedelta(days=2))
            end = jobs.at[prev, "end"]
            if pd.isna(end) or end > latest:
                jobs.at[prev, "end"] = max(jobs.at[prev, "start"], latest)
    return jobs


def _plant_job_changes(jobs: pd.DataFrame) -> pd.DataFrame:
    """Plant JOB_CHANGES_PER_YEAR job changes a year in the strategy period: a citizen in a job
    starts a new one the day after the old one ends, registered on the same course (and long
    after it, so no agreement is credited). Their own random stream: nothing else moves."""
    rng = np.random.default_rng(JOB_CHANGE_SEED)
    jobs = jobs.copy()
    rows = []
    for year in range(2022, LAST_YEAR + 1):
        lo, hi = _year_bounds(year)
        # in an open job that started at least half a year before the change
        ongoing = jobs.loc[jobs["end"].isna() & (jobs["start"] < lo - pd.Timedelta(days=180))]
        ongoing = ongoing.loc[~ongoing["citizen_id"].isin({r["citizen_id"] for r in rows})]
        for i in rng.choice(ongoing.index, size=min(JOB_CHANGES_PER_YEAR, len(ongoing)), replace=False):
            start = _date(rng, lo, hi - pd.Timedelta(days=60))
            jobs.at[i, "end"] = start - pd.Timedelta(days=1)
            rows.append({"citizen_id": jobs.at[i, "citizen_id"], "course_id": jobs.at[i, "course_id"],
                         "start": start, "end": pd.NaT, "job_type": "ordinært job", "weekly_hours": 37.0,
                         "registered": min(start + pd.Timedelta(days=int(rng.integers(1, 21))), EXTRACT_DATE)})
    changes = pd.DataFrame(rows)
    changes.insert(0, "job_id", [f"J{i:05d}" for i in range(len(jobs) + 1, len(jobs) + len(changes) + 1)])
    return pd.concat([jobs, changes], ignore_index=True)


def _raise_dropout(p: list[float], dropout: float) -> list[float]:
    """The same status mix with the drop-out probability (index 4) raised to ``dropout``."""
    rest = [x for i, x in enumerate(p) if i != 4]
    scale = (1 - dropout) / sum(rest)
    return [dropout if i == 4 else x * scale for i, x in enumerate(p)]


_HOURS = {"motivation": (0, 0), "afklaring": (0, 0), "praktik": (0, 0), "småjob": (2, 10),
          "flere timer": (10, 20), "uddannelse": (0, 0)}


def _progression(rng: np.random.Generator, courses: pd.DataFrame, jobs: pd.DataFrame) -> pd.DataFrame:
    job_hours = jobs.drop_duplicates("course_id").set_index("course_id")["weekly_hours"]  # the job after the course
    rows = []
    order = [s for s in g.STEPS if s not in ("job", "uddannelse")]
    for c in courses.itertuples():
        start_rank = g.STEP_RANK[c.start_step]
        last = c.end if pd.notna(c.end) else EXTRACT_DATE
        if pd.notna(c.end_step):
            end_step = c.end_step
        else:  # ongoing: somewhere between the start step and two steps on
            end_step = order[min(start_rank - 1 + int(rng.integers(0, 3)), len(order) - 1)]
        end_rank = g.STEP_RANK[end_step]
        path = [c.start_step] + [s for s in order if start_rank < g.STEP_RANK[s] < end_rank]
        if end_step != c.start_step:
            path.append(end_step)
        span = max((last - c.start).days, 1)
        for k, step in enumerate(path):
            when = c.start if k == 0 else c.start + pd.Timedelta(days=int(span * k / (len(path) - 1 or 1)))
            if step == "job" or (step == "småjob" and c.course_id in job_hours.index and k == len(path) - 1):
                hours = float(job_hours.get(c.course_id, 37.0))
            else:
                lo, hi = _HOURS.get(step, (0, 0))
                hours = float(rng.integers(lo, hi + 1)) if hi else 0.0
            rows.append(
                {
                    "citizen_id": c.citizen_id,
                    "course_id": c.course_id,
                    "date": when,
                    "step": step,
                    "weekly_paid_hours": hours,
                    "registered": min(when + pd.Timedelta(days=int(rng.integers(0, 15))), EXTRACT_DATE),
                }
            )
    return pd.DataFrame(rows)


def _learnings() -> pd.DataFrame:
    rows = [
        (2022, "goal2", "læring", "Borgere i motivationsforløb har brug for en fast kontaktperson i "
         "virksomheden de første uger; aftaler med mentorordning fastholder flere.", None, "2023-01-10"),
        (2023, "goal1", "skævt", "Færre borgere kom i job end normen på 30. Flere aftaler var i "
         "opstart, og to virksomheder skiftede leder i løbet af året.", "goal1.jobs", "2024-01-08"),
        (2023, "goal3", "uventet", "Seks nye virksomheder og initiativer startede — flere end ventet, "
         "især inden for genbrug og reparation.", "goal3.enterprises_active", "2024-01-08"),
        (2024, "goal3", "uventet", "Målet om 40 socialøkonomiske virksomheder og initiativer med tre "
         "bundlinjer blev nået allerede i 2024.", "goal3.enterprises_three_bottom_lines", "2025-01-09"),
        (2024, "goal1", "korrektion", "Enkelte job fra 2023 blev først registreret efter årsrapporten; "
         "tallet for 2023 er rettet i denne rapport.", "goal1.jobs", "2025-01-09"),
        (2025, "goal2", "læring", "Unge i afklaringsforløb kommer oftere i uddannelse, når "
         "forløbet kombineres med et kort praktikforløb.", "goal2.youth_education_share", "2026-01-12"),
    ]
    return pd.DataFrame(rows, columns=["year", "area", "kind", "text", "figure_key", "registered"]).assign(
        registered=lambda d: pd.to_datetime(d["registered"])
    )


# -- public API ------------------------------------------------------------------------------


def generate(seed: int = DEFAULT_SEED, *, anomalies: bool = True) -> DemoData:
    """Generate the demo tables and the truth about them (nothing is written).

    With ``anomalies=False`` nothing unusual is planted (no high-drop-out or high-job agreement,
    no shift): the data for checking that the workbench does not flag more than chance.
    """
    rng = np.random.default_rng(seed)
    ent = _enterprises(rng)
    agr = _agreements(rng, ent)
    cit = _citizens(rng)
    effect = dgp.EffectModel()
    panel = _Panel(np.random.default_rng([seed, 1]), cit, effect)
    courses, candidates = _courses(rng, agr, cit, panel)
    planted = ({"high_dropout": candidates[0], "high_jobs": candidates[1], "dropout_shift_from": DROPOUT_SHIFT_FROM}
               if anomalies else {})
    courses, jobs = _assign_outcomes(rng, courses, cit, planted)
    prog = _progression(rng, courses, jobs)
    tables = {
        "enterprises": ent,
        "agreements": agr,
        "citizens": cit,
        "courses": courses,
        "progression": prog,
        "jobs": jobs,
        "learnings": _learnings(),
        "status_weekly": panel.frame(cit, rng),
    }
    from so_eval.demo.value import generate_value_tables

    value_tables, value_truth = generate_value_tables(np.random.default_rng([seed, 2]), ent, agr,
                                                      FIRST_YEAR, LAST_YEAR)
    tables.update(value_tables)
    truth = _truth(seed, tables, planted.get("high_dropout"))
    truth["anomalies"] = ({
        "agreements": {"high_dropout": planted["high_dropout"], "high_jobs": planted["high_jobs"]},
        "monthly_shift": {"series": "dropouts", "from": DROPOUT_SHIFT_FROM.strftime("%Y-%m"),
                          "dropout_probability": SHIFTED_DROPOUT},
    } if anomalies else {})
    truth["effect"] = _effect_truth(panel, effect)
    truth["value"] = value_truth
    return DemoData(tables=tables, truth=truth)


def _effect_truth(panel: _Panel, effect: dgp.EffectModel) -> dict:
    """What the effect estimators should find: the planted effect by week since entry and averaged
    over each horizon, and the sample ATT of the participants who entered in 2020–2023 (whose
    104 weeks of follow-up lie inside the panel)."""
    k = np.arange(1, 105)
    entered = np.flatnonzero(panel.entry >= 0)
    entry_year = panel.weeks[panel.entry[entered]].year
    cohort = entered[(entry_year >= 2020) & (entry_year <= 2023)]
    sample = {}
    for name, (lo, hi) in HORIZONS.items():
        kk = np.arange(lo, hi + 1)
        diffs = []
        for row in cohort:
            w = panel.entry[row] + kk - 1
            shift = panel.shift[w]
            p_edu = panel.p_edu[row]
            p0 = np.clip(panel.p_self[row] + shift, 0, 1 - p_edu)
            p_edu1 = np.clip(p_edu + (effect.tau_education(kk) if panel.tg[row] == "unge" else 0.0), 0, 1)
            p1 = np.minimum(np.clip(panel.p_self[row] + shift + effect.tau(kk), 0, None), 1 - p_edu1)
            diffs.append((p1 - p0).mean())
        sample[name] = round(float(np.mean(diffs)), 6)
    return {
        "outcome": "share of weeks self-supporting (status selvforsørgelse)",
        "max_effect": effect.max_effect,
        "buildup_weeks": effect.buildup_weeks,
        "max_effect_education_young": effect.max_effect_education,
        "tau_by_week": [round(float(t), 6) for t in effect.tau(k)],
        "att_by_horizon": {name: round(effect.horizon_mean(lo, hi), 6) for name, (lo, hi) in HORIZONS.items()},
        "sample_att_entries_2020_2023": sample,
        "week26": float(effect.tau(26)),
        "week52": float(effect.tau(52)),
        "selection": "course entry weighted by exp(selection_score(age, target group, benefit share 52 weeks))",
        "participants": int(len(entered)),
    }


def _truth(seed: int, t: dict[str, pd.DataFrame], dropout_agreement: str) -> dict:
    ent, jobs = t["enterprises"], t["jobs"]
    active, tbl, closed = {}, {}, {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        end = pd.Timestamp(year, 12, 31)
        is_active = (ent["founded"] <= end) & (ent["closed"].isna() | (ent["closed"] > end))
        active[year] = int(is_active.sum())
        tbl[year] = int((is_active & ent["social"] & ent["local"] & ent["economic"]).sum())
        closed[year] = sorted(ent.loc[ent["closed"].dt.year == year, "enterprise_id"])
    known = {}
    late = {}
    change = jobs.duplicated("course_id")  # the planted job changes: a second job on a course
    changes = jobs.loc[change, "start"].dt.year.value_counts()
    jobs = jobs.loc[~change]
    for year in JOBS_PER_YEAR:
        in_year = jobs.loc[jobs["start"].dt.year == year]
        known[year] = int(in_year.loc[in_year["registered"] <= report_date(year), "citizen_id"].nunique())
        late[year] = int((in_year["registered"] > report_date(year)).sum())
    first_reached = next((y for y in sorted(tbl) if tbl[y] >= 40), None)
    return {
        "seed": seed,
        "extract_date": str(EXTRACT_DATE.date()),
        "jobs_per_year": {str(k): v for k, v in JOBS_PER_YEAR.items()},
        "jobs_per_year_known_on_report_date": {str(k): v for k, v in known.items()},
        "late_job_registrations": {str(k): v for k, v in late.items()},
        "job_changes_per_year": {str(k): int(changes.get(k, 0)) for k in JOBS_PER_YEAR},
        "years_below_job_norm": [y for y, v in JOBS_PER_YEAR.items() if v < 30],
        "enterprises_active": {str(k): v for k, v in active.items()},
        "enterprises_three_bottom_lines": {str(k): v for k, v in tbl.items()},
        "enterprise_target_first_reached": first_reached,
        "enterprises_closed": {str(k): v for k, v in closed.items()},
        "high_dropout_agreement": dropout_agreement,
        "high_dropout_rate": DROPOUT_AGREEMENT_RATE,
        "courses_started": {str(k): v for k, v in COURSES_PER_YEAR.items()},
    }


def _to_csv(df: pd.DataFrame) -> str:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    return out.to_csv(index=False, lineterminator="\n")


def _to_parquet(df: pd.DataFrame) -> bytes:
    """Parquet bytes, deterministic for the same frame and library versions."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata(None)  # no pandas metadata: plain, reproducible columns
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=500_000)
    return buf.getvalue()


def write_demo(out: str | os.PathLike[str], seed: int = DEFAULT_SEED, *, anomalies: bool = True) -> Path:
    """Write the demo dataset and ``truth.json`` to ``out``; each file is written atomically.

    Returns the folder. Files of other names in ``out`` are left alone.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    demo = generate(seed, anomalies=anomalies)
    for name, df in demo.tables.items():
        if name == "status_weekly":
            atomic_write_bytes(out / f"{name}.parquet", _to_parquet(df))
        else:
            atomic_write_text(out / f"{name}.csv", _to_csv(df))
    atomic_write_text(out / "truth.json", json.dumps(demo.truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return out
