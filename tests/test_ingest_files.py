"""Real files as they come: CSV in UTF-8 or Windows-1252 with either separator, files whose name
does not name their table (told by their headers or by --table), and workbooks that would cost
too much (size limits checked before anything is loaded, formatted empty rows that cost little)."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from so_eval import load, validate
from so_eval.cli import main
from so_eval.data.ingest import IngestError, ingest
from so_eval.data.ingest import read as ingest_module
from so_eval.data.model import TABLES
from so_eval.data.template import HEADERS, SHEETS, write_template
from test_ingest import CPR, KEY, fill_workbook, pseudonym_by_hand, snapshot, tiny_rows
from tiny import TABLES as TINY

NOW = "2025-01-20T10:00:00+01:00"

# What a Jobcenter's case system exports for the citizens in a strategy's courses: CPR number,
# name (never stored), birth year, gender, target group and origin as their labels, saved by
# Danish Excel as "CSV (semikolonsepareret)": Windows-1252 (æøå one byte each), ';'-separated,
# CRLF line ends, no registration date.
JOBCENTER_HEADER = ["CPR-nr.", "Navn", "Fødselsår", "Køn", "Målgruppe", "Oprindelse"]
JOBCENTER_ROWS = [
    ["150380-1234", "Åse Ærbø", "1980", "Kvinde", "Kontanthjælp", "Dansk"],
    ["020275-4321", "Søren Øst", "1975", "Mand", "Fleksjob", "Dansk"],
    ["311203-2468", "Bodil Å", "2003", "Kvinde", "Unge", "Dansk"],
    ["010104-1357", "Jens Ø", "2004", "Mand", "Unge", "Ikke-vestlig"],
    ["121290-9876", "Fatima Æ", "1990", "Kvinde", "Integration", "Ikke-vestlig"],
    ["280285-1122", "Ole Sø", "1985", "Mand", "Kontanthjælp", "Vestlig"],
    ["050570-3344", "Grete Møller", "1970", "Kvinde", "Ressourceforløb", ""],
]


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    from so_eval.data import pseudonym as ps

    monkeypatch.setenv(ps.KEY_ENV, KEY)
    monkeypatch.delenv(ps.KEY_FILE_ENV, raising=False)


def csv_bytes(header: list[str], rows: list[list[str]], *, delimiter: str = ";", encoding: str = "cp1252") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buf.getvalue().encode(encoding)


def expected_citizens() -> dict[str, tuple]:
    """The tiny citizens C1–C7 by pseudonym: (birth year, gender, target group, origin)."""
    out = {}
    for r in tiny_rows("citizens"):
        out[pseudonym_by_hand(CPR[r["citizen_id"]])] = (
            int(r["birth_year"]),
            r["gender"],
            r["target_group"],
            r["origin"] or None,
        )
    return out


def stored_citizens(into: Path) -> dict[str, tuple]:
    cit = load(into).citizens
    return {
        row.citizen_id: (
            int(row.birth_year),
            row.gender,
            row.target_group,
            None if str(row.origin) in ("nan", "<NA>", "None") else row.origin,
        )
        for row in cit.itertuples()
    }


# -- the README's example, literally ---------------------------------------------------------


def test_the_readme_example_ingests_the_template_and_a_danish_excel_jobcenter_export(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # the coordinator's workbook: every table but citizens, which come from the Jobcenter
    fill_workbook(tmp_path / "skabelon.xlsx", {t: tiny_rows(t) for t in TINY if t != "citizens"})
    (tmp_path / "jobcenter_export.csv").write_bytes(csv_bytes(JOBCENTER_HEADER, JOBCENTER_ROWS))
    assert "Ærbø".encode("cp1252") in (tmp_path / "jobcenter_export.csv").read_bytes()

    code = main(["ingest", "skabelon.xlsx", "jobcenter_export.csv", "--into", "data/slagelse"])

    out = capsys.readouterr()
    assert code == 0, out.err
    into = tmp_path / "data" / "slagelse"
    assert validate(into) == []
    assert stored_citizens(into) == expected_citizens()
    assert "read: jobcenter_export.csv: Windows-1252, ';'-separated, as Borgere (told by its headers)" in out.out
    assert "may hold citizens' names" in out.out  # the name column: dropped with a warning
    stored = b"".join(snapshot(into).values())
    for name in ("Ærbø", "Møller", "Søren"):
        assert name.encode("utf-8") not in stored and name.encode("cp1252") not in stored
    assert b"150380" not in stored and b"1503801234" not in stored
    assert len(load(into).courses) == 8


def test_windows_1252_utf8_with_and_without_bom_and_both_separators_give_the_same_dataset(tmp_path):
    results = {}
    variants = [
        ("cp1252", ";"),
        ("cp1252", ","),
        ("utf-8", ";"),
        ("utf-8-sig", ","),
        ("utf-8-sig", ";"),
        ("utf-16", "\t"),
    ]
    for encoding, delimiter in variants:
        # a decimal comma and a comma in a quoted field: the separator is still found
        export = tmp_path / f"udtræk_{encoding}_{ord(delimiter)}.csv"
        export.write_bytes(csv_bytes(JOBCENTER_HEADER, JOBCENTER_ROWS, delimiter=delimiter, encoding=encoding))
        into = tmp_path / "data" / f"{encoding}-{ord(delimiter)}"
        report = ingest([export], into, now=NOW)
        results[(encoding, delimiter)] = stored_citizens(into)
        shown = {"cp1252": "Windows-1252", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16"}[
            encoding
        ]
        sep = {";": "';'", ",": "','", "\t": "tab"}[delimiter]
        assert report.files[0].read_as == (f"{shown}, {sep}-separated, as Borgere (told by its headers)",)
        assert report.log_entry["files"][0]["read_as"] == list(report.files[0].read_as)
    assert all(r == expected_citizens() for r in results.values())


def test_the_separator_is_the_one_the_rows_agree_on_not_the_commas_in_a_header(tmp_path):
    # Danish Excel: ';' between fields, decimal commas in the values, a comma in one header
    text = (
        "Borger-ID;Forløbs-ID;Dato;Trin;Lønnede timer pr. uge, i alt\r\n"
        f"{CPR['C1']};K1;01-09-2023;motivation;0\r\n"
        f"{CPR['C1']};K1;10-01-2024;praktik;2,5\r\n"
    )
    assert ingest_module._sniff_delimiter(text) == ";"
    assert ingest_module._sniff_delimiter("a,b;c\r\n1,2;3\r\n4,5;6\r\n") in {",", ";"}
    assert ingest_module._sniff_delimiter("a,b,c\r\n1;2,3\r\n4,5,6\r\n") == ","


def test_text_converted_to_utf8_twice_is_refused_not_stored_garbled(tmp_path):
    export = tmp_path / "borgere.csv"
    garbled = "Kontanthjælp".encode().decode("cp1252")  # 'KontanthjÃ¦lp'
    export.write_bytes(csv_bytes(JOBCENTER_HEADER, [JOBCENTER_ROWS[0][:4] + [garbled, "Dansk"]], encoding="utf-8"))
    with pytest.raises(IngestError) as err:
        ingest([export], tmp_path / "data" / "g", now=NOW)
    (p,) = err.value.problems
    assert (p.file, p.row) == ("borgere.csv", 2) and "garbled ('Ã¦'" in p.message
    assert not (tmp_path / "data" / "g").exists()


# -- which table: by name, by headers, by --table --------------------------------------------


def test_headers_that_fit_two_tables_are_refused_with_both_named_and_table_resolves_it(tmp_path, capsys):
    a, b = "citizens", "progression"  # as many columns: all their headers fit both equally well
    assert len(TABLES[a].columns) == len(TABLES[b].columns)
    header = [HEADERS[a][c] for c in TABLES[a].columns] + [
        HEADERS[b][c] for c in TABLES[b].columns if c not in ("citizen_id", "registered")
    ]
    row = {**tiny_rows(a)[0], **tiny_rows(b)[0]}
    by_header = {**{v: k for k, v in HEADERS[a].items()}, **{v: k for k, v in HEADERS[b].items()}}
    values = [CPR["C1"] if by_header[h] == "citizen_id" else row[by_header[h]] for h in header]
    export = tmp_path / "udtraek.csv"
    export.write_bytes(csv_bytes(header, [values], encoding="utf-8"))
    into = tmp_path / "data" / "t"
    assert main(["ingest", str(export), "--into", str(into)]) == 1
    err = capsys.readouterr().err
    assert f"its headers fit more than one: Borgere (citizens), {SHEETS[b]} (progression)" in err
    assert "--table citizens" in err
    assert not into.exists()

    assert main(["ingest", str(export), "--table", "citizens", "--into", str(into)]) == 0
    out = capsys.readouterr().out
    assert "read: udtraek.csv: as Borgere (--table); UTF-8, ';'-separated" in out
    assert "unknown column" in out  # the progression headers: ignored, with a warning each
    cit = load(into).citizens
    assert list(cit.citizen_id) == [pseudonym_by_hand(CPR["C1"])]
    assert int(cit.birth_year.iloc[0]) == 1980


def test_a_single_sheet_workbook_named_ark1_is_matched_by_its_headers(tmp_path):
    into = tmp_path / "data" / "w"
    fill_workbook(tmp_path / "base.xlsx", {t: tiny_rows(t) for t in TINY})
    ingest([tmp_path / "base.xlsx"], into, now=NOW)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ark1"
    ws.append([HEADERS["courses"][c] for c in TABLES["courses"].columns])
    ws.append(["K9", CPR["C2"], "A1", "01-10-2024", None, "afklaring", None, None, "02-10-2024"])
    wb.save(tmp_path / "eksport.xlsx")
    report = ingest([tmp_path / "eksport.xlsx"], into, now=NOW)
    assert report.tables["courses"].added == 1
    assert report.files[0].read_as == ("sheet 'Ark1' as Forløb (told by its headers)",)
    k9 = load(into).courses.set_index("course_id").loc["K9"]
    assert k9.citizen_id == pseudonym_by_hand(CPR["C2"]) and str(k9.start.date()) == "2024-10-01"

    # the same sheet with --table, and a workbook of two data sheets, which --table cannot take
    report = ingest([tmp_path / "eksport.xlsx"], into, now=NOW, table="Forløb")
    assert report.no_op and report.files[0].read_as == ("sheet 'Ark1' as Forløb (--table)",)
    ark2 = wb.create_sheet("Ark2")
    ark2.append(["x"])
    ark2.append(["y"])  # a header and a row: data
    wb.save(tmp_path / "to.xlsx")
    with pytest.raises(
        IngestError,
        match="--table can only be used with a workbook of one sheet; "
        "this one has 2 sheets with data \\('Ark1', 'Ark2'\\)",
    ):
        ingest([tmp_path / "to.xlsx"], into, now=NOW, table="courses")
    with pytest.raises(IngestError, match="is not one of the template's sheets"):
        ingest([tmp_path / "to.xlsx"], into, now=NOW)  # two unknown sheets: not guessed


def test_an_unknown_table_name_for_table_lists_the_tables(tmp_path):
    with pytest.raises(IngestError) as err:
        ingest([tmp_path / "x.csv"], tmp_path / "data" / "n", table="noter")
    (p,) = err.value.problems
    assert p.file == "(--table)" and "'noter' is not a table; use one of: enterprises, agreements" in p.message


def test_headers_that_fit_no_table_name_the_nearest_and_what_they_lack(tmp_path):
    export = tmp_path / "liste.csv"
    export.write_bytes(csv_bytes(["CPR-nr.", "Navn", "Fødselsår"], [["150380-1234", "Åse", "1980"]]))
    with pytest.raises(IngestError) as err:
        ingest([export], tmp_path / "data" / "n", now=NOW)
    (p,) = err.value.problems
    assert (p.file, p.row) == ("liste.csv", 1)
    assert "its headers do not fit any table (Borgere (citizens) lacks 'Køn', 'Målgruppe'" in p.message
    assert "--table NAME" in p.message


# -- workbooks that would cost too much ------------------------------------------------------


def workbook_with_sheet_xml(path: Path, title: str, rows_xml, *, tail: str = "") -> Path:
    """A workbook of one sheet ``title`` whose sheet XML is written row by row from ``rows_xml``
    (strings), streamed into the zip (as a file written by another program could be)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws["A1"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # a second cell style
    base = io.BytesIO()
    wb.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                fh.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<sheetData>"
                )
                for chunk in rows_xml:
                    fh.write(chunk.encode("utf-8"))
                fh.write(b"</sheetData>" + tail.encode("utf-8") + b"</worksheet>")
    return path


def cells(r: int, values: list) -> str:
    out = []
    for j, v in enumerate(values):
        ref = f"{chr(65 + j)}{r}"
        if v is None:
            out.append(f'<c r="{ref}" s="1"/>')
        elif isinstance(v, (int, float)):
            out.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{r}">' + "".join(out) + "</row>"


CITIZEN_HEADERS = [HEADERS["citizens"][c] for c in TABLES["citizens"].columns]


def test_a_sheet_formatted_far_below_its_data_is_read_and_a_row_after_the_gap_is_not_lost(tmp_path):
    def rows():
        yield cells(1, CITIZEN_HEADERS)
        yield cells(2, [CPR["C1"], 1980, "k", "kontanthjælp", "dansk", "01-01-2019"])
        yield cells(3, [None] * 6)  # an empty row inside the data: skipped, rows keep their numbers
        yield cells(4, [CPR["C2"], 1975, "m", "fleksjob", None, "01-01-2019"])
        for r in range(5, 5_000):  # formatted, empty (styled cells, no values)
            yield cells(r, [None] * 6)
        yield cells(5_000, [CPR["C3"], "20O3", "k", "unge", None, None])  # a typo, far below
        for r in range(5_001, 100_000):  # formatted to row 99.999: scanned, never parsed
            yield cells(r, [None] * 6)

    book = workbook_with_sheet_xml(tmp_path / "b.xlsx", "Borgere", rows())
    with pytest.raises(IngestError) as err:
        ingest([book], tmp_path / "data" / "f", now=NOW)
    assert [(p.sheet, p.row, p.column, p.message) for p in err.value.problems] == [
        ("Borgere", 5_000, "Fødselsår", "'20O3' is not a whole number")
    ]
    scan = ingest_module._scan_sheet(zipfile.ZipFile(book), "xl/worksheets/sheet1.xml", 0)
    assert (scan.last_row, scan.values, scan.merged) == (5_000, 6 + 6 + 5 + 4, [])

    def fixed():
        for chunk in rows():
            yield chunk.replace("20O3", "2003")

    book = workbook_with_sheet_xml(tmp_path / "b.xlsx", "Borgere", fixed())
    report = ingest([book], tmp_path / "data" / "f", now=NOW)
    assert report.tables["citizens"].read == 3
    got = stored_citizens(tmp_path / "data" / "f")
    assert got == {
        pseudonym_by_hand(CPR["C1"]): (1980, "k", "kontanthjælp", "dansk"),
        pseudonym_by_hand(CPR["C2"]): (1975, "m", "fleksjob", None),
        pseudonym_by_hand(CPR["C3"]): (2003, "k", "unge", None),
    }


def test_the_scan_finds_the_last_value_across_chunk_borders(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "_CHUNK", 97)  # chunk borders fall inside tags
    book = workbook_with_sheet_xml(
        tmp_path / "c.xlsx",
        "Borgere",
        [cells(r, [f"v{r}", r] if r % 7 == 0 else [None, None]) for r in range(1, 60)],
        tail='<mergeCells count="2"><mergeCell ref="A7:B7"/><mergeCell ref="a14:a15"/></mergeCells>',
    )
    scan = ingest_module._scan_sheet(zipfile.ZipFile(book), "xl/worksheets/sheet1.xml", 0)
    assert scan.last_row == 56 and scan.values == 2 * 8 and scan.merged == ["A7:B7", "A14:A15"]


def test_merged_cells_are_still_reported_in_read_only_mode(tmp_path):
    book = fill_workbook(tmp_path / "m.xlsx", {"citizens": tiny_rows("citizens")})
    wb = openpyxl.load_workbook(book)
    wb[SHEETS["citizens"]].merge_cells("D3:E3")
    wb.save(book)
    with pytest.raises(IngestError) as err:
        ingest([book], tmp_path / "data" / "m", now=NOW)
    assert [(p.sheet, p.row, p.column, p.message) for p in err.value.problems] == [
        (SHEETS["citizens"], 3, "Målgruppe", "cells D3:E3 are merged; unmerge them and fill in every cell")
    ]


def test_a_sheet_above_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "_MAX_SHEET_XML", 200_000)
    row = cells(2, [CPR["C1"], 1980, "k", "kontanthjælp", "dansk", "01-01-2019"])
    bomb = workbook_with_sheet_xml(
        tmp_path / "bomb.xlsx", "Borgere", (row.replace('r="2"', f'r="{r}"') for r in range(2, 3000))
    )
    unpacked = zipfile.ZipFile(bomb).getinfo("xl/worksheets/sheet1.xml").file_size
    assert bomb.stat().st_size < 30_000 and unpacked > 800_000  # packs small, unpacks to 0,9 MB
    calls = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: calls.append(a))
    into = tmp_path / "data" / "b"
    with pytest.raises(IngestError) as err:
        ingest([bomb], into, now=NOW)
    (p,) = err.value.problems
    assert p.file == "bomb.xlsx"
    assert p.message == (
        f"the workbook is too large to read safely: the sheet 'Borgere' unpacks to "
        f"{unpacked / 2**20:.1f} MB (the limit is 0,2 MB), although the file is "
        f"{bomb.stat().st_size / 2**20:.1f} MB; delete empty formatted rows and columns, or save the "
        "table as CSV and ingest that"
    ).replace(".", ",").replace(",xlsx", ".xlsx")
    assert calls == []  # refused before the workbook was opened
    assert not into.exists()


def test_a_zip_entry_that_lies_about_its_size_is_stopped_at_the_limit(tmp_path, monkeypatch):
    row = cells(2, [CPR["C1"], 1980, "k", "kontanthjælp", "dansk", "01-01-2019"])
    book = workbook_with_sheet_xml(
        tmp_path / "liar.xlsx", "Borgere", (row.replace('r="2"', f'r="{r}"') for r in range(2, 3000))
    )
    data = bytearray(book.read_bytes())
    # the central directory's record of the sheet: claim 1.000 bytes unpacked (zip64 extra field)
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + n] == name:
            break
        at = data.find(b"PK\x01\x02", at + 4)
    size = struct.unpack_from("<I", data, at + 24)[0]
    extra_len = struct.unpack_from("<H", data, at + 30)[0]
    extra = at + 46 + len(name)
    if size == 0xFFFFFFFF:  # zip64: the real size is in the extra field
        assert struct.unpack_from("<H", data, extra)[0] == 1 and extra_len >= 12
        struct.pack_into("<Q", data, extra + 4, 1000)
    else:
        struct.pack_into("<I", data, at + 24, 1000)
    book.write_bytes(bytes(data))
    assert zipfile.ZipFile(book).getinfo(name.decode()).file_size == 1000

    monkeypatch.setattr(ingest_module, "_MAX_SHEET_XML", 200_000)
    with pytest.raises(IngestError) as err:
        ingest([book], tmp_path / "data" / "l", now=NOW)
    (p,) = err.value.problems  # zipfile stops at the claimed size, and the CRC then fails
    assert (p.file, p.sheet, p.message) == (
        "liar.xlsx",
        "Borgere",
        "the sheet could not be read (BadZipFile); save the workbook again in Excel",
    )

    # and whatever the directory claims, the scan itself stops once the limit has come out
    truth = workbook_with_sheet_xml(
        tmp_path / "truth.xlsx", "Borgere", (row.replace('r="2"', f'r="{r}"') for r in range(2, 3000))
    )
    monkeypatch.setattr(ingest_module, "_CHUNK", 65_536)
    with pytest.raises(
        ingest_module._TooLarge,
        match=r"the sheet unpacks to more than 0,2 MB \(the limit; its zip entry "
        r"claimed 0,0 MB\)",
    ):
        ingest_module._scan_sheet(zipfile.ZipFile(truth), "xl/worksheets/sheet1.xml", 1000)


def test_a_sheet_with_more_filled_cells_than_the_limit_is_refused_naming_sheet_and_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "_MAX_CELLS", 100)
    rows = [cells(1, CITIZEN_HEADERS)] + [
        cells(r, [CPR["C1"], 1980, "k", "kontanthjælp", "dansk", "01-01-2019"]) for r in range(2, 20)
    ]
    book = workbook_with_sheet_xml(tmp_path / "many.xlsx", "Borgere", rows)
    with pytest.raises(IngestError) as err:
        ingest([book], tmp_path / "data" / "c", now=NOW)
    (p,) = err.value.problems
    assert p.sheet == "Borgere"
    assert p.message.startswith(
        "the sheet is too large (114 filled cells in 19 rows; the limit is 100 cells and 1.000.000 rows)"
    )


def test_a_damaged_workbook_is_one_plain_problem(tmp_path):
    book = tmp_path / "skabelon.xlsx"
    write_template(book)
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError) as err:
        ingest([book], tmp_path / "data" / "d", now=NOW)
    (p,) = err.value.problems
    assert p.file == "skabelon.xlsx" and "could not be read as an Excel workbook" in p.message


# -- an empty registration date: the ingest day, and a report as of an earlier day -----------


def ingested_without_registration_dates(tmp_path: Path) -> Path:
    """The tiny workbook with every Registreringsdato left empty, ingested on 1 February 2026."""
    rows = {t: [dict(r, registered="") for r in tiny_rows(t)] for t in TINY}
    book = fill_workbook(tmp_path / "udfyldt.xlsx", rows)
    into = tmp_path / "data" / "slagelse"
    ingest([book], into, now="2026-02-01T09:00:00+01:00")
    return into


def report_params(into: Path, as_of: str | None):
    from so_eval.params import ReportParams, params_path, read_params

    kw = {k: v for k, v in read_params(params_path(2025)).items() if k not in ("year", "as_of")}
    return ReportParams(year=2025, **{**kw, "data_dir": str(into), "output_dir": None, "as_of": as_of})


def test_a_report_as_of_before_the_ingest_day_stops_naming_the_empty_tables_and_the_date(tmp_path):
    from so_eval.annual import AnnualReport, AsOfError

    into = ingested_without_registration_dates(tmp_path)
    ds = load(into, as_of="2026-01-15")  # the shipped params' as_of for 2025
    assert len(ds.courses) == 0 and ds.after_as_of["courses"] == (8, "2026-02-01", "2026-02-01")
    import pickle  # a dataset pickles whole, e.g. to hand it to another process

    assert pickle.loads(pickle.dumps(ds)).after_as_of == ds.after_as_of
    assert ds.without("status_weekly").after_as_of == ds.after_as_of
    with pytest.raises(AsOfError) as err:
        AnnualReport(ds, report_params(into, "2026-01-15"))
    msg = str(err.value)
    assert msg.startswith("as of 2026-01-15 (as_of in the report's parameters) the data have no ")
    assert "forløb (courses.csv): all 8 rows were registered after that day, the first on 2026-02-01" in msg
    assert "borgere (citizens.csv): all 7 rows" in msg
    assert msg.endswith(
        "Set as_of in params/2025.yaml to 2026-02-01 or later (null counts every "
        "registration), or run `so-eval report --year 2025 --as-of 2026-02-01`"
    )
    assert "\n" not in msg


def test_the_method_section_says_how_many_rows_were_registered_after_as_of(tiny_dir):
    import dataclasses

    from so_eval.annual import AnnualReport

    params = dataclasses.replace(report_params(tiny_dir, "2025-01-15"), year=2024)
    report = AnnualReport(load(tiny_dir, as_of="2025-01-15"), params)
    text = "\n".join(part for kind, part in report.method().parts if kind == "md")
    # the tiny jobs of C6 and C2 were registered 22.01.2025 and 01.02.2025: two rows, shown as <5
    assert ("- Data som kendt: 15. januar 2025; <5 rækker registreret senere er ikke talt med (job: <5)\n") in text
    report.params = dataclasses.replace(params, disclosure={"min_cell": 1})
    assert report._after_as_of_text() == "; 2 rækker registreret senere er ikke talt med (job: 2)"
    report.ds = load(tiny_dir)  # all registrations: nothing to say
    assert report._after_as_of_text() == ""


def test_so_eval_report_shows_the_as_of_problem_as_its_one_line_error(tmp_path, capsys):
    into = ingested_without_registration_dates(tmp_path)
    out = tmp_path / "reports"
    code = main(
        ["report", "--year", "2025", "--data", str(into), "--out", str(out), "--quiet", "--as-of", "2026-01-15"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: as of 2026-01-15 (as_of in the report's parameters) the data have no ")
    assert err.endswith("`so-eval report --year 2025 --as-of 2026-02-01`. Nothing was published.")
    assert "\n" not in err and "Traceback" not in err
    assert not (out / "2025").exists()


def test_a_parquet_export_whose_name_says_nothing_is_matched_by_its_columns(tmp_path):
    import pandas as pd

    into = tmp_path / "data" / "p"
    fill_workbook(tmp_path / "base.xlsx", {"citizens": tiny_rows("citizens")})
    ingest([tmp_path / "base.xlsx"], into, now=NOW)
    weeks = pd.date_range("2024-01-01", periods=3, freq="7D")
    pd.DataFrame(
        {
            "cpr": [CPR["C1"]] * 3,
            "week": weeks,
            "status": ["kontanthjælp"] * 2 + ["selvforsørgelse"],
            "registered": weeks + pd.Timedelta(days=14),
        }
    ).to_parquet(tmp_path / "dream_udtræk.parquet")
    report = ingest([tmp_path / "dream_udtræk.parquet"], into, now=NOW)
    assert report.tables["status_weekly"].added == 3
    assert report.files[0].read_as == (f"as {ingest_module.tpl.sheet_name('status_weekly')} (told by its headers)",)
    assert set(load(into).status_weekly.citizen_id) == {pseudonym_by_hand(CPR["C1"])}


def test_a_shared_strings_part_above_its_limit_is_refused_by_name(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    wb.active.title = "Borgere"
    wb.save(tmp_path / "strenge.xlsx")
    with zipfile.ZipFile(tmp_path / "strenge.xlsx", "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main">' + "<si><t>tekst</t></si>" * 10_000 + "</sst>",
        )
    size = zipfile.ZipFile(tmp_path / "strenge.xlsx").getinfo("xl/sharedStrings.xml").file_size
    assert size > 200_000
    monkeypatch.setattr(ingest_module, "_MAX_PART_XML", 100_000)
    with pytest.raises(IngestError) as err:
        ingest([tmp_path / "strenge.xlsx"], tmp_path / "data" / "s", now=NOW)
    (p,) = err.value.problems
    assert p.message.startswith(
        f"the workbook is too large to read safely: its part xl/sharedStrings.xml "
        f"unpacks to {size / 2**20:.1f} MB (the limit is 0.1 MB)".replace(".", ",").replace(",xml", ".xml")
    )


def test_the_template_with_one_renamed_sheet_holding_rows_is_read_by_its_headers(tmp_path):
    book = fill_workbook(tmp_path / "udfyldt.xlsx", {"citizens": tiny_rows("citizens")})
    wb = openpyxl.load_workbook(book)
    wb[SHEETS["citizens"]].title = "Ark1"  # the other sheets hold their headers only
    wb.save(book)
    report = ingest([book], tmp_path / "data" / "r", now=NOW)
    assert report.tables["citizens"].added == 7
    assert report.files[0].read_as == ("sheet 'Ark1' as Borgere (told by its headers)",)
    assert stored_citizens(tmp_path / "data" / "r") == expected_citizens()
    # with rows on a second sheet too, the renamed sheet is not guessed
    wb = openpyxl.load_workbook(book)
    wb[SHEETS["courses"]].append(["K1", CPR["C1"], "A1", "01-09-2023"])
    wb.save(book)
    with pytest.raises(IngestError, match="this sheet is not one of the template's sheets"):
        ingest([book], tmp_path / "data" / "r2", now=NOW)


def test_a_csv_file_above_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "_MAX_CSV", 1000)
    export = tmp_path / "borgere.csv"
    export.write_bytes(csv_bytes(JOBCENTER_HEADER, JOBCENTER_ROWS * 5))
    with pytest.raises(IngestError) as err:
        ingest([export], tmp_path / "data" / "c", now=NOW)
    (p,) = err.value.problems
    assert (p.file, p.row) == ("borgere.csv", None)
    assert p.message == (
        f"the file is too large to read safely ({export.stat().st_size / 2**20:.1f} MB; "
        "the limit is 0.0 MB); split it, or save large tables such as the weekly status "
        "as Parquet"
    ).replace("0.", "0,")
