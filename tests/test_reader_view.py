"""The annual report as a reader sees it, in headless Chromium (Debian's package; .ci/run installs
it): every image loads, no console errors, no code cells, the table of contents works, nothing is
fetched from another host; and the PDF prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from so_eval.publish import CHROMIUM_FLAGS, print_pdf, run_report

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory, demo_dir) -> Path:
    root = tmp_path_factory.mktemp("reader")
    res = run_report(2025, reports_dir=root, data_dir=demo_dir, progress=False, pdf=True, log=lambda *_: None)
    return res.folder


def test_report_as_a_reader_sees_it(report, tmp_path):
    from playwright.sync_api import sync_playwright

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[a for a in CHROMIUM_FLAGS if a != "--headless"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report / "annual_report.html").as_uri(), wait_until="load")
        images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
        assert len(images) >= 10 and all(images), "an image did not load"
        alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
        assert all(a.strip() and "No description" not in a for a in alts), alts  # Danish alt text
        assert errors == [], errors
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []  # self-contained
        code = page.evaluate("document.querySelectorAll('.jp-CodeCell .jp-InputArea, .jp-InputPrompt').length")
        assert code == 0, "code cells are visible"
        links = page.evaluate(
            "Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(a => a.getAttribute('href'))"
        )
        targets = page.evaluate("hrefs => hrefs.map(h => !!document.getElementById(h.slice(1)))", links)
        assert len(links) >= 7 and all(targets), [h for h, ok in zip(links, targets, strict=True) if not ok]
        page.click("text=Metode og data >> nth=0")
        assert page.evaluate("window.scrollY") > 1000  # the link really moves the reader there
        page.screenshot(path=str(tmp_path / "annual_report.png"), full_page=True)
        browser.close()
    assert (tmp_path / "annual_report.png").stat().st_size > 100_000


def test_pdf_is_printed(report):
    pdf = report / "annual_report.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 100_000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 10  # sections start on new pages


def test_print_pdf_of_any_html(tmp_path):
    html = tmp_path / "x.html"
    html.write_text("<html><body><h1>Årsrapport</h1></body></html>", encoding="utf-8")
    print_pdf(html, tmp_path / "x.pdf")
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
