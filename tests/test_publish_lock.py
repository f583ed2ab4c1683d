"""Publishing is exclusive and leaves nothing behind: one run at a time writes reports/<year>
(a second refuses at once, naming the first); the folder is replaced in one step; a run killed
(SIGKILL) at any point leaves the earlier report or the new one complete, never a mix, and the
next run removes what it left — but never a folder of a live run. The same for ingest. And a
YAML error in a params file is one line naming the file, line and column."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from so_eval import folders
from so_eval.publish import ReportError, run_report

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
FILES = {"annual_report.html", "annual_report.ipynb", "figures.csv", "manifest.json"}


def fake_notebook(path: Path) -> Path:
    """A report notebook that runs in a second: writes figures.csv with its run's tag, or kills
    the process that runs it (the kernel's parent) when ``kill`` is true."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('year = 2025\ndata_dir = ""\noutput_dir = ""\ntag = ""\nkill = False')
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(
        textwrap.dedent("""\
        import os, pathlib, signal, time
        if kill:
            os.kill(os.getppid(), signal.SIGKILL)
            time.sleep(60)
        pathlib.Path(output_dir, "figures.csv").write_text(f"key,value\\ntag,{tag}\\n", encoding="utf-8")
    """)
    )
    nb.cells = [params, nbformat.v4.new_markdown_cell("# Rapport"), body]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A published report (tag "first") with a file of someone else's in its folder."""
    base = tmp_path_factory.mktemp("first")
    data = base / "data"
    data.mkdir()
    params = base / "2025.yaml"
    params.write_text(f"year: 2025\ndata_dir: {data}\ntag: first\n", encoding="utf-8")
    nb = fake_notebook(base / "annual_report.ipynb")
    root = base / "reports"
    run_report(2025, params_file=params, reports_dir=root, notebook=nb, progress=False, log=lambda *_: None)
    (root / "2025" / "notes.txt").write_text("the coordinator's own notes", encoding="utf-8")
    return params, nb, root


@pytest.fixture
def setup(first, tmp_path):
    """A copy of the ``first`` report folder for one test."""
    params, nb, root = first
    shutil.copytree(root, tmp_path / "reports")
    return params, nb, tmp_path / "reports"


def published(root: Path) -> str:
    """The tag of the report in ``root/2025``, after checking it is complete and of one run."""
    folder = root / "2025"
    assert {p.name for p in folder.iterdir()} == FILES | {"notes.txt"}
    tag = (folder / "figures.csv").read_text(encoding="utf-8").split("tag,")[1].strip()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["tag"] == tag  # the files are one run's, not a mix
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "the coordinator's own notes"
    return tag


def hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


def killed_run(code: str, target: str | None = None, when: str = "before") -> int:
    """Run ``code`` in a fresh interpreter that kills itself (SIGKILL) at ``target``
    ("module:function"): just before its first call, just after it, or — for a folder removal —
    when one file of the folder is gone ("partial")."""
    hook = ""
    if target:
        mod, attr = target.split(":")
        hook = textwrap.dedent(f"""\
            import importlib, os, pathlib, signal
            _m = importlib.import_module({mod!r})
            _orig = getattr(_m, {attr!r})
            def _hook(*a, **k):
                if {when!r} == "before":
                    os.kill(os.getpid(), signal.SIGKILL)
                if {when!r} == "partial":
                    next(p for p in pathlib.Path(a[0]).rglob("*") if p.is_file()).unlink()
                    os.kill(os.getpid(), signal.SIGKILL)
                _orig(*a, **k)
                os.kill(os.getpid(), signal.SIGKILL)
            setattr(_m, {attr!r}, _hook)
        """)
    res = subprocess.run(
        [sys.executable, "-c", hook + code], capture_output=True, text=True, env=ENV, timeout=300, check=False
    )
    return res.returncode


def report_code(params: Path, nb: Path, root: Path, *, kill: bool = False) -> str:
    return (
        f"from so_eval.publish import run_report\n"
        f"run_report(2025, params_file={str(params)!r}, reports_dir={str(root)!r}, notebook={str(nb)!r}, "
        f"force=True, progress=False, overrides={{'tag': 'killed', 'kill': {kill}}}, log=lambda *a: None)\n"
    )


@pytest.mark.parametrize(
    "target, when, replaced",
    [
        (None, "notebook", False),  # while the notebook runs
        ("so_eval.publish:export_html", "before", False),  # the notebook has run, no HTML yet
        ("so_eval.publish:_link_or_copy", "after", False),  # the other files half linked in
        ("so_eval.folders:swap", "before", False),  # the new folder complete, not in place
        ("so_eval.folders:swap", "after", True),  # in place; the old one not yet removed
        ("shutil:rmtree", "partial", True),  # the old one half removed
    ],
)
def test_a_killed_report_leaves_one_complete_report_and_the_next_run_cleans_up(setup, target, when, replaced):
    params, nb, root = setup
    rc = killed_run(report_code(params, nb, root, kill=when == "notebook"), target, when)
    assert rc == -signal.SIGKILL
    assert published(root) == ("killed" if replaced else "first")
    assert [h for h in hidden(root) if ".annual_report.tmp-" in h], hidden(root)  # what the kill left
    run_report(
        2025,
        params_file=params,
        reports_dir=root,
        notebook=nb,
        force=True,
        progress=False,
        overrides={"tag": "next"},
        log=lambda *_: None,
    )
    assert published(root) == "next"
    assert hidden(root) == []  # the leftovers and the lock file are gone


def test_a_report_never_removes_the_folder_of_a_live_run(setup, tmp_path):
    """While another process holds the lock of reports/2025 (as a live run does), a run refuses
    at once, naming it, and its temporary folder stays."""
    params, nb, root = setup
    live = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""\
        import time
        from pathlib import Path
        from so_eval import folders
        final = Path({str(root / "2025")!r})
        with folders.locked(final, wait=False, what="so-eval report 2025"):
            folders.temp_dir(final, "annual_report.tmp")
            print("ready", flush=True)
            time.sleep(120)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert live.stdout.readline().strip() == "ready"
        with pytest.raises(ReportError, match=rf"another run is writing .*2025.*pid {live.pid}"):
            run_report(
                2025, params_file=params, reports_dir=root, notebook=nb, force=True, progress=False, log=lambda *_: None
            )
        assert [h for h in hidden(root) if f".annual_report.tmp-{live.pid}-" in h]
        assert published(root) == "first"
    finally:
        live.kill()
        live.wait()
    (root / ".2024.effect_measurement.tmp-1-0123abcd").mkdir()  # another year's, left by a kill
    run_report(
        2025,
        params_file=params,
        reports_dir=root,
        notebook=nb,
        force=True,
        progress=False,
        overrides={"tag": "next"},
        log=lambda *_: None,
    )
    assert published(root) == "next" and hidden(root) == []


def test_a_second_so_eval_report_refuses_at_once_while_one_runs_and_a_kill_leaves_the_report(tmp_path, demo_dir):
    """The real command on the demo: a second `so-eval report` (or `so-eval effects`) for the same
    year while one runs stops at once with a clear message; the first, killed, leaves the earlier
    report intact; the next run publishes and removes what the killed one left."""
    root = tmp_path / "reports"
    cmd = [
        sys.executable,
        "-m",
        "so_eval.cli",
        "report",
        "--year",
        "2025",
        "--out",
        str(root),
        "--data",
        str(demo_dir),
        "--quiet",
        "--force",
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in (root / "2025").iterdir()}
    running = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        for _ in range(6000):  # until its temporary folder is there (it holds the lock by then)
            if [h for h in hidden(root) if ".annual_report.tmp-" in h]:
                break
            assert running.poll() is None
            time.sleep(0.01)
        for second in (cmd, [*cmd[:3], "effects", *cmd[4:]]):
            res = subprocess.run(second, capture_output=True, text=True, env=ENV, timeout=120, check=False)
            assert res.returncode == 1
            assert (
                f"another run is writing {root / '2025'} right now: so-eval report 2025 (pid {running.pid}"
                in res.stderr
            ), res.stderr
            assert "Traceback" not in res.stderr
    finally:
        running.send_signal(signal.SIGKILL)
        running.wait()
    assert {p.name: p.read_bytes() for p in (root / "2025").iterdir()} == before
    assert [h for h in hidden(root) if ".annual_report.tmp-" in h]  # left by the kill
    again = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    assert again.returncode == 0, again.stderr
    assert "Removed 1 temporary folder(s)" in again.stdout
    assert hidden(root) == []
    assert (root / "2025" / "manifest.json").read_bytes() != before["manifest.json"]


# -- the lock and the swap ----------------------------------------------------------------


def test_the_lock_is_exclusive_and_released_by_a_killed_holder(tmp_path):
    folder = tmp_path / "x"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""\
        import time
        from so_eval import folders
        with folders.locked({str(folder)!r}, wait=False, what="holder"):
            print("ready", flush=True)
            time.sleep(120)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert holder.stdout.readline().strip() == "ready"
    with (
        pytest.raises(folders.Busy, match=rf"holder \(pid {holder.pid}, started "),
        folders.locked(folder, wait=False),
    ):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / ".x.lock").exists()  # a killed holder cannot remove it, but holds nothing
    with (
        folders.locked(folder, wait=False),
        pytest.raises(folders.Busy),  # one holder at a time, within a process too
        folders.locked(folder, wait=False),
    ):
        pass
    assert not (tmp_path / ".x.lock").exists()


def test_swap_replaces_a_folder_in_one_step_and_gives_back_the_old_one(tmp_path):
    folder, new = tmp_path / "x", tmp_path / ".x.tmp-1-a"
    folder.mkdir()
    (folder / "f").write_text("old")
    new.mkdir()
    (new / "f").write_text("new")
    old = folders.swap(new, folder)
    assert (folder / "f").read_text() == "new" and (old / "f").read_text() == "old"
    assert folders.swap(old, tmp_path / "y") is None and (tmp_path / "y" / "f").read_text() == "old"


def test_the_next_run_puts_back_a_folder_left_between_two_renames(tmp_path):
    """Without RENAME_EXCHANGE a swap is two renames; a run killed between them leaves only
    .x.old-…: the next run puts it back, and removes the other leftovers."""
    folder = tmp_path / "x"
    (tmp_path / ".x.old-123-abcd0123").mkdir()
    (tmp_path / ".x.old-123-abcd0123" / "f").write_text("the dataset")
    (tmp_path / ".x.ingest-123-ef01abcd").mkdir()
    (tmp_path / ".x.ingest-k2j3_a8z").mkdir()  # an earlier version's name (tempfile.mkdtemp)
    (tmp_path / ".x.y.ingest-123-0123abcd").mkdir()  # of a dataset "x.y": not x's
    (tmp_path / ".xx.ingest-1-0123abcd").mkdir()  # of a dataset "xx"
    (tmp_path / ".x.old-2024").mkdir()  # the user's own, not one of ours
    removed = folders.remove_leftovers(folder, ("ingest",))
    assert (folder / "f").read_text() == "the dataset"
    assert [p.name for p in removed] == [".x.ingest-123-ef01abcd", ".x.ingest-k2j3_a8z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".x.old-2024",
        ".x.y.ingest-123-0123abcd",
        ".xx.ingest-1-0123abcd",
        "x",
    ]


# -- ingest ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, when, replaced",
    [
        ("so_eval.data.ingest.write:_validate_candidate", "before", False),  # the new dataset built, not checked
        ("so_eval.folders:swap", "before", False),
        ("so_eval.folders:swap", "after", True),
    ],
)
def test_a_killed_ingest_leaves_one_complete_dataset_and_the_next_ingest_cleans_up(
    tmp_path, target, when, replaced, monkeypatch
):
    from so_eval.data import pseudonym as ps
    from so_eval.data.ingest import ingest
    from test_ingest import KEY, snapshot, tiny_workbook

    monkeypatch.setenv(ps.KEY_ENV, KEY)
    book = tiny_workbook(tmp_path / "udfyldt.xlsx")
    into = tmp_path / "data" / "x"
    ingest([book], into, now="2025-01-20T10:00:00+01:00")
    before = snapshot(into)
    code = (
        f"from so_eval.data.ingest import ingest\n"
        f"ingest([{str(book)!r}], {str(into)!r}, key={KEY!r}, now='2025-02-20T10:00:00+01:00')\n"
    )
    assert killed_run(code, target, when) == -signal.SIGKILL
    after = snapshot(into)
    if replaced:  # the new dataset: the same rows, one more log line
        assert after.keys() == before.keys() and after["ingest_log.jsonl"].count(b"\n") == 2
    else:
        assert after == before
    left = sorted(p.name for p in into.parent.iterdir() if p.name != "x")
    assert left and all(n.startswith(".x.ingest-") or n == ".x.lock" for n in left), left
    ingest([book], into, now="2025-03-20T10:00:00+01:00")
    assert sorted(p.name for p in into.parent.iterdir()) == ["x"]  # no leftover, no lock file


# -- params files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, where, what",
    [
        (
            "year: 2025\ntargets:\n  jobs_per_year: 30\n   enterprises: 40\n",
            "line 4, column 15",
            "mapping values are not allowed here",
        ),
        ('year: 2025\nas_of: "2026-01-15\n', "line 3, column 1", "(it starts on line 2)"),
        (
            "year: 2025\nas_of: 2026-01-15\nas_of: 2025-01-01\n",
            "line 3, column 1",
            "the key 'as_of' is given twice (first on line 2)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["report", "effects"])
def test_a_yaml_error_in_the_params_is_one_line_naming_file_line_and_column(tmp_path, text, where, what, command):
    params = tmp_path / "2025.yaml"
    params.write_text(text, encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "so_eval.cli",
            command,
            "--year",
            "2025",
            "--params",
            str(params),
            "--out",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and res.stderr.startswith(f"error: {params}, {where}: not valid YAML: ")
    assert what in res.stderr
    assert not (tmp_path / "r").exists()


def test_a_params_file_not_in_utf8_names_the_line(tmp_path):
    from so_eval.params import ParamsError, read_params

    params = tmp_path / "2025.yaml"
    params.write_bytes("year: 2025\nnote: Skælskør\n".encode("cp1252"))
    with pytest.raises(ParamsError, match=r"2025.yaml, line 2: not UTF-8 text \(byte 0xe6\)"):
        read_params(params)
