"""Rows can be updated, corrected and withdrawn, and the history is kept: versions of a row in the
dataset, ``load(as_of=...)`` as known on a day, ``ingest --update``, the next year's corrections and
the reproduction of a report published before a correction."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest

from so_eval import load, validate
from so_eval.annual import AnnualReport
from so_eval.annual.corrections import (
    REASONS,
    corrected_registrations,
    corrections,
    late_registrations,
)
from so_eval.data import pseudonym as ps
from so_eval.data.ingest import IngestError, ingest
from so_eval.params import ReportParams
from so_eval.reproduce import reproduce
from test_ingest import CPR, KEY, fill_workbook, pseudonym_by_hand, snapshot, tiny_rows
from tiny import TABLES as TINY
from tiny import write_tiny


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    monkeypatch.setenv(ps.KEY_ENV, KEY)
    monkeypatch.delenv(ps.KEY_FILE_ENV, raising=False)


def _tables_only(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if k != "ingest_log.jsonl"}


# -- versions in a dataset folder --------------------------------------------------------------

# K4 (ended 2024-05-15 as 'frafald') corrected on 2025-03-01: the citizen went into education
K4_CORRECTED = "K4,C4,A2,2024-01-15,2024-05-15,afklaring,uddannelse,uddannelse,2025-03-01\n"
# J3 (C1's second job) withdrawn on 2025-02-10: entered by mistake
J3_WITHDRAWN = "J3,C1,K7,2024-12-01,,deltidsjob,20,2025-02-10,true\n"


def _with_withdrawn_column(text: str) -> str:
    lines = text.strip("\n").split("\n")
    return "\n".join([lines[0] + ",withdrawn"] + [line + "," for line in lines[1:]]) + "\n"


def _versioned(folder):
    return write_tiny(
        folder, courses=TINY["courses"] + K4_CORRECTED, jobs=_with_withdrawn_column(TINY["jobs"]) + J3_WITHDRAWN
    )


def test_load_gives_each_rows_latest_version_and_as_of_the_version_known_then(tmp_path):
    folder = _versioned(tmp_path / "v")
    assert validate(folder) == []
    ds = load(folder)
    courses = ds.courses.set_index("course_id")
    assert len(courses) == 8 and courses.loc["K4", "end_status"] == "uddannelse"
    assert list(ds.courses["course_id"]) == ["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8"]  # K4 stays put
    assert sorted(ds.jobs["job_id"]) == ["J1", "J2", "J4", "J5"]  # J3 withdrawn
    assert "withdrawn" not in ds.jobs.columns
    # every version is kept
    assert len(ds.history["courses"]) == 9 and len(ds.history["jobs"]) == 6
    then = load(folder, as_of="2025-01-15")
    assert then.courses.set_index("course_id").loc["K4", "end_status"] == "frafald"
    assert "J3" in set(then.jobs["job_id"]) and "J2" not in set(then.jobs["job_id"])  # J2 registered 2025-02-01
    between = ds.as_known_on("2025-02-15")  # J3 withdrawn, K4 not yet corrected
    assert "J3" not in set(between.jobs["job_id"])
    assert between.courses.set_index("course_id").loc["K4", "end_status"] == "frafald"
    # cutting twice keeps the earlier cut; a pickled dataset keeps its history
    assert ds.as_known_on("2025-02-15").as_known_on("2025-01-15").jobs.equals(then.jobs)
    again = pickle.loads(pickle.dumps(ds.without("status_weekly")))
    assert again.as_known_on("2025-01-15").courses.equals(then.courses)


def test_latest_versions_worked_out_by_hand():
    from so_eval.data.dataset import latest_versions

    h = pd.DataFrame(
        {
            "id": ["a", "b", "a", "c", "b", "a"],
            "v": [1, 2, 3, 4, 5, 6],
            "registered": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-03-01", "2024-01-03", "2024-02-01", "2024-02-01"]
            ),
            "withdrawn": [False, False, False, False, True, False],
        }
    )
    # a: rows 0, 5, 2 by date -> row 2; b: withdrawn on 2024-02-01; c: row 3; a before c (first rows 0, 3)
    now = latest_versions(h, ["id"])
    assert list(now.index) == [2, 3] and list(now["v"]) == [3, 4] and "withdrawn" not in now.columns
    assert list(latest_versions(h, ["id"], pd.Timestamp("2024-02-15")).index) == [5, 3]
    assert list(latest_versions(h, ["id"], pd.Timestamp("2024-01-15")).index) == [0, 1, 3]


def test_a_dataset_with_one_version_of_each_row_loads_as_before(tiny_dir):
    ds = load(tiny_dir)
    assert ds.history == {}
    assert list(ds.jobs.index) == list(range(5))  # no resolution: the file's rows as they are
    then = ds.as_known_on("2025-01-15")
    assert list(then.jobs["job_id"]) == ["J1", "J3", "J4"]  # J2 and J5 registered later


def test_two_versions_on_the_same_day_and_a_bad_withdrawn_value_are_problems(tmp_path):
    same_day = TINY["courses"] + K4_CORRECTED.replace("2025-03-01", "2024-01-16")
    jobs = _with_withdrawn_column(TINY["jobs"]).replace(
        "J1,C1,K1,2024-04-10,,ordinært job,37,2024-04-12,", "J1,C1,K1,2024-04-10,,ordinært job,37,2024-04-12,måske"
    )
    problems = validate(write_tiny(tmp_path / "v", courses=same_day, jobs=jobs))
    got = {(p.file, p.row, p.column): p.message for p in problems}
    assert set(got) == {("courses.csv", 5, "course_id"), ("courses.csv", 10, "course_id"), ("jobs.csv", 2, "withdrawn")}
    assert "duplicate ID 'K4'" in got[("courses.csv", 10, "course_id")]
    assert "later registration date" in got[("courses.csv", 10, "course_id")]
    assert "'måske' is not a yes/no value" in got[("jobs.csv", 2, "withdrawn")]


def test_references_are_checked_on_the_latest_versions(tmp_path):
    # K8 withdrawn, but its step events and job were not: they now point at nothing
    courses = _with_withdrawn_column(TINY["courses"]) + (
        "K8,C7,A3,2023-01-10,2023-12-20,motivation,afklaring,afklaring,2025-02-01,ja\n"
    )
    problems = validate(write_tiny(tmp_path / "v", courses=courses))
    got = {(p.file, p.row, p.column): p.message for p in problems}
    assert set(got) == {
        ("progression.csv", 15, "course_id"),
        ("progression.csv", 16, "course_id"),
        ("jobs.csv", 5, "course_id"),
    }
    assert got[("jobs.csv", 5, "course_id")] == "'K8' was withdrawn from courses.csv (withdraw this row too)"
    # as known before the withdrawal everything held; withdrawing the job and steps too is valid
    progression = _with_withdrawn_column(TINY["progression"]) + (
        "C7,K8,2023-01-10,motivation,0,2025-02-01,ja\nC7,K8,2023-12-20,afklaring,0,2025-02-01,ja\n"
    )
    jobs = _with_withdrawn_column(TINY["jobs"]) + "J4,C7,K8,2023-12-28,2024-06-30,fleksjob,15,2025-02-01,ja\n"
    folder = write_tiny(tmp_path / "w", courses=courses, progression=progression, jobs=jobs)
    assert validate(folder) == []
    assert "K8" not in set(load(folder).courses["course_id"])
    assert "K8" in set(load(folder, as_of="2025-01-31").courses["course_id"])


# -- ingest --update ------------------------------------------------------------------------------


@pytest.fixture
def ingested(tmp_path):
    book = fill_workbook(tmp_path / "udfyldt.xlsx", {t: tiny_rows(t) for t in TINY})
    into = tmp_path / "data" / "x"
    ingest([book], into, now="2025-01-20T10:00:00+01:00")
    return book, into


def _rows(table: str, key: str, value: str, **changes) -> list[dict]:
    rows = tiny_rows(table)
    for r in rows:
        if r[key] == value:
            r.update(changes)
    return rows


def _log(into) -> list[dict]:
    return [json.loads(line) for line in (into / "ingest_log.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_course_that_has_ended_is_a_conflict_without_update_and_a_new_version_with_it(ingested, tmp_path):
    book, into = ingested
    ended = fill_workbook(
        tmp_path / "opdateret.xlsx",
        {"courses": _rows("courses", "course_id", "K5", end="2024-10-31", end_step="praktik", end_status="praktik")},
    )
    before = _tables_only(snapshot(into))
    report = ingest([ended], into, now="2025-02-03T09:00:00+01:00")
    assert report.tables["courses"].as_dict() == {
        "read": 8,
        "added": 0,
        "updated": 0,
        "unchanged": 7,
        "conflicting": 1,
        "rejected": 1,
    }
    (c,) = report.conflicts
    assert c.changes == (
        ("Slutdato", None, "2024-10-31"),
        ("Trin ved slut", None, "praktik"),
        ("Status efter forløb", None, "praktik"),
    )
    assert "Slutdato: (empty) → '2024-10-31'" in str(c) and "--update" in str(c)
    assert _tables_only(snapshot(into)) == before  # nothing written

    report = ingest([ended], into, now="2025-02-03T09:00:00+01:00", update=True)
    assert report.tables["courses"].as_dict() == {
        "read": 8,
        "added": 0,
        "updated": 1,
        "unchanged": 7,
        "conflicting": 0,
        "rejected": 0,
    }
    (ch,) = report.changes
    # the row's own registration date (2024-03-02) is not later than the stored one: the ingest day
    assert (ch.key, ch.replaces, ch.registered, ch.withdrawn) == (
        "the row with Forløbs-ID 'K5'",
        "2024-03-02",
        "2025-02-03",
        False,
    )
    assert (
        "updated: opdateret.xlsx, sheet 'Forløb', row 6: the row with Forløbs-ID 'K5': Slutdato: (empty) → "
        "'2024-10-31'; Trin ved slut: (empty) → 'praktik'; Status efter forløb: (empty) → 'praktik'" in report.summary()
    )
    assert _log(into)[-1]["changes"] == [
        {
            "table": "courses",
            "key": {"course_id": "K5"},
            "registered": "2025-02-03",
            "replaces": "2024-03-02",
            "withdrawn": False,
            "changes": {"end": [None, "2024-10-31"], "end_step": [None, "praktik"], "end_status": [None, "praktik"]},
        }
    ]
    assert _log(into)[-1]["updated"] == 1 and _log(into)[-1]["no_op"] is False
    # both versions are in the file; load gives the new one, as_of the day before the old one
    assert (into / "courses.csv").read_text(encoding="utf-8").count("\nK5,") == 2
    k5 = load(into).courses.set_index("course_id").loc["K5"]
    assert (k5["end"], k5["end_status"]) == (pd.Timestamp("2024-10-31"), "praktik")
    assert pd.isna(load(into, as_of="2025-02-02").courses.set_index("course_id").loc["K5", "end"])

    # the same file again, with or without --update: nothing new; the old workbook: nothing either
    after = _tables_only(snapshot(into))
    for update in (False, True):
        again = ingest([ended], into, now="2025-02-04T09:00:00+01:00", update=update)
        assert again.no_op and again.conflicts == [] and again.tables["courses"].unchanged == 8
    old = ingest([book], into, now="2025-02-05T09:00:00+01:00", update=True)
    assert old.no_op and old.conflicts == [] and old.tables["courses"].unchanged == 8
    (w,) = [w for w in old.warnings if "earlier version" in w.message]
    assert (w.sheet, w.row) == ("Forløb", 6) and "registered 2025-02-03" in w.message
    assert _tables_only(snapshot(into)) == after


def test_a_corrected_row_keeps_its_own_later_registration_date(ingested, tmp_path):
    _, into = ingested
    fixed = fill_workbook(
        tmp_path / "rettet.xlsx", {"jobs": _rows("jobs", "job_id", "J1", start="2024-04-15", registered="2025-02-10")}
    )
    report = ingest([fixed], into, now="2025-02-12T09:00:00+01:00", update=True)
    (ch,) = report.changes
    assert (ch.replaces, ch.registered, ch.codes) == ("2024-04-12", "2025-02-10", ("start",))
    assert ch.changes == (("Startdato", "2024-04-10", "2024-04-15"),)
    assert load(into).jobs.set_index("job_id").loc["J1", "start"] == pd.Timestamp("2024-04-15")
    assert load(into, as_of="2025-02-09").jobs.set_index("job_id").loc["J1", "start"] == pd.Timestamp("2024-04-10")
    # a second change of the row on a day its current version is registered on is refused
    twice = fill_workbook(
        tmp_path / "igen.xlsx", {"jobs": _rows("jobs", "job_id", "J1", start="2024-04-16", registered="2025-02-09")}
    )
    before = snapshot(into)
    with pytest.raises(IngestError) as err:
        ingest([twice], into, now="2025-02-10T09:00:00+01:00", update=True)
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("Job", 2, "Registreringsdato")
    assert "registered 2025-02-10" in p.message and "later Registreringsdato" in p.message
    assert snapshot(into) == before


def test_a_row_is_withdrawn_with_only_its_id_and_nothing_is_deleted(ingested, tmp_path):
    _, into = ingested
    book = fill_workbook(tmp_path / "tilbage.xlsx", {"jobs": [{"job_id": "J3", "withdrawn": "ja"}]})
    report = ingest([book], into, now="2025-02-03T09:00:00+01:00")
    (c,) = report.conflicts
    assert c.columns == ("Trukket tilbage",) and "--update" in str(c)
    report = ingest([book], into, now="2025-02-03T09:00:00+01:00", update=True)
    (ch,) = report.changes
    assert ch.withdrawn and ch.changes == (("Trukket tilbage", None, "true"),)
    assert "J3': withdrawn (a new version registered 2025-02-03" in report.summary()
    text = (into / "jobs.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(",withdrawn") and text.count("\nJ3,") == 2
    assert text.splitlines()[-1].endswith(",2025-02-03,true")  # the other cells from the stored row
    assert sorted(load(into).jobs["job_id"]) == ["J1", "J2", "J4", "J5"]
    assert "J3" in set(load(into, as_of="2025-02-02").jobs["job_id"])
    assert ingest([book], into, now="2025-02-04T09:00:00+01:00", update=True).no_op
    # a row that is not in the dataset cannot be withdrawn
    nothing = fill_workbook(tmp_path / "ingen.xlsx", {"jobs": [{"job_id": "J9", "withdrawn": "ja"}]})
    with pytest.raises(IngestError) as err:
        ingest([nothing], into, now="2025-02-04T09:00:00+01:00", update=True)
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("Job", 2, "Trukket tilbage") and "nothing to withdraw" in p.message


def test_a_changed_citizen_is_shown_and_logged_by_pseudonym_never_by_cpr(ingested, tmp_path):
    _, into = ingested
    book = fill_workbook(
        tmp_path / "borger.xlsx", {"citizens": _rows("citizens", "citizen_id", "C3", birth_year="2002")}
    )
    report = ingest([book], into, now="2025-02-03T09:00:00+01:00", update=True)
    (ch,) = report.changes
    p3 = pseudonym_by_hand(CPR["C3"])
    assert ch.key == f"the row with Borger-ID (CPR eller pseudonym) '{p3}'"
    assert ch.changes == (("Fødselsår", "2003", "2002"),)
    cpr = CPR["C3"]
    for text in (report.summary(), (into / "ingest_log.jsonl").read_text(encoding="utf-8")):
        assert p3 in text
        assert cpr not in text and cpr.replace("-", "") not in text and cpr[:4] + "…" not in text
    assert _log(into)[-1]["changes"][0]["key"] == {"citizen_id": p3}
    assert load(into).citizens.set_index("citizen_id").loc[p3, "birth_year"] == 2002


def test_cli_ingest_update(ingested, tmp_path):
    from so_eval.cli import main

    _, into = ingested
    book = fill_workbook(
        tmp_path / "opdateret.xlsx",
        {"courses": _rows("courses", "course_id", "K5", end="2024-10-31", end_step="praktik", end_status="praktik")},
    )
    assert main(["ingest", str(book), "--into", str(into)]) == 2  # a conflict: nothing applied
    assert load(into).courses.set_index("course_id")["end"].isna().sum() == 1
    assert main(["ingest", str(book), "--into", str(into), "--update"]) == 0
    assert load(into).courses["end"].notna().all()


# -- the next year's corrections ----------------------------------------------------------------

REPORTED = "2025-01-15"  # the day the report for 2024 was made


def _corrected_tiny(folder):
    """The tiny dataset after the report for 2024: J2 registered late (2025-02-01, in tiny
    already); K4 corrected from 'frafald' to 'uddannelse'; J4's start corrected from 2023-12-28
    to 2024-01-05 (so C7 came into a job in 2024 too)."""
    jobs = TINY["jobs"] + "J4,C7,K8,2024-01-05,2024-06-30,fleksjob,15,2025-03-01\n"
    return write_tiny(folder, courses=TINY["courses"] + K4_CORRECTED, jobs=jobs)


def test_corrections_name_corrected_registrations_apart_from_late_ones(tmp_path):
    ds = load(_corrected_tiny(tmp_path / "c"))
    prev = ReportParams(year=2024, disclosure={"min_cell": 1})
    table = corrections(
        ds, lambda d: AnnualReport(d, prev, light=True).ledger, published=None, published_on=REPORTED
    ).set_index("key")
    # by hand: jobs in 2024 as known then: C1 (J1, J3) = 1; with the late J2 only: C1, C2 = 2;
    # now, with J4 moved into 2024 as well: C1, C2, C7 = 3
    assert (table.loc["goal1.jobs", "published"], table.loc["goal1.jobs", "now"]) == ("1", "3")
    assert table.loc["goal1.jobs", "reason"] == REASONS["late_and_corrected"]
    # småjob: only J2 (late) is one
    assert table.loc["goal1.by_job_type.smaajob.jobs", ["published", "now", "reason"]].tolist() == [
        "0",
        "1",
        REASONS["late"],
    ]
    # dropped out: K4 was the only one, and it was corrected
    assert table.loc["goal2.dropped_out", ["published", "now", "reason"]].tolist() == ["1", "0", "rettet registrering"]
    assert (table["corrected_rows"] == 2).all() and (table["late_rows"] == 1).all()
    # J4's new version is a correction, not a late registration
    assert late_registrations(ds, REPORTED) == {
        "jobs": 1,
        "courses": 0,
        "progression": 0,
        "enterprises": 0,
        "agreements": 0,
    }
    assert corrected_registrations(ds, REPORTED) == {
        "courses": {"corrected": 1, "withdrawn": 0},
        "jobs": {"corrected": 1, "withdrawn": 0},
    }


def test_a_withdrawal_since_the_report_is_a_corrected_registration(tmp_path):
    ds = load(write_tiny(tmp_path / "w", jobs=_with_withdrawn_column(TINY["jobs"]) + J3_WITHDRAWN))
    assert corrected_registrations(ds, REPORTED) == {"jobs": {"corrected": 0, "withdrawn": 1}}
    assert corrected_registrations(ds, "2025-02-10") == {}  # known on the day it was withdrawn: nothing since
    prev = ReportParams(year=2024, disclosure={"min_cell": 1})
    table = corrections(
        ds, lambda d: AnnualReport(d, prev, light=True).ledger, published=None, published_on=REPORTED
    ).set_index("key")
    # the only job after a 2024 course under A3 was J3 (K7 ended 2024-11-30, J3 from 2024-12-01,
    # within 90 days): withdrawn
    assert table.loc["goal2.agreement.a3.jobs_after", ["published", "now", "reason"]].tolist() == [
        "1",
        "0",
        REASONS["corrected"],
    ]
    # J2 (C2's småjob, registered late) is a late registration
    assert table.loc["goal1.by_job_type.smaajob.jobs", "reason"] == REASONS["late"]


# -- reproducing a report published before a correction -------------------------------------------


def test_reproduce_gives_the_figures_published_before_a_correction(tmp_path):
    from so_eval.reporting.provenance import data_fingerprint

    data = write_tiny(tmp_path / "data" / "kommune")
    reports = tmp_path / "reports"
    params = ReportParams(
        year=2024, as_of=REPORTED, data_dir=str(data), published_dir=str(reports), disclosure={"min_cell": 1}
    )
    published = AnnualReport(load(data, as_of=REPORTED), params).ledger
    folder = reports / "2024"
    folder.mkdir(parents=True)
    published.write_csv(folder / "figures.csv")
    manifest = {
        "created": "2025-01-15T12:00:00+01:00",
        "parameters": params.as_dict(),
        "data": {"dir": str(data), **data_fingerprint(data)},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, default=str), encoding="utf-8")
    assert reproduce(folder).ok

    # E3 works with an economic bottom line after all: corrected with --update on 2025-03-01
    rows = _rows("enterprises", "enterprise_id", "E3", economic="true")
    csv_text = "\n".join([",".join(rows[0])] + [",".join(r.values()) for r in rows]) + "\n"
    (tmp_path / "enterprises.csv").write_text(csv_text, encoding="utf-8")
    report = ingest([tmp_path / "enterprises.csv"], data, now="2025-03-01T09:00:00+01:00", update=True)
    assert [(ch.key, ch.codes, ch.registered) for ch in report.changes] == [
        ("the row with Virksomheds-ID 'E3'", ("economic",), "2025-03-01")
    ]

    res = reproduce(folder)
    assert res.data_changed and res.as_of == REPORTED
    assert res.ok, res.differences  # every figure as published
    now = AnnualReport(load(data), ReportParams(**{**params.as_dict(), "as_of": None})).ledger
    key = "goal3.enterprises_three_bottom_lines"
    assert (published[key].csv_value, now[key].csv_value) == (
        str(int(published[key].value)),
        str(int(published[key].value) + 1),
    )


def test_the_corrections_text_counts_corrected_and_withdrawn_rows_apart_from_late_ones():
    from types import SimpleNamespace

    from so_eval.reporting.ledger import Ledger

    def report(min_cell):
        ledger = Ledger(min_cell=min_cell)
        for key, n, unit in (
            ("corrections.count", 1, "antal"),
            ("corrections.late.jobs", 1, "borgere"),
            ("corrections.corrected.courses", 1, "forløb"),
            ("corrections.corrected.jobs", 2, "borgere"),
            ("corrections.withdrawn.jobs", 1, "borgere"),
        ):
            ledger.count(key, n, key, unit)
        return SimpleNamespace(
            year=2025,
            corrections=pd.DataFrame({"key": ["goal1.jobs"]}),
            corrections_source="beregnet",
            corrections_date=REPORTED,
            late_rows={"jobs": 1, "courses": 0},
            f=lambda k: ledger[k].display,
            corrected_rows={"courses": {"corrected": 1, "withdrawn": 0}, "jobs": {"corrected": 2, "withdrawn": 1}},
        )

    text = AnnualReport._corrections_text(report(min_cell=1))
    assert "registreret 1 job, som fandt sted før den dag (sene registreringer)" in text
    assert (
        "er siden 1 forløb og 2 job rettet og 1 job trukket tilbage (rettede registreringer; "
        "de gamle versioner er gemt)"
    ) in text
    text = AnnualReport._corrections_text(report(min_cell=5))  # the counts come from the ledger: <5
    assert "registreret <5 job, som fandt sted" in text and "er siden <5 forløb og <5 job rettet" in text
