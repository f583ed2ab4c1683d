"""The skewed and the unexpected, found statistically (det skæve og det uventede).

* **Funnel plots** compare agreements and enterprises on their job, progression and drop-out
  rates over a rolling two-year window (Spiegelhalter 2005; over-dispersion handled when the
  data call for it). A unit outside the 99.8 % limits is a finding.
* **Run charts** check the monthly series of job entries, course starts and drop-outs in the
  strategy period with Anhøj's rules (longest run, number of crossings), the median frozen on
  the months before the report year; a **c-chart** adds 3-sigma control limits.
* **Year-over-year** changes are tested (exact Poisson test for counts, two-proportion test for
  rates, Holm-corrected) and flagged when larger than chance explains.

Each finding is a plain record: what, which unit, the figure, and a Danish sentence saying what
is unusual. The stated error rates: 0.2 % of units per funnel (two-sided 99.8 %), about 5 % of
series per run chart, 5 % of changes per year family (Holm).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval.data.dataset import Dataset
from so_eval.metrics.employment import job_starts
from so_eval.metrics.progression import progression_by_agreement
from so_eval.screening.control_chart import ControlChartResult, control_limits
from so_eval.screening.funnel import FunnelResult, funnel_limits
from so_eval.screening.run_charts import RunChartResult, run_chart
from so_eval.screening.yoy import yoy_change

FUNNEL_METRICS = {
    "jobs": ("andel i job", "high"),
    "progressed": ("andel med progression", "high"),
    "dropped_out": ("andel frafald", "low"),
}
"""Rate → (Danish label, the good direction)."""

SERIES = {
    "job_entries": "jobstarter",
    "course_starts": "forløbsstarter",
    "dropouts": "frafald",
}

SERIES_TABLES = {"job_entries": "jobs", "course_starts": "courses", "dropouts": "courses"}
"""Series → the year table it is counted from (see :mod:`so_eval.metrics.completeness`)."""

YOY_TABLES = {"goal1.jobs": "jobs", "goal2.courses_started": "courses", "goal2.dropout_share": "courses"}
"""Year-over-year key → the year table it is counted from."""


@dataclass(frozen=True)
class Finding:
    """One flagged result for the report."""

    area: str  # e.g. "goal2"
    kind: str  # "skævt" (worse than expected) or "uventet" (unexpected, e.g. better)
    method: str  # "funnel", "run chart", "control chart", "year over year"
    subject: str  # the unit or series
    text: str  # one Danish sentence
    key: str  # ledger key of the figure it is about


def _window(year: int, width: int = 2) -> list[int]:
    return list(range(year - width + 1, year + 1))


def funnel_units(
    ds: Dataset, year: int, *, level: str = "agreement", width: int = 2, job_types=None, window_days: int = 90
) -> pd.DataFrame:
    """The units of a funnel plot (``level`` ``"agreement"`` or ``"enterprise"``, an enterprise's
    agreements pooled) with their courses ended in the ``width`` years up to ``year`` (pooled, so
    that small agreements have enough courses): ``unit, ended, jobs, progressed, dropped_out``,
    units without an ended course left out."""
    a = progression_by_agreement(ds, _window(year, width), job_types, window_days)
    if level == "enterprise":
        a = a.groupby(["enterprise_id", "enterprise"], as_index=False)[
            ["ended", "jobs", "progressed", "dropped_out"]
        ].sum()
        a["unit"] = a["enterprise"].astype(str) + " (" + a["enterprise_id"] + ")"
    elif level == "agreement":
        a = a.copy()
        a["unit"] = a["agreement_id"] + " · " + a["enterprise"].astype(str)
    else:
        raise ValueError(f"level must be 'agreement' or 'enterprise', got {level!r}")
    return a.loc[a["ended"] > 0].reset_index(drop=True)


def funnels(units: pd.DataFrame) -> dict[str, FunnelResult]:
    """Funnel limits for each rate in :data:`FUNNEL_METRICS` that can be compared across the
    ``units`` (:func:`funnel_units`): a rate is left out when no unit has an ended course, or
    when the pooled rate is 0 or 1 (every unit has the same rate, so nothing can stand out;
    :func:`no_funnel_text` says so)."""
    out = {}
    for m in FUNNEL_METRICS:
        if no_funnel_text(units, m, "") is None:
            out[m] = funnel_limits(units, unit="unit", events=m, n="ended")
    return out


def no_funnel_text(units: pd.DataFrame, metric: str, period: str, *, level: str = "agreement") -> str | None:
    """Why the funnel plot of ``metric`` cannot be drawn for ``units`` in ``period``, in one
    plain Danish sentence; None if it can."""
    ended = int(units["ended"].sum()) if len(units) else 0
    if ended == 0:
        return f"Ingen forløb blev afsluttet i {period}, så der er intet at sammenligne i et tragtdiagram."
    rate = float(units[metric].sum()) / ended
    if 0 < rate < 1:
        return None
    label = FUNNEL_METRICS[metric][0]
    who = "alle samarbejdsaftaler" if level == "agreement" else "alle virksomheder og initiativer"
    return (
        f"Tragtdiagrammet for {label} vises ikke: {label} var {fmt.percent(rate)} for {who} i {period}, "
        "så der er intet at sammenligne."
    )


def agreement_funnels(ds: Dataset, year: int, *, width: int = 2) -> dict[str, FunnelResult]:
    """:func:`funnels` per agreement, on courses ended in the ``width`` years up to ``year``."""
    return funnels(funnel_units(ds, year, level="agreement", width=width))


def enterprise_funnels(ds: Dataset, year: int, *, width: int = 2) -> dict[str, FunnelResult]:
    """As :func:`agreement_funnels`, with each enterprise's agreements pooled."""
    return funnels(funnel_units(ds, year, level="enterprise", width=width))


def funnel_findings(
    results: dict[str, FunnelResult], *, level: str, year: int, width: int, min_cell: int, ledger=None
) -> list[Finding]:
    """Units outside the 99.8 % limits (with at least ``min_cell`` courses, so the rate may be shown).

    With a ``ledger`` (:class:`~so_eval.reporting.ledger.Ledger`) each flagged unit's rate, number of
    courses and the overall rate are recorded under the finding's key (``.rate``, ``.n``,
    ``.target``) and the sentence reads them from it: a rate that would give a small count away
    (events or courses without the event below ``min_cell``) is not shown.
    """
    out = []
    period = f"{year - width + 1}–{year}"
    for metric, res in results.items():
        label, good = FUNNEL_METRICS[metric]
        for r in res.table.itertuples():
            if r.flag is None or r.n < min_cell:
                continue
            kind = "uventet" if r.flag == good else "skævt"
            word = "højere" if r.flag == "high" else "lavere"
            unit_word = "Samarbejdsaftale" if level == "agreement" else "Virksomheden/initiativet"
            key = f"unexpected.funnel.{level}.{metric}.{fmt.slug(r.unit)}"  # the label holds the unit's ID
            if ledger is not None:
                rate = ledger.share(f"{key}.rate", r.events, r.n, f"{r.unit}: {label}")
                n = ledger.count(f"{key}.n", r.n, f"{r.unit}: afsluttede forløb {period}", "forløb")
                target = ledger.value(f"{key}.target", float(res.target), f"Alle: {label}", "andel")
                if rate.suppressed:
                    what = (
                        f"{n.display} afsluttede forløb i {period} "
                        f"(andelen for {'aftalen' if level == 'agreement' else 'den'} vises ikke, "
                        f"fordi den sammen med antallet af forløb ville afsløre et antal under {min_cell}; "
                        f"for alle samlet var den {target.display})"
                    )
                else:
                    what = f"{rate.display} af {n.display} afsluttede forløb i {period} mod {target.display} samlet"
            else:
                what = (
                    f"{fmt.percent(r.rate)} af {fmt.number(r.n)} afsluttede forløb i {period} mod "
                    f"{fmt.percent(res.target)} samlet"
                )
            out.append(
                Finding(
                    area="goal2" if metric != "jobs" else "goal1",
                    kind=kind,
                    method="funnel",
                    subject=str(r.unit),
                    text=(
                        f"{unit_word} {r.unit} har en markant {word} {label} end de øvrige: {what} — uden for "
                        "99,8 %-grænsen i tragtdiagrammet."
                    ),
                    key=key,
                )
            )
    return out


def monthly_series(ds: Dataset, first_year: int, last_year: int, job_types=None) -> pd.DataFrame:
    """Monthly counts from January ``first_year`` to December ``last_year``.

    Rules: *job_entries* = entries into employment in the month (jobs of ``job_types`` started
    while in no other job, :func:`so_eval.metrics.employment.job_starts`); *course_starts* = courses
    starting in the month; *dropouts* = courses ending in the month with end status ``frafald``.
    """
    months = pd.period_range(f"{first_year}-01", f"{last_year}-12", freq="M")

    def count(dates: pd.Series) -> np.ndarray:
        p = dates.dropna().dt.to_period("M")
        return p.value_counts().reindex(months, fill_value=0).to_numpy()

    c = ds.courses
    entries = job_starts(ds, job_types)
    return pd.DataFrame(
        {
            "month": months.to_timestamp(),
            "job_entries": count(entries.loc[entries["entry"], "start"]),
            "course_starts": count(c["start"]),
            "dropouts": count(c.loc[c["end_status"] == "frafald", "end"]),
        }
    )


@dataclass(frozen=True)
class SeriesCheck:
    series: str
    run: RunChartResult
    control: ControlChartResult
    baseline_months: int


def check_series(monthly: pd.DataFrame, year: int) -> dict[str, SeriesCheck]:
    """Run chart (Anhøj) and c-chart for each series; median and centre line frozen on the months
    before ``year`` when there are at least 12 of them."""
    before = int((monthly["month"].dt.year < year).sum())
    baseline = before if before >= 12 else None
    out = {}
    for s in SERIES:
        run = run_chart(monthly, time="month", value=s, baseline=baseline)
        ctl = control_limits(monthly, time="month", value=s, kind="c", baseline=baseline)
        out[s] = SeriesCheck(s, run, ctl, before if baseline else 0)
    return out


def series_findings(checks: dict[str, SeriesCheck], year: int, *, provisional: Collection[str] = ()) -> list[Finding]:
    """Sentences for the series that changed level or left their control limits in ``year``. A
    series counted from a table in ``provisional`` (whose year is *foreløbig*: too few of its rows
    registered yet) is not compared with the years before and gives no finding."""
    out = []
    for s, chk in checks.items():
        if SERIES_TABLES.get(s) in provisional:
            continue
        label = SERIES[s]
        run = chk.run
        if run.signal:
            t = run.table
            this_year = t.loc[pd.to_datetime(t["time"]).dt.year == year]
            above = int((this_year["side"] > 0).sum())
            below = int((this_year["side"] < 0).sum())
            direction = "over" if above >= below else "under"
            why = (
                f"det længste forløb på samme side af medianen er {run.longest_run} måneder "
                f"(grænse {run.longest_run_max})"
                if run.runs_signal
                else f"serien krydser medianen kun {run.crossings} gange (grænse {run.crossings_min})"
            )
            out.append(
                Finding(
                    area="goal2" if s != "job_entries" else "goal1",
                    kind="skævt" if (s == "dropouts") == (direction == "over") else "uventet",
                    method="run chart",
                    subject=label,
                    text=(
                        f"Antallet af {label} pr. måned har ændret niveau: i {year} lå {max(above, below)} "
                        f"af 12 måneder {direction} medianen for årene før, og {why} "
                        "— mere end tilfældigheder forklarer (Anhøjs regler)."
                    ),
                    key=f"unexpected.series.{s}",
                )
            )
        outside = chk.control.table
        outside = outside.loc[outside["outside"] & (pd.to_datetime(outside["time"]).dt.year == year)]
        if len(outside):
            months = ", ".join(fmt.date(t).split(" ", 1)[1] for t in outside["time"])
            out.append(
                Finding(
                    area="goal2" if s != "job_entries" else "goal1",
                    kind="uventet",
                    method="control chart",
                    subject=label,
                    text=f"Antallet af {label} lå uden for kontrolgrænserne (3 sigma) i {months}.",
                    key=f"unexpected.control.{s}",
                )
            )
    return out


def yoy_table(
    ds: Dataset, year: int, jobs_per_year: pd.DataFrame, progression: pd.DataFrame, *, provisional: Collection[str] = ()
) -> pd.DataFrame:
    """Year-over-year tests for job entries (count), course starts (count) and the drop-out share.

    A figure counted from a table in ``provisional`` (:data:`YOY_TABLES`; the year is *foreløbig*:
    too few of its rows registered yet) is not tested: a year still being registered is not
    compared with the year before (nor counted in the Holm family)."""
    counts = pd.DataFrame(
        {
            "key": ["goal1.jobs"] * 2 + ["goal2.courses_started"] * 2,
            "year": [year - 1, year] * 2,
            "events": [
                *jobs_per_year.set_index("year").reindex([year - 1, year])["jobs"].to_numpy(),
                *progression.set_index("year").reindex([year - 1, year])["started"].to_numpy(),
            ],
        }
    ).dropna()
    shares = pd.DataFrame(
        {
            "key": ["goal2.dropout_share"] * 2,
            "year": [year - 1, year],
            "events": progression.set_index("year").reindex([year - 1, year])["dropped_out"].to_numpy(),
            "n": progression.set_index("year").reindex([year - 1, year])["ended"].to_numpy(),
        }
    ).dropna()
    skip = [k for k, table in YOY_TABLES.items() if table in provisional]
    counts, shares = counts.loc[~counts["key"].isin(skip)], shares.loc[~shares["key"].isin(skip)]
    out = []
    if len(counts) and len(counts) == 2 * counts["key"].nunique():  # both years of each key
        out.append(yoy_change(counts, key="key", year="year", events="events"))
    if len(shares) == 2 and (shares["n"] > 0).all():
        out.append(yoy_change(shares, key="key", year="year", events="events", n="n"))
    if not out:
        return pd.DataFrame()
    t = pd.concat(out, ignore_index=True)
    return t.loc[t["year"] == year].reset_index(drop=True)


_YOY_LABELS = {
    "goal1.jobs": "antallet af borgere i job",
    "goal2.courses_started": "antallet af startede forløb",
    "goal2.dropout_share": "andelen, der faldt fra",
}


_YOY_UNITS = {"goal1.jobs": "borgere", "goal2.courses_started": "forløb"}


def yoy_findings(table: pd.DataFrame, year: int, ledger=None) -> list[Finding]:
    """Sentences for the changes from last year that are larger than chance explains.

    With a ``ledger`` (:class:`~so_eval.reporting.ledger.Ledger`) every change's two values and its
    p-value are recorded (``unexpected.yoy.{key}.previous``, ``.current``, ``.p_holm``) and the
    sentence reads them from it: a count of 1 to ``min_cell - 1`` is shown as "<5", and the
    p-value is not shown when one of the numbers behind it is hidden (with the other it would
    give the hidden one back). Without a ledger the sentence shows the raw numbers (for analysts;
    never published).
    """
    out = []
    for r in table.itertuples() if len(table) else []:
        label = _YOY_LABELS.get(r.key, r.key)
        pct = r.key.endswith("share")
        if ledger is not None:
            k, what = f"unexpected.yoy.{r.key}", f"{label[0].upper() + label[1:]}"
            if pct:
                prev_f = ledger.share(f"{k}.previous", r.previous_events, r.previous_n, f"{what} i {year - 1}")
                cur_f = ledger.share(f"{k}.current", r.current_events, r.current_n, f"{what} i {year}")
            else:
                unit = _YOY_UNITS.get(r.key, "borgere")
                prev_f = ledger.count(f"{k}.previous", r.previous, f"{what} i {year - 1}", unit)
                cur_f = ledger.count(f"{k}.current", r.current, f"{what} i {year}", unit)
            p_f = ledger.stat(
                f"{k}.p_holm",
                float(r.p_holm),
                ledger.min_cell,
                f"Ændring fra {year - 1}: p-værdi (Holm)",
                "p",
                hidden=prev_f.suppressed or cur_f.suppressed,
            )
            prev, cur = prev_f.display, cur_f.display
            p_text = (
                f"p = {p_f.display} efter Holm-korrektion"
                if not p_f.suppressed
                else "p-værdien vises ikke, fordi den sammen med tallene ville afsløre et lille antal"
            )
        else:
            prev = fmt.percent(r.previous) if pct else fmt.number(r.previous)
            cur = fmt.percent(r.current) if pct else fmt.number(r.current)
            p_text = f"p = {fmt.number(r.p_holm, 3)} efter Holm-korrektion"
        if not r.flag:
            continue
        up = r.change > 0
        bad = (r.key == "goal2.dropout_share") == up
        out.append(
            Finding(
                area=r.key.split(".")[0],
                kind="skævt" if bad else "uventet",
                method="year over year",
                subject=label,
                text=(
                    f"{label[0].upper() + label[1:]} {'steg' if up else 'faldt'} "
                    f"fra {prev} i {year - 1} til {cur} i {year} "
                    f"— mere end tilfældigheder forklarer ({p_text})."
                ),
                key=r.key,
            )
        )
    return out
