"""Pieces the screening modules share: input checks, level tags, flags, runs, baselines and
Holm's correction."""

from __future__ import annotations

import numpy as np
import pandas as pd


def require_columns(data: pd.DataFrame, *cols: str | None) -> None:
    """Raise unless ``data`` is a DataFrame holding every named column (``None`` is skipped)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in cols if c is not None and c not in data.columns]
    if missing:
        raise KeyError(f"columns not found in data: {missing}")


def level_tag(level: float) -> str:
    """The column suffix of a coverage level: 0.95 -> '95', 0.998 -> '998', 0.8 -> '80'."""
    if not 0 < level < 1:
        raise ValueError(f"confidence levels must be in (0, 1), got {level!r}")
    return f"{level * 100:.10g}".replace(".", "")


def is_integer_valued(x: np.ndarray) -> bool:
    """Whether every value is a whole number (to within 1e-9)."""
    return bool(np.all(np.isclose(x, np.round(x), rtol=0, atol=1e-9)))


def flags_outside(rate: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """``"high"`` above ``upper``, ``"low"`` below ``lower``, else ``None`` (an object array)."""
    out = np.full(rate.shape, None, dtype=object)
    out[rate > upper] = "high"
    out[rate < lower] = "low"
    return out


def run_lengths(side: np.ndarray, *, skip_zero: bool) -> tuple[np.ndarray, np.ndarray]:
    """Run id and run length for each point of a sequence of sides (+1, -1, 0).

    With ``skip_zero=True`` (Anhøj) points with side 0 neither belong to a run nor
    break one. With ``skip_zero=False`` (Shewhart) a point with side 0 ends the run.
    Points with side 0 get run id -1 and run length 0.
    """
    run_id = np.full(side.shape, -1, dtype=int)
    current, last_side = -1, 0
    for i, s in enumerate(side):
        if s == 0:
            if not skip_zero:
                last_side = 0
            continue
        if s != last_side:
            current += 1
            last_side = s
        run_id[i] = current
    lengths = np.zeros(side.shape, dtype=int)
    if current >= 0:
        counts = np.bincount(run_id[run_id >= 0], minlength=current + 1)
        lengths[run_id >= 0] = counts[run_id[run_id >= 0]]
    return run_id, lengths


def baseline_count(baseline: int | None, n_rows: int, minimum: int = 1) -> int:
    """The number of first points a centre line is computed from (all if ``baseline`` is None)."""
    if baseline is None:
        return n_rows
    if isinstance(baseline, (bool, np.bool_)) or not isinstance(baseline, (int, np.integer)):
        raise TypeError("baseline must be an int: the number of first points (in time order)")
    if baseline < minimum:
        raise ValueError(f"baseline must be at least {minimum}, got {baseline}")
    return min(int(baseline), n_rows)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (as ``statsmodels``' ``multipletests(method="holm")``,
    which also calls ``gc.collect()`` — a third of a second in a report's kernel).

    The k-th smallest of m p-values is multiplied by m − k + 1; the running maximum keeps the
    order; values are capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = adjusted
    return out
