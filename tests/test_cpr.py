"""No CPR number is stored in clear or published: the one detector (pseudonym.find_cpr) finds every
spelling, ingest refuses it in every text column of every table (workbook and CSV) and keeps
nothing of it, citizen IDs must be CPR numbers or pseudonyms, validate reports CPR-shaped cells and
the guard refuses a report folder holding any spelling (HTML, CSV, JSON, notebook)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import html
import io
import json
import re
from pathlib import Path

import pytest

from so_eval import validate
from so_eval.data import pseudonym as ps
from so_eval.data.ingest import IngestError, ingest
from so_eval.data.model import TABLES
from so_eval.data.template import HEADERS, SHEETS, TEMPLATE_TABLES, column_kind, write_template
from so_eval.disclosure.guard import PublishError, check_publishable, scan
from test_guard import clean_report, code_cell, notebook
from test_ingest import CPR, KEY, fill_workbook, snapshot, tiny_rows
from tiny import TABLES as TINY
from tiny import write_tiny

DATE, SERIAL = "150380", "4821"  # 15 March 1980
DIGITS = DATE + SERIAL
SUBSTITUTE = "750380"  # a substitute number (erstatningspersonnummer): day 15 + 60
SEPARATORS = {
    "none": "",
    "space": " ",
    "hyphen": "-",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "minus sign": "\u2212",
    "slash": "/",
    "dot": ".",
    "no-break space": "\u00a0",
    "narrow no-break space": "\u202f",
}
PREFIXES = ["cpr ", "CPR: ", "CPR-nr. ", "cpr.nr.", "CPR"]


def spellings(date: str = DATE) -> dict[str, str]:
    """Every spelling of the CPR number ``date``-4821 the detector must find."""
    out = {f"sep {name}": f"{date}{sep}{SERIAL}" for name, sep in SEPARATORS.items()}
    out |= {f"prefix {p!r}": f"{p}{date}-{SERIAL}" for p in PREFIXES}
    out["prefix, no-break space"] = f"CPR-nr.\u00a0{date}\u00a0{SERIAL}"
    out["date with dots"] = f"{date[:2]}.{date[2:4]}.{date[4:]}-{SERIAL}"
    out["spaced dash"] = f"{date} - {SERIAL}"
    return out


SPELLINGS = spellings()
ALL = {**SPELLINGS, **{f"substitute, {k}": v for k, v in spellings(SUBSTITUTE).items()}}
IN_TEXT = {f"in text, {k}": f"Borgeren ({v}) fik job i marts." for k, v in ALL.items()}
CPR_DIGITS = (DIGITS, SUBSTITUTE + SERIAL)


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    monkeypatch.setenv(ps.KEY_ENV, KEY)
    monkeypatch.delenv(ps.KEY_FILE_ENV, raising=False)


def pseudonym_by_hand(digits: str) -> str:
    return "P" + hmac.new(KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()[:16]


def assert_no_cpr_in(folder: Path) -> None:
    """No file under ``folder`` holds the test CPR numbers: not by the detector, not as digits."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert ps.find_cpr(text) == [], path
        digits_only = re.sub(r"[^0-9]", "", text)
        for d in CPR_DIGITS:
            assert d not in digits_only and d[1:] not in digits_only, path


def assert_masked(message: str) -> None:
    assert ps.find_cpr(message) == [] and SERIAL not in message
    assert not any(d in re.sub(r"[^0-9]", "", message) for d in CPR_DIGITS)


# -- the detector ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL) + list(IN_TEXT))
def test_the_detector_finds_every_spelling_with_its_ten_digits(name):
    text = {**ALL, **IN_TEXT}[name]
    (span,) = ps.find_cpr(text)
    want = SUBSTITUTE + SERIAL if "substitute" in name else DIGITS
    assert span.digits == want
    assert text[span.start : span.end].endswith(SERIAL) and text[span.start].isdigit()
    assert span.prefixed == ("prefix" in name)
    assert span.masked == want[:4] + "…"
    assert ps.contains_cpr(text)
    assert ps.mask_cpr(text).count("…") == 1 and SERIAL not in ps.mask_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15",
        "15-01-2024",
        "15.01.2024",
        "31/12/2024",
        "2024-01-15T10:00:00+01:00",
        "1.234.567 kr.",
        "9.762.000",
        "1.234.567,89",
        "12345678",
        "58 57 36 00",
        "+45 58 57 36 00",
        "2019",
        "2019\u20132024",
        "1980 og 2024",
        "01018012345",
        "1234567890123",
        "0.1503804821",
        "1503804821.5",
        "a3f1503804821b",
        "B1503804821",
        "sha256:1503804821" + "c" * 54,
        "320380-4821",
        "151380-4821",
        "300280-4821",
        "921280-4821",
        "150380  4821",
        "150380\t4821",
        "CPR-numre gemmes aldrig",
    ],
)
def test_the_detector_leaves_dates_amounts_phone_numbers_years_and_hashes_alone(text):
    assert ps.find_cpr(f"Værdi: {text} her.") == []


def test_a_cpr_word_makes_an_impossible_date_count_too():
    (span,) = ps.find_cpr("CPR: 320380-4821")
    assert span.prefixed and span.digits == "3203804821"
    assert ps.find_cpr("320380-4821") == []


# -- citizen IDs -----------------------------------------------------------------------------


def test_every_spelling_of_a_citizen_id_gives_the_pseudonym_of_its_digits():
    key = KEY.encode()
    want = pseudonym_by_hand(DIGITS)
    for name, text in SPELLINGS.items():
        if "prefix" in name:
            assert ps.normalise_cpr(text) is None  # only the number: "CPR: ..." is refused
        else:
            assert ps.pseudonymise(text, key) == want, name
    assert ps.pseudonymise(int(DIGITS), key) == want
    assert ps.pseudonymise("050380-4821", key) == ps.pseudonymise(50380482 * 10 + 1, key)  # zero lost
    assert ps.pseudonymise(SUBSTITUTE + "-" + SERIAL, key) == pseudonym_by_hand(SUBSTITUTE + SERIAL)


def citizens_csv(path: Path, ids: list) -> Path:
    """A citizens export with one row per ID (same other values)."""
    rows = [[HEADERS["citizens"][c] for c in TABLES["citizens"].columns]]
    rows += [[i, "1980", "k", "kontanthjælp", "dansk", "01-01-2019"] for i in ids]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_citizen_ids_in_every_spelling_are_pseudonymised_and_never_stored(tmp_path):
    ids = [v for k, v in SPELLINGS.items() if "prefix" not in k] + [int(DIGITS)]
    into = tmp_path / "data" / "c"
    report = ingest([citizens_csv(tmp_path / "borgere.csv", ids)], into)
    assert report.tables["citizens"].as_dict() == {
        "read": len(ids),
        "added": 1,
        "updated": 0,
        "unchanged": len(ids) - 1,
        "conflicting": 0,
        "rejected": 0,
    }
    stored = (into / "citizens.csv").read_text(encoding="utf-8").splitlines()
    assert stored[1].split(",")[0] == pseudonym_by_hand(DIGITS) and len(stored) == 2
    assert_no_cpr_in(tmp_path / "data")


MALFORMED = {
    "010180-123": "has 9 digits",
    "01018O-1234": "mixes letters into the digits",
    "0101801234567": "has 13 digits",
    "Jens Hansen": "is text, not a CPR number",
    "3201801234": "does not start with a valid date",
    "0101-801234": "is written with other characters",
    "CPR 010180-1234": "write only the CPR number",
    "C1": "neither a CPR number nor a pseudonym",
}


@pytest.mark.parametrize("table", ["citizens", "courses", "progression", "jobs"])
def test_a_citizen_id_that_is_neither_cpr_nor_pseudonym_is_refused_with_the_reason(tmp_path, table):
    into = write_tiny(tmp_path / "data" / "t")  # a dataset with the IDs C1..C7 (C1 is known here)
    before = snapshot(into)
    header = [HEADERS[table][c] for c in TABLES[table].columns]
    col = TABLES[table].columns.index("citizen_id")
    rows = []
    for value in MALFORMED:
        row = [""] * len(header)
        row[col] = "C9" if value == "C1" else value  # C9 is in no dataset
        rows.append(row)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header, *rows])
    export = tmp_path / f"{table}.csv"
    export.write_text(buf.getvalue(), encoding="utf-8")
    with pytest.raises(IngestError) as err:
        ingest([export], into)
    got = {p.row: p.message for p in err.value.problems if p.column == HEADERS[table]["citizen_id"]}
    assert len(got) == len(MALFORMED)
    for row, (value, reason) in enumerate(MALFORMED.items(), start=2):
        assert reason in got[row], (value, got[row])
        assert "not stored" in got[row]
    text = str(err.value)
    for value in MALFORMED:
        if value[0].isdigit():
            assert value not in text and re.sub(r"[^0-9]", "", value) not in text
    assert snapshot(into) == before


def test_pseudonyms_and_ids_already_in_the_dataset_are_kept(tmp_path):
    into = write_tiny(tmp_path / "data" / "t")
    export = tmp_path / "forløb.csv"
    export.write_text(
        "course_id;citizen_id;agreement_id;start;end;start_step;end_step;end_status;registered\n"
        "K9;C3;A1;01-02-2025;;afklaring;;;02-02-2025\n",
        encoding="utf-8",
    )
    report = ingest([export], into)
    assert report.added == 1
    assert (into / "courses.csv").read_text(encoding="utf-8").splitlines()[-1].startswith("K9,C3,A1,")
    new = ingest([citizens_csv(tmp_path / "borgere.csv", ["P0123456789abcdef"])], tmp_path / "data" / "n")
    assert new.added == 1  # the form pseudonymise() produces: kept (it is no CPR number)


# -- every text column of every table ---------------------------------------------------------


def text_columns(table: str) -> list[str]:
    """The columns of ``table`` that hold text (categories and lists included), not the citizen ID."""
    return [c for c in TABLES[table].columns if column_kind(table, c) in ("text", "list") and c != "citizen_id"]


CELLS = {**ALL, **IN_TEXT}


def test_every_table_of_the_template_has_text_columns_to_try():
    assert set(TEMPLATE_TABLES) >= {"enterprises", "courses", "learnings", "pilots"}
    assert all(text_columns(t) for t in TEMPLATE_TABLES)
    assert "text" in text_columns("learnings") and "name" in text_columns("enterprises")
    assert len(CELLS) == 2 * 2 * len(SPELLINGS) == 2 * 2 * (len(SEPARATORS) + len(PREFIXES) + 3) == 72


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The tiny workbook (CPR numbers) ingested: an existing dataset, as bytes."""
    root = tmp_path_factory.mktemp("cprbase")
    book = fill_workbook(root / "base.xlsx", {t: tiny_rows(t) for t in TINY})
    ingest([book], root / "data" / "x", key=KEY, now="2025-01-20T10:00:00+01:00")
    return snapshot(root / "data" / "x")


def restore(files: dict[str, bytes], folder: Path) -> Path:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def rows_for(table: str) -> list[dict]:
    """One row per spelling, with it in every text column of the table."""
    return [{c: value for c in text_columns(table)} for value in CELLS.values()]


def check_refused(err: IngestError, file: str, sheet: str | None, table: str) -> None:
    got = {(p.file, p.sheet, p.row, p.column): p.message for p in err.problems}
    for row in range(2, 2 + len(CELLS)):
        for col in text_columns(table):
            message = got[(file, sheet, row, HEADERS[table][col])]
            assert message.startswith("looks like a CPR number ("), (table, col, row, message)
    for p in err.problems:
        assert_masked(str(p))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_spelling_in_every_text_column_is_refused_and_none_reaches_data(base, tmp_path, fmt):
    into = restore(base, tmp_path / "data" / "x")
    before = snapshot(into)
    template = write_template(tmp_path / "skabelon.xlsx")
    for table in TEMPLATE_TABLES:
        if fmt == "xlsx":
            path = fill_workbook(tmp_path / f"{table}.xlsx", {table: rows_for(table)}, template=template)
            sheet = SHEETS[table]
        else:
            path = tmp_path / f"{table}.csv"
            codes = TABLES[table].columns
            buf = io.StringIO()
            csv.writer(buf, delimiter=";").writerows(
                [[HEADERS[table][c] for c in codes]] + [[r.get(c, "") for c in codes] for r in rows_for(table)]
            )
            path.write_text(buf.getvalue(), encoding="utf-8")
            sheet = None
        with pytest.raises(IngestError) as err:
            ingest([path], into)
        check_refused(err.value, path.name, sheet, table)
        assert snapshot(into) == before, table
    assert_no_cpr_in(tmp_path / "data")
    assert sorted(p.name for p in (tmp_path / "data").iterdir() if not p.name.endswith(".lock")) == ["x"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_so_eval_ingest_refuses_them_on_the_command_line_without_showing_them(base, tmp_path, capsys, fmt):
    from so_eval.cli import main

    into = restore(base, tmp_path / "data" / "x")
    before = snapshot(into)
    rows = [{"year": "2024", "area": "goal2", "kind": "læring", "text": v} for v in CELLS.values()]
    if fmt == "xlsx":
        path = fill_workbook(tmp_path / "læringer.xlsx", {"learnings": rows})
    else:
        path = tmp_path / "læringer.csv"
        buf = io.StringIO()
        csv.writer(buf, delimiter=";").writerows(
            [["År", "Område", "Type", "Tekst"]] + [[r["year"], r["area"], r["kind"], r["text"]] for r in rows]
        )
        path.write_text(buf.getvalue(), encoding="utf-8")
    assert [HEADERS["learnings"][c] for c in ("year", "area", "kind", "text")] == ["År", "Område", "Type", "Tekst"]
    assert main(["ingest", str(path), "--into", str(into)]) == 1
    out = capsys.readouterr()
    assert out.err.count("column 'Tekst': looks like a CPR number (") == len(CELLS)
    assert_masked(out.err + out.out)
    assert snapshot(into) == before
    assert_no_cpr_in(tmp_path / "data")


def test_a_number_cell_that_is_a_cpr_number_without_its_leading_zero_is_refused(base, tmp_path):
    into = restore(base, tmp_path / "data" / "x")
    rows = [
        {"year": 2024, "area": "goal2", "kind": "læring", "text": 503804821, "figure_key": None},
        {"year": 2024, "area": int(DIGITS), "kind": "læring", "text": "ok", "figure_key": None},
    ]
    with pytest.raises(IngestError) as err:
        ingest([fill_workbook(tmp_path / "l.xlsx", {"learnings": rows})], into)
    got = {(p.row, p.column): p.message for p in err.value.problems}
    assert got[(2, "Tekst")].startswith("looks like a CPR number (0503…)")
    assert got[(3, "Område")].startswith("looks like a CPR number (1503…)")
    assert "503804821" not in str(err.value)


def test_validate_names_file_row_and_column_of_a_stored_cpr_number(tmp_path):
    learnings = "year,area,kind,text,figure_key,registered\n" + "".join(
        f'2024,goal2,læring,"{v}",,2025-01-02\n' for v in CELLS.values()
    )
    citizens = TINY["citizens"].replace("C6,", f"{DIGITS},").replace("C7,", "010180-123,")
    courses = TINY["courses"].replace(",C6,", f",{DIGITS},").replace(",C7,", ",010180-123,")
    folder = write_tiny(tmp_path / "d", learnings=learnings, citizens=citizens, courses=courses)
    problems = validate(folder)
    got = {(p.file, p.row, p.column): p.message for p in problems}
    for row in range(2, 2 + len(CELLS)):
        assert got[("learnings.csv", row, "text")].startswith("looks like a CPR number (")
    assert got[("citizens.csv", 7, "citizen_id")].startswith("looks like a CPR number (1503…)")
    assert got[("citizens.csv", 8, "citizen_id")].startswith("looks like a mistyped CPR number")
    assert got[("courses.csv", 7, "citizen_id")].startswith("looks like a CPR number (1503…)")
    assert got[("courses.csv", 9, "citizen_id")].startswith("looks like a mistyped CPR number")
    cpr = [p for p in problems if "CPR" in p.message]  # the others: C6 and C7 are gone from citizens
    assert len(cpr) == len(CELLS) + 4
    for p in problems:
        assert_masked(p.message)
    assert validate(write_tiny(tmp_path / "clean")) == []


def test_so_eval_validate_reports_a_cpr_number_in_a_dataset(tmp_path, capsys):
    from so_eval.cli import main

    enterprises = TINY["enterprises"].replace("Café Et", f"Café {SPELLINGS['sep en dash']}")
    folder = write_tiny(tmp_path / "d", enterprises=enterprises)
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "enterprises.csv, row 2, column 'name': looks like a CPR number (1503…)" in err
    assert SERIAL not in err


# -- the publication guard --------------------------------------------------------------------


def leaky_report(folder: Path, value: str) -> Path:
    """A clean report folder with ``value`` in the HTML text, a figures.csv label, the manifest
    and a notebook output."""
    clean_report(folder)
    page = folder / "annual_report.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"<p>Læring: {html.escape(value)}</p>\n</body>"),
        encoding="utf-8",
    )
    with open(folder / "figures.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["learn.x", "3", "tekst", f"Note {value}", "false"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"]["note"] = value
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")  # \u escapes
    (folder / "annual_report.ipynb").write_text(
        notebook([code_cell("learnings", [{"output_type": "stream", "name": "stdout", "text": f"{value}\n"}])]),
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("name", list(CELLS))
def test_the_guard_refuses_a_report_with_any_spelling_in_html_csv_json_and_notebook(tmp_path, name):
    folder = leaky_report(tmp_path / "r", CELLS[name])
    found = {Path(f.file).name for f in scan([folder]) if f.kind == "cpr"}
    assert found == {"annual_report.html", "figures.csv", "manifest.json", "annual_report.ipynb"}
    with pytest.raises(PublishError) as err:
        check_publishable(folder)
    assert_masked(str(err.value))


@pytest.mark.parametrize("entity", ["&nbsp;", "&#160;", "&ndash;", "&#8212;", "&#x2212;", "&#x202F;"])
def test_the_guard_reads_html_entities_between_the_digits(tmp_path, entity):
    folder = clean_report(tmp_path / "r")
    page = folder / "annual_report.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"<p>Borger {DATE}{entity}{SERIAL}</p>\n</body>"),
        encoding="utf-8",
    )
    (f,) = [f for f in scan([folder]) if f.kind == "cpr"]
    assert (Path(f.file).name, f.line, f.what) == ("annual_report.html", 11, "CPR-like number 1503…")


def test_a_manifest_with_unicode_escapes_is_read_decoded(tmp_path):
    folder = clean_report(tmp_path / "r")
    (folder / "manifest.json").write_text(
        '{\n  "a": 1,\n  "note": "' + DATE + "\\u2013" + SERIAL + '"\n}\n', encoding="utf-8"
    )
    (f,) = scan([folder / "manifest.json"])
    assert (f.kind, f.line, f.what) == ("cpr", 3, "CPR-like number 1503…")


def test_a_dataset_ingested_from_cpr_numbers_validates_and_holds_none(base, tmp_path):
    """The detector takes none of the dataset's pseudonyms, dates and numbers for a CPR number,
    and none of the workbook's CPR numbers was stored, in any form."""
    into = restore(base, tmp_path / "data" / "x")
    assert validate(into) == []
    assert_no_cpr_in(into)
    digits_only = re.sub(r"[^0-9]", "", "\n".join(b.decode("utf-8") for b in snapshot(into).values()))
    for cpr in CPR.values():
        assert cpr.replace("-", "") not in digits_only


def test_a_cpr_number_in_any_spelling_in_a_file_name_is_masked_in_the_log_and_messages(tmp_path):
    name = f"borgere {SPELLINGS['sep no-break space']}.csv"
    into = tmp_path / "data" / "f"
    ingest([citizens_csv(tmp_path / name, [SPELLINGS["sep en dash"]])], into)
    entry = json.loads((into / "ingest_log.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert entry["files"][0]["file"] == "borgere 1503….csv"
    bad = citizens_csv(tmp_path / f"borgere {SPELLINGS['sep dot']}.csv", ["Jens"])
    with pytest.raises(IngestError) as err:
        ingest([bad], into)
    (p,) = err.value.problems
    assert (p.file, p.row) == ("borgere 1503….csv", 2) and "is text, not a CPR number" in p.message
    assert_no_cpr_in(tmp_path / "data")
