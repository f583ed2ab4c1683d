"""Plots for the report: each takes a tidy frame and keywords, accepts ``ax=None``, returns the Axes.

Figures are made with :class:`matplotlib.figure.Figure` directly (not pyplot), so a notebook shows
each once. Axes, colours (seaborn's colour-blind-safe palette) and the legend come from
:mod:`so_eval.plots.base`; labels are Danish; numbers use the Danish format; a target is always
drawn in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from so_eval import fmt
from so_eval.plots.base import ACCENT, BASE, PALETTE, TARGET, legend_below, new_axes, style_axes, tick_formatter

__all__ = ["category_bars", "share_by_unit", "stacked_bars", "trend_bars"]


def trend_bars(
    data: pd.DataFrame,
    *,
    x: str = "year",
    y: str,
    target: float | None = None,
    target_label: str = "Mål",
    highlight: object = None,
    period: tuple[int, int] | None = None,
    ylabel: str = "",
    title: str = "",
    percent: bool = False,
    masked: str = "–",
    ax=None,
):
    """Bars of ``y`` over ``x`` (years), the ``highlight`` year in the accent colour, the target
    as a dashed line, and the strategy ``period`` shaded. Missing (suppressed) values show as
    an empty slot marked with ``masked`` (e.g. "<5" for a suppressed count).
    """
    ax = new_axes(ax)
    xs = data[x].to_numpy()
    ys = pd.to_numeric(data[y], errors="coerce").to_numpy(dtype=float)
    colors = [ACCENT if v == highlight else BASE for v in xs]
    pos = np.arange(len(xs))
    if period is not None:
        _shade_period(ax, xs, period)
    frame = pd.DataFrame({"pos": [str(v) for v in xs], "value": np.nan_to_num(ys)})
    sns.barplot(
        data=frame,
        x="pos",
        y="value",
        hue="pos",
        palette=dict(zip(frame["pos"], colors, strict=True)),
        legend=False,
        width=0.7,
        saturation=1,
        ax=ax,
        zorder=2,
    )
    for p, v in zip(pos, ys, strict=True):
        label = (
            masked if np.isnan(v) else (fmt.percent(v) if percent else fmt.number(v, 0 if float(v).is_integer() else 1))
        )
        ax.annotate(
            label,
            (p, 0 if np.isnan(v) else v),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    if target is not None:
        ax.axhline(
            target,
            color=TARGET,
            linestyle="--",
            linewidth=1.5,
            zorder=3,
            label=f"{target_label}: {fmt.percent(target) if percent else fmt.number(target)}",
        )
        legend_below(ax)
    ax.set_xticks(pos, [str(v) for v in xs])
    ax.yaxis.set_major_formatter(tick_formatter("percent" if percent else "number"))
    top = np.nanmax(np.append(ys, target if target is not None else 0)) if len(ys) else 1
    ax.set_ylim(0, (top if np.isfinite(top) and top > 0 else 1) * 1.18)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax)
    return ax


def _shade_period(ax, xs: np.ndarray, period: tuple[int, int]) -> None:
    """The bars of the years in ``period`` on a grey ground, named in the top left corner."""
    inside = [i for i, v in enumerate(xs) if period[0] <= v <= period[1]]
    if inside:
        ax.axvspan(inside[0] - 0.5, inside[-1] + 0.5, color="#f2f2f2", zorder=0)
        ax.text(
            inside[0] - 0.45,
            1.0,
            f"Strategiperiode {period[0]}–{period[1]}",
            transform=ax.get_xaxis_transform(),
            va="top",
            fontsize=8,
            color="#555555",
        )


def stacked_bars(
    data: pd.DataFrame,
    *,
    x: str = "year",
    parts: dict[str, str],
    target: float | None = None,
    target_x: object = None,
    target_label: str = "Mål",
    total: str | None = None,
    ylabel: str = "",
    title: str = "",
    ax=None,
):
    """Stacked bars of the columns in ``parts`` (column → legend label) over ``x``; the target as a
    dashed line and, if ``target_x`` is given, a marker on the year the target should be reached.
    ``total`` (a column) is written above each bar.
    """
    ax = new_axes(ax)
    xs = data[x].to_numpy()
    pos = np.arange(len(xs))
    bottom = np.zeros(len(xs))
    for i, (col, lab) in enumerate(parts.items()):
        vals = data[col].to_numpy(dtype=float)
        ax.bar(pos, vals, bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.7, label=lab, zorder=2)
        bottom += vals
    tops = data[total].to_numpy(dtype=float) if total else bottom
    for p, v, b in zip(pos, tops, bottom, strict=True):
        ax.annotate(
            fmt.number(v), (p, b), ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points"
        )
    if target is not None:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.5, zorder=3)
        where = f" i {target_x}" if target_x is not None else ""
        ax.annotate(
            f"{target_label}: {fmt.number(target)}{where}",
            (0.0, target),
            xycoords=("axes fraction", "data"),
            ha="left",
            va="bottom",
            fontsize=8,
            color=TARGET,
            xytext=(2, 2),
            textcoords="offset points",
        )
        if target_x is not None and target_x in list(xs):
            ax.plot([list(xs).index(target_x)], [target], marker="D", color=TARGET, zorder=4)
    ax.set_xticks(pos, [str(v) for v in xs])
    ax.yaxis.set_major_formatter(tick_formatter())
    ax.set_ylim(0, max(np.nanmax(bottom), target or 0) * 1.2)
    ax.set_ylabel(ylabel)
    legend_below(ax, ncol=len(parts))
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax)
    return ax


def share_by_unit(
    data: pd.DataFrame,
    *,
    unit: str,
    share: str,
    n: str,
    reference: float | None = None,
    reference_label: str = "Alle aftaler",
    target: float | None = None,
    target_label: str = "Arbejdsmål",
    xlabel: str = "",
    title: str = "",
    ax=None,
):
    """Horizontal bars of a share per unit (e.g. agreement), sorted, with the number of citizens
    behind each bar, the overall share as a reference line and the target as a dashed line.
    Only units whose share may be published should be passed in.
    """
    d = data.sort_values(share)
    ax = new_axes(ax, height=max(2.5, 0.28 * len(d) + 1.2))
    pos = np.arange(len(d))
    ax.barh(pos, d[share].to_numpy(dtype=float), color=BASE, height=0.7, zorder=2)
    for p, v, k in zip(pos, d[share], d[n], strict=True):
        ax.annotate(
            f"{fmt.percent(v)} (n={fmt.number(k)})",
            (v, p),
            va="center",
            fontsize=7,
            xytext=(3, 0),
            textcoords="offset points",
        )
    if reference is not None:
        ax.axvline(
            reference, color="#555555", linewidth=1, zorder=3, label=f"{reference_label}: {fmt.percent(reference)}"
        )
    if target is not None:
        ax.axvline(
            target,
            color=TARGET,
            linestyle="--",
            linewidth=1.5,
            zorder=3,
            label=f"{target_label}: {fmt.percent(target)}",
        )
    if reference is not None or target is not None:
        legend_below(ax)
    ax.set_yticks(pos, list(d[unit]), fontsize=8)
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(tick_formatter("percent"))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax, grid="x")
    return ax


def category_bars(
    data: pd.DataFrame,
    *,
    category: str,
    value: str,
    xlabel: str = "",
    title: str = "",
    masked: str | None = None,
    ax=None,
):
    """Horizontal bars of counts by category in the given order; a suppressed count (NaN) is
    labelled with ``masked`` (e.g. "<5") and drawn as an empty bar.
    """
    ax = new_axes(ax, height=max(2.2, 0.32 * len(data) + 1.0))
    pos = np.arange(len(data))[::-1]
    vals = pd.to_numeric(data[value], errors="coerce").to_numpy(dtype=float)
    ax.barh(pos, np.nan_to_num(vals), color=BASE, height=0.7, zorder=2)
    for p, v in zip(pos, vals, strict=True):
        ax.annotate(
            masked if np.isnan(v) and masked else fmt.number(v),
            (0 if np.isnan(v) else v, p),
            va="center",
            fontsize=8,
            xytext=(3, 0),
            textcoords="offset points",
        )
    ax.set_yticks(pos, list(data[category]), fontsize=8)
    ax.xaxis.set_major_formatter(tick_formatter())
    ax.set_xlim(0, (np.nanmax(vals) if np.isfinite(np.nanmax(vals)) else 1) * 1.15 if len(vals) else 1)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    style_axes(ax, grid="x")
    return ax
