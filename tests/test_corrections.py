"""Why a published figure changed: late registrations, corrected rows, a changed counting rule and
regrouping (a unit moving out of or into a pooled "Øvrige" row), on a small hand-made dataset.

The figures are built here by a small report of our own (courses per agreement, pooled with the
report's own tools), so the answers do not depend on the annual report's counting rules.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from so_eval import disclosure, fmt, load
from so_eval.annual import OTHER, AnnualReport
from so_eval.annual.corrections import REASONS, corrections, pooled_table, regrouped
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col, ledger_table
from tiny import TABLES, write_tiny

REPORTED = "2025-01-15"  # the day the report for 2024 was made
MIN_COURSES = 3  # agreements with fewer courses started in the year are pooled in "Øvrige"

AGREEMENTS = """agreement_id,enterprise_id,start,end,places,target_groups,steps_offered,price,registered
A1,E1,2020-01-01,,5,kontanthjælp,afklaring;praktik,100000,2019-12-15
A2,E1,2020-01-01,,5,kontanthjælp,afklaring;praktik,100000,2019-12-15
A3,E1,2020-01-01,,5,kontanthjælp,afklaring;praktik,100000,2019-12-15
A4,E1,2020-01-01,,5,kontanthjælp,afklaring;praktik,100000,2019-12-15
A5,E1,2020-01-01,,5,kontanthjælp,afklaring;praktik,100000,2019-12-15
"""
CITIZENS = "citizen_id,birth_year,gender,target_group,origin,registered\n" + "".join(
    f"C{i},1980,k,kontanthjælp,dansk,2019-01-01\n" for i in range(1, 13)
)
# Courses started in 2024, as known on the report date: A1 3 (shown), A2 2, A3 2, A4 1, A5 1
# (pooled: 6 in "Øvrige"). K1 ended in drop-out in 2024, K2 completed in 2024.
COURSES = """course_id,citizen_id,agreement_id,start,end,start_step,end_step,end_status,registered
K1,C1,A1,2024-02-01,2024-06-30,afklaring,afklaring,frafald,2024-02-02
K2,C2,A1,2024-02-01,2024-09-30,afklaring,praktik,praktik,2024-02-02
K3,C3,A1,2024-03-01,,afklaring,,,2024-03-02
K4,C4,A2,2024-03-01,,afklaring,,,2024-03-02
K5,C5,A2,2024-04-01,,afklaring,,,2024-04-02
K6,C6,A3,2024-04-01,,afklaring,,,2024-04-02
K7,C7,A3,2024-05-01,,afklaring,,,2024-05-02
K8,C8,A4,2024-05-01,,afklaring,,,2024-05-02
K9,C9,A5,2024-06-01,,afklaring,,,2024-06-02
"""
# after the report: K10 (A2) and K11 (A3), started in 2024, registered late; K1's end corrected
# to 2025 (a new version of the row, the old one kept)
LATE = """K10,C10,A2,2024-11-01,,afklaring,,,2025-02-01
K11,C11,A3,2024-12-01,,afklaring,,,2025-02-01
"""
K1_CORRECTED = "K1,C1,A1,2024-02-01,2025-01-31,afklaring,afklaring,frafald,2025-03-01\n"


def _header(table: str) -> str:
    return TABLES[table].split("\n", 1)[0] + "\n"


def dataset(folder, courses: str):
    return load(
        write_tiny(
            folder,
            agreements=AGREEMENTS,
            citizens=CITIZENS,
            courses=courses,
            progression=_header("progression"),
            jobs=_header("jobs"),
            learnings=None,
        )
    )


def build(ds, *, old_rule: bool = False) -> Ledger:
    """Courses started in 2024, per agreement (fewer than 3 pooled in "Øvrige"); courses ended in
    2024; and courses completed in 2024: ended, not in drop-out (the old rule: every ended one)."""
    c = ds.courses
    ledger = Ledger(min_cell=1)
    started = c.loc[c["start"].dt.year == 2024]
    ended = c.loc[c["end"].dt.year == 2024]
    completed = ended if old_rule else ended.loc[ended["end_status"] != "frafald"]
    ledger.count("courses.started", len(started), "Forløb startet i 2024", "forløb")
    ledger.count("courses.ended", len(ended), "Forløb afsluttet i 2024", "forløb")
    ledger.count("courses.completed", len(completed), "Forløb gennemført i 2024", "forløb")
    d = started.groupby("agreement_id").size().rename("n").reset_index()
    d, _ = disclosure.pool_small(
        d, id_col="agreement_id", basis="n", min_cell=MIN_COURSES, other_id="other", sum_cols=["n"]
    )
    ledger_table(
        ledger,
        d,
        key="courses.by_agreement",
        id_col="agreement_id",
        id_label="Aftale",
        cols=[Col("n", "Forløb startet", unit="forløb")],
        protect_totals=False,
    )
    return ledger


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """The corrections of the report for 2024: published with the old counting rule of
    "completed", recomputed with the new one (another code version) on today's data."""
    ds = dataset(tmp_path_factory.mktemp("corrections"), COURSES + LATE + K1_CORRECTED)
    published = build(ds.as_known_on(REPORTED), old_rule=True).frame()
    return corrections(ds, build, published=published, published_on=REPORTED, same_code=False).set_index("key")


def test_regrouping_two_agreements_leave_the_pooled_row(table):
    # published: A2 (2) and A3 (2) were pooled with A4 (1) and A5 (1): Øvrige = 6. The late K10 and
    # K11 bring A2 and A3 to 3 each: shown on their own now, and Øvrige = A4 + A5 = 2, though none
    # of A4's and A5's rows changed
    row = table.loc["courses.by_agreement.other.n"]
    assert (row["published"], row["now"]) == ("6", "2")
    assert row["reason"] == "omgruppering: 2 enheder flyttet ud af Øvrige"
    # the two agreements shown on their own now were not in the published table: late registrations
    for a in ("a2", "a3"):
        assert table.loc[f"courses.by_agreement.{a}.n", ["published", "now", "reason"]].tolist() == [
            "",
            "3",
            REASONS["late"],
        ]
    assert "courses.by_agreement.a1.n" not in table.index  # 3 then, 3 now


def test_a_late_registration(table):
    # started in 2024: K1-K9 as known then = 9; K10 and K11 registered late: 11
    assert table.loc["courses.started", ["published", "now", "reason"]].tolist() == ["9", "11", REASONS["late"]]
    assert (table["late_rows"] == 2).all()


def test_a_corrected_row(table):
    # ended in 2024: K1 and K2 as known then = 2; K1's end corrected to 2025: 1. Without the
    # correction (but with K10 and K11, which have not ended) it would still be 2: the correction did it
    assert table.loc["courses.ended", ["published", "now", "reason"]].tolist() == ["2", "1", REASONS["corrected"]]
    assert (table["corrected_rows"] == 1).all()


def test_a_changed_counting_rule(table):
    # completed in 2024, published with the old rule (every ended course): K1 + K2 = 2. The new rule
    # leaves out drop-outs: on the data as they stood then it gives K2 = 1, not the published 2, and
    # today it gives 1 as well (K1's correction moves a drop-out, which no longer counts)
    assert table.loc["courses.completed", ["published", "now", "reason"]].tolist() == ["2", "1", REASONS["rule"]]


def test_a_rule_change_and_a_late_registration_are_both_named(tmp_path):
    # courses started in 2024 were published as 8 (by another rule); the data as they stood then
    # give 9 under today's rule (K1-K9), and today's data 11 (K10 and K11 registered late)
    ds = dataset(tmp_path / "d", COURSES + LATE)
    published = build(ds.as_known_on(REPORTED)).frame()
    published.loc[published["key"] == "courses.started", "value"] = "8"
    t = corrections(ds, build, published=published, published_on=REPORTED, same_code=False).set_index("key")
    assert t.loc["courses.started", "reason"] == f"{REASONS['rule']} og {REASONS['late']}"
    # the same code: the data as they stood then were changed by hand
    t = corrections(ds, build, published=published, published_on=REPORTED, same_code=True).set_index("key")
    assert t.loc["courses.started", "reason"] == f"{REASONS['row']} og {REASONS['late']}"


def test_regrouped_counts_units_moving_both_ways():
    def figures(*keys):
        return pd.DataFrame({"key": list(keys), "value": "1"})

    published = figures("t.a.n", "t.b.n", "t.b.share", "t.other.n", "u.x.n")
    now = figures("t.a.n", "t.c.n", "t.d.n", "t.other.n", "t.other.share", "u.y.n")
    # t: b moved into Øvrige, c and d out of it; u has no pooled row: not looked at
    assert regrouped(published, now) == {"t": (2, 1)}
    assert regrouped(published, published) == {}
    assert pooled_table("t.other.n") == "t" and pooled_table("t.a.n") is None and pooled_table("other.n") is None
    # the annual report's pooled rows: "other" (pool_small) and OTHER (pool_unsafe), as keyed
    assert pooled_table("goal1.by_enterprise.other.jobs") == "goal1.by_enterprise"
    assert pooled_table(f"goal1.by_job_type.{fmt.slug(OTHER)}.jobs") == "goal1.by_job_type"


def test_regrouping_moving_into_the_pooled_row(tmp_path):
    # no published file: the figures as known then (A1 3 on its own, Øvrige 6). K3's start is
    # corrected to 2023, which leaves A1 with 2 (K1, K2): A1 moves into Øvrige, which becomes 6 + 2 = 8
    k3 = "K3,C3,A1,2023-03-01,,afklaring,,,2025-03-01\n"
    ds = dataset(tmp_path / "d", COURSES + k3)
    t = corrections(ds, build, published=None, published_on=REPORTED).set_index("key")
    assert t.loc["courses.by_agreement.other.n", ["published", "now", "reason"]].tolist() == [
        "6",
        "8",
        "omgruppering: 1 enhed flyttet ind i Øvrige",
    ]
    assert t.loc["courses.by_agreement.a1.n", ["published", "now", "reason"]].tolist() == [
        "3",
        "",
        REASONS["corrected"],
    ]


def test_the_corrections_text_explains_regrouping():
    ledger = Ledger()
    ledger.value("corrections.count", 1, "Tal ændret", "antal")
    report = SimpleNamespace(
        year=2025,
        corrections_source="beregnet",
        corrections_date=REPORTED,
        late_rows={},
        corrected_rows={},
        f=lambda k: ledger[k].display,
        corrections=pd.DataFrame({"key": ["x.other.n"], "reason": ["omgruppering: 2 enheder flyttet ud af Øvrige"]}),
    )
    text = AnnualReport._corrections_text(report)
    assert "uden at nogen af gruppens rækker er ændret (omgruppering)" in text
    report.corrections = pd.DataFrame({"key": ["x.n"], "reason": [REASONS["late"]]})
    assert "omgruppering" not in AnnualReport._corrections_text(report)
