"""The annual report end to end: papermill on the demo data for every params year, the files it
writes, that its figures match the metrics, and that it never overwrites a report silently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from so_eval import config, load, metrics
from so_eval.annual import AnnualReport
from so_eval.params import ReportParams, read_params
from so_eval.publish import EFFECTS, ReportError, run_report
from so_eval.reporting.ledger import read_figures

YEARS = [2022, 2023, 2024, 2025]
KEYS = [
    "goal1.jobs",
    "goal1.norm",
    "goal2.courses_ended",
    "goal2.progressed_share",
    "goal3.enterprises_active",
    "goal3.enterprises_three_bottom_lines",
    "goal3.target",
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory, demo_dir) -> Path:
    """Every params year's report, made once with papermill on the demo data."""
    root = tmp_path_factory.mktemp("reports")
    # the effect report first, so that the annual report for the year links to it
    run_report(2025, reports_dir=root, data_dir=demo_dir, progress=False, job=EFFECTS, log=lambda *_: None)
    for year in YEARS:
        run_report(year, reports_dir=root, data_dir=demo_dir, progress=False, log=lambda *_: None)
    return root


@pytest.mark.parametrize("year", YEARS)
def test_report_writes_its_files(reports, year):
    folder = reports / str(year)
    annual = ["annual_report.html", "annual_report.ipynb", "figures.csv", "manifest.json"]
    effects = ["effect_figures.csv", "effect_manifest.json", "effect_measurement.html", "effect_measurement.ipynb"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(annual + (effects if year == 2025 else []))
    html = (folder / "annual_report.html").read_text(encoding="utf-8")
    for heading in (
        "Indledning",
        "Målopnåelse",
        "Værdiskabelse",
        "Effekt: gjorde deltagelsen en forskel?",
        "Det der lykkedes",
        "Det skæve, det uventede, læringer og korrektioner",
        "Metode og data",
    ):
        assert heading in html
    assert f"Årsrapport {year}" in html
    assert "report = AnnualReport.from_params" not in html  # no code cells in the HTML
    assert html.count("data:image/png;base64") >= 3


@pytest.mark.parametrize("year", YEARS)
def test_figures_match_the_metrics(reports, demo, year):
    fig = read_figures(reports / str(year) / "figures.csv").set_index("key")
    demo = demo.as_known_on(read_params(config.PARAMS_DIR / f"{year}.yaml")["as_of"])  # as the report saw it
    assert set(KEYS) <= set(fig.index)
    assert not fig.index.duplicated().any()
    jobs = metrics.jobs_per_year(demo, [year])["jobs"].iloc[0]
    assert fig.loc["goal1.jobs", "value"] == str(jobs)
    assert fig.loc["goal1.norm", "value"] == "30"
    prog = metrics.progression_per_year(demo, [year]).iloc[0]
    assert fig.loc["goal2.courses_ended", "value"] == str(int(prog["ended"]))
    assert float(fig.loc["goal2.progressed_share", "value"]) == pytest.approx(prog["progressed_share"], abs=1e-6)
    ent = metrics.enterprises_per_year(demo, [year]).iloc[0]
    assert fig.loc["goal3.enterprises_active", "value"] == str(int(ent["active"]))
    assert fig.loc["goal3.enterprises_three_bottom_lines", "value"] == str(int(ent["three_bottom_lines"]))
    assert fig.loc["goal3.target", "value"] == "40"


@pytest.mark.parametrize("year", YEARS)
def test_every_published_figure_equals_the_library_ledger(reports, demo_dir, year):
    params = read_params(config.PARAMS_DIR / f"{year}.yaml")
    params["data_dir"] = str(demo_dir)
    params["published_dir"] = str(reports)
    expected = AnnualReport(load(demo_dir, as_of=params["as_of"]), ReportParams(**params)).ledger.frame()
    got = read_figures(reports / str(year) / "figures.csv")
    expected["suppressed"] = expected["suppressed"].astype(bool)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False)


def test_small_counts_are_suppressed_in_published_figures(reports):
    fig = read_figures(reports / "2025" / "figures.csv")
    persons = fig.loc[fig["unit"].isin(["borgere", "forløb"]) & ~fig["suppressed"] & (fig["value"] != "")]
    values = persons["value"].astype(int)
    assert ((values == 0) | (values >= 5)).all()
    assert (fig.loc[fig["suppressed"], "value"].isin(["<5", "×", ""])).all()  # primary, secondary, not shown
    assert (fig["value"] == "×").any()  # secondary suppression is in use
    assert fig["suppressed"].any()


@pytest.mark.parametrize("year", YEARS)
def test_no_small_count_can_be_worked_out_from_the_published_report(reports, year):
    from attack import recover_small_counts  # tests/attack.py: see tests/test_disclosure_attack.py

    folder = reports / str(year)
    html = (folder / "annual_report.html").read_text(encoding="utf-8")
    assert recover_small_counts(read_figures(folder / "figures.csv"), html, 5) == []
    assert "antal er skjult som «×»" in html  # the method section says what protection cost


def test_manifest(reports, demo_dir):
    man = json.loads((reports / "2025" / "manifest.json").read_text())
    assert man["year"] == 2025
    assert man["parameters"]["targets"]["jobs_per_year"] == 30
    assert man["data"]["fingerprint"] == load(demo_dir).fingerprint
    assert set(man["data"]["files"]) >= {"courses.csv", "jobs.csv"}
    assert {"pandas", "papermill", "python"} <= set(man["packages"])
    assert man["code"]["package"]
    assert man["report_date"] == "2026-01-15"


def test_method_section_prints_counting_rules(reports):
    html = (reports / "2025" / "annual_report.html").read_text(encoding="utf-8")
    assert "Tælleregler" in html
    assert "Hver borger tælles én gang om året" in html  # from employment_entries' docstring
    man = json.loads((reports / "2025" / "manifest.json").read_text())
    assert man["data"]["fingerprint"] in html


def test_existing_report_is_not_overwritten(reports, demo_dir):
    before = (reports / "2025" / "figures.csv").read_bytes()
    with pytest.raises(ReportError, match="already holds a published report"):
        run_report(2025, reports_dir=reports, data_dir=demo_dir, progress=False, log=lambda *_: None)
    assert (reports / "2025" / "figures.csv").read_bytes() == before


def test_failing_cell_leaves_earlier_report_as_it_was(tmp_path, reports, demo_dir):
    import shutil

    import nbformat

    root = tmp_path / "reports"
    shutil.copytree(reports / "2025", root / "2025")
    before = {p.name: p.read_bytes() for p in (root / "2025").iterdir()}
    nb = nbformat.read(config.NOTEBOOKS_DIR / "annual_report.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError("the data broke the report")'))
    broken = tmp_path / "nb" / "annual_report.ipynb"
    broken.parent.mkdir()
    nbformat.write(nb, broken)
    with pytest.raises(ReportError, match="failed in cell") as exc:
        run_report(
            2025, reports_dir=root, data_dir=demo_dir, force=True, progress=False, notebook=broken, log=lambda *_: None
        )
    assert "RuntimeError: the data broke the report" in str(exc.value)
    assert {p.name: p.read_bytes() for p in (root / "2025").iterdir()} == before
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary folder left
    assert (root / "2025.annual_report.failed.ipynb").exists()  # kept for the coordinator to look at


def test_invalid_parameter_value_is_refused(tmp_path, demo_dir):
    bad = tmp_path / "bad.yaml"
    params = read_params(config.PARAMS_DIR / "2025.yaml")
    params["language"] = "en"
    bad.write_text(json.dumps(params))
    with pytest.raises(ReportError, match="language 'en' is not supported"):
        run_report(2025, params_file=bad, reports_dir=tmp_path / "r", data_dir=demo_dir, progress=False)
    assert not (tmp_path / "r" / "2025").exists()


def test_unknown_parameter_is_refused(tmp_path, demo_dir):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2025\ndata_dir: data/demo\njobs_target: 30\n")
    with pytest.raises(ReportError, match="unknown parameter.*jobs_target"):
        run_report(2025, params_file=bad, reports_dir=tmp_path / "r", data_dir=demo_dir, progress=False)


def test_invalid_data_is_refused_before_running(tmp_path):
    from tiny import TABLES, write_tiny

    ds = write_tiny(tmp_path / "ds", courses=TABLES["courses"].replace("K7,C1,A3", "K7,C1,A9"))
    with pytest.raises(ReportError, match="courses.csv, row 8, column 'agreement_id'"):
        run_report(2025, reports_dir=tmp_path / "r", data_dir=ds, progress=False)
    assert not (tmp_path / "r" / "2025").exists()


def test_cli_report_end_to_end(tmp_path, demo_dir):
    """`so-eval report` as the coordinator runs it: writes the report, refuses a second run
    without --force, replaces it with --force."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = [
        sys.executable,
        "-m",
        "so_eval.cli",
        "report",
        "--year",
        "2024",
        "--out",
        str(tmp_path),
        "--data",
        str(demo_dir),
        "--quiet",
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "2024" / "annual_report.html").exists()
    again = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert again.returncode == 1 and "already holds a published report" in again.stderr and "--force" in again.stderr
    mtime = (tmp_path / "2024" / "manifest.json").stat().st_mtime_ns
    forced = subprocess.run([*cmd, "--force"], capture_output=True, text=True, env=env)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "2024" / "manifest.json").stat().st_mtime_ns != mtime


def test_effect_report(reports):
    folder = reports / "2025"
    html = (folder / "effect_measurement.html").read_text(encoding="utf-8")
    for heading in (
        "Effektmåling 2025",
        "Hvem blev sammenlignet med hvem",
        "Balance før og efter justering",
        "Overlap",
        "Effekten kvartal for kvartal",
        "Alle metoder side om side",
        "Antagelser og forbehold",
    ):
        assert heading in html
    assert html.count("data:image/png;base64") >= 4  # love plot, overlap, event study, estimates
    fig = read_figures(folder / "effect_figures.csv").set_index("key")
    for method in ("difference", "regression", "ipw", "aipw", "matching"):
        assert f"effects.{method}.att" in fig.index
    assert "effects.did.e+4.att" in fig.index and "effects.did.e-4.att" in fig.index
    assert fig.index.str.startswith("effects.").all()
    man = json.loads((folder / "effect_manifest.json").read_text())
    assert man["report"] == "effect_measurement" and man["parameters"]["effects"]["method"] == "aipw"
    assert "targets" not in man["parameters"]  # only the parameters the effect notebook declares


def test_annual_report_shows_the_same_headline_effect_and_links_to_it(reports, demo):
    annual = read_figures(reports / "2025" / "figures.csv").set_index("key")
    effect = read_figures(reports / "2025" / "effect_figures.csv").set_index("key")
    for key in ("effects.att", "effects.ci_low", "effects.ci_high", "effects.n_treated", "effects.n_control"):
        assert annual.loc[key, "value"] == effect.loc[key, "value"]
    from so_eval.effects.analysis import EffectSpec, effect_sample, estimate

    r = estimate(effect_sample(demo, EffectSpec(year=2025)), EffectSpec(year=2025))
    assert float(annual.loc["effects.att", "value"]) == pytest.approx(100 * r.att, abs=1e-6)
    html25 = (reports / "2025" / "annual_report.html").read_text(encoding="utf-8")
    assert 'href="effect_measurement.html"' in html25
    html24 = (reports / "2024" / "annual_report.html").read_text(encoding="utf-8")
    assert "so-eval effects --year 2024" in html24  # no effect report for 2024: says how to make it


def test_effects_run_leaves_the_annual_report_alone(tmp_path, reports, demo_dir):
    import shutil

    root = tmp_path / "reports"
    shutil.copytree(reports / "2025", root / "2025")
    annual_before = {
        p: (root / "2025" / p).read_bytes() for p in ("annual_report.html", "figures.csv", "manifest.json")
    }
    with pytest.raises(ReportError, match="already holds a published effect report"):
        run_report(2025, reports_dir=root, data_dir=demo_dir, progress=False, job=EFFECTS, log=lambda *_: None)
    run_report(
        2025,
        reports_dir=root,
        data_dir=demo_dir,
        progress=False,
        job=EFFECTS,
        force=True,
        overrides={"effects": {"horizon": "27-52", "method": "ipw"}},
        log=lambda *_: None,
    )
    man = json.loads((root / "2025" / "effect_manifest.json").read_text())
    assert man["parameters"]["effects"] == {
        "outcome": "selfsupport",
        "horizon": "27-52",
        "method": "ipw",
        "entry_from": "2020-01-01",
    }
    assert {p: (root / "2025" / p).read_bytes() for p in annual_before} == annual_before


def test_reproduce_a_published_report(reports, demo_dir, tmp_path):
    import shutil

    from so_eval.reproduce import reproduce

    res = reproduce(reports / "2025", data_dir=demo_dir)
    assert res.ok, res.differences
    assert res.n_figures > 500 and res.as_of == "2026-01-15"
    # a later late registration does not change the published figures (as of the report date)
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    jobs = pd.read_csv(data / "jobs.csv", dtype=str)
    extra = jobs.iloc[[0]].assign(start="2025-06-01", registered="2026-03-01")
    pd.concat([jobs, extra]).to_csv(data / "jobs.csv", index=False)
    again = reproduce(reports / "2025", data_dir=data)
    assert again.ok and again.data_changed
    # a published figure changed by hand is found
    folder = tmp_path / "2025"
    shutil.copytree(reports / "2025", folder)
    fig = pd.read_csv(folder / "figures.csv", dtype=str, keep_default_na=False)
    fig.loc[fig["key"] == "goal1.jobs", "value"] = "45"
    fig.to_csv(folder / "figures.csv", index=False)
    bad = reproduce(folder, data_dir=demo_dir)
    assert not bad.ok
    row = bad.differences.set_index("key").loc["goal1.jobs"]
    assert row["published"] == "45" and row["reproduced"] != "45"


def test_cli_reproduce_exit_codes(reports, demo_dir, tmp_path):
    import shutil

    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run(
        [sys.executable, "-m", "so_eval.cli", "reproduce", str(reports / "2024"), "--data", str(demo_dir)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "reproduced" in ok.stdout
    folder = tmp_path / "2024"
    shutil.copytree(reports / "2024", folder)
    text = (folder / "figures.csv").read_text(encoding="utf-8").replace("goal1.norm,30,", "goal1.norm,31,")
    (folder / "figures.csv").write_text(text, encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "so_eval.cli", "reproduce", str(folder), "--data", str(demo_dir)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 1 and "goal1.norm" in bad.stdout


def test_published_report_shows_corrections_of_last_year(reports, demo_dir):
    """The 2024 report was made as of 15 January 2025; jobs started late in 2024 were registered
    after that, so the 2025 report corrects the published 2024 figure."""
    truth = json.loads((demo_dir / "truth.json").read_text())
    fig = read_figures(reports / "2025" / "figures.csv").set_index("key")
    assert fig.loc["corrections.goal1.jobs.published", "value"] == str(
        truth["jobs_per_year_known_on_report_date"]["2024"]
    )
    assert fig.loc["corrections.goal1.jobs.now", "value"] == str(truth["jobs_per_year"]["2024"])
    html = (reports / "2025" / "annual_report.html").read_text(encoding="utf-8")
    assert "Rettede tal for 2024" in html and "sene registreringer" in html


def test_heading_ids_are_the_ones_nbconvert_gives():
    from nbconvert.filters.strings import _convert_header_id

    from so_eval.annual import SECTIONS, heading_id

    for title in [*SECTIONS, "Mål 1: Beskæftigelse", "A/B & C's (test) 50 %"]:
        assert heading_id(title) == _convert_header_id(title), title


def test_report_kernel_does_not_import_nbconvert():
    """The report's own code pulls in no notebook tooling (≈1 s at every run)."""
    code = (
        "import sys\n"
        "from so_eval.annual import AnnualReport, heading_id\n"
        "heading_id('Målopnåelse')\n"
        "bad = [m for m in ('nbconvert', 'nbformat', 'jsonschema') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "", (res.stdout, res.stderr)


def test_the_annual_reports_headline_effect_has_the_effect_reports_spec(demo, tmp_path):
    """Both reports make their EffectSpec with effects.report.effect_spec from the same params,
    a subgroup included, so the annual report's headline is the effect report's estimate."""
    from so_eval.effects.report import EffectParams

    params = {**read_params(config.PARAMS_DIR / "2025.yaml"), "as_of": None, "published_dir": str(tmp_path)}
    params["effects"] = {**params["effects"], "horizon": "27-52", "subgroup": {"target_group": "kontanthjælp"}}
    effect = EffectParams(**{k: v for k, v in params.items() if k in EffectParams.__dataclass_fields__})
    annual = AnnualReport(demo, ReportParams(**params))
    assert annual.effect_spec == effect.spec()
    assert annual.effect_spec.subgroup == {"target_group": "kontanthjælp"} and annual.effect_spec.horizon == "27-52"


def test_from_params_gives_the_report_of_the_data(tmp_path, demo_dir):
    r = AnnualReport.from_params(year=2025, data_dir=str(demo_dir), published_dir=str(tmp_path))
    assert r.ds.fingerprint == load(demo_dir).fingerprint
    ref = AnnualReport(load(demo_dir), ReportParams(year=2025, data_dir=str(demo_dir), published_dir=str(tmp_path)))
    assert r.ledger.frame().equals(ref.ledger.frame())


def test_the_sections_built_ahead_are_the_notebooks_sections_in_its_order():
    """from_params builds SECTION_METHODS ahead; they must be the sections the notebook shows, in
    its order, or a section would be built only when shown."""
    import re

    from so_eval.annual import SECTION_METHODS

    nb = json.loads((config.NOTEBOOKS_DIR / "annual_report.ipynb").read_text(encoding="utf-8"))
    shown = [
        m
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for m in re.findall(r"^report\.(\w+)\(\)", "".join(c["source"]), flags=re.M)
    ]
    assert [m for m in shown if m != "save"] == list(SECTION_METHODS)


def test_a_block_shows_its_figure_drawn_as_png_with_its_alt_text(monkeypatch):
    import base64

    from IPython.core.formatters import format_display_data
    from matplotlib.figure import Figure

    from so_eval.reporting.blocks import Block, figure_png

    def bars() -> Figure:
        fig = Figure(figsize=(4, 2.5), layout="constrained")
        fig.add_subplot().bar(range(4), range(1, 5))
        return fig

    b = Block().md("Tekst").figure(bars(), "Fire søjler")
    shown = []
    monkeypatch.setattr(
        "so_eval.reporting.blocks.display", lambda *a, **k: shown.extend(format_display_data(x)[0] for x in a)
    )
    b._ipython_display_()
    html = shown[1]["text/html"]
    assert 'alt="Fire søjler"' in html
    assert base64.b64encode(figure_png(bars())).decode() in html
