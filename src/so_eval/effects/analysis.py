"""Effect measurement on a dataset: the analysis sample, all estimators, the event study.

These functions connect the data (:mod:`so_eval.effects.outcomes`) with the estimators
(:func:`~so_eval.effects.estimate_att`, :func:`~so_eval.effects.group_time_att`); the effect
report, the annual report's effect section and the analysts' notebook all call them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from so_eval.data.dataset import Dataset
from so_eval.effects.att import METHODS, AttResult, estimate_att
from so_eval.effects.did import group_time_att
from so_eval.effects.outcomes import COVARIATES, HORIZONS, OUTCOMES, outcome_table, quarterly_panel

AGE_BANDS = {"18-29": (0, 29), "30-39": (30, 39), "40-49": (40, 49), "50+": (50, 200)}
METHOD_LABELS = {
    "difference": "Simpel forskel (ujusteret)",
    "regression": "Regressionsjustering",
    "ipw": "Inverse sandsynlighedsvægte (IPW)",
    "aipw": "Dobbelt robust (AIPW)",
    "matching": "Matching på propensity score",
}
ANTICIPATION_QUARTERS = 4
"""The event study's reference lies before the 52 weeks in which participants are selected (on
their weeks on benefit), so that selection on recent luck does not look like an effect."""


@dataclass(frozen=True)
class EffectSpec:
    """What to estimate: outcome, horizon, headline method, covariates, and who is compared.

    ``subgroup`` narrows the comparison: ``target_group``, ``age_band`` (18-29, 30-39, 40-49,
    50+) and ``entry_year`` apply to both groups; ``enterprise_id`` selects the participants whose
    first course was with that enterprise (against the whole comparison pool).
    """

    year: int
    outcome: str = "selfsupport"
    horizon: str = "1-26"
    method: str = "aipw"
    covariates: tuple[str, ...] | str = tuple(COVARIATES)
    entry_from: str = "2020-01-01"
    subgroup: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.outcome not in ("selfsupport", "education"):
            raise ValueError(f"outcome must be 'selfsupport' or 'education', not {self.outcome!r}")
        if self.horizon not in (*HORIZONS, "w26", "w52"):
            raise ValueError(f"horizon must be one of {[*HORIZONS, 'w26', 'w52']}, not {self.horizon!r}")
        if self.horizon in ("w26", "w52") and self.outcome != "selfsupport":
            raise ValueError("week 26/52 outcomes exist for selfsupport only")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}, not {self.method!r}")
        if not isinstance(self.covariates, str):
            object.__setattr__(self, "covariates", tuple(self.covariates))
        unknown = set(self.subgroup) - {"target_group", "age_band", "entry_year", "enterprise_id"}
        if unknown:
            raise ValueError(f"unknown subgroup key(s) {sorted(unknown)}")

    @property
    def column(self) -> str:
        """The outcome column of :func:`outcome_table`."""
        return f"{self.outcome}_{self.horizon.replace('-', '_')}"

    @property
    def label(self) -> str:
        return OUTCOMES[self.column]

    @property
    def until(self) -> pd.Timestamp:
        return pd.Timestamp(self.year, 12, 31)

    def with_method(self, method: str) -> EffectSpec:
        return replace(self, method=method)


def as_known_at_year_end(ds: Dataset, year: int) -> Dataset:
    """The dataset as the world stood at the end of ``year``: courses started by then and status
    weeks up to then (later events would not have been known in a report for the year)."""
    until = pd.Timestamp(year, 12, 31)
    tables = dict(ds.tables)
    tables["courses"] = ds.courses.loc[ds.courses["start"] <= until]
    tables["status_weekly"] = ds.status_weekly.loc[ds.status_weekly["week"] <= until]
    return Dataset(tables=tables, path=ds.path, file_hashes=ds.file_hashes, as_of=ds.as_of)


def has_panel(ds: Dataset) -> bool:
    return "status_weekly" in ds.tables and len(ds.status_weekly) > 0


def base_table(ds: Dataset, year: int, entry_from: str) -> pd.DataFrame:
    """:func:`outcome_table` as known at the end of ``year`` for entries from ``entry_from``, with
    each participant's ``enterprise_id`` (of the first course) and everyone's ``age_band``."""
    known = as_known_at_year_end(ds, year)
    table = outcome_table(known, entry_from=entry_from, entry_to=pd.Timestamp(year, 12, 31))
    first = (
        known.courses.sort_values(["start", "course_id"])
        .drop_duplicates("citizen_id")
        .merge(known.agreements[["agreement_id", "enterprise_id"]], on="agreement_id", how="left")
        .set_index("citizen_id")["enterprise_id"]
    )
    table["enterprise_id"] = table["citizen_id"].map(first).where(table["treated"] == 1)
    table["age_band"] = pd.cut(table["age"], bins=[-1, 29, 39, 49, 200], labels=list(AGE_BANDS)).astype(str)
    return table


def select(table: pd.DataFrame, spec: EffectSpec) -> pd.DataFrame:
    """Narrow a :func:`base_table` to ``spec``: young people only for education outcomes, the
    subgroup, and rows whose outcome is observed."""
    if spec.outcome == "education":
        table = table.loc[table["target_group"] == "unge"]
    sub = spec.subgroup or {}
    for key in ("target_group", "age_band"):
        if sub.get(key):
            table = table.loc[table[key] == sub[key]]
    if sub.get("entry_year"):
        table = table.loc[table["entry_year"] == int(sub["entry_year"])]
    if sub.get("enterprise_id"):
        table = table.loc[(table["treated"] == 0) | (table["enterprise_id"] == sub["enterprise_id"])]
    return table.loc[table[spec.column].notna()].reset_index(drop=True)


def effect_sample(ds: Dataset, spec: EffectSpec) -> pd.DataFrame:
    """The analysis sample for ``spec``: :func:`base_table` narrowed by :func:`select`."""
    return select(base_table(ds, spec.year, spec.entry_from), spec)


def usable_covariates(sample: pd.DataFrame, covariates) -> list[str] | str:
    """The covariates that vary in the sample (a constant one, e.g. target group within a
    subgroup, cannot be adjusted for and is dropped)."""
    if isinstance(covariates, str):
        return covariates
    return [c for c in covariates if sample[c].nunique(dropna=True) > 1]


def estimate(sample: pd.DataFrame, spec: EffectSpec, method: str | None = None) -> AttResult:
    """The ATT of participation on ``spec``'s outcome with one method (default: ``spec.method``)."""
    return estimate_att(
        sample,
        treatment="treated",
        outcome=spec.column,
        covariates=usable_covariates(sample, spec.covariates),
        method=method or spec.method,
    )


def estimate_all(sample: pd.DataFrame, spec: EffectSpec) -> dict[str, AttResult]:
    """Every method side by side (a failed method is left out and reported by the caller)."""
    out = {}
    for method in METHODS:
        try:
            out[method] = estimate(sample, spec, method)
        except ValueError:
            continue
    return out


def comparison_table(results: dict[str, AttResult]) -> pd.DataFrame:
    """One row per method: Danish label, estimate, interval, SE and the units used."""
    rows = []
    for method, r in results.items():
        rows.append(
            {
                "method": method,
                "label": METHOD_LABELS[method],
                "att": r.att,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "n_treated": r.n_treated,
                "n_control": r.n_control,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class EventStudy:
    """The staggered-entry event study: group-time ATTs aggregated to event time and overall."""

    result: object
    dynamic: pd.DataFrame
    overall: pd.Series
    anticipation: int
    n_units: int
    n_groups: int


def event_study(ds: Dataset, spec: EffectSpec, *, min_e: int = -8, max_e: int = 8) -> EventStudy:
    """Callaway–Sant'Anna group-time ATTs on the citizen × quarter panel up to the report year.

    Cohorts are the quarters of first entry; controls are citizens who never took part; standard
    errors are clustered on citizen. The reference quarter lies before the 52-week window in
    which participants are selected (``anticipation`` = 4 quarters). Cohorts entering before
    ``spec.entry_from`` are left out, as in the cross-sectional sample.
    """
    known = as_known_at_year_end(ds, spec.year)
    outcome = "education" if spec.outcome == "education" else "selfsupport"
    panel = quarterly_panel(known, outcome=outcome, last_year=spec.year)
    if spec.outcome == "education":
        young = set(known.citizens.loc[known.citizens["target_group"] == "unge", "citizen_id"])
        panel = panel.loc[panel["citizen_id"].isin(young)]
    first_q = pd.Timestamp(spec.entry_from)
    start_label = f"{first_q.year}K{first_q.quarter}"
    labels = panel.drop_duplicates("period").set_index("period")["quarter"]
    start_period = int(labels.index[labels == start_label][0]) if (labels == start_label).any() else 1
    panel = panel.loc[(panel["group"] == 0) | (panel["group"] >= start_period)]
    res = group_time_att(
        panel,
        unit="citizen_id",
        time="period",
        group="group",
        outcome=outcome,
        control_group="never_treated",
        anticipation=ANTICIPATION_QUARTERS,
    )
    dyn = res.aggregate("dynamic", min_e=min_e, max_e=max_e)
    overall = res.aggregate("simple").tidy().iloc[0]
    return EventStudy(
        res,
        dyn.table.reset_index(drop=True),
        overall,
        ANTICIPATION_QUARTERS,
        int(panel["citizen_id"].nunique()),
        int(panel.loc[panel["group"] > 0, "group"].nunique()),
    )


def group_profile(sample: pd.DataFrame, result: AttResult | None = None) -> pd.DataFrame:
    """Who was compared with whom: size and mean characteristics of participants and the
    comparison group (numbers and shares)."""
    rows = []
    for treated, name in ((1, "Deltagere"), (0, "Sammenligningsgruppe")):
        g = sample.loc[sample["treated"] == treated]
        rows.append(
            {
                "group": name,
                "n": len(g),
                "age": g["age"].mean(),
                "women": (g["gender"] == "k").mean() if len(g) else np.nan,
                "benefit_weeks_52": g["benefit_weeks_52"].mean(),
                "young": (g["target_group"] == "unge").mean() if len(g) else np.nan,
            }
        )
    return pd.DataFrame(rows)
