"""The panel at national scale: the chunked generator (so_eval.demo.national) and the outcome
table and quarterly panel streamed through DuckDB (so_eval.effects.streaming), which must give
exactly what the in-memory functions give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from so_eval import load
from so_eval.data.dataset import Dataset
from so_eval.data.model import EDU, SELF, STATUSES
from so_eval.demo import core as demo_gen
from so_eval.demo.formats import arrow_table, to_csv, to_parquet
from so_eval.demo.national import (
    effect_tables,
    national_chunk,
    read_manifest,
    write_national,
)
from so_eval.demo.panel import PANEL_END, PANEL_START
from so_eval.effects import streaming
from so_eval.effects.did import group_time_att, group_time_att_wide
from so_eval.effects.outcomes import outcome_table, quarterly_panel
from so_eval.effects.streaming import (
    outcome_table_parquet,
    quarterly_matrix_parquet,
    quarterly_panel_parquet,
    read_effect_inputs,
)
from tiny import write_tiny_with_panel

WEEKS = len(pd.date_range(PANEL_START, PANEL_END, freq="7D"))


def _same_panel(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """quarterly_panel_parquet gives categorical citizen_id and quarter: the same values."""
    assert isinstance(got["citizen_id"].dtype, pd.CategoricalDtype)
    got = got.assign(citizen_id=got["citizen_id"].astype(str), quarter=got["quarter"].astype(str))
    pd.testing.assert_frame_equal(expected, got, check_exact=True)


# -- streaming = in memory ---------------------------------------------------------------------


def test_streaming_outcome_table_equals_outcome_table_on_demo(demo, demo_dir):
    path = demo_dir / "status_weekly.parquet"
    for window in ({}, {"entry_from": "2020-01-01", "entry_to": "2023-12-31"}):
        expected = outcome_table(demo, **window)
        got = outcome_table_parquet(path, demo.citizens, demo.courses, threads=2, **window)
        pd.testing.assert_frame_equal(expected, got, check_exact=True)
        # the comparison is not one of empty or all-missing columns
        assert got["treated"].sum() > 300 and (got["treated"] == 0).sum() > 1000
        assert got["selfsupport_1_26"].notna().mean() > 0.9 and (got["selfsupport_1_26"] > 0).mean() > 0.5
        late = got["entry_week"] > pd.Timestamp(PANEL_END) - pd.Timedelta(weeks=103)
        assert got.loc[late, "selfsupport_53_104"].isna().all()
        assert got.loc[~late, "selfsupport_53_104"].notna().all()
        assert got["benefit_weeks_104"].max() > 52


def test_streaming_quarterly_panel_equals_quarterly_panel_on_demo(demo, demo_dir):
    path = demo_dir / "status_weekly.parquet"
    _same_panel(quarterly_panel(demo), quarterly_panel_parquet(path, demo.citizens, demo.courses))
    # cut at 2023: citizens whose first course came later are left out, as there
    expected = quarterly_panel(demo, outcome="education", last_year=2023)
    got = quarterly_panel_parquet(path, demo.citizens, demo.courses, outcome="education", last_year=2023)
    _same_panel(expected, got)
    assert got["period"].max() == 32 and got["citizen_id"].nunique() < len(demo.citizens)
    assert got["education"].max() > 0


@pytest.fixture
def edge_case(tmp_path):
    """The tiny panel (tests/tiny.py) with more edge cases: C10, a young citizen with no status
    rows at all; X1, rows for a citizen who is not in the citizens table; C8 with weeks missing
    and one row dated on a Wednesday and three with no status; the panel's first
    row on a Thursday (so the first week is the Monday before)."""
    ds = load(write_tiny_with_panel(tmp_path / "tiny"))
    sw = ds.status_weekly.astype({"status": str})
    first = sw["week"].min()
    sw = sw.loc[sw["week"] > first]
    extra = sw.loc[sw["citizen_id"] == "C9"].assign(citizen_id="X1", status="selvforsørgelse")
    sw = pd.concat([sw, extra], ignore_index=True)
    c9_first = pd.DataFrame(
        {
            "citizen_id": ["C9"],
            "week": [first + pd.Timedelta(days=3)],
            "status": ["selvforsørgelse"],
            "registered": [first],
        }
    )
    sw = pd.concat([c9_first, sw], ignore_index=True)
    c8 = sw.index[(sw["citizen_id"] == "C8") & (sw["week"] == pd.Timestamp("2024-01-22"))]
    sw.loc[c8, "week"] += pd.Timedelta(days=2)
    sw.loc[sw.index[(sw["citizen_id"] == "C8")][:3], "status"] = None
    citizens = pd.concat(
        [
            ds.citizens,
            pd.DataFrame(
                {
                    "citizen_id": ["C10"],
                    "birth_year": [2003],
                    "gender": ["k"],
                    "target_group": ["unge"],
                    "origin": [None],
                    "registered": [pd.Timestamp("2019-01-01")],
                }
            ),
        ],
        ignore_index=True,
    )
    path = tmp_path / "status_weekly.parquet"
    sw.to_parquet(path, index=False)
    return Dataset(tables={"citizens": citizens, "courses": ds.courses, "status_weekly": pd.read_parquet(path)}), path


@pytest.mark.parametrize(
    "window",
    [
        {},
        {"entry_from": "2024-01-01", "entry_to": "2024-01-31"},  # only C4; C1-C3, C5-C7 left out
        {"entry_from": "2023-06-01"},
        {"entry_from": "2030-01-01"},  # nobody: no placebo weeks
    ],
)
def test_streaming_outcome_table_edge_cases(edge_case, window):
    ds, path = edge_case
    expected = outcome_table(ds, **window)
    got = outcome_table_parquet(path, ds.citizens, ds.courses, **window)
    pd.testing.assert_frame_equal(expected, got, check_exact=True)
    t = got.set_index("citizen_id")
    assert "X1" not in t.index and "C10" in t.index
    if window.get("entry_from") == "2024-01-01":
        assert sorted(t.index) == ["C10", "C4", "C8", "C9"]
        assert t.loc["C8", "selfsupport_1_26"] == pytest.approx(2 / 26)  # the Wednesday row counts
        assert t.loc["C8", "selfsupport_27_52"] == pytest.approx(1 / 24)  # two weeks without a row
        # 104 weeks before: the first week has no row and three have no status
        assert t.loc["C8", "benefit_weeks_104"] == 104 - 1 - 3
        assert np.isnan(t.loc["C4", "selfsupport_53_104"])  # partly beyond the panel
        assert t.loc["C10", "benefit_weeks_52"] == 0  # inside the panel, no rows: no benefit weeks
        assert np.isnan(t.loc["C10", "selfsupport_1_26"])  # ... and no observed weeks
        assert t.loc["C10", "origin"] == "ukendt"
    if window.get("entry_from") == "2030-01-01":
        assert (t["treated"] == 0).all() and t["selfsupport_1_26"].isna().all()


def test_streaming_quarterly_panel_edge_cases(edge_case):
    ds, path = edge_case
    for kw in ({}, {"outcome": "education"}, {"last_year": 2023}):
        _same_panel(quarterly_panel(ds, **kw), quarterly_panel_parquet(path, ds.citizens, ds.courses, **kw))
    got = quarterly_panel_parquet(path, ds.citizens, ds.courses)
    c10 = got.loc[got["citizen_id"] == "C10"]
    assert len(c10) == got["period"].max() and c10["selfsupport"].isna().all()
    with pytest.raises(ValueError, match="outcome"):
        quarterly_panel_parquet(path, ds.citizens, ds.courses, outcome="jobs")


def _matrix_of(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The in-memory long panel as citizens × quarters (rows in the panel's order)."""
    ids = pd.unique(panel["citizen_id"])
    return panel.pivot(index="citizen_id", columns="period", values=outcome).reindex(ids)


@pytest.mark.parametrize("layout", ["as written", "shuffled", "shuffled, sorted cells"])
def test_quarterly_matrix_edge_cases(edge_case, tmp_path, monkeypatch, layout):
    """The matrix is the in-memory panel's, whatever the row order of the file and however the
    batches are counted: the edge cases (a citizen with no rows, one not in the citizens table,
    missing statuses, a Wednesday row, a panel starting on a Thursday), late entrants left out,
    last_year; and rows of many row groups counted on two threads."""
    ds, path = edge_case
    if layout != "as written":
        sw = pd.read_parquet(path).sample(frac=1, random_state=3)
        # and a row without a pseudonym: no citizen's week
        sw = pd.concat([sw.iloc[:5], sw.iloc[:1].assign(citizen_id=None), sw.iloc[5:]], ignore_index=True)
        path = tmp_path / "shuffled.parquet"
        sw.to_parquet(path, index=False, row_group_size=97)
        monkeypatch.setattr(streaming, "_ROW_GROUP_ROWS", 40)
    if layout == "shuffled, sorted cells":  # every batch counted by sorting its cells
        monkeypatch.setattr(streaming, "_DENSE_CELLS", 0)
    for kw in ({}, {"outcome": "education"}, {"last_year": 2023}, {"last_year": 2022}):
        expected = quarterly_panel(ds, **kw)
        m = quarterly_matrix_parquet(path, ds.citizens, ds.courses, threads=2, **kw)
        want = _matrix_of(expected, m.outcome)
        assert m.citizen_ids.tolist() == want.index.tolist()
        assert m.values.dtype == np.float32 and m.values.shape == want.shape
        np.testing.assert_array_equal(m.values.astype(float), want.to_numpy())
        assert m.labels == list(pd.unique(expected["quarter"]))
        assert m.group.tolist() == expected.groupby("citizen_id", sort=False)["group"].first().tolist()
        _same_panel(expected, m.to_long())
    # cut at 2022 (the panel's first year): everyone whose first course came later is left out
    assert m.labels == ["2022K1", "2022K2", "2022K3", "2022K4"] and m.citizen_ids.tolist() == ["C8", "C9", "C10"]
    m = quarterly_matrix_parquet(path, ds.citizens, ds.courses, threads=2)
    assert np.isnan(m.values[m.citizen_ids.get_loc("C10")]).all()  # no rows: nothing observed
    assert np.nanmax(m.values) == 1 and np.nanmin(m.values) == 0 and m.group.max() > 0


def test_quarter_counts_of_a_batch(monkeypatch):
    """One batch counted by hand, directly and by sorting its cells: weeks by citizen and
    calendar quarter, a pseudonym twice in the dictionary counted once per row, unknown
    pseudonyms and missing or unknown statuses not counted (but their weeks span the panel)."""
    import pyarrow as pa

    weeks = pd.to_datetime(["2023-03-27", "2023-04-03", "2023-03-27", "2023-04-03", "2023-04-05", "2023-04-10"])
    citizen = pa.DictionaryArray.from_arrays(pa.array([0, 0, 1, 2, 2, 3], pa.int32()), ["A", "B", "B", "X"])
    status = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0, None, 2, 0], pa.int32()), [SELF, EDU, "???"])
    for dense_cells in (streaming._DENSE_CELLS, -1):
        monkeypatch.setattr(streaming, "_DENSE_CELLS", dense_cells)
        counts = streaming._QuarterCounts(pd.Index(["A", "B"]), kind=STATUSES.index(SELF), last_year=None)
        counts.add(citizen, pa.array(weeks, pa.timestamp("us")), status)
        assert counts.first_quarter == 2023 * 4 and counts.hits.shape == (2, 2)  # 2023K1, 2023K2
        assert counts.hits.tolist() == [[1, 0], [1, 0]]
        assert counts.seen.tolist() == [[1, 1], [1, 0]]
        assert (counts.first_day, counts.last_day) == (
            (weeks[0] - pd.Timestamp(0)).days,
            (weeks[-1] - pd.Timestamp(0)).days,
        )


def test_quarterly_matrix_reads_dates_and_timestamps_alike(edge_case, tmp_path):
    """``week`` stored as a date or as a timestamp in seconds counts the same weeks."""
    import pyarrow as pa

    ds, path = edge_case
    table = pq.read_table(path)
    expected = quarterly_matrix_parquet(path, ds.citizens, ds.courses)
    i = table.schema.get_field_index("week")
    for kind in (pa.date32(), pa.timestamp("s")):
        other = tmp_path / f"week_{kind}.parquet"
        pq.write_table(table.set_column(i, "week", table.column("week").cast(kind)), other)
        got = quarterly_matrix_parquet(other, ds.citizens, ds.courses)
        np.testing.assert_array_equal(got.values, expected.values)
        assert got.labels == expected.labels


def test_streaming_refuses_a_missing_or_empty_panel(edge_case, tmp_path):
    ds, _ = edge_case
    with pytest.raises(FileNotFoundError):
        outcome_table_parquet(tmp_path / "nope.parquet", ds.citizens, ds.courses)
    empty = tmp_path / "empty.parquet"
    ds.status_weekly.iloc[:0].to_parquet(empty, index=False)
    with pytest.raises(ValueError, match="no rows"):
        outcome_table_parquet(empty, ds.citizens, ds.courses)
    with pytest.raises(ValueError, match="no rows"):
        quarterly_matrix_parquet(empty, ds.citizens, ds.courses)
    with pytest.raises(FileNotFoundError):
        quarterly_matrix_parquet(tmp_path / "nope.parquet", ds.citizens, ds.courses)
    no_status = tmp_path / "no_status.parquet"
    ds.status_weekly.drop(columns="status").to_parquet(no_status, index=False)
    with pytest.raises(ValueError, match="status"):
        quarterly_matrix_parquet(no_status, ds.citizens, ds.courses)


# -- the chunked generator -----------------------------------------------------------------------


def test_a_chunk_is_made_by_the_demos_own_generator(demo_dir):
    """With the demo's random generators and no tag a chunk is the demo's own citizens, course
    starts and status panel, byte for byte: the chunks are municipal demos."""
    seed = demo_gen.DEFAULT_SEED
    t = effect_tables(np.random.default_rng(seed), np.random.default_rng([seed, 1]))
    assert to_csv(t["citizens"]) == (demo_dir / "citizens.csv").read_text(encoding="utf-8")
    assert to_parquet(t["status_weekly"]) == (demo_dir / "status_weekly.parquet").read_bytes()
    demo_courses = pd.read_csv(demo_dir / "courses.csv", dtype=str).drop(columns=["end_step", "end_status"])
    from io import StringIO

    pd.testing.assert_frame_equal(pd.read_csv(StringIO(to_csv(t["courses"])), dtype=str), demo_courses)


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    return write_national(tmp_path_factory.mktemp("national") / "x2", scale=2)


def test_write_national_writes_unique_pseudonyms_and_every_row(national):
    manifest = read_manifest(national)
    n = 2 * demo_gen.N_CITIZENS
    assert manifest == {
        "seed": demo_gen.DEFAULT_SEED,
        "scale": 2,
        "chunk_citizens": demo_gen.N_CITIZENS,
        "citizens": n,
        "courses": 2 * sum(demo_gen.COURSES_PER_YEAR.values()),
        "person_weeks": n * WEEKS,
    }
    assert sorted(p.name for p in national.iterdir()) == [
        "citizens.csv",
        "courses.csv",
        "national.json",
        "status_weekly.parquet",
    ]
    citizens, courses = read_effect_inputs(national)
    assert len(citizens) == n and citizens["citizen_id"].is_unique
    assert citizens["citizen_id"].str.fullmatch(r"B000[01][0-9a-f]{10}").all()
    assert courses["course_id"].is_unique and courses["citizen_id"].isin(citizens["citizen_id"]).all()
    f = pq.ParquetFile(national / "status_weekly.parquet")
    assert f.metadata.num_rows == n * WEEKS
    assert max(f.metadata.row_group(i).num_rows for i in range(f.metadata.num_row_groups)) <= 500_000
    ids = f.read(columns=["citizen_id"]).column(0).to_pandas()
    assert ids.value_counts().eq(WEEKS).all() and set(ids) == set(citizens["citizen_id"])


def test_national_chunks_look_like_the_demo_and_differ(national, demo):
    citizens, courses = read_effect_inputs(national)
    sw = pd.read_parquet(national / "status_weekly.parquet")
    chunk = citizens["citizen_id"].str[1:5]
    assert chunk.value_counts().to_dict() == {"0000": demo_gen.N_CITIZENS, "0001": demo_gen.N_CITIZENS}
    years = courses.assign(chunk=courses["course_id"].str[1:5], year=courses["start"].dt.year)
    assert (
        years.groupby(["chunk", "year"]).size().unstack(0).eq(pd.Series(demo_gen.COURSES_PER_YEAR), axis=0).all().all()
    )
    # the same model as the demo: status shares and who takes part within a few points of it
    ref = demo.status_weekly["status"].astype(str).value_counts(normalize=True)
    for k in ("0000", "0001"):
        part = sw.loc[sw["citizen_id"].str[1:5] == k, "status"].astype(str).value_counts(normalize=True)
        assert (part.reindex(ref.index) - ref).abs().max() < 0.02
        in_k = courses.loc[courses["citizen_id"].str[1:5] == k, "citizen_id"].nunique()
        assert abs(in_k - demo.courses["citizen_id"].nunique()) < 100
        grp = citizens.loc[chunk == k, "target_group"].value_counts(normalize=True)
        assert (grp - pd.Series(demo_gen.TARGET_GROUP_SHARES)).abs().max() < 0.03
    # but not copies of one another
    by_chunk = [citizens.loc[chunk == k, "birth_year"].to_numpy() for k in ("0000", "0001")]
    assert (by_chunk[0] != by_chunk[1]).mean() > 0.9
    suffixes = [set(citizens.loc[chunk == k, "citizen_id"].str[5:]) for k in ("0000", "0001")]
    assert len(suffixes[0] & suffixes[1]) < 5


def test_national_chunks_are_deterministic(national):
    """A chunk made again on its own is the same as in the file (the seeds are per chunk)."""
    again = national_chunk(demo_gen.DEFAULT_SEED, 1)
    in_file = pq.read_table(national / "status_weekly.parquet").slice(demo_gen.N_CITIZENS * WEEKS)
    assert in_file.equals(arrow_table(again["status_weekly"]).cast(in_file.schema))
    citizens, _ = read_effect_inputs(national)
    assert citizens["citizen_id"].iloc[demo_gen.N_CITIZENS :].tolist() == again["citizens"]["citizen_id"].tolist()


def test_streaming_outcome_table_on_the_national_panel(national):
    citizens, courses = read_effect_inputs(national)
    sw = pd.read_parquet(national / "status_weekly.parquet").astype({"week": "datetime64[ns]"})  # as load
    ds = Dataset(tables={"citizens": citizens, "courses": courses, "status_weekly": sw})
    got = outcome_table_parquet(national / "status_weekly.parquet", citizens, courses, memory_limit="256MB")
    pd.testing.assert_frame_equal(outcome_table(ds), got, check_exact=True)
    assert len(got) == 2 * demo_gen.N_CITIZENS and got["selfsupport_1_26"].notna().mean() > 0.95
    _same_panel(quarterly_panel(ds), quarterly_panel_parquet(national / "status_weekly.parquet", citizens, courses))


def test_event_study_from_the_matrix_on_the_national_panel(national, monkeypatch):
    """The national event study without a long panel: group_time_att_wide on the quarterly
    matrix gives bit for bit what group_time_att gives on the streamed long panel, with the
    influence functions kept per cell as at national scale; and, to rounding, what it gives on
    the in-memory panel (whose units sort by pseudonym, not in the citizens table's order)."""
    from so_eval.effects.did import influence as did  # (the per-cell store and its size threshold)

    citizens, courses = read_effect_inputs(national)
    path = national / "status_weekly.parquet"
    kw = {
        "unit": "citizen_id",
        "time": "period",
        "group": "group",
        "outcome": "selfsupport",
        "control_group": "never_treated",
        "anticipation": 4,
    }
    sw = pd.read_parquet(path).astype({"week": "datetime64[ns]"})
    in_memory = group_time_att(
        quarterly_panel(Dataset(tables={"citizens": citizens, "courses": courses, "status_weekly": sw})), **kw
    )
    monkeypatch.setattr(did, "_DENSE_IF_BYTES", 0)
    m = quarterly_matrix_parquet(path, citizens, courses)
    wide = group_time_att_wide(m.values, m.group, periods=m.periods, **kw)
    long = group_time_att(quarterly_panel_parquet(path, citizens, courses), **kw)
    assert isinstance(wide._inf, did._Influence)
    pd.testing.assert_frame_equal(wide.att_gt, long.att_gt, check_exact=True)
    assert len(wide.att_gt) > 500 and wide.att_gt["att"].notna().all() and wide.n_units == len(citizens)
    for res in (long, in_memory):
        dyn, got = res.aggregate("dynamic", min_e=-8, max_e=8), wide.aggregate("dynamic", min_e=-8, max_e=8)
        exact = res is long
        assert (
            (got.att, got.se) == (dyn.att, dyn.se)
            if exact
            else (got.att == pytest.approx(dyn.att, rel=1e-9) and got.se == pytest.approx(dyn.se, rel=1e-9))
        )
        pd.testing.assert_frame_equal(got.table, dyn.table, check_exact=exact, rtol=1e-9)
    pd.testing.assert_frame_equal(wide.att_gt, in_memory.att_gt, check_exact=False, rtol=1e-9, atol=1e-12)


def test_cli_demo_scale(monkeypatch, tmp_path, capsys):
    import so_eval.demo.national
    from so_eval.cli import main

    calls = []
    monkeypatch.setattr(
        so_eval.demo.national, "write_national", lambda out, scale, seed, progress: calls.append((out, scale, seed))
    )
    assert main(["demo", "--scale", "3", "--seed", "7", "--out", str(tmp_path / "n")]) == 0
    assert calls == [(tmp_path / "n", 3, 7)]
    assert main(["demo", "--scale", "0"]) == 1
    assert main(["demo", "--scale", "2", "--no-anomalies", "--out", str(tmp_path / "m")]) == 1
    assert len(calls) == 1 and "--no-anomalies" in capsys.readouterr().err
