"""Running a report notebook end to end: papermill → nbconvert → figures, manifest, atomically.

``run_report(year)`` executes ``notebooks/annual_report.ipynb`` with ``params/<year>.yaml`` into a
temporary folder beside ``reports/<year>``, exports HTML without code cells, writes
``manifest.json``, and only then puts the folder in place. A published report is never
overwritten unless ``force=True``; a failed run leaves the earlier report exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from so_eval import config
from so_eval.io import atomic_write_text
from so_eval.params import ReportParams, params_path, read_params

NOTEBOOK = "annual_report.ipynb"


class ReportError(RuntimeError):
    """A report could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    html: Path
    notebook: Path
    figures: Path
    manifest: Path


def notebook_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares in its ``parameters`` cell (name → inferred info)."""
    import papermill as pm

    return pm.inspect_notebook(str(notebook))


def _check_parameters(params: dict, notebook: Path, source: Path) -> None:
    declared = notebook_parameters(notebook)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ReportError(
            f"{source}: unknown parameter(s) {', '.join(unknown)} — the notebook {notebook.name} "
            f"declares only: {', '.join(sorted(declared))}"
        )


def export_html(notebook_path: Path, html_path: Path) -> None:
    """Export an executed notebook to HTML without code cells or prompts (in this process)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook_path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": _title(nb)}})
    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    body = body.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)
    body = body.replace('<html lang="en">', '<html lang="da">', 1)
    atomic_write_text(html_path, body)


def _title(nb) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown", "")
            if text.startswith("# "):
                return text.splitlines()[0][2:].strip()
    return "Årsrapport"


def _manifest(params: dict, rp: ReportParams, notebook: Path, started: datetime) -> dict:
    from so_eval.load import file_hash
    from so_eval.provenance import code_version, data_fingerprint, package_versions

    data = data_fingerprint(rp.data_path)
    data_dir = _project_relative(rp.data_path)
    return {
        "report": "annual_report",
        "year": rp.year,
        "created": started.isoformat(timespec="seconds"),
        "report_date": rp.report_date or started.date().isoformat(),
        "as_of": rp.as_of,
        "parameters": params,
        "data": {"dir": data_dir, **data},
        "notebook": {"path": _project_relative(notebook), "sha256": file_hash(notebook)},
        "code": code_version(),
        "packages": package_versions(),
    }


def _project_relative(path: Path) -> str:
    """``path`` relative to the project root when it lies inside it (portable manifests)."""
    try:
        return Path(path).resolve().relative_to(config.PROJ_ROOT).as_posix()
    except ValueError:
        return str(path)


def run_report(
    year: int,
    *,
    params_file: str | os.PathLike[str] | None = None,
    reports_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: bool = True,
    notebook: str | os.PathLike[str] | None = None,
    log=print,
) -> ReportResult:
    """Make the annual report for ``year``.

    Parameters
    ----------
    year
        The report year; ``params/<year>.yaml`` supplies the parameters unless ``params_file``.
    reports_dir
        Folder that holds ``<year>/``; default ``reports/`` in the project.
    data_dir
        Overrides the params' ``data_dir``.
    force
        Replace an existing ``reports/<year>/`` (the old one is kept until the new one is complete).
    notebook
        The notebook to run (default ``notebooks/annual_report.ipynb``); its outputs are named
        after it.

    Returns
    -------
    ReportResult with the paths written.

    Raises
    ------
    ReportError
        The report exists and ``force`` is false; the parameters or the data are invalid; or a
        notebook cell failed. Nothing under ``reports/<year>/`` has changed.
    """
    import papermill as pm

    from so_eval.load import validate

    started = datetime.now(timezone.utc).astimezone()
    source = Path(params_file) if params_file else params_path(year)
    params = read_params(source)
    if int(params.get("year", year)) != year:
        raise ReportError(f"{source}: says year {params.get('year')}, but the report asked for is {year}")
    params["year"] = year
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).resolve())
    notebook = Path(notebook) if notebook else config.NOTEBOOKS_DIR / NOTEBOOK
    _check_parameters(params, notebook, source)
    try:
        rp = ReportParams(**params)
    except (TypeError, ValueError) as exc:
        raise ReportError(f"{source}: {exc}") from None

    root = Path(reports_dir) if reports_dir else config.REPORTS_DIR
    final = root / str(year)
    if final.exists() and not force:
        raise ReportError(
            f"{final} already exists: a published report is not overwritten. "
            f"Use --force (make report FORCE=1) to replace it, or --out to write somewhere else."
        )
    if not rp.data_path.is_dir():
        raise ReportError(f"data folder not found: {rp.data_path} (run `so-eval demo` for the demo data)")
    problems = validate(rp.data_path)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems[:30])
        more = f"\n  … and {len(problems) - 30} more (see `so-eval validate {rp.data_path}`)" if len(problems) > 30 else ""
        raise ReportError(f"the data in {rp.data_path} have {len(problems)} problem(s):\n{lines}{more}")

    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{year}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        executed = tmp / notebook.name
        run_params = {**params, "output_dir": str(tmp.resolve())}
        log(f"Running {notebook.name} for {year} (data: {rp.data_path}) …")
        try:
            pm.execute_notebook(
                str(notebook), str(executed), parameters=run_params, kernel_name="python3",
                progress_bar=progress, cwd=str(config.PROJ_ROOT), log_output=False,
            )
        except pm.PapermillExecutionError as exc:
            failed = root / f"{year}.{notebook.stem}.failed.ipynb"
            if executed.exists():
                shutil.copyfile(executed, failed)
            raise ReportError(
                f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
                f"The executed notebook with the error is in {failed}. Nothing was published."
            ) from None
        figures = tmp / "figures.csv"
        if not figures.exists():
            raise ReportError("the notebook ran but wrote no figures.csv (does it end with report.save()?)")
        log("Exporting HTML …")
        export_html(executed, tmp / f"{notebook.stem}.html")
        manifest = _manifest(params, rp, notebook, started)
        atomic_write_text(tmp / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        _swap_into_place(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"Report written to {final}")
    return ReportResult(final, final / f"{notebook.stem}.html", final / notebook.name, final / "figures.csv",
                        final / "manifest.json")


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Replace ``final`` with ``tmp`` so that at every moment one complete report is in place
    (or, for a first report, none): the old folder is moved aside, the new one renamed in,
    and only then the old one deleted."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
