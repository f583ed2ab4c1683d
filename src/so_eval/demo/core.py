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

from so_eval import glossary as g
from so_eval.demo import dgp
from so_eval.demo.course_outcomes import (
    DROPOUT_AGREEMENT_RATE,
    DROPOUT_SHIFT_FROM,
    JOBS_PER_YEAR,
    SHIFTED_DROPOUT,
    assign_outcomes,
    progression_table,
)
from so_eval.demo.dates import EXTRACT_DATE, FIRST_YEAR, LAST_YEAR, random_date, report_date, year_bounds
from so_eval.demo.formats import to_csv, to_parquet
from so_eval.demo.panel import StatusPanel, effect_truth
from so_eval.demo.value import generate_value_tables
from so_eval.files import atomic_write_bytes, atomic_write_text

DEFAULT_SEED = 2022

#: new courses per year (2020 lower: COVID-19 lockdowns)
COURSES_PER_YEAR = {2018: 140, 2019: 150, 2020: 118, 2021: 145, 2022: 152, 2023: 150, 2024: 160, 2025: 158}
#: enterprises founded per year (before 2018: the first years of the municipality's work)
FOUNDED_PER_YEAR = {
    2014: 5,
    2015: 6,
    2016: 5,
    2017: 4,
    2018: 3,
    2019: 2,
    2020: 1,
    2021: 4,
    2022: 5,
    2023: 6,
    2024: 8,
    2025: 3,
}
CLOSED_PER_YEAR = {2018: 1, 2019: 1, 2020: 2, 2021: 1, 2022: 1, 2023: 1, 2024: 1, 2025: 2}
N_CITIZENS = 3600
TARGET_GROUP_SHARES = {
    "ressourceforløb": 0.20,
    "kontanthjælp": 0.35,
    "fleksjob": 0.13,
    "integration": 0.15,
    "unge": 0.17,
}

_NAME_A = [
    "Café",
    "Værksted",
    "Genbrug",
    "Køkken",
    "Have",
    "Cykel",
    "Bageri",
    "Bryggeri",
    "Butik",
    "Atelier",
    "Lager",
    "Gård",
    "Kantine",
    "Vaskeri",
    "Reparation",
    "Tømrer",
]
_NAME_B = [
    "Grønne Hjerte",
    "Slagelse",
    "Korsør",
    "Skælskør",
    "Vestsjælland",
    "Nyt Liv",
    "Fællesskab",
    "Hånd i Hånd",
    "Søndermarken",
    "Antvorskov",
    "Fremtiden",
    "Havnen",
    "Solsikken",
    "Ringen",
    "Broen",
    "Kilden",
    "Stationen",
    "Trekanten",
]


@dataclass
class DemoData:
    """The generated tables and the truth about them."""

    tables: dict[str, pd.DataFrame]
    truth: dict


# -- enterprises -----------------------------------------------------------------------------


def generate_enterprises(rng: np.random.Generator) -> pd.DataFrame:
    """The ``enterprises`` table: FOUNDED_PER_YEAR founded, CLOSED_PER_YEAR closed, one association
    still active without an economic bottom line."""
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
            founded = random_date(rng, *year_bounds(year))
            sdgs = sorted({17} | {int(x) for x in rng.choice([4, 8, 12, 15], size=rng.integers(1, 3), replace=False)})
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
        lo, hi = year_bounds(year)
        candidates = ent.loc[(ent["founded"] < lo - pd.Timedelta(days=365)) & ~ent["enterprise_id"].isin(closed_ids)]
        chosen = rng.choice(candidates.index.to_numpy(), size=count, replace=False)
        for i in sorted(chosen):
            ent.at[i, "closed"] = random_date(rng, lo + pd.Timedelta(days=31), hi - pd.Timedelta(days=31))
            closed_ids.add(ent.at[i, "enterprise_id"])
    # one association still active works with two bottom lines only (no economic bottom line)
    open_forening = ent.index[(ent["kind"] == "forening") & ent["closed"].isna()]
    if len(open_forening) == 0:
        open_forening = ent.index[ent["closed"].isna()]
    ent.loc[open_forening[0], "economic"] = False
    return ent


# -- agreements ------------------------------------------------------------------------------


def generate_agreements(rng: np.random.Generator, ent: pd.DataFrame) -> pd.DataFrame:
    """The ``agreements`` table: one or two cooperation agreements per enterprise (some associations
    have none), running until the enterprise closes."""
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


def generate_citizens(rng: np.random.Generator) -> pd.DataFrame:
    """The ``citizens`` table: N_CITIZENS citizens in the target groups (TARGET_GROUP_SHARES)."""
    groups = rng.choice(list(TARGET_GROUP_SHARES), size=N_CITIZENS, p=list(TARGET_GROUP_SHARES.values()))
    birth = np.where(
        groups == "unge",
        rng.integers(1994, 2007, size=N_CITIZENS),
        rng.integers(1960, 2000, size=N_CITIZENS),
    )
    origin_p = {"integration": [0.0, 0.15, 0.85]}
    origins = [str(rng.choice(g.ORIGINS, p=origin_p.get(grp, [0.8, 0.06, 0.14]))) for grp in groups]
    ids = set()
    pseudonyms = []
    while len(pseudonyms) < N_CITIZENS:
        pid = "B" + "".join(rng.choice(list("0123456789abcdef"), size=10))
        if pid not in ids:
            ids.add(pid)
            pseudonyms.append(pid)
    registered = [random_date(rng, pd.Timestamp(2016, 1, 1), pd.Timestamp(2017, 12, 31)) for _ in range(N_CITIZENS)]
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


# -- courses, progression and jobs -----------------------------------------------------------


def generate_courses(
    rng: np.random.Generator, agr: pd.DataFrame, cit: pd.DataFrame, panel: StatusPanel
) -> tuple[pd.DataFrame, tuple[str, str]]:
    """The ``courses`` table without outcomes (no end step or status yet): COURSES_PER_YEAR starts,
    each under an agreement chosen by its places, for a free citizen of its target groups chosen by
    the selection model (who enters ``panel``); and the two agreements the anomalies are planted in."""
    by_group = {grp: cit.index[cit["target_group"] == grp].to_numpy() for grp in g.TARGET_GROUPS}
    busy_until = pd.Series(pd.Timestamp(1900, 1, 1), index=cit.index)
    # candidates for the planted anomalies: the two open agreements with most places from before 2021
    early = agr.loc[(agr["start"] < pd.Timestamp(2021, 1, 1)) & agr["end"].isna()]
    ranked = early.sort_values(["places", "agreement_id"], ascending=[False, True])["agreement_id"]
    candidates = (str(ranked.iloc[0]), str(ranked.iloc[1]))
    rows = []
    n = 0
    for year, count in COURSES_PER_YEAR.items():
        lo, hi = year_bounds(year)
        starts = sorted(random_date(rng, lo, hi) for _ in range(count))
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


def _learnings() -> pd.DataFrame:
    rows = [
        (
            2022,
            "goal2",
            "læring",
            "Borgere i motivationsforløb har brug for en fast kontaktperson i "
            "virksomheden de første uger; aftaler med mentorordning fastholder flere.",
            None,
            "2023-01-10",
        ),
        (
            2023,
            "goal1",
            "skævt",
            "Færre borgere kom i job end normen på 30. Flere aftaler var i "
            "opstart, og to virksomheder skiftede leder i løbet af året.",
            "goal1.jobs",
            "2024-01-08",
        ),
        (
            2023,
            "goal3",
            "uventet",
            "Seks nye virksomheder og initiativer startede — flere end ventet, især inden for genbrug og reparation.",
            "goal3.enterprises_active",
            "2024-01-08",
        ),
        (
            2024,
            "goal3",
            "uventet",
            "Målet om 40 socialøkonomiske virksomheder og initiativer med tre bundlinjer blev nået allerede i 2024.",
            "goal3.enterprises_three_bottom_lines",
            "2025-01-09",
        ),
        (
            2024,
            "goal1",
            "korrektion",
            "Enkelte job fra 2023 blev først registreret efter årsrapporten; "
            "tallet for 2023 er rettet i denne rapport.",
            "goal1.jobs",
            "2025-01-09",
        ),
        (
            2025,
            "goal2",
            "læring",
            "Unge i afklaringsforløb kommer oftere i uddannelse, når forløbet kombineres med et kort praktikforløb.",
            "goal2.youth_education_share",
            "2026-01-12",
        ),
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
    ent = generate_enterprises(rng)
    agr = generate_agreements(rng, ent)
    cit = generate_citizens(rng)
    effect = dgp.EffectModel()
    panel = StatusPanel(np.random.default_rng([seed, 1]), cit, effect)
    courses, candidates = generate_courses(rng, agr, cit, panel)
    planted = (
        {"high_dropout": candidates[0], "high_jobs": candidates[1], "dropout_shift_from": DROPOUT_SHIFT_FROM}
        if anomalies
        else {}
    )
    courses, jobs = assign_outcomes(rng, courses, cit, planted)
    prog = progression_table(rng, courses, jobs)
    tables = {
        "enterprises": ent,
        "agreements": agr,
        "citizens": cit,
        "courses": courses,
        "progression": prog,
        "jobs": jobs,
        "learnings": _learnings(),
        "status_weekly": panel.frame(cit, EXTRACT_DATE),
    }
    value_tables, value_truth = generate_value_tables(np.random.default_rng([seed, 2]), ent, agr, FIRST_YEAR, LAST_YEAR)
    tables.update(value_tables)
    truth = _truth(seed, tables, planted.get("high_dropout"))
    truth["anomalies"] = (
        {
            "agreements": {"high_dropout": planted["high_dropout"], "high_jobs": planted["high_jobs"]},
            "monthly_shift": {
                "series": "dropouts",
                "from": DROPOUT_SHIFT_FROM.strftime("%Y-%m"),
                "dropout_probability": SHIFTED_DROPOUT,
            },
        }
        if anomalies
        else {}
    )
    truth["effect"] = effect_truth(panel, effect)
    truth["value"] = value_truth
    return DemoData(tables=tables, truth=truth)


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


def write_demo(out: str | os.PathLike[str], seed: int = DEFAULT_SEED, *, anomalies: bool = True) -> Path:
    """Write the demo dataset and ``truth.json`` to ``out``; each file is written atomically.

    Returns the folder. Files of other names in ``out`` are left alone.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    demo = generate(seed, anomalies=anomalies)
    for name, df in demo.tables.items():
        if name == "status_weekly":
            atomic_write_bytes(out / f"{name}.parquet", to_parquet(df))
        else:
            atomic_write_text(out / f"{name}.csv", to_csv(df))
    atomic_write_text(out / "truth.json", json.dumps(demo.truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return out
