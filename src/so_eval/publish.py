"""Running a report notebook end to end: papermill → nbconvert → figures, manifest, atomically.

Two reports live side by side in ``reports/<year>/``, each owning its own files:

* the annual report (``so-eval report``): ``annual_report.html``, ``annual_report.ipynb``,
  ``figures.csv``, ``manifest.json``;
* the effect report (``so-eval effects``): ``effect_measurement.html``,
  ``effect_measurement.ipynb``, ``effect_figures.csv``, ``effect_manifest.json``.

A run executes its notebook into a temporary folder beside ``reports/<year>``, exports HTML
without code cells, writes the manifest, and only then publishes: the temporary folder, with the
other report's files linked in, takes the place of ``reports/<year>`` in one step
(:func:`so_eval.folders.swap`), so a reader sees the old folder or the new one, never a mix. A
published report is never overwritten unless ``force=True``; a failed or killed run leaves the
earlier files exactly as they were, and never touches the other report's files.

One run at a time writes ``reports/<year>`` (either report): a second run for the same year stops
at once with a message naming the run that holds the lock (``reports/.<year>.lock``), rather than
waiting — it would otherwise publish right after the first, over it, or be refused then for a
report that exists. The next run for a year removes the temporary folders a killed run left.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter

from so_eval import config, folders
from so_eval.disclosure.guard import PublishError, check_publishable
from so_eval.files import atomic_write_text, file_hash
from so_eval.params import ReportParams, params_path, read_params
from so_eval.reporting.provenance import DATA_RECORD, code_version, data_fingerprint, package_versions

NOTEBOOK = "annual_report.ipynb"

NOTEBOOK_LIMITS = {"execution_timeout": 900, "start_timeout": 120}
"""Seconds a notebook cell may run, and the kernel may take to start (papermill's options). A cell
takes seconds on a municipality's data and a few minutes at the nation's scale; without a limit a
reply lost between the kernel and papermill would leave the run waiting for ever."""


class ReportError(RuntimeError):
    """A report could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Job:
    """One kind of report: its notebook and the files it owns in ``reports/<year>/``."""

    notebook: str
    figures: str
    manifest: str
    filter_params: bool = False  # pass only the params the notebook declares (shared params file)

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem

    @property
    def files(self) -> tuple[str, ...]:
        return (f"{self.stem}.html", self.notebook, self.figures, self.manifest)


ANNUAL = Job("annual_report.ipynb", "figures.csv", "manifest.json")
EFFECTS = Job("effect_measurement.ipynb", "effect_figures.csv", "effect_manifest.json", filter_params=True)


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    html: Path
    notebook: Path
    figures: Path
    manifest: Path


def notebook_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares in its ``parameters`` cell (name → inferred info)."""
    return pm.inspect_notebook(str(notebook))


def _select_parameters(params: dict, job: Job, notebook: Path, source: Path) -> dict:
    declared = set(notebook_parameters(notebook))
    known = declared | (
        set(notebook_parameters(config.NOTEBOOKS_DIR / ANNUAL.notebook)) if job.filter_params else set()
    )
    unknown = sorted(set(params) - known)
    if unknown:
        raise ReportError(
            f"{source}: unknown parameter(s) {', '.join(unknown)} — the notebook {notebook.name} "
            f"declares only: {', '.join(sorted(declared))}"
        )
    return {k: v for k, v in params.items() if k in declared}


def export_html(notebook_path: Path, html_path: Path) -> None:
    """Export an executed notebook to HTML without code cells or prompts (in this process)."""
    nb = nbformat.read(notebook_path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": _title(nb)}})
    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    body = body.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)
    body = body.replace('<html lang="en">', '<html lang="da">', 1)
    atomic_write_text(html_path, self_contained(body))


def self_contained(html: str) -> str:
    """Remove what would make a reader's browser ask a third party for anything: nbconvert's
    require.js and MathJax scripts from a CDN (the reports use neither) and the Mermaid loader.
    Images are already embedded as data URIs."""
    html = re.sub(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', "", html)
    html = re.sub(
        r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*?</script>', "", html, flags=re.S
    )
    return html


def _title(nb) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown", "")
            if text.startswith("# "):
                return text.splitlines()[0][2:].strip()
    return "Rapport"


def _manifest(
    params: dict, data_path: Path, notebook: Path, started: datetime, job: Job, data_record: dict | None = None
) -> dict:
    data = data_record if data_record is not None else data_fingerprint(data_path)

    return {
        "report": job.stem,
        "year": params["year"],
        "created": started.isoformat(timespec="seconds"),
        "report_date": params.get("report_date") or started.date().isoformat(),
        "as_of": params.get("as_of"),
        "parameters": params,
        "data": {"dir": _project_relative(data_path), **data},
        "notebook": {"path": _project_relative(notebook), "sha256": file_hash(notebook)},
        "files": list(job.files),
        "code": code_version(),
        "packages": package_versions(),
    }


def _project_relative(path: Path) -> str:
    """``path`` relative to the project root when it lies inside it (portable manifests)."""
    try:
        return Path(path).resolve().relative_to(config.PROJ_ROOT).as_posix()
    except ValueError:
        return str(path)


def _merge(base: dict, override: dict | None) -> dict:
    out = dict(base)
    for k, v in (override or {}).items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def run_report(
    year: int,
    *,
    params_file: str | os.PathLike[str] | None = None,
    reports_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: bool = True,
    notebook: str | os.PathLike[str] | None = None,
    job: Job = ANNUAL,
    overrides: dict | None = None,
    pdf: bool = False,
    log=print,
) -> ReportResult:
    """Make a report for ``year`` (the annual report unless ``job=EFFECTS``).

    Parameters
    ----------
    year
        The report year; ``params/<year>.yaml`` supplies the parameters unless ``params_file``.
    reports_dir
        Folder that holds ``<year>/``; default ``reports/`` in the project.
    data_dir
        Overrides the params' ``data_dir``.
    force
        Replace this report's files in an existing ``reports/<year>/`` (the old files stay until
        the new ones are complete; the other report's files are never touched).
    notebook
        Run this notebook instead of the job's own (used by tests).
    overrides
        Parameters to change for this run (merged into dicts such as ``effects``).
    pdf
        Also write ``<stem>.pdf``, printed from the HTML by headless Chromium (page breaks
        between sections).

    Returns
    -------
    ReportResult with the paths written.

    Raises
    ------
    ReportError
        The report exists and ``force`` is false; the parameters or the data are invalid; or a
        notebook cell failed. Nothing under ``reports/<year>/`` has changed.
    """
    started = datetime.now(UTC).astimezone()
    source = Path(params_file) if params_file else params_path(year)
    params = _merge(read_params(source), overrides)
    if int(params.get("year", year)) != year:
        raise ReportError(f"{source}: says year {params.get('year')}, but the report asked for is {year}")
    params["year"] = year
    if data_dir is not None:
        params["data_dir"] = str(Path(data_dir).resolve())
    notebook = Path(notebook) if notebook else config.NOTEBOOKS_DIR / job.notebook
    params = _select_parameters(params, job, notebook, source)
    try:
        rp = ReportParams(**{k: v for k, v in params.items() if k in ReportParams.__dataclass_fields__})
    except (TypeError, ValueError) as exc:
        raise ReportError(f"{source}: {exc}") from None

    root = Path(reports_dir) if reports_dir else config.REPORTS_DIR
    final = root / str(year)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with folders.locked(final, wait=False, what=f"so-eval {'report' if job is ANNUAL else 'effects'} {year}"):
            removed = folders.remove_leftovers(final, LEFTOVER_LABELS, others=r"\d{4}")
            if removed:
                log(f"Removed {len(removed)} temporary folder(s) left in {root} by an earlier run that was stopped.")
            return _run_locked(
                year, params, rp, source, notebook, job, root, final, force, progress, pdf, started, pm, log
            )
    except folders.Busy as exc:
        raise ReportError(
            f"another run is writing {final} right now: {exc.holder or 'a so-eval report or effects run'}. "
            "Nothing was done; run again when it has finished."
        ) from None


LEFTOVER_LABELS = tuple(f"{j.stem}.tmp" for j in (ANNUAL, EFFECTS))
"""The temporary folders a run makes beside ``reports/<year>`` (``.2025.annual_report.tmp-…``)."""


def _run_locked(
    year, params, rp, source, notebook, job, root, final, force, progress, pdf, started, pm, log
) -> ReportResult:
    """The rest of :func:`run_report`, with the lock of ``reports/<year>`` held."""
    existing = [f for f in job.files if (final / f).exists()]
    if existing and not force:
        what = "report" if job is ANNUAL else "effect report"
        cmd = "make report FORCE=1" if job is ANNUAL else "so-eval effects --force"
        raise ReportError(
            f"{final} already holds a published {what} ({', '.join(existing)}): it is not overwritten. "
            f"Use --force ({cmd}) to replace it, or --out to write somewhere else."
        )
    if not rp.data_path.is_dir():
        raise ReportError(f"data folder not found: {rp.data_path} (run `so-eval demo` for the demo data)")
    # The data are read and validated once, by the notebook's `load` in the kernel: a problem
    # there stops the run before anything is computed and becomes the ReportError below.

    tmp = folders.temp_dir(final, f"{job.stem}.tmp")
    try:
        executed = tmp / job.notebook
        run_params = {**params, "output_dir": str(tmp.resolve())}
        if "published_dir" in params:
            run_params["published_dir"] = str(root.resolve())
        log(f"Running {notebook.name} for {year} (data: {rp.data_path}) …")
        try:
            pm.execute_notebook(
                str(notebook),
                str(executed),
                parameters=run_params,
                kernel_name="python3",
                progress_bar=progress,
                cwd=str(config.PROJ_ROOT),
                log_output=False,
                # written once at the end (and on a failing cell), not twice per cell as it grows
                request_save_on_cell_execute=False,
                **NOTEBOOK_LIMITS,
            )
        except TimeoutError as exc:  # nbclient's CellTimeoutError: a cell ran past the limit
            raise ReportError(
                f"a cell of {notebook.name} ran for more than {NOTEBOOK_LIMITS['execution_timeout']} s "
                f"and was stopped ({exc}). Nothing was published."
            ) from None
        except pm.PapermillExecutionError as exc:
            if exc.ename == "ValidationError":  # the data, not the notebook: say what is wrong
                problems = exc.evalue.split(":\n", 1)[-1]
                raise ReportError(
                    f"the data in {rp.data_path} have problems (nothing was computed or "
                    f"published; see `so-eval validate {rp.data_path}`):\n{problems}"
                ) from None
            if exc.ename == "AsOfError":  # as_of leaves a table empty: say which and how to change it
                raise ReportError(f"{exc.evalue}. Nothing was published.") from None
            failed = root / f"{year}.{job.stem}.failed.ipynb"
            if executed.exists():
                shutil.copyfile(executed, failed)
            raise ReportError(
                f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
                f"The executed notebook with the error is in {failed}. Nothing was published."
            ) from None
        if not (tmp / job.figures).exists():
            raise ReportError(f"the notebook ran but wrote no {job.figures} (does it end with report.save()?)")
        log("Exporting HTML …")
        export_html(executed, tmp / f"{job.stem}.html")
        files = job.files
        if pdf:
            log("Printing PDF …")
            print_pdf(tmp / f"{job.stem}.html", tmp / f"{job.stem}.pdf")
            files = (*files, f"{job.stem}.pdf")
        record = tmp / DATA_RECORD  # the data the notebook read, as it read them
        data_record = json.loads(record.read_text(encoding="utf-8")) if record.exists() else None
        record.unlink(missing_ok=True)
        manifest = _manifest(params, rp.data_path, notebook, started, job, data_record)
        atomic_write_text(tmp / job.manifest, json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        _guard(tmp, rp.data_path)
        publish(tmp, final, files, owned=(*job.files, f"{job.stem}.pdf"))
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"Report written to {final}")
    return ReportResult(
        final, final / f"{job.stem}.html", final / job.notebook, final / job.figures, final / job.manifest
    )


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    """Path of the Chromium browser (Debian's ``chromium`` package), or a clear error."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        "the PDF is printed by headless Chromium, which is not installed (Debian: apt-get install chromium)"
    )


def print_pdf(html: Path, pdf: Path) -> None:
    """Print an HTML report to PDF with headless Chromium, offline, no header or footer."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if res.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise ReportError(f"Chromium could not print the PDF (exit {res.returncode}): {res.stderr[-500:]}")


def _guard(folder: Path, data_path: Path) -> None:
    """Refuse to publish if any output holds a CPR-like number, a citizen's pseudonym or a
    row-level record of a citizen (see :mod:`so_eval.disclosure.guard`); say where."""
    pseudonyms: list[str] = []
    citizens = data_path / "citizens.csv"
    if citizens.exists():  # plain csv: this process need not import pandas
        with open(citizens, newline="", encoding="utf-8-sig") as fh:
            pseudonyms = [
                row["citizen_id"].strip() for row in csv.DictReader(fh) if (row.get("citizen_id") or "").strip()
            ]
    try:
        check_publishable(folder, pseudonyms)
    except PublishError as exc:
        raise ReportError(f"nothing was published: the outputs hold personal data.\n{exc}") from None


def publish(tmp: Path, final: Path, files: tuple[str, ...], owned: tuple[str, ...] = ()) -> None:
    """Make ``final`` hold ``files`` from ``tmp`` and, of what it held, everything but ``owned``
    (the files of the report being replaced), in one step: the other files are linked (or
    copied) into ``tmp``, which then takes the place of ``final`` (:func:`so_eval.folders.swap`);
    the old folder is removed after. Call with the lock of ``final`` held. If anything fails
    before the swap, ``final`` is as it was."""
    keep = set(files)
    for item in list(tmp.iterdir()):
        if item.name not in keep:
            shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    missing = [name for name in files if not (tmp / name).exists()]
    if missing:
        raise ReportError(f"the run did not write {', '.join(missing)}; nothing was published")
    if final.is_dir():
        drop = set(owned) | keep
        for item in final.iterdir():
            if item.name not in drop:
                _link_or_copy(item, tmp / item.name)
        os.chmod(tmp, final.stat().st_mode & 0o7777)
    old = folders.swap(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(src: Path, dest: Path) -> None:
    """A hard link of ``src`` at ``dest`` (a copy where links are not possible); folders too."""

    def one(s: str, d: str) -> None:
        try:
            os.link(s, d, follow_symlinks=False)
        except OSError:
            shutil.copy2(s, d, follow_symlinks=False)

    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dest, symlinks=True, copy_function=one)
    else:
        one(str(src), str(dest))
