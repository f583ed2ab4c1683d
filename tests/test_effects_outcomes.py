"""Outcomes and covariates for effect measurement on a hand-made weekly panel (tests/tiny.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from so_eval import load, validate
from so_eval.effects.analysis import EffectSpec, effect_sample
from so_eval.effects.outcomes import outcome_table, quarterly_panel
from tiny import write_tiny_with_panel


@pytest.fixture
def panel_ds(tmp_path):
    folder = write_tiny_with_panel(tmp_path / "p")
    assert validate(folder) == []
    return load(folder)


def test_outcome_table_by_hand(panel_ds):
    t = outcome_table(panel_ds, entry_from="2024-01-01", entry_to="2024-01-31").set_index("citizen_id")
    # only C4's first course starts in January 2024; C8 and C9 never took part; the rest are out
    assert sorted(t.index) == ["C4", "C8", "C9"]
    assert t.loc["C4", "treated"] == 1 and t.loc["C8", "treated"] == 0
    assert (t["entry_week"] == pd.Timestamp("2024-01-15")).all()  # the controls' placebo week
    c4 = t.loc["C4"]
    assert c4["selfsupport_1_26"] == pytest.approx(13 / 26)  # k = 7..19
    assert c4["education_1_26"] == pytest.approx(6 / 26)  # k = 1..6
    assert c4["selfsupport_27_52"] == 1.0
    assert c4["selfsupport_w26"] == 0.0 and c4["selfsupport_w52"] == 1.0
    assert np.isnan(c4["selfsupport_53_104"])  # beyond the panel: not observable
    assert c4["benefit_weeks_52"] == 52 - 4 - 2  # 'andet' and 'uddannelse' are no benefit
    assert c4["benefit_weeks_104"] == 46 + 52  # sygedagpenge is a benefit
    assert c4["age"] == 2024 - 2004
    c8 = t.loc["C8"]
    assert c8["selfsupport_1_26"] == pytest.approx(2 / 26)
    assert c8["selfsupport_27_52"] == pytest.approx(1 / 24)  # two weeks without a row are not counted
    assert np.isnan(c8["education_1_26"])  # education outcomes: young people only
    assert t.loc["C9", "education_1_26"] == 0.0


def test_quarterly_panel_by_hand(panel_ds):
    q = quarterly_panel(panel_ds)
    # the panel starts in 2022Q1 (period 1); 2024Q1 is period 9
    c8 = q.loc[(q["citizen_id"] == "C8") & (q["quarter"] == "2024K1")].iloc[0]
    assert c8["period"] == 9 and c8["group"] == 0
    assert c8["selfsupport"] == pytest.approx(2 / 13)  # 13 Mondays in 2024Q1, self-supporting 15 and 22 Jan
    c4 = q.loc[q["citizen_id"] == "C4"]
    assert (c4["group"] == 9).all()
    # C1's first course started 2023-09-01 → 2023Q3 = period 7
    assert (q.loc[q["citizen_id"] == "C1", "group"] == 7).all()
    assert q.groupby("citizen_id").size().nunique() == 1  # balanced


def test_effect_sample_subgroups_and_education(panel_ds):
    spec = EffectSpec(year=2024, entry_from="2024-01-01", outcome="education", horizon="1-26")
    s = effect_sample(panel_ds, spec)
    assert sorted(s["citizen_id"]) == ["C4", "C9"]  # young people only
    spec = EffectSpec(year=2024, entry_from="2024-01-01", subgroup={"target_group": "kontanthjælp"})
    s = effect_sample(panel_ds, spec).set_index("citizen_id")
    # to the end of 2024 C6 also had a first course (2024-06-01) and is on kontanthjælp
    assert sorted(s.index) == ["C6", "C8"]
    assert s.loc["C6", "treated"] == 1 and s.loc["C6", "entry_week"] == pd.Timestamp("2024-05-27")


def test_effect_spec_rejects_nonsense():
    with pytest.raises(ValueError, match="horizon"):
        EffectSpec(year=2024, horizon="1-13")
    with pytest.raises(ValueError, match="method"):
        EffectSpec(year=2024, method="magic")
    with pytest.raises(ValueError, match="subgroup"):
        EffectSpec(year=2024, subgroup={"shoe_size": 42})


def test_unknown_or_missing_status_counts_as_not_observed_without_warnings():
    import warnings

    from so_eval.data.model import STATUSES
    from so_eval.effects.outcomes import _status_codes

    text = pd.Series(["selvforsørgelse", "ferie", None, "andet"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _status_codes(text).tolist() == [0, -1, -1, 8]
        assert _status_codes(text.astype("category")).tolist() == [0, -1, -1, 8]
        loaded = pd.Series(pd.Categorical(["andet", "uddannelse", None], categories=list(STATUSES)))
        assert _status_codes(loaded).tolist() == [8, 1, -1]


def test_row_index_by_runs_equals_the_lookup_row_by_row():
    """WeekMatrix finds each row's citizen once per run of equal pseudonyms; in any order, with
    unknown and missing pseudonyms, that is ids.get_indexer."""
    import numpy as np
    import pandas as pd

    from so_eval.effects.outcomes import _row_index

    ids = pd.Index(["B1", "B2", "B3"])
    runs = ["B2"] * 5 + [None] * 4 + ["B9"] * 6 + ["B1"] * 7 + ["B2"] * 3 + ["B3"] * 5
    s = pd.Series(runs, dtype="str")
    got = _row_index(ids, s)
    assert got.tolist() == [1] * 5 + [-1] * 4 + [-1] * 6 + [0] * 7 + [1] * 3 + [2] * 5
    shuffled = s.sample(frac=1, random_state=3)  # many short runs: looked up row by row
    assert (_row_index(ids, shuffled) == ids.get_indexer(shuffled)).all()
    assert _row_index(ids, pd.Series(["B3"], dtype="str")).tolist() == [2]
    assert _row_index(ids, pd.Series([], dtype="str")).tolist() == []
    rng = np.random.default_rng(5)
    long = pd.Series(np.repeat(rng.choice(["B1", "B2", "B3", "B4"], 40), rng.integers(1, 30, 40)), dtype="str")
    assert (_row_index(ids, long) == ids.get_indexer(long)).all()


def test_the_effects_package_exports_its_estimators_and_the_command_line_starts_without_them():
    """`so_eval.effects` imports its estimators plainly and re-exports them; the command line
    starts without them (or scipy.stats), so `so-eval --help` stays fast; `so_eval` imports its
    own exports when first asked for them."""
    import subprocess
    import sys

    code = (
        "import sys, so_eval.cli\n"
        "assert 'so_eval.effects' not in sys.modules and 'scipy.stats' not in sys.modules\n"
        "import so_eval, so_eval.effects as e\n"
        "assert e.estimate_att.__module__ == 'so_eval.effects.att.estimate'\n"
        "assert e.DidResult.__module__ == 'so_eval.effects.did.result'\n"
        "assert so_eval.load.__module__ == 'so_eval.data.loading'\n"
        "for mod, name in ((e, 'nope'), (so_eval, 'nope')):\n"
        "    try:\n"
        "        getattr(mod, name)\n"
        "    except AttributeError as exc:\n"
        "        assert 'has no attribute' in str(exc)\n"
        "    else:\n"
        "        raise SystemExit('no AttributeError')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
