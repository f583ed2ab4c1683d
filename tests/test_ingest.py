"""Template and ingest: Danish workbooks and CSV exports in, pseudonymised valid dataset out,
nothing lost, nothing half-written, every problem located as the user sees it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from so_eval import config, load, validate
from so_eval import glossary as g
from so_eval.data import pseudonym as ps
from so_eval.data.ingest import IngestError, ingest, table_for_name
from so_eval.data.template import HEADERS, SHEETS, TEMPLATE_TABLES, write_template
from tiny import TABLES as TINY
from tiny import write_tiny

KEY = "test-key-of-20-bytes"  # at least 16 bytes (pseudonym.MIN_KEY_LENGTH)

# the tiny dataset's citizens, known to the municipality by CPR number
CPR = {
    "C1": "150380-1234",
    "C2": "020275-4321",  # leading zero: Excel drops it in a number cell
    "C3": "311203-2468",
    "C4": "010104-1357",
    "C5": "121290-9876",
    "C6": "280285-1122",
    "C7": "050570-3344",
    "C8": "090988-5566",
}
DATE_COLUMNS = {"founded", "closed", "start", "end", "date", "registered", "week"}


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    monkeypatch.setenv(ps.KEY_ENV, KEY)
    monkeypatch.delenv(ps.KEY_FILE_ENV, raising=False)


def pseudonym_by_hand(cpr: str) -> str:
    digits = cpr.replace("-", "")
    return "P" + hmac.new(KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()[:16]


def tiny_rows(table: str, text: str | None = None) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text if text is not None else TINY[table])))


def cell_value(table: str, code: str, value: str, *, style: str = "excel"):
    """A tiny CSV value as a user would type it into the workbook."""
    if value == "":
        return None
    if code == "citizen_id":
        cpr = CPR[value]
        if style == "excel" and table == "progression" and value == "C2":
            return int(cpr.replace("-", ""))  # a number cell: Excel dropped the leading zero
        return cpr if table == "citizens" else cpr.replace("-", "")
    if code in DATE_COLUMNS:
        d = dt.date.fromisoformat(value)
        if table == "progression":
            return d.strftime("%d.%m.%Y")  # a date typed as text
        return dt.datetime(d.year, d.month, d.day)
    if value in ("true", "false"):
        return "ja" if value == "true" else "nej"
    if code in ("birth_year", "places", "year"):
        return int(value)
    if code in ("price", "weekly_paid_hours", "weekly_hours"):
        return float(value)
    return value


def fill_workbook(path: Path, tables: dict[str, list[dict]], *, template: Path | None = None) -> Path:
    """Write the template to ``path`` and fill its sheets with ``tables`` (tiny-style rows)."""
    write_template(path, overwrite=True) if template is None else path.write_bytes(template.read_bytes())
    wb = openpyxl.load_workbook(path)
    for table, rows in tables.items():
        ws = wb[SHEETS[table]]
        by_header = {v: k for k, v in HEADERS[table].items()}
        codes = [by_header[c.value] for c in ws[1]]
        for r, row in enumerate(rows, start=2):
            for j, code in enumerate(codes, start=1):
                raw = row.get(code, "")
                v = raw if not isinstance(raw, str) else cell_value(table, code, raw)
                ws.cell(row=r, column=j, value=v)
    wb.save(path)
    return path


def tiny_workbook(path: Path) -> Path:
    return fill_workbook(path, {t: tiny_rows(t) for t in TINY})


def expected_dataset(folder: Path) -> Path:
    """The tiny dataset with each citizen ID replaced by the pseudonym of its CPR number."""

    def sub(text: str) -> str:
        return re.sub(r"\bC(\d)\b", lambda m: pseudonym_by_hand(CPR["C" + m.group(1)]), text)

    return write_tiny(folder, **{t: sub(text) for t, text in TINY.items()})


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def all_bytes_under(folder: Path) -> bytes:
    return b"\n".join(snapshot(folder).values())


@pytest.fixture
def ingested(tmp_path):
    """The tiny workbook (with CPR numbers) ingested into a new dataset data/x."""
    book = tiny_workbook(tmp_path / "udfyldt.xlsx")
    into = tmp_path / "data" / "x"
    report = ingest([book], into, now="2025-01-20T10:00:00+01:00")
    return book, into, report


# -- the template ----------------------------------------------------------------------------


def test_template_sheets_headers_dropdowns_and_help(tmp_path):
    path = write_template(tmp_path / "skabelon.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Hjælp"
    assert [s for s in wb.sheetnames if s not in ("Hjælp", "Lister")] == [SHEETS[t] for t in TEMPLATE_TABLES]
    assert "Ugestatus" not in wb.sheetnames  # status_weekly comes as an export
    assert wb["Lister"].sheet_state == "hidden"

    courses = wb["Forløb"]
    assert [c.value for c in courses[1]] == [
        "Forløbs-ID",
        "Borger-ID (CPR eller pseudonym)",
        "Aftale-ID",
        "Startdato",
        "Slutdato",
        "Trin ved start",
        "Trin ved slut",
        "Status efter forløb",
        "Registreringsdato",
        "Trukket tilbage",
    ]
    assert courses.column_dimensions["D"].number_format == "DD-MM-YYYY"  # Startdato
    assert courses.column_dimensions["B"].number_format == "@"  # text: CPR keeps its leading 0

    def dropdown(ws, letter):
        for dv in ws.data_validations.dataValidation:
            if any(str(r).startswith(f"{letter}2:") for r in dv.sqref.ranges):
                sheet, rng = dv.formula1.split("!")
                cells = wb[sheet.strip("'")][rng.replace("$", "")]
                return [row[0].value for row in cells]
        return None

    citizens = wb["Borgere"]
    assert dropdown(citizens, "C") == list(g.GENDERS)  # Køn
    assert dropdown(citizens, "D") == list(g.TARGET_GROUPS)  # Målgruppe
    assert dropdown(courses, "F") == list(g.STEPS)  # Trin ved start
    assert dropdown(courses, "H") == list(g.END_STATUSES)
    assert dropdown(wb["Job"], "F") == list(g.JOB_TYPES)  # after Job-ID
    assert dropdown(courses, "J") == ["ja", "nej"]  # Trukket tilbage
    assert dropdown(wb["Virksomheder"], "C") == list(g.ENTERPRISE_KINDS)
    assert dropdown(wb["Virksomheder"], "F") == ["ja", "nej"]  # RSV
    assert dropdown(wb["Læringer"], "C") == list(g.LEARNING_KINDS)
    assert dropdown(citizens, "E") == list(g.ORIGINS)
    assert dropdown(citizens, "A") is None  # the ID is free text

    help_rows = [[c.value for c in r] for r in wb["Hjælp"].iter_rows()]
    header_row = next(i for i, r in enumerate(help_rows) if r[:3] == ["Ark", "Kolonne", "Kode"])
    body = [r for r in help_rows[header_row + 1 :] if r[0]]
    assert len(body) == sum(len(HEADERS[t]) for t in TEMPLATE_TABLES)
    birth = next(r for r in body if r[2] == "birth_year")
    assert birth[:5] == ["Borgere", "Fødselsår", "birth_year", "heltal", "ja"]
    gender = next(r for r in body if r[0] == "Borgere" and r[2] == "gender")
    assert gender[5] == "k, m"
    closed = next(r for r in body if r[2] == "closed")
    assert closed[4] == "nej" and closed[6] == "31-12-2024"


def test_every_column_of_every_template_table_has_a_danish_header_and_a_help_text():
    from so_eval.data.model import stored_columns
    from so_eval.data.template import EXPLANATIONS

    for t in TEMPLATE_TABLES:
        assert t in SHEETS, f"no sheet name for table {t}"
        assert set(HEADERS[t]) == set(stored_columns(t)), t
        assert len(set(HEADERS[t].values())) == len(HEADERS[t]), f"two columns of {t} share a header"
        assert set(EXPLANATIONS[t]) == set(stored_columns(t)) - {"registered"}, t


def test_template_is_never_overwritten_without_asking(tmp_path):
    path = tmp_path / "skabelon.xlsx"
    path.write_bytes(b"filled in by the coordinator")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_template(path)
    assert path.read_bytes() == b"filled in by the coordinator"
    write_template(path, overwrite=True)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Hjælp"


def test_table_names():
    assert table_for_name("Forløb") == "courses"
    assert table_for_name("forløb") == "courses"
    assert table_for_name("forloeb") == "courses"
    assert table_for_name("courses") == "courses"
    assert table_for_name("Borgere 2024") == "citizens"
    assert table_for_name("Hjælp") == ""
    assert table_for_name("noter") is None


# -- ingesting the filled workbook -----------------------------------------------------------


def test_workbook_with_cpr_numbers_becomes_the_pseudonymised_tiny_dataset(ingested, tmp_path):
    _, into, report = ingested
    assert validate(into) == []
    got = load(into)
    want = load(expected_dataset(tmp_path / "expected"))
    for table in TINY:
        pd.testing.assert_frame_equal(
            got[table].reset_index(drop=True),
            want[table].reset_index(drop=True),
            check_dtype=False,
            obj=table,
        )
    ids = set(got.citizens.citizen_id)
    assert ids == {pseudonym_by_hand(CPR[f"C{i}"]) for i in range(1, 8)}
    assert all(re.fullmatch(r"P[0-9a-f]{16}", i) for i in ids)
    for table in ("courses", "progression", "jobs"):
        assert set(got[table].citizen_id) <= ids
    # C2's CPR typed as a number in Progression (leading zero lost) still links up
    c2 = pseudonym_by_hand(CPR["C2"])
    assert (got.progression.citizen_id == c2).sum() == 2
    assert report.added == sum(len(tiny_rows(t)) for t in TINY) == 45
    assert report.tables["citizens"].added == 7
    assert report.conflicts == [] and report.warnings == []


def test_no_cpr_number_and_no_key_anywhere_in_the_dataset(ingested):
    _, into, _ = ingested
    stored = all_bytes_under(into.parent)
    for cpr in CPR.values():
        for form in (cpr, cpr.replace("-", ""), cpr.replace("-", "")[1:] if cpr.startswith("0") else cpr):
            assert form.encode() not in stored
    assert KEY.encode() not in stored
    # the folder holds the tables and the log, no leftovers from the build
    assert sorted(p.name for p in into.parent.iterdir() if not p.name.endswith(".lock")) == ["x"]
    assert (into / "ingest_log.jsonl").exists()


def test_the_log_line(ingested):
    book, into, report = ingested
    lines = (into / "ingest_log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry == report.log_entry
    assert entry["time"] == "2025-01-20T10:00:00+01:00"
    assert entry["files"][0]["file"] == "udfyldt.xlsx"
    assert entry["files"][0]["sha256"] == hashlib.sha256(book.read_bytes()).hexdigest()
    assert entry["files"][0]["tables"]["courses"] == {
        "read": 8,
        "added": 8,
        "updated": 0,
        "unchanged": 0,
        "conflicting": 0,
        "rejected": 0,
    }
    assert entry["added"] == 45 and entry["no_op"] is False
    assert entry["cpr_pseudonymised"] == 7 + 8 + 15 + 5
    assert entry["key_check"] == ps.key_check(KEY.encode()) and KEY not in lines[0]
    # no values at all: no pseudonyms, no IDs, no categories
    assert not re.search(r"P[0-9a-f]{16}|kontanthjælp|\bK\d\b", lines[0])


def test_empty_registration_date_becomes_the_ingest_day_and_reingest_is_still_a_no_op(tmp_path):
    into = write_tiny(tmp_path / "data" / "v")  # an existing dataset, not made by ingest
    rows = [
        dict(r, enterprise_id=r["enterprise_id"].replace("E", "N"), registered="") for r in tiny_rows("enterprises")
    ]
    book = fill_workbook(tmp_path / "v.xlsx", {"enterprises": rows})
    report = ingest([book], into, now="2025-01-20T10:00:00")
    assert report.added == 5
    ent = load(into).enterprises.set_index("enterprise_id")
    assert set(ent.loc[["N1", "N2", "N3", "N4", "N5"], "registered"]) == {pd.Timestamp("2025-01-20")}
    assert ent.loc["E1", "registered"] == pd.Timestamp("2015-03-05")  # earlier rows kept as they were
    report = ingest([book], into, now="2025-02-03T09:00:00")
    assert report.no_op and report.tables["enterprises"].unchanged == 5


def test_reingest_is_a_no_op(ingested):
    book, into, _ = ingested
    tables_before = {k: v for k, v in snapshot(into).items() if k != "ingest_log.jsonl"}
    report = ingest([book], into, now="2025-01-21T10:00:00+01:00")
    assert report.added == 0 and report.no_op
    assert report.unchanged == 45 and report.conflicts == []
    assert report.files[0].already_ingested
    assert {k: v for k, v in snapshot(into).items() if k != "ingest_log.jsonl"} == tables_before
    lines = (into / "ingest_log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    second = json.loads(lines[1])
    assert second["added"] == 0 and second["no_op"] is True
    assert second["files"][0]["already_ingested"] is True
    assert second["totals"]["progression"] == {
        "read": 15,
        "added": 0,
        "updated": 0,
        "unchanged": 15,
        "conflicting": 0,
        "rejected": 0,
    }


def test_same_cpr_same_pseudonym_across_ingests_and_files(ingested, tmp_path):
    _, x, _ = ingested
    export = tmp_path / "borgere.csv"  # another file, CPR without hyphen, labels for codes
    export.write_text(
        "CPR-nummer;Fødselsår;Køn;Målgruppe;Oprindelse;Registreringsdato\n"
        "1503801234;1980;Kvinde;Kontanthjælp;dansk;01-01-2019\n",
        encoding="utf-8",
    )
    report = ingest([export], x)  # C1 again: the same pseudonym, so the same row
    assert report.tables["citizens"].as_dict() == {
        "read": 1,
        "added": 0,
        "updated": 0,
        "unchanged": 1,
        "conflicting": 0,
        "rejected": 0,
    }

    y = tmp_path / "data" / "y"  # another dataset, from a pseudonymised export plus this file
    tiny_export = expected_dataset(tmp_path / "export")  # (IDs like C1 are refused: no pseudonyms)
    both = ingest([tiny_export / f"{t}.csv" for t in TINY] + [export], y)
    assert validate(y) == []
    assert both.tables["citizens"].unchanged == 1  # C1's CPR gives the pseudonym already there
    pids = set(load(y).citizens.citizen_id)
    assert pids == set(load(x).citizens.citizen_id) and len(pids) == 7
    assert (
        ps.pseudonymise("150380-1234", KEY.encode())
        == ps.pseudonymise("1503801234", KEY.encode())
        == pseudonym_by_hand("150380-1234")
    )
    assert b"1503801234" not in all_bytes_under(y)


def test_a_key_file_outside_the_repository_gives_the_same_pseudonyms(tmp_path, monkeypatch):
    keyfile = tmp_path / "secrets" / "so-eval.key"
    keyfile.parent.mkdir()
    keyfile.write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.delenv(ps.KEY_ENV)
    monkeypatch.setenv(ps.KEY_FILE_ENV, str(keyfile))
    export = tmp_path / "citizens.csv"
    export.write_text(
        "cpr,birth_year,gender,target_group,origin,registered\n311203-2468,2003,k,unge,dansk,2019-01-01\n",
        encoding="utf-8",
    )
    into = write_tiny(tmp_path / "data" / "z")
    ingest([export], into)
    assert list(load(into).citizens.citizen_id)[-1] == pseudonym_by_hand("311203-2468")


def test_danish_csv_export_with_bom_semicolons_dates_and_decimal_commas(ingested, tmp_path):
    _, into, _ = ingested
    export = tmp_path / "Progression.csv"
    text = (
        "Borger-ID (CPR eller pseudonym);Forløbs-ID;Dato;Trin;Lønnede timer pr. uge;Registreringsdato\n"
        "121290-9876;K5;01.06.2024;småjob;12,5;02-06-2024\n"
        ";;;;;\n"  # an empty row is skipped
        "  1212909876 ; K5 ;2024-09-01; Flere timer ;1.234,5;\n"  # stray spaces, ISO date, label
    )
    export.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    with pytest.raises(IngestError) as err:  # 1.234,5 hours a week is above the maximum (80)
        ingest([export], into)
    (p,) = err.value.problems
    assert (p.file, p.sheet, p.row, p.column) == ("Progression.csv", None, 4, "Lønnede timer pr. uge")
    assert "1234.5" in p.message and "80" in p.message

    export.write_bytes(b"\xef\xbb\xbf" + text.replace("1.234,5", "7,25").encode("utf-8"))
    report = ingest([export], into, now="2025-02-01T08:00:00")
    assert report.tables["progression"].read == 2 and report.added == 2
    assert validate(into) == []
    prog = load(into).progression
    c5 = pseudonym_by_hand(CPR["C5"])
    new = prog[(prog.citizen_id == c5)].sort_values("date").tail(2)
    assert list(new.date) == [pd.Timestamp("2024-06-01"), pd.Timestamp("2024-09-01")]
    assert list(new.step) == ["småjob", "flere timer"]
    assert list(new.weekly_paid_hours) == [12.5, 7.25]
    assert list(new.registered) == [pd.Timestamp("2024-06-02"), pd.Timestamp("2025-02-01")]
    lines = (into / "progression.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-2:] == [
        f"{c5},K5,2024-06-01,småjob,12.5,2024-06-02",
        f"{c5},K5,2024-09-01,flere timer,7.25,2025-02-01",
    ]


def test_english_code_headers_and_existing_pseudonyms_are_kept(tmp_path):
    src = expected_dataset(tmp_path / "export")  # the tiny dataset with pseudonyms for C1..C7
    files = [src / f"{t}.csv" for t in TINY]
    into = tmp_path / "data" / "t"
    report = ingest(files, into)
    assert report.added == 45
    got, want = load(into), load(src)
    for t in TINY:
        pd.testing.assert_frame_equal(got[t], want[t], check_dtype=False, obj=t)
    assert set(got.citizens.citizen_id) == {pseudonym_by_hand(CPR[f"C{i}"]) for i in range(1, 8)}
    assert report.log_entry["cpr_pseudonymised"] == 0


def test_new_rows_are_added_and_a_conflicting_row_is_reported_not_applied(ingested, tmp_path):
    _, into, _ = ingested
    citizens = [
        {
            "citizen_id": "C3",
            "birth_year": "2002",
            "gender": "k",
            "target_group": "unge",
            "origin": "dansk",
            "registered": "2019-01-01",
        },  # C3 was born in 2003: a conflict
        {
            "citizen_id": "C8",
            "birth_year": "1988",
            "gender": "m",
            "target_group": "fleksjob",
            "origin": "",
            "registered": "2025-01-05",
        },  # new
        {
            "citizen_id": "C1",
            "birth_year": "1980",
            "gender": "k",
            "target_group": "kontanthjælp",
            "origin": "dansk",
            "registered": "2019-01-01",
        },  # identical: unchanged
    ]
    book = fill_workbook(tmp_path / "rettelser.xlsx", {"citizens": citizens})
    report = ingest([book], into)
    assert report.tables["citizens"].as_dict() == {
        "read": 3,
        "added": 1,
        "updated": 0,
        "unchanged": 1,
        "conflicting": 1,
        "rejected": 1,
    }
    (c,) = report.conflicts
    assert (c.table, c.file, c.sheet, c.row, c.columns, c.existing_row) == (
        "citizens",
        "rettelser.xlsx",
        "Borgere",
        2,
        ("Fødselsår",),
        4,
    )
    assert "CPR 3112…" in c.key and "2468" not in str(c)
    got = load(into).citizens.set_index("citizen_id")
    assert got.loc[pseudonym_by_hand(CPR["C3"]), "birth_year"] == 2003  # the existing row stays
    assert got.loc[pseudonym_by_hand(CPR["C8"]), "birth_year"] == 1988
    assert len(got) == 8
    entry = json.loads((into / "ingest_log.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert entry["totals"]["citizens"]["conflicting"] == 1


def test_two_rows_of_one_ingest_with_the_same_key_and_other_values(ingested, tmp_path):
    _, into, _ = ingested
    rows = [
        {
            "citizen_id": "C8",
            "birth_year": "1988",
            "gender": "m",
            "target_group": "fleksjob",
            "origin": "",
            "registered": "2025-01-05",
        },
        {
            "citizen_id": "C8",
            "birth_year": "1989",
            "gender": "m",
            "target_group": "fleksjob",
            "origin": "",
            "registered": "2025-01-05",
        },
    ]
    before = snapshot(into)
    with pytest.raises(IngestError) as err:
        ingest([fill_workbook(tmp_path / "dobbelt.xlsx", {"citizens": rows})], into)
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("Borgere", 3, "Borger-ID (CPR eller pseudonym)")
    assert "row 2" in p.message and "0909…" in p.message and "5566" not in p.message
    assert snapshot(into) == before


def test_bad_rows_are_located_in_the_workbook_and_nothing_changes(ingested, tmp_path):
    _, into, _ = ingested
    citizens = [
        {
            "citizen_id": "C8",
            "birth_year": "1988",
            "gender": "m",
            "target_group": "integrationn",
            "origin": "",
            "registered": "2025-01-05",
        }
    ]
    courses = [
        {
            "course_id": "K9",
            "citizen_id": "C8",
            "agreement_id": "A9",
            "start": "2025-01-06",
            "end": "",
            "start_step": "afklaring",
            "end_step": "",
            "end_status": "",
            "registered": "2025-01-07",
        }
    ]
    book = fill_workbook(tmp_path / "fejl.xlsx", {"citizens": citizens, "courses": courses})
    wb = openpyxl.load_workbook(book)
    for j, v in enumerate(
        ["K10", CPR["C1"], "A1", "31-13-2024", None, "afklaring", None, None, dt.datetime(2025, 1, 7)], start=1
    ):
        wb["Forløb"].cell(row=3, column=j, value=v)  # a date typed as text, with month 13
    wb.save(book)
    before = snapshot(into)
    with pytest.raises(IngestError) as err:
        ingest([book], into)
    got = {(p.file, p.sheet, p.row, p.column): p.message for p in err.value.problems}
    assert set(got) == {
        ("fejl.xlsx", "Borgere", 2, "Målgruppe"),
        ("fejl.xlsx", "Forløb", 2, "Aftale-ID"),
        ("fejl.xlsx", "Forløb", 3, "Startdato"),
    }
    assert "integrationn" in got[("fejl.xlsx", "Borgere", 2, "Målgruppe")]
    assert "kontanthjælp" in got[("fejl.xlsx", "Borgere", 2, "Målgruppe")]  # says what is allowed
    assert "'A9' does not exist" in got[("fejl.xlsx", "Forløb", 2, "Aftale-ID")]
    assert "31-13-2024" in got[("fejl.xlsx", "Forløb", 3, "Startdato")]
    text = str(err.value)
    assert "fejl.xlsx, sheet 'Forløb', row 3, column 'Startdato'" in text
    assert snapshot(into) == before
    assert sorted(p.name for p in into.parent.iterdir() if not p.name.endswith(".lock")) == ["x"]


def test_a_foreign_key_error_names_the_row_of_the_csv(tmp_path):
    export = tmp_path / "forløb.csv"
    export.write_text(
        "Forløbs-ID,Borger-ID,Aftale-ID,Startdato,Slutdato,Trin ved start,Trin ved slut,"
        "Status efter forløb,Registreringsdato\n"
        "K1,010180-1234,A1,01-02-2024,,afklaring,,,\n",
        encoding="utf-8",
    )
    into = tmp_path / "data" / "new"
    with pytest.raises(IngestError) as err:
        ingest([export], into)
    got = {(p.file, p.row, p.column): p.message for p in err.value.problems}
    assert set(got) == {("forløb.csv", 2, "Borger-ID"), ("forløb.csv", 2, "Aftale-ID")}
    assert "CPR 0101…" in got[("forløb.csv", 2, "Borger-ID")]  # not the pseudonym, not the CPR
    assert "1234" not in str(err.value)
    assert not into.exists()


def test_name_columns_are_dropped_with_a_warning(tmp_path):
    export = tmp_path / "borgere.csv"
    export.write_text(
        "CPR;Navn;Fødselsår;Køn;Målgruppe;Oprindelse;Bemærkning\n"
        "150380-1234;Jens Hansen;1980;k;kontanthjælp;;ring tirsdag\n",
        encoding="utf-8",
    )
    into = write_tiny(tmp_path / "data" / "n")
    report = ingest([export], into)
    notes = {(w.column, w.row): w.message for w in report.warnings}
    assert "names" in notes[("Navn", 1)] and "never stored" in notes[("Navn", 1)]
    assert "ignored" in notes[("Bemærkning", 1)]
    stored = all_bytes_under(into)
    assert b"Jens" not in stored and b"tirsdag" not in stored
    assert validate(into) == []


def test_a_cpr_number_in_another_column_rejects_the_row(ingested, tmp_path):
    _, into, _ = ingested
    rows = [
        {
            "year": "2024",
            "area": "goal2",
            "kind": "læring",
            "text": "Borgeren 150380-1234 fik job.",
            "figure_key": "",
            "registered": "",
        }
    ]
    before = snapshot(into)
    with pytest.raises(IngestError) as err:
        ingest([fill_workbook(tmp_path / "l.xlsx", {"learnings": rows})], into)
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("Læringer", 2, "Tekst")
    assert "CPR" in p.message and "1503…" in p.message and "1234" not in p.message
    assert snapshot(into) == before


def test_without_a_key_ingest_refuses_to_run(tmp_path, monkeypatch):
    monkeypatch.delenv(ps.KEY_ENV)
    export = write_tiny(tmp_path / "export") / "citizens.csv"
    into = tmp_path / "data" / "k"
    with pytest.raises(IngestError, match=ps.KEY_ENV) as err:
        ingest([export], into)
    assert "no pseudonym key" in str(err.value)
    assert not into.exists()


def test_a_key_file_inside_the_repository_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(ps.KEY_ENV)
    inside = config.PROJ_ROOT / "params" / "pseudonym.key"  # never created: refused by location
    monkeypatch.setenv(ps.KEY_FILE_ENV, str(inside))
    with pytest.raises(IngestError, match="inside the repository"):
        ingest([write_tiny(tmp_path / "e") / "citizens.csv"], tmp_path / "data" / "k")
    with pytest.raises(ps.PseudonymKeyError, match="inside the repository"):
        ps.load_key()
    assert not inside.exists()


def test_short_keys_and_a_changed_key_are_refused(ingested, tmp_path, monkeypatch):
    _, into, _ = ingested
    monkeypatch.setenv(ps.KEY_ENV, "kort")
    with pytest.raises(IngestError, match="too short"):
        ingest([tmp_path / "udfyldt.xlsx"], into)
    monkeypatch.setenv(ps.KEY_ENV, "another-key-entirely")
    before = snapshot(into)
    with pytest.raises(IngestError, match="differs from the key used for earlier ingests"):
        ingest([tmp_path / "udfyldt.xlsx"], into)
    assert snapshot(into) == before


def test_unreadable_and_unknown_files(tmp_path):
    into = tmp_path / "data" / "u"
    bad = tmp_path / "borgere.csv"  # Windows-1252 is read as such: the message shows Ærø intact
    bad.write_bytes("cpr;birth_year\n150380-1234;1980\n010180-1234;Ærø\n".encode("cp1252"))
    binary = tmp_path / "forløb.csv"  # 0x81 is neither UTF-8 nor Windows-1252
    binary.write_bytes(b"course_id;citizen_id\nF1;x\nF2;\x81\n")
    odd = tmp_path / "noter.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        ingest([bad, binary, odd, tmp_path / "missing.xlsx"], into)
    got = {(p.file, p.row): p.message for p in err.value.problems}
    assert got[("borgere.csv", 3)] == "'Ærø' is not a whole number"
    assert "not UTF-8 or Windows-1252" in got[("forløb.csv", 3)]
    assert "does not say which table" in got[("noter.csv", 1)]  # row 1: its headers fit no table
    assert "no header is a column of any table" in got[("noter.csv", 1)]
    assert "--table NAME (one of: agreements, circular, citizens," in got[("noter.csv", 1)]
    assert "not found" in got[("missing.xlsx", None)]
    assert not into.exists()


def test_weekly_status_export_as_parquet_and_csv(ingested, tmp_path):
    _, into, _ = ingested
    weeks = pd.date_range("2024-01-01", periods=3, freq="7D")
    panel = pd.DataFrame(
        {
            "citizen_id": [CPR["C1"]] * 3,
            "week": weeks,
            "status": ["kontanthjælp", "kontanthjælp", "selvforsørgelse"],
            "registered": weeks + pd.Timedelta(days=14),
        }
    )
    panel.to_parquet(tmp_path / "status_weekly.parquet", index=False)
    report = ingest([tmp_path / "status_weekly.parquet"], into)
    assert report.tables["status_weekly"].added == 3
    (tmp_path / "Ugestatus.csv").write_text(
        "Borger-ID;Uge (mandag);Status;Registreringsdato\n"
        f"{CPR['C1'].replace('-', '')};22-01-2024;Selvforsørgelse;05-02-2024\n"
        f"{CPR['C1'].replace('-', '')};15-01-2024;selvforsørgelse;29-01-2024\n",
        encoding="utf-8",
    )
    report = ingest([tmp_path / "Ugestatus.csv"], into)
    assert report.tables["status_weekly"].as_dict() == {
        "read": 2,
        "added": 1,
        "updated": 0,
        "unchanged": 1,
        "conflicting": 0,
        "rejected": 0,
    }
    assert validate(into) == []
    stored = load(into).status_weekly
    assert set(stored.citizen_id) == {pseudonym_by_hand(CPR["C1"])}
    assert list(stored.status) == ["kontanthjælp", "kontanthjælp", "selvforsørgelse", "selvforsørgelse"]
    assert b"150380" not in (into / "status_weekly.parquet").read_bytes()


def test_a_cpr_number_in_a_file_name_is_masked_in_the_log(ingested, tmp_path):
    _, into, _ = ingested
    export = tmp_path / f"borgere_{CPR['C1']}.csv"
    export.write_text(
        f"cpr,birth_year,gender,target_group,origin,registered\n{CPR['C1']},1980,k,kontanthjælp,dansk,2019-01-01\n",
        encoding="utf-8",
    )
    report = ingest([export], into)
    assert report.tables["citizens"].unchanged == 1
    last = (into / "ingest_log.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(last)["files"][0]["file"] == "borgere_1503….csv"
    assert "1234" not in last.replace(json.loads(last)["files"][0]["sha256"], "")
