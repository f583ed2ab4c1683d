"""Corrections: every published figure can be recomputed and compared.

* :func:`corrections` — the report for year Y recomputes the figures published for Y−1 with
  today's data and lists each one that changed, with the old value, the new value and why:
  late registrations (rows first registered after the earlier report was made), corrected
  registrations (rows the earlier report saw that have since got a new version or were
  withdrawn, see :mod:`so_eval.data.model`), a changed counting rule (the code gives another value on
  the data as they stood then), a corrected row (the data as they stood then are not what the
  earlier report saw: the files were changed by hand), or a regrouping (a pooled "Øvrige" row
  whose members changed: a unit passed the threshold and is shown on its own, or fell below it).
* :func:`compare` — the figures of two figures files that differ (also used by
  :func:`so_eval.reproduce.reproduce`, which re-runs a published report from its manifest).
"""

from __future__ import annotations

import pandas as pd

from so_eval.data.dataset import WITHDRAWN, Dataset, latest_versions

REASONS = {
    "late": "sene registreringer",
    "corrected": "rettet registrering",
    "late_and_corrected": "sene registreringer og rettet registrering",
    "rule": "ændret tælleregel",
    "row": "rettet række",
    "rule_or_row": "ændret tælleregel eller rettet række",
    "regrouped": "omgruppering",
}
"""The reasons a figure changed (Danish, as the report shows them). A figure can have two, joined
by "og": one for the data as they stood then (rule, row, rule_or_row) and one for what happened
since (late, corrected, late_and_corrected, or regrouped, which says how many units moved)."""

POOLED_IDS = ("other", "oevrige")
"""Row ids of a table's pooled row ("Øvrige …", :func:`so_eval.disclosure.primary.pool_small` and
:func:`so_eval.disclosure.secondary.pool_unsafe`) as they stand in a figure's key ``{table}.{id}.{column}``."""


def compare(published: pd.DataFrame, reproduced: pd.DataFrame) -> pd.DataFrame:
    """Figures whose published and reproduced values differ (or that exist in only one).

    Both frames have the columns of ``figures.csv``; values are compared as published text.
    Returns key, label, published, reproduced (missing = "" where a key is absent).
    """
    a = published.set_index("key")[["value", "label"]]
    b = reproduced.set_index("key")[["value", "label"]]
    keys = a.index.union(b.index, sort=False)
    a, b = a.reindex(keys), b.reindex(keys)
    pub = a["value"].fillna("").astype(str)
    rep = b["value"].fillna("").astype(str)
    differ = (pub != rep) | a["value"].isna() | b["value"].isna()
    out = pd.DataFrame(
        {
            "key": keys,
            "label": a["label"].fillna(b["label"]).to_numpy(),
            "published": pub.to_numpy(),
            "reproduced": rep.to_numpy(),
        }
    )
    return out.loc[differ.to_numpy()].reset_index(drop=True)


def corrections(
    ds: Dataset,
    build,
    *,
    published: pd.DataFrame | None,
    published_on: str | pd.Timestamp,
    same_code: bool | None = None,
) -> pd.DataFrame:
    """Figures of an earlier report that have changed, and why.

    Parameters
    ----------
    ds
        Today's dataset.
    build
        ``build(dataset) -> Ledger``: the earlier report's figures from a dataset (its year and
        parameters fixed by the caller).
    published
        The published ``figures.csv`` of the earlier report, or None if there is none (then the
        figures it would have published are recomputed from the data as they stood on
        ``published_on``).
    published_on
        The date the earlier report was made.
    same_code
        Whether the code is the version that made the earlier report (from its manifest), or
        None if unknown.

    Returns
    -------
    DataFrame with key, label, published, now, reason (Danish), late_rows (rows first registered
    after ``published_on`` in the tables the figure is built from — all tables here),
    corrected_rows (rows known on ``published_on`` that have a new version or were withdrawn
    since).

    Notes
    -----
    A figure whose value on the data as known on ``published_on`` is not the published one was
    changed by the code (a changed counting rule, when ``same_code`` is False) or by hand (the
    files, when ``same_code`` is True). A figure whose value on the data as known then differs
    from today's changed because of what was registered since. If rows were corrected since, the
    figure is also computed on the data with the late registrations but without the
    corrections: if that gives today's value, the late registrations did it ("sene
    registreringer"); if it gives the value as known then, the corrections did it ("rettet
    registrering"); else both did. A pooled row ("Øvrige …") whose table shows other units on
    their own now than when it was published has changed members: "omgruppering", with how many
    units moved out of and into it (:func:`regrouped`).
    """
    then = ds.as_known_on(published_on)
    then_fig = build(then).frame()
    now_fig = build(ds).frame()
    base = published if published is not None else then_fig
    changed = compare(base, now_fig)
    columns = ["key", "label", "published", "now", "reason", "late_rows", "corrected_rows"]
    if changed.empty:
        return pd.DataFrame(columns=columns)
    then_vals = then_fig.set_index("key")["value"].astype(str)
    late_rows = sum(late_registrations(ds, published_on).values())
    corrected_rows = sum(sum(c.values()) for c in corrected_registrations(ds, published_on).values())
    uncorrected = None
    if corrected_rows:
        uncorrected = build(without_corrections(ds, published_on)).frame().set_index("key")["value"].astype(str)
    moved = regrouped(base, now_fig)
    reasons = [_reason(r, then_vals.get(r.key, ""), uncorrected, moved, same_code) for r in changed.itertuples()]
    out = changed.rename(columns={"reproduced": "now"})
    out["reason"] = reasons
    out["late_rows"] = late_rows
    out["corrected_rows"] = corrected_rows
    return out[columns]


def _reason(r, then: str, uncorrected: pd.Series | None, moved: dict, same_code: bool | None) -> str:
    """Why the figure ``r`` (a row of :func:`compare`) changed, given its value on the data as
    known then, the values without the corrections since (None if there were none), the pooled
    tables whose members moved (:func:`regrouped`) and whether the code is the same."""
    parts = []
    if then != r.published:  # the data as they stood then do not give the published value
        parts.append(
            REASONS["row"] if same_code is True else REASONS["rule"] if same_code is False else REASONS["rule_or_row"]
        )
    table = pooled_table(r.key)
    if table in moved:
        parts.append(_regrouped_text(*moved[table]))
    elif then != r.reproduced:  # what was registered since did it
        u = None if uncorrected is None else uncorrected.get(r.key, "")
        parts.append(
            REASONS["late"]
            if u is None or u == r.reproduced
            else REASONS["corrected"]
            if u == then
            else REASONS["late_and_corrected"]
        )
    return " og ".join(parts)


def pooled_table(key: str) -> str | None:
    """The table a pooled row's figure belongs to (``goal1.by_enterprise`` for
    ``goal1.by_enterprise.other.jobs``), or None if ``key`` is not a pooled row's."""
    parts = key.split(".")
    return ".".join(parts[:-2]) if len(parts) >= 3 and parts[-2] in POOLED_IDS else None


def shown_units(figures: pd.DataFrame, table: str) -> set[str]:
    """The units a table with a pooled row shows on their own (their ids as in the keys
    ``{table}.{id}.{column}``); the others are in the pooled row or not in the table."""
    rest = figures["key"].loc[figures["key"].str.startswith(f"{table}.")].str[len(table) + 1 :].str.split(".")
    return {p[0] for p in rest if len(p) == 2 and p[0] not in POOLED_IDS}


def regrouped(published: pd.DataFrame, now: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Tables with a pooled row ("Øvrige …") whose members changed between two figures files.

    Rule: a table's pooled row holds the units it does not show on their own, so its members
    changed when the table shows other units now than it did: a unit shown now but not then has
    moved out of the pooled row (it passed the threshold, or is new), a unit shown then but not
    now has moved into it. Only tables with a pooled row in one of the files are looked at.

    Returns
    -------
    dict
        Table → (units moved out of the pooled row, units moved into it), for the tables whose
        members changed.
    """
    tables = {t for t in map(pooled_table, pd.concat([published["key"], now["key"]])) if t is not None}
    out = {}
    for table in sorted(tables):
        before, after = shown_units(published, table), shown_units(now, table)
        if before != after:
            out[table] = (len(after - before), len(before - after))
    return out


def _regrouped_text(moved_out: int, moved_in: int) -> str:
    """``omgruppering: 2 enheder flyttet ud af Øvrige``."""

    def units(n: int) -> str:
        return f"{n} {'enhed' if n == 1 else 'enheder'}"

    parts = ([f"{units(moved_out)} flyttet ud af"] if moved_out else []) + (
        [f"{units(moved_in)} flyttet ind i"] if moved_in else []
    )
    return f"{REASONS['regrouped']}: {' og '.join(parts)} Øvrige"


def _known_on(ds: Dataset, name: str, after: pd.Timestamp) -> pd.Series | None:
    """For each row of ``ds[name]``, whether its key had a version registered on or before
    ``after`` (None if the table holds one version of each row: then a row's own registration
    date says it)."""
    if name not in ds.history:
        return None
    key = list(ds.version_keys[name])
    h = ds.history[name]
    known = _key_index(h.loc[h["registered"] <= after], key)
    return pd.Series(_key_index(ds.tables[name], key).isin(known), index=ds.tables[name].index)


def _key_index(df: pd.DataFrame, key: list[str]) -> pd.Index:
    return pd.MultiIndex.from_frame(df[key]) if len(key) > 1 else pd.Index(df[key[0]])


def corrected_registrations(ds: Dataset, after: str | pd.Timestamp) -> dict[str, dict[str, int]]:
    """Rows known on ``after`` that have since got a new version, per table: ``corrected`` (the
    latest version is a correction) and ``withdrawn`` (the row was withdrawn). Only tables with
    such rows are listed."""
    after = pd.Timestamp(after)
    out = {}
    for name, h in ds.history.items():
        key = list(ds.version_keys[name])
        old = h.loc[h["registered"] <= after]
        new = h.loc[h["registered"] > after]
        if not len(old) or not len(new):
            continue
        keys = _key_index(new, key).unique()
        keys = keys[keys.isin(_key_index(old, key))]  # known then, changed since
        if not len(keys):
            continue
        last = h.sort_values("registered", kind="stable").drop_duplicates(key, keep="last")
        n_withdrawn = int(keys.isin(_key_index(last.loc[last[WITHDRAWN]], key)).sum())  # latest: a withdrawal
        out[name] = {"corrected": len(keys) - n_withdrawn, "withdrawn": n_withdrawn}
    return out


def without_corrections(ds: Dataset, after: str | pd.Timestamp) -> Dataset:
    """``ds`` with the rows first registered after ``after`` (late registrations) but every row
    known on ``after`` as it was known then: the data without the corrections made since."""
    after = pd.Timestamp(after)
    tables, history = dict(ds.tables), {}
    for name, h in ds.history.items():
        key = list(ds.version_keys[name])
        known = _key_index(h.loc[h["registered"] <= after], key)
        keep = (h["registered"] <= after).to_numpy() | ~_key_index(h, key).isin(known)
        history[name] = h.loc[keep]
        tables[name] = latest_versions(history[name], key)
    return Dataset(
        tables=tables,
        path=ds.path,
        file_hashes=ds.file_hashes,
        as_of=ds.as_of,
        history=history,
        version_keys=ds.version_keys,
    )


EVENT_DATES = {
    "jobs": "start",
    "courses": "start",
    "progression": "date",
    "enterprises": "founded",
    "agreements": "start",
}
"""The date each table's rows describe (for counting late registrations)."""


def late_registrations(ds: Dataset, after: str | pd.Timestamp) -> dict[str, int]:
    """Rows first registered after ``after`` that describe something that happened on or before
    it (jobs, courses, step events, enterprises, agreements), per table: the late registrations
    an earlier report could not see (a later version of a row known then is a correction, not a
    late registration: :func:`corrected_registrations`)."""
    after = pd.Timestamp(after)
    out = {}
    for name, col in EVENT_DATES.items():
        df = ds.tables.get(name)
        if df is None or not len(df):
            continue
        late = (df["registered"] > after) & (df[col] <= after)
        known = _known_on(ds, name, after)
        if known is not None:
            late &= ~known
        out[name] = int(late.sum())
    return out
