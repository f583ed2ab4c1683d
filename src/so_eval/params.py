"""Report parameters: ``params/<year>.yaml`` is the only thing that changes between years.

The notebook declares every parameter in its ``parameters`` cell with a safe default; papermill
injects the YAML's values. :class:`ReportParams` is the typed, checked view of them.
The disclosure threshold (``disclosure.min_cell``) is checked here for every report and the
explorer alike (:func:`checked_disclosure`).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from so_eval import config
from so_eval import glossary as g

DEFAULT_TARGETS = {
    "jobs_per_year": 30,
    "enterprises": 40,
    "enterprises_year": 2025,
    "progressed_share": None,
}

DEFAULT_MIN_CELL = 5
"""The disclosure threshold when the params give none (``disclosure.min_cell``): a count of 1
to ``min_cell - 1`` citizens is not published."""


def default_disclosure() -> dict:
    """The ``disclosure`` parameters when none are given."""
    return {"min_cell": DEFAULT_MIN_CELL}


def checked_disclosure(disclosure: dict | None) -> dict:
    """The ``disclosure`` parameters with ``min_cell`` filled in (:data:`DEFAULT_MIN_CELL`) and
    checked (at least 1): the one place the annual report (:class:`ReportParams`), the effect
    report (:class:`~so_eval.effects.report.EffectParams`) and the explorer take it from."""
    min_cell = int((disclosure or {}).get("min_cell", DEFAULT_MIN_CELL))
    if min_cell < 1:
        raise ValueError("disclosure.min_cell must be at least 1")
    return {**(disclosure or {}), "min_cell": min_cell}


DEFAULT_COUNTING = {
    # goal 1: which job types count as coming into employment. The strategy counts "antal som er
    # kommet i beskæftigelse" with a norm of "30 jobs" and excludes no kind of job; its target
    # groups include citizens waiting for a flex job, so every registered job type counts.
    "employment_job_types": list(g.JOB_TYPES),
    # goal 2: a job counts for a course when it starts during the course or within this many
    # days after its end
    "job_window_days": 90,
    # a year's figure is "foreløbig" when fewer than this share of the expected rows are registered
    "completeness_threshold": 0.9,
}


@dataclass(frozen=True)
class ReportParams:
    """The parameters of one annual report (see ``params/*.yaml`` for their meaning)."""

    year: int
    data_dir: str = "data/demo"
    report_date: str | None = None
    as_of: str | None = None
    targets: dict = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    strategy_period: tuple[int, int] = (2022, 2025)
    disclosure: dict = field(default_factory=default_disclosure)
    language: str = "da"
    published_dir: str = "reports"
    effects: dict = field(default_factory=dict)
    value: dict = field(default_factory=dict)
    counting: dict = field(default_factory=lambda: dict(DEFAULT_COUNTING))
    output_dir: str | None = None

    def __post_init__(self) -> None:
        targets = {**DEFAULT_TARGETS, **(self.targets or {})}
        unknown = set(targets) - set(DEFAULT_TARGETS)
        if unknown:
            raise ValueError(f"unknown target(s) in params: {sorted(unknown)}; known: {sorted(DEFAULT_TARGETS)}")
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "strategy_period", tuple(int(y) for y in self.strategy_period))
        object.__setattr__(self, "disclosure", checked_disclosure(self.disclosure))
        object.__setattr__(self, "counting", _checked_counting(self.counting))
        if self.language != "da":
            raise ValueError(f"language {self.language!r} is not supported; the report is in Danish ('da')")

    @property
    def min_cell(self) -> int:
        return int(self.disclosure["min_cell"])

    @property
    def data_path(self) -> Path:
        return config.resolve(self.data_dir)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["strategy_period"] = list(self.strategy_period)
        return d


def _checked_counting(counting: dict | None) -> dict:
    """The counting rules' parameters, with defaults filled in and each value checked."""
    out = {**DEFAULT_COUNTING, **(counting or {})}
    unknown = set(out) - set(DEFAULT_COUNTING)
    if unknown:
        raise ValueError(f"unknown counting parameter(s): {sorted(unknown)}; known: {sorted(DEFAULT_COUNTING)}")
    types = out["employment_job_types"]
    if isinstance(types, str) or not types:
        raise ValueError(
            f"counting.employment_job_types must be a non-empty list of job types, chosen from {list(g.JOB_TYPES)}"
        )
    bad = [t for t in types if t not in g.JOB_TYPES]
    if bad:
        raise ValueError(f"counting.employment_job_types: unknown job type(s) {bad}; known: {list(g.JOB_TYPES)}")
    out["employment_job_types"] = [t for t in g.JOB_TYPES if t in types]
    window = out["job_window_days"]
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ValueError(f"counting.job_window_days must be a whole number of days, 0 or more (got {window!r})")
    threshold = out["completeness_threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ValueError(f"counting.completeness_threshold must be a share above 0 and at most 1 (got {threshold!r})")
    out["completeness_threshold"] = float(threshold)
    return out


class ParamsError(ValueError):
    """A params file cannot be read; the message names the file, line and column (one line)."""


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML would keep the last
    silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice (first on line {seen[key] + 1})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def params_path(year: int) -> Path:
    return config.PARAMS_DIR / f"{year}.yaml"


def read_params(path: str | os.PathLike[str]) -> dict:
    """Read a params YAML file into a plain dict (dates kept as ISO strings)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"params file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParamsError(
            f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x}); save the file as UTF-8"
        ) from None
    try:
        data = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        ctx = exc.context_mark
        if ctx is not None and mark is not None and ctx.line != mark.line:
            what += f" (it starts on line {ctx.line + 1})"
        raise ParamsError(f"{path}{where}: not valid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of parameter names to values")
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def available_years() -> list[int]:
    """Years that have a ``params/<year>.yaml`` file, oldest first."""
    years = []
    for p in config.PARAMS_DIR.glob("*.yaml"):
        if re.fullmatch(r"\d{4}", p.stem):
            years.append(int(p.stem))
    return sorted(years)


def latest_year() -> int:
    years = available_years()
    if not years:
        raise FileNotFoundError(f"no params/<year>.yaml in {config.PARAMS_DIR}")
    return years[-1]
