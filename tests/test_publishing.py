"""Real data in and personal data never out: the CLI's template and ingest, the guard in the
report step, and secondary suppression in the published tables."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from so_eval import config
from so_eval.publish import ReportError, run_report
from tiny import TABLES


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "so_eval.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
    )


def test_cli_template_and_ingest(tmp_path):
    book = tmp_path / "skabelon.xlsx"
    res = _cli("template", str(book))
    assert res.returncode == 0 and book.exists()
    again = _cli("template", str(book))
    assert again.returncode == 1 and "exists" in again.stderr  # never overwritten silently
    # a CSV export with CPR numbers: refused without a key, pseudonymised with one
    csv = tmp_path / "citizens.csv"
    rows = TABLES["citizens"].replace("C1,", "0101801234,").replace("C2,", "0202752345,").splitlines()
    csv.write_text("\n".join(rows[:3]) + "\n", encoding="utf-8")  # C1, C2 (IDs like C3 are refused)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SO_EVAL_PSEUDONYM")}
    no_key = subprocess.run(
        [sys.executable, "-m", "so_eval.cli", "ingest", str(csv), "--into", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env={**env, "PYTHONIOENCODING": "utf-8"},
    )
    assert no_key.returncode == 1 and "key" in no_key.stderr.lower()
    assert not (tmp_path / "d").exists()
    ok = _cli(
        "ingest", str(csv), "--into", str(tmp_path / "d"), env={"SO_EVAL_PSEUDONYM_KEY": "a-test-key-of-16-bytes"}
    )
    assert ok.returncode == 0, ok.stderr
    written = (tmp_path / "d" / "citizens.csv").read_text(encoding="utf-8")
    assert "0101801234" not in written and "0202752345" not in written
    ids = pd.read_csv(tmp_path / "d" / "citizens.csv", dtype=str)["citizen_id"]
    assert ids.str.startswith("P").sum() == 2


def test_report_refuses_to_publish_personal_data(tmp_path, demo_dir):
    nb = nbformat.read(config.NOTEBOOKS_DIR / "annual_report.ipynb", as_version=4)
    nb.cells.insert(
        3, nbformat.v4.new_code_cell('import pandas as pd\npd.read_csv(f"{data_dir}/citizens.csv").head(3)')
    )  # a row-level leak
    leaky = tmp_path / "nb" / "annual_report.ipynb"
    leaky.parent.mkdir()
    nbformat.write(nb, leaky)
    with pytest.raises(ReportError, match="personal data") as exc:
        run_report(
            2025, reports_dir=tmp_path / "r", data_dir=demo_dir, notebook=leaky, progress=False, log=lambda *_: None
        )
    assert "annual_report" in str(exc.value)  # says where
    assert not (tmp_path / "r" / "2025").exists()


def test_published_job_tables_cannot_be_worked_back(tmp_path, demo, demo_dir):
    from so_eval.annual import AnnualReport
    from so_eval.params import ReportParams

    r = AnnualReport(demo, ReportParams(year=2025, published_dir=str(tmp_path)))
    for by in ("job_type", "target_group"):
        shown = r.goal1_tables[by].data.iloc[:, 1]
        hidden = shown.isin(["<5", "×"]).sum()
        assert hidden != 1, f"a single hidden cell in the jobs by {by} table could be worked back from the total"
    frame = r.ledger.frame()
    sec = frame.loc[frame["value"] == "×"]
    assert sec["suppressed"].all()


def test_every_report_figure_fits_its_canvas(tmp_path, demo):
    """The report's figures are drawn once at their own size (no cropping pass), so nothing —
    title, labels, legend — may reach outside the canvas, where it would be cut off."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from so_eval.annual import AnnualReport
    from so_eval.params import ReportParams

    r = AnnualReport(demo, ReportParams(year=2025, published_dir=str(tmp_path)))
    seen = 0
    for section in ("goal1", "goal2", "goal3", "value_creation", "effect", "skewed"):
        for kind, part in getattr(r, section)().parts:
            if kind != "figure":
                continue
            fig = part[0]
            assert fig.get_layout_engine() is not None, f"{section}: a figure without a layout engine"
            FigureCanvasAgg(fig)
            fig.canvas.draw()
            box = fig.get_tightbbox(fig.canvas.get_renderer())
            w, h = fig.get_size_inches()
            title = fig.axes[0].get_title(loc="left") or fig.axes[0].get_title()
            assert box.x0 >= -0.01 and box.y0 >= -0.01 and box.x1 <= w + 0.01 and box.y1 <= h + 0.01, (
                f"{section}: '{title}' reaches outside its {w:.1f}×{h:.1f} in canvas: {box.bounds}"
            )
            seen += 1
    assert seen >= 10
