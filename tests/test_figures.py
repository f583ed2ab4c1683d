"""The figures ledger, small-count suppression and the Danish number format."""

from __future__ import annotations

import pandas as pd
import pytest

from so_eval import disclosure, fmt
from so_eval.reporting.ledger import Ledger, read_figures


@pytest.mark.parametrize(
    "x, decimals, expected",
    [
        (1234.5, 1, "1.234,5"),
        (1234567, 0, "1.234.567"),
        (-1234.56, 1, "-1.234,6"),
        (0.04, 0, "0"),
        (-0.04, 1, "0,0"),
        (999.96, 1, "1.000,0"),
        (12, 0, "12"),
    ],
)
def test_number(x, decimals, expected):
    assert fmt.number(x, decimals) == expected


def test_percent_date_signed_slug():
    assert fmt.percent(0.5234, 1) == "52,3\u00a0%"
    assert fmt.percent(float("nan")) == "–"
    assert fmt.date("2025-07-02") == "2. juli 2025"
    assert fmt.signed(1.26, 1) == "+1,3"
    assert fmt.signed(-0.5) == "-0,5" and fmt.signed(0.0) == "0,0"
    assert fmt.slug("elev/lærling") == "elev_laerling" and fmt.slug("Ressourceforløb") == "ressourceforloeb"


def test_counts_below_threshold_are_suppressed():
    led = Ledger(min_cell=5)
    assert led.count("a", 4, "fire").display == "<5" and led["a"].suppressed
    assert led.count("b", 1, "en").csv_value == "<5"
    assert led.count("c", 5, "fem").display == "5" and not led["c"].suppressed
    assert led.count("d", 0, "nul").display == "0" and not led["d"].suppressed
    # enterprises are not persons: never suppressed
    assert led.count("e", 3, "virksomheder", unit="virksomheder").display == "3"


def test_threshold_comes_from_params():
    led = Ledger(min_cell=3)
    assert led.count("a", 3, "tre").display == "3"
    assert led.count("b", 2, "to").display == "<3"


def test_shares_and_means_on_few_citizens_are_not_shown():
    led = Ledger(min_cell=5)
    assert led.share("s1", 3, 4, "andel").display == "–" and led["s1"].suppressed
    assert led.share("s2", 5, 10, "andel").display == "50\u00a0%"
    assert (
        led.share("s4", 0, 7, "andel").display == "0\u00a0%" and led.share("s5", 7, 7, "andel").display == "100\u00a0%"
    )
    assert led.share("s3", 0, 0, "andel").suppressed
    assert led.stat("m1", 7.5, 4, "gns", "timer").display == "–"
    assert led.stat("m2", 7.5, 5, "gns", "timer").display == "7,5"


def test_a_share_that_with_its_denominator_gives_a_small_count_away_is_not_shown():
    led = Ledger(min_cell=5)
    # dropped out = 10 % × 10 ended = 1; progressed 9 of 10 gives "1 did not progress" away
    for key, num, den in (
        ("one_of_ten", 1, 10),
        ("nine_of_ten", 9, 10),
        ("three_of_five", 3, 5),
        ("six_of_ten", 6, 10),
    ):
        f = led.share(key, num, den, "andel")
        assert f.suppressed and f.display == "–" and f.why == "reveals", key
    assert led.share("basis", 2, 4, "andel").why == "basis"
    assert not led.share("five_of_ten", 5, 10, "andel").suppressed
    # hidden by the caller (secondary suppression): decided before it is recorded, recorded once
    f = led.share("protected", 5, 10, "andel", hidden=True)
    assert f.suppressed and f.why == "protects" and len([k for k in led.figures if k == "protected"]) == 1
    assert led.suppression_counts() == {"small": 0, "protects": 1, "basis": 1, "reveals": 4, "withheld": 0}


def test_a_count_hidden_to_protect_another_is_shown_as_a_cross_but_a_zero_is_shown():
    led = Ledger(min_cell=5)
    assert led.count("a", 7, "", secondary=True).display == "×" and led["a"].why == "protects"
    assert led.count("b", 0, "", secondary=True).display == "0" and not led["b"].suppressed
    assert led.count("c", 3, "", secondary=True).display == "<5" and led["c"].why == "small"


def test_a_figure_is_recorded_once():
    led = Ledger()
    led.count("k", 10, "ti")
    with pytest.raises(ValueError, match="recorded twice"):
        led.count("k", 10, "ti")  # not even with the same value
    with pytest.raises(ValueError, match="recorded twice"):
        led.count("k", 11, "elleve")
    led.share("s", 5, 10, "andel")
    with pytest.raises(ValueError, match="recorded twice"):  # its suppressed form is not recorded beside it
        led.share("s", 5, 10, "andel", hidden=True)
    assert led["k"].value == 10 and led["s"].value == pytest.approx(0.5) and not led["s"].suppressed


def test_figures_csv_round_trip(tmp_path):
    led = Ledger(min_cell=5)
    led.count("goal1.jobs", 44, "Borgere i job")
    led.count("small", 2, "lille")
    led.share("share", 1, 3, "andel")
    led.value("date", pd.Timestamp("2025-07-02"), "dato", unit="dato")
    led.value("status", "met", "status", unit="status")
    path = led.write_csv(tmp_path / "figures.csv")
    df = read_figures(path)
    # issue 13: figures.csv has a sixth column, how complete the data behind each figure are
    assert list(df.columns) == ["key", "value", "unit", "label", "suppressed", "complete"]
    rows = df.set_index("key")
    assert rows.loc["goal1.jobs", "value"] == "44" and not rows.loc["goal1.jobs", "suppressed"]
    assert rows.loc["small", "value"] == "<5" and rows.loc["small", "suppressed"]
    assert rows.loc["share", "suppressed"]
    assert rows.loc["date", "value"] == "2025-07-02"
    assert rows.loc["status", "value"] == "met"
    assert (rows["complete"] == "").all()  # nothing marked: empty, not "nan"


def test_a_figure_marked_complete_keeps_its_value_and_an_old_figures_csv_still_reads(tmp_path):
    led = Ledger(min_cell=5)
    led.count("goal1.jobs", 44, "Borgere i job")
    led.count("small", 2, "lille")
    led.mark_complete("goal1.jobs", "0.386364")
    led.mark_complete("small", "<0.9")
    assert led["goal1.jobs"].value == 44 and led["small"].suppressed and led["small"].display == "<5"
    rows = read_figures(led.write_csv(tmp_path / "figures.csv")).set_index("key")
    assert rows.loc["goal1.jobs", "complete"] == "0.386364" and rows.loc["small", "complete"] == "<0.9"
    # a figures.csv published before the column existed reads with it empty
    old = tmp_path / "old.csv"
    old.write_text("key,value,unit,label,suppressed\ngoal1.jobs,44,borgere,Borgere i job,False\n", encoding="utf-8")
    df = read_figures(old)
    assert df["complete"].tolist() == [""] and df["value"].tolist() == ["44"]


def test_pool_small():
    df = pd.DataFrame({"id": ["a", "b", "c", "d"], "n": [10, 2, 3, 7], "k": [5, 1, 1, 2]})
    out, pooled = disclosure.pool_small(df, id_col="id", basis="n", min_cell=5, other_id="other", sum_cols=["n", "k"])
    assert pooled == 2
    assert out["id"].tolist() == ["a", "d", "other"]
    assert out.loc[2, ["n", "k"]].tolist() == [5, 2]
    # a single small unit is not pooled (its "pool" would be itself)
    out, pooled = disclosure.pool_small(df.iloc[:2], id_col="id", basis="n", min_cell=5, other_id="o", sum_cols=["n"])
    assert pooled == 0 and out["id"].tolist() == ["a", "b"]


def test_rule_text_names_threshold():
    assert "«<5»" in disclosure.rule_text(5) and "1 til 4" in disclosure.rule_text(5)
