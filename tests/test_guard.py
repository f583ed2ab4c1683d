"""The guard before publishing: CPR numbers, pseudonyms and row-level citizen data are found in
HTML, notebooks, CSV and JSON, reported masked; normal report content does not trigger it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from so_eval.disclosure.guard import PublishError, check_publishable, scan, scan_text

PSEUDONYMS = {"P3fa09c1d2b7e4a61", "Pb04c2d9e8f7a6b5c"}


def notebook(cells: list[dict]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def code_cell(source: str, outputs: list[dict]) -> dict:
    return {"cell_type": "code", "source": source, "outputs": outputs, "metadata": {}, "execution_count": 1}


def clean_report(folder: Path) -> Path:
    """A report folder like ``reports/<year>/``: HTML, notebook, figures and manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    digests = {name: hashlib.sha256(name.encode()).hexdigest() for name in ("a", "b", "c")}
    digests["crafted"] = "0101801234" + "ab" * 27  # a fingerprint that starts CPR-like
    digests["digits"] = "3112031234" + "0" * 53 + "f"
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "created": "2025-01-15T10:00:00+01:00",
                "report_date": "2025-01-15",
                "data": {
                    "fingerprint": digests["a"],
                    "files": {"citizens.csv": digests["crafted"], "courses.csv": digests["digits"]},
                },
                "parameters": {"disclosure": {"min_cell": 5}, "year": 2024},
                "versions": {"pandas": "3.1.1", "numpy": "2.3.4"},
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    (folder / "figures.csv").write_text(
        "key,value,unit,label,suppressed\n"
        "goal1.jobs,31,borgere,Borgere i job,false\n"
        "goal1.small,<5,borgere,Borgere i job (unge),true\n"
        "money.total,9762000,kr.,Samlet omsætning,false\n"
        "money.big,12345678901234,kr.,Stort tal,false\n"
        "sroi.ratio,0.1203801234,ratio,Forhold,false\n"
        "dates.first,2024-01-15,dato,Første forløb,false\n",
        encoding="utf-8",
    )
    png = "iVBORw0KGgoAAAANSUhEUgAA" + "0101801234" + "A" * 40 + "3112031234=="
    (folder / "annual_report.html").write_text(
        "<html><body><h1>Årsrapport 2024</h1>\n"
        "<p>Samlet omsætning: 9.762.000 kr., 1.234.567,89 kr. og 52,3 %.</p>\n"
        "<p>Rapporten er lavet 2025-01-15T10:00:00 (data 2024-12-31, uge 2024-W52).</p>\n"
        "<p>CPR-numre erstattes af pseudonymer, før data gemmes; ingen borger kan genkendes.</p>\n"
        f"<p>Datafingeraftryk {digests['a']} og {digests['crafted']}.</p>\n"
        "<p>Telefon +45 58 57 36 00, CVR 29188548, EAN 5798007654321.</p>\n"
        "<table><thead><tr><th>Målgruppe</th><th>Køn</th><th>Antal</th></tr></thead>\n"
        "<tbody><tr><td>Kontanthjælp</td><td>Kvinde</td><td>12</td></tr>\n"
        "<tr><td>Unge</td><td>Mand</td><td>&lt;5</td></tr></tbody></table>\n"
        f'<img src="data:image/png;base64,{png}">\n'
        "</body></html>\n",
        encoding="utf-8",
    )
    (folder / "annual_report.ipynb").write_text(
        notebook(
            [
                {"cell_type": "markdown", "source": "# Årsrapport\nMål 1: 30 job om året.", "metadata": {}},
                code_cell(
                    "ledger = annual.goal1(ds, year)\nds.citizens.groupby('citizen_id').size()",
                    [
                        {
                            "output_type": "display_data",
                            "metadata": {},
                            "data": {"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"},
                        },
                        {"output_type": "stream", "name": "stdout", "text": "fingerprint " + digests["digits"] + "\n"},
                    ],
                ),
            ]
        ),
        encoding="utf-8",
    )
    return folder


def test_a_normal_report_passes(tmp_path):
    folder = clean_report(tmp_path / "reports" / "2024")
    assert scan([folder], pseudonyms=PSEUDONYMS) == []
    scanned = check_publishable(folder, PSEUDONYMS)
    assert {p.name for p in scanned} == {"manifest.json", "figures.csv", "annual_report.html", "annual_report.ipynb"}


def test_cpr_numbers_are_found_and_masked(tmp_path):
    folder = clean_report(tmp_path / "r")
    html = folder / "annual_report.html"
    html.write_text(
        html.read_text(encoding="utf-8").replace("</body>", "<p>Borger 010180-1234 kom i job.</p>\n</body>"),
        encoding="utf-8",
    )
    (folder / "extra.csv").write_text("a,b\n1,x\n2,3112031234\n", encoding="utf-8")
    findings = scan([folder])
    got = {(Path(f.file).name, f.line, f.kind): f.what for f in findings}
    assert got == {
        ("annual_report.html", 11, "cpr"): "CPR-like number 0101…",
        ("extra.csv", 3, "cpr"): "CPR-like number 3112…",
    }
    with pytest.raises(PublishError) as err:
        check_publishable(folder, ())
    text = str(err.value)
    assert "annual_report.html, line 11: CPR-like number 0101…" in text
    assert "010180-1234" not in text and "3112031234" not in text and "1234" not in text
    assert err.value.findings == findings


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15",
        "2024-01-15T10:00:00+01:00",
        "9.762.000",
        "1.234.567,89",
        "12345678901234",
        "0.1203801234",
        "1203801234.5",
        "a3f0101801234b",
        "ID-0101801234x",
        "sha256:" + "0101801234" + "c" * 54,
        "+45 58 57 36 00",
        "2024-W52",
        "011380-1234",
        "311301-1234",
        "300280-1234",
    ],
)
def test_no_false_positives(text):
    assert [f for f in scan_text(f"værdi {text} her", "x.txt") if f.kind == "cpr"] == []


@pytest.mark.parametrize(
    "text",
    [
        "010180-1234",
        "0101801234",
        "CPR: 0101801234.",
        "(290280-1234)",
        "cpr=610180-1234",
        '"0101801234"',
        "010180-1234,k",
    ],
)
def test_cpr_shapes_that_are_found(text):
    (f,) = scan_text(f"værdi {text} her", "x.txt")
    assert f.kind == "cpr" and f.what.endswith("…") and "1234" not in f.what


def test_pseudonyms_are_found_as_whole_words_with_notebook_cells(tmp_path):
    folder = clean_report(tmp_path / "r")
    nb = folder / "annual_report.ipynb"
    nb.write_text(
        notebook(
            [
                {"cell_type": "markdown", "source": "Intro", "metadata": {}},
                code_cell(
                    "x = 1",
                    [
                        {
                            "output_type": "stream",
                            "name": "stdout",
                            "text": ["ok\n", "borger P3fa09c1d2b7e4a61 er med\n"],
                        }
                    ],
                ),
                code_cell("y = 'XP3fa09c1d2b7e4a61Y'", []),  # not a whole word: not this pseudonym
            ]
        ),
        encoding="utf-8",
    )
    findings = scan([nb], pseudonyms=PSEUDONYMS)
    assert [(f.cell, f.line, f.kind, f.what) for f in findings] == [(2, 2, "pseudonym", "citizen pseudonym P3…")]
    assert "P3fa09c1d2b7e4a61" not in str(findings[0])
    assert str(findings[0]).endswith("annual_report.ipynb, cell 2, line 2: citizen pseudonym P3…")


def test_row_level_citizen_tables(tmp_path):
    (tmp_path / "udtræk.csv").write_text("citizen_id,year\nC1,2024\n", encoding="utf-8")
    (tmp_path / "quasi.csv").write_text("Fødselsår;Køn;Målgruppe;Antal\n1980;k;unge;1\n", encoding="utf-8")
    (tmp_path / "table.html").write_text(
        "<p>intro</p>\n<table>\n<tr><th>Borger-ID (CPR eller pseudonym)</th><th>Forløb</th></tr>\n</table>\n",
        encoding="utf-8",
    )
    (tmp_path / "dump.txt").write_text("linje\n1985, k, kontanthjælp, dansk\n", encoding="utf-8")
    (tmp_path / "data.json").write_text('{\n  "rows": [\n    {"cpr": "x"}\n  ]\n}\n', encoding="utf-8")
    (tmp_path / "nb.ipynb").write_text(
        notebook(
            [
                code_cell(
                    "ds.citizens.head()",
                    [
                        {
                            "output_type": "execute_result",
                            "metadata": {},
                            "execution_count": 1,
                            "data": {"text/plain": "  citizen_id  birth_year gender\n0         C1        1980      k"},
                        }
                    ],
                )
            ]
        ),
        encoding="utf-8",
    )
    got = {(f.file.split("/")[-1], f.cell, f.line): f.what for f in scan([tmp_path]) if f.kind == "row-level"}
    assert got == {
        ("udtræk.csv", None, 1): "row-level citizen data: a table with the column 'citizen_id'",
        ("quasi.csv", None, 1): "row-level citizen data: a table with birth year, gender and target group",
        ("quasi.csv", None, 2): "row-level citizen data: birth year, gender and target group of one person",
        ("table.html", None, 3): "row-level citizen data: a table with the column 'borger_id'",
        ("dump.txt", None, 2): "row-level citizen data: birth year, gender and target group of one person",
        ("data.json", None, 3): "row-level citizen data: a JSON key 'cpr'",
        ("nb.ipynb", 1, 1): "row-level citizen data: a table with the column 'citizen_id'",
    }


def test_an_html_table_row_of_one_citizen():
    html = (
        "<table>\n<tr><th>År</th><th>Køn</th><th>Gruppe</th></tr>\n<tr>\n  <td>1985</td>\n"
        "  <td>k</td>\n  <td>kontanthjælp</td>\n</tr>\n</table>\n"
    )
    (f,) = scan_text(html, "r.html", kind="html")
    assert (f.kind, f.line) == ("row-level", 4)


def test_aggregated_tables_and_prose_are_not_row_level():
    html = (
        "<table><tr><th>Målgruppe</th><th>Køn</th><th>Antal</th></tr>"
        "<tr><td>Kontanthjælp</td><td>Kvinde</td><td>12</td></tr></table>"
        "<p>I 2024 kom 31 borgere i job; CPR-numre gemmes aldrig. Borger og pseudonym.</p>"
    )
    assert scan_text(html, "r.html", kind="html") == []
    assert scan_text("key,value\nborgere,31\n", "f.csv", kind="csv") == []


def test_missing_path():
    with pytest.raises(FileNotFoundError):
        scan(["/nonexistent/report"])
