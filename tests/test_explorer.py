"""The analysts' explorer: every choice of its controls gives each method an estimate or a Danish
reason (never a traceback), and no count of 1 to min_cell - 1 can be read or worked out from
what it shows. Also: the estimators' reasons, and notebook outputs kept out of commits."""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest

from so_eval import config
from so_eval.effects.att import METHODS, REASONS, EstimationError, estimate_att
from so_eval.effects.explore import (
    HORIZON_OPTIONS,
    REASON_TEXTS,
    SUBGROUP_CONTROLS,
    Explorer,
    control_values,
    min_cell_from_params,
    reason_text,
)
from so_eval.publish import NOTEBOOK_LIMITS

MIN_CELL = 5


# -- the estimators say why they cannot estimate ------------------------------------------------


def one_participant_table(n_controls: int = 10) -> pd.DataFrame:
    """One treated unit and ``n_controls`` controls with a covariate that varies in both groups."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=n_controls + 1)
    return pd.DataFrame({"d": [1] + [0] * n_controls, "y": rng.uniform(size=n_controls + 1), "x": x})


@pytest.mark.parametrize("method", METHODS)
def test_one_treated_unit_is_an_estimation_error_with_a_reason_not_a_zero_division(method):
    with pytest.raises(EstimationError) as info:
        estimate_att(one_participant_table(), treatment="d", outcome="y", covariates=["x"], method=method)
    assert info.value.reason == "too_few"
    assert isinstance(info.value, ValueError)  # callers that caught ValueError still do


def test_two_treated_units_are_enough_for_the_difference_in_means():
    df = pd.DataFrame({"d": [1, 1, 0, 0, 0], "y": [1.0, 0.0, 0.0, 0.5, 0.25]})
    r = estimate_att(df, treatment="d", outcome="y", covariates=None, method="difference")
    assert r.att == pytest.approx(0.5 - 0.25)
    # Welch: var(y1)/2 + var(y0)/3 = 0.5/2 + 0.0625/3
    assert r.se == pytest.approx(math.sqrt(0.25 + 0.0625 / 3))


def test_a_covariate_that_separates_the_groups_gives_the_separation_reason():
    df = pd.DataFrame({"d": [1] * 6 + [0] * 6, "y": np.linspace(0, 1, 12), "x": np.arange(12.0)})
    with pytest.raises(EstimationError) as info:
        estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="ipw")
    assert info.value.reason == "separation"


def test_every_estimator_reason_has_a_danish_line_without_a_small_number():
    assert set(REASONS) <= set(REASON_TEXTS)
    for key in REASON_TEXTS:
        text = reason_text(key, MIN_CELL)
        assert text.endswith(".") and not re.search(r"\b[1-4]\b(?!-)", text), text
    assert "færre end 5" in reason_text("few_participants", 5)
    assert "færre end 3" in reason_text("few_participants", 3)


# -- the threshold comes from the params ----------------------------------------------------------


def test_the_threshold_is_the_params_disclosure_min_cell(tmp_path, monkeypatch):
    import yaml

    assert (
        min_cell_from_params(2025)
        == yaml.safe_load((config.PARAMS_DIR / "2025.yaml").read_text(encoding="utf-8"))["disclosure"]["min_cell"]
    )
    assert min_cell_from_params(2025, {"min_cell": 3}) == 3  # what papermill injects wins
    (tmp_path / "2031.yaml").write_text("year: 2031\ndisclosure:\n  min_cell: 7\n", encoding="utf-8")
    monkeypatch.setattr(config, "PARAMS_DIR", tmp_path)
    assert min_cell_from_params(2031) == 7
    assert min_cell_from_params(2032) == 5  # no params file: the project's default


def test_the_reports_and_the_explorer_check_the_threshold_by_one_rule(demo):
    from so_eval.effects.report import EffectParams
    from so_eval.params import DEFAULT_MIN_CELL, ReportParams

    assert ReportParams(year=2025).min_cell == EffectParams(year=2025).min_cell == DEFAULT_MIN_CELL
    assert EffectParams(year=2025, disclosure={"min_cell": "3"}).min_cell == 3
    assert EffectParams(year=2025, disclosure=None).min_cell == DEFAULT_MIN_CELL
    for make in (
        lambda: ReportParams(year=2025, disclosure={"min_cell": 0}),
        lambda: EffectParams(year=2025, disclosure={"min_cell": 0}),
        lambda: min_cell_from_params(2025, {"min_cell": 0}),
        lambda: Explorer(demo, 2025, min_cell=0),
    ):
        with pytest.raises(ValueError, match="disclosure.min_cell must be at least 1"):
            make()


# -- every choice of the controls on the demo -----------------------------------------------------


@pytest.fixture(scope="module")
def explorer(demo) -> Explorer:
    return Explorer(demo, 2025, min_cell=MIN_CELL)


@pytest.fixture(scope="module")
def every_subgroup(explorer):
    """Every combination of the subgroup controls x every method, for self-support weeks 1-26
    (the outcome table is computed once; each subgroup is estimated once, the method control
    only chooses the highlighted row)."""
    values = control_values(explorer)
    out = {}
    for combo in itertools.product(*(values[c] for c in SUBGROUP_CONTROLS)):
        sub = dict(zip(SUBGROUP_CONTROLS, combo, strict=True))
        for method in values["method"]:
            out[combo, method] = explorer.explore(outcome="selfsupport", horizon="1-26", method=method, **sub)
    return out


def assert_estimate_or_danish_reason(ex, min_cell=MIN_CELL):
    allowed = {reason_text(k, min_cell) for k in REASON_TEXTS}
    assert set(ex.methods) == set(METHODS)
    for m, o in ex.methods.items():
        if o.result is not None:
            r = o.result
            assert all(np.isfinite([r.att, r.se, r.ci_low, r.ci_high])), (ex.subgroup, m)
            assert r.n_treated >= min_cell and r.n_control >= min_cell
            assert o.reason is None
        else:
            assert o.text in allowed, (ex.subgroup, m, o.text)


def test_every_subgroup_and_method_gives_an_estimate_or_a_danish_reason(explorer, every_subgroup):
    values = control_values(explorer)
    n_combos = math.prod(len(values[c]) for c in SUBGROUP_CONTROLS)
    assert len(every_subgroup) == n_combos * len(METHODS)
    estimated = 0
    for ex in every_subgroup.values():
        assert_estimate_or_danish_reason(ex)
        estimated += bool(ex.estimated)
    assert estimated > 100  # not everything is a reason


def test_the_issues_one_participant_subgroup_gives_reasons_not_a_traceback(explorer, every_subgroup):
    ex = every_subgroup[("integration", "50+", 2022, None), "aipw"]
    n, _ = explorer.participants.count(ex.subgroup)
    assert n == int(
        (
            (explorer.table["treated"] == 1)
            & (explorer.table["target_group"] == "integration")
            & (explorer.table["age_band"] == "50+")
            & (explorer.table["entry_year"] == 2022)
        ).sum()
    )
    assert 0 < n < MIN_CELL
    assert {o.reason for o in ex.methods.values()} == {"few_participants"}
    assert ex.participants.display == f"færre end {MIN_CELL}"


def test_every_outcome_and_horizon_estimates_with_every_method_on_the_whole_sample(explorer):
    # (every subgroup for every outcome and horizon: the full-product tests below)
    values = control_values(explorer)
    for outcome, horizon in itertools.product(values["outcome"], values["horizon"]):
        for method in values["method"]:
            assert_estimate_or_danish_reason(explorer.explore(outcome=outcome, horizon=horizon, method=method))
        whole = explorer.explore(outcome=outcome, horizon=horizon)
        if outcome == "education" and horizon in ("w26", "w52"):
            assert {o.reason for o in whole.methods.values()} == {"week_selfsupport_only"}
        else:  # the whole sample is large: every method estimates
            assert set(whole.estimated) == set(METHODS), (outcome, horizon)
    assert set(values["horizon"]) == set(HORIZON_OPTIONS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "outcome,horizon",
    [(o, h) for o in ("selfsupport", "education") for h in HORIZON_OPTIONS if (o, h) != ("selfsupport", "1-26")],
)
def test_every_combination_of_every_control_gives_an_estimate_or_a_danish_reason(explorer, outcome, horizon):
    # the rest of the full product (self-support weeks 1-26 is the every_subgroup fixture's): every
    # subgroup for every other outcome and horizon; each call estimates every method, so the method
    # control (which only highlights a row) needs no loop of its own
    values = control_values(explorer)
    for combo in itertools.product(*(values[c] for c in SUBGROUP_CONTROLS)):
        assert_estimate_or_danish_reason(
            explorer.explore(outcome=outcome, horizon=horizon, **dict(zip(SUBGROUP_CONTROLS, combo, strict=True)))
        )


def test_the_explorers_whole_sample_estimate_is_the_effect_reports(explorer, demo):
    from so_eval.effects.analysis import EffectSpec, effect_sample, estimate

    spec = EffectSpec(year=2025)
    want = estimate(effect_sample(demo, spec), spec, "aipw")
    got = explorer.explore(method="aipw").methods["aipw"].result
    assert got.att == pytest.approx(want.att) and got.se == pytest.approx(want.se)


def test_the_rendered_block_shows_no_small_count_and_no_english(explorer):
    block = explorer.estimate(target_group="integration", age_band="50+", entry_year=2022, method="matching")
    html = "".join(p._repr_html_() for k, p in block.parts if k == "table") + block.text
    assert "færre end 5" in html and "For få deltagere" in html
    assert not re.search(r"\b(kun )?1 deltager", html) and "Traceback" not in html and "treated" not in html


def test_the_same_subgroup_shown_twice_shows_the_same_figures_recorded_once(explorer):
    # an analyst goes back to a subgroup: its figures are the ones recorded the first time
    first = explorer.estimate(target_group="kontanthjælp", outcome="selfsupport", horizon="1-26")
    n = len(explorer.ledger)
    again = explorer.estimate(target_group="kontanthjælp", outcome="selfsupport", horizon="1-26")
    assert again.text == first.text and len(explorer.ledger) == n


# -- the attacker ---------------------------------------------------------------------------------


def published_bounds(explorer, every_subgroup, group: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a reader learns about each cell of the counts (participants or comparison group) from
    the explorer's figures: a number; "<5" = 1..4; "×" = at least 5; "færre end 5" = 0..4;
    "mindst 5" = at least 5. Returns (low, high, true value) over the cube with "alle" last."""
    counts = getattr(explorer, group)
    shape = counts.values.shape
    low, high = np.zeros(shape), np.full(shape, np.inf)
    for (combo, method), ex in every_subgroup.items():
        if method != "aipw":
            continue
        sub = {c: v for c, v in zip(SUBGROUP_CONTROLS, combo, strict=True) if v is not None}
        fig = ex.participants if group == "participants" else ex.comparison
        idx = counts.index(sub)
        if fig.unit == "status":
            lo, hi = (0, MIN_CELL - 1) if fig.value.startswith("færre") else (MIN_CELL, np.inf)
        elif not fig.suppressed:
            lo = hi = fig.value
        elif fig.secondary:
            lo, hi = MIN_CELL, np.inf
        else:
            lo, hi = 1, MIN_CELL - 1
        low[idx], high[idx] = max(low[idx], lo), min(high[idx], hi)
    return low, high, counts.values


def propagate(low: np.ndarray, high: np.ndarray, rounds: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Bounds propagation over every line of the cube (one control varied, the others fixed;
    "alle" is the line's total): parts = total - the other parts, total = the sum of the parts."""
    low, high = low.copy(), high.copy()
    for _ in range(rounds):
        before = (low.copy(), high.copy())
        for axis in range(low.ndim):
            lo, hi = np.moveaxis(low, axis, -1), np.moveaxis(high, axis, -1)  # views
            p_lo, p_hi, t_lo, t_hi = lo[..., :-1], hi[..., :-1], lo[..., -1], hi[..., -1]
            s_lo, s_hi = p_lo.sum(-1), p_hi.sum(-1)
            np.maximum(t_lo, s_lo, out=t_lo)
            np.minimum(t_hi, s_hi, out=t_hi)
            with np.errstate(invalid="ignore"):
                new_lo = t_lo[..., None] - (s_hi[..., None] - p_hi)
                new_hi = t_hi[..., None] - (s_lo[..., None] - p_lo)
            new_lo = np.where(np.isnan(new_lo), -np.inf, new_lo)  # inf - inf: no information
            new_hi = np.where(np.isnan(new_hi), np.inf, new_hi)
            np.maximum(p_lo, new_lo, out=p_lo)
            np.minimum(p_hi, new_hi, out=p_hi)
        if np.array_equal(before[0], low) and np.array_equal(before[1], high):
            break
    return low, high


@pytest.mark.parametrize("group", ["participants", "comparison"])
def test_no_small_count_can_be_worked_out_across_sibling_subgroups(explorer, every_subgroup, group):
    low, high, true = published_bounds(explorer, every_subgroup, group)
    assert (low <= true).all() and (true <= high).all()  # the attacker's model holds
    low, high = propagate(low, high)
    assert (low <= true).all() and (true <= high).all()
    recovered = (low == high) & (true > 0) & (true < MIN_CELL)
    cells = [tuple(int(i) for i in c) for c in zip(*np.nonzero(recovered), strict=True)]
    assert not cells, f"{len(cells)} small counts can be worked out, e.g. at {cells[:5]}"


def test_the_hidden_entry_year_cannot_be_had_as_total_minus_the_other_years(explorer, every_subgroup):
    years = control_values(explorer)["entry_year"]
    shown = {y: every_subgroup[(None, None, y, None), "aipw"].participants for y in years}
    total = shown[None]
    small = [y for y, f in shown.items() if f.suppressed and not f.secondary]
    assert small  # the demo has an entry year with fewer than five participants (2019)
    visible = [f.value for y, f in shown.items() if y is not None and not f.suppressed]
    hidden = [y for y, f in shown.items() if y is not None and f.suppressed]
    assert not total.suppressed and len(hidden) >= 2
    assert total.value - sum(visible) == sum(explorer.participants.count({"entry_year": y})[0] for y in hidden)


def test_a_lone_small_enterprise_beside_larger_ones_is_hidden_with_another(explorer, every_subgroup):
    ents = [e for e in control_values(explorer)["enterprise_id"] if e is not None]
    figs = [every_subgroup[(None, None, None, e), "aipw"].participants for e in ents]
    n_small = sum(f.suppressed and not f.secondary for f in figs)
    n_hidden = sum(f.suppressed for f in figs)
    assert n_small >= 1 and n_hidden >= 2


# -- a hand-made tiny case ------------------------------------------------------------------------


def test_a_hand_made_subgroup_of_one_participant_gets_the_danish_reason_not_the_count(tmp_path):
    from so_eval import load
    from tiny import write_tiny_with_panel

    ex = Explorer(load(write_tiny_with_panel(tmp_path / "tiny")), 2024, entry_from="2024-01-01", min_cell=MIN_CELL)
    treated = ex.table.loc[ex.table["treated"] == 1]
    # first courses from 2024: C2 (fleksjob), C4 (unge), C5 (integration), C6 (kontanthjælp); see tiny.py
    assert sorted(treated["citizen_id"]) == ["C2", "C4", "C5", "C6"]
    res = ex.explore(target_group="unge", outcome="selfsupport", horizon="1-26")
    assert res.participants.value == 1 and res.participants.display == "<5"
    assert {o.reason for o in res.methods.values()} == {"few_participants"}
    block = ex.estimate(target_group="unge")
    text = block.text + "".join(p._repr_html_() for k, p in block.parts if k == "table")
    assert "færre end 5 deltagere" in text and "For få deltagere i denne gruppe (færre end 5" in text
    assert not re.search(r"\b1 deltager", text) and "Ingen metode kan estimeres" in text
    # with a threshold of 1 the one participant is shown and the estimator's own reason is given
    ex1 = Explorer(ex.ds, 2024, entry_from="2024-01-01", min_cell=1)
    res1 = ex1.explore(target_group="unge")
    assert res1.participants.display == "1"
    assert {o.reason for o in res1.methods.values()} == {"too_few"}


# -- notebook outputs stay out of commits ---------------------------------------------------------


def test_gitattributes_names_the_nbstripout_filter_and_setup_installs_it():
    attrs = (config.PROJ_ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.ipynb filter=nbstripout" in [a.strip() for a in attrs]
    makefile = (config.PROJ_ROOT / "Makefile").read_text(encoding="utf-8")
    setup = makefile.split("\nsetup:", 1)[1].split("\n\n", 1)[0]
    assert "nbstripout --install" in setup
    assert "nbstripout>=" in (config.PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_filter_strips_outputs_and_pseudonyms_from_a_committed_notebook(tmp_path):
    pytest.importorskip("nbstripout")
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "user.email", "test@example.invalid")
    git("config", "user.name", "test")
    (repo / ".gitattributes").write_text((config.PROJ_ROOT / ".gitattributes").read_text(encoding="utf-8"))
    subprocess.run([sys.executable, "-m", "nbstripout", "--install"], cwd=repo, check=True)
    nb = nbformat.read(config.NOTEBOOKS_DIR / "explore_effects.ipynb", as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="P-3f2a9c pseudonym\n")]
    code.execution_count = 7
    nbformat.write(nb, repo / "explore.ipynb")
    git("add", "explore.ipynb", ".gitattributes")
    git("commit", "-q", "-m", "notebook")
    committed = nbformat.reads(git("show", "HEAD:explore.ipynb"), as_version=4)
    assert all(c.outputs == [] and c.execution_count is None for c in committed.cells if c.cell_type == "code")
    assert "P-3f2a9c" not in git("show", "HEAD:explore.ipynb")
    assert "P-3f2a9c" in (repo / "explore.ipynb").read_text(encoding="utf-8")  # the analyst's copy keeps it


# -- the notebook itself ------------------------------------------------------------------------------


def test_the_explore_notebook_runs_on_the_one_participant_subgroup_without_a_traceback(tmp_path, demo_dir):
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / "explore_effects.ipynb"),
        str(out),
        parameters={
            "year": 2025,
            "data_dir": str(demo_dir),
            "target_group": "integration",
            "age_band": "50+",
            "entry_year": 2022,
            "method": "matching",
        },
        progress_bar=False,
        kernel_name="python3",
        cwd=str(config.PROJ_ROOT),
        **NOTEBOOK_LIMITS,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(
        o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/html", "") + o.get("text", "")
        for o in outputs
    )
    assert "For få deltagere i denne gruppe (færre end 5" in text
    assert "Traceback" not in text and not re.search(r"\b1 deltager", text)
