"""Validation: every kind of bad input is reported with file, row (as counted in the file) and
column; all problems are listed at once; nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from so_eval import ValidationError, load, validate
from tiny import TABLES, write_tiny


def _problems(tmp_path: Path, **replace):
    return validate(write_tiny(tmp_path / "ds", **replace))


def _one(problems, file, row, column):
    hits = [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]
    assert hits, f"no problem at {file} row {row} column {column}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


def test_tiny_dataset_is_valid(tiny_dir):
    assert validate(tiny_dir) == []


def test_missing_file(tmp_path):
    ds = write_tiny(tmp_path / "ds")
    (ds / "jobs.csv").unlink()
    problems = validate(ds)
    assert [(p.file, p.row, p.column) for p in problems] == [("jobs.csv", None, None)]
    assert "missing" in problems[0].message


def test_optional_table_may_be_missing(tmp_path):
    ds = write_tiny(tmp_path / "ds", learnings=None)
    assert validate(ds) == []
    assert len(load(ds).learnings) == 0


def test_missing_column(tmp_path):
    text = TABLES["citizens"].replace("gender,", "").replace(",k,", ",").replace(",m,", ",")
    p = _one(_problems(tmp_path, citizens=text), "citizens.csv", None, "gender")
    assert "missing" in p.message


def test_bad_date(tmp_path):
    text = TABLES["courses"].replace("K4,C4,A2,2024-01-15", "K4,C4,A2,2024-13-15")
    p = _one(_problems(tmp_path, courses=text), "courses.csv", 5, "start")  # K4 is data row 4 → line 5
    assert "2024-13-15" in p.message and "date" in p.message


def test_unknown_category(tmp_path):
    text = TABLES["citizens"].replace("C5,1990,k,integration", "C5,1990,k,integrationn")
    p = _one(_problems(tmp_path, citizens=text), "citizens.csv", 6, "target_group")
    assert "integrationn" in p.message and "kontanthjælp" in p.message  # says what is allowed


def test_unknown_item_in_list_column(tmp_path):
    text = TABLES["agreements"].replace("kontanthjælp;fleksjob", "kontanthjælp;flexjob")
    p = _one(_problems(tmp_path, agreements=text), "agreements.csv", 2, "target_groups")
    assert "flexjob" in p.message


def test_duplicate_id(tmp_path):
    # two rows with the same ID are two versions of the row only with different registration dates
    text = (
        TABLES["courses"]
        .replace("K6,C6,A1", "K5,C6,A1")
        .replace("praktik,praktik,2024-06-02", "praktik,praktik,2024-03-02")
    )
    problems = _problems(tmp_path, courses=text)
    p = _one(problems, "courses.csv", 7, "course_id")
    assert "duplicate" in p.message and "K5" in p.message
    _one(problems, "courses.csv", 6, "course_id")  # the first occurrence is named too


def test_reference_to_unknown_id(tmp_path):
    text = TABLES["courses"].replace("K7,C1,A3", "K7,C1,A9")
    p = _one(_problems(tmp_path, courses=text), "courses.csv", 8, "agreement_id")
    assert "'A9'" in p.message and "agreements.csv" in p.message


def test_end_before_start(tmp_path):
    text = TABLES["agreements"].replace("A2,E2,2022-07-01,2024-05-31", "A2,E2,2022-07-01,2021-05-31")
    p = _one(_problems(tmp_path, agreements=text), "agreements.csv", 3, "end")
    assert "before" in p.message and "2021-05-31" in p.message


def test_bad_number_and_boolean(tmp_path):
    ent = TABLES["enterprises"].replace(
        "E1,Café Et,virksomhed,2015-03-01,,true", "E1,Café Et,virksomhed,2015-03-01,,maybe"
    )
    agr = TABLES["agreements"].replace(",5,kontanthjælp", ",five,kontanthjælp")
    problems = _problems(tmp_path, enterprises=ent, agreements=agr)
    assert "maybe" in _one(problems, "enterprises.csv", 2, "rsv_registered").message
    assert "'five' is not a whole number" in _one(problems, "agreements.csv", 2, "places").message


def test_course_end_needs_end_status(tmp_path):
    text = TABLES["courses"].replace("2024-05-15,afklaring,afklaring,frafald", "2024-05-15,afklaring,afklaring,")
    p = _one(_problems(tmp_path, courses=text), "courses.csv", 5, "end_status")
    assert "end status" in p.message


def test_event_of_another_citizens_course(tmp_path):
    text = TABLES["jobs"].replace("C2,K2,2024-09-05", "C3,K2,2024-09-05")
    p = _one(_problems(tmp_path, jobs=text), "jobs.csv", 3, "citizen_id")
    assert "K2" in p.message and "C2" in p.message


def test_all_problems_are_listed_not_just_the_first(tmp_path):
    courses = TABLES["courses"].replace("K4,C4,A2,2024-01-15", "K4,C4,A2,2024-13-15").replace("K7,C1,A3", "K7,C1,A9")
    citizens = TABLES["citizens"].replace("C5,1990,k,integration", "C5,1990,x,integration")
    problems = _problems(tmp_path, courses=courses, citizens=citizens)
    _one(problems, "courses.csv", 5, "start")
    _one(problems, "courses.csv", 8, "agreement_id")
    _one(problems, "citizens.csv", 6, "gender")
    assert len(problems) == 3


def test_non_utf8_file(tmp_path):
    ds = write_tiny(tmp_path / "ds")
    (ds / "citizens.csv").write_bytes(TABLES["citizens"].replace("kontanthjælp", "kontanthjælp").encode("latin-1"))
    p = _one(validate(ds), "citizens.csv", None, None)
    assert "UTF-8" in p.message


def test_validate_writes_nothing(tmp_path):
    ds = write_tiny(tmp_path / "ds", courses=TABLES["courses"].replace("K7,C1,A3", "K7,C1,A9"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in ds.iterdir()}
    assert validate(ds)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in ds.iterdir()}
    assert before == after


def test_load_raises_with_every_problem(tmp_path):
    ds = write_tiny(tmp_path / "ds", courses=TABLES["courses"].replace("K7,C1,A3", "K7,C1,A9"))
    with pytest.raises(ValidationError) as exc:
        load(ds)
    assert len(exc.value.problems) == 1
    assert "courses.csv, row 8, column 'agreement_id'" in str(exc.value)


def test_load_types(tiny):
    assert str(tiny.courses["start"].dtype).startswith("datetime64")
    assert tiny.enterprises["rsv_registered"].dtype == bool
    assert tiny.agreements["places"].dtype.kind == "i"
    assert tiny.fingerprint and len(tiny.fingerprint) == 64


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "so_eval.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_cli_validate_exit_codes(tmp_path, tiny_dir):
    ok = _cli("validate", str(tiny_dir))
    assert ok.returncode == 0 and "valid" in ok.stdout
    bad = write_tiny(tmp_path / "bad", courses=TABLES["courses"].replace("K7,C1,A3", "K7,C1,A9"))
    res = _cli("validate", str(bad))
    assert res.returncode == 1
    assert "courses.csv, row 8, column 'agreement_id'" in res.stderr
    missing = _cli("validate", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "not found" in missing.stderr


# -- the weekly status panel (Parquet): the fast path says valid only when pandera would -------


def _panel_problems(tmp_path, panel, *, pandera_only=False, monkeypatch=None):
    from tiny import write_tiny_with_panel

    folder = write_tiny_with_panel(tmp_path / ("slow" if pandera_only else "fast"))
    panel.to_parquet(folder / "status_weekly.parquet", index=False)
    if pandera_only:
        from so_eval.data import schema_check

        monkeypatch.setattr(schema_check, "_typed_if_valid", lambda df, spec, **kw: None)
    return validate(folder)


def _broken_panels():
    import pandas as pd

    from tiny import status_panel

    def dup(p):
        return pd.concat([p, p.iloc[[10]]], ignore_index=True)

    def unknown_status(p):
        p.loc[5, "status"] = "ferie"
        return p

    def missing_id(p):
        p.loc[7, "citizen_id"] = None
        return p

    def long_id(p):
        p.loc[3, "citizen_id"] = "C" * 65
        return p

    def missing_week(p):
        p.loc[4, "week"] = pd.NaT
        return p

    def week_as_text(p):
        p["week"] = p["week"].dt.strftime("%Y-%m-%d")
        p.loc[6, "week"] = "i går"
        return p

    return {
        f.__name__: f(status_panel()) for f in (dup, unknown_status, missing_id, long_id, missing_week, week_as_text)
    }


@pytest.mark.parametrize("case", list(_broken_panels()))
def test_bad_status_panel_is_reported_as_pandera_reports_it(tmp_path, monkeypatch, case):
    panel = _broken_panels()[case]
    fast = _panel_problems(tmp_path, panel)
    assert any(p.file == "status_weekly.parquet" for p in fast), fast
    slow = _panel_problems(tmp_path, panel, pandera_only=True, monkeypatch=monkeypatch)
    assert fast == slow


def test_fast_path_gives_the_tables_pandera_gives(tmp_path, monkeypatch):
    from so_eval.data.loading import _read_raw
    from so_eval.data.model import TABLES as SPECS
    from so_eval.data.schema_check import _typed_if_valid
    from tiny import write_tiny_with_panel

    spec = SPECS["status_weekly"]
    raw, _ = _read_raw(write_tiny_with_panel(tmp_path / "ds") / spec.filename, spec)
    slow = spec.model.validate(raw.copy())
    as_dictionary = raw.assign(status=raw["status"].astype("category"))  # as pyarrow reads the demo's
    for source in (raw, as_dictionary):
        fast = _typed_if_valid(source.copy(), spec, categorize=True)
        assert fast is not None  # valid data take the fast path
        assert list(fast.columns) == list(slow.columns) and len(fast) == len(slow) == 9 * 156 - 2
        for col in ("citizen_id", "week", "registered"):
            assert str(fast[col].dtype) == str(slow[col].dtype), col
            assert fast[col].equals(slow[col]), col
        assert fast["status"].astype(str).tolist() == slow["status"].astype(str).tolist()
        allowed = spec.model.to_schema().columns["status"].checks[0].statistics["allowed_values"]
        assert list(fast["status"].cat.categories) == list(allowed)


@pytest.mark.parametrize("dataset", ["tiny", "demo"])
def test_fast_path_types_every_table_as_pandera_does(dataset, tiny_dir, demo_dir):
    """On valid data every table takes the fast path, and comes out exactly as pandera types it
    (dtypes and values; the Parquet panel's closed-list text as a categorical)."""
    from so_eval.data.loading import _read_raw
    from so_eval.data.model import TABLES as SPECS
    from so_eval.data.schema_check import _parse_bools, _typed_if_valid

    folder = tiny_dir if dataset == "tiny" else demo_dir
    checked = 0
    for name, spec in SPECS.items():
        path = folder / spec.filename
        if not path.exists():
            continue
        raw, problems = _read_raw(path, spec)
        assert problems == [] and _parse_bools(raw, spec, spec.filename) == []
        fast = _typed_if_valid(raw.copy(), spec, categorize=spec.fmt == "parquet")
        assert fast is not None, f"{name}: valid data did not take the fast path"
        slow = spec.model.validate(raw.copy())[list(fast.columns)]
        for col in fast.columns:
            a, b = fast[col], slow[col]
            if isinstance(a.dtype, pd.CategoricalDtype):
                a = a.astype(str)
                b = b.astype(str)
            else:
                assert str(a.dtype) == str(b.dtype), f"{name}.{col}: {a.dtype} vs {b.dtype}"
            assert a.equals(b), f"{name}.{col}"
        checked += 1
    assert checked >= (7 if dataset == "tiny" else 13)


def test_duplicate_keys_are_found_in_a_large_panel_however_it_is_ordered():
    import numpy as np

    from so_eval.data.schema_check import _has_duplicates

    ids = np.repeat([f"B{i:05d}" for i in range(400)], 260)
    weeks = np.tile(pd.date_range("2020-01-06", periods=260, freq="7D").to_numpy(), 400)
    panel = pd.DataFrame({"citizen_id": pd.array(ids, dtype="str"), "week": weeks})  # 104,000 rows
    assert not _has_duplicates(panel, ["citizen_id", "week"])  # grouped, increasing: neighbours only
    assert not _has_duplicates(panel.sample(frac=1, random_state=1), ["citizen_id", "week"])
    split = pd.concat([panel.iloc[300:], panel.iloc[:300]], ignore_index=True)  # a citizen in two stretches
    assert not _has_duplicates(split, ["citizen_id", "week"])
    again = pd.concat([panel, panel.iloc[[5]]], ignore_index=True)  # the same row in a second stretch
    assert _has_duplicates(again, ["citizen_id", "week"])
    beside = pd.concat([panel.iloc[:6], panel.iloc[[5]], panel.iloc[6:]], ignore_index=True)
    assert _has_duplicates(beside, ["citizen_id", "week"])
