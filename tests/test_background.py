"""Figures drawn in the background process: the same PNG as drawn here, whatever happens to it."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from so_eval import render
from so_eval.render import figure_png
from so_eval.tables import Block


def as_first_drawn(fig) -> bytes:
    """The figure's PNG as drawn the first time, from a copy (a figure drawn once with the
    constrained layout may come out a pixel different the second time)."""
    import pickle

    return figure_png(pickle.loads(pickle.dumps(fig)))


@pytest.fixture
def worker():
    assert render.start(), "the background process should start on a machine with two cores"
    yield render._worker
    render.stop()


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
    assert render.start()
    try:
        renderings = [(alt, blob, render.Rendering(pickle.loads(blob))) for alt, blob in jobs]
        for alt, blob, rendering in renderings:
            assert rendering._worker is not None, f"'{alt}' was not queued for the background process"
            assert rendering.png() == figure_png(pickle.loads(blob)), f"'{alt}' differs when drawn in the background"
        assert "background" in {rendering.drawn_by for *_, rendering in renderings}
    finally:
        render.stop()


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
    render.Rendering(bars(2)).png()  # the background process is up and has drawn one
    figs = [slow()] + [bars(n) for n in range(2, 8)]
    expected = [as_first_drawn(f) for f in figs]
    renderings = [render.Rendering(f) for f in figs]
    import time

    deadline = time.monotonic() + 30
    while renderings[0]._state == "waiting" and time.monotonic() < deadline:
        time.sleep(0.005)
    assert renderings[0].png() == expected[0]
    assert renderings[0].drawn_by == "background"
    assert renderings[-1].drawn_by == "here"  # taken from the back while the first was drawing
    for png, r in zip(expected, renderings):
        assert r.png() == png
    assert {r.drawn_by for r in renderings} == {"background", "here"}
    assert not worker.queue


def test_a_figure_that_cannot_be_pickled_is_drawn_here(worker):
    from matplotlib.ticker import FuncFormatter

    def with_lambda():
        fig = bars(3)
        fig.axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f} stk."))
        return fig

    r = render.Rendering(with_lambda())
    assert r._worker is None and not worker.queue
    assert r.png() == figure_png(with_lambda()) and r.drawn_by == "here"


def test_a_dead_background_process_loses_no_figure(worker):
    figs = [bars(n) for n in range(2, 8)]
    expected = [as_first_drawn(f) for f in figs]
    worker.proc.kill()
    worker.proc.wait()
    renderings = [render.Rendering(f) for f in figs]
    for png, r in zip(expected, renderings):
        assert r.png() == png
    assert not render.running()


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
    monkeypatch.setenv(render.ENV_SWITCH, "0")
    assert not render.start() and not render.running()
    fig = bars(3)
    expected = as_first_drawn(fig)
    r = render.Rendering(fig)
    assert r._worker is None and r.png() == expected
    monkeypatch.delenv(render.ENV_SWITCH)
    assert render.start()
    proc = render._worker.proc
    render.stop()
    assert proc.wait(timeout=10) == 0  # it ends when its input closes, and cleanly
    assert not render.running()


def test_goal_sections_built_early_are_the_sections_built_late(worker, tmp_path, demo):
    """With a background process the goals' sections are built as soon as their figures are
    recorded (so their figures draw while the rest is computed); they read the same."""
    from so_eval.annual import SECTION_METHODS, AnnualReport
    from so_eval.params import ReportParams

    params = ReportParams(year=2025, published_dir=str(tmp_path))
    early = AnnualReport(demo, params)
    assert set(early._sections) == {"goal1", "goal2", "goal3"}
    render.stop()
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
