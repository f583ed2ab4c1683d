"""The attacker: tries to work out a count of 1 to ``min_cell - 1`` persons from what a report
publishes (``figures.csv`` and the HTML), as someone who reads the report and its figures file
would. Used by tests/test_disclosure_attack.py (and test_report.py on a real report run); the
lead can run :func:`recover_small_counts` on any generated dataset's report.

What the attacker knows, besides what is shown:

* a ``<5`` count holds 1 to ``min_cell - 1``, a ``×`` count at least ``min_cell`` (both as
  :mod:`so_eval.disclosure.secondary` assumes), a count is a whole number ≥ 0, a share's numerator lies between
  0 and its denominator;
* how the report's figures hang together, read from their keys and captions (:func:`relations`):
  a share is numerator ÷ denominator (and ``figures.csv`` gives it to six decimals, so a shown
  share with a shown denominator shows its numerator), table columns add up to totals shown
  elsewhere (jobs by job type add up to the jobs of the year), grouped columns add up to a row
  total (the end statuses of an agreement's ended courses), and a part of a shown whole gives
  the complement away (ended − progressed).

Attacks, all at once by linear programming over every hidden quantity
(``scipy.optimize.linprog``: the smallest and largest value each can take given every relation
and every bound): a count (or complement) whose range is a single value of 1 to
``min_cell - 1`` is recovered. Besides: person counts of 1 to ``min_cell - 1`` shown in
``figures.csv``, in the HTML's tables (columns of persons) or in its sentences (year-over-year
"fra X i 2023 til Y i 2024", "N borgere/forløb/deltagere/givere").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

PERSON_UNITS = {"borgere", "forløb"}
BIG = 10**7

Relation = tuple[list[str], list[str]]
"""``(parts, totals)``: the parts add up to the totals."""
Row = dict[int, float]
"""A linear constraint: coefficient per quantity (its number in :class:`_Quantities`)."""
Shares = dict[str, tuple[str | None, str]]
"""Share key → (numerator count key or None, denominator count key)."""


@dataclass(frozen=True)
class Recovery:
    """A count of 1 to ``min_cell - 1`` worked out from the publication."""

    what: str  # a figure key, a derived quantity ("a − b") or where in the HTML
    value: int
    how: str  # shown | share × denominator | complement | linear relations | table | sentence


# -- reading the publication -----------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


class _Cells:
    """The published figures as the attacker sees them: a known value or bounds per key."""

    def __init__(self, figures: pd.DataFrame, min_cell: int):
        self.m = min_cell
        self.unit = dict(zip(figures["key"], figures["unit"], strict=True))
        self.raw = dict(zip(figures["key"], figures["value"].astype(str), strict=True))
        self.label = dict(zip(figures["key"], figures["label"].astype(str), strict=True))
        supp = figures["suppressed"]
        if supp.dtype != bool:
            supp = supp.astype(str).str.lower() == "true"
        self.hidden = dict(zip(figures["key"], supp, strict=True))

    def __contains__(self, key: str) -> bool:
        return key in self.unit

    def known(self, key: str) -> float | None:
        if key not in self.unit or self.hidden[key]:
            return None
        return _number(self.raw[key])

    def bounds(self, key: str) -> tuple[float, float]:
        """Bounds of a hidden count (or a shown one: its value twice)."""
        v = self.known(key)
        if v is not None:
            return v, v
        raw = self.raw.get(key, "")
        if self.unit.get(key) == "andel":
            return 0.0, 1.0
        if raw.startswith("<"):
            return 1.0, self.m - 1.0
        if raw == "×":  # hidden to protect another: at least min_cell if it counts persons
            return (float(self.m) if self.unit.get(key) in PERSON_UNITS else 0.0), float(BIG)
        return 0.0, float(BIG)


# -- the attacker's knowledge of the report ----------------------------------------------------


def _year(cells: _Cells) -> int | None:
    years = [int(k.rsplit(".", 1)[1]) for k in cells.unit if re.fullmatch(r"goal1\.jobs\.\d{4}", k)]
    return max(years) if years else None


def _rows(cells: _Cells, prefix: str, col: str) -> list[str]:
    """Row ids of table ``prefix`` that have column ``col`` (keys ``prefix.{row}.{col}``)."""
    pat = re.compile(re.escape(prefix) + r"\.([^.]+)\." + re.escape(col) + "$")
    return [m.group(1) for k in cells.unit if (m := pat.match(k))]


def shares(cells: _Cells) -> dict[str, tuple[str | None, str]]:
    """Share key → (numerator count key or None, denominator count key), as a reader of the
    report can tell from the captions."""
    y = _year(cells)
    out: dict[str, tuple[str | None, str]] = {
        "goal2.progressed_share": ("goal2.progressed", "goal2.courses_ended"),
        "goal2.citizens_progressed_share": ("goal2.citizens_progressed", "goal2.citizens_ended"),
        "goal2.dropout_share": ("goal2.dropped_out", "goal2.courses_ended"),
        "goal2.youth_education_share": ("goal2.youth_education", "goal2.youth_ended"),
        "value.donors.retention_rate": ("value.donors.retained", "value.donors.givers_prev"),
        "value.donors.repeat_share": ("value.donors.repeat_givers", "value.donors.givers"),
    }
    for k in cells.unit:
        if m := re.fullmatch(r"goal2\.progressed_share\.(\d{4})", k):
            out[k] = (None, f"goal2.courses_ended.{m.group(1)}")
        elif m := re.fullmatch(r"goal2\.citizens_progressed_share\.(\d{4})", k):
            out[k] = (None, f"goal2.citizens_ended.{m.group(1)}")
        elif m := re.fullmatch(r"goal1\.by_source\.([^.]+)\.share", k):
            out[k] = (f"goal1.by_source.{m.group(1)}.citizens", "goal1.jobs")
        elif m := re.fullmatch(r"(goal2\.(?:period_)?agreement\.[^.]+)\.(progressed|dropout|[a-zæøå ]+)_share", k):
            out[k] = (None, f"{m.group(1)}.ended")
        elif m := re.fullmatch(r"goal2\.end_status\.([^.]+)\.share", k):
            out[k] = (f"goal2.end_status.{m.group(1)}.n", "goal2.courses_ended")
        elif m := re.fullmatch(r"value\.sroi\.mix\.([^.]+)\.share", k):
            out[k] = (f"value.sroi.mix.{m.group(1)}.n", "value.sroi.participants_priced")
        elif m := re.fullmatch(r"value\.donors\.year\.(\d{4})\.retention_rate", k):
            yy = int(m.group(1))
            out[k] = (f"value.donors.year.{yy}.retained", f"value.donors.year.{yy - 1}.givers")
        elif m := re.fullmatch(r"(unexpected\.funnel\.[^.]+\.[^.]+\.[^.]+)\.rate", k):
            out[k] = (None, f"{m.group(1)}.n")
        elif m := re.fullmatch(r"unexpected\.yoy\.goal2\.dropout_share\.(previous|current)", k):
            if y is not None:
                yy = y - 1 if m.group(1) == "previous" else y
                out[k] = (None, f"goal2.courses_ended.{yy}")
        elif m := re.fullmatch(r"(effects\.groups\.[^.]+)\.(women|young)", k):
            out[k] = (None, f"{m.group(1)}.n")
    return {k: (num if num in cells else None, den) for k, (num, den) in out.items() if k in cells and den in cells}


def _column(cells: _Cells, prefix: str, col: str) -> list[str]:
    """Keys of column ``col`` of table ``prefix``, one per row."""
    return [f"{prefix}.{r}.{col}" for r in _rows(cells, prefix, col)]


def _numerator(share: str) -> str:
    """The name of a share's numerator in the relations."""
    return f"{share}#num"


def _goal1_relations(cells: _Cells, y: int | None) -> list[Relation]:
    """Goal 1's jobs split by job type, target group and where the citizen's course stood."""
    rel: list[Relation] = []
    # jobs split by job type and by target group add up to the year's jobs (one job per citizen)
    for by in ("job_type", "target_group"):
        rel.append((_column(cells, f"goal1.by_{by}", "jobs"), ["goal1.jobs"]))
    if y is not None and f"goal1.jobs.{y}" in cells:
        rel.append((["goal1.jobs"], [f"goal1.jobs.{y}"]))
    # goal 1's citizens by where their course stood add up to goal 1
    rel.append((_column(cells, "goal1.by_source", "citizens"), ["goal1.jobs"]))
    return rel


def _goal2_relations(cells: _Cells, y: int | None) -> list[Relation]:
    """Goal 2's courses of the year: by agreement and by end status, and the period's
    agreements by end status."""
    num = _numerator
    rel: list[Relation] = []
    if y is not None and f"goal2.citizens_ended.{y}" in cells:
        rel.append((["goal2.citizens_ended"], [f"goal2.citizens_ended.{y}"]))
        rel.append(([num("goal2.citizens_progressed_share")], [num(f"goal2.citizens_progressed_share.{y}")]))
    # the agreements of the year (small ones pooled) add up to the year's figures
    agr = "goal2.agreement"
    rel.append((_column(cells, agr, "started"), ["goal2.courses_started"]))
    rel.append((_column(cells, agr, "ended"), ["goal2.courses_ended"]))
    rel.append(([num(k) for k in _column(cells, agr, "progressed_share")], ["goal2.progressed"]))
    rel.append(([num(k) for k in _column(cells, agr, "dropout_share")], ["goal2.dropped_out"]))
    if y is not None and f"goal2.courses_ended.{y}" in cells:
        rel.append((["goal2.courses_ended"], [f"goal2.courses_ended.{y}"]))
        rel.append(([num("goal2.progressed_share")], [num(f"goal2.progressed_share.{y}")]))
    # where citizens are after the course: the statuses add up to the ended courses
    rel.append((_column(cells, "goal2.end_status", "n"), ["goal2.courses_ended"]))
    # each agreement's ended courses over the period, split by end status
    per = "goal2.period_agreement"
    for r in _rows(cells, per, "ended"):
        parts = [
            num(k)
            for k in cells.unit
            if k.startswith(f"{per}.{r}.") and k.endswith("_share") and not k.endswith("progressed_share")
        ]
        rel.append((parts, [f"{per}.{r}.ended"]))
    return rel


def _period_relations(cells: _Cells) -> list[Relation]:
    """The strategy period's jobs and ended courses, this year's jobs in the three bottom lines
    and the steps of the year's ended courses."""
    num = _numerator
    per = "goal2.period_agreement"
    rel: list[Relation] = []
    # jobs by enterprise over the strategy period (each citizen once), and this year's in the
    # three bottom lines
    rel.append((_column(cells, "goal1.by_enterprise", "jobs"), ["goal1.jobs.period"]))
    rel.append((["value.jobs_period"], ["goal1.jobs.period"]))
    rel.append((_column(cells, "value.bottom_lines.enterprise", "jobs"), ["goal1.jobs"]))
    # the steps at start and end of the year's ended courses
    rel.append(([k for k in cells.unit if k.startswith("goal2.transition.")], ["goal2.courses_ended"]))
    # the agreements' ended courses over the strategy period (its years from the caption)
    period = re.search(r"(\d{4})–(\d{4})", cells.label.get("value.jobs_period", ""))
    if period:
        years = range(int(period.group(1)), int(period.group(2)) + 1)
        rel.append((_column(cells, per, "ended"), [f"goal2.courses_ended.{yy}" for yy in years]))
        rel.append(
            (
                [num(k) for k in _column(cells, per, "progressed_share")],
                [num(f"goal2.progressed_share.{yy}") for yy in years],
            )
        )
    return rel


def _value_relations(cells: _Cells) -> list[Relation]:
    """Gifts by type of giver, the business case's participants and the givers' flows."""
    rel: list[Relation] = []
    # gifts by type of giver add up to the year's gifts (a giver may be a private person)
    rel.append((_column(cells, "value.fundraising.giver_type", "gifts"), ["value.fundraising.gifts"]))
    # the business case's new participants by target group
    rel.append((_column(cells, "value.sroi.mix", "n"), ["value.sroi.participants_priced"]))
    # givers: new + retained + recaptured = givers; retained + lapsed = givers the year before
    d = "value.donors"
    rel.append(([f"{d}.new", f"{d}.retained", f"{d}.recaptured"], [f"{d}.givers"]))
    rel.append(([f"{d}.retained", f"{d}.lapsed"], [f"{d}.givers_prev"]))
    for r in _rows(cells, f"{d}.year", "givers"):
        k = f"{d}.year.{r}"
        rel.append(([f"{k}.new", f"{k}.retained", f"{k}.recaptured"], [f"{k}.givers"]))
        prev = f"{d}.year.{int(r) - 1}.givers"
        if prev in cells:
            rel.append(([f"{k}.retained", f"{k}.lapsed"], [prev]))
    return rel


def _repeat_relations(cells: _Cells, y: int | None) -> list[Relation]:
    """Figures of the report year shown twice: the givers' year table, the year-over-year
    findings and the value section's citizens."""
    if y is None:
        return []
    d = "value.donors"
    rel: list[Relation] = []
    if f"{d}.year.{y}.givers" in cells:
        for c in ("givers", "new", "retained", "recaptured", "lapsed"):
            rel.append(([f"{d}.{c}"], [f"{d}.year.{y}.{c}"]))
    # the year-over-year findings repeat the year's figures
    for when, yy in (("previous", y - 1), ("current", y)):
        rel.append(([f"unexpected.yoy.goal1.jobs.{when}"], [f"goal1.jobs.{yy}"]))
    rel.append(([_numerator("unexpected.yoy.goal2.dropout_share.current")], [_numerator("goal2.dropout_share")]))
    rel.append((["unexpected.yoy.goal2.courses_started.current"], ["goal2.courses_started"]))
    if f"value.year.{y}.citizens" in cells:
        rel.append((["value.citizens_served"], [f"value.year.{y}.citizens"]))
    return rel


def relations(cells: _Cells) -> list[Relation]:
    """Linear relations ``sum(parts) = sum(totals)`` between the report's counts (a share's
    numerator is written ``{share key}#num``), as a reader can tell them from the captions and
    counting rules. Each holds for the report's own numbers (tested on the demo)."""
    y = _year(cells)
    rel = (
        _goal1_relations(cells, y)
        + _goal2_relations(cells, y)
        + _period_relations(cells)
        + _value_relations(cells)
        + _repeat_relations(cells, y)
    )
    return [(p, t) for p, t in rel if p and all(_present(cells, k) for k in p + t) and p != t]


def parts_of(cells: _Cells) -> list[tuple[str, str]]:
    """(part, whole) pairs of counts: the complement whole − part is a count of persons too."""
    pairs = [
        ("goal2.progressed", "goal2.courses_ended"),
        ("goal2.dropped_out", "goal2.courses_ended"),
        ("goal2.progressed_step", "goal2.progressed"),
        ("goal2.progressed_hours", "goal2.progressed"),
        ("goal2.dropped_out_progressed", "goal2.dropped_out"),
        ("goal2.citizens_progressed", "goal2.citizens_ended"),
        ("goal2.youth_education", "goal2.youth_ended"),
        ("value.sroi.participants_priced", "value.sroi.participants"),
        ("value.donors.repeat_givers", "value.donors.givers"),
    ]
    for col in ("jobs_during", "jobs_after"):
        for r in _rows(cells, "goal2.agreement", col):
            pairs.append((f"goal2.agreement.{r}.{col}", f"goal2.agreement.{r}.ended"))
    for share, (_num, den) in shares(cells).items():
        pairs.append((f"{share}#num", den))
    return [(a, b) for a, b in pairs if _present(cells, a) and _present(cells, b)]


def _present(cells: _Cells, key: str) -> bool:
    return key.split("#")[0] in cells


# -- the attack --------------------------------------------------------------------------------


_SHARE_TOL = 5e-7  # figures.csv rounds a share to six decimals


class _Quantities:
    """The quantities of the attack by name, numbered in the order they are first met."""

    def __init__(self):
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, k: str) -> int:
        if k not in self.index:
            self.index[k] = len(self.names)
            self.names.append(k)
        return self.index[k]


def _constraints(cells: _Cells, share_of: Shares) -> tuple[_Quantities, list[Row], list[Row]]:
    """Every quantity and constraint the attacker knows of: equalities ``sum(coef × var) = 0``
    and inequalities ``sum(coef × var) ≤ 0``."""
    var = _Quantities()
    eqs: list[Row] = []  # sum(coef × var) = 0
    ineqs: list[Row] = []  # sum(coef × var) ≤ 0
    tol = _SHARE_TOL
    for share, (num_key, den) in share_of.items():
        n_var = var(f"{share}#num")
        if num_key is not None:
            eqs.append({n_var: 1.0, var(num_key): -1.0})
        s = cells.known(share)
        if s is not None:  # (s − tol) × den ≤ num ≤ (s + tol) × den
            ineqs.append({n_var: 1.0, var(den): -(s + tol)})
            ineqs.append({n_var: -1.0, var(den): s - tol})
    for parts, totals in relations(cells):
        row: Row = {}
        for k in parts:
            row[var(k)] = row.get(var(k), 0.0) + 1.0
        for k in totals:
            row[var(k)] = row.get(var(k), 0.0) - 1.0
        eqs.append(row)
    for part, whole in parts_of(cells):  # complement = whole − part ≥ 0
        c = var(f"{whole} − {part}")
        eqs.append({c: 1.0, var(whole): -1.0, var(part): 1.0})
    return var, eqs, ineqs


def _linked_groups(free_var: np.ndarray, rows: list[Row]) -> list[list[int]]:
    """The connected sets of hidden quantities (union-find over the constraints); a shown
    quantity links nothing: only the hidden ones are joined."""
    parent = list(range(len(free_var)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in rows:
        vs = [v for v in row if free_var[v]]
        for v in vs[1:]:
            parent[find(v)] = find(vs[0])
    groups: dict[int, list[int]] = {}
    for i in np.flatnonzero(free_var):
        groups.setdefault(find(int(i)), []).append(int(i))
    return list(groups.values())


def _matrix(rows: list[Row], pos: dict[int, int]):
    """``A`` and ``b`` of ``rows`` over the quantities numbered by ``pos`` (None, None when no rows)."""
    a = np.zeros((len(rows), len(pos)))
    for r, row in enumerate(rows):
        for v, coef in row.items():
            a[r, pos[v]] += coef
    return (a, np.zeros(len(rows))) if rows else (None, None)


def _how(k: str, cells: _Cells, share_of: Shares) -> str:
    """How a recovered quantity gives itself away."""
    if " − " in k:
        return "complement"
    base = k.split("#")[0]
    if "#" in k and base in share_of and cells.known(base) is not None and cells.known(share_of[base][1]) is not None:
        return "share × denominator"
    return "linear relations"


def _solve_group(free: list[int], eqs: list[Row], ineqs: list[Row], lo: np.ndarray, hi: np.ndarray, min_cell: int):
    """(quantity number, value) of each quantity in ``free`` whose smallest and largest value
    are the same count of 1 to ``min_cell - 1``."""
    from scipy.optimize import linprog

    free_set = set(free)
    rows_eq = [r for r in eqs if free_set & r.keys()]
    rows_ub = [r for r in ineqs if free_set & r.keys()]
    members = sorted(free_set.union(*[r.keys() for r in rows_eq + rows_ub]))
    pos = {v: j for j, v in enumerate(members)}
    a_eq, b_eq = _matrix(rows_eq, pos)
    a_ub, b_ub = _matrix(rows_ub, pos)
    bounds = [(lo[v], hi[v]) for v in members]
    found = []
    for i in free:
        c = np.zeros(len(members))
        c[pos[i]] = 1.0
        r_lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if r_lo.status != 0:
            break  # infeasible: the attacker's model does not fit these figures; nothing learnt
        v_lo = math.ceil(r_lo.fun - 1e-4)
        if not 0 < v_lo < min_cell:
            continue
        r_hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if r_hi.status != 0:
            continue
        if v_lo == math.floor(-r_hi.fun + 1e-4):
            found.append((i, int(v_lo)))
    return found


def _solve(cells: _Cells, min_cell: int) -> list[Recovery]:
    """Bounds of every quantity by linear programming over all relations at once (each set of
    quantities linked by relations is solved on its own)."""
    share_of = shares(cells)
    var, eqs, ineqs = _constraints(cells, share_of)
    nv = len(var.names)
    if not nv:
        return []
    lo = np.zeros(nv)
    hi = np.full(nv, float(BIG))
    for k, i in var.index.items():
        if "#" not in k and " − " not in k:
            lo[i], hi[i] = cells.bounds(k)
    out = []
    for free in _linked_groups(lo != hi, eqs + ineqs):
        for i, value in _solve_group(free, eqs, ineqs, lo, hi, min_cell):
            k = var.names[i]
            out.append(Recovery(k, value, _how(k, cells, share_of)))
    return out


_PERSON_WORDS = r"(?:borgere|borger|forløb|deltagere|deltager|givere|giver|unge)"


def _html_parts(html: str):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    tables = soup.find_all("table")
    parsed = []
    for t in tables:
        head = [th.get_text(" ", strip=True) for th in t.find_all("th")]
        rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in t.find_all("tr")]
        parsed.append((head, [r for r in rows if r]))
        t.decompose()
    for tag in soup.find_all(["script", "style", "pre", "code"]):
        tag.decompose()
    return parsed, soup.get_text(" ", strip=False)


def _int(text: str) -> int | None:
    t = text.replace(".", "").replace("\u00a0", " ").strip()
    return int(t) if re.fullmatch(r"\d+", t) else None


_PERSON_HEADERS = re.compile(
    r"borgere|forløb|deltagere|givere|^startet$|^afsluttet$|^i job$|^nye|^fastholdte|"
    r"^genvundne|^tabte|^antal$",
    re.IGNORECASE,
)


def recover_small_counts(figures: pd.DataFrame, html: str, min_cell: int = 5) -> list[Recovery]:
    """Every count of 1 to ``min_cell - 1`` persons the attacker can work out from a report.

    Parameters
    ----------
    figures
        ``figures.csv`` as read by :func:`so_eval.reporting.ledger.read_figures` (or a ledger's
        :meth:`~so_eval.reporting.ledger.Ledger.frame`).
    html
        The published HTML (or the report's sections rendered to HTML).
    min_cell
        The report's threshold.

    Returns
    -------
    list of Recovery
        Empty when nothing below the threshold can be worked out.
    """
    cells = _Cells(figures, min_cell)
    out: list[Recovery] = []
    # shown counts of persons
    for k, unit in cells.unit.items():
        v = cells.known(k)
        if unit in PERSON_UNITS and v is not None and 0 < v < min_cell:
            out.append(Recovery(k, int(v), "shown"))
    out += _solve(cells, min_cell)
    # the HTML: tables (columns of persons) and sentences
    tables, text = _html_parts(html)
    for head, rows in tables:
        for j, h in enumerate(head):
            if j == 0 or not _PERSON_HEADERS.search(h):
                continue
            for r in rows:
                v = _int(r[j]) if j < len(r) else None
                if v is not None and 0 < v < min_cell:
                    out.append(Recovery(f"table «{h}», row «{r[0]}»", v, "table"))
    text = re.sub(r"\s+", " ", text)
    for m in re.finditer(r"fra (\d[\d.]*) i (\d{4}) til (\d[\d.]*) i (\d{4})", text):
        for g in (1, 3):
            v = _int(m.group(g))
            if v is not None and 0 < v < min_cell:
                out.append(Recovery(f"sentence «{m.group(0)}»", v, "sentence"))
    for m in re.finditer(
        r"(?<![\d,.–])(?<!til )(\d+) (?:(?:afsluttede|startede|nye|unge|fastholdte|genvundne) )?"
        + _PERSON_WORDS
        + r"\b",
        text,
    ):
        v = _int(m.group(1))
        if re.search(r"lineær trend|[Ff]remskriv", text[max(0, m.start() - 80) : m.start()]):
            continue  # a projection is a model's number for a future year, not a count of persons
        if v is not None and 0 < v < min_cell:
            out.append(Recovery(f"sentence «{text[max(0, m.start() - 40) : m.end() + 20]}»", v, "sentence"))
    return out


def report_html(report) -> str:
    """An annual report's sections rendered to HTML in-process (Markdown by mistune, which
    nbconvert uses; tables as the notebook shows them), for the attacker."""
    import mistune

    from so_eval.annual import SECTION_METHODS

    parts = []
    for name in SECTION_METHODS:
        for kind, part in getattr(report, name)().parts:
            if kind == "md":
                parts.append(mistune.html(part))
            elif kind == "table":
                parts.append(part._repr_html_())
    return "\n".join(parts)


def relation_errors(ledger) -> list[str]:
    """The attacker's relations checked on a report's true numbers (the in-process ledger keeps
    the value of a hidden figure): every relation that does not hold, for the tests."""
    frame = pd.DataFrame(
        [
            {"key": f.key, "value": f.value, "unit": f.unit, "label": f.label, "suppressed": False}
            for f in ledger.figures.values()
        ]
    )
    cells = _Cells(frame.astype({"value": str}), ledger.min_cell)
    truth = {f.key: f.value for f in ledger.figures.values()}
    share_of = shares(cells)

    def val(k: str) -> float:
        base = k.split("#")[0]
        if k.endswith("#num"):
            s, den = truth[base], val(share_of[base][1])
            return float(s) * den if s is not None and not (isinstance(s, float) and math.isnan(s)) else 0.0
        v = truth[base]
        return float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else 0.0

    errors = []
    for parts, totals in relations(cells):
        lhs, rhs = sum(val(k) for k in parts), sum(val(k) for k in totals)
        if abs(lhs - rhs) > 1e-3:
            errors.append(f"{parts} = {lhs} ≠ {totals} = {rhs}")
    for share, (num, den) in share_of.items():
        if num is not None and abs(val(f"{share}#num") - val(num)) > 1e-3:
            errors.append(f"{share} × {den} ≠ {num}")
    for part, whole in parts_of(cells):
        if val(part) > val(whole) + 1e-6:
            errors.append(f"{part} > {whole}")
    return errors
