"""Interactive re-estimation for analysts (``notebooks/explore_effects.ipynb``).

:class:`Explorer` computes the outcome table once for a year and re-estimates on any subgroup,
outcome, horizon and method in well under a second. :meth:`Explorer.estimate` works anywhere
(plain parameters, papermill); :meth:`Explorer.controls` adds ipywidgets drop-downs when the
notebook runs in a live kernel.

Every control value gives, per method, an estimate or a plain Danish line saying why the method
cannot be estimated for the subgroup (:data:`REASON_TEXTS`); no traceback reaches the reader.

Small counts
------------
The explorer shows how many participants and citizens in the comparison group a subgroup has,
with the threshold ``min_cell`` of the one parameter model (:func:`so_eval.params.checked_disclosure`:
the notebook's ``disclosure`` parameter, else ``params/<year>.yaml``'s ``disclosure.min_cell``,
else the default 5). Its subgroups form a table of four dimensions (target group × age band ×
entry year × enterprise) in which every "alle" is the total of its line, and an analyst can look
at any cell, so (:class:`SubgroupCounts`):

* the whole sample and each subgroup of *one* control are shown as numbers, each control's
  counts suppressed with :func:`so_eval.disclosure.secondary.suppress_table` (``<min_cell`` for
  1 to ``min_cell - 1``, ``×`` for a count hidden so that the total minus the visible parts
  gives nothing away);
* a subgroup of *two or more* controls is shown only as "færre end ``min_cell``" (0 included)
  or "mindst ``min_cell``", which is also all that whether an effect is estimated tells;
* a shown count that could be split only into subgroups of exactly ``min_cell - 1`` (so that
  each would be known) is hidden as well.

Every count is recorded, and shown, through a :class:`so_eval.reporting.ledger.Ledger`
(:attr:`Explorer.ledger`), which applies the disclosure rule as the reports' ledgers do; the
reasons never name a count. ``tests/test_explorer.py`` plays the attacker across sibling
subgroups.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

from so_eval import config, disclosure
from so_eval.data.dataset import Dataset
from so_eval.data.loading import load
from so_eval.disclosure import secondary as sdc
from so_eval.effects.analysis import (
    AGE_BANDS,
    METHOD_LABELS,
    EffectSpec,
    base_table,
    comparison_table,
    estimate,
    select,
)
from so_eval.effects.att import METHODS, AttResult, EstimationError
from so_eval.effects.outcomes import HORIZONS
from so_eval.glossary import TARGET_GROUPS
from so_eval.params import checked_disclosure, params_path, read_params
from so_eval.plots import effects as eplots
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Figure, Ledger

ALL = "alle"
"""The control value meaning "no restriction"."""

SUBGROUP_CONTROLS = ("target_group", "age_band", "entry_year", "enterprise_id")
"""The controls that choose a subgroup, in the order of :class:`SubgroupCounts`' axes."""

CONTROL_LABELS = {
    "target_group": "målgruppe",
    "age_band": "alder",
    "entry_year": "startår",
    "enterprise_id": "virksomhed",
}

OUTCOME_OPTIONS = (("Selvforsørgelse", "selfsupport"), ("Uddannelse (unge)", "education"))
HORIZON_OPTIONS = (*HORIZONS, "w26", "w52")
WEEK_HORIZONS = ("w26", "w52")

REASON_TEXTS = {
    # the subgroup
    "no_participants": "Ingen deltagere i denne gruppe.",
    "few_participants": "For få deltagere i denne gruppe (færre end {m}, måske ingen) til at estimere en effekt.",
    "few_observed": "For få deltagere med målt udfald i denne periode (færre end {m}, måske ingen) til at "
    "estimere en effekt.",
    "few_comparison": "For få borgere i sammenligningsgruppen med målt udfald (færre end {m}, måske ingen) til "
    "at estimere en effekt.",
    "few_matched": "For få forskellige borgere i sammenligningsgruppen at matche med (færre end {m}): "
    "resultatet ville bygge på for få borgere.",
    "education_young_only": "Uddannelse måles kun for unge: vælg målgruppen «unge» eller «alle».",
    "week_selfsupport_only": "Uge 26 og uge 52 findes kun for selvforsørgelse: vælg en periode (fx 1-26).",
    # the estimator (EstimationError.reason)
    "no_treated": "Ingen deltagere i denne gruppe.",
    "no_control": "Ingen sammenligningsgruppe: ingen borgere, der ikke deltog, i denne gruppe.",
    "too_few": "For få borgere i denne gruppe til at beregne usikkerheden.",
    "collinear": "Baggrundsoplysningerne varierer for lidt i denne gruppe til, at metoden kan justere for dem.",
    "separation": "Ingen sammenligningsgruppe med lignende borgere: deltagerne i denne gruppe adskiller sig "
    "for meget fra dem, der ikke deltog.",
    "singular": "Metodens beregning går ikke op i denne gruppe (for lidt variation i data).",
    "no_match": "Ingen deltager har en lignende borger i sammenligningsgruppen at blive matchet med.",
    "not_finite": "Metoden giver ikke et brugbart tal i denne gruppe.",
}
"""Why a method cannot be estimated, in Danish (``{m}`` is the disclosure threshold). No text
names a count below the threshold."""


def reason_text(reason: str, min_cell: int) -> str:
    """The Danish line for a reason key of :data:`REASON_TEXTS`."""
    return REASON_TEXTS[reason].format(m=min_cell)


def min_cell_from_params(year: int, disclosure: dict | None = None) -> int:
    """The disclosure threshold: ``disclosure["min_cell"]`` if given (papermill injects the
    params' ``disclosure``), else ``params/<year>.yaml``'s ``disclosure.min_cell``, else the
    project's default; checked as the reports check it (:func:`so_eval.params.checked_disclosure`)."""
    if disclosure is None:
        path = params_path(year)
        disclosure = read_params(path).get("disclosure") if path.exists() else None
    return checked_disclosure(disclosure)["min_cell"]


# -- counts and their suppression -------------------------------------------------------------


def _cube(rows: pd.DataFrame, axes: list[list]) -> np.ndarray:
    """Counts of ``rows`` over the axes' values, each axis extended by its total (last)."""
    names = [c for c, _ in axes]
    shape = [len(v) for _, v in axes]
    inner = np.zeros(shape, dtype=np.int64)
    if len(rows):
        codes = [pd.Categorical(rows[c], categories=v).codes for c, v in axes]
        keep = np.all([c >= 0 for c in codes], axis=0)
        if not keep.all():
            bad = {c: sorted(set(rows.loc[~keep, c].astype(str))) for c in names}
            raise ValueError(f"subgroup values outside the explorer's options: {bad}")
        np.add.at(inner, tuple(c[keep] for c in codes), 1)
    cube = inner
    for axis in range(cube.ndim):
        cube = np.concatenate([cube, cube.sum(axis=axis, keepdims=True)], axis=axis)
    return cube


def _one_way(values: np.ndarray, min_cell: int, forced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary suppression of one control's counts (its total last) with
    :func:`so_eval.disclosure.secondary.suppress_table`; ``forced`` marks counts that must be hidden too, and
    then more are hidden (checked with :meth:`so_eval.disclosure.secondary.SuppressedTable.intervals`) until
    no hidden count can be worked out. Returns the (primary, hidden) masks."""
    st = sdc.suppress_table(pd.DataFrame({"n": values[:-1]}), min_cell)
    primary = st.primary["n"].to_numpy()
    hidden = st.mask.all(axis=1).to_numpy() | forced  # a row is known if either of its cells is shown
    for _ in range(len(values)):
        secondary = hidden & ~primary
        check = sdc.SuppressedTable(
            st.counts,
            st.primary,
            pd.DataFrame({"n": secondary, sdc.TOTAL_LABEL: secondary}, index=st.counts.index),
            min_cell,
            True,
        )
        iv = check.intervals()
        if not len(iv) or (iv["low"] < iv["high"]).all():
            break
        free = np.flatnonzero(~hidden & (values > 0))
        if not len(free):
            break
        hidden[free[np.argmin(values[free])]] = True
    return primary, hidden


def _pinned(values: np.ndarray, axis: int | None, index: int | None, min_cell: int) -> bool:
    """True if a shown count (one control fixed at ``index``, or the whole sample) could be split,
    along some choice of the other controls, only into subgroups of ``min_cell - 1`` each: all
    of them are shown as "færre end" and add up to the count, so each would be known."""
    nd = values.ndim
    last = [values.shape[k] - 1 for k in range(nd)]
    others = [k for k in range(nd) if k != axis]
    total = values[tuple(index if k == axis else last[k] for k in range(nd))]
    if total == 0:
        return False
    for size in range(1 if axis is not None else 2, len(others) + 1):
        for axes in itertools.combinations(others, size):
            sl = tuple(index if k == axis else slice(0, last[k]) if k in axes else last[k] for k in range(nd))
            part = values[sl]
            if (part < min_cell).all() and total == (min_cell - 1) * part.size:
                return True
    return False


@dataclass(frozen=True)
class SubgroupCounts:
    """Counts of one group of citizens over the subgroup controls, and how each is shown.

    ``values`` has one axis per control in ``controls`` (values in ``options``, then the total
    "alle"). The whole sample and every subgroup of one control are shown as numbers, with
    primary and secondary suppression per control (``primary``/``hidden``: one mask per
    control, its total last). A subgroup of two or more controls is shown only as "færre end
    ``min_cell``" (0 included) or "mindst ``min_cell``": what whether an effect is estimated
    tells anyway, and no sum of such cells gives a number.
    """

    controls: tuple[str, ...]
    options: dict
    values: np.ndarray
    primary: dict
    hidden: dict
    min_cell: int

    @classmethod
    def build(cls, rows: pd.DataFrame, options: dict, min_cell: int) -> SubgroupCounts:
        controls = tuple(options)
        values = _cube(rows, [(c, list(options[c])) for c in controls])
        last = [n - 1 for n in values.shape]
        whole = _pinned(values, None, None, min_cell)
        primary, hidden = {}, {}
        for k, c in enumerate(controls):
            line = values[tuple(slice(None) if j == k else last[j] for j in range(values.ndim))]
            forced = np.array([_pinned(values, k, i, min_cell) for i in range(len(line) - 1)] + [whole])
            primary[c], hidden[c] = _one_way(line, min_cell, forced)
        return cls(controls, {c: list(options[c]) for c in controls}, values, primary, hidden, min_cell)

    def index(self, subgroup: dict) -> tuple[int, ...]:
        """The cell of a subgroup (a control missing or ``None`` means "alle")."""
        return tuple(
            len(self.options[c]) if subgroup.get(c) is None else self.options[c].index(subgroup[c])
            for c in self.controls
        )

    def count(self, subgroup: dict) -> tuple[int, str]:
        """The subgroup's count and how it is shown: ``"number"``, ``"primary"`` (``<min_cell``),
        ``"secondary"`` (``×``) or ``"class"`` (two or more controls: below or at least
        ``min_cell``)."""
        idx = self.index(subgroup)
        n = int(self.values[idx])
        chosen = [k for k, c in enumerate(self.controls) if subgroup.get(c) is not None]
        if len(chosen) > 1:
            return n, "class"
        k = chosen[0] if chosen else 0
        c = self.controls[k]
        if self.primary[c][idx[k]]:
            return n, "primary"
        return n, "secondary" if self.hidden[c][idx[k]] else "number"


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodOutcome:
    """One method on one subgroup: an estimate (``result``) or why there is none (``reason``,
    a key of :data:`REASON_TEXTS`, with its Danish ``text``)."""

    method: str
    result: AttResult | None = None
    reason: str | None = None
    text: str = ""

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]


@dataclass(frozen=True)
class Exploration:
    """What the explorer shows for one choice of the controls."""

    subgroup: dict
    outcome: str
    horizon: str
    method: str
    label: str
    participants: Figure
    comparison: Figure
    methods: dict = field(default_factory=dict)

    @property
    def estimated(self) -> dict:
        return {m: o.result for m, o in self.methods.items() if o.result is not None}


def _where(sub: dict) -> str:
    return ", ".join(f"{CONTROL_LABELS[k]} {v}" for k, v in sub.items()) or ALL


def _key(sub: dict) -> str:
    """The ledger key of a subgroup's figures (``explore.<target group>.<age band>.<entry
    year>.<enterprise>``, "alle" where a control is not chosen)."""
    return "explore." + ".".join(str(sub.get(c, ALL)) for c in SUBGROUP_CONTROLS)


def _class_text(n: int, min_cell: int) -> str:
    """A subgroup of two or more controls as shown: below the threshold or at least it."""
    return f"færre end {min_cell}" if n < min_cell else f"mindst {min_cell}"


def _count_text(fig: Figure | None) -> str:
    """A recorded count in a sentence: its display, "færre end ``min_cell``" for one the
    ledger suppressed as small, "et skjult antal (×)" for one it hid to protect another."""
    if fig is None:
        return "ingen"
    if fig.unit == "status":
        return str(fig.value)
    if not fig.suppressed:
        return fig.display
    if fig.secondary:
        return f"et skjult antal ({sdc.SECONDARY_SYMBOL})"
    return f"færre end {fig.min_cell}"


class Explorer:
    """Effect estimates for subgroups of one report year's analysis sample.

    Examples
    --------
    >>> ex = Explorer.from_params(year=2025)                        # doctest: +SKIP
    >>> ex.estimate(target_group="unge", outcome="education")      # doctest: +SKIP
    """

    def __init__(self, ds: Dataset, year: int, entry_from: str = "2020-01-01", *, min_cell: int):
        self.ds, self.year, self.entry_from = ds, year, entry_from
        self.min_cell = checked_disclosure({"min_cell": min_cell})["min_cell"]
        self.table = base_table(ds, year, entry_from)
        self.ledger = Ledger(min_cell=self.min_cell)
        t = self.table
        years = sorted(int(y) for y in t["entry_year"].dropna().unique())
        self.options = {
            "target_group": list(TARGET_GROUPS),
            "age_band": list(AGE_BANDS),
            "entry_year": years,
            "enterprise_id": sorted(t["enterprise_id"].dropna().unique()),
        }
        treated = t.loc[t["treated"] == 1]
        self.participants = SubgroupCounts.build(treated, self.options, self.min_cell)
        # the comparison group does not depend on the enterprise (it is the whole pool)
        self.comparison = SubgroupCounts.build(
            t.loc[t["treated"] == 0], {c: self.options[c] for c in SUBGROUP_CONTROLS[:3]}, self.min_cell
        )
        self._cache: dict = {}

    @classmethod
    def from_params(
        cls, *, year: int, data_dir: str = "data/demo", entry_from: str = "2020-01-01", disclosure: dict | None = None
    ) -> Explorer:
        """Load ``data_dir`` and build the explorer; the threshold comes from ``disclosure`` (the
        notebook's parameter) or ``params/<year>.yaml`` (:func:`min_cell_from_params`)."""
        return cls(load(config.resolve(data_dir)), year, entry_from, min_cell=min_cell_from_params(year, disclosure))

    # -- choices -----------------------------------------------------------------------------

    def subgroup(self, *, target_group=None, age_band=None, enterprise_id=None, entry_year=None) -> dict:
        """The chosen subgroup with "alle", "" and ``None`` left out and years as numbers."""
        raw = {
            "target_group": target_group,
            "age_band": age_band,
            "entry_year": entry_year,
            "enterprise_id": enterprise_id,
        }
        sub = {k: v for k, v in raw.items() if v not in (None, "", ALL)}
        if "entry_year" in sub:
            sub["entry_year"] = int(sub["entry_year"])
        for k, v in sub.items():
            if v not in self.options[k]:
                raise ValueError(f"{k} = {v!r} is not one of the explorer's options: {self.options[k]}")
        return sub

    def spec(self, *, outcome="selfsupport", horizon="1-26", method="aipw", **subgroup) -> EffectSpec:
        return EffectSpec(
            year=self.year,
            outcome=outcome,
            horizon=horizon,
            method=method,
            entry_from=self.entry_from,
            subgroup=self.subgroup(**subgroup),
        )

    def _figures(self, sub: dict, outcome: str) -> tuple[Figure | None, Figure | None]:
        """The participants and the comparison group of a subgroup as shown (through the ledger);
        ``None`` for the education outcome in a target group other than the young."""
        if outcome == "education":  # the education outcome is measured for young people only
            if sub.get("target_group") not in (None, "unge"):
                return None, None
            sub = {**sub, "target_group": "unge"}
        where = _where(sub)
        key = _key(sub)
        out = []
        for counts, part, label in (
            (self.participants, "deltagere", "Deltagere"),
            (self.comparison, "sammenligning", "Sammenligningsgruppe"),
        ):
            k = f"{key}.{part}"
            if k in self.ledger:  # shown before: an analyst goes back to a subgroup; recorded once
                out.append(self.ledger[k])
                continue
            n, how = counts.count(sub)
            if how == "class":  # recorded as what it tells: below the threshold or at least it
                text = _class_text(n, self.min_cell)
                out.append(self.ledger.value(k, text, f"{label} ({where})", unit="status"))
            else:
                out.append(self.ledger.count(k, n, f"{label} ({where})", secondary=how == "secondary"))
        return out[0], out[1]

    # -- estimation --------------------------------------------------------------------------

    def explore(self, *, outcome="selfsupport", horizon="1-26", method="aipw", **subgroup) -> Exploration:
        """Every method on the subgroup: an estimate or a Danish reason (never an exception for
        a valid choice of the controls)."""
        sub = self.subgroup(**subgroup)
        if method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}, not {method!r}")
        part, comp = self._figures(sub, outcome)
        label = ("Uddannelse (unge)" if outcome == "education" else "Selvforsørgelse") + (
            f", uge {horizon[1:]}" if horizon in WEEK_HORIZONS else f", uge {horizon}"
        )
        reason = None
        if outcome == "education" and horizon in WEEK_HORIZONS:
            reason = "week_selfsupport_only"
        elif outcome == "education" and sub.get("target_group") not in (None, "unge"):
            reason = "education_young_only"
        if reason is None:
            spec = EffectSpec(
                year=self.year,
                outcome=outcome,
                horizon=horizon,
                method=method,
                entry_from=self.entry_from,
                subgroup=sub,
            )
            label = spec.label
            methods = self._estimate(spec)
        else:
            methods = {m: MethodOutcome(m, reason=reason, text=reason_text(reason, self.min_cell)) for m in METHODS}
        return Exploration(sub, outcome, horizon, method, label, part, comp, methods)

    def _estimate(self, spec: EffectSpec) -> dict:
        key = (tuple(sorted(spec.subgroup.items())), spec.column)
        if key in self._cache:
            return self._cache[key]
        counted = {**spec.subgroup, "target_group": "unge"} if spec.outcome == "education" else spec.subgroup
        n_t, how = self.participants.count(counted)
        sample = None
        if n_t == 0 and how != "class":  # a zero is shown (a subgroup of two controls says "færre end")
            reason = "no_participants"
        elif n_t < self.min_cell:
            reason = "few_participants"
        else:
            sample = select(self.table, spec)
            n_t_obs = int(sample["treated"].sum())
            n_c_obs = int((sample["treated"] == 0).sum())
            reason = (
                "few_observed" if n_t_obs < self.min_cell else "few_comparison" if n_c_obs < self.min_cell else None
            )
        out = {}
        for m in METHODS:
            if reason is not None:
                out[m] = MethodOutcome(m, reason=reason, text=reason_text(reason, self.min_cell))
                continue
            try:
                with warnings.catch_warnings():  # their English texts may name small counts
                    warnings.simplefilter("ignore")
                    r = estimate(sample, spec, m)
                if min(r.n_treated, r.n_control) < self.min_cell:  # matching: distinct controls used
                    out[m] = MethodOutcome(m, reason="few_matched", text=reason_text("few_matched", self.min_cell))
                else:
                    out[m] = MethodOutcome(m, result=r)
            except EstimationError as exc:
                out[m] = MethodOutcome(m, reason=exc.reason, text=reason_text(exc.reason, self.min_cell))
        self._cache[key] = out
        return out

    def estimate(self, **kwargs) -> Block:
        """All methods on the subgroup, as a table and a forest plot; a method that cannot be
        estimated says why, in Danish; small counts are hidden (see the module docstring)."""
        ex = self.explore(**kwargs)
        ledger = self.ledger
        b = Block()
        if ex.participants is None:
            b.md(f"**{ex.label}** · delgruppe: {_where(ex.subgroup)} · uddannelse måles kun for unge.")
        else:
            b.md(
                f"**{ex.label}** · delgruppe: {_where(ex.subgroup)} · {_count_text(ex.participants)} deltagere og "
                f"{_count_text(ex.comparison)} i sammenligningsgruppen. Effekten beregnes for dem, hvis "
                f"udfald kan måles ved udgangen af {self.year}."
            )
        rows = []
        key = f"{_key(ex.subgroup)}.{ex.outcome}_{ex.horizon}"
        for m, o in ex.methods.items():
            if o.result is None:
                rows.append(
                    {
                        "Metode": o.label,
                        "Effekt (procentpoint)": "–",
                        "95 % konfidensinterval": "–",
                        "Bemærkning": o.text,
                    }
                )
                continue
            r, n = o.result, o.result.n_treated
            shown = []
            for what, v, text in (
                ("att", r.att, "effekt"),
                ("ci_low", r.ci_low, "nedre grænse"),
                ("ci_high", r.ci_high, "øvre grænse"),
            ):
                k = f"{key}.{m}.{what}"  # recorded the first time the subgroup is shown
                shown.append(
                    ledger[k] if k in ledger else ledger.stat(k, 100 * v, n, f"{o.label}: {text}", unit="procentpoint")
                )
            att, lo, hi = shown
            rows.append(
                {
                    "Metode": o.label,
                    "Effekt (procentpoint)": att.display,
                    "95 % konfidensinterval": f"{lo.display} til {hi.display}",
                    "Bemærkning": "",
                }
            )
        b.table(
            Table(
                pd.DataFrame(rows),
                caption="Estimater",
                note=f"Antal under {self.min_cell} vises som «{disclosure.masked(self.min_cell)}», og andre "
                f"antal skjules («{sdc.SECONDARY_SYMBOL}»), så et skjult antal ikke kan regnes ud.",
            )
        )
        if ex.estimated:
            tab = comparison_table(ex.estimated)
            highlight = METHOD_LABELS[ex.method] if ex.method in ex.estimated else None
            ax = eplots.estimates_plot(tab, highlight=highlight)
            b.figure(ax.figure, "Estimater")
        else:
            b.md("Ingen metode kan estimeres for denne gruppe.")
        return b

    def controls(self):
        """ipywidgets drop-downs for subgroup, outcome, horizon and method (live kernel)."""
        o = self.options
        methods = [(METHOD_LABELS[m], m) for m in METHODS]
        opts = {
            "target_group": widgets.Dropdown(options=[ALL, *o["target_group"]], description="Målgruppe"),
            "age_band": widgets.Dropdown(options=[ALL, *o["age_band"]], description="Alder"),
            "enterprise_id": widgets.Dropdown(options=[ALL, *o["enterprise_id"]], description="Virksomhed"),
            "entry_year": widgets.Dropdown(options=[ALL, *map(str, o["entry_year"])], description="Startår"),
            "outcome": widgets.Dropdown(options=list(OUTCOME_OPTIONS), description="Udfald"),
            "horizon": widgets.Dropdown(options=list(HORIZON_OPTIONS), description="Uger efter"),
            "method": widgets.Dropdown(options=methods, value="aipw", description="Metode"),
        }

        def show(**kwargs):
            display(self.estimate(**kwargs))

        out = widgets.interactive_output(show, opts)
        boxes = list(opts.values())
        return widgets.VBox(
            [
                widgets.HBox(boxes[:4], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(boxes[4:], layout=widgets.Layout(flex_flow="row wrap")),
                out,
            ]
        )


def control_values(explorer: Explorer) -> dict:
    """Every value of every control, as :meth:`Explorer.explore` takes them (``None`` = alle)."""
    o = explorer.options
    return {
        "target_group": [None, *o["target_group"]],
        "age_band": [None, *o["age_band"]],
        "entry_year": [None, *o["entry_year"]],
        "enterprise_id": [None, *o["enterprise_id"]],
        "outcome": [v for _, v in OUTCOME_OPTIONS],
        "horizon": list(HORIZON_OPTIONS),
        "method": list(METHODS),
    }


__all__ = [
    "ALL",
    "REASON_TEXTS",
    "Exploration",
    "Explorer",
    "MethodOutcome",
    "SubgroupCounts",
    "control_values",
    "min_cell_from_params",
    "reason_text",
]
