"""The annual report runs on every valid dataset, not only on the demo: a figure is recorded once."""

from __future__ import annotations

import pandas as pd
import pytest

from so_eval.annual import Col, ledger_table
from so_eval.figures import Ledger

# -- a figure is recorded once ------------------------------------------------------------------


def test_a_hidden_share_is_recorded_once_and_suppressed():
    L = Ledger()
    f = L.share("s", 5, 6, "Andel", hide=True)
    assert f.suppressed and not f.secondary and f.display == "–" and f.csv_value == "<5"
    assert L.frame()["key"].tolist() == ["s"]


def test_a_share_whose_denominator_is_hidden_to_protect_a_small_count_is_hidden_too():
    # ended: A 6, B 3 (<5), C 8; with the column total published, B = total - 6 - 8, so the
    # smallest other count, A's 6, is hidden as well (×); A's share 5/6 would give the 6 away
    # (a share of ended courses in sixths), so it is hidden, recorded once (this raised before:
    # "recorded twice with different values (0.833333 ≠ <5)").
    data = pd.DataFrame({"id": ["A", "B", "C"], "ended": [6, 3, 8], "progressed": [5, 1, 4]})
    L = Ledger()
    t = ledger_table(L, data, key="k", id_col="id", id_label="Aftale",
                     cols=[Col("ended", "Afsluttet", unit="forløb"),
                           Col("share", "Progression", "share", num="progressed", den="ended")])
    assert t.data["Afsluttet"].tolist() == ["×", "<5", "8"]
    assert t.data["Progression"].tolist() == ["–", "–", "50\u00a0%"]
    assert L["k.a.share"].suppressed and L["k.a.share"].value == pytest.approx(5 / 6)
    assert L.frame().loc[lambda f: f["key"] == "k.a.share", "value"].tolist() == ["<5"]
