"""Interactive re-estimation for analysts (``notebooks/explore_effects.ipynb``).

:class:`Explorer` computes the outcome table once for a year and re-estimates on any subgroup,
outcome, horizon and method in well under a second. :meth:`Explorer.estimate` works anywhere
(plain parameters, papermill); :meth:`Explorer.controls` adds ipywidgets drop-downs when the
notebook runs in a live kernel.
"""

from __future__ import annotations

import pandas as pd

from so_eval import config, fmt
from so_eval.dataset import Dataset
from so_eval.effects import plots as eplots
from so_eval.effects.analysis import (
    AGE_BANDS,
    METHOD_LABELS,
    EffectSpec,
    base_table,
    comparison_table,
    estimate_all,
    select,
)
from so_eval.effects.att import METHODS
from so_eval.effects.outcomes import HORIZONS
from so_eval.glossary import TARGET_GROUPS
from so_eval.loading import load
from so_eval.tables import Block, Table


class Explorer:
    """Effect estimates for subgroups of one report year's analysis sample.

    Examples
    --------
    >>> ex = Explorer.from_params(year=2025)                        # doctest: +SKIP
    >>> ex.estimate(target_group="unge", outcome="education")      # doctest: +SKIP
    """

    def __init__(self, ds: Dataset, year: int, entry_from: str = "2020-01-01", min_cell: int = 5):
        self.ds, self.year, self.entry_from, self.min_cell = ds, year, entry_from, min_cell
        self.table = base_table(ds, year, entry_from)

    @classmethod
    def from_params(cls, *, year: int, data_dir: str = "data/demo", entry_from: str = "2020-01-01",
                    min_cell: int = 5) -> "Explorer":
        return cls(load(config.resolve(data_dir)), year, entry_from, min_cell)

    def spec(self, *, outcome="selfsupport", horizon="1-26", method="aipw", target_group=None, age_band=None,
             enterprise_id=None, entry_year=None) -> EffectSpec:
        sub = {k: v for k, v in dict(target_group=target_group, age_band=age_band, enterprise_id=enterprise_id,
                                       entry_year=entry_year).items() if v not in (None, "", "alle")}
        return EffectSpec(year=self.year, outcome=outcome, horizon=horizon, method=method,
                          entry_from=self.entry_from, subgroup=sub)

    def results(self, **kwargs) -> tuple[EffectSpec, pd.DataFrame, dict]:
        """The spec, the sample and every method's result for a subgroup (see :meth:`spec`)."""
        spec = self.spec(**kwargs)
        sample = select(self.table, spec)
        return spec, sample, estimate_all(sample, spec)

    def estimate(self, **kwargs) -> Block:
        """All methods on the subgroup, as a table and a forest plot; small groups are not shown."""
        spec, sample, results = self.results(**kwargs)
        n_t, n_c = int(sample["treated"].sum()), int((sample["treated"] == 0).sum())
        b = Block()
        where = ", ".join(f"{k} = {v}" for k, v in spec.subgroup.items()) or "alle"
        b.md(f"**{spec.label}** · delgruppe: {where} · {n_t if n_t >= self.min_cell else '<' + str(self.min_cell)} "
             f"deltagere og {n_c if n_c >= self.min_cell else '<' + str(self.min_cell)} i sammenligningsgruppen.")
        if n_t < self.min_cell or n_c < self.min_cell or not results:
            return b.md(f"For få borgere (under {self.min_cell}) eller ingen metode kunne estimeres: intet resultat vises.")
        tab = comparison_table(results)
        rows = [{"Metode": r.label, "Effekt (procentpoint)": fmt.number(100 * r.att, 1),
                 "95 % konfidensinterval": f"{fmt.number(100 * r.ci_low, 1)} til {fmt.number(100 * r.ci_high, 1)}",
                 "Deltagere": fmt.number(r.n_treated), "Sammenligning": fmt.number(r.n_control)}
                for r in tab.itertuples()]
        b.table(Table(pd.DataFrame(rows), caption="Estimater"))
        ax = eplots.estimates_plot(tab, highlight=METHOD_LABELS[spec.method])
        return b.figure(ax.figure, "Estimater")

    def controls(self):
        """ipywidgets drop-downs for subgroup, outcome, horizon and method (live kernel)."""
        import ipywidgets as w
        from IPython.display import display

        ents = sorted(self.table["enterprise_id"].dropna().unique())
        years = sorted(int(y) for y in self.table.loc[self.table["treated"] == 1, "entry_year"].dropna().unique())
        opts = {
            "target_group": w.Dropdown(options=["alle", *TARGET_GROUPS], description="Målgruppe"),
            "age_band": w.Dropdown(options=["alle", *AGE_BANDS], description="Alder"),
            "enterprise_id": w.Dropdown(options=["alle", *ents], description="Virksomhed"),
            "entry_year": w.Dropdown(options=["alle", *map(str, years)], description="Startår"),
            "outcome": w.Dropdown(options=[("Selvforsørgelse", "selfsupport"), ("Uddannelse (unge)", "education")],
                                  description="Udfald"),
            "horizon": w.Dropdown(options=[*HORIZONS, "w26", "w52"], description="Uger efter"),
            "method": w.Dropdown(options=[(METHOD_LABELS[m], m) for m in METHODS], value="aipw", description="Metode"),
        }

        def show(**kwargs):
            try:
                display(self.estimate(**kwargs))
            except ValueError as exc:  # e.g. week 26 with education
                display(Block().md(f"Kan ikke estimeres: {exc}"))

        out = w.interactive_output(show, opts)
        return w.VBox([w.HBox(list(opts.values())[:4], layout=w.Layout(flex_flow="row wrap")),
                       w.HBox(list(opts.values())[4:], layout=w.Layout(flex_flow="row wrap")), out])
