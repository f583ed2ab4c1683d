"""Work done in the background process: the same figures and results as done here, whatever
happens to it."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from so_eval import background
from so_eval.background import figure_png
from so_eval.reporting.blocks import Block


def as_first_drawn(fig) -> bytes:
    """The figure's PNG as drawn the first time, from a copy (a figure drawn once with the
    constrained layout may come out a pixel different the second time)."""
    import pickle

    return figure_png(pickle.loads(pickle.dumps(fig)))


@pytest.fixture
def worker():
    assert background.start(), "the background process should start on a machine with two cores"
    yield background._worker
    background.stop()


def bars(n: int, title: str = "") -> Figure:
    fig = Figure(figsize=(4, 2.5), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(n), range(1, n + 1))
    ax.set_title(title or f"{n} søjler")
    from so_eval import fmt

    ax.yaxis.set_major_formatter(fmt.tick_formatter("percent"))
    return fig


def test_every_report_figure_is_drawn_in_the_background_exactly_as_here(tmp_path, demo):
    """Each of the report's figures can be pickled, and the background process draws it to the
    same bytes as this process does. (Each is compared as first drawn: the constrained layout
    may move things by a pixel on a second drawing of the same figure.)"""
    import pickle

    from so_eval.annual import SECTION_METHODS, AnnualReport
    from so_eval.params import ReportParams

    r = AnnualReport(demo, ReportParams(year=2025, published_dir=str(tmp_path)))
    r.build_sections()  # no background process yet: nothing is drawn or queued
    parts = [part for name in SECTION_METHODS for kind, part in getattr(r, name)().parts if kind == "figure"]
    assert len(parts) >= 10
    jobs = [(alt, pickle.dumps(fig)) for fig, alt, _r in parts]
    assert background.start()
    try:
        renderings = [(alt, blob, background.Rendering(pickle.loads(blob))) for alt, blob in jobs]
        for alt, blob, rendering in renderings:
            assert rendering._worker is not None, f"'{alt}' was not queued for the background process"
            assert rendering.png() == figure_png(pickle.loads(blob)), f"'{alt}' differs when drawn in the background"
        assert "background" in {rendering.done_by for *_, rendering in renderings}
    finally:
        background.stop()


def slow(n_labels: int = 1500) -> Figure:
    """A figure that takes a while to draw (many text labels)."""
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for i in range(n_labels):
        ax.text(i % 30 / 30, i // 30 / 50, f"{i}", fontsize=5)
    return fig


def test_both_ends_of_the_queue_are_worked(worker):
    """Asking for a figure the background process is drawing makes this process draw the
    newest waiting figures meanwhile; every figure comes out once and right."""
    background.Rendering(bars(2)).png()  # the background process is up and has drawn one
    figs = [slow()] + [bars(n) for n in range(2, 8)]
    expected = [as_first_drawn(f) for f in figs]
    renderings = [background.Rendering(f) for f in figs]
    import time

    deadline = time.monotonic() + 30
    while renderings[0]._state == "waiting" and time.monotonic() < deadline:
        time.sleep(0.005)
    assert renderings[0].png() == expected[0]
    assert renderings[0].done_by == "background"
    assert renderings[-1].done_by == "here"  # taken from the back while the first was drawing
    for png, r in zip(expected, renderings):
        assert r.png() == png
    assert {r.done_by for r in renderings} == {"background", "here"}
    assert not worker.queue


def test_a_figure_that_cannot_be_pickled_is_drawn_here(worker):
    from matplotlib.ticker import FuncFormatter

    def with_lambda():
        fig = bars(3)
        fig.axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f} stk."))
        return fig

    r = background.Rendering(with_lambda())
    assert r._worker is None and not worker.queue
    assert r.png() == figure_png(with_lambda()) and r.done_by == "here"


def test_a_dead_background_process_loses_no_figure(worker):
    figs = [bars(n) for n in range(2, 8)]
    expected = [as_first_drawn(f) for f in figs]
    worker.proc.kill()
    worker.proc.wait()
    renderings = [background.Rendering(f) for f in figs]
    for png, r in zip(expected, renderings):
        assert r.png() == png
    assert not background.running()


def test_a_block_shows_the_background_png(worker, monkeypatch):
    import base64

    from IPython.core.formatters import format_display_data

    fig = bars(4, "Søjler i baggrunden")
    expected = as_first_drawn(fig)
    b = Block().md("Tekst").figure(fig, "Fire søjler")
    assert b.parts[1][1][2]._worker is worker
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.extend(format_display_data(x)[0] for x in a))
    b._ipython_display_()
    html = shown[1]["text/html"]
    assert 'alt="Fire søjler"' in html
    assert base64.b64encode(expected).decode() in html


def test_switched_off_or_stopped_everything_is_drawn_here(monkeypatch):
    monkeypatch.setenv(background.ENV_SWITCH, "0")
    assert not background.start() and not background.running()
    fig = bars(3)
    expected = as_first_drawn(fig)
    r = background.Rendering(fig)
    assert r._worker is None and r.png() == expected
    monkeypatch.delenv(background.ENV_SWITCH)
    assert background.start()
    proc = background._worker.proc
    background.stop()
    assert proc.wait(timeout=10) == 0  # it ends when its input closes, and cleanly
    assert not background.running()


def test_goal_sections_built_early_are_the_sections_built_late(worker, tmp_path, demo):
    """With a background process the goals' sections are built as soon as their figures are
    recorded (so their figures draw while the rest is computed); they read the same."""
    from so_eval.annual import SECTION_METHODS, AnnualReport
    from so_eval.params import ReportParams

    params = ReportParams(year=2025, published_dir=str(tmp_path))
    early = AnnualReport(demo, params)
    assert set(early._sections) == {"goal1", "goal2", "goal3"}
    background.stop()
    late = AnnualReport(demo, params)
    assert "_sections" not in late.__dict__
    for name in SECTION_METHODS:
        a, b = getattr(early, name)(), getattr(late, name)()
        assert a.text == b.text, name
        assert [k for k, _ in a.parts] == [k for k, _ in b.parts], name
        for (kind, pa), (_, pb) in zip(a.parts, b.parts):
            if kind == "table":
                assert pa.data.equals(pb.data) and pa.caption == pb.caption, name
            elif kind == "figure":
                assert pa[1] == pb[1], name  # the alt text
    assert early.goal1() is early.goal1()  # built once


def answered(job, timeout: float = 60) -> None:
    """Wait until the background process has answered ``job`` (done it, or given it back)."""
    import time

    deadline = time.monotonic() + timeout
    while job._request is not None and time.monotonic() < deadline:
        time.sleep(0.005)


def test_a_call_runs_in_the_background_and_gives_the_same_result(worker):
    from so_eval import fmt

    job = background.call(fmt.number, 1234.5, 1)  # a module-level function: importable there
    answered(job)
    assert job.result() == "1.234,5" and job.done_by == "background"


def test_a_call_that_fails_there_is_run_here_and_raises_here(worker):
    from so_eval import fmt

    job = background.call(fmt.date, "ikke en dato")
    answered(job)
    assert job._state == "waiting"  # given back
    with pytest.raises(ValueError):
        job.result()
    assert job.done_by is None
    assert background.running()  # one failed job does not stop the background process
    again = background.call(fmt.number, 2)
    answered(again)
    assert again.result() == "2" and again.done_by == "background"


def test_without_a_background_process_a_call_runs_here(monkeypatch):
    from so_eval import fmt

    monkeypatch.setenv(background.ENV_SWITCH, "0")
    background.stop()
    assert not background.start()
    job = background.call(fmt.number, 3)
    assert job.result() == "3" and job.done_by == "here"


def test_a_dataset_travels_without_its_cache(demo):
    import pickle

    small = demo.without("status_weekly")
    assert "status_weekly" not in small.tables and set(small.tables) == set(demo.tables) - {"status_weekly"}
    from so_eval import metrics

    metrics.jobs_per_year(small, [2024, 2025], 30)
    copy = pickle.loads(pickle.dumps(small))
    assert copy.path == demo.path and copy.as_of == demo.as_of and dict(copy.file_hashes) == dict(demo.file_hashes)
    assert all(copy[name].equals(small[name]) for name in small.tables)
    assert copy._memo == {} and small._memo


def test_last_years_figures_recomputed_in_the_background_are_the_same(worker, tmp_path, demo, monkeypatch):
    """The corrections (two light builds of the year before) are computed by the background
    process while the report goes on, and list exactly what this process would."""
    from so_eval.annual import AnnualReport
    from so_eval.params import ReportParams

    jobs = []
    call = background.call
    monkeypatch.setattr(background, "call", lambda *a: jobs.append(call(*a)) or jobs[-1])
    params = ReportParams(year=2025, published_dir=str(tmp_path))
    there = AnnualReport(demo, params)
    assert [j.done_by for j in jobs] == ["background"]
    background.stop()
    here = AnnualReport(demo, params)
    assert len(there.corrections) > 0  # the demo has late registrations
    assert there.corrections.equals(here.corrections)
    assert there.ledger.frame().equals(here.ledger.frame())


def test_a_failing_job_taken_over_while_waiting_fails_only_for_its_own_caller(worker):
    """While waiting for a figure being drawn there, this process takes over waiting jobs; one
    of them failing does not break the wait, and its own caller gets the error."""
    import time

    from so_eval import fmt

    background.Rendering(bars(2)).png()  # up and warm
    first = background.Rendering(slow())
    failing = background.call(fmt.date, "ikke en dato")
    deadline = time.monotonic() + 30
    while first._state == "waiting" and time.monotonic() < deadline:
        time.sleep(0.005)
    assert first.png() and first.done_by == "background"
    with pytest.raises(ValueError):
        failing.result()


def test_data_read_in_the_background_are_the_data_read_here(worker, demo_dir):
    """The report reads its data on the second core (while the kernel imports); what comes back
    is the dataset `load` gives here: every table, its types, the file hashes, the cut date."""
    from so_eval.data.loading import load

    job = background.call(load, demo_dir, as_of="2025-01-15")
    answered(job)
    there = job.result()
    assert job.done_by == "background"
    here = load(demo_dir, as_of="2025-01-15")
    assert set(there.tables) == set(here.tables)
    for name in here.tables:
        assert there[name].equals(here[name]) and (there[name].dtypes == here[name].dtypes).all(), name
    assert dict(there.file_hashes) == dict(here.file_hashes) and there.as_of == here.as_of
    assert there.path == here.path and there.fingerprint == here.fingerprint


def test_from_params_gives_the_report_of_the_data(tmp_path, demo_dir):
    from so_eval.annual import AnnualReport
    from so_eval.data.loading import load
    from so_eval.params import ReportParams

    try:
        r = AnnualReport.from_params(year=2025, data_dir=str(demo_dir), published_dir=str(tmp_path))
    finally:
        background.stop()
    assert r.ds.fingerprint == load(demo_dir).fingerprint
    ref = AnnualReport(load(demo_dir), ReportParams(year=2025, data_dir=str(demo_dir), published_dir=str(tmp_path)))
    assert r.ledger.frame().equals(ref.ledger.frame())


def test_the_sections_built_ahead_are_the_notebooks_sections_in_its_order():
    """from_params builds SECTION_METHODS ahead (their figures drawing meanwhile); they must be
    the sections the notebook shows, in its order, or a section would be built only when shown."""
    import json
    import re

    from so_eval import config
    from so_eval.annual import SECTION_METHODS

    nb = json.loads((config.NOTEBOOKS_DIR / "annual_report.ipynb").read_text(encoding="utf-8"))
    shown = [m for c in nb["cells"] if c["cell_type"] == "code"
             for m in re.findall(r"^report\.(\w+)\(\)", "".join(c["source"]), flags=re.M)]
    assert [m for m in shown if m != "save"] == list(SECTION_METHODS)
