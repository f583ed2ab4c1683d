"""Each metric on the tiny hand-made dataset (tests/tiny.py); answers worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from so_eval import metrics as m
from so_eval.metrics.goals import GoalStatus, goal_status

# -- goal 1 ----------------------------------------------------------------------------------


def test_jobs_counted_once_per_citizen_per_year(tiny):
    # 2024: C1 (jobs J1 ordinært 2024-04-10 and J3 deltid 2024-12-01: counted once), C2 (småjob)
    # 2023: C7 (fleksjob 2023-12-28); 2025: C6
    out = m.jobs_per_year(tiny, [2023, 2024, 2025], norm=2)
    assert out["jobs"].tolist() == [1, 2, 1]
    assert out["met"].tolist() == [False, True, False]


def test_first_job_of_year_decides_type_agreement_and_enterprise(tiny):
    e = m.employment_entries(tiny, 2024).set_index("citizen_id")
    assert e.loc["C1", "job_type"] == "ordinært job"  # not the later deltidsjob
    assert e.loc["C1", "agreement_id"] == "A1"  # via K1, not K7 (A3)
    assert e.loc["C1", "enterprise_id"] == "E1"
    assert e.loc["C2", "target_group"] == "fleksjob"


@pytest.mark.parametrize(
    "by, expected",
    [
        ("job_type", {"ordinært job": 1, "småjob": 1}),
        ("target_group", {"kontanthjælp": 1, "fleksjob": 1}),
        ("agreement_id", {"A1": 2}),
        ("enterprise_id", {"E1": 2}),
    ],
)
def test_jobs_by(tiny, by, expected):
    out = m.jobs_by(tiny, 2024, by)
    assert dict(zip(out[by], out["jobs"], strict=True)) == expected


def test_jobs_by_rejects_unknown_split(tiny):
    with pytest.raises(ValueError, match="cannot split"):
        m.jobs_by(tiny, 2024, "shoe_size")


def test_norm_reached_on(tiny):
    assert m.norm_reached_on(tiny, 2024, 2) == pd.Timestamp("2024-09-05")
    assert m.norm_reached_on(tiny, 2024, 1) == pd.Timestamp("2024-04-10")
    assert m.norm_reached_on(tiny, 2024, 3) is None


def test_as_known_on_leaves_out_late_registrations(tiny):
    # J2 (C2's småjob, started 2024-09-05) was registered 2025-02-01, after a mid-January report
    early = tiny.as_known_on("2025-01-15")
    assert m.jobs_per_year(early, [2024])["jobs"].tolist() == [1]
    assert m.jobs_per_year(tiny.as_known_on("2025-02-01"), [2024])["jobs"].tolist() == [2]


# -- goal 2 ----------------------------------------------------------------------------------


def test_progression_by_agreement(tiny):
    out = m.progression_by_agreement(tiny, 2024).set_index("agreement_id")
    # A1: started K2,K5,K6; ended K1,K2 (both progressed, both with a 2024 job); hours +37, +8
    # A2: started K4; ended K3 (motivation→uddannelse) and K4 (frafald, no progress); hours 0, 0
    # A3: started K7; ended K7 (afklaring→flere timer, job J3 in 2024); hours 5→20 = +15
    assert out["started"].to_dict() == {"A1": 3, "A2": 1, "A3": 1}
    assert out["ended"].to_dict() == {"A1": 2, "A2": 2, "A3": 1}
    assert out["progressed"].to_dict() == {"A1": 2, "A2": 1, "A3": 1}
    assert out["progressed_share"].to_dict() == {"A1": 1.0, "A2": 0.5, "A3": 1.0}
    assert out["dropped_out"].to_dict() == {"A1": 0, "A2": 1, "A3": 0}
    assert out["dropout_share"].to_dict() == {"A1": 0.0, "A2": 0.5, "A3": 0.0}
    assert out["jobs"].to_dict() == {"A1": 2, "A2": 0, "A3": 1}
    assert out["mean_hours_change"].to_dict() == {"A1": 22.5, "A2": 0.0, "A3": 15.0}
    assert out.loc["A1", "enterprise"] == "Café Et"


def test_progression_over_several_years(tiny):
    # 2023 and 2024 together: A3 also has K8 (ended 2023, motivation→afklaring: progressed)
    out = m.progression_by_agreement(tiny, [2023, 2024]).set_index("agreement_id")
    assert out.loc["A3", "ended"] == 2
    assert out.loc["A3", "progressed"] == 2
    assert out.loc["A3", "started"] == 2  # K7 (2024), K8 (2023)


def test_progression_per_year(tiny):
    out = m.progression_per_year(tiny, [2023, 2024]).set_index("year")
    # 2024: ended K1,K2,K3,K4,K7 = 5, progressed 4 (all but K4), dropped out 1 (K4)
    assert out.loc[2024, ["started", "ended", "progressed", "dropped_out"]].tolist() == [5, 5, 4, 1]
    assert out.loc[2024, "progressed_share"] == pytest.approx(0.8)
    assert out.loc[2024, "dropout_share"] == pytest.approx(0.2)
    # 2023: started K1,K3,K8; ended K8
    assert out.loc[2023, ["started", "ended", "progressed"]].tolist() == [3, 1, 1]


def test_step_transitions(tiny):
    out = m.step_transitions(tiny, 2024)
    assert len(out) == 7 * 7 and out["n"].sum() == 5
    nonzero = {(r.start_step, r.end_step): r.n for r in out.itertuples() if r.n}
    assert nonzero == {
        ("motivation", "job"): 1,
        ("afklaring", "småjob"): 1,
        ("motivation", "uddannelse"): 1,
        ("afklaring", "afklaring"): 1,
        ("afklaring", "flere timer"): 1,
    }
    only_a2 = m.step_transitions(tiny, 2024, agreement_id="A2")
    assert only_a2["n"].sum() == 2


def test_end_status_by_agreement(tiny):
    out = m.end_status_by_agreement(tiny, 2024)
    got = {(r.agreement_id, r.end_status): r.n for r in out.itertuples() if r.n}
    assert got == {
        ("A1", "job"): 1,
        ("A1", "småjob"): 1,
        ("A2", "uddannelse"): 1,
        ("A2", "frafald"): 1,
        ("A3", "flere timer"): 1,
    }
    assert len(out) == 3 * 8  # every status listed for every agreement, zeros included


def test_youth_education(tiny):
    out = m.youth_education(tiny, [2023, 2024]).set_index("year")
    # 2024: young C3 (uddannelse) and C4 (frafald) ended courses → 1 of 2
    assert out.loc[2024, ["ended", "education"]].tolist() == [2, 1]
    assert out.loc[2024, "share"] == 0.5
    assert out.loc[2023, "ended"] == 0 and pd.isna(out.loc[2023, "share"])


# -- goal 3 ----------------------------------------------------------------------------------


def test_enterprises_per_year(tiny):
    out = m.enterprises_per_year(tiny, [2023, 2024]).set_index("year")
    # end 2024: E1 (gen 1, RSV), E3 (forening, no economic bottom line, gen 2), E4 (founded 31 Dec);
    # E2 closed in May, E5 closed on 31 December (closed by then: not active)
    assert out.loc[2024].to_dict() == {
        "active": 3,
        "three_bottom_lines": 2,
        "rsv": 1,
        "first_generation": 1,
        "second_generation": 2,
        "three_bottom_lines_first": 1,
        "three_bottom_lines_second": 1,
        "founded": 2,
        "closed": 2,
    }
    # end 2023: E1, E2, E5 — all with three bottom lines
    assert out.loc[2023, ["active", "three_bottom_lines", "founded", "closed"]].tolist() == [3, 3, 0, 0]


def test_active_enterprises_and_kinds(tiny):
    a = m.active_enterprises(tiny, 2024)
    assert sorted(a["enterprise_id"]) == ["E1", "E3", "E4"]
    kinds = m.enterprises_by_kind(tiny, 2024).set_index("kind")
    assert kinds["active"].to_dict() == {"forening": 1, "virksomhed": 2}
    assert kinds.loc["forening", "three_bottom_lines"] == 0


# -- reach -----------------------------------------------------------------------------------


def test_reach(tiny):
    # courses running in 2024: K1..K7 (K8 ended 2023-12-20) → citizens C1..C6
    assert m.citizens_served(tiny, 2024) == 6
    assert m.citizens_served(tiny, 2023) == 3  # K1 (C1), K3 (C3), K8 (C7)
    out = m.reach_per_year(tiny, [2023, 2024]).set_index("year")
    # end 2024 only A1 is in force (A2 ended in May, A3 on 31 December)
    assert out.loc[2024].to_dict() == {"agreements": 1, "places": 5, "price": 100000.0, "citizens": 6}
    assert out.loc[2023, "agreements"] == 3


# -- goal status -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, target, year, target_year, expected",
    [
        (30, 30, 2024, None, GoalStatus.MET),
        (29, 30, 2024, None, GoalStatus.NOT_MET),
        (40, 40, 2024, 2025, GoalStatus.MET_EARLY),
        (39, 40, 2024, 2025, GoalStatus.NOT_YET),
        (41, 40, 2025, 2025, GoalStatus.MET),
        (39, 40, 2025, 2025, GoalStatus.NOT_MET),
        (0.7, None, 2024, None, GoalStatus.NO_TARGET),
        (None, 0.6, 2024, None, GoalStatus.NO_VALUE),
        (float("nan"), 0.6, 2024, None, GoalStatus.NO_VALUE),
    ],
)
def test_goal_status(value, target, year, target_year, expected):
    assert goal_status(value, target, year, target_year).status is expected


def test_goal_status_labels_are_danish():
    assert goal_status(40, 40, 2024, 2025).label == "nået før tid"
    assert goal_status(29, 30, 2024).label == "ikke nået"


# -- metrics are computed once per dataset and arguments within a run ----------------------------


def test_a_metric_is_computed_once_per_dataset_and_arguments(tiny_dir, monkeypatch):
    from so_eval import load
    from so_eval.data.dataset import memoized

    calls = []

    @memoized
    def ended_in(ds, years):
        calls.append(tuple(years))
        return ds.courses.loc[ds.courses["end"].dt.year.isin(list(years)), ["course_id"]]

    ds = load(tiny_dir)
    first = ended_in(ds, [2023, 2024])
    again = ended_in(ds, (2023, 2024))  # a list and a tuple of the same years are the same question
    assert calls == [(2023, 2024)] and again.equals(first) and len(first) > 0
    ended_in(ds, [2024])
    assert calls == [(2023, 2024), (2024,)]
    # a caller that changes its copy changes nothing for the next caller
    first.loc[:, "course_id"] = "changed"
    assert "changed" not in set(ended_in(ds, [2023, 2024])["course_id"])
    # a dataset cut to an earlier date is another dataset, with its own results
    earlier = ds.as_known_on("2023-01-01")
    ended_in(earlier, [2023, 2024])
    assert calls[-1] == (2023, 2024) and len(calls) == 3
    # a stand-in that is not a Dataset is computed every time
    from types import SimpleNamespace

    stand_in = SimpleNamespace(courses=ds.courses)
    ended_in(stand_in, [2023])
    ended_in(stand_in, [2023])
    assert calls[-2:] == [(2023,), (2023,)]


def test_memoized_metrics_give_what_the_uncached_metric_gives(tiny):
    for fn, args in [
        (m.jobs_per_year, ([2022, 2023, 2024],)),
        (m.progression_by_agreement, (2024,)),
        (m.enterprises_per_year, ([2023, 2024],)),
        (m.reach_per_year, ([2024],)),
    ]:
        cached = fn(tiny, *args)
        assert cached.equals(fn(tiny, *args)) and cached.equals(fn.uncached(tiny, *args)), fn.__name__
