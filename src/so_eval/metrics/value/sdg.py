"""The UN Sustainable Development Goals and the circular economy: units per goal, circular output per year."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval.data.dataset import Dataset
from so_eval.data.model_value import SDG_FOCUS
from so_eval.metrics.value.common import as_years, optional_table, required_table, split_list, year_bounds


def sdg_mapping(ds: Dataset, year: int) -> pd.DataFrame:
    """Enterprises, pilots and prøvehandlinger mapped to the UN Sustainable Development Goals in ``year``.

    Counting rule: *enterprises* active at the end of the year (founded on or before 31 December,
    not closed by then) listing the goal; *pilots* and *trial_actions* (prøvehandlinger, the
    cross-sector activities) running at some time in the year (started on or before 31 December,
    not decided to be stopped before 1 January) listing the goal. The strategy's goals 4, 8, 15
    and 17 are always listed (``focus``), any other goal when it occurs. A unit listing several
    goals counts under each.

    Tælleregel: *Virksomheder* aktive ved årets udgang og *piloter* og *prøvehandlinger* i gang i
    året (startet senest 31. december og ikke stoppet før 1. januar), talt under hvert verdensmål,
    de angiver. Strategiens mål 4, 8, 15 og 17 vises altid; andre mål, når de forekommer.

    Returns
    -------
    DataFrame
        goal, focus, enterprises, pilots, trial_actions, total; ordered by goal.
    """
    lo, hi = year_bounds(year)
    e = ds.enterprises
    e = e.loc[(e["founded"] <= hi) & (e["closed"].isna() | (e["closed"] > hi))]
    counts: dict[str, dict[int, int]] = {"enterprises": {}, "pilots": {}, "trial_actions": {}}

    def add(kind: str, values: pd.Series) -> None:
        for v in values:
            for goal in {int(x) for x in split_list(v)}:
                counts[kind][goal] = counts[kind].get(goal, 0) + 1

    add("enterprises", e["sdg_goals"])
    p = optional_table(ds, "pilots", ["kind", "start", "decided", "status", "sdg_goals"])
    if len(p):
        stopped_before = (p["status"] == "stoppet") & p["decided"].notna() & (p["decided"] < lo)
        p = p.loc[(p["start"] <= hi) & ~stopped_before]
        add("pilots", p.loc[p["kind"] == "pilot", "sdg_goals"])
        add("trial_actions", p.loc[p["kind"] == "prøvehandling", "sdg_goals"])
    goals = sorted(set(SDG_FOCUS).union(*[set(c) for c in counts.values()]))
    out = pd.DataFrame({"goal": goals, "focus": [gl in SDG_FOCUS for gl in goals]})
    for kind, c in counts.items():
        out[kind] = [int(c.get(gl, 0)) for gl in goals]
    out["total"] = out[list(counts)].sum(axis=1)
    return out


def circular_output(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Circular-economy output year by year (the sustainability strategy's action 45).

    Counting rule: the ``circular`` rows of the year added up over enterprises: *enterprises*
    reporting, *items_repaired*, *kg_reused*, and *citizen_courses* (courses for citizens run with
    the waste company). Years without rows show 0.

    Tælleregel: Årets indberetninger om cirkulær økonomi lagt sammen: antal virksomheder,
    reparerede genstande, kg genbrugt og borgerkurser med affaldsselskabet.

    Returns
    -------
    DataFrame
        year, enterprises, items_repaired, kg_reused, citizen_courses.
    """
    c = required_table(ds, "circular")
    rows = []
    for y in as_years(years):
        cy = c.loc[c["year"] == y]
        rows.append(
            {
                "year": y,
                "enterprises": int(cy["enterprise_id"].nunique()),
                "items_repaired": int(cy["items_repaired"].sum()),
                "kg_reused": float(cy["kg_reused"].sum()),
                "citizen_courses": int(cy["citizen_courses"].sum()),
            }
        )
    return pd.DataFrame(rows)
