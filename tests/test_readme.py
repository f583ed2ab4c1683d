"""The README's walkthrough "Real data in, safely", run command by command as a coordinator would.

Each shell line of the section's code blocks is run in order with bash, in a scratch copy of the
project (``SO_EVAL_ROOT``) and a scratch home folder, so that the quick start for real data cannot
go stale. Between the commands the test does what the coordinator does by hand: fill in the
workbook after ``so-eval template``, then change two rows (a course that has ended, a corrected
job start) before the second ingest.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from so_eval import config, load
from so_eval.data.template import HEADERS, SHEETS
from test_ingest import fill_workbook, tiny_rows
from test_ingest_files import JOBCENTER_HEADER, JOBCENTER_ROWS, csv_bytes
from tiny import TABLES as TINY

README = config.PROJ_ROOT / "README.md"
SECTION = "### Real data in, safely"


def walkthrough_commands() -> list[str]:
    """The shell lines of the section's ```bash blocks, in order, without trailing comments."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start)
    blocks = re.findall(r"```bash\n(.*?)```", text[start:end], flags=re.S)
    lines = []
    for block in blocks:
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                lines.append(line)
    return lines


def test_the_walkthrough_has_the_steps_a_coordinator_needs():
    commands = walkthrough_commands()
    firsts = [" ".join(c.split()[:2]) for c in commands]
    for step in (
        "so-eval keygen",
        "so-eval template",
        "so-eval ingest",
        "so-eval validate",
        "so-eval report",
        "so-eval reproduce",
    ):
        assert step in firsts, f"the README's walkthrough has no `{step}`"
    assert any("--update" in c for c in commands)
    assert firsts.index("so-eval keygen") < firsts.index("so-eval ingest") < firsts.index("so-eval report")


def fill_in(book: Path) -> None:
    """The coordinator fills in the template: every table but citizens (from the Jobcenter)."""
    fill_workbook(book, {t: tiny_rows(t) for t in TINY if t != "citizens"}, template=book)


def change_rows(book: Path) -> None:
    """Course K5 has now ended (end date, end step, end status) and job J1 started a day later than typed."""
    wb = openpyxl.load_workbook(book)
    for table, key, value, changes in (
        (
            "courses",
            "course_id",
            "K5",
            {"end": dt.datetime(2024, 10, 31), "end_step": "småjob", "end_status": "småjob"},
        ),
        ("jobs", "job_id", "J1", {"start": dt.datetime(2024, 4, 11)}),
    ):
        ws = wb[SHEETS[table]]
        col = {c.value: c.column for c in ws[1]}
        rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, col[HEADERS[table][key]]).value == value]
        assert len(rows) == 1, f"{value} not found once in sheet {ws.title}"
        for code, v in changes.items():
            ws.cell(rows[0], col[HEADERS[table][code]], v)
    wb.save(book)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project root with the notebooks and params of this one."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(config.PROJ_ROOT / "pyproject.toml", root)
    for folder in ("notebooks", "params"):
        shutil.copytree(config.PROJ_ROOT / folder, root / folder)
    return root


@pytest.mark.slow
def test_every_command_of_the_walkthrough_runs_as_written(project: Path, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SO_EVAL_")}
    env.update(
        HOME=str(home),
        SO_EVAL_ROOT=str(project),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    book = project / "skabelon.xlsx"
    shell = ""  # the exports so far: each command runs in a fresh bash with them
    into = project / "data" / "slagelse"
    for command in walkthrough_commands():
        if command.startswith("export "):
            shell += command + "\n"
            continue
        if command.startswith("so-eval ingest") and "jobcenter_export.csv" not in command and "--update" not in command:
            change_rows(book)
        run = subprocess.run(
            ["bash", "-c", shell + command], cwd=project, env=env, capture_output=True, text=True, timeout=600
        )
        out = run.stdout + run.stderr
        expected = (
            2
            if command.startswith("so-eval ingest")
            and "--update" not in command
            and "jobcenter_export.csv" not in command
            else 0
        )
        assert run.returncode == expected, f"`{command}` exited {run.returncode}:\n{out}"
        if command.startswith("so-eval template"):
            fill_in(book)
            (project / "jobcenter_export.csv").write_bytes(csv_bytes(JOBCENTER_HEADER, JOBCENTER_ROWS))
        if command.startswith("so-eval keygen"):
            key = home / ".so-eval" / "pseudonym.key"
            assert key.stat().st_mode & 0o777 == 0o600
        if expected == 2:  # the changes are shown, old -> new, and nothing is written
            assert "2024-10-31" in out and "2024-04-11" in out, out
            assert pd.isna(load(into).courses.set_index("course_id").loc["K5", "end"])

    now = load(into)
    assert now.courses.set_index("course_id").loc["K5", "end_status"] == "småjob"
    assert now.jobs.set_index("job_id").loc["J1", "start"] == pd.Timestamp("2024-04-11")
    before = load(into, as_of="2025-01-20")  # the first ingest's rows, as typed then
    assert before.jobs.set_index("job_id").loc["J1", "start"] == pd.Timestamp("2024-04-10")
    published = project / "reports" / "slagelse" / "2024"
    assert (published / "annual_report.html").exists() and (published / "figures.csv").exists()
    stored = b"".join(p.read_bytes() for p in into.rglob("*") if p.is_file())
    assert b"150380" not in stored and "Ærbø".encode() not in stored
