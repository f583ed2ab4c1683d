"""No count of 1 to min_cell − 1 citizens can be worked out from what the annual report publishes.

The attacker (tests/attack.py) reads figures.csv and the HTML and tries every way the issue
names: share × denominator (figures.csv has six decimals, the HTML rounds: both give the
numerator), a total minus the visible parts of a table (rows and columns), the complement of a
shown pair (ended − progressed), and the numbers in sentences (year over year). It is run on the
demo report and on small hand-made datasets full of small counts; first it is shown to find what
a careless report gives away, so that its silence means something.
"""

from __future__ import annotations

import html as html_module
from pathlib import Path

import pandas as pd
import pytest

from attack import Recovery, recover_small_counts, relation_errors, report_html
from so_eval import config, load
from so_eval.annual import AnnualReport
from so_eval.disclosure import secondary as sdc
from so_eval.params import ReportParams, read_params
from so_eval.reporting.ledger import Ledger


def _figures(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """A figures.csv by hand: (key, value as published, unit)."""
    return pd.DataFrame(
        [{"key": k, "value": v, "unit": u, "label": k, "suppressed": v in ("<5", "×", "–")} for k, v, u in rows]
    )


# -- the attacker finds what a careless report gives away ---------------------------------------


def test_the_attacker_works_a_small_count_back_from_a_share_and_its_denominator():
    # the example: dropped out = 0,1 × 10 ended = 1, although the count itself says <5
    figs = _figures(
        [
            ("goal2.courses_ended", "10", "forløb"),
            ("goal2.dropped_out", "<5", "forløb"),
            ("goal2.dropout_share", "0.1", "andel"),
        ]
    )
    found = recover_small_counts(figs, "", 5)
    assert Recovery("goal2.dropout_share#num", 1, "share × denominator") in found
    assert any(r.what == "goal2.dropped_out" and r.value == 1 for r in found)
    # 0,9 × 10 gives the complement away: 1 did not drop out
    figs = _figures([("goal2.courses_ended", "10", "forløb"), ("goal2.dropout_share", "0.9", "andel")])
    assert [r.value for r in recover_small_counts(figs, "", 5) if r.how == "complement"] == [1]


def test_the_attacker_works_out_the_complement_of_a_shown_pair():
    figs = _figures([("goal2.courses_ended", "10", "forløb"), ("goal2.progressed", "7", "forløb")])
    assert recover_small_counts(figs, "", 5) == [Recovery("goal2.courses_ended − goal2.progressed", 3, "complement")]


def test_the_attacker_subtracts_the_visible_parts_from_the_total():
    figs = _figures(
        [
            ("goal1.jobs", "20", "borgere"),
            ("goal1.by_job_type.a.jobs", "10", "borgere"),
            ("goal1.by_job_type.b.jobs", "7", "borgere"),
            ("goal1.by_job_type.c.jobs", "<5", "borgere"),
        ]
    )
    assert recover_small_counts(figs, "", 5) == [Recovery("goal1.by_job_type.c.jobs", 3, "linear relations")]
    # with a second hidden cell ("×": at least 5) the small one is 1 to 3 or ... not determined
    figs.loc[1, ["value", "suppressed"]] = ["×", True]
    assert recover_small_counts(figs, "", 5) == []


def test_the_attacker_reads_small_counts_in_sentences_and_tables():
    html = (
        "<p>Antallet af borgere i job steg fra 3 i 2023 til 13 i 2024 — mere end tilfældigheder "
        "forklarer.</p><p>I alt 2 borgere kom i job.</p><p>Tal fra 1 til 4 borgere vises som «&lt;5».</p>"
        "<table><thead><tr><th>Aftale</th><th>Borgere i job</th><th>Pladser</th></tr></thead>"
        "<tbody><tr><td>SA1</td><td>4</td><td>3</td></tr></tbody></table>"
    )
    found = recover_small_counts(_figures([("goal1.jobs", "13", "borgere")]), html, 5)
    assert sorted((r.how, r.value) for r in found) == [("sentence", 2), ("sentence", 3), ("table", 4)]


def test_the_attacker_reads_a_small_count_shown_in_figures_csv():
    figs = _figures([("x.n", "3", "borgere"), ("x.enterprises", "3", "virksomheder")])
    assert recover_small_counts(figs, "", 5) == [Recovery("x.n", 3, "shown")]


# -- the rules that stop it ------------------------------------------------------------------------


def test_a_table_hides_a_share_whose_complement_is_small_and_protects_its_row():
    # one agreement's ended courses by end status: 6 in job, 1 in praktik (shares of 7)
    data = pd.DataFrame({"id": ["a", "b"], "ended": [7, 20], "job": [6, 10], "praktik": [1, 10]})
    data["job_share"], data["praktik_share"] = data["job"] / data["ended"], data["praktik"] / data["ended"]
    hidden = sdc.protect_table(
        data,
        counts=["ended"],
        shares={"job_share": ("job", "ended"), "praktik_share": ("praktik", "ended")},
        groups=[(["job_share", "praktik_share"], "ended")],
        min_cell=5,
        totals=False,
    ).hidden
    # 1 of 7 is small (the share's own rule), 6 of 7 has a small complement (its own rule too);
    # with both shares hidden the row total 7 = x + y (x ≥ 5, 1 ≤ y ≤ 4) leaves x in 5..6: safe
    assert hidden["job_share"].tolist() == [False, False] and hidden["praktik_share"].tolist() == [False, False]
    led = Ledger(min_cell=5)
    assert led.share("a.job", 6, 7, "").why == "reveals" and led.share("a.praktik", 1, 7, "").why == "reveals"
    assert not led.share("b.job", 10, 20, "").suppressed


def test_a_part_of_a_shown_whole_is_hidden_when_the_difference_is_small():
    data = pd.DataFrame({"ended": [10, 10, 10], "jobs": [7, 5, 10]})
    hidden = sdc.protect_table(
        data, counts=["ended", "jobs"], within={"jobs": "ended"}, min_cell=5, totals=False
    ).hidden
    assert hidden["jobs"].tolist() == [True, False, False]  # 10 − 7 = 3 would be given away
    assert hidden["ended"].tolist() == [False, False, False]


def test_a_share_column_is_protected_against_its_total_like_a_column_of_counts():
    # progressed per agreement: 2 of 10 (hidden: small), 10 of 20 and 12 of 20 (shown); the
    # progressed total is published, so 2 = total − 10 − 12: one more share must go
    data = pd.DataFrame({"ended": [10, 20, 20], "progressed": [2, 10, 12]})
    data["share"] = data["progressed"] / data["ended"]
    hidden = sdc.protect_table(data, counts=["ended"], shares={"share": ("progressed", "ended")}, min_cell=5).hidden
    assert hidden["share"].tolist() == [False, True, False]  # the smaller of the two others
    assert not hidden["ended"].any()


def test_a_pair_of_hidden_cells_that_gives_each_other_away_gets_a_third():
    # 1 and 1 hidden, the others shown, the total 22 shown: each hidden one is 1 (sum 2)
    data = pd.DataFrame({"n": [1, 1, 10, 10]})
    prot = sdc.protect_table(data, counts=["n"], min_cell=5)
    assert prot.hidden["n"].tolist() == [False, False, True, False] and not prot.withheld


def test_rows_that_hiding_cells_cannot_protect_are_pooled():
    from so_eval.reporting.table import Col

    # five statuses with one course each and a total of 5: pooled into one row of 5
    data = pd.DataFrame({"s": ["a", "b", "c", "d", "e", "f"], "n": [1, 1, 1, 1, 1, 0]})
    out, n = sdc.pool_unsafe(data, id_col="s", cols=[Col("n", "", unit="forløb")], sum_cols=["n"], other_id="x")
    assert n == 5 and out["s"].tolist() == ["f", "x"] and out["n"].tolist() == [0, 5]
    # with a status of 7 beside them, hiding the 7 too protects the ones (each 1 to 3): no pooling
    data.loc[5, "n"] = 7
    assert sdc.pool_unsafe(data, id_col="s", cols=[Col("n", "", unit="forløb")], sum_cols=["n"], other_id="x")[1] == 0
    # two agreements: 6 of 7 dropped out in one (hidden: 1 did not), none of 9 in the other;
    # the published total 6 gives the first away, so they are pooled into one row
    data = pd.DataFrame({"a": ["A", "B"], "ended": [7, 9], "drop": [6, 0]})
    cols = [Col("ended", "", unit="forløb"), Col("share", "", "share", num="drop", den="ended")]
    out, n = sdc.pool_unsafe(data, id_col="a", cols=cols, sum_cols=["ended", "drop"], other_id="x")
    assert n == 2 and out.to_dict("records") == [{"a": "x", "ended": 16, "drop": 6}]


def test_a_column_that_hiding_cells_cannot_protect_is_not_shown_at_all():
    # five cells of 1 and a published total of 5: hidden as «<5» each is 1 — shown as "–" instead
    prot = sdc.protect_table(pd.DataFrame({"n": [1, 1, 0, 1, 1, 1]}), counts=["n"], min_cell=5)
    assert prot.withheld["n"].tolist() == [True, True, False, True, True, True]
    led = Ledger(min_cell=5)
    assert led.count("a", 1, "", withheld=True).display == "–" and led["a"].csv_value == "–"
    assert led.count("b", 0, "", withheld=True).display == "0"  # a zero is still shown
    figs = _figures([("t", "5", "forløb")] + [(f"goal2.end_status.s{i}.n", "–", "forløb") for i in range(5)])
    assert recover_small_counts(figs, "", 5) == []


# -- the report ----------------------------------------------------------------------------------


def _report(ds, year: int, data_dir: Path, published: Path, **params) -> AnnualReport:
    rep = AnnualReport(ds, ReportParams(year=year, data_dir=str(data_dir), published_dir=str(published), **params))
    rep.build_sections()
    return rep


@pytest.fixture(scope="module")
def demo_report(demo_dir, tmp_path_factory):
    params = read_params(config.PARAMS_DIR / "2025.yaml")
    params.update(data_dir=str(demo_dir), published_dir=str(tmp_path_factory.mktemp("published")))
    rep = AnnualReport(load(demo_dir, as_of=params["as_of"]), ReportParams(**params))
    rep.build_sections()
    return rep


def test_the_attackers_relations_hold_on_the_demo_report(demo_report):
    # the attacker only uses true relations: on the report's own (unsuppressed) numbers
    assert relation_errors(demo_report.ledger) == []


def test_no_small_count_can_be_worked_out_from_the_demo_report(demo_report):
    figures, html = demo_report.ledger.frame(), report_html(demo_report)
    assert recover_small_counts(figures, html, demo_report.params.min_cell) == []
    # not vacuous: the demo has small counts, hidden ones and shares hidden for what they reveal
    hidden = demo_report.ledger.suppression_counts()
    assert hidden["small"] > 10 and hidden["protects"] > 5 and hidden["reveals"] > 50


def test_the_method_section_says_how_many_cells_were_hidden_and_why(demo_report):
    ledger = demo_report.ledger
    counts = {
        k: ledger[f"disclosure.hidden.{k}"].value
        for k in ("small", "secondary", "withheld", "basis", "reveals", "protects")
    }
    figs = [f for f in ledger.figures.values() if f.suppressed]
    assert counts["small"] == sum(f.why == "small" for f in figs) > 0
    assert counts["secondary"] == sum(f.display == "×" for f in figs) > 0
    assert counts["reveals"] == sum(f.why == "reveals" for f in figs) > 0
    assert sum(counts.values()) == len(figs)
    text = demo_report.method().text
    assert f"I denne rapport er {counts['small']} antal vist som «<5»" in text
    assert f"{counts['secondary']} antal er skjult som «×»" in text
    assert f"{counts['reveals']} fordi de sammen med deres nævner ville vise et antal" in text


# -- small hand-made datasets --------------------------------------------------------------------

_STEP = {
    "job": "job",
    "uddannelse": "uddannelse",
    "praktik": "praktik",
    "småjob": "småjob",
    "flere timer": "flere timer",
    "afklaring": "afklaring",
    "frafald": "motivation",
    "andet": "motivation",
}


def write_small(folder: Path, ended: dict[int, list[str]]) -> Path:
    """A dataset with one citizen per course, all courses ended in the year given, with the end
    statuses listed (a job row for each ``job``), on two agreements taking turns."""
    from tiny import TABLES, write_tiny

    citizens, courses, progression, jobs = [], [], [], []
    i = 0
    for year, statuses in ended.items():
        for status in statuses:
            i += 1
            cid, kid, agr = f"C{i:03d}", f"K{i:03d}", ("A1", "A3")[i % 2]
            citizens.append(f"{cid},1980,{'km'[i % 2]},kontanthjælp,dansk,2019-01-01")
            courses.append(
                f"{kid},{cid},{agr},{year}-01-10,{year}-06-30,motivation,{_STEP[status]},{status},{year}-01-11"
            )
            progression.append(f"{cid},{kid},{year}-01-10,motivation,0,{year}-01-11")
            progression.append(f"{cid},{kid},{year}-06-30,{_STEP[status]},0,{year}-07-01")
            if status == "job":
                jobs.append(f"J{len(jobs) + 1},{cid},{kid},{year}-07-05,,ordinært job,20,{year}-07-06")
    head = {t: TABLES[t].splitlines()[0] for t in ("citizens", "courses", "progression", "jobs")}
    return write_tiny(
        folder,
        citizens="\n".join([head["citizens"], *citizens]) + "\n",
        courses="\n".join([head["courses"], *courses]) + "\n",
        progression="\n".join([head["progression"], *progression]) + "\n",
        jobs="\n".join([head["jobs"], *jobs]) + "\n",
    )


SMALL = {
    # the example: 10 ended, 1 dropped out (0,1 × 10 = 1)
    "one_dropout_of_ten": {2023: ["job"] * 6, 2024: ["job"] * 5 + ["afklaring"] * 4 + ["frafald"]},
    # jobs rose from 3 to 13: the year-over-year finding must not print the 3
    "jobs_from_3_to_13": {2023: ["job"] * 3 + ["afklaring"] * 5, 2024: ["job"] * 13 + ["praktik"] * 6 + ["frafald"]},
    # almost everyone progressed: 9 of 10 gives "1 did not" away
    "nine_of_ten_progressed": {2023: ["praktik"] * 6 + ["job"], 2024: ["praktik"] * 8 + ["job", "frafald"]},
    # found by random small datasets: one agreement's drop-outs are all of them, and its
    # courses without a drop-out (1) = its ended − the published total of drop-outs
    "dropouts_in_one_agreement": {
        2023: [
            "flere timer",
            "andet",
            "praktik",
            "uddannelse",
            "flere timer",
            "andet",
            "uddannelse",
            "praktik",
            "andet",
            "flere timer",
            "praktik",
            "andet",
            "frafald",
            "job",
            "job",
        ],
        2024: [
            "frafald",
            "andet",
            "frafald",
            "uddannelse",
            "job",
            "flere timer",
            "frafald",
            "uddannelse",
            "frafald",
            "uddannelse",
            "frafald",
            "job",
        ],
    },
    # five ended courses, one in each of five statuses: «<5» five times adds up to 5, so all are 1
    "one_in_each_status": {2023: ["job"] * 6, 2024: ["job", "uddannelse", "praktik", "småjob", "frafald"]},
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_no_small_count_can_be_worked_out_from_a_small_dataset(name, tmp_path):
    folder = write_small(tmp_path / name, SMALL[name])
    rep = _report(load(folder), 2024, folder, tmp_path / "published")
    assert relation_errors(rep.ledger) == []
    html = report_html(rep)
    assert recover_small_counts(rep.ledger.frame(), html, 5) == []
    ledger = rep.ledger
    if name == "one_dropout_of_ten":
        assert ledger["goal2.courses_ended"].display == "10" and ledger["goal2.dropped_out"].display == "<5"
        assert ledger["goal2.dropout_share"].display == "–"
    if name == "jobs_from_3_to_13":
        # the finding is there, with the small count masked and no p-value to invert
        text = html_module.unescape(rep.successes().text)  # the Markdown source escapes "<" as "&lt;"
        assert "steg fra <5 i 2023 til 13 i 2024" in text and "p-værdien vises ikke" in text
        assert ledger["unexpected.yoy.goal1.jobs.p_holm"].suppressed
        # the period's jobs add up the years', 2023's hidden: the sum and the table by enterprise hide too
        assert ledger["value.jobs_period"].display == "×"
        assert any(f.display == "×" for k, f in ledger.figures.items() if k.startswith("goal1.by_enterprise."))
    if name == "one_in_each_status":  # pooled: the five statuses are one row of 5
        assert ledger["goal2.end_status.oevrige.n"].display == "5" and "goal2.end_status.job.n" not in ledger
    if name == "nine_of_ten_progressed":
        assert ledger["goal2.progressed_share"].display == "–" and ledger["goal2.progressed"].display == "×"


def test_no_small_count_can_be_worked_out_from_the_tiny_dataset(tiny, tiny_dir, tmp_path):
    rep = _report(tiny, 2024, tiny_dir, tmp_path / "published")
    assert relation_errors(rep.ledger) == []
    assert recover_small_counts(rep.ledger.frame(), report_html(rep), 5) == []
    # the data sizes in the method section are counts of persons too
    assert rep.ledger["data.rows.citizens"].display == "7"
    assert rep.ledger["corrections.late.courses"].display in ("0", "<5")
