"""Plots for effect measurement: love plot, propensity overlap, event study, estimates side by side.

Each takes a tidy frame (or a result) and keywords, accepts ``ax=None`` and returns the Axes.
Danish labels, the Danish number format and seaborn's colour-blind-safe palette.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval.glossary import category_label
from so_eval.plots.base import A4_WIDTH, ACCENT, BASE, PALETTE, TARGET, legend_below, new_axes, tick_formatter


def love_plot(
    balance: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    threshold: float = 0.1,
    title: str = "Balance før og efter justering",
    ax=None,
):
    """Absolute standardised mean differences per covariate, before (○) and after (●)
    adjustment, with the usual 0.1 threshold as a dashed line."""
    d = balance.copy()
    d["name"] = [_covariate_label(c, labels) for c in d.index]
    d = d.iloc[np.argsort(-d["smd_before"].abs().to_numpy())][::-1]
    ax = new_axes(ax, height=max(2.8, 0.3 * len(d) + 1.3))
    pos = np.arange(len(d))
    ax.hlines(pos, d["smd_after"].abs(), d["smd_before"].abs(), color="#cccccc", zorder=1)
    ax.scatter(d["smd_before"].abs(), pos, facecolors="white", edgecolors=BASE, s=36, zorder=2, label="Før justering")
    ax.scatter(d["smd_after"].abs(), pos, color=ACCENT, s=36, zorder=3, label="Efter justering")
    ax.axvline(
        threshold,
        color=TARGET,
        linestyle="--",
        linewidth=1.2,
        label=f"Grænse for god balance ({fmt.number(threshold, 1)})",
    )
    ax.set_yticks(pos, d["name"], fontsize=8)
    ax.set_xlabel("Absolut standardiseret forskel i gennemsnit")
    ax.xaxis.set_major_formatter(tick_formatter(decimals=2))
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    legend_below(ax, ncol=3)
    return ax


def _covariate_label(name: str, labels: dict[str, str] | None) -> str:
    labels = labels or {}
    if "[T." in name:
        base, level = name.split("[T.", 1)
        return f"{labels.get(base, base)}: {category_label(level.rstrip(']'))}"
    return labels.get(name, name)


def overlap_plot(
    data: pd.DataFrame,
    *,
    ps: str = "ps",
    treated: str = "treated",
    title: str = "Sandsynlighed for deltagelse (propensity score)",
    ax=None,
):
    """Histograms of the fitted propensity score (column ``ps``) for participants and the
    comparison group (column ``treated``: 1 or 0), one row per unit."""
    ax = new_axes(ax)
    bins = np.linspace(0, 1, 41)
    score, is_treated = np.asarray(data[ps]), np.asarray(data[treated]).astype(bool)
    ax.hist(score[~is_treated], bins=bins, density=True, alpha=0.6, color=BASE, label="Sammenligningsgruppe")
    ax.hist(score[is_treated], bins=bins, density=True, alpha=0.6, color=ACCENT, label="Deltagere")
    ax.set_xlabel("Estimeret sandsynlighed for at deltage")
    ax.set_ylabel("Tæthed")
    ax.xaxis.set_major_formatter(tick_formatter("percent"))
    ax.yaxis.set_major_formatter(tick_formatter(decimals=1))
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    legend_below(ax)
    return ax


def event_study_plot(
    data: pd.DataFrame,
    *,
    x: str = "event_time",
    y: str = "att",
    low: str = "ci_low",
    high: str = "ci_high",
    anticipation: int = 0,
    truth: pd.DataFrame | None = None,
    xlabel: str = "Kvartaler i forhold til start (0 = startkvartalet)",
    ylabel: str = "Effekt (procentpoint)",
    title: str = "Effekt kvartal for kvartal",
    ax=None,
):
    """Estimates by event time with a shaded 95 % confidence band, zero line, and (optionally)
    the window before entry used as reference (``anticipation`` quarters) shaded."""
    ax = new_axes(ax)
    d = data.sort_values(x)
    xs = d[x].to_numpy()
    if anticipation:
        ax.axvspan(
            -anticipation - 0.5,
            -0.5,
            color="#f2f2f2",
            zorder=0,
            label=f"Udvælgelsesvindue ({anticipation} kvartaler før start)",
        )
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.fill_between(xs, 100 * d[low], 100 * d[high], color=BASE, alpha=0.2, linewidth=0, label="95 % konfidensinterval")
    ax.plot(xs, 100 * d[y], marker="o", color=BASE, label="Estimat")
    if truth is not None:
        ax.plot(truth[x], 100 * truth[y], color=TARGET, linestyle="--", label="Sand effekt (simuleret)")
    ax.set_xticks(xs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(tick_formatter(decimals=0))
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    legend_below(ax, ncol=2)
    return ax


def estimates_plot(
    data: pd.DataFrame,
    *,
    label: str = "label",
    est: str = "att",
    low: str = "ci_low",
    high: str = "ci_high",
    highlight: str | None = None,
    title: str = "Estimater med 95 % konfidensinterval",
    ax=None,
):
    """Point estimates with intervals, one row per method (a forest plot), in percentage points."""
    d = data.reset_index(drop=True)
    ax = new_axes(ax, height=max(2.4, 0.45 * len(d) + 1.2))
    pos = np.arange(len(d))[::-1]
    for p, (_, r) in zip(pos, d.iterrows(), strict=True):
        color = ACCENT if highlight is not None and r[label] == highlight else BASE
        ax.plot([100 * r[low], 100 * r[high]], [p, p], color=color, linewidth=2)
        ax.plot([100 * r[est]], [p], marker="o", color=color)
        ax.annotate(
            f"{fmt.number(100 * r[est], 1)} ({fmt.number(100 * r[low], 1)} til {fmt.number(100 * r[high], 1)})",
            (100 * r[high], p),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(pos, d[label], fontsize=9)
    ax.set_xlabel("Effekt (procentpoint)")
    ax.xaxis.set_major_formatter(tick_formatter(decimals=0))
    lo, hi = 100 * d[low].min(), 100 * d[high].max()
    ax.set_xlim(min(lo, 0) - 1, hi + (hi - min(lo, 0)) * 0.6 + 1)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    return ax


__all__ = ["A4_WIDTH", "PALETTE", "estimates_plot", "event_study_plot", "love_plot", "overlap_plot"]
