"""Fuzzing ingest with bad workbooks and CSV files: every input is either accepted correctly or
rejected with an IngestError that names the file, row and column; never another exception, and
never a half-written dataset (on failure the target folder is byte-identical to before)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from so_eval import validate
from so_eval.data.ingest import IngestError, ingest
from so_eval.data.template import HEADERS, SHEETS, TEMPLATE_TABLES
from test_ingest import CPR, KEY, fill_workbook, snapshot, tiny_rows
from tiny import TABLES as TINY

FUZZ = settings(
    max_examples=20,
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = "2025-03-01T12:00:00+01:00"
CSV_TABLES = ("citizens", "courses", "progression", "jobs")
CPR_FORMS = {f for c in [*CPR.values(), "010180-1234"] for f in (c, c.replace("-", ""))}
FILE_LEVEL = ("could not be read", "not UTF-8", "is empty", "no sheet", "does not say which table", "not found")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The tiny workbook with CPR numbers, and the dataset it gives (as bytes)."""
    root = tmp_path_factory.mktemp("fuzzbase")
    book = fill_workbook(root / "base.xlsx", {t: tiny_rows(t) for t in TINY})
    ingest([book], root / "data" / "x", key=KEY, now="2025-01-20T10:00:00+01:00")
    return book.read_bytes(), snapshot(root / "data" / "x")


def restore(files: dict[str, bytes], folder: Path) -> Path:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def check_outcome(inputs: list[Path], into: Path, before: dict[str, bytes]) -> str:
    """Run ingest and check the contract; returns "accepted" or "rejected"."""
    names = {p.name for p in inputs}
    try:
        report = ingest(inputs, into, key=KEY, now=NOW)
    except IngestError as err:
        assert err.problems
        for p in err.problems:
            assert p.file in names or p.file.startswith(f"{into.name}/"), p
            located = p.row is not None or p.column is not None or p.sheet is not None
            assert located or any(s in p.message for s in FILE_LEVEL), p
            assert not any(f in str(p) for f in CPR_FORMS), p  # messages never show a CPR number
        assert snapshot(into) == before, "a failed ingest changed the dataset"
        outcome = "rejected"
    else:
        assert validate(into) == []
        after = snapshot(into)
        for name, old in before.items():  # nothing lost: every earlier line is still there
            if name.endswith(".csv"):
                new_lines = set(after[name].decode("utf-8").splitlines())
                assert set(old.decode("utf-8").splitlines()) <= new_lines, name
        assert len(after["ingest_log.jsonl"].splitlines()) == len(before["ingest_log.jsonl"].splitlines()) + 1
        assert report.added == sum(c.added for c in report.tables.values())
        outcome = "accepted"
    stored = b"".join(snapshot(into).values())
    assert not any(f.encode() in stored for f in CPR_FORMS)
    leftovers = sorted(p.name for p in into.parent.iterdir() if not p.name.endswith(".lock"))
    assert leftovers == [into.name]
    return outcome


# -- workbooks -------------------------------------------------------------------------------

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff"),
    max_size=30,
)
cell_values = st.one_of(
    safe_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
    st.none(),
    st.sampled_from(
        [
            "31-12-2024",
            "31.12.2024",
            "2024-12-31",
            "32-01-2024",
            "1/2/24",
            "i går",
            "12,5",
            "1.500",
            "ja",
            "nej",
            "maybe",
            "kontanthjælp",
            "Kvinde",
            " unge ",
            "x" * 5000,
            "0101801234",
            "P0123456789abcdef",
        ]
    ),
)

mutation = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from(TEMPLATE_TABLES), st.integers(1, 16), st.integers(1, 12), cell_values),
    st.tuples(st.just("delete_sheet"), st.sampled_from(TEMPLATE_TABLES)),
    st.tuples(
        st.just("rename_sheet"), st.sampled_from(TEMPLATE_TABLES), st.sampled_from(["Ark1", "Forløb 2024", "courses"])
    ),
    st.tuples(st.just("merge"), st.sampled_from(TEMPLATE_TABLES), st.integers(1, 8), st.integers(1, 6)),
    st.tuples(st.just("empty_rows"), st.sampled_from(TEMPLATE_TABLES), st.integers(2, 8), st.integers(1, 3)),
    st.tuples(
        st.just("whitespace"),
        st.sampled_from(TEMPLATE_TABLES),
        st.integers(2, 8),
        st.integers(1, 9),
        st.sampled_from(["  ", "\t", "\u00a0", " \n"]),
    ),
    st.tuples(st.just("dup_header"), st.sampled_from(TEMPLATE_TABLES), st.integers(1, 6), st.integers(1, 6)),
    st.tuples(st.just("clear_header"), st.sampled_from(TEMPLATE_TABLES), st.integers(1, 6)),
    st.tuples(
        st.just("date_text"),
        st.sampled_from(["courses", "jobs", "progression"]),
        st.integers(2, 6),
        st.sampled_from(["01-02-2024", "1.2.2024", "2024-02-01", "31-02-2024", "2024-13-01", "01/02/2024"]),
    ),
)


def mutate_workbook(wb, m) -> None:
    kind, table = m[0], m[1]
    name = SHEETS[table]
    if name not in wb.sheetnames:
        return
    ws = wb[name]
    if kind == "cell":
        _, _, row, col, value = m
        ws.cell(row=row, column=min(col, ws.max_column), value=value)
    elif kind == "delete_sheet":
        del wb[name]
    elif kind == "rename_sheet":
        if m[2] not in wb.sheetnames:
            ws.title = m[2]
    elif kind == "merge":
        _, _, row, col = m
        ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
    elif kind == "empty_rows":
        ws.insert_rows(m[2], m[3])
    elif kind == "whitespace":
        c = ws.cell(row=m[2], column=min(m[3], ws.max_column))
        if isinstance(c.value, str):
            c.value = m[4] + c.value + m[4]
    elif kind == "dup_header":
        ws.cell(row=1, column=m[2]).value = ws.cell(row=1, column=m[3]).value
    elif kind == "clear_header":
        ws.cell(row=1, column=m[2]).value = None
    elif kind == "date_text":
        col = list(HEADERS[table].values()).index("Dato" if table == "progression" else "Startdato") + 1
        ws.cell(row=m[2], column=col, value=m[3])


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_fuzzed_workbooks(base, mutations):
    book_bytes, dataset = base
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wb = openpyxl.load_workbook(io.BytesIO(book_bytes))
        for m in mutations:
            mutate_workbook(wb, m)
        book = tmp / "udfyldt.xlsx"
        wb.save(book)
        into = restore(dataset, tmp / "data" / "x")
        check_outcome([book], into, snapshot(into))


# -- CSV exports -----------------------------------------------------------------------------


def danish_rows(table: str) -> tuple[list[str], list[list[str]]]:
    from test_ingest import cell_value

    codes = list(HEADERS[table])
    header = [HEADERS[table][c] for c in codes]
    rows = []
    for r in tiny_rows(table):
        out = []
        for c in codes:
            v = cell_value(table, c, r.get(c, ""), style="csv")
            if isinstance(v, dt.datetime):
                v = v.strftime("%d-%m-%Y")
            elif isinstance(v, float):
                v = f"{v:g}".replace(".", ",")
            out.append("" if v is None else str(v))
        rows.append(out)
    return header, rows


csv_mutation = st.one_of(
    st.tuples(
        st.just("field"),
        st.integers(0, 15),
        st.integers(0, 9),
        st.one_of(
            safe_text,
            st.sampled_from(
                [
                    "31-12-2024",
                    "31.12.2024",
                    "2024-12-31",
                    "32-01-2024",
                    "12,5",
                    "1.500",
                    "1.234,5",
                    "ja",
                    "",
                    "  ",
                    '"',
                    'a"b',
                    "kontanthjælp",
                    "Kvinde",
                    "010180-1234",
                    "9" * 30,
                    "x" * 3000,
                ]
            ),
        ),
    ),
    st.tuples(st.just("dup_header"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("drop_column"), st.integers(0, 9)),
    st.tuples(st.just("empty_line"), st.integers(0, 15)),
    st.tuples(st.just("ragged"), st.integers(0, 15)),
    st.tuples(st.just("whitespace"), st.integers(0, 15), st.integers(0, 9)),
    st.tuples(st.just("huge_field"), st.integers(0, 15)),
)


def _set_field(lines: list, header: list[str], r: int, j: int, value: str) -> None:
    r = r % len(lines)
    if lines[r] is not None and lines[r]:
        lines[r][j % len(lines[r])] = value


def _duplicate_header(lines: list, header: list[str], i: int, j: int) -> None:
    header[i % len(header)] = header[j % len(header)]


def _drop_column(lines: list, header: list[str], j: int) -> None:
    j = j % len(header)
    for line in lines:
        if line is not None and j < len(line):
            del line[j]


def _insert_empty_line(lines: list, header: list[str], i: int) -> None:
    lines.insert(1 + i % len(lines), None)


def _add_field(lines: list, header: list[str], r: int) -> None:
    r = r % len(lines)
    if lines[r] is not None:
        lines[r] = lines[r] + ["extra"]


def _pad_with_whitespace(lines: list, header: list[str], r: int, j: int) -> None:
    r = r % len(lines)
    if lines[r]:
        j = j % len(lines[r])
        lines[r][j] = f"  {lines[r][j]}\u00a0"


def _huge_field(lines: list, header: list[str], r: int) -> None:
    r = r % len(lines)
    if lines[r]:
        lines[r][0] = "z" * 200_000


CSV_MUTATIONS = {
    "field": _set_field,
    "dup_header": _duplicate_header,
    "drop_column": _drop_column,
    "empty_line": _insert_empty_line,
    "ragged": _add_field,
    "whitespace": _pad_with_whitespace,
    "huge_field": _huge_field,
}


def mutate_csv(lines: list[list[str] | None], header: list[str], m: tuple) -> None:
    """Apply one ``csv_mutation`` to the lines of a CSV file (``None``: an empty line) in place;
    ``header`` is the file's header row as it started (once the first line is made ragged, it is no
    longer ``lines[0]``)."""
    CSV_MUTATIONS[m[0]](lines, header, *m[1:])


def csv_text(lines: list[list[str] | None], delimiter: str) -> str:
    """The lines as a CSV file's text (CRLF line ends, ``None`` as an empty line)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for line in lines:
        if line is None:
            buf.write("\r\n")
        else:
            writer.writerow(line)
    return buf.getvalue()


@FUZZ
@given(
    table=st.sampled_from(CSV_TABLES),
    name_style=st.sampled_from(["code", "danish"]),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    mutations=st.lists(csv_mutation, max_size=3),
)
def test_fuzzed_csv_exports(base, table, name_style, delimiter, encoding, mutations):
    _, dataset = base
    header, rows = danish_rows(table)
    lines: list[list[str] | None] = [header] + rows
    for m in mutations:
        mutate_csv(lines, header, m)
    text = csv_text(lines, delimiter)
    data = text.encode(encoding, errors="replace")
    file_name = (table if name_style == "code" else SHEETS[table].lower()) + ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export = tmp / file_name
        export.write_bytes(data)
        into = restore(dataset, tmp / "data" / "x")
        outcome = check_outcome([export], into, snapshot(into))
        if encoding == "cp1252" and text.encode("cp1252", errors="ignore").decode("cp1252") == text:
            # Windows-1252 (Danish Excel's CSV) is read as such: the same text in UTF-8 gives the
            # same outcome and the same dataset
            got = snapshot(into)
            export.write_bytes(text.encode("utf-8"))
            shutil.rmtree(into)
            into = restore(dataset, tmp / "data" / "x")
            assert check_outcome([export], into, snapshot(into)) == outcome
            assert {k: v for k, v in snapshot(into).items() if k != "ingest_log.jsonl"} == {
                k: v for k, v in got.items() if k != "ingest_log.jsonl"
            }


def test_the_unmutated_inputs_are_accepted(base, tmp_path):
    """The fuzzers start from inputs that are valid: re-ingesting them changes nothing."""
    book_bytes, dataset = base
    into = restore(dataset, tmp_path / "data" / "x")
    book = tmp_path / "udfyldt.xlsx"
    book.write_bytes(book_bytes)
    assert check_outcome([book], into, snapshot(into)) == "accepted"
    for table in CSV_TABLES:
        header, rows = danish_rows(table)
        export = tmp_path / f"{SHEETS[table].lower()}.csv"
        buf = io.StringIO()
        csv.writer(buf, delimiter=";").writerows([header] + rows)
        export.write_text(buf.getvalue(), encoding="utf-8-sig")
        report = ingest([export], into, key=KEY, now=NOW)
        assert report.no_op and report.tables[table].unchanged == len(rows)
    shutil.rmtree(into)
