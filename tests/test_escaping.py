"""Strings from the data reach the report as text: never as HTML, a script, a link or Markdown.

The hostile dataset is the demo with a script, an image that runs a script, a ``javascript:``
link, a template, Markdown emphasis, an HTML entity and an attribute break-out put into every
name, id and free-text column of every table (and the coordinator's texts in the params). The
report is made from it in process (fast: every Markdown part rendered by nbconvert's own Markdown
renderer) and with the real ``so-eval report`` (papermill + nbconvert), whose HTML is opened in
Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

from so_eval import config, fmt
from so_eval.data.model import TABLES
from so_eval.reporting.blocks import Table, safe_markdown

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klik](javascript:alert(1))",
    "{{7*7}}",
    "**fed**",
    "&amp;",
    '"><img src=x onerror="window.__xss=1">',  # breaks out of an attribute; sets a flag if it runs
)
ALL = " ".join(HOSTILE)
SKIPPED = {"citizen_id", "figure_key"}  # a pseudonym (never shown) and a key into the report's figures


def text_columns(table: str) -> tuple[list[str], list[str]]:
    """The id columns and the free-text columns of ``table``: every string column that is not a
    category (``isin``), a list, a pseudonym or a figure key."""
    spec = TABLES[table]
    ids, texts = [], []
    for name, col in spec.model.to_schema().columns.items():
        if "str" not in str(col.dtype) or name in SKIPPED or name in spec.list_columns:
            continue
        if any(c.name == "isin" for c in col.checks):
            continue
        (ids if name.endswith("_id") else texts).append(name)
    return ids, texts


def write_hostile(src: Path, dest: Path) -> Path:
    """Copy the dataset ``src`` to ``dest`` with the hostile strings in every id and text column.

    An id gets one hostile string appended (the same id the same everywhere, so the references
    hold; one string per id keeps it under the 64 characters an id may have); a name or text gets
    all of them."""
    shutil.copytree(src, dest)
    frames = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in dest.glob("*.csv")}
    new_ids: dict[str, dict[str, str]] = {}
    for table, df in frames.items():
        for col in text_columns(table)[0]:
            for v in df[col]:
                ids = new_ids.setdefault(col, {})
                if v and v not in ids:
                    ids[v] = f"{v}{HOSTILE[len(ids) % len(HOSTILE)]}"
    for table, df in frames.items():
        ids, texts = text_columns(table)
        for col in ids:
            df[col] = [new_ids[col].get(v, v) for v in df[col]]
        for col in texts:
            df[col] = [f"{v} {ALL}" if v else v for v in df[col]]
        df.to_csv(dest / f"{table}.csv", index=False)
    return dest


def hostile_params(path: Path, data_dir: Path) -> Path:
    """params/2025.yaml for ``data_dir``, with the hostile strings in the coordinator's texts."""
    params = yaml.safe_load((config.PARAMS_DIR / "2025.yaml").read_text(encoding="utf-8"))
    params["data_dir"] = str(data_dir)
    for price in params["value"]["sroi"]["unit_prices"].values():
        price["source"] = f"{price['source']} {ALL}"
        price["note"] = f"{price['note']} {ALL}"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


class _Page(HTMLParser):
    """Elements, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())


def parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    p.close()
    return p


def render_md(text: str) -> str:
    """A Block's Markdown as the published HTML shows it (nbconvert's renderer)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(safe_markdown(text))


def assert_inert(page: _Page) -> None:
    """No element a data string could have made: no script, image, handler or script link."""
    for tag, attrs in page.tags:
        assert tag not in ("script", "img", "svg", "iframe", "object"), (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href


# -- the escaping function ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        *HOSTILE,
        ALL,
        "# Overskrift",
        "- punkt",
        "1. punkt",
        "+ x",
        ": def",
        "> citat",
        "a_b_ _c_ `kode` ~~s~~ | t |",
        "$x$ og $$y$$",
        "\\*",
        "<5",
        "Hansen & Søn",
        "https://eksempel.dk",
        "Café 'X' \"Y\"",
        "{år}",
        "to\n\n# linjer\n    kode",
        "52,3\u00a0%",
    ],
)
@pytest.mark.parametrize(
    "template", ["{}", "- {}", "**Lukket i året:** {} (2. juli 2025).", "1. {}", "> {}", "[{}](#maal-1)"]
)
def test_text_shows_any_string_as_itself_wherever_it_is_put(value, template):
    html = render_md(template.format(fmt.text(value)))
    page = parse(html)
    assert_inert(page)
    shown = " ".join(value.split())  # line breaks are shown as spaces
    assert shown in page.text, (html, shown)
    # the template's own markup is all there is: one element of it at most, none from the value
    made = [t for t, _ in page.tags if t not in ("p",)]
    assert made in ([], ["ul", "li"], ["strong"], ["ol", "li"], ["blockquote"], ["a"]), made


def test_text_of_a_missing_value_is_a_dash():
    assert fmt.text(None) == "–" and fmt.text(float("nan")) == "–"


def test_text_leaves_nothing_a_template_engine_could_read():
    out = fmt.text("{{7*7}} {x} {0}")
    assert "{" not in out and "}" not in out
    assert out.format() == out  # str.format finds no field in it


@pytest.mark.parametrize(
    "markdown, shown",
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("Lukket: <img src=x onerror=alert(1)>.", "Lukket: <img src=x onerror=alert(1)>."),
        ("[klik](javascript:alert(1))", "[klik](javascript:alert(1))"),
        ("[klik](JavaScript&#58;alert%281%29)", "[klik](JavaScript:alert%281%29)"),
        ("![x](data:text/html,x)", "![x](data:text/html,x)"),
        ("Se [r].\n\n[r]: javascript:alert(1)", "Se [r]. [r]: javascript:alert(1)"),
    ],
)
def test_markdown_that_reaches_the_reader_holds_no_html_or_script_link(markdown, shown):
    """Even a value that was not passed through fmt.text cannot run: safe_markdown lets no tag
    and no link to a non-web scheme through."""
    page = parse(render_md(markdown))
    assert_inert(page)
    assert not [t for t, _ in page.tags if t == "a"]
    assert shown in page.text


def test_the_reports_own_links_and_marks_still_work():
    html = render_md(
        "**Indhold**\n\n1. [Indledning](#Indledning)\n\n> Formålet\n\nSe "
        "[effect_measurement.html](effect_measurement.html) og [x](https://www.slagelse.dk). <5 borgere."
    )
    page = parse(html)
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs == ["#Indledning", "effect_measurement.html", "https://www.slagelse.dk"]
    assert ("strong", {}) in page.tags and ("blockquote", {}) in page.tags
    assert "<5 borgere" in page.text


def test_a_table_shows_every_cell_header_caption_and_note_as_text():
    df = pd.DataFrame({ALL: [ALL, 1], "b": ["x", ALL]})
    page = parse(Table(df, caption=ALL, note=ALL)._repr_html_())
    assert_inert(page)
    assert page.text.count(ALL) == 5


# -- the whole report on hostile data -------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory, demo_dir) -> Path:
    return write_hostile(demo_dir, tmp_path_factory.mktemp("hostile") / "data")


def test_the_hostile_dataset_has_the_strings_in_every_text_column(hostile_dir):
    n = 0
    for p in hostile_dir.glob("*.csv"):
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        ids, texts = text_columns(p.stem)
        for col in texts:
            assert all(ALL in v for v in df[col] if v), (p.name, col)
            n += 1
        for col in ids:
            values = set(df[col]) - {""}
            assert all(any(v.endswith(h) for h in HOSTILE) for v in values), (p.name, col)
            n += 1
    assert n >= 15  # names, titles, purposes, partners, texts, areas and the ids referring to them


def test_report_built_on_hostile_data_shows_every_string_as_text(hostile_dir, tmp_path):
    """Every section of the annual report, rendered as the published HTML renders it: no element
    made by the data, and the names, texts and ids shown literally — also in the Markdown text
    (the enterprises closed in the year, the list of what did not go as expected)."""
    from so_eval.annual import SECTION_METHODS, AnnualReport
    from so_eval.params import read_params

    params = read_params(hostile_params(tmp_path / "2025.yaml", hostile_dir))
    params["published_dir"] = str(tmp_path)
    report = AnnualReport.from_params(**params)
    md_html, table_html = [], []
    for name in SECTION_METHODS:
        block = getattr(report, name)()
        for kind, part in block.parts:
            if kind == "md":
                md_html.append(render_md(part))
            elif kind == "table":
                table_html.append(part._repr_html_())
    md_page, table_page = parse("\n".join(md_html)), parse("\n".join(table_html))
    assert_inert(md_page)
    assert_inert(table_page)
    for s in HOSTILE:
        assert s in table_page.text, s
    enterprises = pd.read_csv(hostile_dir / "enterprises.csv", dtype=str, keep_default_na=False)
    closed = enterprises.loc[enterprises["closed"].str.startswith("2025"), "name"].tolist()
    assert closed, "the demo has an enterprise that closed in 2025"
    closed_list = next(parse(h).text for h in md_html if "Lukket i året:" in h)
    failed_list = next(parse(h).text for h in md_html if "Det der ikke gik som forventet" in h)
    for name in closed:
        assert f"{name} (" in closed_list
        assert re.search(r"lukkede i 2025: .*" + re.escape(name), failed_list)
    assert ("strong", {}) in md_page.tags  # the report's own emphasis is still there
    assert "**fed**" in md_page.text


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_published_report_on_hostile_data_runs_no_script_in_chromium(hostile_dir, tmp_path):
    """`so-eval report` on the hostile data, opened in Chromium: no dialog, no script ran, and every
    string reads as itself, in the tables and in the Markdown text."""
    from playwright.sync_api import sync_playwright

    from so_eval.publish import CHROMIUM_FLAGS

    params = hostile_params(tmp_path / "2025.yaml", hostile_dir)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = [
        sys.executable,
        "-m",
        "so_eval.cli",
        "report",
        "--year",
        "2025",
        "--params",
        str(params),
        "--out",
        str(tmp_path / "reports"),
        "--quiet",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    html = tmp_path / "reports" / "2025" / "annual_report.html"
    dialogs, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[a for a in CHROMIUM_FLAGS if a != "--headless"])
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(500)  # an onerror handler fires after the image fails to load
        assert dialogs == [] and errors == []
        assert page.evaluate("window.__xss") is None
        text = page.inner_text("body")
        for s in HOSTILE:
            assert s in text, s
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"], svg[onload], [onerror]').length") == 0
        assert page.evaluate("Array.from(document.scripts).filter(s => s.text.includes('alert')).length") == 0
        links = page.evaluate("Array.from(document.links).map(a => a.href)")
        assert not [h for h in links if h.lower().startswith(("javascript:", "data:"))], links
        assert (
            page.evaluate(
                "Array.from(document.querySelectorAll('strong, em, b, i'))"
                ".filter(e => e.textContent.trim() === 'fed').length"
            )
            == 0
        )
        closed = page.locator("p", has_text="Lukket i året:").inner_text()
        assert ALL in closed  # the Markdown list of closed enterprises, by name, as text
        browser.close()
