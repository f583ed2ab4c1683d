"""Pilots and prøvehandlinger: the pipeline by status, the year's outcomes, cross-sector co-creation."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval.data.dataset import Dataset
from so_eval.data.model_value import PILOT_DECISIONS, PILOT_KINDS, PILOT_STATUSES
from so_eval.metrics.value.common import as_years, ratio, required_table, split_list, year_bounds


def _pilot_status_at(pilots: pd.DataFrame, year: int) -> pd.DataFrame:
    """Pilots started by the end of ``year`` with their status then (a later decision = running)."""
    hi = year_bounds(year)[1]
    p = pilots.loc[pilots["start"] <= hi].copy()
    later = p["status"].isin(PILOT_DECISIONS) & p["decided"].notna() & (p["decided"] > hi)
    p["status_at"] = p["status"].where(~later, "igangværende")
    p["n_sectors"] = p["partner_sectors"].map(lambda v: len(set(split_list(v))))
    return p


def pilot_pipeline(ds: Dataset, year: int) -> pd.DataFrame:
    """Pipeline of pilots and prøvehandlinger at the end of ``year``, by status and kind.

    Counting rule: pilots and prøvehandlinger started (or, for ideas, registered as started) on
    or before 31 December, counted by kind and by their status at that date: the recorded status,
    except that one decided (scaled, continued or stopped) after 31 December counts as running
    (igangværende). Every kind and status is listed, with 0 where none.

    Tælleregel: Piloter og prøvehandlinger startet senest 31. december, talt efter type og status
    på den dato: den registrerede status, men en pilot, der først er afgjort (skaleret,
    videreført eller stoppet) efter 31. december, tælles som igangværende.

    Returns
    -------
    DataFrame
        Tidy: kind, status (ordered categoricals in pipeline order), n.
    """
    p = _pilot_status_at(required_table(ds, "pilots"), year)
    grid = pd.MultiIndex.from_product([PILOT_KINDS, PILOT_STATUSES], names=["kind", "status"])
    counts = p.groupby(["kind", "status_at"]).size()
    counts.index = counts.index.set_names(["kind", "status"])
    out = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    return out.astype(
        {
            "kind": pd.CategoricalDtype(PILOT_KINDS, ordered=True),
            "status": pd.CategoricalDtype(PILOT_STATUSES, ordered=True),
            "n": int,
        }
    )


def pilot_summary(ds: Dataset, years: Iterable[int], cumulative: bool = False) -> pd.DataFrame:
    """Pilots and prøvehandlinger year by year: started, decided, the share scaled or continued, time to decision.

    Counting rule: *started*: start date in the year (*pilots* and *trial_actions*
    (prøvehandlinger) separately); *decided*: decided (scaled, continued or stopped) in the year —
    or, with ``cumulative``, on or before 31 December of the year — split into *scaled*,
    *continued*, *stopped*; ``success_share`` = (scaled + continued) ÷ (scaled + continued +
    stopped); ``median_days_to_decision`` = median of days from start to decision among the
    decided; *running* = running (igangværende) at 31 December as in :func:`pilot_pipeline`.
    Cross-sector co-creation among those started in the year: ``mean_sectors`` = mean number of
    partner sectors, ``multi_sector_share`` = share with two or more partner sectors.

    Tælleregel: *Startet*: startdato i året (piloter og prøvehandlinger hver for sig).
    *Afgjort*: skaleret, videreført eller stoppet i året (eller til og med året). Andelen
    skaleret eller videreført = (skaleret + videreført) ÷ (skaleret + videreført + stoppet).
    Mediantiden er antal dage fra start til afgørelse. *Samskabelse på tværs af sektorer*: blandt
    årets nye, gennemsnitligt antal partnersektorer og andelen med mindst to.

    Returns
    -------
    DataFrame
        year, started, pilots, trial_actions, decided, scaled, continued, stopped, success_share,
        median_days_to_decision, running, mean_sectors, multi_sector_share.
    """
    pilots = required_table(ds, "pilots")
    rows = []
    for y in as_years(years):
        lo, hi = year_bounds(y)
        p = _pilot_status_at(pilots, y)
        started = p.loc[p["start"] >= lo]
        dec = p.loc[p["status"].isin(PILOT_DECISIONS) & p["decided"].notna() & (p["decided"] <= hi)]
        if not cumulative:
            dec = dec.loc[dec["decided"] >= lo]
        n = {s: int((dec["status"] == s).sum()) for s in PILOT_DECISIONS}
        days = (dec["decided"] - dec["start"]).dt.days
        rows.append(
            {
                "year": y,
                "started": len(started),
                "pilots": int((started["kind"] == "pilot").sum()),
                "trial_actions": int((started["kind"] == "prøvehandling").sum()),
                "decided": len(dec),
                "scaled": n["skaleret"],
                "continued": n["videreført"],
                "stopped": n["stoppet"],
                "success_share": ratio(n["skaleret"] + n["videreført"], len(dec)),
                "median_days_to_decision": float(days.median()) if len(dec) else np.nan,
                "running": int((p["status_at"] == "igangværende").sum()),
                "mean_sectors": float(started["n_sectors"].mean()) if len(started) else np.nan,
                "multi_sector_share": ratio(int((started["n_sectors"] >= 2).sum()), len(started)),
            }
        )
    return pd.DataFrame(rows)


def pilot_cocreation(ds: Dataset, year: int) -> pd.DataFrame:
    """Cross-sector co-creation of each pilot and prøvehandling started in ``year``.

    Counting rule: the number of distinct partner sectors (housing association, volunteer,
    cultural, business, public, civil society) listed for the pilot; *multi_sector* = two or
    more; *without_enterprise* = a trial action carried by the partners with no one enterprise.

    Tælleregel: Antal forskellige partnersektorer (boligselskab, frivillig, kultur, erhverv,
    offentlig, civilsamfund) for hver pilot og prøvehandling startet i året; *flere sektorer* =
    mindst to.

    Returns
    -------
    DataFrame
        pilot_id, kind, enterprise_id, title, n_sectors, multi_sector, without_enterprise.
    """
    p = _pilot_status_at(required_table(ds, "pilots"), year)
    p = p.loc[p["start"].dt.year == year].copy()
    p["multi_sector"] = p["n_sectors"] >= 2
    p["without_enterprise"] = p["enterprise_id"].isna()
    cols = ["pilot_id", "kind", "enterprise_id", "title", "n_sectors", "multi_sector", "without_enterprise"]
    return p[cols].sort_values("pilot_id").reset_index(drop=True)
