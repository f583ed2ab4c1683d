"""The demo's fundraising: a donor history whose retention is planted year by year between 40 % and
50 %, rejections, undecided applications at the end, unsolicited (often digital) donations, and from
2022 a professional fundraiser paid no-cure-no-pay (see :mod:`so_eval.demo.value`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from so_eval.data.model_value import GIVER_TYPES
from so_eval.demo.dates import active_window, random_date, random_days

RETENTION_RANGE = (0.40, 0.50)
FEE_RANGE = (0.10, 0.15)
FUNDRAISER_FROM = 2022

_PURPOSES = ("drift", "projekt", "udstyr", "arrangement", "lokaler", "kompetenceudvikling")
_GIVER_P = (0.25, 0.25, 0.35, 0.08, 0.07)
_GIFT_SIZE = {  # DKK: (log-mean, log-sd, lower, upper)
    "fond": (np.log(80_000), 0.7, 10_000, 600_000),
    "virksomhed": (np.log(12_000), 0.7, 1_000, 100_000),
    "privatperson": (np.log(600), 0.8, 50, 10_000),
    "offentlig pulje": (np.log(150_000), 0.6, 20_000, 800_000),
    "forening": (np.log(6_000), 0.6, 1_000, 40_000),
}


def _gift_amount(rng: np.random.Generator, giver_type: str) -> float:
    mu, sd, lo, hi = _GIFT_SIZE[giver_type]
    step = 50 if giver_type == "privatperson" else 1000
    return float(np.clip(round(float(rng.lognormal(mu, sd)) / step) * step, lo, hi))


def fundraising_table(rng, ent, years, extract) -> tuple[pd.DataFrame, dict]:
    """The ``fundraising`` table of the enterprises ``ent`` over ``years`` and what was planted in it."""
    history = _DonorHistory(rng, ent, years, extract)
    for year in years:
        history.give(year)
        history.reject(year)
    history.leave_undecided(years[-1])
    fr = history.table()
    return fr, history.truth(fr)


class _DonorHistory:
    """The fundraising rows of the demo, year by year: gifts from givers retained, recaptured and
    new at the planted rates, rejected applications, and applications still undecided at the end."""

    def __init__(self, rng, ent, years, extract):
        self.rng, self.years, self.extract = rng, years, extract
        self.fee_rate = round(float(rng.uniform(*FEE_RANGE)) * 200) / 200  # to the half per cent
        self.giver_type: dict[str, str] = {}
        self.home: dict[str, str] = {}
        self.givers_by_year: dict[int, set[str]] = {}
        self.targets: dict[int, float] = {}
        self.rows: list[dict] = []
        self.ent_by_id = {e.enterprise_id: e for e in ent.itertuples()}
        self.active = {y: [e.enterprise_id for e in ent.itertuples() if active_window(e, y) is not None] for y in years}

    def new_giver(self, kind: str | None = None) -> str:
        gid = f"G{len(self.giver_type) + 1:04d}"
        self.giver_type[gid] = kind or str(self.rng.choice(GIVER_TYPES, p=_GIVER_P))
        return gid

    def _givers(self, year: int) -> set[str]:
        """The year's givers: those of last year retained at a planted rate, earlier ones recaptured, new ones."""
        rng, first = self.rng, self.years[0]
        prev = self.givers_by_year.get(year - 1, set())
        before = set().union(*[self.givers_by_year.get(y, set()) for y in range(first, year - 1)]) - prev
        givers: set[str] = set()
        if prev:
            target = round(float(rng.uniform(*RETENTION_RANGE)), 3)
            k = round(target * len(prev))
            givers |= set(rng.choice(sorted(prev), size=k, replace=False))
            self.targets[year] = target
        recaptured = [gid for gid in sorted(before) if rng.random() < 0.12]
        givers |= set(recaptured)
        n_new = 45 if year == first else int(rng.integers(28, 42)) + 2 * (year - first)
        givers |= {self.new_giver() for _ in range(n_new)}
        return givers

    def give(self, year: int) -> None:
        """The year's givers and their gifts (one to three)."""
        rng = self.rng
        givers = self._givers(year)
        self.givers_by_year[year] = givers
        for gid in sorted(givers):
            if self.giver_type[gid] == "privatperson":
                n_gifts = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
            else:
                n_gifts = 1 if rng.random() < 0.85 else 2
            for _ in range(n_gifts):
                self.gift(gid, year)

    def gift(self, gid: str, year: int) -> None:
        """One gift of ``gid`` in ``year`` to its enterprise: an application granted, or a donation."""
        rng, kind = self.rng, self.giver_type[gid]
        candidates = self.active[year]
        eid = self.home.get(gid)
        if eid not in candidates:
            eid = str(rng.choice(candidates))
            self.home[gid] = eid
        lo, hi = active_window(self.ent_by_id[eid], year)
        when = random_date(rng, lo, hi)
        amount = _gift_amount(rng, kind)
        p_digital = min(0.95, {"privatperson": 0.6, "virksomhed": 0.35}.get(kind, 0.45) + 0.04 * (year - self.years[0]))
        applies = kind in ("fond", "offentlig pulje") or (kind in ("virksomhed", "forening") and rng.random() < 0.5)
        if applies:
            submitted = max(when - random_days(rng, 20, 120), self.ent_by_id[eid].founded)
            applied = float(np.ceil(amount / float(rng.uniform(0.6, 1.0)) / 1000) * 1000)
            via = bool(
                kind in ("fond", "offentlig pulje") and submitted.year >= FUNDRAISER_FROM and rng.random() < 0.35
            )
            self.rows.append(
                _row(
                    rng,
                    eid,
                    gid,
                    kind,
                    submitted,
                    when,
                    applied,
                    amount,
                    rng.random() < p_digital,
                    via,
                    self.fee_rate,
                    self.extract,
                )
            )
        else:
            self.rows.append(
                _row(
                    rng,
                    eid,
                    gid,
                    kind,
                    when,
                    pd.NaT,
                    np.nan,
                    amount,
                    rng.random() < p_digital,
                    False,
                    self.fee_rate,
                    self.extract,
                )
            )

    def _asking(self) -> list[str]:
        return [gid for gid, t in sorted(self.giver_type.items()) if t in ("fond", "offentlig pulje")]

    def reject(self, year: int) -> None:
        """Rejected applications: to foundations and public pools, some of them giving in other years."""
        rng = self.rng
        asking = self._asking()
        for eid in self.active[year]:
            for _ in range(int(rng.poisson(1.2))):
                gid = str(rng.choice(asking)) if asking and rng.random() < 0.6 else self.new_giver("fond")
                lo, hi = active_window(self.ent_by_id[eid], year)
                when = random_date(rng, lo, hi)
                submitted = max(when - random_days(rng, 20, 120), self.ent_by_id[eid].founded)
                applied = _gift_amount(rng, self.giver_type[gid]) * 1.5
                via = bool(submitted.year >= FUNDRAISER_FROM and rng.random() < 0.35)
                self.rows.append(
                    _row(
                        rng,
                        eid,
                        gid,
                        self.giver_type[gid],
                        submitted,
                        when,
                        applied,
                        0.0,
                        rng.random() < 0.6,
                        via,
                        self.fee_rate,
                        self.extract,
                    )
                )

    def leave_undecided(self, last: int) -> None:
        """Applications still awaiting a decision at the end of ``last``."""
        rng = self.rng
        asking = self._asking()
        for eid in self.active[last]:
            if rng.random() < 0.35:
                gid = str(rng.choice(asking))
                submitted = random_date(rng, pd.Timestamp(last, 9, 1), pd.Timestamp(last, 12, 15))
                self.rows.append(
                    _row(
                        rng,
                        eid,
                        gid,
                        self.giver_type[gid],
                        submitted,
                        pd.NaT,
                        _gift_amount(rng, self.giver_type[gid]) * 1.3,
                        np.nan,
                        rng.random() < 0.7,
                        bool(rng.random() < 0.35),
                        self.fee_rate,
                        self.extract,
                    )
                )

    def table(self) -> pd.DataFrame:
        """The ``fundraising`` table, in order of submission, with its application ids."""
        fr = pd.DataFrame(self.rows).sort_values(["submitted", "enterprise_id", "giver_id"], kind="stable")
        fr.insert(0, "application_id", [f"FR{i:05d}" for i in range(1, len(fr) + 1)])
        return fr.reset_index(drop=True)

    def truth(self, fr: pd.DataFrame) -> dict:
        """What was planted: donor retention and flows year by year, the fundraiser's amounts and fees."""
        years, first, givers_by_year = self.years, self.years[0], self.givers_by_year
        retention, flows = {}, {}
        for year in years[1:]:
            prev, cur = givers_by_year[year - 1], givers_by_year[year]
            ever_before = set().union(*[givers_by_year[y] for y in range(first, year)])
            retention[str(year)] = round(len(prev & cur) / len(prev), 6)
            flows[str(year)] = {
                "givers": len(cur),
                "new": len(cur - ever_before),
                "retained": len(prev & cur),
                "recaptured": len((cur & ever_before) - prev),
                "lapsed": len(prev - cur),
            }
        gift_year = fr["decided"].fillna(fr["submitted"]).dt.year
        via = fr.loc[fr["via_fundraiser"] & (fr["granted"] > 0)]
        via_year = gift_year.loc[via.index]
        return {
            "donor_retention": retention,
            "donor_retention_target": {str(k): v for k, v in self.targets.items()},
            "donor_flows": flows,
            "givers_per_year": {str(y): len(givers_by_year[y]) for y in years},
            "fundraiser": {
                "from_year": FUNDRAISER_FROM,
                "fee_rate": self.fee_rate,
                "granted_via_fundraiser": {str(y): float(via.loc[via_year == y, "granted"].sum()) for y in years},
                "fees": {str(y): float(via.loc[via_year == y, "fee"].sum()) for y in years},
            },
            "applications_undecided": int(fr["decided"].isna().sum() - fr["applied"].isna().sum()),
        }


def _row(rng, eid, gid, kind, submitted, decided, applied, granted, digital, via, fee_rate, extract) -> dict:
    event = decided if pd.notna(decided) else submitted
    fee = float(round(fee_rate * granted)) if via and pd.notna(granted) and granted > 0 else 0.0
    return {
        "enterprise_id": eid,
        "giver_id": gid,
        "giver_type": kind,
        "purpose": str(rng.choice(_PURPOSES)) if kind != "privatperson" else "donation",
        "submitted": submitted,
        "decided": decided,
        "applied": float(applied) if pd.notna(applied) else np.nan,
        "granted": float(granted) if pd.notna(granted) else np.nan,
        "digital": bool(digital),
        "via_fundraiser": bool(via),
        "fee": float(fee),
        "registered": min(event + random_days(rng, 0, 20), extract),
    }
