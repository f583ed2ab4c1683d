"""Hypothesis strategies for small valid datasets shaped like a coordinator's own.

A coordinator's dataset is small: a few dozen citizens, a handful of agreements with a few courses
each, a single enterprise or a few, often no jobs yet and no value tables at all, and years with
nothing in them. :func:`datasets` draws such a dataset as a :class:`Plan` (the report's parameters
and every table as a dict of columns); :func:`write_plan` writes it as a dataset folder that
``so_eval.validate`` accepts.

Every table is built row by row from a dict ``{column: value}``, so a new column is one line in
the function that builds that table's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from so_eval import glossary as g
from so_eval.data.model import STATUSES
from so_eval.data.model_value import (
    GIVER_TYPES,
    PARTNER_SECTORS,
    PILOT_DECISIONS,
    PILOT_KINDS,
    PILOT_STATUSES,
)

FIRST_YEAR = 2019
"""The first year a generated dataset has rows in."""

SHIPPED_VALUE = None  # the shipped params' value block, read once (see shipped_value())


def shipped_value() -> dict:
    """The ``value`` parameters of the shipped ``params/2025.yaml`` (the SROI unit prices)."""
    global SHIPPED_VALUE
    if SHIPPED_VALUE is None:
        from so_eval.params import params_path, read_params

        SHIPPED_VALUE = read_params(params_path(2025)).get("value", {})
    return SHIPPED_VALUE


@dataclass
class Plan:
    """A generated dataset: the report's parameters and its tables (``{table: {column: values}}``;
    a table that is not in ``tables`` is not written). ``panel`` is the weekly status panel
    (``status_weekly.parquet``) or None."""

    year: int
    strategy_period: tuple[int, int]
    min_cell: int
    targets: dict
    value: dict
    tables: dict[str, dict[str, list]] = field(default_factory=dict)
    panel: pd.DataFrame | None = None

    def params(self, data_dir: Path, published_dir: Path, output_dir: Path) -> dict:
        """The notebook's parameters for this dataset (the names in ``params/*.yaml``)."""
        return {
            "year": self.year,
            "data_dir": str(data_dir),
            "report_date": f"{self.year + 1}-01-15",
            "as_of": None,
            "targets": self.targets,
            "strategy_period": list(self.strategy_period),
            "disclosure": {"min_cell": self.min_cell},
            "language": "da",
            "published_dir": str(published_dir),
            "effects": {},
            "value": self.value,
            "output_dir": str(output_dir),
        }

    def describe(self) -> str:
        """A one-line shape of the dataset (table sizes), for failure messages."""
        sizes = ", ".join(f"{name} {len(next(iter(cols.values()), []))}" for name, cols in self.tables.items())
        panel = f", status_weekly {len(self.panel)}" if self.panel is not None else ""
        return f"year {self.year}, period {self.strategy_period}, min_cell {self.min_cell}: {sizes}{panel}"


def columns(rows: list[dict], names: list[str]) -> dict[str, list]:
    """Rows (dicts) as a table of columns; ``names`` gives the columns of an empty table."""
    names = list(rows[0]) if rows else names
    return {c: [r[c] for r in rows] for c in names}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(year: int, offset: int) -> dt.date:
    """Day ``offset`` (0-364) of ``year``."""
    return dt.date(year, 1, 1) + dt.timedelta(days=min(offset, 364))


def _later(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def _bool(b: bool) -> str:
    return "true" if b else "false"


@st.composite
def _date_in(draw, years: list[int]) -> dt.date:
    return _day(draw(st.sampled_from(years)), draw(st.integers(0, 364)))


def _sublist(draw, options, min_size: int = 1, max_size: int = 3) -> str:
    picked = draw(st.lists(st.sampled_from(list(options)), min_size=min_size, max_size=max_size, unique=True))
    return ";".join(str(p) for p in picked)


@st.composite
def datasets(draw, *, panel: bool | None = None) -> Plan:
    """A small valid dataset and the parameters of a report on it.

    Parameters
    ----------
    panel
        True: always with a weekly status panel (the effect section can run); False: never;
        None: drawn.
    """
    year = draw(st.integers(2022, 2026))
    start = draw(st.sampled_from([2022, year - 1, year]))
    plan = Plan(
        year=year,
        strategy_period=(start, max(start + 3, year) if draw(st.booleans()) else start + 3),
        min_cell=draw(st.sampled_from([5, 5, 3, 10])),
        targets={
            "jobs_per_year": draw(st.sampled_from([30, 2])),
            "enterprises": draw(st.sampled_from([40, 1])),
            "enterprises_year": draw(st.sampled_from([start + 3, year])),
            "progressed_share": draw(st.sampled_from([None, 0.6, 0.0, 1.0])),
        },
        value=draw(st.sampled_from([{}, "shipped"])),
    )
    if plan.value == "shipped":
        plan.value = shipped_value()
    all_years = list(range(FIRST_YEAR, year + 1))
    # the years with courses in them: some of them, so that years without anything occur (and
    # perhaps the year after the report year: the data are read after it ended)
    active = draw(st.lists(st.sampled_from([*all_years, year + 1]), min_size=1, max_size=len(all_years), unique=True))
    tables = plan.tables
    ents = _enterprises(draw, year)
    tables["enterprises"] = columns(ents, [])
    ent_ids = [e["enterprise_id"] for e in ents]
    cits = _citizens(draw)
    tables["citizens"] = columns(cits, [])
    cit_ids = [c["citizen_id"] for c in cits]
    agrs, courses, steps, jobs = _agreements_and_courses(draw, all_years, active, ent_ids, cit_ids)
    tables["agreements"] = columns(agrs, [])
    tables["courses"] = columns(
        courses,
        [
            "course_id",
            "citizen_id",
            "agreement_id",
            "start",
            "end",
            "start_step",
            "end_step",
            "end_status",
            "registered",
        ],
    )
    tables["progression"] = columns(
        steps, ["citizen_id", "course_id", "date", "step", "weekly_paid_hours", "registered"]
    )
    tables["jobs"] = columns(
        jobs, ["job_id", "citizen_id", "course_id", "start", "end", "job_type", "weekly_hours", "registered"]
    )
    _optional_tables(draw, tables, year, all_years, ent_ids)
    # the weekly status panel (the effect section)
    if panel if panel is not None else draw(st.booleans()):
        plan.panel = status_panel(
            cits,
            courses,
            year,
            seed=draw(st.integers(0, 2**16)),
            first_year=draw(st.sampled_from([FIRST_YEAR - 2, year - 1])),
        )
    return plan


def _enterprises(draw, year: int) -> list[dict]:
    """Rows of ``enterprises``: one to four."""
    ents = []
    for i in range(1, draw(st.integers(1, 4)) + 1):
        founded = draw(_date_in(list(range(2010, year + 2))))
        closed = _later(founded, draw(st.integers(30, 3000))) if draw(st.integers(0, 3)) == 0 else None
        social, local, economic = (draw(st.booleans()) or draw(st.booleans()) for _ in range(3))
        ents.append(
            {
                "enterprise_id": f"E{i}",
                "name": f"Virksomhed {i}",
                "kind": draw(st.sampled_from(g.ENTERPRISE_KINDS)),
                "founded": _iso(founded),
                "closed": _iso(closed),
                "rsv_registered": _bool(draw(st.booleans())),
                "social": _bool(social),
                "local": _bool(local),
                "economic": _bool(economic),
                "sdg_goals": draw(st.sampled_from([None, "8", "4;8;17"])),
                "circular": _bool(draw(st.booleans())),
                "registered": _iso(_later(founded, draw(st.integers(0, 40)))),
            }
        )
    return ents


def _citizens(draw) -> list[dict]:
    """Rows of ``citizens``: 3 to 60."""
    cits = []
    for i in range(1, draw(st.integers(3, 60)) + 1):
        cits.append(
            {
                "citizen_id": f"P{i:03d}",
                "birth_year": draw(st.integers(1960, 2006)),
                "gender": draw(st.sampled_from(g.GENDERS)),
                "target_group": draw(st.sampled_from(g.TARGET_GROUPS)),
                "origin": draw(st.sampled_from([*g.ORIGINS, None])),
                "registered": f"{FIRST_YEAR - 1}-12-01",
            }
        )
    return cits


def _agreements_and_courses(draw, all_years: list[int], active: list[int], ent_ids: list[str], cit_ids: list[str]):
    """Rows of ``agreements``, ``courses``, ``progression`` and ``jobs``: one to eight agreements
    with up to twelve courses each (started in the ``active`` years), their progression events and jobs."""
    agrs, courses, steps, jobs = [], [], [], []
    job_rate = draw(st.sampled_from([0, 0, 1, 3]))  # in 4: often no jobs at all
    for a in range(1, draw(st.integers(1, 8)) + 1):
        agrs.append(_agreement(draw, a, all_years, ent_ids))
        for _ in range(draw(st.integers(0, 12))):
            row, events = _course(draw, len(courses) + 1, a, active, cit_ids)
            courses.append(row)
            steps.extend(events)
            if job_rate and draw(st.integers(1, 4)) <= job_rate:
                jobs.append(_job(draw, row, len(jobs) + 1))
    return agrs, courses, steps, jobs


def _agreement(draw, a: int, all_years: list[int], ent_ids: list[str]) -> dict:
    """Agreement ``SA{a:03d}``: started in one of the years, perhaps ended."""
    a_start = draw(_date_in(all_years))
    a_end = _later(a_start, draw(st.integers(60, 2500))) if draw(st.booleans()) else None
    return {
        "agreement_id": f"SA{a:03d}",
        "enterprise_id": draw(st.sampled_from(ent_ids)),
        "start": _iso(a_start),
        "end": _iso(a_end),
        "places": draw(st.integers(0, 12)),
        "target_groups": _sublist(draw, g.TARGET_GROUPS),
        "steps_offered": _sublist(draw, g.STEPS),
        "price": float(draw(st.sampled_from([0, 50_000, 125_000.5]))),
        "registered": _iso(_later(a_start, -draw(st.integers(0, 30)))),
    }


def _course(draw, k: int, a: int, active: list[int], cit_ids: list[str]) -> tuple[dict, list[dict]]:
    """Course ``F{k:04d}`` of agreement ``SA{a:03d}`` (perhaps ended) and its progression events
    (up to two)."""
    cid = draw(st.sampled_from(cit_ids))
    c_start = draw(_date_in(active))
    c_end = _later(c_start, draw(st.integers(0, 420))) if draw(st.integers(0, 3)) else None
    row = {
        "course_id": f"F{k:04d}",
        "citizen_id": cid,
        "agreement_id": f"SA{a:03d}",
        "start": _iso(c_start),
        "end": _iso(c_end),
        "start_step": draw(st.sampled_from(g.STEPS)),
        "end_step": draw(st.sampled_from(g.STEPS)) if c_end else None,
        "end_status": draw(st.sampled_from(g.END_STATUSES)) if c_end else None,
        # the end is registered when it is known (a row has one registration date)
        "registered": _iso(_later(c_end or c_start, draw(st.integers(0, 90)))),
    }
    steps = []
    for _ in range(draw(st.integers(0, 2))):
        when = _later(c_start, draw(st.integers(0, 400)))
        steps.append(
            {
                "citizen_id": cid,
                "course_id": f"F{k:04d}",
                "date": _iso(when),
                "step": draw(st.sampled_from(g.STEPS)),
                "weekly_paid_hours": float(draw(st.sampled_from([0, 0, 5, 12.5, 37]))),
                "registered": _iso(_later(when, draw(st.integers(0, 30)))),
            }
        )
    return row, steps


def _job(draw, course_row: dict, job_no: int) -> dict:
    """Job ``J{job_no:04d}`` of the course's citizen, started up to 120 days after the course ended
    (or started, if it has not ended)."""
    after = dt.date.fromisoformat(course_row["end"] or course_row["start"])
    j_start = _later(after, draw(st.integers(0, 120)))
    return {
        "job_id": f"J{job_no:04d}",
        "citizen_id": course_row["citizen_id"],
        "course_id": course_row["course_id"],
        "start": _iso(j_start),
        "end": _iso(_later(j_start, draw(st.integers(0, 400)))) if draw(st.booleans()) else None,
        "job_type": draw(st.sampled_from(g.JOB_TYPES)),
        "weekly_hours": float(draw(st.sampled_from([4, 15, 37]))),
        "registered": _iso(_later(j_start, draw(st.integers(0, 200)))),
    }


def _optional_tables(draw, tables: dict[str, dict[str, list]], year: int, all_years: list[int], ent_ids: list[str]):
    """The optional tables, each absent or with a few rows (added to ``tables``)."""
    if draw(st.booleans()):
        tables["learnings"] = _learnings(draw, year)
    if draw(st.booleans()):
        tables["finances"] = _finances(draw, ent_ids, all_years)
    if draw(st.booleans()):
        tables["fundraising"] = _fundraising(draw, ent_ids, all_years)
    if draw(st.booleans()):
        tables["pilots"] = _pilots(draw, ent_ids, all_years)
    if draw(st.booleans()):
        tables["partnerships"] = _partnerships(draw, ent_ids, all_years)
    if draw(st.booleans()):
        tables["circular"] = _circular(draw, ent_ids, all_years)


def _learnings(draw, year: int) -> dict[str, list]:
    """Table ``learnings``: one to three of the coordinator's remarks."""
    return columns(
        [
            {
                "year": draw(st.sampled_from([year, year - 1])),
                "area": draw(st.sampled_from(["goal1", "value", "data"])),
                "kind": draw(st.sampled_from(g.LEARNING_KINDS)),
                "text": f"Koordinatorens bemærkning nr. {i}.",
                "figure_key": draw(st.sampled_from([None, "goal1.jobs", "goal2.progressed_share", "no.such.key"])),
                "registered": f"{year + 1}-01-05",
            }
            for i in range(1, draw(st.integers(1, 3)) + 1)
        ],
        [],
    )  # one row is one remark: no two alike


def _finances(draw, ent_ids: list[str], all_years: list[int]) -> dict[str, list]:
    """Table ``finances``: the accounts of one to four enterprise-years."""
    keys = draw(
        st.lists(st.tuples(st.sampled_from(ent_ids), st.sampled_from(all_years)), min_size=1, max_size=4, unique=True)
    )
    return columns(
        [
            {
                "enterprise_id": e,
                "year": y,
                **{
                    src: float(draw(st.sampled_from([0, 0, 10_000, 250_000])))
                    for src in (
                        "revenue_private_sales",
                        "revenue_public_contracts",
                        "revenue_foundations",
                        "revenue_donations",
                        "revenue_other",
                    )
                },
                "costs": float(draw(st.sampled_from([0, 90_000, 400_000]))),
                "local_purchases": float(draw(st.sampled_from([0, 20_000]))),
                "registered": f"{y + 1}-05-01",
            }
            for e, y in keys
        ],
        [],
    )


def _fundraising(draw, ent_ids: list[str], all_years: list[int]) -> dict[str, list]:
    """Table ``fundraising``: one to four applications (decided or pending) and donations."""
    rows = []
    for i in range(1, draw(st.integers(1, 4)) + 1):
        submitted = draw(_date_in(all_years))
        kind = draw(st.sampled_from(["decided", "pending", "donation"]))
        decided = _later(submitted, draw(st.integers(0, 200))) if kind == "decided" else None
        via = draw(st.booleans()) and kind != "donation"
        granted = (
            float(draw(st.sampled_from([0, 20_000]))) if kind == "decided" else None if kind == "pending" else 5_000.0
        )
        rows.append(
            {
                "application_id": f"AP{i}",
                "enterprise_id": draw(st.sampled_from(ent_ids)),
                "giver_id": f"G{draw(st.integers(1, 3))}",
                "giver_type": draw(st.sampled_from(GIVER_TYPES)),
                "purpose": "Drift",
                "submitted": _iso(submitted),
                "decided": _iso(decided),
                "applied": None if kind == "donation" else 50_000.0,
                "granted": granted,
                "digital": _bool(draw(st.booleans())),
                "via_fundraiser": _bool(via),
                "fee": 0.0 if not via or not granted else 0.1 * granted,
                "registered": _iso(_later(submitted, 3)),
            }
        )
    return columns(rows, [])


def _pilots(draw, ent_ids: list[str], all_years: list[int]) -> dict[str, list]:
    """Table ``pilots``: one to three pilot projects."""
    rows = []
    for i in range(1, draw(st.integers(1, 3)) + 1):
        p_start = draw(_date_in(all_years))
        status = draw(st.sampled_from(PILOT_STATUSES))
        rows.append(
            {
                "pilot_id": f"PI{i}",
                "enterprise_id": draw(st.sampled_from([*ent_ids, None])),
                "kind": draw(st.sampled_from(PILOT_KINDS)),
                "title": f"Forsøg {i}",
                "start": _iso(p_start),
                "end": _iso(_later(p_start, 200)) if status in PILOT_DECISIONS else None,
                "decided": _iso(_later(p_start, 180)) if status in PILOT_DECISIONS else None,
                "status": status,
                "partner_sectors": draw(st.sampled_from([None, "kultur", "erhverv;frivillig"])),
                "sdg_goals": draw(st.sampled_from([None, "17", "4;15"])),
                "registered": _iso(_later(p_start, 5)),
            }
        )
    return columns(rows, [])


def _partnerships(draw, ent_ids: list[str], all_years: list[int]) -> dict[str, list]:
    """Table ``partnerships``: one to three partnerships."""
    rows = []
    for i in range(1, draw(st.integers(1, 3)) + 1):
        s = draw(_date_in(all_years))
        rows.append(
            {
                "enterprise_id": draw(st.sampled_from(ent_ids)),
                "partner": f"Partner {i}",
                "partner_sector": draw(st.sampled_from(PARTNER_SECTORS)),
                "start": _iso(s),
                "end": _iso(_later(s, 400)) if draw(st.booleans()) else None,
                "volunteers": draw(st.integers(0, 12)),
                "volunteer_hours": float(draw(st.sampled_from([0, 150]))),
                "registered": _iso(_later(s, 10)),
            }
        )
    return columns(rows, [])


def _circular(draw, ent_ids: list[str], all_years: list[int]) -> dict[str, list]:
    """Table ``circular``: the circular economy of one to three enterprise-years."""
    keys = draw(
        st.lists(st.tuples(st.sampled_from(ent_ids), st.sampled_from(all_years)), min_size=1, max_size=3, unique=True)
    )
    return columns(
        [
            {
                "enterprise_id": e,
                "year": y,
                "items_repaired": draw(st.integers(0, 300)),
                "kg_reused": float(draw(st.sampled_from([0, 1200.5]))),
                "citizen_courses": draw(st.integers(0, 4)),
                "registered": f"{y + 1}-02-01",
            }
            for e, y in keys
        ],
        [],
    )


def status_panel(citizens: list[dict], courses: list[dict], year: int, *, seed: int, first_year: int) -> pd.DataFrame:
    """A weekly status for every citizen from ``first_year`` to the end of ``year``: the benefit of
    the citizen's target group, with spells of self-support that are longer after a course."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(
        pd.Timestamp(first_year, 1, 1) + pd.offsets.Week(weekday=0), pd.Timestamp(year, 12, 31), freq="7D"
    )
    benefit = {
        "ressourceforløb": "ressourceforløb",
        "kontanthjælp": "kontanthjælp",
        "fleksjob": "ledighedsydelse",
        "integration": "integrationsydelse",
        "unge": "uddannelse",
    }
    first_start = {}
    for c in courses:
        first_start[c["citizen_id"]] = min(first_start.get(c["citizen_id"], c["start"]), c["start"])
    parts = []
    for c in citizens:
        p = np.where(weeks >= pd.Timestamp(first_start.get(c["citizen_id"], "2100-01-01")), 0.35, 0.1)
        status = np.where(rng.random(len(weeks)) < p, "selvforsørgelse", benefit[c["target_group"]])
        status = np.where(rng.random(len(weeks)) < 0.03, rng.choice(STATUSES, len(weeks)), status)
        parts.append(
            pd.DataFrame(
                {
                    "citizen_id": c["citizen_id"],
                    "week": weeks,
                    "status": status,
                    "registered": weeks + pd.Timedelta(days=14),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def write_plan(plan: Plan, folder: Path) -> Path:
    """Write the plan's tables as a dataset folder (one CSV per table; the panel as Parquet)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, cols in plan.tables.items():
        pd.DataFrame(cols).to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    if plan.panel is not None:
        plan.panel.to_parquet(folder / "status_weekly.parquet", index=False)
    return folder


# -- hand-made plans for the regression examples ----------------------------------------------------------


def course(
    k: int,
    citizen: int,
    start: str,
    end: str | None = None,
    *,
    end_status: str | None = None,
    start_step: str = "motivation",
    end_step: str | None = None,
    agreement: str = "SA001",
) -> dict:
    """One row of ``courses`` (course ``F000k`` of citizen ``P00c``); an ended course gets an end
    step (the end status's step if it is one, else ``afklaring``) and the end status ``andet``
    unless given."""
    status = (end_status or "andet") if end else None
    step = end_step or (status if status in g.STEPS else "afklaring") if end else None
    return {
        "course_id": f"F{k:04d}",
        "citizen_id": f"P{citizen:03d}",
        "agreement_id": agreement,
        "start": start,
        "end": end,
        "start_step": start_step,
        "end_step": step,
        "end_status": status,
        "registered": end or start,
    }


def small_plan(
    year: int,
    courses: list[dict] = (),
    jobs: list[dict] = (),
    *,
    citizens: int = 10,
    panel: bool = False,
    min_cell: int = 5,
) -> Plan:
    """A coordinator's smallest dataset: one enterprise, ``citizens`` citizens, one agreement
    (``SA001``, from 2019) and the given courses and jobs; no progression events or value tables."""
    cits = [
        {
            "citizen_id": f"P{i:03d}",
            "birth_year": 1970 + i % 30,
            "gender": g.GENDERS[i % 2],
            "target_group": "kontanthjælp",
            "origin": "dansk",
            "registered": "2018-12-01",
        }
        for i in range(1, citizens + 1)
    ]
    tables = {
        "enterprises": columns(
            [
                {
                    "enterprise_id": "E1",
                    "name": "Virksomhed 1",
                    "kind": "virksomhed",
                    "founded": "2015-01-01",
                    "closed": None,
                    "rsv_registered": "true",
                    "social": "true",
                    "local": "true",
                    "economic": "true",
                    "sdg_goals": None,
                    "circular": "false",
                    "registered": "2015-01-02",
                }
            ],
            [],
        ),
        "citizens": columns(cits, []),
        "agreements": columns(
            [
                {
                    "agreement_id": "SA001",
                    "enterprise_id": "E1",
                    "start": "2019-01-01",
                    "end": None,
                    "places": 10,
                    "target_groups": "kontanthjælp",
                    "steps_offered": "motivation;afklaring",
                    "price": 100_000.0,
                    "registered": "2018-12-15",
                }
            ],
            [],
        ),
        "courses": columns(
            list(courses),
            [
                "course_id",
                "citizen_id",
                "agreement_id",
                "start",
                "end",
                "start_step",
                "end_step",
                "end_status",
                "registered",
            ],
        ),
        "progression": columns([], ["citizen_id", "course_id", "date", "step", "weekly_paid_hours", "registered"]),
        "jobs": columns(
            [{"job_id": f"J{i:04d}", **j} for i, j in enumerate(jobs, start=1)],
            ["job_id", "citizen_id", "course_id", "start", "end", "job_type", "weekly_hours", "registered"],
        ),
    }
    plan = Plan(
        year=year,
        strategy_period=(2022, 2025),
        min_cell=min_cell,
        targets={"jobs_per_year": 30, "enterprises": 40, "enterprises_year": 2025, "progressed_share": 0.6},
        value={},
        tables=tables,
    )
    if panel:
        plan.panel = status_panel(cits, list(courses), year, seed=1, first_year=FIRST_YEAR - 2)
    return plan
