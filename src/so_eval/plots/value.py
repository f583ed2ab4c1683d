"""Plots of value creation: tornado, revenue mix, donor flows, pilot pipeline, survival curves.

Same style as :mod:`so_eval.plots.goals` (axes, palette and legend from :mod:`so_eval.plots.base`):
each function takes a tidy frame (from :mod:`so_eval.metrics.value` or :mod:`so_eval.metrics.sroi`)
and keywords, draws on ``ax`` (a new A4-width figure when ``ax`` is None) and returns the Axes.
Danish labels, seaborn's colour-blind-safe palette, Danish number format.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval.data.model_value import PILOT_KINDS, PILOT_STATUSES
from so_eval.plots.base import (
    BASE,
    MUTED,
    PALETTE,
    TARGET,
    absolute_number,
    formatter,
    legend_below,
    new_axes,
    style_axes,
    tick_formatter,
)

__all__ = [
    "donor_flow_plot",
    "pilot_pipeline_plot",
    "revenue_mix_plot",
    "survival_plot",
    "tornado_plot",
]

SECTOR_LABELS = {
    "private": "Privat salg",
    "public": "Offentlige kontrakter",
    "civil_society": "Fonde og donationer (civilsamfund)",
    "other": "Andet",
}
STATUS_LABELS = {
    "idé": "Idé",
    "igangværende": "Igangværende",
    "skaleret": "Skaleret",
    "videreført": "Videreført",
    "stoppet": "Stoppet",
}
KIND_LABELS = {"pilot": "Piloter", "prøvehandling": "Prøvehandlinger"}
_STATUS_COLORS = {
    "idé": MUTED,
    "igangværende": PALETTE[0],
    "skaleret": PALETTE[2],
    "videreført": PALETTE[9],
    "stoppet": PALETTE[3],
}


def _kr(v: float) -> str:
    """Compact Danish kroner: 1,2 mio. kr. / 350.000 kr."""
    if abs(v) >= 1e6:
        return f"{fmt.number(v / 1e6, 1)} mio. kr."
    return f"{fmt.number(v)} kr."


def tornado_plot(
    data: pd.DataFrame,
    *,
    xlabel: str = "Nettonutidsværdi (kr.)",
    title: str = "",
    reference: float | None = 0.0,
    reference_label: str = "Break-even",
    percent_values: tuple[str, ...] = ("drop_off", "discount_rate", "deadweight", "attribution", "displacement"),
    ax=None,
):
    """Tornado plot of a one-way sensitivity table (:func:`so_eval.metrics.sroi.one_way_sensitivity`).

    One bar per assumption from the result at its low value to the result at its high value,
    the largest swing on top; the base result as a vertical line and ``reference`` (e.g. NPV 0 or
    SROI ratio 1) as a dashed line. The low and high values are written at the bar ends.
    """
    d = data.sort_values("swing", ascending=True, kind="stable").reset_index(drop=True)
    ax = new_axes(ax, height=max(2.6, 0.45 * len(d) + 1.4))
    pos = np.arange(len(d))
    base = float(d["result_base"].iloc[0]) if len(d) else 0.0

    def value_text(name: str, v: object) -> str:
        if name in percent_values:
            return fmt.percent(float(v), 1)
        return fmt.number(float(v), 0 if float(v).is_integer() or abs(float(v)) >= 100 else 2)

    for p, rec in zip(pos, d.itertuples(), strict=True):
        lo, hi = float(rec.result_low), float(rec.result_high)
        ax.barh(p, lo - base, left=base, color=PALETTE[0], height=0.6, zorder=2, label="Lav værdi" if p == 0 else None)
        ax.barh(p, hi - base, left=base, color=PALETTE[1], height=0.6, zorder=2, label="Høj værdi" if p == 0 else None)
        for r, v in ((lo, rec.low_value), (hi, rec.high_value)):
            ax.annotate(
                value_text(rec.assumption, v),
                (r, p),
                va="center",
                fontsize=7,
                ha="left" if r >= base else "right",
                xytext=(3 if r >= base else -3, 0),
                textcoords="offset points",
            )
    ax.axvline(base, color="#333333", linewidth=1, zorder=3, label=f"Basis: {fmt.number(base)}")
    if reference is not None:
        ax.axvline(reference, color=TARGET, linestyle="--", linewidth=1.3, zorder=3, label=reference_label)
    ax.set_yticks(pos, list(d["label"]), fontsize=8)
    ax.xaxis.set_major_formatter(tick_formatter())
    lo_all = np.nanmin(np.r_[d["result_low"], d["result_high"], base, reference if reference is not None else base])
    hi_all = np.nanmax(np.r_[d["result_low"], d["result_high"], base, reference if reference is not None else base])
    pad = 0.18 * (hi_all - lo_all or 1.0)
    ax.set_xlim(lo_all - pad, hi_all + pad)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax, grid="x")
    legend_below(ax, ncol=4)
    return ax


def revenue_mix_plot(
    data: pd.DataFrame,
    *,
    label: str = "name",
    dependency_share: float | None = 0.7,
    title: str = "",
    ax=None,
):
    """Stacked horizontal bars of each enterprise's revenue by sector share (:func:`revenue_mix`).

    Enterprises are sorted by their largest sector share; enterprises that depend on one source
    (``dependent``) are marked with "!" and the ``dependency_share`` drawn as a dashed line.
    """
    d = data.loc[data["revenue"] > 0].copy()
    d["_top"] = d[[f"{c}_share" for c in SECTOR_LABELS]].max(axis=1)
    d = d.sort_values(["_top", "enterprise_id"], ascending=[True, False]).reset_index(drop=True)
    ax = new_axes(ax, height=max(2.8, 0.26 * len(d) + 1.4))
    pos = np.arange(len(d))
    left = np.zeros(len(d))
    for i, (col, lab) in enumerate(SECTOR_LABELS.items()):
        vals = d[f"{col}_share"].to_numpy(dtype=float)
        ax.barh(pos, vals, left=left, color=PALETTE[i] if col != "other" else MUTED, height=0.7, label=lab, zorder=2)
        left += vals
    names = [
        f"{'! ' if dep else ''}{n if isinstance(n, str) else eid}"
        for n, eid, dep in zip(d.get(label, d["enterprise_id"]), d["enterprise_id"], d["dependent"], strict=True)
    ]
    ax.set_yticks(pos, names, fontsize=7)
    if dependency_share is not None:
        ax.axvline(
            dependency_share,
            color=TARGET,
            linestyle="--",
            linewidth=1.2,
            zorder=3,
            label=f"Afhængighed: én kilde over {fmt.percent(dependency_share)} (markeret !)",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(d) - 0.4)
    ax.xaxis.set_major_formatter(tick_formatter("percent"))
    ax.set_xlabel("Andel af omsætningen")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    legend_below(ax, ncol=3)
    return ax


def donor_flow_plot(data: pd.DataFrame, *, title: str = "", ax=None):
    """Donor flows year by year (:func:`donor_retention`): new, retained and recaptured givers as
    stacked bars above 0, lapsed givers below 0, and the retention rate written over each bar.
    """
    d = data.reset_index(drop=True)
    ax = new_axes(ax, height=3.8)
    pos = np.arange(len(d))
    bottom = np.zeros(len(d))
    parts = {"retained": "Fastholdte", "recaptured": "Genvundne", "new": "Nye"}
    colors = {"retained": PALETTE[2], "recaptured": PALETTE[9], "new": PALETTE[0]}
    for col, lab in parts.items():
        vals = d[col].to_numpy(dtype=float)
        ax.bar(pos, vals, bottom=bottom, color=colors[col], width=0.7, label=lab, zorder=2)
        bottom += vals
    lapsed = d["lapsed"].to_numpy(dtype=float)
    ax.bar(pos, -lapsed, color=PALETTE[3], width=0.7, label="Tabte (gav året før, ikke i år)", zorder=2)
    for p, top, rate in zip(pos, bottom, d["retention_rate"], strict=True):
        if pd.notna(rate):
            ax.annotate(
                fmt.percent(rate),
                (p, top),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set_xticks(pos, [str(y) for y in d["year"]])
    ax.yaxis.set_major_formatter(formatter(absolute_number))  # lapsed donors are drawn below 0
    top = max(float(bottom.max()) if len(bottom) else 1.0, 1.0)
    low = float(lapsed.max()) if len(lapsed) else 0.0
    ax.set_ylim(-low * 1.15 if low else -1, top * 1.18)
    ax.set_ylabel("Givere")
    ax.set_title(title or "Givere år for år (tal over søjlen: fastholdelsesgrad)", loc="left", fontsize=11)
    style_axes(ax)
    legend_below(ax, ncol=4)
    return ax


def pilot_pipeline_plot(data: pd.DataFrame, *, title: str = "", ax=None):
    """Pipeline of pilots and prøvehandlinger (:func:`pilot_pipeline`): one stacked horizontal bar
    per kind with the count in each status, in pipeline order (idé → stoppet).
    """
    ax = new_axes(ax, height=2.8)
    d = data.copy()
    d["kind"], d["status"] = d["kind"].astype(str), d["status"].astype(str)
    wide = d.pivot_table(index="kind", columns="status", values="n", aggfunc="sum", fill_value=0, observed=False)
    wide = wide.reindex(index=list(PILOT_KINDS)[::-1], columns=list(PILOT_STATUSES), fill_value=0)
    pos = np.arange(len(wide))
    left = np.zeros(len(wide))
    for status in PILOT_STATUSES:
        vals = wide[status].to_numpy(dtype=float)
        ax.barh(pos, vals, left=left, color=_STATUS_COLORS[status], height=0.6, label=STATUS_LABELS[status], zorder=2)
        for p, v, l0 in zip(pos, vals, left, strict=True):
            if v > 0:
                ax.annotate(
                    fmt.number(v),
                    (l0 + v / 2, p),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if status != "idé" else "#333333",
                )
        left += vals
    ax.set_yticks(pos, [KIND_LABELS.get(k, k) for k in wide.index])
    ax.xaxis.set_major_formatter(tick_formatter())
    ax.set_xlim(0, max(float(left.max()), 1.0) * 1.05)
    ax.set_xlabel("Antal")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax, grid="x")
    legend_below(ax, ncol=5)
    return ax


def survival_plot(
    data: pd.DataFrame,
    *,
    medians: pd.DataFrame | None = None,
    xlabel: str = "År efter start",
    ylabel: str = "Andel stadig i drift",
    title: str = "",
    ci: bool = True,
    ax=None,
):
    """Kaplan–Meier curves (:func:`enterprise_survival`, :func:`pilot_survival`): a step line per
    group with its confidence band, the 50 % line, and the median marked where it is reached.
    For business ideas pass e.g. ``ylabel="Andel ikke stoppet"``.
    """
    ax = new_axes(ax)
    for i, (grp, d) in enumerate(data.groupby("group", sort=False)):
        d = d.sort_values("time")
        color = PALETTE[i % len(PALETTE)]
        name = KIND_LABELS.get(grp, str(grp))
        n = int(d["n_risk"].iloc[0])
        ax.step(
            d["time"],
            d["survival"],
            where="post",
            color=color,
            linewidth=1.8,
            label=f"{name} (n={fmt.number(n)})",
            zorder=3,
        )
        if ci and len(d) > 1:
            ax.fill_between(d["time"], d["ci_low"], d["ci_high"], step="post", color=color, alpha=0.15, zorder=2)
        if medians is not None:
            m = medians.loc[medians["group"] == grp, "median"]
            if len(m) and pd.notna(m.iloc[0]):
                ax.plot([m.iloc[0]], [0.5], marker="o", color=color, zorder=4)
    ax.axhline(0.5, color=BASE, linestyle=":", linewidth=1, zorder=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(tick_formatter("percent"))
    ax.xaxis.set_major_formatter(tick_formatter("number", 0))
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax)
    legend_below(ax)
    return ax
